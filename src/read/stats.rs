//! `policykg stats`: how big the graph is, per named graph and per class.

use oxigraph::store::Store;
use serde::{Deserialize, Serialize};

use crate::data::derived;
use crate::data::store::KgStore;
use crate::model::error::Result;
use crate::read::query;

/// The size of the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stats {
    /// (graph IRI, triples), the default graph as "(default graph)".
    pub graphs: Vec<(String, usize)>,
    /// (class IRI, zh label, en label, entities).
    pub classes: Vec<(String, String, String, usize)>,
    /// Every quad, all graphs together.
    pub total_quads: usize,
}

/// The counts of an opened store: counting reads every quad, so they are kept beside the store until it changes
/// (see [`crate::data::derived`]).
pub fn of_store(kg: &KgStore) -> Result<Stats> {
    derived::cached(kg, "stats", || stats(kg.store()))
}

/// Count triples per named graph and entities per class.
pub fn stats(store: &Store) -> Result<Stats> {
    let graphs = query::select_strings(
        store,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    )?;
    let mut graphs: Vec<(String, usize)> = graphs
        .into_iter()
        .map(|r| (r.string("g"), r.get("n").parse().unwrap_or(0)))
        .collect();
    let in_default = store
        .quads_for_pattern(
            None,
            None,
            None,
            Some(oxigraph::model::GraphNameRef::DefaultGraph),
        )
        .try_fold(0usize, |n, q| q.map(|_| n + 1))
        .map_err(crate::model::error::Error::storage)?;
    if in_default > 0 {
        graphs.insert(0, ("(default graph)".into(), in_default));
    }
    let classes = query::select_strings(
        store,
        "SELECT ?c (SAMPLE(?zh0) AS ?zh) (SAMPLE(?en0) AS ?en) (COUNT(DISTINCT ?e) AS ?n) WHERE {
           GRAPH ?g { ?e a ?c } FILTER(?g != pkg:entailed && STRSTARTS(STR(?c), STR(pk:)))
           FILTER NOT EXISTS { GRAPH pkg:ontology { ?e ?anything ?value } }
           OPTIONAL { ?c rdfs:label ?zh0 FILTER(LANG(?zh0) = \"zh\") }
           OPTIONAL { ?c rdfs:label ?en0 FILTER(LANG(?en0) = \"en\") }
         } GROUP BY ?c ORDER BY DESC(?n) ?c",
    )?;
    Ok(Stats {
        total_quads: graphs.iter().map(|(_, n)| n).sum(),
        graphs,
        classes: classes
            .into_iter()
            .map(|r| {
                (
                    r.string("c"),
                    r.string("zh"),
                    r.string("en"),
                    r.get("n").parse().unwrap_or(0),
                )
            })
            .collect(),
    })
}
