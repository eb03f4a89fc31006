//! Bounded load: the connection loop (header and idle timeouts, a connection limit, shutdown that does not wait
//! for query work) and the limits of concurrent store work (global and per client address).
//!
//! The limits:
//!
//! - a request's headers must arrive within [`HEADER_TIMEOUT`] (10 s) of its first byte, or the connection is
//!   closed (slow senders cannot hold connections);
//! - a connection with no request in progress and no traffic for [`IDLE_TIMEOUT`] (30 s) is closed;
//! - at most [`max_connections`] connections are open at once (half the descriptor limit, which is raised to
//!   its hard limit at start-up, between 64 and 16,384); further clients wait in the listen backlog;
//! - at most [`WorkLimits::global`] requests do store work at once (twice the cores, at least 4): beyond it the
//!   answer is 503 with `Retry-After`, at once, instead of a queue;
//! - at most [`WorkLimits::per_client`] of them (2) come from one client address: beyond it 429 with
//!   `Retry-After`. Work past its deadline keeps its place until it has really stopped.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

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

/// The limits of concurrent store work.
pub(super) struct WorkLimits {
    global: Arc<Semaphore>,
    per_client: usize,
    clients: Clients,
}

/// The requests in progress per client address.
type Clients = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// A place in the store work limits, held by a request and by the work it started until both have ended.
pub(super) struct WorkPermit {
    _global: OwnedSemaphorePermit,
    client: Option<(IpAddr, Clients)>,
}

impl Drop for WorkPermit {
    fn drop(&mut self) {
        release_client(self.client.take());
    }
}

/// Give back a client's place.
fn release_client(client: Option<(IpAddr, Clients)>) {
    if let Some((ip, clients)) = client {
        let mut clients = clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = clients.get_mut(&ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                clients.remove(&ip);
            }
        }
    }
}

tokio::task_local! {
    /// The work permit of the request being handled; `blocking` hands it to the work it starts.
    pub(super) static PERMIT: Arc<WorkPermit>;
}

fn busy(status: StatusCode, message: &str) -> Response {
    let mut r = error_response(status, message);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    r
}

impl WorkLimits {
    /// Limits for this machine: twice the cores at once (at least 4), 2 per client address.
    pub(super) fn for_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        WorkLimits::new((2 * cores).max(4), 2)
    }

    pub(super) fn new(global: usize, per_client: usize) -> Self {
        WorkLimits {
            global: Arc::new(Semaphore::new(global)),
            per_client,
            clients: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A place for work from `client`, or the 429/503 reply.
    pub(super) fn acquire(&self, client: Option<IpAddr>) -> Result<WorkPermit, Box<Response>> {
        let client = match client {
            Some(ip) => {
                let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
                let n = clients.entry(ip).or_insert(0);
                if *n >= self.per_client {
                    return Err(Box::new(busy(
                        StatusCode::TOO_MANY_REQUESTS,
                        "too many requests at once from your address; retry when one has finished",
                    )));
                }
                *n += 1;
                Some((ip, self.clients.clone()))
            }
            None => None,
        };
        match self.global.clone().try_acquire_owned() {
            Ok(global) => Ok(WorkPermit {
                _global: global,
                client,
            }),
            Err(_) => {
                release_client(client);
                Err(Box::new(busy(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is busy with other queries; retry in a moment",
                )))
            }
        }
    }
}

/// Middleware: a place in the work limits for the request, or 429/503 at once.
pub(super) async fn limit_work(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match state.work.acquire(client) {
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

    #[test]
    fn work_limits_per_client_then_global_and_places_come_back() {
        let limits = WorkLimits::new(3, 2);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let first = limits.acquire(Some(a)).unwrap();
        let _second = limits.acquire(Some(a)).unwrap();
        let Err(refused) = limits.acquire(Some(a)) else {
            panic!("a third request from one address")
        };
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers().contains_key(header::RETRY_AFTER));
        let _third = limits.acquire(Some(b)).unwrap();
        let Err(full) = limits.acquire(Some(b)) else {
            panic!("a fourth request at once")
        };
        assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(full.headers().contains_key(header::RETRY_AFTER));
        drop(first);
        assert!(limits.acquire(Some(b)).is_ok());
        let clients = limits.clients.lock().unwrap();
        assert_eq!(
            clients.get(&b),
            Some(&1),
            "the refused request gave its place back"
        );
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
