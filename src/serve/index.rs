//! The index pages: `GET /id/` lists the entities by class, with their zh and en labels and links to their pages;
//! `GET /doc/` lists the source documents (title, publisher, date, the facts they support) with links to their
//! texts. HTML by default, JSON by `Accept: application/json`. Both read the bundled named queries `entities`
//! and `documents` (the same answers `policykg query --name …` gives), so there is one definition of each list.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::sparql::CancellationToken;
use oxigraph::store::Store;
use serde::Serialize;

use super::errors::error_response;
use super::html::{esc, local_link, PAGE_STYLE};
use super::negotiate::{accept, negotiate, Listing, INDEX_TYPES, INDEX_TYPES_TEXT};
use super::Shared;
use crate::model::error::{Error, Result};
use crate::model::vocab;
use crate::read::catalog;
use crate::read::query::{self, Row};
use crate::read::resolve::LabelIndex;
use crate::read::validate::{self, JsonReport};

/// One entity of `/id/`.
#[derive(Serialize)]
struct Entity {
    /// Its IRI.
    iri: String,
    /// Its page on this server.
    page: String,
    /// Its zh and en labels.
    zh: String,
    en: String,
}

/// One class of `/id/` with its members.
#[derive(Serialize)]
struct Class {
    /// The class IRI, its prefixed name and its zh and en labels.
    iri: String,
    name: String,
    zh: String,
    en: String,
    entities: Vec<Entity>,
}

/// One source document of `/doc/`.
#[derive(Serialize)]
struct Document {
    iri: String,
    page: String,
    title: String,
    publisher: String,
    /// Its date of issue, when the text gives it.
    issued: Option<String>,
    year_covered: String,
    /// How many stated facts it supports.
    evidence: String,
}

/// The rows of a bundled named query, under the request's deadline.
fn named_rows(store: &Store, name: &str, token: CancellationToken) -> Result<Vec<Row>> {
    let named = catalog::get(name)?;
    let parsed = query::parse(named.text, named.path)?;
    query::evaluate_now(store, parsed, Some(token))?
        .rows()
        .ok_or_else(|| Error::Evaluation(format!("{} is not a SELECT", named.path)))
}

/// The entities by class, classes in the order of their prefixed names and entities in the query's order.
fn classes(rows: &[Row], labels: &LabelIndex) -> Vec<Class> {
    let mut by_class: BTreeMap<String, Class> = BTreeMap::new();
    for r in rows {
        let iri = r.get("class");
        let class = by_class
            .entry(vocab::shorten(iri))
            .or_insert_with(|| Class {
                iri: iri.to_owned(),
                name: vocab::shorten(iri),
                zh: labels.zh(iri).unwrap_or_default(),
                en: labels.en(iri).unwrap_or_default(),
                entities: Vec::new(),
            });
        class.entities.push(Entity {
            iri: r.string("entity"),
            page: format!("/{}", super::html::local_path(r.get("entity"))),
            zh: r.string("zh"),
            en: r.string("en"),
        });
    }
    by_class.into_values().collect()
}

fn documents(rows: &[Row]) -> Vec<Document> {
    rows.iter()
        .map(|r| Document {
            iri: r.string("document"),
            page: format!("/{}", super::html::local_path(r.get("document"))),
            title: r.string("title"),
            publisher: r.string("publisherLabel"),
            issued: r.opt("issued").map(str::to_owned),
            year_covered: r.string("yearCovered"),
            evidence: r.string("evidence"),
        })
        .collect()
}

/// The head and top of an index page.
fn page_head(title: &str, intro: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{title} · policykg</title>{PAGE_STYLE}</head><body>\
         <p><a href=\"/\">policykg</a> · <a href=\"/id/\">Entities 实体</a> · <a href=\"/doc/\">Documents 文件</a> · <a href=\"/validate\">Validation 验证</a></p>\
         <h1>{title}</h1><p>{intro}</p>"
    )
}

fn classes_html(classes: &[Class]) -> String {
    let total: usize = classes.iter().map(|c| c.entities.len()).sum();
    let mut html = page_head(
        "Entities 实体",
        &format!(
            "{total} entities in {} classes (events and observations are on their entities' pages). \
             JSON: <code>Accept: application/json</code>.",
            classes.len()
        ),
    );
    html.push_str("<ul>");
    for c in classes {
        html.push_str(&format!(
            "<li><a href=\"#{n}\">{zh} {en}</a> ({})</li>",
            c.entities.len(),
            n = esc(&c.name),
            zh = esc(&c.zh),
            en = esc(&c.en)
        ));
    }
    html.push_str("</ul>");
    for c in classes {
        html.push_str(&format!(
            "<h2 id=\"{n}\">{zh} {en} <code>{n}</code></h2><table>",
            n = esc(&c.name),
            zh = esc(&c.zh),
            en = esc(&c.en)
        ));
        for e in &c.entities {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                local_link(&e.iri, &e.zh),
                esc(&e.en)
            ));
        }
        html.push_str("</table>");
    }
    html + "</body></html>"
}

