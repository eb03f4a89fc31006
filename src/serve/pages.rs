//! The pages of the project's resources: entities (`/id/…`), source documents (`/doc/…`), evidence annotations
//! (`/evidence/…`), each as HTML or (entities, evidence) as RDF by `Accept`; and the ontology (`/ontology`).
//!
//! A path segment is checked against the id grammar ([`super::ids`]) first: anything else is 404 without a store
//! access. The resource's IRI reaches the store only as a term: bound to `?this` in a constant query, or looked up
//! as a node; no query text is ever built from the request. All store work runs under the server's deadline.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use oxigraph::model::NamedNode;
use oxigraph::sparql::{CancellationToken, QueryResults, Variable};
use oxigraph::store::Store;

use super::errors::{blocking, error_response};
use super::html::{esc, local_link, local_path, not_found, PAGE_STYLE};
use super::ids;
use super::negotiate::{accept, negotiate, Page, RESOURCE_TYPES, RESOURCE_TYPES_TEXT};
use super::ui::param;
use super::Shared;
use crate::graph::analysis as lineage;
use crate::graph::export;
use crate::graph::projection::Projection;
use crate::model::error::{Error, Result};
use crate::model::format::ExportFormat;
use crate::model::vocab::{self, Provenance};
use crate::read::describe::{self, Description, Relation};
use crate::read::evidence::{self, Quote};
use crate::read::query::{self, Answer, Row};
use crate::read::resolve::{LabelIndex, Resolver};

// ------------------------------------------------------------------------------------------------ shared steps

/// The variable a page query names its resource by (and selects: Oxigraph binds only selected variables);
/// the resource's IRI is bound to it as a term.
const THIS: &str = "this";

/// Evaluate a constant SELECT with `?this` bound to a resource (the union of the graphs as default graph).
fn select_about(
    store: &Store,
    text: &str,
    this: &NamedNode,
    token: CancellationToken,
) -> Result<Vec<Row>> {
    let parsed = query::parse(text, "page query")?;
    let mut prepared = query::evaluator()
        .with_cancellation_token(token)
        .for_query(parsed)
        .substitute_variable(Variable::new_unchecked(THIS), this.clone());
    prepared.dataset_mut().set_default_graph_as_union();
    let failed = |source| Error::Query { source };
    let QueryResults::Solutions(solutions) = prepared.on_store(store).execute().map_err(failed)?
    else {
        return Err(Error::Evaluation("a page query is not a SELECT".into()));
    };
    let variables: Arc<[Variable]> = solutions.variables().to_vec().into();
    let solutions = solutions.collect::<Result<Vec<_>, _>>().map_err(failed)?;
    let answer = Answer::Solutions {
        variables,
        solutions,
    };
    Ok(answer.rows().unwrap_or_default())
}

/// A resource's own quads (and those of its fragments and evidence) in an RDF format.
fn resource_rdf(store: &Store, iri: &str, format: ExportFormat) -> Result<Vec<u8>> {
    let selection = export::Selection::Entities([iri.to_owned()].into());
    let quads = export::select_quads(store, &selection)?;
    let mut bytes = Vec::new();
    export::write_rdf(&quads, format, &mut bytes)?;
    Ok(bytes)
}

/// The 406 reply of a resource page.
fn not_acceptable() -> Response {
    error_response(StatusCode::NOT_ACCEPTABLE, RESOURCE_TYPES_TEXT)
}

// ------------------------------------------------------------------------------------------------ entities

/// `GET /id/{id}`: an entity, as its page or its RDF.
pub(super) async fn entity_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(iri) = ids::entity(&id) else {
        return by_name(state, id).await;
    };
    let Some(format) = negotiate(accept(&headers), RESOURCE_TYPES) else {
        return not_acceptable();
    };
    let store = state.store.clone();
    let projection = state.projection();
    let resolver = state.resolver();
    let work = move |_| entity_bytes(&store, &projection, &resolver, &iri, format);
    match blocking(Some(state.config.timeout), work).await {
        Ok(bytes) => {
            let mut r = ([(header::CONTENT_TYPE, format.media_type())], bytes).into_response();
            r.headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept"));
            r
        }
        Err(response) => response,
    }
}

