//! The command line's [`Reporter`]: messages as `policykg: …` lines on stderr, progress as a spinner when
//! stderr is a terminal (and nothing when it is a file or a pipe).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use policykg::model::report::{Progress, Reporter};

use super::output::visible;

/// A message or error kept to one line whatever it quotes (a file name with a newline, a label with control
/// characters): line breaks become `\n` and other control characters `\u{…}`.
fn one_line(text: &str) -> String {
    visible(text).replace('\n', "\\n")
}

/// Reports to the terminal.
pub(crate) struct Terminal;

impl Terminal {
    /// An error, as the one line the process ends with.
    pub(crate) fn error(&self, error: &dyn std::fmt::Display) {
        self.line(&format!(
            "policykg: error: {}",
            one_line(&error.to_string())
        ));
    }

    /// A line on stderr as it is (a seed error with its own `FILE:LINE:COLUMN` prefix).
    #[allow(
        clippy::print_stderr,
        reason = "the binary's one place that writes to stderr"
    )]
    pub(crate) fn line(&self, text: &str) {
        eprintln!("{text}");
    }
}

impl Reporter for Terminal {
    fn message(&self, text: &str) {
        self.line(&format!("policykg: {}", one_line(text)));
    }

    fn start(&self, what: &str) -> Box<dyn Progress + '_> {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::hidden()
        };
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {pos} quads ({per_sec})") {
            bar.set_style(style);
        }
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        Box::new(Spinner(bar))
    }
}

struct Spinner(ProgressBar);

impl Progress for Spinner {
    fn set(&self, done: u64) {
        self.0.set_position(done);
    }
    fn stage(&self, what: &str) {
        self.0.set_message(what.to_owned());
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
