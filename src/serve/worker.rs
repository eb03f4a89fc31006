//! Queries in worker processes: a `/sparql` query runs in a child process of the `policykg` executable
//! (hidden subcommand `__sparql-worker`) that opens the store read-only, evaluates the one query and writes
//! its answer on a pipe, which the server passes on as the response body while it is written. At the deadline
//! the child is killed: Oxigraph's cancellation is cooperative and misses CPU-bound joins, which otherwise run
//! on (and grow) long after their 503.
//!
//! The child's memory is bounded ([`WORKER_MEMORY`], `RLIMIT_DATA`), and so is the answer passed on
//! ([`MAX_ANSWER`]). Each child holds a worker place of the server's work limits (see `limits.rs`): lowered to
//! nice 19 once it has used [`LONG_AFTER`] of CPU while another query runs, and killed (503) when a newcomer takes its place.
//!
//! The pipe's framing: the worker writes `ok 0\n` or `ok 1\n` (whether `--max-rows` cut the rows: it is known
//! before the first row is written, see `query::write_query`) and then the answer, or `err STATUS message\n`.
//! The server answers the status line's outcome as soon as it arrives, with `X-PolicyKG-Truncated`, and
//! streams the rest. A failure after that (the deadline, the size cap, a newcomer taking the place, the worker
//! dying or failing mid-answer) can no longer change the status: the body is ended with an error, so the
//! client sees an incomplete transfer (no final chunk), never a short answer that looks whole.

use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdout};
use tokio::sync::mpsc;

use super::errors::{error_response, status_of, timed_out};
use super::limits::{gave_way, WorkPermit, WorkerPlace, LONG_AFTER, PERMIT, WORKER_MEMORY};
use super::protocol::Written;
use crate::model::error::{one_line, Error, Result};
use crate::model::format::QueryFormat;
use crate::read::query::{self, Bounded, DatasetSpec};
use crate::read::service::{Federation, ServiceGate};

/// How often a worker's CPU time is looked at.
const CPU_CHECK: Duration = Duration::from_millis(50);

/// The largest answer passed on from a worker.
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

/// The failure of a worker, as a 500 reply.
fn failed(what: &str, e: &dyn std::fmt::Display) -> Response {
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the query worker {what}: {}", one_line(&e.to_string())),
    )
}

