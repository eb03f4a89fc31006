//! `GET /search?q=…[&in=texts|quotes|labels|literals][&doc=D][&limit=N]`: full-text search, as JSON when the
//! client's `Accept` prefers `application/json` (negotiated as the index pages are: HTML first, 406 for
//! neither), else as an HTML page whose hits link to the highlighted place in the document
//! (`/doc/ID?hl=START-END#hl`) and to the entities' pages.
//!
//! The server keeps one index in memory, built from its store on the first search and rebuilt when the loaded
//! graphs change (after an update).

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use oxigraph::store::Store;

use super::errors::{blocking, error_response};
use super::html::{esc, local_path, PAGE_STYLE};
use super::negotiate::{accept, negotiate, Listing, INDEX_TYPES, INDEX_TYPES_TEXT};
use super::ui::param;
use super::Shared;
use crate::model::error::Result;
use crate::model::report::Silent;
use crate::read::search::{Hit, Scope, SearchIndex, SearchQuery, Source};

/// The index of the server's store, with what it was built from.
static INDEX: Mutex<Option<Arc<SearchIndex>>> = Mutex::new(None);

/// The current index: the cached one if the store still has the same user graphs, else a new one.
fn current_index(store: &Store) -> Result<Arc<SearchIndex>> {
    let source = Source::of(store)?;
    let mut cached = INDEX.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(index) = cached.as_ref().filter(|i| i.source() == &source) {
        return Ok(index.clone());
    }
    let index = Arc::new(SearchIndex::in_memory(store, &Silent)?);
    *cached = Some(index.clone());
    Ok(index)
}

/// `GET /search`.
pub(super) async fn search(
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let text = param(&raw, "q").unwrap_or_default();
    let scope = match param(&raw, "in").as_deref() {
        None | Some("") | Some("texts") => Scope::Texts,
        Some("quotes") => Scope::Quotes,
        Some("labels") => Scope::Labels,
        Some("literals") => Scope::Literals,
        Some(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "in must be texts, quotes, labels or literals",
            )
        }
    };
    let query = SearchQuery {
        text,
        scope,
        document: param(&raw, "doc").filter(|d| !d.trim().is_empty()),
        limit: param(&raw, "limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(100),
    };
    let Some(listing) = negotiate(accept(&headers), INDEX_TYPES) else {
        return error_response(StatusCode::NOT_ACCEPTABLE, INDEX_TYPES_TEXT);
    };
    let store = state.store.clone();
    let shown = query.clone();
    let work = move |_| -> Result<Vec<Hit>> { current_index(&store)?.search(&query) };
    match blocking(Some(state.config.timeout), work).await {
        Ok(hits) if listing == Listing::Json => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            serde_json::to_string(&hits).unwrap_or_else(|_| "[]".into()),
        )
            .into_response(),
        Ok(hits) => Html(page(&shown, &hits)).into_response(),
        Err(response) => response,
    }
}

/// The results page.
fn page(query: &SearchQuery, hits: &[Hit]) -> String {
    let mut rows = String::new();
    for hit in hits {
        rows.push_str(&row(hit));
    }
    format!(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>搜索 {q} · policykg</title>{PAGE_STYLE}</head><body>\
         <p><a href=\"/\">policykg</a></p><h1>搜索 Search: {q}</h1>\
         <form action=\"/search\"><input name=\"q\" value=\"{q}\"> <button>搜索</button></form>\
         <p>{n} hit(s) in {scope}</p><table><tr><th>where</th><th>sentence</th><th>entities</th></tr>{rows}</table></body></html>",
        q = esc(&query.text),
        n = hits.len(),
        scope = query.scope.name(),
    )
}

fn row(hit: &Hit) -> String {
    let place = match (&hit.document, &hit.subject) {
        (Some(doc), _) => format!(
            "<a href=\"/{}?hl={}-{}#hl\">《{}》</a> {}–{}",
            esc(local_path(doc)),
            hit.start,
            hit.end,
            esc(hit.title.as_deref().unwrap_or("")),
            hit.start,
            hit.end
        ),
        (None, Some(subject)) => link(subject, subject),
        (None, None) => String::new(),
    };
    let entities: Vec<String> = hit
        .entities
        .iter()
        .map(|e| link(&e.iri, &e.label))
        .collect();
    format!(
        "<tr><td>{place}</td><td>{}<mark>{}</mark>{}</td><td>{}</td></tr>",
        esc(&hit.before),
        esc(&hit.text),
        esc(&hit.after),
        entities.join("、")
    )
}

/// A link to an entity's page here, or its IRI as text.
fn link(iri: &str, label: &str) -> String {
    let path = local_path(iri);
    if path.starts_with("id/") {
        format!("<a href=\"/{}\">{}</a>", esc(path), esc(label))
    } else {
        esc(label)
    }
}
