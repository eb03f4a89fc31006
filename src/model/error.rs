//! The one error type of policykg. Every variant prints as one line that names the place (a file, a
//! `FILE:LINE:COLUMN`, an entity, a store) and, where there is one, what to do about it.

use std::path::{Path, PathBuf};

/// policykg's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, each variant with what a person needs to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Bad syntax in a data file, seed file or query, at a known position (1-based line and column).
    #[error("{place}:{line}:{column}: {message}")]
    Syntax {
        /// The file (or `query`, or `queries/NAME.rq`).
        place: String,
        /// 1-based line.
        line: u64,
        /// 1-based column, in characters.
        column: u64,
        /// What is wrong there.
        message: String,
    },
    /// A seed or data file that is well-formed but says something invalid.
    #[error("{place}: {message}")]
    Invalid {
        /// The file or `FILE:LINE:COLUMN`.
        place: String,
        /// What is wrong.
        message: String,
    },
    /// The store directory is locked by another process (a server or a running load: readers never lock it).
    #[error("the store {} is in use by another policykg process{}; stop it or use --store to pick another store", path.display(), holder.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    StoreInUse {
        /// The store directory.
        path: PathBuf,
        /// The process holding it, when known (`pid 4242: policykg serve`).
        holder: Option<String>,
    },
    /// The store path exists and is not a store directory.
    #[error("{}: {reason}", path.display())]
    BadStorePath {
        /// The path given as the store.
        path: PathBuf,
        /// Why it cannot be a store, and what to do.
        reason: String,
    },
    /// An error of the underlying storage engine.
    #[error("store {}: {}", path.display(), one_line(&source.to_string()))]
    Storage {
        /// The store directory.
        path: PathBuf,
        /// What RocksDB or Oxigraph said.
        #[source]
        source: oxigraph::store::StorageError,
    },
    /// A query that ran past its time limit.
    #[error("query timed out after {seconds} s; narrow it (LIMIT, more specific patterns) or raise --timeout")]
    Timeout {
        /// The limit that was reached.
        seconds: f64,
    },
    /// A query that failed while it was evaluated.
    #[error("query failed: {}", one_line(&source.to_string()))]
    Query {
        /// What the evaluator said.
        #[source]
        source: oxigraph::sparql::QueryEvaluationError,
    },
    /// A query that could not be run to the end for a reason of policykg's own (cancelled, worker lost).
    #[error("query failed: {0}")]
    Evaluation(String),
    /// A name that matches no entity.
    #[error("no entity is named {name:?}{}", suggestions_text(suggestions))]
    UnknownEntity {
        /// The name as given.
        name: String,
        /// Labels close to it.
        suggestions: Vec<String>,
    },
    /// A name that matches several entities.
    #[error("{name:?} names {} entities: {}; use an IRI or prefixed name to pick one", candidates.len(), candidates.join(", "))]
    AmbiguousEntity {
        /// The name as given.
        name: String,
        /// The entities it names, each as `prefixed-name (label)`.
        candidates: Vec<String>,
    },
    /// A bundled query name that does not exist.
    #[error("no bundled query is named {name:?}; `policykg queries` lists them ({})", available.join(", "))]
    UnknownQuery {
        /// The name as given.
        name: String,
        /// The bundled queries' names.
        available: Vec<String>,
    },
    /// Anything the user asked for that cannot be done as asked.
    #[error("{0}")]
    Usage(String),
    /// Something this server's policy does not allow (a SERVICE endpoint it may not call).
    #[error("{0}")]
    Refused(String),
}

fn suggestions_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        "; `policykg query --name entities` lists every entity".to_owned()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

impl Error {
    /// An I/O error on a path.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// An error of the storage engine where the caller holds a store but not its path (a server's handle, an
    /// in-memory store).
    pub fn storage(source: oxigraph::store::StorageError) -> Self {
        Error::Storage {
            path: PathBuf::from("<store>"),
            source,
        }
    }

    /// Something invalid at a place.
    pub fn invalid(place: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            place: place.into(),
            message: message.into(),
        }
    }

    /// A syntax error at a byte offset of a text: computes the 1-based line and column (in characters).
    pub fn syntax_at(
        place: impl Into<String>,
        text: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_column(text, offset);
        Error::Syntax {
            place: place.into(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// 1-based line and column (counted in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() as u64 + 1;
    (line, column)
}

/// Collapse a multi-line message from a parser into one line.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a message stays on one line in a terminal or a log: no line break of any kind (`\n`, `\r`, vertical
/// tab, form feed, NEL, the Unicode line and paragraph separators). The property tests check every error with it.
#[cfg(test)]
pub(crate) fn is_one_line(message: &str) -> bool {
    !message.contains([
        '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}',
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\n苏服办x";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 3 + 9), (2, 4));
    }
}
