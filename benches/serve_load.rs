//! The server under load, over loopback only (`cargo bench --bench serve_load`; build the binary first with
//! `cargo build --release`). It starts `target/release/policykg serve --timeout 2` on a fresh store copy and
//! prints every figure `docs/performance.md` records:
//!
//! 1. throughput and p50/p99 of a simple query, an entity page and a lineage query (the named query
//!    `data-regulation-lineage`) with 4 concurrent keep-alive clients (the server's global limit of store work
//!    on 2 cores: more are refused with 503 at once, and ask again 20 ms later), each from its own loopback
//!    address (the server allows 2 requests at once per address);
//! 2. the same while 20 bomb queries run at once, again and again, from ten other addresses;
//! 3. the time to the first byte and to the last of the 92k-row `SELECT * WHERE { ?s ?p ?o }` in TSV;
//! 4. the server's resident memory before and after 100,000 requests, and its open descriptors before and after
//!    10,000 connections. "Grown" means more than 16 MiB or 10 % of RSS (allocator arenas and caches settle
//!    within that) and any descriptor more once every connection has closed; the bench exits 1 if either grew.
//!
//! Every request goes to 127.0.0.0/8; every loop is bounded in count and time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BOMB: &str =
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }";
const SIMPLE: &str = "SELECT ?l WHERE { pkid:sufuban skos:prefLabel ?l }";

fn exe() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/policykg")
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A server on a fresh store copy, killed when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg");
    let built = Command::new(exe())
        .arg("--store")
        .arg(&store)
        .arg("stats")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(built.success());
    let mut child = Command::new(exe())
        .arg("--store")
        .arg(&store)
        .args(["serve", "--bind", "127.0.0.1:0", "--timeout", "2"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(rest) = line.strip_prefix("policykg: serving http://") {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        address,
        _dir: dir,
    }
}

/// A keep-alive HTTP/1.1 client from one loopback source address.
struct Client {
    reader: BufReader<TcpStream>,
    source: String,
    server: SocketAddr,
}

impl Client {
    fn new(source: &str, server: SocketAddr) -> Client {
        Client {
            reader: BufReader::new(connect(source, server)),
            source: source.to_owned(),
            server,
        }
    }

    /// GET `target`: (status, body length, time to the first byte, whole time). Reconnects once if the server
    /// closed the connection.
    fn get(&mut self, target: &str) -> (u16, usize, Duration, Duration) {
        for _ in 0..2 {
            if let Some(answer) = self.try_get(target) {
                return answer;
            }
            self.reader = BufReader::new(connect(&self.source, self.server));
        }
        (0, 0, Duration::ZERO, Duration::ZERO)
    }

    fn try_get(&mut self, target: &str) -> Option<(u16, usize, Duration, Duration)> {
        let started = Instant::now();
        let request = format!("GET {target} HTTP/1.1\r\nHost: bench\r\nAccept: text/tab-separated-values, text/html;q=0.9, */*;q=0.1\r\n\r\n");
        self.reader.get_mut().write_all(request.as_bytes()).ok()?;
        let mut line = String::new();
        if self.reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let first = started.elapsed();
        let status = line.split(' ').nth(1)?.parse().ok()?;
        let (mut length, mut chunked, mut close) = (0usize, false, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line).ok()?;
            let header = line.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(v) = header.strip_prefix("content-length:") {
                length = v.trim().parse().ok()?;
            }
            chunked |= header == "transfer-encoding: chunked";
            close |= header == "connection: close";
        }
        let size = if chunked {
            self.read_chunks()?
        } else {
            let mut body = vec![0; length];
            self.reader.read_exact(&mut body).ok()?;
            length
        };
        if close {
            self.reader = BufReader::new(connect(&self.source, self.server));
        }
        Some((status, size, first, started.elapsed()))
    }

    fn read_chunks(&mut self) -> Option<usize> {
        let mut total = 0;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).ok()?;
            let size = usize::from_str_radix(line.trim(), 16).ok()?;
            let mut chunk = vec![0; size + 2];
            self.reader.read_exact(&mut chunk).ok()?;
            total += size;
            if size == 0 {
                return Some(total);
            }
        }
    }
}

