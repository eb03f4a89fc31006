//! `policykg search`: where the five texts (or the quotes, labels, loaded literals) say something, in Chinese.

use std::io::IsTerminal;

use policykg::model::format::ListFormat;
use policykg::model::vocab;
use policykg::read::query;
use policykg::read::search::{self, Hit, Scope, SearchIndex, SearchQuery};
use policykg::Result;

use super::output::{to_csv, write_json, write_text};
use super::terminal::Terminal;
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The words to find (数据安全, 苏服办, 12345 热线); punctuation and spaces are ignored
    query: String,
    /// Where to search: the document texts, the evidence quotes, labels and aliases, or the literals of loaded graphs
    #[arg(long = "in", value_enum, default_value_t = Scope::Texts)]
    scope: Scope,
    /// Only this document: its IRI, pkdoc: name, id or (part of) its title
    #[arg(long, value_name = "D")]
    doc: Option<String>,
    /// At most this many hits
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// table, json or csv
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    search::check_query(&args.query)?;
    let index = SearchIndex::open(session.store()?, &Terminal)?;
    let hits = index.search(&SearchQuery {
        text: args.query.clone(),
        scope: args.scope,
        document: args.doc.clone(),
        limit: args.limit,
    })?;
    match args.format {
        ListFormat::Json => write_json(&hits),
        ListFormat::Csv => write_text(&csv(&hits)?),
        ListFormat::Table => {
            let bold = std::io::stdout().is_terminal();
            write_text(&table(&hits, bold, &args))
        }
    }
}

/// The sentence with the match in bold (a terminal) or in 【…】.
fn marked(hit: &Hit, bold: bool) -> String {
    if bold {
        format!("{}\x1b[1m{}\x1b[0m{}", hit.before, hit.text, hit.after)
    } else {
        hit.sentence.clone()
    }
}

/// Where a hit is: the document's short name, or the labelled entity or literal's subject.
fn place(hit: &Hit) -> String {
    match (&hit.document, &hit.subject) {
        (Some(d), _) => vocab::shorten(d),
        (None, Some(s)) => vocab::shorten(s),
        (None, None) => String::new(),
    }
}

fn entities(hit: &Hit) -> String {
    hit.entities
        .iter()
        .map(|e| e.label.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

fn table(hits: &[Hit], bold: bool, args: &Args) -> String {
    // The table measures the bold escapes as characters: the header carries an empty bold pair too, so that the
    // column lines up.
    let sentence = if bold {
        "\x1b[1m\x1b[0msentence"
    } else {
        "sentence"
    };
    let mut table = query::new_table(vec![
        "where".into(),
        "start–end".into(),
        sentence.into(),
        "entities".into(),
    ]);
    for hit in hits {
        table.add_row(vec![
            place(hit),
            format!("{}–{}", hit.start, hit.end),
            marked(hit, bold),
            entities(hit),
        ]);
    }
    let n = hits.len();
    let more = if n >= args.limit {
        " (the limit; --limit shows more)"
    } else {
        ""
    };
    format!(
        "{table}\n{n} hit{} of {:?} in {}{more}\n",
        if n == 1 { "" } else { "s" },
        args.query,
        args.scope.name(),
    )
}

fn csv(hits: &[Hit]) -> Result<String> {
    let header = [
        "scope", "document", "title", "start", "end", "match", "sentence", "subject", "entities",
    ];
    let records: Vec<Vec<String>> = hits
        .iter()
        .map(|hit| {
            let entity_iris = hit
                .entities
                .iter()
                .map(|e| e.iri.as_str())
                .collect::<Vec<_>>();
            vec![
                hit.scope.name().to_owned(),
                hit.document.clone().unwrap_or_default(),
                hit.title.clone().unwrap_or_default(),
                hit.start.to_string(),
                hit.end.to_string(),
                hit.text.clone(),
                hit.sentence.clone(),
                hit.subject.clone().unwrap_or_default(),
                entity_iris.join(" "),
            ]
        })
        .collect();
    to_csv(&header, &records)
}
