//! `policykg query`: SPARQL inline, from a file, or a bundled query by name.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use policykg::model::format::QueryFormat;
use policykg::read::{catalog, query};
use policykg::{Error, Result};

use super::output::{stdout, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The SPARQL text
    sparql: Option<String>,
    /// Read the query from a file
    #[arg(short = 'f', long = "file", value_name = "FILE", conflicts_with_all = ["sparql", "name"])]
    file: Option<PathBuf>,
    /// Run a bundled query (see `policykg queries`)
    #[arg(long, value_name = "NAME", conflicts_with = "sparql")]
    name: Option<String>,
    /// table, json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, nquads, jsonld, rdfxml (CONSTRUCT/DESCRIBE)
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    format: QueryFormat,
    /// Add the document, quote and offsets of each row's fact (queries with a `# fact:` line)
    #[arg(long, requires = "name")]
    with_evidence: bool,
    /// Give up after this many seconds
    #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = super::parse_seconds)]
    timeout: Duration,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let named = match (&args.name, args.with_evidence) {
        (Some(name), true) => Some(catalog::get(name)?),
        _ => None,
    };
    let (text, place) = query_text(args.sparql, args.file, args.name)?;
    let parsed = query::parse(&text, &place)?;
    let kg = session.store()?;
    let mut answer = query::evaluate(kg.store(), parsed, Some(args.timeout))?;
    if let Some(named) = &named {
        answer = catalog::with_evidence(kg.store(), named, answer)?;
    }
    let format = match args.format {
        QueryFormat::Table if answer.is_graph() => QueryFormat::Turtle,
        format => format,
    };
    if format == QueryFormat::Table {
        // A table is for people: made terminal-safe like every other text output.
        let mut table = Vec::new();
        query::write_answer(&answer, format, &mut table)?;
        return write_text(&String::from_utf8_lossy(&table));
    }
    let mut out = stdout();
    query::write_answer(&answer, format, &mut out)?;
    out.flush().map_err(|e| Error::io("<stdout>", e))
}

/// The query's text and the place errors name: `query`, the file, or `queries/NAME.rq`.
fn query_text(
    sparql: Option<String>,
    file: Option<PathBuf>,
    name: Option<String>,
) -> Result<(String, String)> {
    match (sparql, file, name) {
        (Some(text), None, None) => Ok((text, "query".into())),
        (None, Some(file), None) => {
            let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::invalid(
                    file.display().to_string(),
                    format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                )
            })?;
            Ok((text, file.display().to_string()))
        }
        (None, None, Some(name)) => {
            let q = catalog::get(&name)?;
            Ok((q.text.to_owned(), q.path.to_owned()))
        }
        _ => Err(Error::Usage(
            "give the query inline, with -f FILE, or with --name NAME".into(),
        )),
    }
}