fn documents_html(documents: &[Document]) -> String {
    let mut html = page_head(
        "Documents 文件",
        &format!(
            "The {} source documents every fact is quoted from. JSON: <code>Accept: application/json</code>.",
            documents.len()
        ),
    );
    html.push_str("<table><tr><th>title 标题</th><th>publisher 发布机关</th><th>issued 发布</th><th>covers 年度</th><th>facts 事实</th></tr>");
    for d in documents {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            local_link(&d.iri, &d.title),
            esc(&d.publisher),
            d.issued
                .as_deref()
                .map_or_else(|| "unknown".to_owned(), esc),
            esc(&d.year_covered),
            esc(&d.evidence)
        ));
    }
    html + "</table></body></html>"
}

/// An index answer at `path`: the page or the JSON of the list `build` reads, built on the blocking pool under
/// the deadline once per update and kept (the documents' list counts their evidence: about 0.3 s).
async fn index<T: Serialize + Send + 'static>(
    state: Shared,
    path: &str,
    headers: &HeaderMap,
    build: impl FnOnce(&Store, &LabelIndex, CancellationToken) -> Result<T> + Send + 'static,
    page: fn(&T) -> String,
) -> Response {
    let Some(listing) = negotiate(accept(headers), INDEX_TYPES) else {
        return error_response(StatusCode::NOT_ACCEPTABLE, INDEX_TYPES_TEXT);
    };
    let store = state.store.clone();
    let labels = state.labels();
    let work = move |token| -> Result<Bytes> {
        let list = build(&store, &labels, token)?;
        Ok(Bytes::from(match listing {
            Listing::Html => page(&list).into_bytes(),
            Listing::Json => serde_json::to_vec(&list)
                .map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?,
        }))
    };
    let media_type = match listing {
        Listing::Html => "text/html; charset=utf-8",
        Listing::Json => "application/json",
    };
    match state
        .until_updated(&format!("{path} {media_type}"), work)
        .await
    {
        Ok(bytes) => {
            let mut r = ([(header::CONTENT_TYPE, media_type)], bytes).into_response();
            r.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept"));
            r
        }
        Err(response) => response,
    }
}

/// `GET /validate`: the SHACL validation report of the stored graphs against the bundled shapes (what
/// `policykg validate` writes), HTML or JSON with the W3C report's property names, built once per update.
pub(super) async fn validation(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let build = |store: &Store, _: &LabelIndex, _| Ok(validate::validate(store, &[])?.json());
    index(state, "/validate", &headers, build, validation_html).await
}

fn validation_html(report: &JsonReport) -> String {
    let verdict = if report.conforms {
        "The stored graphs conform to the shapes of <code>ontology/shapes.ttl</code>: no violations. 符合约束。".to_owned()
    } else {
        format!(
            "{} violation(s) of the shapes of <code>ontology/shapes.ttl</code>. 不符合约束。",
            report.results.len()
        )
    };
    let mut html = page_head(
        "Validation 验证",
        &format!("{verdict} JSON: <code>Accept: application/json</code>."),
    );
    if report.results.is_empty() {
        return html + "</body></html>";
    }
    html.push_str("<table><tr><th>focus node</th><th>path</th><th>value</th><th>shape</th><th>message</th></tr>");
    for r in &report.results {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            local_link(&r.focus_node, &r.focus_node),
            esc(r.result_path.as_deref().unwrap_or_default()),
            esc(r.value.as_deref().unwrap_or_default()),
            esc(&r.source_shape),
            esc(&r.result_message)
        ));
    }
    html + "</table></body></html>"
}

/// `GET /id/`: the entities by class.
pub(super) async fn entities(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let build = |store: &Store, labels: &LabelIndex, token| {
        Ok(classes(&named_rows(store, "entities", token)?, labels))
    };
    index(state, "/id/", &headers, build, |c: &Vec<Class>| {
        classes_html(c)
    })
    .await
}

/// `GET /doc/`: the source documents.
pub(super) async fn documents_index(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let build = |store: &Store, _: &LabelIndex, token| {
        Ok(documents(&named_rows(store, "documents", token)?))
    };
    index(state, "/doc/", &headers, build, |d: &Vec<Document>| {
        documents_html(d)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::store::KgStore;

    #[test]
    fn the_bundle_lists_entities_by_class_and_five_documents() {
        let kg = KgStore::in_memory().unwrap();
        let labels = LabelIndex::load(kg.store(), None).unwrap();
        let rows = named_rows(kg.store(), "entities", CancellationToken::new()).unwrap();
        let classes = classes(&rows, &labels);
        let agency = classes.iter().find(|c| c.name == "pk:Agency").unwrap();
        assert!(!agency.zh.is_empty() && !agency.en.is_empty());
        assert!(agency
            .entities
            .iter()
            .any(|e| e.zh == "江苏省数据局" && e.page == "/id/jiangsu-data-bureau"));
        let html = classes_html(&classes);
        assert!(html.contains("<a href=\"/id/jiangsu-data-bureau\">江苏省数据局</a>"));
        let rows = named_rows(kg.store(), "documents", CancellationToken::new()).unwrap();
        let docs = documents(&rows);
        assert_eq!(docs.len(), 5);
        assert!(docs
            .iter()
            .all(|d| d.page.starts_with("/doc/") && !d.title.is_empty()));
        assert!(documents_html(&docs).contains("省数据局2024年重点工作任务</a>"));
    }
}
