//! Bounded load: the connection loop (header and idle timeouts, a connection limit, shutdown that does not wait
//! for query work) and the limits of concurrent store work (per client address, in process, in workers).
//!
//! The limits:
//!
//! - a request's headers must arrive within [`HEADER_TIMEOUT`] (10 s) of its first byte, or the connection is
//!   closed (slow senders cannot hold connections);
//! - a connection with no request in progress and no traffic for [`IDLE_TIMEOUT`] (30 s) is closed;
//! - at most [`max_connections`] connections are open at once (half the descriptor limit, which is raised to
//!   its hard limit at start-up, between 64 and 16,384); further clients wait in the listen backlog;
//! - at most [`WorkLimits::per_client`] requests (2) from one client address are in progress at once: beyond
//!   it 429 with `Retry-After`;
//! - work in this process (pages, search, updates: cancellable only cooperatively) holds one of
//!   `2 × cores` places (at least 4) for its request: beyond it 503 with `Retry-After`, at once, never a queue;
//! - a `/sparql` query runs in a worker process, which can be killed and is capped at 1 GiB, so there are more
//!   of those places: `8 × cores`, and no more than half the machine's memory holds at 1 GiB each (at least
//!   2; 12 on a 2-core machine with 24 GiB). They form a two-level feedback queue. A query starts at normal
//!   priority; once its process has used [`LONG_AFTER`] (150 ms) of CPU it is long: while another query
//!   holds a worker place it is lowered to nice 19, so that short queries from anyone get the CPU first. (CPU time, not time since its start: on a busy machine a
//!   short query waits for the CPU too, and must not be demoted for that.) When every place is taken, a request from a client address
//!   that holds none takes the place of a long query, or of the youngest query of an address that holds more
//!   than one: that query is killed and answered 503 (`Retry-After`). So bombs from many addresses cannot
//!   hold every place until their deadline: a newcomer's short query is answered, and each address keeps at
//!   least its fair share. A request from an address that already holds a place is refused 503 instead.
//!
//! Work past its deadline keeps its place until it has really stopped (a worker, until it is reaped).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit, Semaphore};

use super::errors::error_response;
use super::Shared;

/// The time a request's headers may take to arrive.
pub(super) const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The time a connection may stay open with no request in progress and no traffic.
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The time shutdown gives open connections to finish their answers (query work is not waited for).
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_millis(800);

/// Raise the soft limit of open descriptors to the hard limit; returns the limit in force.
pub(super) fn raise_descriptor_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by reference.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1024;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    limit.rlim_cur
}

/// The most connections open at once for a descriptor limit: half of it (the store and the query work need
/// the rest), between 64 and 16,384.
pub(super) fn max_connections(descriptors: u64) -> usize {
    usize::try_from(descriptors / 2)
        .unwrap_or(usize::MAX)
        .clamp(64, 16_384)
}

/// The CPU time a worker uses at normal priority before it is a long query (nice 19, its place open to
/// newcomers).
pub(super) const LONG_AFTER: Duration = Duration::from_millis(150);

/// The most memory a worker may use (`RLIMIT_DATA`): the worker places are bounded by it.
pub(super) const WORKER_MEMORY: u64 = 1 << 30;

/// The limits of concurrent store work.
pub(super) struct WorkLimits {
    /// Requests in progress per client address.
    clients: Clients,
    per_client: usize,
    /// Places of work in this process.
    in_process: Arc<Semaphore>,
    /// Places of worker processes.
    workers: Arc<Mutex<Workers>>,
}

/// The requests in progress per client address.
type Clients = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// The worker places and who holds them.
struct Workers {
    capacity: usize,
    next: u64,
    held: Vec<Held>,
}

/// A worker place taken: by whom, since when, whether its query is long, and how to make it give way.
struct Held {
    id: u64,
    client: Option<IpAddr>,
    since: Instant,
    long: Arc<AtomicBool>,
    give_way: Option<oneshot::Sender<()>>,
}

