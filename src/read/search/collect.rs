//! What the index is built from, read from the store: the document texts cut into sentences, the evidence
//! quotes, the bundle's labels and aliases, and the side file ([`collect`]); then the string literals of the
//! graphs users loaded, streamed ([`literals`]).

use std::collections::HashMap;

use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Term};
use oxigraph::store::Store;

use super::build::{user_graph_names, DocumentText, Passage, Sidecar};
use super::Scope;
use crate::data::labels::{self, LabelKind};
use crate::data::seeds;
use crate::model::error::{Error, Result};
use crate::model::vocab;
use crate::read::query;

/// The passages of the bundle (texts, labels, quotes), and the side file.
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
                &[Scope::Texts],
                Some(&document.iri),
                start,
                sentence.text,
            ));
        }
        side.documents.push(document);
    }
    labels(store, &mut passages, &mut side)?;
    quotes_and_spans(store, &mut passages, &mut side)?;
    Ok((passages, side))
}

fn passage(
    scopes: &'static [Scope],
    document: Option<&str>,
    start: usize,
    text: String,
) -> Passage {
    Passage {
        scopes,
        document: document.map(str::to_owned),
        start,
        text,
        ..Passage::default()
    }
}

/// Every label and alias of the bundle's graphs as a passage (a loaded graph's labels come with its literals);
/// the display label of each entity into the side file.
fn labels(store: &Store, passages: &mut Vec<Passage>, side: &mut Sidecar) -> Result<()> {
    let mut rows: Vec<(String, NamedNode, String, String)> = labels::scan(store)?
        .into_iter()
        .map(|l| (l.iri, l.kind.property(), l.value, l.lang))
        .collect();
    // A label stated in several documents' graphs is one passage.
    rows.sort_by(|a, b| (&a.0, a.1.as_str(), &a.2, &a.3).cmp(&(&b.0, b.1.as_str(), &b.2, &b.3)));
    rows.dedup();
    // Rank of a label for display: zh preferred first, then en preferred, then any.
    let mut best: HashMap<String, (u8, String)> = HashMap::new();
    for (e, property, l, lang) in rows {
        let pref = !property.as_str().ends_with("altLabel");
        let rank = match (lang.as_str(), pref) {
            ("zh", true) => 0,
            ("en", true) | ("", true) => 1,
            _ => 2,
        };
        match best.get(&e) {
            Some((r, _)) if *r <= rank => {}
            _ => {
                best.insert(e.clone(), (rank, l.clone()));
            }
        }
        let mut p = passage(&[Scope::Labels], None, 0, l);
        p.subject = Some(e);
        p.predicate = Some(property.into_string());
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
            let mut quote = passage(&[Scope::Quotes], Some(row.get("doc")), start, exact);
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

/// The string literals (plain or with a language) of the graphs users loaded, each handed to `add` as it is read.
/// A label (`skos:prefLabel`, `skos:altLabel`, `rdfs:label`) of an IRI is found in both the `literals` and the
/// `labels` scope.
pub(super) fn literals(store: &Store, add: &mut dyn FnMut(Passage) -> Result<()>) -> Result<()> {
    let label_properties = LabelKind::ALL.map(LabelKind::property);
    for graph in user_graph_names(store)? {
        let name = match &graph {
            Some(g) => g.as_ref().into(),
            None => GraphNameRef::DefaultGraph,
        };
        let graph_name = graph.as_ref().map(|g| g.to_string());
        for quad in store.quads_for_pattern(None, None, None, Some(name)) {
            let quad = quad.map_err(|e| Error::Usage(format!("search index: {e}")))?;
            let Term::Literal(literal) = &quad.object else {
                continue;
            };
            let datatype = literal.datatype().as_str();
            if !(datatype.ends_with("#string") || datatype.ends_with("#langString")) {
                continue;
            }
            let (subject, scopes): (String, &'static [Scope]) = match quad.subject {
                NamedOrBlankNode::NamedNode(n) if label_properties.contains(&quad.predicate) => {
                    (n.into_string(), &[Scope::Literals, Scope::Labels])
                }
                NamedOrBlankNode::NamedNode(n) => (n.into_string(), &[Scope::Literals]),
                other => (other.to_string(), &[Scope::Literals]),
            };
            let mut p = passage(scopes, None, 0, literal.value().to_owned());
            p.subject = Some(subject);
            p.predicate = Some(quad.predicate.into_string());
            p.graph = graph_name.clone();
            add(p)?;
        }
    }
    Ok(())
}
