//! `policykg serve`: a SPARQL 1.1 Protocol endpoint, a browser UI, and dereferenceable entity and document pages.
//!
//! Queries run on Tokio's blocking pool with a deadline: a query past `--timeout` gets 503 at the deadline and is
//! cancelled, while other requests keep being served on the other threads. Every entity IRI of the project
//! (`https://w3id.org/policykg/id/…`, `/doc/…`) dereferences here by mapping the IRI base to the server.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use oxigraph::model::NamedNode;
use oxigraph::sparql::CancellationToken;
use oxigraph::store::Store;
use tower_http::cors::CorsLayer;

use crate::data::store::KgStore;
use crate::graph::projection::Projection;
use crate::graph::{analysis as lineage, export, picture as viz};
use crate::model::error::{Error, Result};
use crate::model::format::{ExportFormat, Format, QueryFormat};
use crate::model::report::Reporter;
use crate::model::vocab;
use crate::read::query::{self, Answer, DatasetSpec};
use crate::read::resolve::Resolver;
use crate::read::{catalog, describe, evidence};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    pub timeout: Duration,
    pub max_rows: Option<usize>,
    /// `Some(token)`: SPARQL Update is allowed with `Authorization: Bearer token`.
    pub update_token: Option<String>,
}

struct AppState {
    store: Store,
    config: ServerConfig,
    /// The graph projection for entity pages and pictures, rebuilt after each update.
    projection: RwLock<Arc<Projection>>,
}

type Shared = Arc<AppState>;

/// The largest request body accepted (413 beyond).
pub const MAX_BODY: usize = 1 << 20;

/// Serve until SIGINT or SIGTERM.
pub fn serve(kg: KgStore, config: ServerConfig, reporter: &dyn Reporter) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", config.bind)))?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::io("<socket>", e))?;
        let projection = Projection::build(kg.store())?;
        let state = Arc::new(AppState {
            store: kg.store().clone(),
            config,
            projection: RwLock::new(Arc::new(projection)),
        });
        reporter.message(&format!(
            "serving http://{address}/ (SPARQL endpoint http://{address}/sparql); Ctrl-C stops"
        ));
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| Error::io("<server>", e))?;
        reporter.message("stopped");
        Ok(())
    })
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

fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(ui))
        .route("/sparql", get(sparql_get).post(sparql_post))
        .route("/api/queries", get(api_queries))
        .route("/viz", get(viz_page))
        .route("/export", get(export_download))
        .route("/id/{id}", get(entity_page))
        .route("/doc/{id}", get(document_page))
        .route("/evidence/{id}", get(evidence_page))
        .route("/ontology", get(ontology))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        // Refuses a declared Content-Length over the limit at once, before reading the body.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY))
        .layer(CorsLayer::permissive())
        .with_state(state)
}

// ------------------------------------------------------------------------------------------------ errors

fn error_response(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.into() + "\n",
    )
        .into_response()
}

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Syntax { .. } | Error::Invalid { .. } | Error::Usage(_) => StatusCode::BAD_REQUEST,
        Error::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::UnknownEntity { .. }
        | Error::AmbiguousEntity { .. }
        | Error::UnknownQuery { .. } => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn from_error(e: Error) -> Response {
    error_response(status_of(&e), e.to_string())
}

/// Run store work on Tokio's blocking pool; an error becomes its HTTP response, a panic a 500.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> std::result::Result<T, Response> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(from_error(e)),
        Err(join) => Err(error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            join.to_string(),
        )),
    }
}

// ------------------------------------------------------------------------------------------------ SPARQL protocol

/// The parameters of a protocol request.
#[derive(Default)]
struct Params {
    query: Option<String>,
    update: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
}

fn parse_params(raw: &[u8], into: &mut Params) {
    for (k, v) in form_urlencoded::parse(raw) {
        match k.as_ref() {
            "query" => into.query = Some(v.into_owned()),
            "update" => into.update = Some(v.into_owned()),
            "default-graph-uri" => into.default_graphs.push(v.into_owned()),
            "named-graph-uri" => into.named_graphs.push(v.into_owned()),
            _ => {}
        }
    }
}

