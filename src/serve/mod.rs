//! `policykg serve`: a SPARQL 1.1 Protocol endpoint, a browser UI, and dereferenceable entity and document pages.
//!
//! `/sparql` queries run in worker processes killed at the deadline (`--timeout`: 503 then), their answers
//! streamed to the client as the worker writes them; pages and updates run on Tokio's blocking pool, cancelled
//! at the deadline. Load is bounded (see `limits.rs`): header and idle timeouts, a connection limit, places of
//! concurrent store work per client address and in all (503/429 with Retry-After, never a queue), and for
//! workers a two-level feedback queue in which a long query yields the CPU and its place to newcomers. Every
//! entity IRI of the project (`https://w3id.org/policykg/id/…`, `/doc/…`) dereferences here by mapping the IRI
//! base to the server.
//!
//! The files, one concern each:
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | [`serve`], [`ServerConfig`], the shared state, the router, shutdown on SIGINT/SIGTERM |
//! | `protocol.rs` | `/sparql`: parameters, dataset, queries, updates with the bearer token, service description |
//! | `negotiate.rs` | the media types each kind of answer is offered in, and `Accept` negotiation |
//! | `ids.rs` | the id grammar: a path segment that cannot name a resource gets 404 before any store access |
//! | `index.rs` | the index pages `/id/` (entities by class) and `/doc/` (the source documents), HTML or JSON |
//! | `pages.rs` | the entity `/id/…`, document `/doc/…`, evidence `/evidence/…` and `/ontology` pages |
//! | `html.rs` | HTML escaping, links to local pages, the page style, the 404 page |
//! | `ui.rs` | the browser UI `/` (`ui.html`, `ui/*.js`, `ui/*.css`), `/api/queries`, the `/viz` picture page, the `/export` download |
//! | `terms.rs` | `/api/terms`: prefixes, classes, properties and entities with zh/en labels, for completion and labels |
//! | `views.rs` | the question views `/viz/regulation-platform`, `/viz/{lineage,agency,neighbourhood}/NAME` |
//! | `errors.rs` | error responses, the status of each error, and `blocking`: all store work, under the deadline |
//! | `limits.rs` | the connection loop (header and idle timeouts, connection limit), the limits of store work |
//! | `search.rs` | `/search`: full-text search hits, HTML or JSON |
//! | `worker.rs` | `/sparql` queries in worker processes (`policykg __sparql-worker`), their answers streamed, killed at the deadline |

// Handlers answer `Result<T, Response>`, axum's own idiom: the error is already the reply. A `Response` is 128
// bytes, which newer clippy (1.99) flags as a large `Err`; boxing it would add an allocation to every error reply
// and a dereference to every handler, to save a move of 128 bytes on a path that writes to a socket.
#![allow(
    clippy::result_large_err,
    reason = "axum's idiom: the error of a handler is its reply"
)]

mod errors;
mod html;
mod ids;
mod index;
mod limits;
mod negotiate;
mod pages;
mod protocol;
mod search;
mod terms;
mod ui;
mod views;
mod worker;

pub use worker::{limit_worker_memory, worker_main};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use oxigraph::sparql::CancellationToken;
use oxigraph::store::Store;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::data::store::KgStore;
use crate::graph::projection::Projection;
use crate::model::error::{Error, Result};
use crate::model::report::Reporter;
use crate::read::resolve::{LabelIndex, Resolver};
use crate::read::service::{Federation, ServiceGate};
use crate::read::time::Facts;
use errors::blocking;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The address and port to listen on.
    pub bind: SocketAddr,
    /// The deadline of every query and page: past it the answer is 503 and the query is cancelled.
    pub timeout: Duration,
    /// At most this many rows of a SELECT (header `X-PolicyKG-Truncated` when cut).
    pub max_rows: Option<usize>,
    /// `Some(token)`: SPARQL Update is allowed with `Authorization: Bearer token`.
    pub update_token: Option<String>,
    /// The SERVICE endpoint prefixes queries may call (empty: SERVICE is refused with 403). A host that
    /// resolves to a loopback, link-local or private address is called only when a prefix names it.
    pub federate: Vec<String>,
    /// The origins whose browser pages may call the endpoint (CORS); empty: none. `*` allows every origin and
    /// cannot be combined with `federate`.
    pub cors: Vec<String>,
    /// `Some(policykg executable)`: run each `/sparql` query in a worker process of it (`__sparql-worker`),
    /// killed at the deadline; None: on a thread of this process, cancelled at the deadline (cooperatively).
    pub worker: Option<std::path::PathBuf>,
    /// The URL the server is reached at (`https://kg.example.org`), for the service description; None: the
    /// bound address.
    pub public_url: Option<String>,
}