/// The longest name `/id/NAME` resolves; longer paths are simply not found.
const MAX_NAME: usize = 200;

/// `/id/苏服办`: a name instead of an id, resolved by the one resolver the command line uses. One entity: a 303
/// to its page. Several: a 300 page listing them. None: a 404 page with the nearest names.
async fn by_name(state: Shared, name: String) -> Response {
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return not_found();
    }
    let wanted = name.clone();
    // The resolver's own answer is kept whole (candidates, suggestions), not turned into an error reply.
    let resolver = state.resolver();
    let work = move |_| Ok(resolver.resolve(&wanted));
    let (status, title, items): (StatusCode, &str, Vec<String>) =
        match blocking(Some(state.config.timeout), work).await {
            Ok(Ok(iri)) => match iri.as_str().strip_prefix(vocab::ID) {
                Some(id) => {
                    let location = format!("/id/{}", id.replace('#', "%23"));
                    return (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
                }
                None => return not_found(),
            },
            Ok(Err(Error::AmbiguousEntity { candidates, .. })) => (
                StatusCode::MULTIPLE_CHOICES,
                "Several entities 多个实体",
                candidates.iter().map(|c| candidate_link(c)).collect(),
            ),
            Ok(Err(Error::UnknownEntity { suggestions, .. })) => (
                StatusCode::NOT_FOUND,
                "Not found 未找到",
                suggestions
                    .iter()
                    .map(|s| {
                        let q: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
                        format!("<a href=\"/id/{q}\">{}</a>", esc(s))
                    })
                    .collect(),
            ),
            Ok(Err(_)) => return not_found(),
            Err(response) => return response,
        };
    name_page(status, title, &items)
}

/// A candidate of an ambiguous name (`pkid:x (label)`) as a link to its page.
fn candidate_link(candidate: &str) -> String {
    match candidate
        .strip_prefix("pkid:")
        .and_then(|c| c.split_once(' '))
    {
        Some((id, label)) if ids::is_id(id) => {
            format!("<a href=\"/id/{id}\">{}</a> {}", esc(id), esc(label))
        }
        _ => esc(candidate),
    }
}

/// A page about a name: the entities it may mean, as links. Like every not-found page, it does not repeat what
/// the client sent.
fn name_page(status: StatusCode, title: &str, items: &[String]) -> Response {
    let list: String = items.iter().map(|i| format!("<li>{i}</li>")).collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{t} · policykg</title>{PAGE_STYLE}</head><body>\
         <p><a href=\"/\">policykg</a></p><h1>{t}</h1><p>This name does not name a single entity. Nearest names, or \
         <a href=\"/search\">search the texts</a>:</p><ul>{list}</ul></body></html>",
        t = esc(title),
    );
    (status, Html(body)).into_response()
}

