//! What the hand-timed benchmarks share (they run without criterion's harness, so that one run prints every
//! figure `docs/performance.md` records).

use std::time::Instant;

/// Run `f` `runs` times (after one warm-up run when there are several), print the mean time per run under `label`,
/// and return the last result.
#[allow(clippy::print_stdout, reason = "a benchmark's figures go to stdout")]
pub(crate) fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    if runs > 1 {
        f(); // warm up
    }
    let started = Instant::now();
    let mut out = f();
    for _ in 1..runs {
        out = f();
    }
    let per = started.elapsed() / runs.max(1);
    println!("{label}: {per:.2?}");
    out
}
