//! `policykg neighbors`: the entities within N hops of an entity.

use policykg::graph::analysis;
use policykg::model::format::TableFormat;
use policykg::Result;

use super::output::{write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// An IRI, prefixed name, id, or label
    entity: String,
    /// How many hops out
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// table or json
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let [root] = session.nodes([&args.entity])?;
    let projection = session.projection()?;
    let list = analysis::neighbours(projection, root, args.depth);
    match args.format {
        TableFormat::Json => write_json(&list),
        TableFormat::Table => write_text(&analysis::neighbours_text(
            projection.graph[root].label(),
            &list,
        )),
    }
}
