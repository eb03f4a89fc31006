//! Queries in worker processes: a `/sparql` query runs in a child process of the `policykg` executable
//! (hidden subcommand `__sparql-worker`) that opens the store read-only, evaluates the one query and writes
//! its answer on a pipe. At the deadline the child is killed: Oxigraph's cancellation is cooperative and misses
//! CPU-bound joins, which otherwise run on (and grow) long after their 503.
//!
//! The child's memory is bounded ([`WORKER_MEMORY`], `RLIMIT_DATA`), and so is the answer read back
//! ([`MAX_ANSWER`]). The number of children at once is bounded by the server's work limits.

use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::errors::{error_response, timed_out};
use crate::model::error::{one_line, Error, Result};
use crate::model::format::QueryFormat;
use crate::read::query::{self, DatasetSpec};
use crate::read::service::{Federation, ServiceGate};

/// The most memory (data segment) a worker may use.
pub(super) const WORKER_MEMORY: u64 = 1 << 30;
/// The largest answer read back from a worker.
pub(super) const MAX_ANSWER: u64 = 256 << 20;

/// One query for a worker.
#[derive(Serialize, Deserialize)]
pub(super) struct Job {
    pub(super) query: String,
    pub(super) default_graphs: Vec<String>,
    pub(super) named_graphs: Vec<String>,
    pub(super) format: String,
    pub(super) max_rows: Option<usize>,
    pub(super) federate: Vec<String>,
    pub(super) timeout_ms: u64,
}

/// What the server gets back: the answer's bytes and whether `max_rows` cut it.
pub(super) struct Done {
    pub(super) bytes: Vec<u8>,
    pub(super) truncated: bool,
}

/// Run a job in a worker process of `exe` on the store at `store_path`, killed at `limit`.
pub(super) async fn run(
    exe: &Path,
    store_path: &Path,
    job: &Job,
    limit: Duration,
) -> std::result::Result<Done, Response> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the query worker {what}: {}", one_line(&e.to_string())),
        )
    };
    let input = serde_json::to_vec(job).map_err(|e| failed("request failed", &e))?;
    let mut child = tokio::process::Command::new(exe)
        .arg("--store")
        .arg(store_path)
        .arg("__sparql-worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed("could not start", &e))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(failed("has no pipes", &"stdin/stdout"));
    };
    let exchange = async move {
        stdin.write_all(&input).await?;
        drop(stdin);
        let mut out = Vec::new();
        stdout.take(MAX_ANSWER + 1).read_to_end(&mut out).await?;
        Ok::<_, std::io::Error>(out)
    };
    let out = match tokio::time::timeout(limit, exchange).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(failed("failed", &e)),
        Err(_) => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            return Err(timed_out(limit));
        }
    };
    // Its output is closed: it has answered or died. Its status tells an allocation failure (an abort at the
    // memory cap) from any other death, so that an empty answer is not always blamed on memory.
    let status = match tokio::time::timeout(Duration::from_secs(1), child.wait()).await {
        Ok(Ok(status)) => Some(status),
        _ => {
            let _ = child.start_kill();
            let _ = child.wait().await;
            None
        }
    };
    let out_of_memory = status.is_some_and(|s| {
        use std::os::unix::process::ExitStatusExt;
        s.signal() == Some(libc::SIGABRT)
    });
    reply(out, out_of_memory).map_err(|e| *e)
}

/// The worker's output: `ok 0|1\n` and the answer, or `err STATUS message\n`; nothing when it died, by an abort
/// at its memory cap (`out_of_memory`) or otherwise.
fn reply(out: Vec<u8>, out_of_memory: bool) -> std::result::Result<Done, Box<Response>> {
    if out.len() as u64 > MAX_ANSWER {
        return Err(Box::new(error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the answer is larger than {} MiB; add a LIMIT",
                MAX_ANSWER >> 20
            ),
        )));
    }
    let Some(newline) = out.iter().position(|b| *b == b'\n') else {
        let message = if out_of_memory {
            format!(
                "the query needed more than {} MiB of memory and was stopped; narrow it or add a LIMIT",
                WORKER_MEMORY >> 20
            )
        } else {
            "the query worker stopped without an answer; try again".to_owned()
        };
        return Err(Box::new(error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            message,
        )));
    };
    let head = String::from_utf8_lossy(&out[..newline]).into_owned();
    if let Some(flag) = head.strip_prefix("ok ") {
        let mut bytes = out;
        bytes.drain(..=newline);
        return Ok(Done {
            bytes,
            truncated: flag == "1",
        });
    }
    let (status, message) = head
        .strip_prefix("err ")
        .and_then(|rest| rest.split_once(' '))
        .and_then(|(code, message)| Some((code.parse::<u16>().ok()?, message)))
        .unwrap_or((500, "the query worker failed"));
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Err(Box::new(error_response(status, message)))
}