impl Workers {
    /// The query to stop for a newcomer when every place is taken: the youngest of the address holding the most
    /// places if it holds more than one, else the longest-running long query; None if there is neither.
    fn victim(&self) -> Option<usize> {
        let holds = |ip: Option<IpAddr>| {
            ip.map_or(0, |ip| {
                self.held.iter().filter(|h| h.client == Some(ip)).count()
            })
        };
        let greediest = (0..self.held.len())
            .map(|i| (holds(self.held[i].client), i))
            .filter(|(n, _)| *n > 1)
            .max_by_key(|(n, i)| (*n, self.held[*i].since));
        if let Some((_, i)) = greediest {
            return Some(i);
        }
        (0..self.held.len())
            .filter(|i| self.held[*i].long.load(Ordering::Relaxed))
            .min_by_key(|i| self.held[*i].since)
    }
}

/// A request's place among the requests of its client address, held by the request and by the work it started
/// until both have ended; with its place of work in this process, once it has one.
pub(super) struct WorkPermit {
    client: Option<(IpAddr, Clients)>,
    in_process: Mutex<Option<OwnedSemaphorePermit>>,
    limits: Arc<Semaphore>,
    workers: Arc<Mutex<Workers>>,
}

impl Drop for WorkPermit {
    fn drop(&mut self) {
        if let Some((ip, clients)) = self.client.take() {
            let mut clients = clients.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(n) = clients.get_mut(&ip) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    clients.remove(&ip);
                }
            }
        }
    }
}

/// A worker place, given back when dropped; [`WorkerPlace::given_way`] ends when a newcomer has taken it.
pub(super) struct WorkerPlace {
    id: u64,
    workers: Arc<Mutex<Workers>>,
    long: Arc<AtomicBool>,
    give_way: oneshot::Receiver<()>,
}

impl WorkerPlace {
    /// Its query is long now: its place may go to a newcomer.
    pub(super) fn long(&self) {
        self.long.store(true, Ordering::Relaxed);
    }

    /// Whether another query holds a worker place now: only then does a long query need to yield the CPU.
    pub(super) fn shared(&self) -> bool {
        let workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        workers.held.iter().any(|h| h.id != self.id)
    }

    /// Ends when the place was given to a newcomer: the query must stop (503).
    pub(super) async fn given_way(&mut self) {
        if (&mut self.give_way).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for WorkerPlace {
    fn drop(&mut self) {
        let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        workers.held.retain(|h| h.id != self.id);
    }
}

tokio::task_local! {
    /// The work permit of the request being handled; `blocking` and the query workers take their places with it.
    pub(super) static PERMIT: Arc<WorkPermit>;
}

fn busy(status: StatusCode, message: &str) -> Response {
    let mut r = error_response(status, message);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    r
}

/// The reply when the server has no place for work.
fn full() -> Response {
    busy(
        StatusCode::SERVICE_UNAVAILABLE,
        "the server is busy with other queries; retry in a moment",
    )
}

/// The reply to a query that gave its place to another client's.
pub(super) fn gave_way(ran: Duration) -> Response {
    busy(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!(
            "the server is full and this query, after {:.1} s, gave its place to another client's; retry in a moment or narrow it",
            ran.as_secs_f64()
        ),
    )
}

/// The memory of this machine, in bytes (`MemTotal` of `/proc/meminfo`), if it can be read.
fn machine_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// The worker places for `cores` and `memory`: 8 a core, and no more than half the memory holds at
/// [`WORKER_MEMORY`] each; at least 2.
fn worker_places(cores: usize, memory: Option<u64>) -> usize {
    let by_memory = memory.map_or(usize::MAX, |m| {
        usize::try_from(m / 2 / WORKER_MEMORY).unwrap_or(usize::MAX)
    });
    (8 * cores).min(by_memory).max(2)
}

impl WorkLimits {
    /// Limits for this machine: 2 requests per client address; twice the cores in process (at least 4); the
    /// worker places of [`worker_places`].
    pub(super) fn for_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        WorkLimits::new(
            2,
            (2 * cores).max(4),
            worker_places(cores, machine_memory()),
        )
    }

    pub(super) fn new(per_client: usize, in_process: usize, workers: usize) -> Self {
        WorkLimits {
            clients: Arc::new(Mutex::new(HashMap::new())),
            per_client,
            in_process: Arc::new(Semaphore::new(in_process)),
            workers: Arc::new(Mutex::new(Workers {
                capacity: workers,
                next: 0,
                held: Vec::new(),
            })),
        }
    }

    /// A request from `client` admitted, or the 429 reply.
    pub(super) fn admit(&self, client: Option<IpAddr>) -> Result<WorkPermit, Box<Response>> {
        if let Some(ip) = client {
            let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
            let n = clients.entry(ip).or_insert(0);
            if *n >= self.per_client {
                return Err(Box::new(busy(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many requests at once from your address; retry when one has finished",
                )));
            }
            *n += 1;
        }
        Ok(WorkPermit {
            client: client.map(|ip| (ip, self.clients.clone())),
            in_process: Mutex::new(None),
            limits: self.in_process.clone(),
            workers: self.workers.clone(),
        })
    }
}

impl WorkPermit {
    fn ip(&self) -> Option<IpAddr> {
        self.client.as_ref().map(|(ip, _)| *ip)
    }

