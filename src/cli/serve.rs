//! `policykg serve`: the SPARQL endpoint, its pages and UI.

use std::net::SocketAddr;
use std::time::Duration;

use policykg::serve::{self, ServerConfig};
use policykg::Result;

use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The address and port to listen on
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: SocketAddr,
    /// Answer 503 to a query that runs longer than this many seconds
    #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = super::parse_seconds)]
    timeout: Duration,
    /// Return at most this many rows of a SELECT (header X-PolicyKG-Truncated when cut)
    #[arg(long)]
    max_rows: Option<usize>,
    /// Accept SPARQL Update (requires --token)
    #[arg(long, requires = "token")]
    allow_update: bool,
    /// The bearer token updates must carry
    #[arg(long, env = "POLICYKG_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let kg = session.writable_store()?;
    serve::serve(
        kg.clone(),
        ServerConfig {
            bind: args.bind,
            timeout: args.timeout,
            max_rows: args.max_rows,
            update_token: if args.allow_update { args.token } else { None },
        },
        &super::terminal::Terminal,
    )
}
