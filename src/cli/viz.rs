//! `policykg viz`: pictures of the regulation → agency → platform / initiative network, or (`--view`) one view
//! that answers one question.

use std::path::PathBuf;

use policykg::data::output::write_atomically;
use policykg::graph::picture;
use policykg::graph::views::{self, ViewName, ViewRequest};
use policykg::model::format::PictureFormat;
use policykg::model::report::Reporter;
use policykg::Result;

use super::terminal::Terminal;
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A view that answers one question: regulation-platform, lineage ENTITY, agency ENTITY, neighbourhood ENTITY
    #[arg(long, value_enum, conflicts_with_all = ["focus", "classes"])]
    view: Option<ViewName>,
    /// The entity of --view lineage, agency or neighbourhood
    #[arg(requires = "view")]
    entity: Option<String>,
    /// At most this many boxes in a --view (the rest are counted in its notes)
    #[arg(long, default_value_t = views::DEFAULT_MAX_NODES, requires = "view")]
    max_nodes: usize,
    /// Draw only the neighbourhood of this entity
    #[arg(long)]
    focus: Option<String>,
    /// How many hops around --focus or the neighbourhood ENTITY
    #[arg(long, default_value_t = 2)]
    depth: usize,
    /// Only these classes or bands, repeatable
    #[arg(long = "class")]
    classes: Vec<String>,
    /// dot, svg or html (default: the output file's extension, .dot/.gv, .svg or .html/.htm; else html)
    #[arg(long, value_enum)]
    format: Option<PictureFormat>,
    /// The output file
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
}

impl Args {
    /// The format asked for, else the one the output file's extension names (`-o map.svg` is an SVG, as a
    /// researcher expects), else the HTML page.
    fn format(&self) -> PictureFormat {
        self.format
            .or_else(|| PictureFormat::parse(self.output.extension()?.to_str()?))
            .unwrap_or(PictureFormat::Html)
    }
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    if let Some(name) = args.view {
        return run_view(name, &args, session);
    }
    let projection = session.projection()?;
    let focus = args
        .focus
        .as_deref()
        .map(|f| session.resolver()?.resolve(f))
        .transpose()?;
    let view = projection.view(
        focus.as_ref().map(|f| f.as_str()),
        args.depth,
        &args.classes,
        false,
    )?;
    let text = picture::render(&view, args.format(), session.store()?)?;
    write_atomically(&args.output, text.as_bytes())?;
    Terminal.message(&format!(
        "wrote {} ({} nodes, {} edges) to {}",
        args.format(),
        view.graph.node_count(),
        view.graph.edge_count(),
        args.output.display()
    ));
    Ok(())
}

/// `viz --view NAME [ENTITY]`: one view, in the format asked for.
fn run_view(name: ViewName, args: &Args, session: &Session) -> Result<()> {
    let entity = args
        .entity
        .as_deref()
        .map(|e| session.resolver()?.resolve(e))
        .transpose()?;
    let request = ViewRequest {
        name,
        entity: entity.as_ref().map(|e| e.as_str()),
        depth: args.depth,
        max_nodes: args.max_nodes,
    };
    let view = views::build(session.projection()?, &request)?;
    let text = picture::render_view(&view, args.format());
    write_atomically(&args.output, text.as_bytes())?;
    Terminal.message(&format!(
        "wrote the {} view as {} ({} boxes, {} edges, {:.0}×{:.0} px) to {}",
        name.name(),
        args.format(),
        view.nodes.len(),
        view.edges.len(),
        view.layout.width,
        view.layout.height,
        args.output.display()
    ));
    Ok(())
}
