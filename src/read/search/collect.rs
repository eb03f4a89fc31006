//! What the index is built from, read from the store: the document texts cut into sentences, the evidence
//! quotes, labels and aliases, the string literals of user graphs, and the side file.

use std::collections::HashMap;

use oxigraph::model::{GraphNameRef, Term};
use oxigraph::store::Store;

use super::build::{user_graph_names, DocumentText, Passage, Sidecar};
use super::Scope;
use crate::data::seeds;
use crate::model::error::{Error, Result};
use crate::model::vocab;
use crate::read::query::{self, Row};

/// Every passage of the store, and the side file.
pub(super) fn collect(store: &Store) -> Result<(Vec<Passage>, Sidecar)> {
    let mut side = Sidecar::default();
    let mut passages = Vec::new();
    for row in query::select_strings(
        store,
        "SELECT ?doc ?title ?text WHERE {
           ?doc a pk:SourceDocument ; pk:text ?text .
           OPTIONAL { ?doc dcterms:title ?title FILTER(LANG(?title) = \"zh\") }
         } ORDER BY ?doc",
    )? {
        let document = DocumentText {
            iri: row.string("doc"),
            title: row.string("title"),
            text: row.string("text"),
            chars: Vec::new(),
            sentences: Vec::new(),
        };
        for sentence in seeds::sentences(&document.text) {
            let start = sentence.start;
            passages.push(passage(
                Scope::Texts,
                Some(&document.iri),
                start,
                sentence.text,
            ));
        }
        side.documents.push(document);
    }
    labels(store, &mut passages, &mut side)?;
    quotes_and_spans(store, &mut passages, &mut side)?;
    literals(store, &mut passages)?;
    Ok((passages, side))
}

fn passage(scope: Scope, document: Option<&str>, start: usize, text: String) -> Passage {
    Passage {
        scope: Some(scope),
        document: document.map(str::to_owned),
        start,
        text,
        ..Passage::default()
    }
}

/// Every label and alias as a passage; the display label of each entity into the side file.
fn labels(store: &Store, passages: &mut Vec<Passage>, side: &mut Sidecar) -> Result<()> {
    let rows = query::select_strings(
        store,
        "SELECT ?e ?p ?l (LANG(?l) AS ?lang) WHERE {
           VALUES ?p { skos:prefLabel skos:altLabel rdfs:label }
           ?e ?p ?l FILTER(isIRI(?e) && isLITERAL(?l))
         }",
    )?;
    // Sorted here: ORDER BY in the query decodes every term at each comparison (190 of its 250 ms).
    let mut rows = rows;
    rows.sort_by_cached_key(|r: &Row| {
        (
            r.string("e"),
            r.string("p"),
            r.string("l"),
            r.string("lang"),
        )
    });
    // Rank of a label for display: zh preferred first, then en preferred, then any.
    let mut best: HashMap<String, (u8, String)> = HashMap::new();
    for row in rows {
        let (e, p, l) = (row.get("e"), row.get("p"), row.get("l"));
        let pref = !p.ends_with("altLabel");
        let rank = match (row.get("lang"), pref) {
            ("zh", true) => 0,
            ("en", true) | ("", true) => 1,
            _ => 2,
        };
        match best.get(e) {
            Some((r, _)) if *r <= rank => {}
            _ => {
                best.insert(e.to_owned(), (rank, l.to_owned()));
            }
        }
        let mut p = passage(Scope::Labels, None, 0, l.to_owned());
        p.subject = Some(e.to_owned());
        p.predicate = Some(row.string("p"));
        passages.push(p);
    }
    side.labels = best.into_iter().map(|(e, (_, l))| (e, l)).collect();
    Ok(())
}

/// Every evidence quote as a passage, and where each entity is named in each document: the offsets of the
/// evidence of its facts and mentions.
fn quotes_and_spans(store: &Store, passages: &mut Vec<Passage>, side: &mut Sidecar) -> Result<()> {
    let rows = query::select_strings(
        store,
        "SELECT ?ev ?doc ?exact ?start ?end ?s ?o WHERE {
           ?ev a pk:Evidence ; oa:hasTarget ?t . ?t oa:hasSource ?doc ; oa:hasSelector ?q, ?pos .
           ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end .
           OPTIONAL { ?ev rdf:subject ?s ; rdf:object ?o }
         }",
    )?;
    // Sorted here, by document, offset and annotation: ORDER BY in the query costs 100 ms more.
    let mut rows = rows;
    rows.sort_by_cached_key(|r| {
        let start: usize = r.get("start").parse().unwrap_or(usize::MAX);
        (r.string("doc"), start, r.string("ev"))
    });
    let documents: Vec<&str> = side.documents.iter().map(|d| d.iri.as_str()).collect();
    let is_entity = |iri: &str| {
        iri.contains("://")
            && !documents.contains(&iri)
            && (iri.starts_with(vocab::ID) || side.labels.contains_key(iri))
    };
    let mut spans: std::collections::BTreeMap<String, Vec<(usize, usize, String)>> =
        Default::default();
    let mut last: Option<String> = None;
    for row in rows {
        let (Ok(start), Ok(end)) = (row.get("start").parse(), row.get("end").parse()) else {
            continue;
        };
        if last.as_deref() != Some(row.get("ev")) {
            let exact = row.string("exact");
            let mut quote = passage(Scope::Quotes, Some(row.get("doc")), start, exact);
            quote.subject = Some(row.string("ev"));
            passages.push(quote);
            last = Some(row.string("ev"));
        }
        for entity in [row.get("s"), row.get("o")] {
            if is_entity(entity) {
                spans
                    .entry(row.string("doc"))
                    .or_default()
                    .push((start, end, entity.to_owned()));
            }
        }
    }
    for list in spans.values_mut() {
        list.sort();
        list.dedup();
    }
    side.spans = spans;
    Ok(())
}

/// The string literals (plain or with a language) of the graphs users loaded.
fn literals(store: &Store, passages: &mut Vec<Passage>) -> Result<()> {
    for graph in user_graph_names(store)? {
        let name = match &graph {
            Some(g) => g.as_ref().into(),
            None => GraphNameRef::DefaultGraph,
        };
        for quad in store.quads_for_pattern(None, None, None, Some(name)) {
            let quad = quad.map_err(|e| Error::Usage(format!("search index: {e}")))?;
            let Term::Literal(literal) = &quad.object else {
                continue;
            };
            let datatype = literal.datatype().as_str();
            if !(datatype.ends_with("#string") || datatype.ends_with("#langString")) {
                continue;
            }
            let mut p = passage(Scope::Literals, None, 0, literal.value().to_owned());
            p.subject = match &quad.subject {
                oxigraph::model::NamedOrBlankNode::NamedNode(n) => Some(n.as_str().to_owned()),
                other => Some(other.to_string()),
            };
            p.predicate = Some(quad.predicate.as_str().to_owned());
            p.graph = graph.as_ref().map(|g| g.to_string());
            passages.push(p);
        }
    }
    Ok(())
}
