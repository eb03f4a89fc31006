//! `policykg validate`: check the store against the bundled SHACL shapes and write the validation report; exit 1
//! when anything does not conform.

use policykg::graph::export;
use policykg::model::format::{ExportFormat, ValidateFormat};
use policykg::read::validate::{self, Report};
use policykg::{Error, Result};

use super::output::{write_bytes, write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Validate only these named graphs (an IRI or pkg:NAME; repeat for their union) [default: every graph]
    #[arg(long = "graph", value_name = "G")]
    graphs: Vec<String>,
    /// text, json or turtle (the W3C SHACL validation report)
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    format: ValidateFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let kg = session.store()?;
    let graphs = args
        .graphs
        .iter()
        .map(|g| validate::graph_name(kg.store(), g))
        .collect::<Result<Vec<_>>>()?;
    let report = validate::validate_kept(kg, &graphs)?;
    write(&report, args.format)?;
    verdict(&report)
}

/// Write a report to stdout in a format.
pub(crate) fn write(report: &Report, format: ValidateFormat) -> Result<()> {
    match format {
        ValidateFormat::Text => write_text(&report.text()),
        ValidateFormat::Json => write_json(&report.json()),
        ValidateFormat::Turtle => {
            let mut bytes = Vec::new();
            export::write_rdf(&report.quads(), ExportFormat::Turtle, &mut bytes)?;
            write_bytes(&bytes)
        }
    }
}

/// Success when the data conform, else the one-line error that makes the exit status 1.
fn verdict(report: &Report) -> Result<()> {
    if report.conforms() {
        Ok(())
    } else {
        Err(Error::Invalid {
            place: "validate".into(),
            message: format!(
                "the data do not conform to the shapes: {}",
                report.summary()
            ),
        })
    }
}
