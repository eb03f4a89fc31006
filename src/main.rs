//! The `policykg` command: a thin layer over the library. `cli/` holds one module per command; this file only
//! parses the arguments and dispatches. Results go to stdout; messages and errors go to stderr, one line each,
//! and errors exit with status 1.

mod cli;

use std::process::ExitCode;

use cli::{Cli, Command, Session};
use policykg::Result;

fn main() -> ExitCode {
    cli::exit(run(cli::parse()))
}

fn run(cli: Cli) -> Result<()> {
    let session = Session::new(cli.store);
    match cli.command {
        Command::Query(args) => cli::query::run(args, &session),
        Command::Queries => cli::listing::queries(),
        Command::Prefixes => cli::listing::prefixes(),
        Command::Describe(args) => cli::describe::run(args, &session),
        Command::Evidence(args) => cli::evidence::run(args, &session),
        Command::Stats(args) => cli::stats::run(args, &session),
        Command::Load(args) => cli::load::run(args, &session),
        Command::Lineage(args) => cli::lineage::run(args, &session),
        Command::Path(args) => cli::path::run(args, &session),
        Command::Neighbors(args) => cli::neighbors::run(args, &session),
        Command::Rank(args) => cli::rank::run(args, &session),
        Command::AsOf(args) => cli::as_of::run(args, &session),
        Command::Timeline(args) => cli::timeline::run(args, &session),
        Command::Search(args) => cli::search::run(args, &session),
        Command::Viz(args) => cli::viz::run(args, &session),
        Command::Export(args) => cli::export::run(args, &session),
        Command::Serve(args) => cli::serve::run(args, &session),
        Command::SparqlWorker => cli::serve::worker(&session),
        Command::Validate(args) => cli::validate::run(args, &session),
        Command::CheckSeeds(args) => cli::check_seeds::run(args),
    }
}