async fn sparql_get(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut params = Params::default();
    parse_params(raw.unwrap_or_default().as_bytes(), &mut params);
    match params.query.take() {
        Some(q) => run_query(state, q, params, &headers).await,
        None if params.update.is_some() => error_response(
            StatusCode::BAD_REQUEST,
            "SPARQL Update must be sent with POST",
        ),
        None => service_description(&state, &headers),
    }
}

async fn sparql_post(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = Params::default();
    parse_params(raw.unwrap_or_default().as_bytes(), &mut params);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let text = |body: &Bytes| String::from_utf8(body.to_vec());
    match content_type.as_str() {
        "application/sparql-query" => match text(&body) {
            Ok(q) => run_query(state, q, params, &headers).await,
            Err(_) => error_response(StatusCode::BAD_REQUEST, "the query is not valid UTF-8"),
        },
        "application/sparql-update" => match text(&body) {
            Ok(u) => run_update(state, u, &headers).await,
            Err(_) => error_response(StatusCode::BAD_REQUEST, "the update is not valid UTF-8"),
        },
        "application/x-www-form-urlencoded" => {
            parse_params(&body, &mut params);
            if let Some(q) = params.query.take() {
                run_query(state, q, params, &headers).await
            } else if let Some(u) = params.update.take() {
                run_update(state, u, &headers).await
            } else {
                error_response(StatusCode::BAD_REQUEST, "the form has neither query= nor update=")
            }
        }
        other => error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Type {other:?}: use application/sparql-query, application/sparql-update or application/x-www-form-urlencoded"),
        ),
    }
}

/// The media types each kind of answer can be written in, best first.
const SOLUTION_TYPES: &[(&str, QueryFormat)] = &[
    ("application/sparql-results+json", QueryFormat::Json),
    ("application/json", QueryFormat::Json),
    ("application/sparql-results+xml", QueryFormat::Xml),
    ("application/xml", QueryFormat::Xml),
    ("text/csv", QueryFormat::Csv),
    ("text/tab-separated-values", QueryFormat::Tsv),
];
/// What a resource page (entity, evidence) can be served as.
const RESOURCE_TYPES: &[(&str, Page)] = &[
    ("text/html", Page::Html),
    ("text/turtle", Page::Rdf(ExportFormat::Turtle)),
    ("application/ld+json", Page::Rdf(ExportFormat::JsonLd)),
    ("application/n-triples", Page::Rdf(ExportFormat::NTriples)),
    ("application/rdf+xml", Page::Rdf(ExportFormat::RdfXml)),
];

/// What a resource is served as: a page for people, or its RDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Html,
    Rdf(ExportFormat),
}

impl Page {
    fn media_type(self) -> &'static str {
        match self {
            Page::Html => Format::Html.media_type(),
            Page::Rdf(f) => Format::from(f).media_type(),
        }
    }
}
const GRAPH_TYPES: &[(&str, QueryFormat)] = &[
    ("text/turtle", QueryFormat::Turtle),
    ("application/n-triples", QueryFormat::NTriples),
    ("application/ld+json", QueryFormat::JsonLd),
    ("application/rdf+xml", QueryFormat::RdfXml),
    ("application/n-quads", QueryFormat::NQuads),
];

/// Content negotiation: the best offered format the `Accept` header allows, or None (406).
pub fn negotiate<F: Copy>(accept: Option<&str>, offers: &[(&str, F)]) -> Option<F> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(offers[0].1);
    };
    let mut best: Option<(f32, usize, F)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        for (i, (offer, format)) in offers.iter().enumerate() {
            let matches = media == *offer
                || media == "*/*"
                || (media.ends_with("/*") && offer.starts_with(media.trim_end_matches('*')));
            if matches && best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
                best = Some((q, i, *format));
            }
        }
    }
    best.map(|(_, _, f)| f)
}