/// An entity's page or RDF; an IRI the store does not hold is `UnknownEntity` (404, with suggestions).
fn entity_bytes(
    store: &Store,
    projection: &Projection,
    resolver: &Resolver,
    iri: &NamedNode,
    format: Page,
) -> Result<Vec<u8>> {
    let node = resolver.resolve(iri.as_str())?;
    match format {
        Page::Rdf(rdf) => resource_rdf(store, node.as_str(), rdf),
        Page::Html => Ok(entity_html(store, projection, resolver, &node)?.into_bytes()),
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
    let mut html = entity_head(&d, labels, node);
    html.push_str(&relations_table("Relations 关系", &d.outgoing));
    html.push_str(&relations_table("Incoming 被关联", &d.incoming));
    html.push_str(&lineage_list(projection, node));
    let quotes = evidence::quotes(store, labels, node, None)?;
    html.push_str(&quotes_list(&quotes, labels));
    html.push_str(&format!(
        "</ul><p><a href=\"/viz?focus={}&amp;depth=1\">Neighbourhood picture 关系图</a></p></body></html>",
        esc(&vocab::shorten(node.as_str()))
    ));
    Ok(html)
}

/// The head of an entity page: title, labels, IRI, aliases, types.
fn entity_head(d: &Description, labels: &LabelIndex, node: &NamedNode) -> String {
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
    html
}

/// A table of relations under a heading, or nothing when there are none.
fn relations_table(title: &str, relations: &[Relation]) -> String {
    if relations.is_empty() {
        return String::new();
    }
    let mut html = format!("<h2>{title}</h2><table>");
    for r in relations {
        html.push_str(&format!(
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.status,
            esc(&vocab::shorten(&r.predicate)),
            if r.other_is_iri {
                local_link(&r.other, &r.other_label)
            } else {
                esc(&r.other_label)
            },
            r.status
        ));
    }
    html.push_str("</table>");
    html
}

/// The entity's predecessors and successors, or nothing when it has none (or is not in the projection).
fn lineage_list(projection: &Projection, node: &NamedNode) -> String {
    let Ok(n) = projection.node(node.as_str()) else {
        return String::new();
    };
    let l = lineage::lineage(projection, n, lineage::Direction::Both);
    if l.entries.is_empty() {
        return String::new();
    }
    let mut html = "<h2>Lineage 沿革</h2><ul>".to_owned();
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
    html
}

/// The heading and items of the evidence list (the caller closes the list).
fn quotes_list(quotes: &[Quote], labels: &LabelIndex) -> String {
    let mut html = format!(
        "<h2>Evidence 证据 ({})</h2><ul class=\"evidence\">",
        quotes.len()
    );
    for q in quotes {
        html.push_str(&quote_item(q, labels));
    }
    html
}

/// One quote: the fact, the quote, a link to the highlighted source, the reasoning of an inference.
fn quote_item(q: &Quote, labels: &LabelIndex) -> String {
    let object = if q.object.contains("://") {
        labels.display(&q.object)
    } else {
        q.object.clone()
    };
    let reasoning = q
        .reasoning
        .as_deref()
        .map(|r| format!("<br><i>reasoning: {}</i>", esc(r)))
        .unwrap_or_default();
    format!(
        "<li class=\"{}\"><a href=\"/{}\"><b>{}</b></a> {} → {} <span class=\"quote\">“{}”</span> — <a href=\"/{}?hl={}-{}#hl\">《{}》</a> ({}){}</li>",
        q.status,
        esc(local_path(&q.evidence)),
        esc(&vocab::shorten(&q.predicate)),
        esc(&labels.display(&q.subject)),
        esc(&object),
        esc(&q.exact),
        esc(local_path(&q.document)),
        q.start,
        q.end,
        esc(&q.document_title),
        esc(&q.document_date),
        reasoning
    )
}

// ------------------------------------------------------------------------------------------------ ontology

/// `GET /ontology`: the ontology as Turtle (the file as written, with its comments and definitions).
pub(super) async fn ontology() -> Response {
    let text: String = crate::data::bundle::ontology()
        .map(|f| f.text)
        .collect::<Vec<_>>()
        .join("\n");
    ([(header::CONTENT_TYPE, "text/turtle; charset=utf-8")], text).into_response()
}

// ------------------------------------------------------------------------------------------------ evidence

/// The fact and quotes of an evidence annotation, one row per quote.
const EVIDENCE_QUERY: &str = "SELECT ?this ?s ?p ?o (isIRI(?o) AS ?oiri) ?status ?reason ?doc ?exact ?start ?end WHERE {
   ?this a pk:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; pk:epistemicStatus ?status ; oa:hasTarget ?t .
   ?t oa:hasSource ?doc ; oa:hasSelector ?q, ?pos . ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end .
   OPTIONAL { ?this pk:reasoning ?reason } } ORDER BY ?doc ?start";

/// `GET /evidence/{id}`: an evidence annotation, the fact, its status, the quotes with links into the
/// highlighted sources; or its RDF.
pub(super) async fn evidence_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(iri) = ids::evidence(&id) else {
        return not_found();
    };
    let Some(format) = negotiate(accept(&headers), RESOURCE_TYPES) else {
        return not_acceptable();
    };
    let store = state.store.clone();
    let labels = state.labels();
    let work = move |token| evidence_bytes(&store, &labels, &iri, format, token);
    match blocking(Some(state.config.timeout), work).await {
        Ok(Some(bytes)) => ([(header::CONTENT_TYPE, format.media_type())], bytes).into_response(),
        Ok(None) => error_response(StatusCode::NOT_FOUND, "no such evidence annotation"),
        Err(response) => response,
    }
}