/// Run a job in a worker process of `exe` on the store at `store_path`, killed at `limit`: the answer as a
/// body that streams the worker's output, or the error reply.
pub(super) async fn run(
    exe: &Path,
    store_path: &Path,
    job: &Job,
    limit: Duration,
) -> std::result::Result<Written, Response> {
    let permit = PERMIT.try_with(Arc::clone).ok();
    let place = match &permit {
        Some(permit) => Some(permit.worker().map_err(|refusal| *refusal)?),
        None => None,
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
    let started = Instant::now();
    let mut running = Running {
        child,
        stdout,
        started,
        deadline: started + limit,
        lowered: false,
        place,
        _permit: permit,
    };
    let written = tokio::time::timeout_at(running.deadline.into(), async {
        stdin.write_all(&input).await?;
        drop(stdin);
        Ok::<_, std::io::Error>(())
    })
    .await;
    if !matches!(written, Ok(Ok(()))) {
        running.stop().await;
        return Err(match written {
            Ok(Err(e)) => failed("failed", &e),
            _ => timed_out(limit),
        });
    }
    // The status line, and whatever came with it.
    let mut head = Vec::new();
    let newline = loop {
        if let Some(i) = head.iter().position(|b| *b == b'\n') {
            break i;
        }
        let mut chunk = vec![0; 8 << 10];
        match running.read(&mut chunk).await {
            Ok(0) => {
                let status = running.finish().await;
                return Err(reply_without_answer(&head, status));
            }
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(stop) => return Err(running.stopped(stop, limit).await),
        }
        if head.len() > 64 << 10 {
            running.stop().await;
            return Err(failed("failed", &"its reply has no status line"));
        }
    };
    let rest = head.split_off(newline + 1);
    let truncated = match status_line(&head[..newline]) {
        Ok(truncated) => truncated,
        Err(refusal) => {
            running.stop().await;
            return Err(*refusal);
        }
    };
    let (sender, receiver) = mpsc::channel(4);
    tokio::spawn(running.forward(rest, sender, limit));
    Ok(Written {
        body: Body::new(Piped(receiver)),
        truncated,
    })
}

/// Why reading from a worker stopped before its output ended.
enum Stop {
    /// The deadline passed.
    Deadline,
    /// A newcomer took its place, after it had run this long.
    GaveWay(Duration),
    /// Reading the pipe failed.
    Failed(std::io::Error),
}

/// A worker process and what it holds: its output, its deadline, its place and its request's permit.
struct Running {
    child: Child,
    stdout: ChildStdout,
    started: Instant,
    deadline: Instant,
    lowered: bool,
    place: Option<WorkerPlace>,
    _permit: Option<Arc<WorkPermit>>,
}

impl Running {
    /// Read the worker's output; every [`CPU_CHECK`], see whether it has used [`LONG_AFTER`] of CPU, and if so
    /// lower its priority (nice 19) and open its place to newcomers.
    async fn read(&mut self, buf: &mut [u8]) -> std::result::Result<usize, Stop> {
        loop {
            let check_at = tokio::time::Instant::now() + CPU_CHECK;
            let (stdout, place, started) = (&mut self.stdout, &mut self.place, self.started);
            let given_way = async move {
                match place {
                    Some(place) => place.given_way().await,
                    None => std::future::pending().await,
                }
            };
            let woke = tokio::select! {
                read = stdout.read(buf) => Some(read.map_err(Stop::Failed)),
                () = tokio::time::sleep_until(self.deadline.into()) => Some(Err(Stop::Deadline)),
                () = given_way => Some(Err(Stop::GaveWay(started.elapsed()))),
                () = tokio::time::sleep_until(check_at), if !self.lowered => None,
            };
            match woke {
                Some(result) => return result,
                None if self.cpu_time() >= LONG_AFTER => self.lower_priority(),
                None => {}
            }
        }
    }

    /// The CPU time (user and system) the worker has used, from `/proc/PID/stat`; zero if it cannot be read.
    fn cpu_time(&self) -> Duration {
        let Some(pid) = self.child.id() else {
            return Duration::ZERO;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // The fields after the command name (which may hold spaces) in parentheses: utime and stime are the
        // 12th and 13th, in clock ticks.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
        let tick = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // SAFETY: sysconf only reads a configuration value.
        let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) })
            .ok()
            .filter(|t| *t > 0)
            .unwrap_or(100);
        Duration::from_millis((tick(11) + tick(12)) * 1000 / per_second)
    }

    /// A long query's place may go to a newcomer; and while another query holds a worker place, nice 19 for
    /// the worker, so that it yields the CPU to short ones. Alone it keeps its priority (a large download on a
    /// quiet server is not slowed for nobody), and the check repeats until another query comes. Its process has
    /// not been reaped (this holds its `Child`), so the id still names it.
    fn lower_priority(&mut self) {
        if let Some(place) = &self.place {
            place.long();
            if !place.shared() {
                return;
            }
        }
        self.lowered = true;
        if let Some(pid) = self.child.id() {
            // SAFETY: setpriority only changes the scheduling priority of the process named.
            let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, pid, 19) };
        }
    }

    /// Kill the worker and reap it.
    async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// The reply to a read that stopped, with the worker killed.
    async fn stopped(&mut self, stop: Stop, limit: Duration) -> Response {
        self.stop().await;
        match stop {
            Stop::Deadline => timed_out(limit),
            Stop::GaveWay(ran) => gave_way(ran),
            Stop::Failed(e) => failed("failed", &e),
        }
    }

    /// Its output has ended: its exit status (None if it has not exited within a second, then it is killed).
    async fn finish(&mut self) -> Option<std::process::ExitStatus> {
        match tokio::time::timeout(Duration::from_secs(1), self.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            _ => {
                self.stop().await;
                None
            }
        }
    }

    /// Pass the rest of the answer on to the body: `first`, then the pipe until it ends, within the deadline and
    /// [`MAX_ANSWER`]. It ends cleanly only when the worker exited with success; else with an error.
    async fn forward(
        mut self,
        first: Vec<u8>,
        sender: mpsc::Sender<std::io::Result<Bytes>>,
        limit: Duration,
    ) {
        let mut sent = first.len() as u64;
        if !first.is_empty() && sender.send(Ok(Bytes::from(first))).await.is_err() {
            return self.stop().await;
        }
        let broken = |what: String| Err(std::io::Error::other(what));
        let end = loop {
            let mut chunk = vec![0; 64 << 10];
            match self.read(&mut chunk).await {
                Ok(0) => match self.finish().await {
                    Some(status) if status.success() => return,
                    _ => {
                        break broken("the query worker stopped in the middle of the answer".into())
                    }
                },
                Ok(n) => {
                    sent += n as u64;
                    if sent > MAX_ANSWER {
                        break broken(format!(
                            "the answer is larger than {} MiB",
                            MAX_ANSWER >> 20
                        ));
                    }
                    chunk.truncate(n);
                    if sender.send(Ok(Bytes::from(chunk))).await.is_err() {
                        break Ok(()); // the client has gone
                    }
                }
                Err(Stop::Deadline) => {
                    break broken(format!(
                        "the answer was not complete after {} s",
                        limit.as_secs_f64()
                    ))
                }
                Err(Stop::GaveWay(ran)) => {
                    break broken(format!(
                        "the query gave its place to another client's after {:.1} s",
                        ran.as_secs_f64()
                    ))
                }
                Err(Stop::Failed(e)) => break Err(e),
            }
        };
        self.stop().await;
        if let Err(e) = end {
            let _ = sender.send(Err(e)).await;
        }
    }
}

/// A response body fed by [`Running::forward`].
struct Piped(mpsc::Receiver<std::io::Result<Bytes>>);

impl http_body::Body for Piped {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, std::io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|c| c.map(http_body::Frame::data)))
    }
}

