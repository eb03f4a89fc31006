//! `policykg viz`: pictures of the regulation → agency → platform / initiative network.

use std::path::PathBuf;

use policykg::data::output::write_atomically;
use policykg::graph::picture;
use policykg::model::format::PictureFormat;
use policykg::model::report::Reporter;
use policykg::Result;

use super::terminal::Terminal;
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Draw only the neighbourhood of this entity
    #[arg(long)]
    focus: Option<String>,
    /// How many hops around --focus
    #[arg(long, default_value_t = 2)]
    depth: usize,
    /// Only these classes or bands, repeatable
    #[arg(long = "class")]
    classes: Vec<String>,
    /// dot, svg or html
    #[arg(long, value_enum, default_value_t = PictureFormat::Html)]
    format: PictureFormat,
    /// The output file
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
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
    let text = picture::render(&view, args.format);
    write_atomically(&args.output, text.as_bytes())?;
    Terminal.message(&format!(
        "wrote {} ({} nodes, {} edges) to {}",
        args.format,
        view.graph.node_count(),
        view.graph.edge_count(),
        args.output.display()
    ));
    Ok(())
}
