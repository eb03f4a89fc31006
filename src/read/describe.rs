//! `policykg describe`: everything the graph says about one entity, with labels, in both directions, and the
//! source documents that support it.

use std::collections::HashSet;

use oxigraph::model::NamedNode;
use oxigraph::store::Store;
use serde::Serialize;

use crate::model::error::Result;
use crate::model::vocab::{self, Provenance};
use crate::read::query;
use crate::read::resolve::LabelIndex;

/// One relation of the entity, outgoing or incoming.
#[derive(Debug, Clone, Serialize)]
pub struct Relation {
    /// The property IRI.
    pub predicate: String,
    /// Its label.
    pub predicate_label: String,
    /// The other end: an IRI or a literal value.
    pub other: String,
    /// Whether `other` is an IRI (a literal is never a link, even when its text holds "://").
    #[serde(skip)]
    pub other_is_iri: bool,
    /// The other end's label (or the literal value).
    pub other_label: String,
    /// How the relation came to be in the store.
    pub status: Provenance,
}

/// Everything the graph says about one entity.
#[derive(Debug, Clone, Serialize)]
pub struct Description {
    /// The entity's IRI.
    pub iri: String,
    /// Its zh preferred label.
    pub label_zh: Option<String>,
    /// Its en preferred label.
    pub label_en: Option<String>,
    /// Its other names (`skos:altLabel`).
    pub aliases: Vec<String>,
    /// Its classes.
    pub types: Vec<String>,
    /// Curators' scope notes.
    pub notes: Vec<String>,
    /// Relations from it.
    pub outgoing: Vec<Relation>,
    /// Relations to it.
    pub incoming: Vec<Relation>,
    /// (document IRI, title) of every document that states or mentions something about it.
    pub sources: Vec<(String, String)>,
}

const SKIPPED: &[&str] = &[
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#scopeNote",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "https://w3id.org/policykg/ontology#text",
];

/// Everything the graph says about `entity`: labels, types and notes, relations both ways, and sources.
pub fn describe(store: &Store, entity: &NamedNode, labels: &LabelIndex) -> Result<Description> {
    let e = entity.to_string();
    let (aliases, types, notes) = names_and_types(store, &e)?;
    let implied = implied_actors(store, &e)?;
    Ok(Description {
        iri: entity.as_str().to_owned(),
        label_zh: labels.zh(entity.as_str()),
        label_en: labels.en(entity.as_str()),
        aliases,
        types,
        notes,
        outgoing: relations(store, entity, Direction::Outgoing, labels, &implied)?,
        incoming: relations(store, entity, Direction::Incoming, labels, &implied)?,
        sources: sources(store, &e)?,
    })
}

/// Aliases and types (sorted, without repeats) and scope notes.
fn names_and_types(store: &Store, e: &str) -> Result<(Vec<String>, Vec<String>, Vec<String>)> {
    let rows = query::select_strings(
        store,
        &format!(
            "SELECT ?p ?v (LANG(?v) AS ?lang) WHERE {{ GRAPH ?g {{ {e} ?p ?v }}
               FILTER(?g != pkg:entailed && ?p IN (skos:altLabel, rdf:type, skos:scopeNote)) }}"
        ),
    )?;
    let (mut aliases, mut types, mut notes) = (vec![], vec![], vec![]);
    for r in rows {
        let value = r.string("v");
        match r.get("p").rsplit(['#', '/']).next().unwrap_or("") {
            "altLabel" => aliases.push(value),
            "type" => types.push(value),
            "scopeNote" => notes.push(value),
            _ => {}
        }
    }
    aliases.sort();
    aliases.dedup();
    types.sort();
    types.dedup();
    Ok((aliases, types, notes))
}

/// A relation of the entity as the rows name it: graph, subject, predicate, object.
type Stated = (String, String, String, String);

/// The relations of the entity, either way, whose evidence says their actor is implied
/// (`pk:StatedImplicitSubject`). One query anchored on the entity: asking it of every relation row (an `EXISTS`
/// per row) was a fifth of a cold `describe`.
fn implied_actors(store: &Store, e: &str) -> Result<HashSet<Stated>> {
    let rows = query::select_strings(
        store,
        &format!(
            "SELECT ?g ?s ?p ?o WHERE {{
               {{ GRAPH ?g {{ ?ev rdf:subject {e} ; pk:epistemicStatus pk:StatedImplicitSubject ;
                   rdf:predicate ?p ; rdf:object ?o }} BIND({e} AS ?s) }}
               UNION
               {{ GRAPH ?g {{ ?ev rdf:object {e} ; pk:epistemicStatus pk:StatedImplicitSubject ;
                   rdf:predicate ?p ; rdf:subject ?s }} BIND({e} AS ?o) }}
             }}"
        ),
    )?;
    Ok(rows
        .iter()
        .map(|r| {
            let [g, s, p, o] = ["g", "s", "p", "o"].map(|v| r.string(v));
            (g, s, p, o)
        })
        .collect())
}

