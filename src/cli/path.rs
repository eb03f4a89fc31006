//! `policykg path`: the shortest connections between two entities.

use policykg::graph::analysis;
use policykg::model::format::TextFormat;
use policykg::{Error, Result};

use super::output::{write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Where the connection starts
    from: String,
    /// Where it ends
    to: String,
    /// The longest connection to look for
    #[arg(long, default_value_t = 6)]
    max_hops: usize,
    /// text or json
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let [a, b] = session.nodes([&args.from, &args.to])?;
    let projection = session.projection()?;
    let label = |n: petgraph::graph::NodeIndex| projection.graph[n].label();
    if a == b {
        return Err(Error::Usage(format!(
            "{:?} and {:?} name the same entity ({}); give two different entities",
            args.from,
            args.to,
            label(a)
        )));
    }
    let paths = analysis::paths(projection, a, b, args.max_hops);
    if paths.is_empty() {
        return Err(Error::Usage(format!(
            "no connection of at most {} hops between {} and {} (raise --max-hops to look further)",
            args.max_hops,
            label(a),
            label(b)
        )));
    }
    match args.format {
        TextFormat::Json => write_json(&paths),
        TextFormat::Text => write_text(&analysis::paths_text(&paths)),
    }
}
