//! `policykg check-seeds`: compile the seed files of a checkout and report every error, then print how every
//! document's sentences are accounted for (the sentence ledger) as the Markdown table of `docs/knowledge.md`.

use std::path::PathBuf;

use policykg::data::seeds;
use policykg::model::report::Reporter;
use policykg::{Error, Result};

use super::terminal::Terminal;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The project directory
    #[arg(default_value = ".")]
    dir: PathBuf,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let input = seeds::SeedInput::from_dir(&args.dir)?;
    match seeds::compile(&input) {
        Ok(c) => {
            let n = c.counts;
            Terminal.message(&format!(
                "seeds OK: {} documents, {} entities, {} stated facts, {} implied-actor facts, {} inferred facts, {} events, {} indicators ({} planned facts, events and indicators), {} mentions, {} exclusions, {} quads",
                c.documents.len(), n.entities, n.facts, n.implied_facts, n.inferred_facts, n.events, n.indicators, n.planned, n.mentions, n.exclusions, c.quads.len()
            ));
            super::output::write_text(&seeds::coverage_table(&c.ledger))
        }
        Err(errors) => {
            for e in &errors {
                Terminal.line(&e.to_string());
            }
            Err(Error::Usage(format!(
                "{} error(s) in the seed files",
                errors.len()
            )))
        }
    }
}