impl ServerConfig {
    /// Refuse a configuration that would be unsafe: an empty update token, `*` CORS with federation, an
    /// origin or public URL that is not an http(s) URL. [`serve`] checks it too.
    pub fn check(&self) -> Result<()> {
        if self
            .update_token
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(Error::Usage("the update token must not be empty".into()));
        }
        if self.cors.iter().any(|o| o == "*") && !self.federate.is_empty() {
            return Err(Error::Usage(
                "--cors '*' cannot be combined with --federate: any web page could then make this server call the federated endpoints".into(),
            ));
        }
        for origin in self.cors.iter().filter(|o| *o != "*") {
            let rest = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .unwrap_or("");
            if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
                return Err(Error::Usage(format!(
                    "--cors {origin:?} is not an origin (scheme://host[:port], or *)"
                )));
            }
        }
        if let Some(url) = &self.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.contains(['<', '>', '"', ' '])
            {
                return Err(Error::Usage(format!(
                    "--public-url {url:?} is not an http(s) URL"
                )));
            }
        }
        Ok(())
    }
}

/// What every request handler shares.
struct AppState {
    store: Store,
    config: ServerConfig,
    /// The graph projection for entity pages and pictures, rebuilt after each update.
    projection: RwLock<Arc<Projection>>,
    /// The time facts for the picture's "as of" slider, read again after each update.
    time_facts: RwLock<Arc<Facts>>,
    /// The bundle's labels for the resolver, read once and again after each update.
    labels: RwLock<LabelIndex>,
    /// Which SERVICE endpoints queries may call.
    federation: Arc<Federation>,
    /// The server's own URL (without the trailing `/`): `--public-url` or the bound address.
    base_url: String,
    /// The limits of concurrent store work.
    work: limits::WorkLimits,
    /// The store's directory (for query workers).
    store_path: std::path::PathBuf,
    /// The `/export` answers built since the last update, by format; the number counts updates.
    exports: Mutex<(u64, HashMap<String, Bytes>)>,
}

impl AppState {
    /// The SERVICE gate of a query starting now: the server's policy, calls ending by the query's deadline.
    fn service_gate(&self) -> ServiceGate {
        let deadline = std::time::Instant::now().checked_add(self.config.timeout);
        ServiceGate::new(self.federation.clone(), deadline)
    }

