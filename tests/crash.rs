//! Crash tests: `load`, `load --fresh` and the first build, each killed with SIGKILL at ten random moments. After
//! every kill the store opens, and it answers exactly as it did before the command or exactly as it does after the
//! command ran to the end: the same quads in every graph (the entailed graph included) and the same answer to a
//! named query. Never a state between the two.
//!
//! The moments are drawn uniformly over the time the command takes when it is not killed (measured in the same
//! test), from a seed printed with every failure; `POLICYKG_CRASH_SEED=N` replays a failure. The first-build test
//! replaces the one `tests/cli.rs` had, which checked only that the next command succeeds.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::*;

/// How many times each command is killed.
const KILLS: usize = 10;

/// Random kill moments: a linear congruential generator seeded from the clock (or `POLICYKG_CRASH_SEED`).
struct Moments {
    seed: u64,
    state: u64,
}

impl Moments {
    fn new() -> Self {
        let seed = std::env::var("POLICYKG_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos() as u64
            });
        Moments { seed, state: seed }
    }

    /// A moment between 0 and `span`.
    fn next(&mut self, span: Duration) -> Duration {
        self.state = self
            .state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = (self.state >> 33) as f64 / (1u64 << 31) as f64;
        span.mul_f64(fraction)
    }
}

/// What a store answers: the quads of every graph, and a named query that reads the catalogue and the ontology.
fn state(store: &Path) -> String {
    let graphs = run(
        store,
        &[
            "query",
            "--format",
            "csv",
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        ],
    );
    assert!(graphs.status.success(), "{}", stderr(&graphs));
    let named = run(
        store,
        &["query", "--name", "instruments-by-kind", "--format", "csv"],
    );
    assert!(named.status.success(), "{}", stderr(&named));
    format!("{}\n{}", stdout(&graphs), stdout(&named))
}

/// Run `policykg --store STORE ARGS…` and kill it with SIGKILL after `delay` (if it has not ended by then).
fn kill_after(store: &Path, args: &[&str], delay: Duration) {
    let mut child = policykg()
        .arg("--store")
        .arg(store)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

/// Run a command to the end and say how long it took.
fn timed(store: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let out = run(store, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    started.elapsed()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fresh copy of `pristine` at `work`.
fn restore(pristine: &Path, work: &Path) {
    let _ = std::fs::remove_dir_all(work);
    copy_dir(pristine, work);
}

/// Turtle with `n` plain triples and 50 local regulations of the ontology (so that the load changes the entailed
/// graph and the named query's answer too).
fn write_data(path: &Path, tag: &str, n: usize) {
    let mut text = String::from(
        "@prefix pk: <https://w3id.org/policykg/ontology#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "<http://e/{tag}/s{i}> <http://e/p> \"数据 {i}\" .\n"
        ));
    }
    for i in 0..50 {
        text.push_str(&format!(
            "<http://e/{tag}/reg{i}> a pk:LocalRegulation ; rdfs:label \"条例 {tag} {i}\"@zh .\n"
        ));
    }
    std::fs::write(path, text).unwrap();
}

/// Kill `args` on copies of `pristine` at ten random moments within the time it takes, and check each time that
/// the store is in the state before or the state after, and that no bulk-load files are left once it is reopened.
fn kill_ten_times(pristine: &Path, args: &[&str]) {
    let dir = pristine.parent().unwrap();
    let before = state(pristine);
    let done = dir.join("done");
    restore(pristine, &done);
    let span = timed(&done, args).mul_f64(1.1);
    let after = state(&done);
    assert_ne!(before, after, "{args:?} changes what the store answers");
    let work = dir.join("work");
    let mut moments = Moments::new();
    for _ in 0..KILLS {
        let delay = moments.next(span);
        restore(pristine, &work);
        kill_after(&work, args, delay);
        let now = state(&work);
        assert!(
            now == before || now == after,
            "{args:?} killed after {delay:?} (seed {}) left a state between before and after:\n--- before\n{before}\n--- after\n{after}\n--- now\n{now}",
            moments.seed
        );
        let leftovers: Vec<PathBuf> = std::fs::read_dir(&work)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("bulk-")
            })
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn a_load_killed_at_random_moments_leaves_the_store_before_or_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    assert!(run(&pristine, &["stats"]).status.success());
    let data = dir.path().join("data.ttl");
    write_data(&data, "new", 10_000);
    kill_ten_times(&pristine, &["load", data.to_str().unwrap()]);
}

/// A store in `dir` with the bundle and a graph loaded from `old.ttl`, for `load --fresh` to drop.
fn store_with_a_loaded_graph(dir: &Path) -> PathBuf {
    let pristine = dir.join("pristine");
    let old = dir.join("old.ttl");
    write_data(&old, "old", 2_000);
    let out = run(&pristine, &["load", old.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    pristine
}

#[test]
fn a_fresh_rebuild_killed_at_random_moments_leaves_the_old_content_or_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = store_with_a_loaded_graph(dir.path());
    kill_ten_times(&pristine, &["load", "--fresh"]);
}

#[test]
fn a_fresh_rebuild_with_files_killed_at_random_moments_leaves_the_old_content_or_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = store_with_a_loaded_graph(dir.path());
    let new = dir.path().join("new.ttl");
    write_data(&new, "new", 2_000);
    kill_ten_times(&pristine, &["load", "--fresh", new.to_str().unwrap()]);
}

#[test]
fn a_first_build_killed_at_random_moments_leaves_no_store_or_a_whole_one() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    let span = timed(&reference, &["stats"]).mul_f64(1.1);
    let whole = state(&reference);
    let store = dir.path().join("a/b/store");
    let mut moments = Moments::new();
    for _ in 0..KILLS {
        let delay = moments.next(span);
        let _ = std::fs::remove_dir_all(dir.path().join("a"));
        kill_after(&store, &["query", "--name", "instruments-by-kind"], delay);
        let built = store.join("CURRENT").exists();
        assert!(
            built || !store.exists(),
            "killed after {delay:?} (seed {}): a store folder without CURRENT",
            moments.seed
        );
        // Whether the kill came before or after the rename, the next command answers as a whole store does.
        assert_eq!(
            state(&store),
            whole,
            "killed after {delay:?} (seed {})",
            moments.seed
        );
        let left: Vec<_> = std::fs::read_dir(store.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("store")],
            "no staging folder left behind"
        );
    }
}