/// The worker's status line (without its newline): whether `max_rows` cut the rows, or the error reply.
fn status_line(head: &[u8]) -> std::result::Result<bool, Box<Response>> {
    let head = String::from_utf8_lossy(head);
    if let Some(flag) = head.strip_prefix("ok ") {
        return Ok(flag == "1");
    }
    let (status, message) = head
        .strip_prefix("err ")
        .and_then(|rest| rest.split_once(' '))
        .and_then(|(code, message)| Some((code.parse::<u16>().ok()?, message)))
        .unwrap_or((500, "the query worker failed"));
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Err(Box::new(error_response(status, message)))
}

/// The reply when the worker's output ended before its status line: it died, by an abort at its memory cap
/// (SIGABRT) or otherwise.
fn reply_without_answer(out: &[u8], status: Option<std::process::ExitStatus>) -> Response {
    use std::os::unix::process::ExitStatusExt;
    let message = if status.is_some_and(|s| s.signal() == Some(libc::SIGABRT)) {
        format!(
            "the query needed more than {} MiB of memory and was stopped; narrow it or add a LIMIT",
            WORKER_MEMORY >> 20
        )
    } else if out.is_empty() {
        "the query worker stopped without an answer; try again".to_owned()
    } else {
        "the query worker stopped in the middle of its reply; try again".to_owned()
    };
    error_response(StatusCode::SERVICE_UNAVAILABLE, message)
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

/// The worker side (`policykg __sparql-worker`): read one job on `input`, answer on `output` (framing in the
/// module doc). An error after the status line is returned, and the process then exits with failure.
pub fn worker_main(store: &Store, input: &mut dyn Read, output: &mut dyn Write) -> Result<()> {
    let mut text = Vec::new();
    input
        .read_to_end(&mut text)
        .map_err(|e| Error::io("<stdin>", e))?;
    let out_error = |e| Error::io("<stdout>", e);
    let mut out = BufWriter::with_capacity(64 << 10, output);
    let mut started = false;
    let written = serde_json::from_slice::<Job>(&text)
        .map_err(|e| Error::Usage(format!("bad job: {e}")))
        .and_then(|job| {
            let (bounded, format) = bounded(job)?;
            query::write_query(store, bounded, format, &mut out, &mut |out, truncated| {
                started = true;
                out.write_all(if truncated { b"ok 1\n" } else { b"ok 0\n" })
                    .and_then(|()| out.flush())
                    .map_err(out_error)
            })
        });
    match written {
        Ok(()) => {}
        Err(e) if started => return Err(e),
        Err(e) => {
            let status = status_of(&e).as_u16();
            writeln!(out, "err {status} {}", one_line(&e.to_string())).map_err(out_error)?;
        }
    }
    out.flush().map_err(out_error)
}

/// A job as the query to evaluate and its answer's format.
fn bounded(job: Job) -> Result<(Bounded, QueryFormat)> {
    let query = query::parse(&job.query, "query")?;
    let format = QueryFormat::parse(&job.format)
        .ok_or_else(|| Error::Usage(format!("unknown format {}", job.format)))?;
    let dataset = DatasetSpec::from_iris(&job.default_graphs, &job.named_graphs)?;
    let federation = if job.federate.is_empty() {
        Federation::Off
    } else {
        Federation::Prefixes(job.federate)
    };
    let deadline = Instant::now().checked_add(Duration::from_millis(job.timeout_ms));
    let bounded = Bounded {
        query,
        token: None,
        dataset,
        gate: ServiceGate::new(Arc::new(federation), deadline),
        max_rows: job.max_rows,
    };
    Ok((bounded, format))
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

    /// The worker's output for a query on `store`, split at its status line.
    fn answer(store: &Store, query: &str) -> (std::result::Result<bool, Box<Response>>, String) {
        let mut out = Vec::new();
        worker_main(store, &mut &job(query)[..], &mut out).unwrap();
        let newline = out.iter().position(|b| *b == b'\n').unwrap();
        let rest = String::from_utf8(out[newline + 1..].to_vec()).unwrap();
        (status_line(&out[..newline]), rest)
    }

    #[test]
    fn the_worker_answers_and_its_replies_are_read_back() {
        let store = Store::new().unwrap();
        let (truncated, rest) = answer(&store, "SELECT ?x WHERE { VALUES ?x { 1 2 } }");
        assert!(truncated.ok().unwrap(), "two rows cut to one");
        assert!(
            rest.starts_with("{\"head\"") && !rest.contains("\"2\""),
            "{rest}"
        );
        let (truncated, rest) = answer(&store, "ASK {}");
        assert!(!truncated.ok().unwrap());
        assert!(rest.contains("true"), "{rest}");
        let (refused, _) = answer(
            &store,
            "SELECT * WHERE { SERVICE <file:///x> { ?s ?p ?o } }",
        );
        assert_eq!(refused.err().unwrap().status(), StatusCode::BAD_REQUEST);
        let mut out = Vec::new();
        worker_main(&store, &mut &b"{"[..], &mut out).unwrap();
        assert!(
            out.starts_with(b"err 400 bad job"),
            "{}",
            String::from_utf8_lossy(&out)
        );
        let died = reply_without_answer(b"", None);
        assert_eq!(died.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