fn accept(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())
}

fn iris(list: &[String], what: &str) -> std::result::Result<Vec<NamedNode>, String> {
    list.iter()
        .map(|g| NamedNode::new(g.as_str()).map_err(|e| format!("{what} {g:?} is not an IRI: {e}")))
        .collect()
}

async fn run_query(state: Shared, text: String, params: Params, headers: &HeaderMap) -> Response {
    let parsed = match query::parse(&text, "query") {
        Ok(q) => q,
        Err(e) => return from_error(e),
    };
    let offers = match parsed {
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => GRAPH_TYPES,
        _ => SOLUTION_TYPES,
    };
    let Some(format) = negotiate(accept(headers), offers) else {
        let offered: Vec<&str> = offers.iter().map(|(m, _)| *m).collect();
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            format!(
                "cannot answer in the requested media type; available: {}",
                offered.join(", ")
            ),
        );
    };
    let dataset = if params.default_graphs.is_empty() && params.named_graphs.is_empty() {
        None
    } else {
        let graphs = iris(&params.default_graphs, "default-graph-uri").and_then(|default| {
            Ok(DatasetSpec {
                default,
                named: iris(&params.named_graphs, "named-graph-uri")?,
            })
        });
        match graphs {
            Ok(spec) => Some(spec),
            Err(message) => return error_response(StatusCode::BAD_REQUEST, message),
        }
    };
    let token = CancellationToken::new();
    let worker_token = token.clone();
    let store = state.store.clone();
    let max_rows = state.config.max_rows;
    let work = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, bool)> {
        let mut answer = query::evaluate_with(&store, parsed, Some(worker_token), dataset)?;
        let mut truncated = false;
        if let (Some(max), Answer::Solutions { solutions, .. }) = (max_rows, &mut answer) {
            if solutions.len() > max {
                solutions.truncate(max);
                truncated = true;
            }
        }
        let mut bytes = Vec::new();
        query::write_answer(&answer, format, &mut bytes)?;
        Ok((bytes, truncated))
    });
    match tokio::time::timeout(state.config.timeout, work).await {
        Ok(Ok(Ok((bytes, truncated)))) => {
            let mut response = (
                [(header::CONTENT_TYPE, Format::from(format).media_type())],
                bytes,
            )
                .into_response();
            if truncated {
                response
                    .headers_mut()
                    .insert("x-policykg-truncated", HeaderValue::from_static("true"));
            }
            response
        }
        Ok(Ok(Err(e))) => from_error(e),
        Ok(Err(join)) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the query worker failed: {join}"),
        ),
        Err(_) => {
            token.cancel();
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("query timed out after {} s; narrow it or ask the operator for a longer --timeout", state.config.timeout.as_secs_f64()),
            )
        }
    }
}

