//! The bundled named queries (`queries/NAME.rq`): their names, titles and descriptions, read from the
//! header comments (`# title:`, `# description:`) of each file.

use crate::data::bundle;
use crate::model::error::{Error, Result};

/// One bundled query.
#[derive(Debug, Clone)]
pub struct NamedQuery {
    /// The name `--name` takes (the file name without `.rq`).
    pub name: String,
    /// The `# title:` line.
    pub title: String,
    /// The `# description:` line.
    pub description: String,
    /// Where it lives, for error messages: `queries/NAME.rq`.
    pub path: &'static str,
    /// The SPARQL text.
    pub text: &'static str,
}

fn header(text: &str, key: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .filter_map(|l| l.trim_start_matches('#').trim().strip_prefix(key))
        .map(|v| v.trim().to_owned())
        .next()
        .unwrap_or_default()
}

/// Every bundled query, sorted by name.
pub fn all() -> Vec<NamedQuery> {
    let mut queries: Vec<NamedQuery> = bundle::queries()
        .map(|f| NamedQuery {
            name: f
                .path
                .trim_start_matches("queries/")
                .trim_end_matches(".rq")
                .to_owned(),
            title: header(f.text, "title:"),
            description: header(f.text, "description:"),
            path: f.path,
            text: f.text,
        })
        .collect();
    queries.sort_by(|a, b| a.name.cmp(&b.name));
    queries
}

/// A bundled query by name.
pub fn get(name: &str) -> Result<NamedQuery> {
    let queries = all();
    queries
        .iter()
        .find(|q| q.name == name)
        .cloned()
        .ok_or_else(|| Error::UnknownQuery {
            name: name.to_owned(),
            available: queries.iter().map(|q| q.name.clone()).collect(),
        })
}