/// Which way a relation runs from the described entity.
#[derive(Clone, Copy)]
enum Direction {
    Outgoing,
    Incoming,
}

/// The relations of the entity one way, sorted by property and other end. Incoming, the evidence annotations
/// about the entity are left out (they are its sources, listed apart).
fn relations(
    store: &Store,
    entity: &NamedNode,
    direction: Direction,
    labels: &LabelIndex,
    implied: &HashSet<Stated>,
) -> Result<Vec<Relation>> {
    let (pattern, not_evidence) = match direction {
        Direction::Outgoing => (format!("{entity} ?p ?other"), String::new()),
        Direction::Incoming => (
            format!("?other ?p {entity}"),
            format!(
                "FILTER NOT EXISTS {{ ?other a pk:Evidence }} FILTER(!STRSTARTS(STR(?other), \"{}\"))",
                vocab::EVIDENCE
            ),
        ),
    };
    let rows = query::select_strings(
        store,
        &format!(
            "SELECT DISTINCT ?p ?other ?g (isIRI(?other) AS ?iri) WHERE {{ GRAPH ?g {{ {pattern} }}
               FILTER(?g != pkg:entailed) {not_evidence} }} ORDER BY ?p ?other"
        ),
    )?;
    let entity = entity.as_str();
    Ok(rows
        .iter()
        .filter(|r| !SKIPPED.contains(&r.get("p")))
        .map(|r| {
            let (p, other) = (r.get("p"), r.get("other"));
            let is_iri = r.get("iri") == "true";
            let (s, o) = match direction {
                Direction::Outgoing => (entity, other),
                Direction::Incoming => (other, entity),
            };
            let stated = (r.string("g"), s.to_owned(), p.to_owned(), o.to_owned());
            Relation {
                predicate_label: labels.display(p),
                other_label: match (direction, is_iri) {
                    (Direction::Outgoing, false) => other.to_owned(),
                    _ => labels.display(other),
                },
                predicate: p.to_owned(),
                other: other.to_owned(),
                other_is_iri: is_iri,
                status: Provenance::of_evidence(r.get("g"), implied.contains(&stated)),
            }
        })
        .collect())
}

/// The documents whose quotes support or mention the entity, with their zh titles.
fn sources(store: &Store, e: &str) -> Result<Vec<(String, String)>> {
    let rows = query::select_strings(
        store,
        &format!(
            // Anchored on the entity: a `?ev a pk:Evidence` pattern here makes the optimiser start from every
            // evidence item (a third of describe's time); what has rdf:subject and a source is evidence anyway.
            "SELECT DISTINCT ?doc ?title WHERE {{
               {{ ?ev rdf:subject {e} }} UNION {{ ?ev rdf:object {e} }}
               ?ev oa:hasTarget ?target . ?target oa:hasSource ?doc .
               OPTIONAL {{ ?doc dcterms:title ?title FILTER(LANG(?title) = \"zh\") }}
             }} ORDER BY ?doc"
        ),
    )?;
    Ok(rows
        .into_iter()
        .map(|r| (r.string("doc"), r.string("title")))
        .collect())
}

/// The description as text for a person: labels, then tables of relations, then sources.
pub fn render_text(d: &Description, labels: &LabelIndex) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{}  {}\n",
        d.label_zh.as_deref().unwrap_or("(no zh label)"),
        d.label_en.as_deref().unwrap_or("(no en label)")
    ));
    out.push_str(&format!(
        "  IRI      {}  ({})\n",
        d.iri,
        vocab::shorten(&d.iri)
    ));
    if !d.aliases.is_empty() {
        out.push_str(&format!("  aliases  {}\n", d.aliases.join(", ")));
    }
    let types: Vec<String> = d
        .types
        .iter()
        .map(|t| format!("{} ({})", vocab::shorten(t), labels.display(t)))
        .collect();
    out.push_str(&format!("  types    {}\n", types.join(", ")));
    for note in &d.notes {
        out.push_str(&format!("  note     {note}\n"));
    }
    let section = |title: &str, relations: &[Relation], arrow: &str| -> String {
        if relations.is_empty() {
            return String::new();
        }
        let mut table = query::new_table(vec!["relation".into(), arrow.into(), "status".into()]);
        for r in relations {
            table.add_row(vec![
                format!("{} ({})", vocab::shorten(&r.predicate), r.predicate_label),
                r.other_label.clone(),
                r.status.to_string(),
            ]);
        }
        format!("\n{title} ({})\n{table}\n", relations.len())
    };
    out.push_str(&section("Outgoing relations", &d.outgoing, "object"));
    out.push_str(&section("Incoming relations", &d.incoming, "subject"));
    out.push_str(&format!("\nSources ({})\n", d.sources.len()));
    for (doc, title) in &d.sources {
        out.push_str(&format!("  {}  {}\n", vocab::shorten(doc), title));
    }
    out
}