async fn run_update(state: Shared, text: String, headers: &HeaderMap) -> Response {
    let Some(expected) = state.config.update_token.clone() else {
        return error_response(
            StatusCode::FORBIDDEN,
            "SPARQL Update is disabled on this server (start it with --allow-update --token T)",
        );
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match given {
        None => {
            let mut r = error_response(
                StatusCode::UNAUTHORIZED,
                "SPARQL Update needs Authorization: Bearer <token>",
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
        Some(t) if t != expected => {
            return error_response(StatusCode::FORBIDDEN, "wrong update token")
        }
        Some(_) => {}
    }
    let update = match query::parser().parse_update(&text) {
        Ok(u) => u,
        Err(e) => return from_error(query::syntax_error(&text, "update", &e.to_string())),
    };
    let work_state = state.clone();
    let result = blocking(move || -> Result<()> {
        query::evaluator()
            .for_update(update)
            .on_store(&work_state.store)
            .execute()
            .map_err(|e| Error::Evaluation(crate::model::error::one_line(&e.to_string())))?;
        let projection = Projection::build(&work_state.store)?;
        *work_state.projection.write().expect("projection lock") = Arc::new(projection);
        Ok(())
    })
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(response) => response,
    }
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn service_description(state: &Shared, headers: &HeaderMap) -> Response {
    let base = base_url(headers);
    let update = if state.config.update_token.is_some() {
        ", sd:SPARQL11Update"
    } else {
        ""
    };
    let body = format!(
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\
         @prefix dcterms: <http://purl.org/dc/terms/> .\n\n\
         <{base}/sparql#service> a sd:Service ;\n  sd:endpoint <{base}/sparql> ;\n  \
         dcterms:title \"policykg: Jiangsu data-governance policy knowledge graph\"@en, \"江苏数据治理政策知识图谱\"@zh ;\n  \
         sd:supportedLanguage sd:SPARQL11Query{update} ;\n  sd:feature sd:UnionDefaultGraph, sd:BasicFederatedQuery ;\n  \
         sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,\n    \
         <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,\n    \
         <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/JSON-LD>, <http://www.w3.org/ns/formats/RDF_XML> .\n"
    );
    ([(header::CONTENT_TYPE, "text/turtle; charset=utf-8")], body).into_response()
}

// ------------------------------------------------------------------------------------------------ UI and pages

async fn api_queries() -> Response {
    let list: Vec<serde_json::Value> = catalog::all()
        .into_iter()
        .map(|q| serde_json::json!({ "name": q.name, "title": q.title, "description": q.description, "query": q.text }))
        .collect();
    axum::Json(list).into_response()
}

async fn ui() -> Html<&'static str> {
    Html(include_str!("ui.html"))
}

fn param(raw: &Option<String>, key: &str) -> Option<String> {
    form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn viz_page(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let projection = state.projection.read().expect("projection lock").clone();
    let focus = param(&raw, "focus");
    let depth: usize = param(&raw, "depth")
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    let store = state.store.clone();
    let result = blocking(move || -> Result<String> {
        let iri = match focus {
            Some(name) => Some(Resolver::new(&store)?.resolve(&name)?),
            None => None,
        };
        let view = projection.view(iri.as_ref().map(|i| i.as_str()), depth, &[], false)?;
        Ok(viz::html(&view))
    })
    .await;
    match result {
        Ok(html) => Html(html).into_response(),
        Err(response) => response,
    }
}

async fn export_download(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let name = param(&raw, "format").unwrap_or_else(|| "turtle".into());
    let format = match ExportFormat::parse(&name) {
        Some(ExportFormat::Csv) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "csv is a directory of two files: use `policykg export --format csv -o DIR`",
            )
        }
        Some(f) => f,
        None => {
            return from_error(Error::Usage(format!(
                "unknown export format {name:?}; valid formats: {}",
                ExportFormat::names()
            )))
        }
    };
    let store = state.store.clone();
    let projection = state.projection.read().expect("projection lock").clone();
    let result = blocking(move || -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        if format.rdf_format().is_some() {
            let quads = export::select_quads(&store, &export::Selection::All)?;
            export::write_rdf(&quads, format, &mut bytes)?;
        } else {
            bytes = match format {
                ExportFormat::GraphMl => export::graphml(&projection).into_bytes(),
                ExportFormat::Gexf => export::gexf(&projection).into_bytes(),
                ExportFormat::Cytoscape => {
                    serde_json::to_vec_pretty(&export::cytoscape(&projection))
                        .map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?
                }
                _ => viz::dot(&projection).into_bytes(),
            };
        }
        Ok(bytes)
    })
    .await;
    match result {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, format.media_type().to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"policykg.{}\"", format.extension()),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(response) => response,
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A link to the page of a project IRI on this server, or the IRI itself.
fn local_link(iri: &str, label: &str) -> String {
    match iri.strip_prefix(vocab::BASE) {
        Some(path) if path.starts_with("id/") || path.starts_with("doc/") => {
            format!("<a href=\"/{}\">{}</a>", esc(path), esc(label))
        }
        _ if iri.contains("://") => format!("<a href=\"{}\">{}</a>", esc(iri), esc(label)),
        _ => esc(label),
    }
}

const PAGE_STYLE: &str = "<link rel=\"icon\" href=\"data:,\"><style>body{font-family:'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}.quote{background:#fff6dc}.inferred{color:#8a4baf}mark{background:#ffd54f}pre.text{white-space:pre-wrap;line-height:1.7}</style>";

async fn entity_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let iri = format!("{}{id}", vocab::ID);
    let Some(format) = negotiate(accept(&headers), RESOURCE_TYPES) else {
        return error_response(StatusCode::NOT_ACCEPTABLE, "available: text/html, text/turtle, application/ld+json, application/n-triples, application/rdf+xml");
    };
    let store = state.store.clone();
    let projection = state.projection.read().expect("projection lock").clone();
    let result = blocking(move || -> Result<(Page, Vec<u8>)> {
        let resolver = Resolver::new(&store)?;
        let node = resolver.resolve(&iri)?;
        if let Page::Rdf(rdf) = format {
            let quads = export::select_quads(
                &store,
                &export::Selection::Entities([node.as_str().to_owned()].into()),
            )?;
            let mut bytes = Vec::new();
            export::write_rdf(&quads, rdf, &mut bytes)?;
            return Ok((format, bytes));
        }
        Ok((
            Page::Html,
            entity_html(&store, &projection, &resolver, &node)?.into_bytes(),
        ))
    })
    .await;
    match result {
        Ok((format, bytes)) => {
            let mut r = ([(header::CONTENT_TYPE, format.media_type())], bytes).into_response();
            r.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept"));
            r
        }
        Err(response) => response,
    }
}

