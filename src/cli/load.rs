//! `policykg load`: add RDF files to the store atomically, or rebuild it from the bundled data (`--fresh`).

use std::path::PathBuf;

use policykg::model::format::RdfInput;
use policykg::model::report::Reporter;
use policykg::{Error, Result};

use super::terminal::Terminal;
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Files or directories
    paths: Vec<PathBuf>,
    /// Force the format instead of guessing it from the extension
    #[arg(long, value_enum)]
    format: Option<RdfInput>,
    /// Rebuild the store from the bundled data first, dropping graphs loaded earlier
    #[arg(long)]
    fresh: bool,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    if args.paths.is_empty() && !args.fresh {
        return Err(Error::Usage(
            "give files or directories to load (or --fresh to rebuild)".into(),
        ));
    }
    let kg = session.writable_store()?;
    let path = session.path()?.display();
    if args.fresh {
        let dropped = kg.user_graphs()?;
        let report = kg.rebuild_bundle(true, &Terminal)?;
        let dropped = if dropped.is_empty() {
            String::new()
        } else {
            format!(
                "; dropped {} loaded graph(s): {}",
                dropped.len(),
                dropped.join(", ")
            )
        };
        Terminal.message(&format!(
            "rebuilt {path} from the bundled data ({} quads){dropped}",
            report.quads
        ));
    }
    if !args.paths.is_empty() {
        let report = kg.load(&args.paths, args.format, &Terminal)?;
        for (file, n) in &report.files {
            Terminal.message(&format!("loaded {n} quads from {file}"));
        }
        Terminal.message(&format!("{} quads added to {path}", report.quads));
    }
    Ok(())
}
