//! `policykg rank`: the most central entities.

use policykg::graph::analysis;
use policykg::model::format::TableFormat;
use policykg::{Error, Result};

use super::output::{write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Only these classes or bands (regulation, agency, platform, initiative), repeatable
    #[arg(long = "class")]
    classes: Vec<String>,
    /// How many to list
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// table or json
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let projection = session.projection()?;
    projection
        .class_filter_ok(&args.classes)
        .map_err(Error::Usage)?;
    let list = analysis::rank(projection, &args.classes, args.top);
    match args.format {
        TableFormat::Json => write_json(&list),
        TableFormat::Table => write_text(&analysis::rank_text(&list)),
    }
}