fn entity_html(
    store: &Store,
    projection: &Projection,
    resolver: &Resolver,
    node: &NamedNode,
) -> Result<String> {
    let labels = &resolver.labels;
    let d = describe::describe(store, node, labels)?;
    let title = d
        .label_zh
        .clone()
        .unwrap_or_else(|| labels.display(node.as_str()));
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{t} · policykg</title>{PAGE_STYLE}</head><body>\
         <p><a href=\"/\">policykg</a></p><h1>{t}</h1><p>{en}</p><p><code>{iri}</code></p>",
        t = esc(&title),
        en = esc(d.label_en.as_deref().unwrap_or("")),
        iri = esc(node.as_str())
    );
    if !d.aliases.is_empty() {
        html.push_str(&format!(
            "<p>Aliases 别名: {}</p>",
            esc(&d.aliases.join(", "))
        ));
    }
    let types: Vec<String> = d
        .types
        .iter()
        .map(|t| format!("{} ({})", esc(&vocab::shorten(t)), esc(&labels.display(t))))
        .collect();
    html.push_str(&format!("<p>Types 类型: {}</p>", types.join(", ")));
    for (title, relations) in [
        ("Relations 关系", &d.outgoing),
        ("Incoming 被关联", &d.incoming),
    ] {
        if relations.is_empty() {
            continue;
        }
        html.push_str(&format!("<h2>{title}</h2><table>"));
        for r in relations {
            html.push_str(&format!(
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.status,
                esc(&vocab::shorten(&r.predicate)),
                local_link(&r.other, &r.other_label),
                r.status
            ));
        }
        html.push_str("</table>");
    }
    if let Ok(n) = projection.node(node.as_str()) {
        let l = lineage::lineage(projection, n, lineage::Direction::Both);
        if !l.entries.is_empty() {
            html.push_str("<h2>Lineage 沿革</h2><ul>");
            for e in &l.entries {
                html.push_str(&format!(
                    "<li>{} {} [{}] {}</li>",
                    if e.direction == lineage::Side::Predecessor {
                        "↑"
                    } else {
                        "↓"
                    },
                    esc(&e.relation),
                    if e.stated { "stated" } else { "inferred" },
                    local_link(&e.node.iri, &e.node.zh)
                ));
            }
            html.push_str("</ul>");
        }
    }
    let quotes = evidence::quotes(store, labels, node, None)?;
    html.push_str(&format!(
        "<h2>Evidence 证据 ({})</h2><ul class=\"evidence\">",
        quotes.len()
    ));
    for q in &quotes {
        let doc_path = q.document.strip_prefix(vocab::BASE).unwrap_or(&q.document);
        html.push_str(&format!(
            "<li class=\"{}\"><a href=\"/{}\"><b>{}</b></a> {} → {} <span class=\"quote\">“{}”</span> — <a href=\"/{}?hl={}-{}#hl\">《{}》</a> ({}){}</li>",
            q.status,
            esc(q.evidence.strip_prefix(vocab::BASE).unwrap_or(&q.evidence)),
            esc(&vocab::shorten(&q.predicate)),
            esc(&labels.display(&q.subject)),
            esc(&if q.object.contains("://") { labels.display(&q.object) } else { q.object.clone() }),
            esc(&q.exact),
            esc(doc_path),
            q.start,
            q.end,
            esc(&q.document_title),
            esc(&q.document_date),
            q.reasoning.as_deref().map(|r| format!("<br><i>reasoning: {}</i>", esc(r))).unwrap_or_default()
        ));
    }
    html.push_str(&format!(
        "</ul><p><a href=\"/viz?focus={}&amp;depth=1\">Neighbourhood picture 关系图</a></p></body></html>",
        esc(&vocab::shorten(node.as_str()))
    ));
    Ok(html)
}