fn connect(source: &str, server: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let local: SocketAddr = format!("{source}:0").parse().unwrap();
    socket.bind(&local.into()).unwrap();
    socket
        .connect_timeout(&server.into(), Duration::from_secs(5))
        .unwrap();
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Latencies of the requests of one run, and their statuses.
#[derive(Default)]
struct Run {
    times: Vec<Duration>,
    not_ok: usize,
}

/// `clients` keep-alive clients (127.0.0.10, .11, …) asking `target` for `seconds`: answers (200) a second, their
/// p50 and p99, and how many requests were refused.
fn load(server: SocketAddr, target: &str, clients: usize, seconds: u64) -> String {
    let stop_at = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..clients)
        .map(|i| {
            let target = target.to_owned();
            std::thread::spawn(move || {
                let mut client = Client::new(&format!("127.0.0.{}", 10 + i), server);
                let mut run = Run::default();
                while Instant::now() < stop_at {
                    let (status, _, _, took) = client.get(&target);
                    if status == 200 {
                        run.times.push(took);
                    } else {
                        run.not_ok += 1;
                        // Refused at once (503/429, no place free): ask again shortly, as Retry-After asks.
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
                run
            })
        })
        .collect();
    let mut all = Run::default();
    for t in threads {
        let run = t.join().unwrap();
        all.times.extend(run.times);
        all.not_ok += run.not_ok;
    }
    all.times.sort();
    if all.times.is_empty() {
        return format!("no answer ({} refused)", all.not_ok);
    }
    let at = |q: f64| all.times[((all.times.len() as f64 * q) as usize).min(all.times.len() - 1)];
    format!(
        "{:.1} answers/s, p50 {:.1} ms, p99 {:.1} ms ({} answered, {} refused)",
        all.times.len() as f64 / seconds as f64,
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        all.times.len(),
        all.not_ok
    )
}

/// 20 bomb queries at once, again and again until `stop` (at most 10 minutes), from 127.0.1.1–10 (two per
/// address): their statuses. A bomb refused at once (no place free) is sent again 50 ms later.
fn bombs(server: SocketAddr, stop: Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<Vec<u16>>> {
    (0..20)
        .map(|i| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let target = format!("/sparql?query={}", enc(BOMB));
                let mut statuses = Vec::new();
                let mut client = Client::new(&format!("127.0.1.{}", 1 + i / 2), server);
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(600)
                {
                    let (status, _, _, took) = client.get(&target);
                    statuses.push(status);
                    if took < Duration::from_secs(1) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
                statuses
            })
        })
        .collect()
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// The server's open descriptors.
fn descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

fn throughput(server: &Server, clients: usize, seconds: u64) {
    let lineage = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/data-regulation-lineage.rq"),
    )
    .unwrap();
    let targets = [
        (
            "simple query (/sparql, a worker process each)",
            format!("/sparql?query={}", enc(SIMPLE)),
        ),
        (
            "entity page /id/jiangsu-data-regulation",
            "/id/jiangsu-data-regulation".to_owned(),
        ),
        (
            "lineage query data-regulation-lineage (/sparql)",
            format!("/sparql?query={}", enc(&lineage)),
        ),
    ];
    for (what, target) in &targets {
        println!(
            "{clients} clients, {what}: {}",
            load(server.address, target, clients, seconds)
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    let bombers = bombs(server.address, stop.clone());
    std::thread::sleep(Duration::from_millis(500));
    for (what, target) in &targets {
        println!(
            "{clients} clients under 20 concurrent bombs, {what}: {}",
            load(server.address, target, clients, seconds)
        );
    }
    stop.store(true, Ordering::Relaxed);
    let statuses: Vec<u16> = bombers
        .into_iter()
        .flat_map(|b| b.join().unwrap())
        .collect();
    let count = |s: u16| statuses.iter().filter(|x| **x == s).count();
    println!(
        "bomb answers: {} in all, {} × 503, {} × 429, {} other",
        statuses.len(),
        count(503),
        count(429),
        statuses.len() - count(503) - count(429)
    );
}

fn first_byte(server: &Server) {
    let mut client = Client::new("127.0.0.2", server.address);
    let target = format!("/sparql?query={}", enc("SELECT * WHERE { ?s ?p ?o }"));
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(client.get(&target));
    }
    for (status, size, first, whole) in runs {
        println!(
            "SELECT * (TSV): status {status}, {size} bytes, first byte {:.0} ms, last byte {:.0} ms",
            first.as_secs_f64() * 1000.0,
            whole.as_secs_f64() * 1000.0
        );
    }
}

/// RSS before and after `requests` requests: document pages, the service description, search, names resolved
/// to a redirect, 404s, a static file, and one entity page in 50 (an entity page costs about 100 ms of CPU).
fn memory(server: &Server, requests: usize) -> bool {
    let pid = server.child.id();
    let targets = [
        "/doc/jsdb-2024-key-tasks?hl=10-20",
        "/sparql",
        "/id/%E8%8B%8F%E6%9C%8D%E5%8A%9E",
        "/search?q=%E6%95%B0%E6%8D%AE%E5%AE%89%E5%85%A8",
        "/nope",
        "/ui/editor.js",
    ];
    let run = |n: usize| {
        let per = n / 8;
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let address = server.address;
                std::thread::spawn(move || {
                    let mut client = Client::new(&format!("127.0.0.{}", 30 + i), address);
                    for k in 0..per {
                        let target = match k % 50 {
                            0 => "/id/jiangsu-data-regulation",
                            _ => targets[(i + k) % targets.len()],
                        };
                        client.get(target);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
    };
    run(4_000); // warm-up: caches, the search index, allocator arenas
    let before = rss_kib(pid);
    let started = Instant::now();
    run(requests);
    std::thread::sleep(Duration::from_secs(1));
    let after = rss_kib(pid);
    let allowed = (before / 10).max(16 * 1024);
    let grown = after > before + allowed;
    println!(
        "RSS before {} MiB, after {requests} requests {} MiB ({:+} KiB, allowed +{} KiB; {:.0} s): {}",
        before / 1024,
        after / 1024,
        after as i64 - before as i64,
        allowed,
        started.elapsed().as_secs_f64(),
        if grown { "GREW" } else { "stable" }
    );
    grown
}

/// Open descriptors before and after `connections` connections, half answered and closed, half dropped unasked.
fn connections(server: &Server, connections: usize) -> bool {
    let pid = server.child.id();
    std::thread::sleep(Duration::from_secs(1));
    let before = descriptors(pid);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let address = server.address;
            std::thread::spawn(move || {
                for k in 0..connections / 8 {
                    let mut tcp = connect(&format!("127.0.0.{}", 50 + i), address);
                    if k % 2 == 0 {
                        let _ = tcp.write_all(
                            b"GET /sparql HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n",
                        );
                        let _ = tcp.read_to_end(&mut Vec::new());
                    }
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    std::thread::sleep(Duration::from_secs(2));
    let after = descriptors(pid);
    println!("descriptors before {before}, after {connections} connections {after}");
    after > before
}

fn main() {
    assert!(exe().exists(), "build it first: cargo build --release");
    let quick = std::env::args().any(|a| a == "--quick");
    let (clients, seconds, requests) = if quick {
        (4, 3, 10_000)
    } else {
        (4, 10, 100_000)
    };
    let server = start();
    throughput(&server, clients, seconds);
    first_byte(&server);
    let grew = memory(&server, requests);
    let leaked = connections(&server, 10_000);
    if grew || leaked {
        std::process::exit(1);
    }
}
