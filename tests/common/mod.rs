//! Shared fixtures: one in-memory store built from the bundle per test binary, and a built on-disk store for the
//! tests that run the `policykg` binary.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

use policykg::data::store::KgStore;

/// The bundled graph, in memory.
pub fn kg() -> &'static KgStore {
    static KG: OnceLock<KgStore> = OnceLock::new();
    KG.get_or_init(|| KgStore::in_memory().expect("the bundle builds"))
}

/// SELECT rows as strings (IRIs in full, literals as lexical values).
pub fn rows(sparql: &str) -> Vec<Vec<String>> {
    policykg::read::query::select_strings(kg().store(), sparql)
        .unwrap_or_else(|e| panic!("{e}\n{sparql}"))
        .into_iter()
        .map(|r| r.values().to_vec())
        .collect()
}

/// The first column of a SELECT.
pub fn column(sparql: &str) -> Vec<String> {
    rows(sparql).into_iter().map(|mut r| r.remove(0)).collect()
}

pub fn id(local: &str) -> String {
    format!("https://w3id.org/policykg/id/{local}")
}

/// The `policykg` binary.
pub fn policykg() -> Command {
    Command::new(env!("CARGO_BIN_EXE_policykg"))
}

/// A store directory built once per test binary (read-only tests share it).
pub fn built_store() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep().join("store");
        let out = policykg()
            .arg("--store")
            .arg(&dir)
            .arg("stats")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// Run `policykg --store STORE ARGS…`.
pub fn run(store: &Path, args: &[&str]) -> Output {
    policykg()
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Whether an external tool must be present: in CI (CI=true) a missing tool fails the test instead of skipping it.
pub fn require_tool(available: bool, what: &str) -> bool {
    if available {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
        panic!("{what} is required in CI (.ci/run installs it)");
    }
    eprintln!("skipping: {what} is not installed (run .ci/run to install it)");
    false
}

/// A running server, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(store: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = policykg()
        .arg("--store")
        .arg(store)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let base = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.strip_prefix("policykg: serving ") {
            break rest.split('/').take(3).collect::<Vec<_>>().join("/");
        }
    };
    std::thread::spawn(move || for _ in lines {}); // keep draining stderr
    Server { child, base }
}

/// Headless Chromium, its driver and Python's selenium: what the browser tests need.
pub fn browser_available() -> bool {
    Path::new("/usr/bin/chromium").exists()
        && Path::new("/usr/bin/chromedriver").exists()
        && Command::new("python3")
            .args(["-c", "import selenium"])
            .output()
            .is_ok_and(|o| o.status.success())
}

/// `target/browser/`: where browser tests leave their screenshots (CI keeps them as artefacts).
pub fn browser_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
