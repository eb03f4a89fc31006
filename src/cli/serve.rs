//! `policykg serve`: the SPARQL endpoint, its pages and UI.

use std::net::SocketAddr;
use std::time::Duration;

use policykg::serve::{self, ServerConfig};
use policykg::Result;

use super::Session;

const LIMITS: &str = "Limits: request headers must arrive within 10 s of their first byte, and a connection idle \
for 30 s is closed. At most half the descriptor limit of connections are open at once (the soft limit is raised \
to the hard one at start-up; 64 to 16,384); more clients wait in the listen backlog. 2 requests at once per client \
address; pages and search hold one of twice the cores places (at least 4); /sparql queries run in worker processes \
(1 GiB each), 8 per core but no more than half the memory holds. A query past 150 ms runs at nice 19, and when every \
worker place is taken an address holding none takes the place of a long query (503 for it). Beyond that the answer \
is 503 or 429 with Retry-After at once, not a queue. /export answers are built once per format until the next update.";

/// Limits: request headers must arrive within 10 s and idle connections close after 30 s; at most half the
/// descriptor limit of connections (the soft limit is raised to the hard one; 64–16,384); 2 requests per client
/// address; places for work in the server and for query workers (see `serve::limits`): beyond them the answer is
/// 503 or 429 with Retry-After, never a queue. /export answers are built once per format and update.
#[derive(clap::Args)]
#[command(after_help = LIMITS)]
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
    /// The bearer token updates must carry (not empty)
    #[arg(long, env = "POLICYKG_TOKEN", hide_env_values = true, value_parser = parse_token)]
    token: Option<String>,
    /// Allow SERVICE (federated query) to endpoints starting with these http(s) prefixes (default: SERVICE is
    /// refused). Loopback, link-local and private addresses are refused unless a prefix names that host
    #[arg(long, value_name = "URL-PREFIX", num_args = 1.., value_parser = parse_federate)]
    federate: Vec<String>,
    /// Allow browser pages from these origins (scheme://host[:port]) to call the server (CORS; default none).
    /// `*` allows any origin, and cannot be combined with --federate
    #[arg(long, value_name = "ORIGIN", num_args = 1..)]
    cors: Vec<String>,
    /// The URL clients reach the server at, for the service description (default: the bound address)
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
}

/// An update token: not empty.
fn parse_token(text: &str) -> std::result::Result<String, String> {
    if text.trim().is_empty() {
        return Err("the token must not be empty".into());
    }
    Ok(text.to_owned())
}

/// A `--federate` prefix: an http or https IRI with a host.
fn parse_federate(text: &str) -> std::result::Result<String, String> {
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
        .ok_or("a --federate prefix must start with http:// or https://")?;
    if rest.is_empty() || rest.starts_with(['/', '?', '#']) {
        return Err("a --federate prefix must name a host (http://HOST[:PORT]/…)".into());
    }
    Ok(text.to_owned())
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let config = ServerConfig {
        bind: args.bind,
        timeout: args.timeout,
        max_rows: args.max_rows,
        update_token: if args.allow_update { args.token } else { None },
        federate: args.federate,
        cors: args.cors,
        public_url: args.public_url,
        worker: std::env::current_exe().ok(),
    };
    config.check()?;
    let kg = session.writable_store()?;
    serve::serve(kg.clone(), config, &super::terminal::Terminal)
}

/// `policykg __sparql-worker` (hidden): evaluate one query job from stdin for a server, answer on stdout.
pub(crate) fn worker(session: &Session) -> Result<()> {
    serve::limit_worker_memory();
    let kg = session.store()?;
    let mut out = std::io::stdout().lock();
    serve::worker_main(kg.store(), &mut std::io::stdin().lock(), &mut out)
}
