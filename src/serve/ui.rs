//! The browser UI (`/`, from `ui.html`, with its scripts and style under `/ui/`), the named queries it offers
//! (`/api/queries`), the picture page (`/viz`) and the whole-graph download (`/export`).
//!
//! The query workbench is hand-written (no editor component from a registry): it is four small files compiled
//! into the binary, so the page works offline from a fresh clone with no build step fetching anything.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use oxigraph::store::Store;

use super::errors::{blocking, from_error};
use super::Shared;
use crate::graph::projection::Projection;
use crate::graph::{export, picture as viz};
use crate::model::error::{Error, Result};
use crate::model::format::ExportFormat;
use crate::read::catalog;

/// `GET /`: the UI page.
pub(super) async fn ui() -> Html<&'static str> {
    Html(include_str!("ui.html"))
}

/// The workbench's static files: name, media type, text. `editor.js` is the query editor (highlighting,
/// completion, errors, URL and history), `results.js` the table (sort, filter, pages, downloads), `views.js`
/// the timeline, charts and graph, `workbench.css` their style.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_str!("ui/editor.js"),
    ),
    (
        "results.js",
        "text/javascript; charset=utf-8",
        include_str!("ui/results.js"),
    ),
    (
        "views.js",
        "text/javascript; charset=utf-8",
        include_str!("ui/views.js"),
    ),
    (
        "workbench.css",
        "text/css; charset=utf-8",
        include_str!("ui/workbench.css"),
    ),
];

/// `GET /ui/{file}`: a static file of the workbench, or 404.
pub(super) async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, media_type, text)) => {
            ([(header::CONTENT_TYPE, *media_type)], *text).into_response()
        }
        None => super::html::not_found(),
    }
}

/// `GET /api/queries`: the named queries, as JSON.
pub(super) async fn api_queries() -> Response {
    let list: Vec<serde_json::Value> = catalog::all()
        .into_iter()
        .map(|q| serde_json::json!({ "name": q.name, "title": q.title, "description": q.description, "query": q.text }))
        .collect();
    axum::Json(list).into_response()
}

/// The value of a parameter of the request's query string.
pub(super) fn param(raw: &Option<String>, key: &str) -> Option<String> {
    form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// `GET /viz?focus=NAME&depth=N`: the picture page, of the whole graph or a neighbourhood.
pub(super) async fn viz_page(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let projection = state.projection();
    let focus = param(&raw, "focus");
    let depth: usize = param(&raw, "depth")
        .and_then(|d| d.parse().ok())
        .unwrap_or(1);
    let resolver = state.resolver();
    let store = state.store.clone();
    let time_facts = state.time_facts();
    let result = blocking(Some(state.config.timeout), move |_| -> Result<String> {
        let iri = match focus {
            Some(name) => Some(resolver.resolve(&name)?),
            None => None,
        };
        let view = projection.view(iri.as_ref().map(|i| i.as_str()), depth, &[], false)?;
        viz::html(&view, &store, &time_facts)
    })
    .await;
    match result {
        Ok(html) => Html(html).into_response(),
        Err(response) => response,
    }
}

/// The export format asked for (`turtle` by default), or the usage error (400).
fn export_format(raw: &Option<String>) -> Result<ExportFormat> {
    let name = param(raw, "format").unwrap_or_else(|| "turtle".into());
    match ExportFormat::parse(&name) {
        Some(ExportFormat::Csv) => Err(Error::Usage(
            "csv is a directory of two files: use `policykg export --format csv -o DIR`".into(),
        )),
        Some(f) => Ok(f),
        None => Err(Error::Usage(format!(
            "unknown export format {name:?}; valid formats: {}",
            ExportFormat::names()
        ))),
    }
}

/// The whole graph in an export format: RDF from the store, the other formats from the projection.
fn export_bytes(store: &Store, projection: &Projection, format: ExportFormat) -> Result<Vec<u8>> {
    if format.rdf_format().is_some() {
        let quads = export::select_quads(store, &export::Selection::All)?;
        let mut bytes = Vec::new();
        export::write_rdf(&quads, format, &mut bytes)?;
        return Ok(bytes);
    }
    Ok(match format {
        ExportFormat::GraphMl => export::graphml(projection).into_bytes(),
        ExportFormat::Gexf => export::gexf(projection).into_bytes(),
        ExportFormat::Cytoscape => export::cytoscape(projection)?.into_bytes(),
        _ => viz::dot(projection).into_bytes(),
    })
}

/// `GET /export?format=F`: the whole graph as a download.
pub(super) async fn export_download(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Response {
    let format = match export_format(&raw) {
        Ok(format) => format,
        Err(e) => return from_error(e),
    };
    let store = state.store.clone();
    let projection = state.projection();
    let work = move |_| export_bytes(&store, &projection, format).map(Bytes::from);
    match state.until_updated(&format.to_string(), work).await {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_results_table_links_http_iris_only() {
        let results = include_str!("ui/results.js");
        assert!(results.contains(r#"return /^https?:\/\//i.test(iri) ? iri : null;"#));
        // Values reach the page as text: no script of the workbench sets HTML.
        for (name, _, text) in ASSETS {
            assert!(
                !text.contains("innerHTML") && !text.contains("insertAdjacentHTML"),
                "{name}"
            );
        }
        assert!(!include_str!("ui.html").contains("innerHTML"));
    }

    #[test]
    fn every_file_the_page_loads_is_served() {
        let page = include_str!("ui.html");
        let loaded: Vec<&str> = page
            .split("\"/ui/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert_eq!(loaded.len(), ASSETS.len(), "{loaded:?}");
        for name in loaded {
            assert!(ASSETS.iter().any(|(n, _, _)| *n == name), "{name}");
        }
    }

    #[test]
    fn parameters_and_export_formats() {
        let raw = Some("focus=%E7%9C%81&depth=2".to_owned());
        assert_eq!(param(&raw, "focus").as_deref(), Some("省"));
        assert_eq!(param(&raw, "format"), None);
        assert_eq!(param(&None, "x"), None);
        assert_eq!(export_format(&None).ok(), Some(ExportFormat::Turtle));
        let csv = export_format(&Some("format=csv".into())).unwrap_err();
        assert!(matches!(csv, Error::Usage(m) if m.starts_with("csv is a directory")));
        let unknown = export_format(&Some("format=nope".into())).unwrap_err();
        assert!(matches!(unknown, Error::Usage(m) if m.contains("\"nope\"")));
    }
}