/// The ontology, as Turtle (the file as written, with its comments and definitions).
async fn ontology() -> Response {
    let text: String = crate::data::bundle::ontology()
        .map(|f| f.text)
        .collect::<Vec<_>>()
        .join("\n");
    ([(header::CONTENT_TYPE, "text/turtle; charset=utf-8")], text).into_response()
}

/// An evidence annotation: the fact, its status, the quotes with links into the highlighted sources; or RDF.
async fn evidence_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let iri = format!("{}{id}", vocab::EVIDENCE);
    let Some(format) = negotiate(accept(&headers), RESOURCE_TYPES) else {
        return error_response(StatusCode::NOT_ACCEPTABLE, "available: text/html, text/turtle, application/ld+json, application/n-triples, application/rdf+xml");
    };
    let store = state.store.clone();
    let result = blocking(move || -> Result<Option<(Page, Vec<u8>)>> {
        let rows = query::select_strings(
            &store,
            &format!(
                "SELECT ?s ?p ?o ?status ?reason ?doc ?exact ?start ?end WHERE {{
                   <{iri}> a pk:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pk:epistemicStatus ?status ; oa:hasTarget ?t .
                   ?t oa:hasSource ?doc ; oa:hasSelector ?q, ?pos . ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end .
                   OPTIONAL {{ <{iri}> pk:reasoning ?reason }} }} ORDER BY ?doc ?start"
            ),
        )?;
        if rows.is_empty() {
            return Ok(None);
        }
        if let Page::Rdf(rdf) = format {
            let quads = export::select_quads(&store, &export::Selection::Entities([iri.clone()].into()))?;
            let mut bytes = Vec::new();
            export::write_rdf(&quads, rdf, &mut bytes)?;
            return Ok(Some((format, bytes)));
        }
        let labels = crate::read::resolve::LabelIndex::load(&store)?;
        let first = &rows[0];
        let object = if first.get("o").contains("://") { local_link(first.get("o"), &labels.display(first.get("o"))) } else { esc(first.get("o")) };
        let mut html = format!(
            "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Evidence · policykg</title>{PAGE_STYLE}</head><body>\
             <p><a href=\"/\">policykg</a></p><h1>Evidence 证据</h1><p><code>{}</code></p><p>{} <b>{}</b> {} — {}</p>",
            esc(&iri),
            local_link(first.get("s"), &labels.display(first.get("s"))),
            esc(&vocab::shorten(first.get("p"))),
            object,
            if first.get("status").ends_with("Inferred") { "inferred 推断" } else { "stated 明确陈述" }
        );
        if !first.get("reason").is_empty() {
            html.push_str(&format!("<p><i>reasoning: {}</i></p>", esc(first.get("reason"))));
        }
        html.push_str("<ul class=\"evidence\">");
        for r in &rows {
            let doc_path = r.get("doc").strip_prefix(vocab::BASE).unwrap_or(r.get("doc"));
            html.push_str(&format!(
                "<li><span class=\"quote\">“{}”</span> — <a href=\"/{}?hl={}-{}#hl\">{}</a></li>",
                esc(r.get("exact")),
                esc(doc_path),
                esc(r.get("start")),
                esc(r.get("end")),
                esc(&labels.display(r.get("doc")))
            ));
        }
        html.push_str("</ul></body></html>");
        Ok(Some((Page::Html, html.into_bytes())))
    })
    .await;
    match result {
        Ok(Some((format, bytes))) => {
            ([(header::CONTENT_TYPE, format.media_type())], bytes).into_response()
        }
        Ok(None) => error_response(StatusCode::NOT_FOUND, "no such evidence annotation"),
        Err(response) => response,
    }
}

