//! `policykg load`: add RDF files to the store atomically, or rebuild it from the bundled data (`--fresh`).

use std::path::PathBuf;

use oxigraph::model::NamedNode;
use policykg::data::store::KgStore;
use policykg::model::format::RdfInput;
use policykg::model::report::Reporter;
use policykg::read::validate;
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
    /// Refuse the load, leaving the store unchanged, when the data would not conform to the SHACL shapes
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    if args.paths.is_empty() && !args.fresh {
        return Err(Error::Usage(
            "give files or directories to load (or --fresh to rebuild)".into(),
        ));
    }
    let kg = session.writable_store()?;
    let path = session.path()?.display();
    if args.strict && !args.paths.is_empty() {
        if args.fresh {
            // What the store will hold: the bundle and the files, without the graphs loaded before.
            refuse_nonconforming(&args, KgStore::in_memory()?.store())?;
        } else {
            refuse_nonconforming(&args, kg.store())?;
        }
    }
    let loaded = if args.fresh {
        let dropped = kg.user_graphs()?;
        // With files, the rebuild and the files are one transaction: a kill leaves the old content or the new.
        let (report, loaded) = if args.paths.is_empty() {
            (kg.rebuild_bundle(true, &Terminal)?, None)
        } else {
            let (report, loaded) = kg.fresh_load(&args.paths, args.format, &Terminal)?;
            (report, Some(loaded))
        };
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
        loaded
    } else {
        Some(kg.load(&args.paths, args.format, &Terminal)?)
    };
    if let Some(report) = loaded {
        for (file, n) in &report.files {
            Terminal.message(&format!("loaded {n} quads from {file}"));
        }
        Terminal.message(&format!("{} quads added to {path}", report.quads));
        if !args.strict {
            warn_nonconforming(&args, kg.store(), &report.graphs)?;
        }
    }
    Ok(())
}

/// `load --strict`: validate the files' nodes, with the store as their context, before anything is written, and
/// refuse the load on any violation (listed on stderr). The files are held in memory for this, which is why it is
/// not the default.
fn refuse_nonconforming(args: &Args, store: &oxigraph::store::Store) -> Result<()> {
    let report = validate::validate_files(store, &args.paths, args.format)?;
    if report.conforms() {
        return Ok(());
    }
    Terminal.line(report.text().trim_end());
    Err(Error::Invalid {
        place: "load --strict".into(),
        message: format!(
            "refused: the data would not conform to the shapes ({}); the store is unchanged",
            report.summary()
        ),
    })
}

/// Files larger than this together are loaded without the shape check after the load.
const SHAPE_CHECK_BYTES: u64 = 16 * 1024 * 1024;

/// A default load streams the files in, then validates the graphs it wrote, through the store's indexes: the
/// violations go to stderr with a warning and their count, and the data stay. Over 16 MiB of files the check is
/// left to `policykg validate`, so that a large load costs what Oxigraph's bulk load costs, and a message says so.
fn warn_nonconforming(
    args: &Args,
    store: &oxigraph::store::Store,
    graphs: &[NamedNode],
) -> Result<()> {
    if graphs.is_empty() {
        return Ok(());
    }
    let size = files_size(&args.paths, args.format);
    if size > SHAPE_CHECK_BYTES {
        Terminal.message(&format!(
            "not checking the shapes of {} MiB of loaded data: `policykg validate --graph G` checks them, `load --strict` refuses data that do not conform",
            size / (1024 * 1024)
        ));
        return Ok(());
    }
    let report = validate::validate(store, graphs)?;
    if report.conforms() {
        return Ok(());
    }
    Terminal.line(report.text().trim_end());
    Terminal.message(&format!(
        "warning: loaded data that do not conform to the shapes: {}; `policykg validate --graph G` lists them again, `load --strict` refuses such data",
        report.summary()
    ));
    Ok(())
}

/// The size of the RDF files the paths name, as `load` collects them; unreadable ones count 0, the load reports
/// them.
fn files_size(paths: &[PathBuf], format: Option<RdfInput>) -> u64 {
    policykg::data::rdf::rdf_files(paths, format)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}