    /// Hold a place of work in this process for the request (kept until the request and its work have ended),
    /// or the 503 reply.
    pub(super) fn in_process(&self) -> Result<(), Box<Response>> {
        let mut held = self
            .in_process
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if held.is_none() {
            let permit = self
                .limits
                .clone()
                .try_acquire_owned()
                .map_err(|_| Box::new(full()))?;
            *held = Some(permit);
        }
        Ok(())
    }

    /// A worker place: a free one, or the place of the query [`Workers::victim`] names when this client holds
    /// none; else the 503 reply.
    pub(super) fn worker(&self) -> Result<WorkerPlace, Box<Response>> {
        let client = self.ip();
        let now = Instant::now();
        let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        if workers.held.len() >= workers.capacity {
            let holds_none =
                client.is_none_or(|ip| workers.held.iter().all(|h| h.client != Some(ip)));
            let victim = holds_none.then(|| workers.victim()).flatten();
            let Some(victim) = victim else {
                return Err(Box::new(full()));
            };
            let mut stopped = workers.held.swap_remove(victim);
            if let Some(stop) = stopped.give_way.take() {
                let _ = stop.send(());
            }
        }
        let (give, given) = oneshot::channel();
        let long = Arc::new(AtomicBool::new(false));
        workers.next += 1;
        let id = workers.next;
        workers.held.push(Held {
            id,
            client,
            since: now,
            long: long.clone(),
            give_way: Some(give),
        });
        Ok(WorkerPlace {
            id,
            workers: self.workers.clone(),
            long,
            give_way: given,
        })
    }
}

/// Middleware: the request admitted for its client address, or 429 at once.
pub(super) async fn limit_work(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match state.work.admit(client) {
        Ok(permit) => PERMIT.scope(Arc::new(permit), next.run(request)).await,
        Err(refusal) => *refusal,
    }
}

/// When a connection last moved a byte or finished a request, and how many requests it has in progress.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Idle: no request in progress and no traffic for `limit`.
    fn idle(&self, limit: Duration) -> bool {
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.in_flight.load(Ordering::Relaxed) == 0 && self.start.elapsed() > last + limit
    }
}

/// A request in progress on a connection.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A TCP stream that records its traffic.
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Accept and serve connections until `shutdown`, then give open connections [`SHUTDOWN_GRACE`] to finish.
pub(super) async fn serve_connections(
    listener: TcpListener,
    app: Router,
    max: usize,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(max));
    let (close, closing) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot { Ok(slot) => slot, Err(_) => break },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors or a connection reset before it was accepted: try again shortly.
                Err(_) => { tokio::time::sleep(Duration::from_millis(20)).await; continue; }
            },
            () = &mut shutdown => break,
        };
        tokio::spawn(connection(
            stream,
            remote,
            app.clone(),
            slot,
            closing.clone(),
        ));
    }
    let _ = close.send(true);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await;
}

