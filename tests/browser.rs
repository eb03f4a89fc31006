//! Headless Chromium drives the HTML picture and the server UI (tests/browser/check_pages.py): no console errors,
//! the node count, search by Chinese name, evidence on click, a named query from the UI, an entity page.
//! Screenshots land in target/browser/ for inspection.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

fn browser_available() -> bool {
    Path::new("/usr/bin/chromium").exists()
        && Path::new("/usr/bin/chromedriver").exists()
        && Command::new("python3")
            .args(["-c", "import selenium"])
            .output()
            .is_ok_and(|o| o.status.success())
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn script() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/check_pages.py")
}

#[test]
fn the_html_picture_works_in_a_browser() {
    if !require_tool(
        browser_available(),
        "chromium, chromium-driver and python3 selenium",
    ) {
        return;
    }
    let dir = screenshots();
    let html = dir.join("graph.html");
    let out = run(
        built_store(),
        &["viz", "--format", "html", "-o", html.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let nodes: usize = stderr(&out)
        .split('(')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let out = Command::new("python3")
        .arg(script())
        .args([
            "viz",
            html.to_str().unwrap(),
            &nodes.to_string(),
            dir.join("graph.png").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("browser OK"));
}

#[test]
fn the_server_ui_runs_a_named_query_and_opens_an_entity_page() {
    if !require_tool(
        browser_available(),
        "chromium, chromium-driver and python3 selenium",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg");
    let server = start(&store, &[]);
    let shots = screenshots();
    let out = Command::new("python3")
        .arg(script())
        .args(["ui", &server.base, shots.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("browser OK"));
}
