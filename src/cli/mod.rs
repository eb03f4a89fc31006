//! The command line: the arguments ([`Cli`], one `Args` struct per command in its own module), the lazily
//! opened [`Session`], terminal output, and how errors end the process.

pub(crate) mod as_of;
pub(crate) mod check_seeds;
pub(crate) mod describe;
pub(crate) mod evidence;
pub(crate) mod export;
pub(crate) mod lineage;
pub(crate) mod listing;
pub(crate) mod load;
pub(crate) mod neighbors;
mod output;
pub(crate) mod path;
pub(crate) mod query;
pub(crate) mod rank;
pub(crate) mod search;
pub(crate) mod serve;
mod session;
pub(crate) mod stats;
mod terminal;
pub(crate) mod timeline;
pub(crate) mod validate;
pub(crate) mod viz;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use policykg::Error;

pub(crate) use session::Session;
use terminal::Terminal;

#[derive(Parser)]
#[command(
    name = "policykg",
    version,
    about = "A knowledge graph of Jiangsu data-governance policy (江苏数据治理政策知识图谱)",
    long_about = "Regulations, agencies, platforms and initiatives from five official Jiangsu reports (2022–2025), \
every fact traced to a verbatim quote, in an embedded Oxigraph store built on first use."
)]
pub(crate) struct Cli {
    /// The store directory [default: $XDG_DATA_HOME/policykg/store or ~/.local/share/policykg/store]
    #[arg(long, global = true, env = "POLICYKG_STORE", value_name = "DIR")]
    pub(crate) store: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run a SPARQL query: inline, from a file (-f) or a bundled query (--name)
    Query(query::Args),
    /// List the bundled queries
    Queries,
    /// List the prefixes every query may use without declaring them
    Prefixes,
    /// Show an entity: labels, types, relations both ways, sources
    Describe(describe::Args),
    /// Show the quotes that support an entity, or the facts linking two entities
    Evidence(evidence::Args),
    /// Count triples per named graph and entities per class
    Stats(stats::Args),
    /// Add RDF files (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD) to the store, atomically
    Load(load::Args),
    /// Predecessors and successors through lineage relations (draft of, raised to, supersedes, upgraded to…)
    Lineage(lineage::Args),
    /// The shortest connections between two entities, each hop with its relation and evidence
    Path(path::Args),
    /// Entities within N hops of an entity
    Neighbors(neighbors::Args),
    /// The most central entities (betweenness and degree)
    Rank(rank::Args),
    /// What was in force, in existence or in service on a day, with the steps and quotes that decide it
    AsOf(as_of::Args),
    /// The dated steps of an entity, or of a class, in order, with the precision each date has
    Timeline(timeline::Args),
    /// Full-text search in Chinese: where the texts, quotes, labels or loaded literals say the words
    Search(search::Args),
    /// Draw the regulation → agency → platform / initiative network as DOT, SVG or HTML
    Viz(viz::Args),
    /// Export the graph for other tools (RDF formats, GraphML, GEXF, Neo4j CSV, Cytoscape.js, DOT)
    Export(export::Args),
    /// Serve a SPARQL 1.1 endpoint (/sparql), a browser UI (/) and entity pages (/id/…, /doc/…)
    Serve(serve::Args),
    /// Check the store against the SHACL shapes (ontology/shapes.ttl) and write the validation report
    Validate(validate::Args),
    /// Check the seed files of a project checkout (ontology/, seeds/) and report every error
    CheckSeeds(check_seeds::Args),
    /// One query job of a server, in a worker process (internal)
    #[command(name = "__sparql-worker", hide = true)]
    SparqlWorker,
}

/// Parse the command line. Help and version print as usual; a usage error is one line on stderr and exit 1,
/// like every other error.
pub(crate) fn parse() -> Cli {
    Cli::try_parse().unwrap_or_else(|e| {
        use clap::error::ErrorKind;
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
            || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        {
            e.exit()
        }
        Terminal.error(&usage_line(&e.render().to_string()));
        std::process::exit(1)
    })
}

/// clap's usage message on one line: the error, the possible values or the usage, without the help hint.
fn usage_line(rendered: &str) -> String {
    let text = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect::<Vec<_>>()
        .join(" ");
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    format!("{text}; see `policykg --help`")
}

/// `--timeout SECONDS`: a positive, finite number of seconds that fits a `Duration`.
pub(crate) fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err("the timeout must be a positive number of seconds".into());
    }
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("{text} seconds is too long a timeout"))
}

/// The process's exit status for a command's result; errors print as one line on stderr.
pub(crate) fn exit(result: policykg::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that went away (`policykg … | head`) is not an error.
        Err(Error::Io { ref source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e @ Error::Timeout { .. }) => {
            Terminal.error(&e);
            // The cancelled query may still be running inside RocksDB on its worker thread; leave at once,
            // without running exit handlers that would tear RocksDB down under it.
            let _ = std::io::stdout().flush();
            // SAFETY: _exit ends the process immediately; nothing is written after this point.
            unsafe { libc::_exit(1) }
        }
        Err(e) => {
            Terminal.error(&e);
            ExitCode::FAILURE
        }
    }
}
