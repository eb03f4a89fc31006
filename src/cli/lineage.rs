//! `policykg lineage`: predecessors and successors through the lineage relations.

use policykg::graph::analysis::{self, Direction};
use policykg::graph::picture;
use policykg::model::format::LineageFormat;
use policykg::Result;

use super::output::{write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// An IRI, prefixed name, id, or label
    entity: String,
    /// Which way to walk: up (predecessors), down (successors) or both
    #[arg(long, value_enum, default_value_t = Direction::Both)]
    direction: Direction,
    /// Only predecessors (same as --direction up)
    #[arg(long, conflicts_with_all = ["down", "both", "direction"])]
    up: bool,
    /// Only successors (same as --direction down)
    #[arg(long, conflicts_with_all = ["both", "direction"])]
    down: bool,
    /// Both directions (the default; same as --direction both)
    #[arg(long, conflicts_with = "direction")]
    both: bool,
    /// Show each step's quotes: document title, date, offsets
    #[arg(long)]
    evidence: bool,
    /// text, json or dot
    #[arg(long, value_enum, default_value_t = LineageFormat::Text)]
    format: LineageFormat,
}

impl Args {
    fn direction(&self) -> Direction {
        match (self.up, self.down) {
            (true, false) => Direction::Up,
            (false, true) => Direction::Down,
            _ => self.direction,
        }
    }
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let [root] = session.nodes([&args.entity])?;
    let projection = session.projection()?;
    let mut l = analysis::lineage(projection, root, args.direction());
    if args.evidence {
        let labels = &session.resolver()?.labels;
        analysis::add_evidence(projection, session.store()?.store(), labels, &mut l)?;
    }
    match args.format {
        LineageFormat::Json => write_json(&l),
        LineageFormat::Dot => write_text(&picture::lineage_dot(projection, root, &l)),
        LineageFormat::Text => write_text(&analysis::lineage_text(&l)),
    }
}
