//! `policykg stats`: triples per named graph and entities per class.

use policykg::model::format::TableFormat;
use policykg::model::vocab;
use policykg::read::{query, stats};
use policykg::Result;

use super::output::{write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// table or json
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let s = stats::of_store(session.store()?)?;
    match args.format {
        TableFormat::Json => write_json(&s),
        TableFormat::Table => write_text(&tables(&s)),
    }
}

/// The two tables a person reads: graphs with their sizes, classes with their entity counts.
fn tables(s: &stats::Stats) -> String {
    let mut graphs = query::new_table(vec!["named graph".into(), "triples".into()]);
    for (g, n) in &s.graphs {
        graphs.add_row(vec![vocab::shorten(g), n.to_string()]);
    }
    let mut classes = query::new_table(vec![
        "class".into(),
        "中文".into(),
        "English".into(),
        "entities".into(),
    ]);
    for (c, zh, en, n) in &s.classes {
        classes.add_row(vec![
            vocab::shorten(c),
            zh.clone(),
            en.clone(),
            n.to_string(),
        ]);
    }
    format!("{graphs}\n{} quads in all\n\n{classes}\n", s.total_quads)
}
