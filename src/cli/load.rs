//! `policykg load`: add RDF files to the store atomically, or rebuild it from the bundled data (`--fresh`).

use std::path::PathBuf;

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
        check_shapes(&args, kg.store())?;
        let report = kg.load(&args.paths, args.format, &Terminal)?;
        for (file, n) in &report.files {
            Terminal.message(&format!("loaded {n} quads from {file}"));
        }
        Terminal.message(&format!("{} quads added to {path}", report.quads));
    }
    Ok(())
}

/// Files larger than this together are loaded without the shape check, unless `--strict` asks for it.
const SHAPE_CHECK_BYTES: u64 = 16 * 1024 * 1024;

/// Validate the store with the files before loading them: the violations go to stderr; `--strict` refuses the
/// load when there are any (nothing is written), otherwise a warning with their count lets it go on.
///
/// The check holds the store and the files in memory (1M quads: 1.9 GB and 30 s, three times the load itself), so
/// without `--strict` it is left out for files over 16 MiB, and a message says how to run it.
fn check_shapes(args: &Args, store: &oxigraph::store::Store) -> Result<()> {
    let size = files_size(&args.paths, args.format.is_some());
    if !args.strict && size > SHAPE_CHECK_BYTES {
        Terminal.message(&format!(
            "not checking the shapes before loading {} MiB (the check holds everything in memory): `policykg validate` checks them after, `load --strict` before",
            size / (1024 * 1024)
        ));
        return Ok(());
    }
    let report = validate::validate_with_files(store, &args.paths, args.format)?;
    if report.conforms() {
        return Ok(());
    }
    Terminal.line(report.text().trim_end());
    if args.strict {
        return Err(Error::Invalid {
            place: "load --strict".into(),
            message: format!(
                "refused: the data would not conform to the shapes ({}); the store is unchanged",
                report.summary()
            ),
        });
    }
    Terminal.message(&format!(
        "warning: loading data that do not conform to the shapes: {}",
        report.summary()
    ));
    Ok(())
}

/// The size of the files the paths name (a folder's RDF files, as `load` collects them); unreadable ones count 0,
/// the load reports them.
fn files_size(paths: &[PathBuf], explicit_format: bool) -> u64 {
    let mut files = Vec::new();
    for path in paths {
        let _ = policykg::data::rdf::collect_rdf_files(path, explicit_format, &mut files);
    }
    files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}