    /// The current projection. A lock poisoned by a panic still holds a whole projection (it is replaced in one
    /// assignment), so it is read as it is rather than failing every later request.
    fn projection(&self) -> Arc<Projection> {
        self.projection
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The current time facts (read as [`Self::projection`] is).
    fn time_facts(&self) -> Arc<Facts> {
        self.time_facts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The one resolver of names, over the labels read at start or after the last update.
    fn resolver(&self) -> Resolver {
        Resolver::with_labels(self.labels())
    }

    /// The label index (a cheap clone: the bundle's labels are shared).
    fn labels(&self) -> LabelIndex {
        self.labels
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// After an update: the projection, time facts and labels it may have changed, and no export built before.
    fn updated(&self, projection: Projection, time_facts: Facts, labels: LabelIndex) {
        *self
            .projection
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(projection);
        *self
            .time_facts
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(time_facts);
        *self.labels.write().unwrap_or_else(PoisonError::into_inner) = labels;
        let mut exports = self.exports.lock().unwrap_or_else(PoisonError::into_inner);
        exports.0 += 1;
        exports.1.clear();
    }

    /// An export built since the last update, and the update count to file a new one under.
    fn cached_export(&self, format: &str) -> (u64, Option<Bytes>) {
        let exports = self.exports.lock().unwrap_or_else(PoisonError::into_inner);
        (exports.0, exports.1.get(format).cloned())
    }

    /// Keep an export built at update count `generation`, unless an update came since.
    fn keep_export(&self, generation: u64, format: String, bytes: Bytes) {
        let mut exports = self.exports.lock().unwrap_or_else(PoisonError::into_inner);
        if exports.0 == generation {
            exports.1.insert(format, bytes);
        }
    }

    /// An answer only an update can change (an export, the completion terms): the one kept since the last update,
    /// else built under the deadline and kept. Each costs a scan of the store, so it is not redone per request.
    async fn until_updated(
        self: &Arc<Self>,
        key: &str,
        build: impl FnOnce(CancellationToken) -> Result<Bytes> + Send + 'static,
    ) -> std::result::Result<Bytes, Response> {
        let (generation, cached) = self.cached_export(key);
        if let Some(bytes) = cached {
            return Ok(bytes);
        }
        let built = blocking(Some(self.config.timeout), build).await;
        if let Ok(bytes) = &built {
            self.keep_export(generation, key.to_owned(), bytes.clone());
        }
        built
    }
}

type Shared = Arc<AppState>;

/// The largest request body accepted (413 beyond).
const MAX_BODY: usize = 1 << 20;

/// Serve until SIGINT or SIGTERM.
pub fn serve(kg: KgStore, config: ServerConfig, reporter: &dyn Reporter) -> Result<()> {
    config.check()?;
    let connections = limits::max_connections(limits::raise_descriptor_limit());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server runtime: {e}")))?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", config.bind)))?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::io("<socket>", e))?;
        // What the last process derived and kept beside the store, when the store has not changed since.
        let projection = Projection::of_store(&kg)?;
        let time_facts = Facts::of(&kg)?;
        let labels = LabelIndex::load(kg.store(), kg.folder())?;
        let federation = Arc::new(if config.federate.is_empty() {
            Federation::Off
        } else {
            Federation::Prefixes(config.federate.clone())
        });
        let base_url = match &config.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{address}"),
        };
        let state = Arc::new(AppState {
            store: kg.store().clone(),
            config,
            projection: RwLock::new(Arc::new(projection)),
            time_facts: RwLock::new(Arc::new(time_facts)),
            labels: RwLock::new(labels),
            federation,
            base_url,
            work: limits::WorkLimits::for_machine(),
            store_path: kg.path().to_path_buf(),
            exports: Mutex::new((0, HashMap::new())),
        });
        reporter.message(&format!(
            "serving http://{address}/ (SPARQL endpoint http://{address}/sparql); Ctrl-C stops"
        ));
        limits::serve_connections(listener, router(state), connections, shutdown_signal()).await;
        reporter.message("stopped");
        Ok(())
    });
    // Query work past its deadline may still be running on the blocking pool: it is not waited for.
    runtime.shutdown_timeout(Duration::from_millis(200));
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

/// The CORS layer of `--cors`: None when no origin may call the server from a browser page.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    use axum::http::{header, HeaderValue, Method};
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
        .expose_headers([axum::http::HeaderName::from_static("x-policykg-truncated")]);
    Some(if origins.iter().any(|o| o == "*") {
        layer.allow_origin(AllowOrigin::any())
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        layer.allow_origin(AllowOrigin::list(list))
    })
}

fn router(state: Shared) -> Router {
    let cors = cors(&state.config.cors);
    let limited = axum::middleware::from_fn_with_state(state.clone(), limits::limit_work);
    let router = Router::new()
        .route(
            "/sparql",
            get(protocol::sparql_get).post(protocol::sparql_post),
        )
        .route("/api/queries", get(ui::api_queries))
        .route("/api/terms", get(terms::api_terms))
        .route("/viz", get(ui::viz_page))
        .route("/viz/regulation-platform", get(views::regulation_platform))
        .route("/viz/{view}/{name}", get(views::around))
        .route("/export", get(ui::export_download))
        .route("/id/", get(index::entities))
        .route("/doc/", get(index::documents_index))
        .route("/validate", get(index::validation))
        .route("/id/{id}", get(pages::entity_page))
        .route("/doc/{id}", get(pages::document_page))
        .route("/evidence/{id}", get(pages::evidence_page))
        .route("/ontology", get(pages::ontology))
        .route("/search", get(search::search))
        .route_layer(limited)
        .route("/", get(ui::ui))
        .route("/ui/{file}", get(ui::asset))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        // Refuses a declared Content-Length over the limit at once, before reading the body.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY));
    match cors {
        Some(layer) => router.layer(layer).with_state(state),
        None => router.with_state(state),
    }
}