/// An evidence annotation's page or RDF, or None when the store holds no such annotation.
fn evidence_bytes(
    store: &Store,
    labels: &LabelIndex,
    iri: &NamedNode,
    format: Page,
    token: CancellationToken,
) -> Result<Option<Vec<u8>>> {
    let rows = select_about(store, EVIDENCE_QUERY, iri, token)?;
    if rows.is_empty() {
        return Ok(None);
    }
    match format {
        Page::Rdf(rdf) => resource_rdf(store, iri.as_str(), rdf).map(Some),
        Page::Html => Ok(Some(evidence_html(labels, iri, &rows).into_bytes())),
    }
}

fn evidence_html(labels: &LabelIndex, iri: &NamedNode, rows: &[Row]) -> String {
    let mut html = String::new();
    if let Some(first) = rows.first() {
        html.push_str(&evidence_head(iri, first, labels));
    }
    html.push_str("<ul class=\"evidence\">");
    for r in rows {
        html.push_str(&format!(
            "<li><span class=\"quote\">“{}”</span> — <a href=\"/{}?hl={}-{}#hl\">{}</a></li>",
            esc(r.get("exact")),
            esc(local_path(r.get("doc"))),
            esc(r.get("start")),
            esc(r.get("end")),
            esc(&labels.display(r.get("doc")))
        ));
    }
    html.push_str("</ul></body></html>");
    html
}

/// The head of an evidence page: the fact, its status, the reasoning of an inference.
fn evidence_head(iri: &NamedNode, first: &Row, labels: &LabelIndex) -> String {
    let (s, o) = (first.get("s"), first.get("o"));
    let object = if first.get("oiri") == "true" {
        local_link(o, &labels.display(o))
    } else {
        esc(o)
    };
    let status = match Provenance::of_status(first.get("status")) {
        Provenance::Inferred => "inferred 推断",
        Provenance::ImpliedActor => "implied actor 隐含主语",
        _ => "stated 明确陈述",
    };
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Evidence · policykg</title>{PAGE_STYLE}</head><body>\
         <p><a href=\"/\">policykg</a></p><h1>Evidence 证据</h1><p><code>{}</code></p><p>{} <b>{}</b> {} — {}</p>",
        esc(iri.as_str()),
        local_link(s, &labels.display(s)),
        esc(&vocab::shorten(first.get("p"))),
        object,
        status
    );
    if let Some(reason) = first.opt("reason") {
        html.push_str(&format!("<p><i>reasoning: {}</i></p>", esc(reason)));
    }
    html
}

// ------------------------------------------------------------------------------------------------ documents

/// A source document's titles, text and dates.
const DOCUMENT_QUERY: &str = "SELECT ?this ?title ?en ?text ?issued ?year WHERE { ?this a pk:SourceDocument ; pk:text ?text ; pk:yearCovered ?year ;
   dcterms:title ?title, ?en FILTER(LANG(?title) = \"zh\" && LANG(?en) = \"en\")
   OPTIONAL { ?this dcterms:issued ?issued } }";

/// `GET /doc/{id}?hl=START-END`: a source document's text, the characters START..END highlighted.
pub(super) async fn document_page(
    State(state): State<Shared>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(iri) = ids::document(&id) else {
        return not_found();
    };
    let highlight = param(&raw, "hl").and_then(|h| highlight_range(&h));
    let store = state.store.clone();
    let work = move |token| -> Result<Option<String>> {
        let rows = select_about(&store, DOCUMENT_QUERY, &iri, token)?;
        Ok(rows.first().map(|r| document_html(&iri, r, highlight)))
    };
    match blocking(Some(state.config.timeout), work).await {
        Ok(Some(html)) => Html(html).into_response(),
        Ok(None) => error_response(StatusCode::NOT_FOUND, "no such source document"),
        Err(response) => response,
    }
}

/// The character range of `?hl=START-END`, or None when it is not two numbers.
fn highlight_range(hl: &str) -> Option<(usize, usize)> {
    let (a, b) = hl.split_once('-')?;
    Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
}