async fn document_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let iri = format!("{}{id}", vocab::DOC);
    let highlight = param(&raw, "hl").and_then(|h| {
        let (a, b) = h.split_once('-')?;
        Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
    });
    let store = state.store.clone();
    let result = blocking(move || -> Result<Option<String>> {
        let rows = query::select_strings(
            &store,
            &format!(
                "SELECT ?title ?en ?text ?issued ?year WHERE {{ <{iri}> a pk:SourceDocument ; pk:text ?text ; pk:yearCovered ?year ;
                   dcterms:title ?title, ?en FILTER(LANG(?title) = \"zh\" && LANG(?en) = \"en\")
                   OPTIONAL {{ <{iri}> dcterms:issued ?issued }} }}"
            ),
        )?;
        let Some(r) = rows.first() else { return Ok(None) };
        let chars: Vec<char> = r.get("text").chars().collect();
        let text = match highlight {
            Some((a, b)) if a <= b && b <= chars.len() => format!(
                "{}<mark id=\"hl\">{}</mark>{}",
                esc(&chars[..a].iter().collect::<String>()),
                esc(&chars[a..b].iter().collect::<String>()),
                esc(&chars[b..].iter().collect::<String>())
            ),
            _ => esc(r.get("text")),
        };
        Ok(Some(format!(
            "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{t}</title>{PAGE_STYLE}</head><body>\
             <p><a href=\"/\">policykg</a></p><h1>{t}</h1><p>{en}</p><p>Published 发布: {issued} · covers {year} · <code>{iri}</code></p>\
             <pre class=\"text\">{text}</pre></body></html>",
            t = esc(r.get("title")),
            en = esc(r.get("en")),
            issued = if r.get("issued").is_empty() { "unknown".to_owned() } else { esc(r.get("issued")) },
            year = esc(r.get("year")),
        )))
    })
    .await;
    match result {
        Ok(Some(html)) => Html(html).into_response(),
        Ok(None) => error_response(StatusCode::NOT_FOUND, "no such source document"),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_quality_and_order() {
        assert_eq!(negotiate(None, SOLUTION_TYPES), Some(QueryFormat::Json));
        assert_eq!(
            negotiate(Some("text/csv"), SOLUTION_TYPES),
            Some(QueryFormat::Csv)
        );
        assert_eq!(
            negotiate(
                Some("text/csv;q=0.5, application/sparql-results+xml"),
                SOLUTION_TYPES
            ),
            Some(QueryFormat::Xml)
        );
        assert_eq!(
            negotiate(Some("*/*"), GRAPH_TYPES),
            Some(QueryFormat::Turtle)
        );
        assert_eq!(negotiate(Some("image/png"), SOLUTION_TYPES), None);
    }
}
