//! How the library tells a person what it is doing without printing: long work and one-line messages go through
//! a [`Reporter`], which the command line shows on the terminal and the server writes to its log. The library
//! itself never writes to stdout or stderr.

/// Receives messages and progress from long work (building the store, loading files).
pub trait Reporter: Sync {
    /// A one-line message for a person (`built the store at … (87602 quads)`).
    fn message(&self, text: &str);

    /// Long work has started; `what` says what it is. The returned handle counts the items done.
    fn start(&self, what: &str) -> Box<dyn Progress + '_>;
}

/// Progress of one piece of long work; dropping it ends it.
pub trait Progress {
    /// `done` items are finished so far.
    fn set(&self, done: u64);
    /// The work moved on to another stage (`parsing` → `writing`).
    fn stage(&self, what: &str);
}

/// A reporter that drops everything: tests, benchmarks, library users who want silence.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn message(&self, _: &str) {}
    fn start(&self, _: &str) -> Box<dyn Progress + '_> {
        Box::new(Silent)
    }
}

impl Progress for Silent {
    fn set(&self, _: u64) {}
    fn stage(&self, _: &str) {}
}