/// A text, escaped, with the characters `start..end` marked when they lie in it.
fn highlighted(text: &str, highlight: Option<(usize, usize)>) -> String {
    let chars: Vec<char> = text.chars().collect();
    match highlight {
        Some((a, b)) if a <= b && b <= chars.len() => format!(
            "{}<mark id=\"hl\">{}</mark>{}",
            esc(&chars[..a].iter().collect::<String>()),
            esc(&chars[a..b].iter().collect::<String>()),
            esc(&chars[b..].iter().collect::<String>())
        ),
        _ => esc(text),
    }
}

fn document_html(iri: &NamedNode, r: &Row, highlight: Option<(usize, usize)>) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{t}</title>{PAGE_STYLE}</head><body>\
         <p><a href=\"/\">policykg</a></p><h1>{t}</h1><p>{en}</p><p>Published 发布: {issued} · covers {year} · <code>{iri}</code></p>\
         <pre class=\"text\">{text}</pre></body></html>",
        t = esc(r.get("title")),
        en = esc(r.get("en")),
        issued = r.opt("issued").map_or_else(|| "unknown".to_owned(), esc),
        year = esc(r.get("year")),
        iri = esc(iri.as_str()),
        text = highlighted(r.get("text"), highlight),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_characters_in_range_only() {
        assert_eq!(
            highlighted("数据<局>", Some((1, 3))),
            "数<mark id=\"hl\">据&lt;</mark>局&gt;"
        );
        assert_eq!(highlighted("ab", Some((1, 3))), "ab");
        assert_eq!(highlighted("ab", Some((2, 1))), "ab");
        assert_eq!(highlighted("a&b", None), "a&amp;b");
    }

    #[test]
    fn page_queries_bind_the_resource_as_a_term() {
        let store = Store::new().unwrap();
        let doc = NamedNode::new("https://w3id.org/policykg/doc/d").unwrap();
        let rows = select_about(&store, DOCUMENT_QUERY, &doc, CancellationToken::new()).unwrap();
        assert!(rows.is_empty());
        let rows = select_about(&store, EVIDENCE_QUERY, &doc, CancellationToken::new()).unwrap();
        assert!(rows.is_empty());
    }

    #[test]
    fn page_queries_see_only_their_resource() {
        let store = Store::new().unwrap();
        let data = "@prefix pk: <https://w3id.org/policykg/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> .
            <https://w3id.org/policykg/graph/g> {
            <https://w3id.org/policykg/doc/a> a pk:SourceDocument ; pk:text \"甲\" ; pk:yearCovered 2024 ;
                dcterms:title \"甲\"@zh, \"A\"@en .
            <https://w3id.org/policykg/doc/b> a pk:SourceDocument ; pk:text \"乙\" ; pk:yearCovered 2025 ;
                dcterms:title \"乙\"@zh, \"B\"@en ; dcterms:issued \"2025-01-01\" . }";
        store
            .load_from_slice(oxigraph::io::RdfFormat::TriG, data.as_bytes())
            .unwrap();
        let b = NamedNode::new("https://w3id.org/policykg/doc/b").unwrap();
        let rows = select_about(&store, DOCUMENT_QUERY, &b, CancellationToken::new()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].get("en"), "B");
        assert_eq!(rows[0].get("issued"), "2025-01-01");
        let html = document_html(&b, &rows[0], Some((0, 1)));
        assert!(
            html.contains("<mark id=\"hl\">乙</mark>")
                && html.contains("Published 发布: 2025-01-01")
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

            /// `?hl=A-B` from the query string: any numbers on any text mark a span inside it or nothing, and
            /// the text itself is never cut or left unescaped.
            #[test]
            fn any_highlight_marks_inside_the_text_or_nothing(text in any::<String>(), hl in "[0-9]{0,22}-?[0-9]{0,22}") {
                let raw = Some(format!("hl={hl}"));
                let range = param(&raw, "hl").and_then(|h| highlight_range(&h));
                let html = highlighted(&text, range);
                prop_assert_eq!(html.replace("<mark id=\"hl\">", "").replace("</mark>", ""), esc(&text));
            }
        }
    }
}