/// Serve one connection, with the header timeout, the idle timeout, and graceful close at shutdown.
async fn connection(
    stream: TcpStream,
    remote: SocketAddr,
    app: Router,
    _slot: OwnedSemaphorePermit,
    mut closing: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        stream,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        let in_flight = InFlight::begin(&requests);
        let app = app.clone();
        async move {
            let response = tower::ServiceExt::oneshot(app, request.map(Body::new)).await;
            drop(in_flight);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let mut conn = pin!(builder.serve_connection(io, service));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut closing_open = true;
    loop {
        tokio::select! {
            _ = conn.as_mut() => break,
            changed = closing.changed(), if closing_open => {
                closing_open = changed.is_ok();
                conn.as_mut().graceful_shutdown();
            }
            _ = tick.tick() => if activity.idle(IDLE_TIMEOUT) { break },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([127, 0, 0, last]))
    }

    #[test]
    fn requests_per_client_and_places_in_process() {
        let limits = WorkLimits::new(2, 1, 2);
        let first = limits.admit(ip(1)).unwrap();
        let _second = limits.admit(ip(1)).unwrap();
        let Err(refused) = limits.admit(ip(1)) else {
            panic!("a third request from one address")
        };
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key(header::RETRY_AFTER));
        let other = limits.admit(ip(2)).unwrap();
        first.in_process().unwrap();
        first.in_process().unwrap(); // the request's one place, taken once
        let full = other.in_process().unwrap_err();
        assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(full.headers().contains_key(header::RETRY_AFTER));
        drop(first);
        other.in_process().unwrap();
        assert_eq!(
            limits.clients.lock().unwrap().get(&ip(1).unwrap()),
            Some(&1)
        );
    }

    #[tokio::test]
    async fn a_newcomer_takes_the_place_of_a_greedy_address_then_of_a_long_query() {
        let limits = WorkLimits::new(2, 4, 3);
        let (a, b, c, d) = (ip(1), ip(2), ip(3), ip(4));
        let (pa, pb, pc, pd) = (
            limits.admit(a).unwrap(),
            limits.admit(b).unwrap(),
            limits.admit(c).unwrap(),
            limits.admit(d).unwrap(),
        );
        let mut a1 = pa.worker().unwrap();
        let mut a2 = pa.worker().unwrap();
        let _b1 = pb.worker().unwrap();
        // Full; b holds a place already: refused.
        assert_eq!(
            pb.worker().err().unwrap().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        // c holds none: a's youngest query gives way.
        let mut c1 = pc.worker().unwrap();
        a2.given_way().await;
        let pending = |place: &mut WorkerPlace| {
            let mut cx = Context::from_waker(std::task::Waker::noop());
            let mut way = pin!(place.given_way());
            way.as_mut().poll(&mut cx).is_pending()
        };
        assert!(pending(&mut a1) && pending(&mut c1));
        drop(a2);
        // Every address holds one, none is long yet: d is refused; once some are long, the oldest gives way.
        assert_eq!(
            pd.worker().err().unwrap().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        a1.long();
        c1.long();
        let _d1 = pd.worker().unwrap();
        a1.given_way().await;
        assert!(pending(&mut c1));
        assert_eq!(limits.workers.lock().unwrap().held.len(), 3);
    }

    #[test]
    fn worker_places_by_cores_and_memory() {
        assert_eq!(worker_places(2, Some(24 << 30)), 12);
        assert_eq!(worker_places(1, Some(64 << 30)), 8);
        assert_eq!(worker_places(4, Some(1 << 30)), 2);
        assert_eq!(worker_places(2, None), 16);
        assert!(machine_memory().is_some_and(|m| m > WORKER_MEMORY));
    }

    #[test]
    fn connection_limits_and_idleness() {
        assert_eq!(max_connections(1024), 512);
        assert_eq!(max_connections(20), 64);
        assert_eq!(max_connections(u64::MAX), 16_384);
        assert!(raise_descriptor_limit() >= 64);
        let activity = Arc::new(Activity::new());
        assert!(!activity.idle(Duration::from_secs(1)));
        assert!(activity.idle(Duration::ZERO) || activity.start.elapsed().is_zero());
        let busy = InFlight::begin(&activity);
        std::thread::sleep(Duration::from_millis(5));
        assert!(
            !activity.idle(Duration::ZERO),
            "a request in progress is not idle"
        );
        drop(busy);
    }
}
