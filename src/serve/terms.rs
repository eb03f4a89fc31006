//! `GET /api/terms`: what the query editor completes and how the results name IRIs: the predeclared prefixes,
//! the ontology's classes and properties, the predicates in use, and every labelled entity, each with its zh and
//! en labels. One JSON answer, read once per page load; the labels come from the one label index
//! (`read::resolve::LabelIndex`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use oxigraph::store::Store;
use serde::Serialize;

use super::Shared;
use crate::model::error::{Error, Result};
use crate::model::vocab;
use crate::read::query;
use crate::read::resolve::LabelIndex;

/// One name the editor can complete.
#[derive(Serialize, Debug, PartialEq)]
struct Term {
    /// The full IRI.
    iri: String,
    /// Its prefixed name (`pk:issuedBy`), or `<iri>` outside the known namespaces.
    name: String,
    /// `class`, `property` or `entity`: classes and properties complete after `a` and in predicate position
    /// alike, so the kind only orders and tags the list.
    kind: &'static str,
    /// The zh preferred label, or empty.
    zh: String,
    /// The en preferred label, or empty.
    en: String,
}

/// The whole answer.
#[derive(Serialize)]
struct Terms {
    /// `[prefix, namespace]` in the order `policykg prefixes` lists them.
    prefixes: Vec<[&'static str; 2]>,
    /// Classes, then properties, then entities, each sorted by name.
    terms: Vec<Term>,
}

/// The ontology's classes and properties, and every predicate the store uses.
const KINDS: &str = "SELECT DISTINCT ?iri ?kind WHERE {
   { ?iri a ?type FILTER(?type IN (owl:Class, rdfs:Class)) BIND(\"class\" AS ?kind) }
   UNION { ?iri a ?type FILTER(?type IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty, rdf:Property)) BIND(\"property\" AS ?kind) }
   UNION { { SELECT DISTINCT ?iri WHERE { GRAPH ?g { [] ?iri [] } } } BIND(\"property\" AS ?kind) }
   FILTER(isIRI(?iri)) }";

/// The terms of a store: classes and properties by kind, every other labelled IRI as an entity.
fn terms(store: &Store, labels: &LabelIndex) -> Result<Terms> {
    let mut kinds: BTreeMap<String, &'static str> = BTreeMap::new();
    for row in query::select_strings(store, KINDS)? {
        let kind = if row.get("kind") == "class" {
            "class"
        } else {
            "property"
        };
        // A class that is also used as a predicate somewhere stays a class.
        let entry = kinds.entry(row.get("iri").to_owned()).or_insert(kind);
        if kind == "class" {
            *entry = kind;
        }
    }
    let mut by_iri: BTreeMap<String, Term> = BTreeMap::new();
    for (iri, kind) in &kinds {
        by_iri.insert(iri.clone(), term(iri, kind, "", ""));
    }
    for [iri, zh, en] in labels.labelled() {
        let kind = kinds.get(&iri).copied().unwrap_or("entity");
        by_iri.insert(iri.clone(), term(&iri, kind, &zh, &en));
    }
    let rank = |t: &Term| {
        ["class", "property", "entity"]
            .iter()
            .position(|k| *k == t.kind)
    };
    let mut terms: Vec<Term> = by_iri.into_values().collect();
    terms.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name)));
    Ok(Terms {
        prefixes: vocab::PREFIXES.iter().map(|(p, ns)| [*p, *ns]).collect(),
        terms,
    })
}

/// One term with its prefixed name.
fn term(iri: &str, kind: &'static str, zh: &str, en: &str) -> Term {
    Term {
        iri: iri.to_owned(),
        name: vocab::shorten(iri),
        kind,
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

/// `GET /api/terms`: built once per update (it reads every predicate the store uses), as JSON.
pub(super) async fn api_terms(State(state): State<Shared>) -> Response {
    let store = state.store.clone();
    let labels = state.labels();
    let work = move |_| -> Result<Bytes> {
        let json = serde_json::to_vec(&terms(&store, &labels)?)
            .map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))?;
        Ok(Bytes::from(json))
    };
    match state.until_updated("/api/terms", work).await {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::store::KgStore;

    #[test]
    fn classes_properties_and_entities_with_their_labels() {
        let kg = KgStore::in_memory().unwrap();
        let labels = LabelIndex::load(kg.store(), None).unwrap();
        let answer = terms(kg.store(), &labels).unwrap();
        let find = |name: &str| answer.terms.iter().find(|t| t.name == name).unwrap();
        let issued = find("pk:issuedBy");
        assert_eq!(issued.kind, "property");
        assert!(!issued.zh.is_empty() && !issued.en.is_empty(), "{issued:?}");
        assert_eq!(find("pk:Agency").kind, "class");
        assert_eq!(find("skos:prefLabel").kind, "property");
        let sufuban = find("pkid:sufuban");
        assert_eq!((sufuban.kind, sufuban.zh.as_str()), ("entity", "苏服办"));
        assert!(answer.prefixes.contains(&["pk", vocab::PK]));
        let kinds: Vec<&str> = answer.terms.iter().map(|t| t.kind).collect();
        assert!(
            kinds.is_sorted_by_key(|k| ["class", "property", "entity"].iter().position(|x| x == k))
        );
    }
}
