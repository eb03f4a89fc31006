//! Hostile data stays data on every page: a store loaded with labels and IRIs that carry script
//! (tests/data/hostile.trig) is served, and headless Chromium visits the entity pages, a neighbourhood picture,
//! search and the workbench (tests/browser/hostile_pages.py): no payload runs, no link leads into script, and the
//! hostile text is shown as text.

use std::path::Path;
use std::process::Command;

use crate::common::{browser_available, browser_dir, require_tool, run, start, stderr, stdout};
use crate::server::store_copy;

#[test]
fn hostile_labels_and_iris_stay_text_on_every_page_in_chromium() {
    if !require_tool(
        browser_available(),
        "chromium, chromium-driver and python3 selenium",
    ) {
        return;
    }
    let (_dir, store) = store_copy();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile.trig");
    let out = run(&store, &["load", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let server = start(&store, &[]);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/hostile_pages.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(&server.base)
        .arg(browser_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("hostile OK"), "{}", stdout(&out));
}
