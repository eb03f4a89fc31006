//! Headless Chromium drives the HTML picture and the server UI (tests/browser/check_pages.py): no console errors,
//! the node count, search by Chinese name, evidence on click, a named query from the UI, an entity page; and the
//! query workbench (tests/browser/check_workbench.py): Ctrl+Enter and the URL, completion, errors at their line
//! and column, an 87,602-row answer paged, sorting, CSV download, line chart, timeline, graph, hostile labels,
//! history, and no request to another host. Screenshots land in target/browser/ for inspection.

use std::process::Command;

use crate::common::*;

fn script() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/check_pages.py")
}

fn workbench_script() -> &'static str {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/check_workbench.py"
    )
}

#[test]
fn the_html_picture_works_in_a_browser() {
    if !require_tool(
        browser_available(),
        "chromium, chromium-driver and python3 selenium",
    ) {
        return;
    }
    let dir = browser_dir();
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

/// Run a browser script (`command`: the script and its leading arguments) against a server of its own on a fresh
/// store, started with `server_args`; the script then gets the server's URL, the screenshot folder and
/// `script_args`. Its report, or None when the browser is missing outside CI.
fn on_a_server(command: &[&str], server_args: &[&str], script_args: &[&str]) -> Option<String> {
    if !require_tool(
        browser_available(),
        "chromium, chromium-driver and python3 selenium",
    ) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg");
    let server = start(&store, server_args);
    let shots = browser_dir();
    let out = Command::new("python3")
        .args(command)
        .args([&server.base, shots.to_str().unwrap()])
        .args(script_args)
        .output()
        .unwrap();
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    Some(report)
}

#[test]
fn the_server_ui_runs_a_named_query_and_opens_an_entity_page() {
    let Some(report) = on_a_server(&[script(), "ui"], &[], &[]) else {
        return;
    };
    assert!(report.contains("browser OK"));
}

#[test]
fn the_query_workbench_works_in_a_browser() {
    let server_args = ["--allow-update", "--token", "workbench"];
    let Some(report) = on_a_server(&[workbench_script()], &server_args, &["workbench"]) else {
        return;
    };
    for check in [
        "ctrl-enter and url",
        "timeline",
        "completion",
        "error position",
        "big answer",
        "sort and csv",
        "line chart",
        "graph",
        "hostile label",
        "history",
        "offline",
    ] {
        assert!(
            report.contains(&format!("ok {check}:")),
            "{check}\n{report}"
        );
    }
    assert!(report.contains("workbench OK"), "{report}");
}
