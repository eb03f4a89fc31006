//! `policykg describe`: everything the graph says about one entity, with labels, in both directions, and the
//! source documents that support it.

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
    pub predicate: String,
    pub predicate_label: String,
    /// The other end: an IRI or a literal value.
    pub other: String,
    pub other_label: String,
    /// How the relation came to be in the store.
    pub status: Provenance,
}

#[derive(Debug, Clone, Serialize)]
pub struct Description {
    pub iri: String,
    pub label_zh: Option<String>,
    pub label_en: Option<String>,
    pub aliases: Vec<String>,
    pub types: Vec<String>,
    pub notes: Vec<String>,
    pub outgoing: Vec<Relation>,
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

pub fn describe(store: &Store, entity: &NamedNode, labels: &LabelIndex) -> Result<Description> {
    let e = entity.to_string();
    let rows = query::select_strings(
        store,
        &format!(
            "SELECT ?p ?v (LANG(?v) AS ?lang) WHERE {{ {e} ?p ?v
               FILTER(?p IN (skos:altLabel, rdf:type, skos:scopeNote)) }}"
        ),
    )?;
    let mut description = Description {
        iri: entity.as_str().to_owned(),
        label_zh: labels.zh(entity.as_str()).map(str::to_owned),
        label_en: labels.en(entity.as_str()).map(str::to_owned),
        aliases: vec![],
        types: vec![],
        notes: vec![],
        outgoing: vec![],
        incoming: vec![],
        sources: vec![],
    };
    for r in rows {
        let value = r.string("v");
        match r.get("p").rsplit(['#', '/']).next().unwrap_or("") {
            "altLabel" => description.aliases.push(value),
            "type" => description.types.push(value),
            "scopeNote" => description.notes.push(value),
            _ => {}
        }
    }
    description.aliases.sort();
    description.aliases.dedup();
    description.types.sort();
    description.types.dedup();
    let outgoing = query::select_strings(
        store,
        &format!("SELECT DISTINCT ?p ?o ?g WHERE {{ GRAPH ?g {{ {e} ?p ?o }} }} ORDER BY ?p ?o"),
    )?;
    for r in outgoing {
        let (p, o) = (r.get("p"), r.get("o"));
        if SKIPPED.contains(&p) {
            continue;
        }
        description.outgoing.push(Relation {
            predicate_label: labels.display(p),
            other_label: if o.contains("://") {
                labels.display(o)
            } else {
                o.to_owned()
            },
            predicate: p.to_owned(),
            other: o.to_owned(),
            status: Provenance::of_graph(r.get("g")),
        });
    }
    let incoming = query::select_strings(
        store,
        &format!(
            "SELECT DISTINCT ?p ?s ?g WHERE {{ GRAPH ?g {{ ?s ?p {e} }}
               FILTER NOT EXISTS {{ ?s a pk:Evidence }}
               FILTER(!STRSTARTS(STR(?s), \"{ev}\")) }} ORDER BY ?p ?s",
            ev = vocab::EVIDENCE
        ),
    )?;
    for r in incoming {
        let (p, s) = (r.get("p"), r.get("s"));
        if SKIPPED.contains(&p) {
            continue;
        }
        description.incoming.push(Relation {
            predicate_label: labels.display(p),
            other_label: labels.display(s),
            predicate: p.to_owned(),
            other: s.to_owned(),
            status: Provenance::of_graph(r.get("g")),
        });
    }
    let sources = query::select_strings(
        store,
        &format!(
            "SELECT DISTINCT ?doc ?title WHERE {{
               ?ev a pk:Evidence ; oa:hasTarget/oa:hasSource ?doc .
               {{ ?ev rdf:subject {e} }} UNION {{ ?ev rdf:object {e} }}
               OPTIONAL {{ ?doc dcterms:title ?title FILTER(LANG(?title) = \"zh\") }}
             }} ORDER BY ?doc"
        ),
    )?;
    description.sources = sources
        .into_iter()
        .map(|r| (r.string("doc"), r.string("title")))
        .collect();
    Ok(description)
}

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