/// Bound this process's data segment to [`WORKER_MEMORY`] (call it first in a worker process).
pub fn limit_worker_memory() {
    let limit = libc::rlimit {
        rlim_cur: WORKER_MEMORY,
        rlim_max: WORKER_MEMORY,
    };
    // SAFETY: setrlimit only reads the struct passed by reference.
    let _ = unsafe { libc::setrlimit(libc::RLIMIT_DATA, &limit) };
}

/// The worker side (`policykg __sparql-worker`): read one job on `input`, answer on `output`.
pub fn worker_main(store: &Store, input: &mut dyn Read, output: &mut dyn Write) -> Result<()> {
    let mut text = Vec::new();
    input
        .read_to_end(&mut text)
        .map_err(|e| Error::io("<stdin>", e))?;
    let written = serde_json::from_slice::<Job>(&text)
        .map_err(|e| Error::Usage(format!("bad job: {e}")))
        .and_then(|job| evaluate_job(store, job));
    let out = |e| Error::io("<stdout>", e);
    match written {
        Ok(done) => {
            output
                .write_all(if done.truncated { b"ok 1\n" } else { b"ok 0\n" })
                .map_err(out)?;
            output.write_all(&done.bytes).map_err(out)?;
        }
        Err(e) => {
            let status = super::errors::status_of(&e).as_u16();
            writeln!(output, "err {status} {}", one_line(&e.to_string())).map_err(out)?;
        }
    }
    output.flush().map_err(out)
}

fn evaluate_job(store: &Store, job: Job) -> Result<Done> {
    let parsed = query::parse(&job.query, "query")?;
    let format = QueryFormat::parse(&job.format)
        .ok_or_else(|| Error::Usage(format!("unknown format {}", job.format)))?;
    let iris = |list: &[String]| -> Result<Vec<oxigraph::model::NamedNode>> {
        list.iter()
            .map(|g| {
                oxigraph::model::NamedNode::new(g.as_str()).map_err(|e| Error::Usage(e.to_string()))
            })
            .collect()
    };
    let dataset = (!job.default_graphs.is_empty() || !job.named_graphs.is_empty())
        .then(|| -> Result<DatasetSpec> {
            Ok(DatasetSpec {
                default: iris(&job.default_graphs)?,
                named: iris(&job.named_graphs)?,
            })
        })
        .transpose()?;
    let federation = if job.federate.is_empty() {
        Federation::Off
    } else {
        Federation::Prefixes(job.federate)
    };
    let deadline = Instant::now().checked_add(Duration::from_millis(job.timeout_ms));
    let gate = ServiceGate::new(Arc::new(federation), deadline);
    let token = oxigraph::sparql::CancellationToken::new();
    let written =
        super::protocol::evaluate(store, parsed, token, dataset, gate, job.max_rows, format)?;
    Ok(Done {
        bytes: written.bytes,
        truncated: written.truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(query: &str) -> Vec<u8> {
        serde_json::to_vec(&Job {
            query: query.into(),
            default_graphs: vec![],
            named_graphs: vec![],
            format: "json".into(),
            max_rows: Some(1),
            federate: vec![],
            timeout_ms: 1000,
        })
        .unwrap()
    }

    #[test]
    fn the_worker_answers_and_its_replies_are_read_back() {
        let store = Store::new().unwrap();
        let mut out = Vec::new();
        worker_main(
            &store,
            &mut &job("SELECT ?x WHERE { VALUES ?x { 1 2 } }")[..],
            &mut out,
        )
        .unwrap();
        assert!(
            out.starts_with(b"ok 1\n{\"head\""),
            "{}",
            String::from_utf8_lossy(&out)
        );
        let done = reply(out, false).ok().unwrap();
        assert!(done.truncated && done.bytes.starts_with(b"{\"head\""));
        let mut out = Vec::new();
        worker_main(
            &store,
            &mut &job("SELECT * WHERE { SERVICE <file:///x> { ?s ?p ?o } }")[..],
            &mut out,
        )
        .unwrap();
        let Err(refused) = reply(out, false) else {
            panic!("a non-http SERVICE")
        };
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let Err(killed) = reply(Vec::new(), true) else {
            panic!("no output")
        };
        assert_eq!(killed.status(), StatusCode::SERVICE_UNAVAILABLE);
        let Err(died) = reply(Vec::new(), false) else {
            panic!("no output")
        };
        assert_eq!(died.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
