//! Namespaces, IRIs and prefixes: the one place that knows how policykg names things.

use oxigraph::model::NamedNode;

/// The base every policykg IRI lives under.
pub const BASE: &str = "https://w3id.org/policykg/";
/// The ontology namespace (`pk:`).
pub const PK: &str = "https://w3id.org/policykg/ontology#";
/// Entities: regulations, agencies, platforms, initiatives, events, observations (`pkid:`).
pub const ID: &str = "https://w3id.org/policykg/id/";
/// Source documents (`pkdoc:`).
pub const DOC: &str = "https://w3id.org/policykg/doc/";
/// Named graphs (`pkg:`).
pub const GRAPH: &str = "https://w3id.org/policykg/graph/";
/// Evidence annotations (`pkev:`).
pub const EVIDENCE: &str = "https://w3id.org/policykg/evidence/";

/// The RDF namespace.
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
/// The RDF Schema namespace.
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
/// The OWL namespace.
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
/// The XML Schema datatypes namespace.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// The SKOS (labels, concept schemes) namespace.
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
/// The Dublin Core terms namespace.
pub const DCTERMS: &str = "http://purl.org/dc/terms/";
/// The PROV-O namespace.
pub const PROV: &str = "http://www.w3.org/ns/prov#";
/// The W3C Organization Ontology namespace.
pub const ORG: &str = "http://www.w3.org/ns/org#";
/// The European Legislation Identifier ontology namespace.
pub const ELI: &str = "http://data.europa.eu/eli/ontology#";
/// The Web Annotation namespace.
pub const OA: &str = "http://www.w3.org/ns/oa#";
/// The schema.org namespace.
pub const SCHEMA: &str = "https://schema.org/";

/// The prefixes every query may use without declaring them, in the order `policykg prefixes` lists them.
pub const PREFIXES: &[(&str, &str)] = &[
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("owl", OWL),
    ("xsd", XSD),
    ("skos", SKOS),
    ("dcterms", DCTERMS),
    ("prov", PROV),
    ("org", ORG),
    ("eli", ELI),
    ("oa", OA),
    ("schema", SCHEMA),
    ("cpsv", "http://purl.org/vocab/cpsv#"),
    ("cv", "http://data.europa.eu/m8g/"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("pk", PK),
    ("pkid", ID),
    ("pkdoc", DOC),
    ("pkg", GRAPH),
    ("pkev", EVIDENCE),
];

/// The named graph of the ontology.
pub fn ontology_graph() -> NamedNode {
    graph("ontology")
}
/// The named graph of entity declarations (types, labels, levels).
pub fn catalogue_graph() -> NamedNode {
    graph("catalogue")
}
/// The named graph of facts a curator inferred rather than read.
pub fn inferred_graph() -> NamedNode {
    graph("inferred")
}
/// The named graph of triples entailed by the ontology (subclasses, subproperties, inverses…).
pub fn entailed_graph() -> NamedNode {
    graph("entailed")
}
/// The named graph that records which bundle built the store.
pub fn meta_graph() -> NamedNode {
    graph("meta")
}

/// A named graph of the bundle (`pkg:LOCAL`).
pub fn graph(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{GRAPH}{local}"))
}
/// An ontology term (`pk:LOCAL`).
pub fn pk(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{PK}{local}"))
}
/// An entity (`pkid:ID`).
pub fn entity(id: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ID}{id}"))
}
/// A source document (`pkdoc:ID`).
pub fn document(id: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{DOC}{id}"))
}
/// A term of any namespace.
pub fn ns(namespace: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{namespace}{local}"))
}

/// Is this graph one the bundle owns (rebuilt on upgrade), rather than one a user loaded?
pub fn is_bundled_graph(iri: &str) -> bool {
    iri.starts_with(GRAPH)
}

/// `https://w3id.org/policykg/ontology#issuedBy` → `pk:issuedBy`; IRIs outside the known namespaces stay `<…>`.
pub fn shorten(iri: &str) -> String {
    // Longest namespace first, so that pkid: wins over a shorter overlapping one.
    let mut best: Option<(&str, &str)> = None;
    for (prefix, namespace) in PREFIXES {
        if let Some(local) = iri.strip_prefix(namespace) {
            if is_pn_local(local) && best.is_none_or(|(_, ns)| namespace.len() > ns.len()) {
                best = Some((prefix, namespace));
            }
        }
    }
    match best {
        Some((prefix, namespace)) => format!("{prefix}:{}", &iri[namespace.len()..]),
        None => format!("<{iri}>"),
    }
}

/// `pk:issuedBy` → the full IRI, if the prefix is known.
pub fn expand(prefixed: &str) -> Option<String> {
    let (prefix, local) = prefixed.split_once(':')?;
    PREFIXES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map(|(_, ns)| format!("{ns}{local}"))
}

/// A conservative check that a local name can be written after a prefix without escaping.
fn is_pn_local(local: &str) -> bool {
    !local.is_empty()
        && !local.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_known_namespaces_and_keeps_others() {
        assert_eq!(shorten(&format!("{PK}issuedBy")), "pk:issuedBy");
        assert_eq!(shorten(&format!("{ID}sufuban")), "pkid:sufuban");
        assert_eq!(shorten("http://example.org/x"), "<http://example.org/x>");
        assert_eq!(
            shorten(&format!("{ID}a/b")),
            "<https://w3id.org/policykg/id/a/b>"
        );
    }

    #[test]
    fn expands_prefixed_names() {
        assert_eq!(expand("pkid:sufuban").unwrap(), format!("{ID}sufuban"));
        assert!(expand("nope:x").is_none());
    }
}

/// How a triple came to be in the store, read from the named graph that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// The catalogue's or the ontology's own declarations (types, labels).
    Declared,
    /// Stated by a source document, with a verbatim quote.
    Stated,
    /// Stated by a source document whose sentence leaves the subject unsaid: the document's author is the
    /// subject (`pk:StatedImplicitSubject` on the evidence; the fact stays in the document's graph).
    #[serde(rename = "implied-actor")]
    ImpliedActor,
    /// Inferred by a curator across documents, with the reasoning.
    Inferred,
    /// Entailed by the ontology's alignment with the standards (`pkg:entailed`), computed by a reasoner.
    Entailed,
    /// In a graph a user loaded.
    Loaded,
}

impl Provenance {
    /// The provenance of the triples of a named graph.
    pub fn of_graph(graph: &str) -> Self {
        if graph == inferred_graph().as_str() {
            Provenance::Inferred
        } else if graph == entailed_graph().as_str() {
            Provenance::Entailed
        } else if graph == catalogue_graph().as_str() || graph == ontology_graph().as_str() {
            Provenance::Declared
        } else if is_bundled_graph(graph) {
            Provenance::Stated
        } else {
            Provenance::Loaded
        }
    }

    /// The provenance of a fact in `graph` whose evidence may say its actor is implied
    /// (`pk:StatedImplicitSubject`): the graph decides, except that such a stated fact has an implied actor.
    pub fn of_evidence(graph: &str, implied: bool) -> Self {
        match Provenance::of_graph(graph) {
            Provenance::Stated if implied => Provenance::ImpliedActor,
            other => other,
        }
    }

    /// The provenance an evidence annotation's `pk:epistemicStatus` (a full IRI) gives its fact.
    pub fn of_status(status: &str) -> Self {
        match status.strip_prefix(PK) {
            Some("Inferred") => Provenance::Inferred,
            Some("StatedImplicitSubject") => Provenance::ImpliedActor,
            _ => Provenance::Stated,
        }
    }

    /// The word tables and pages show.
    pub fn name(self) -> &'static str {
        match self {
            Provenance::Declared => "declared",
            Provenance::Stated => "stated",
            Provenance::ImpliedActor => "implied actor",
            Provenance::Inferred => "inferred",
            Provenance::Entailed => "entailed",
            Provenance::Loaded => "loaded",
        }
    }
}

/// Whether a sentence reports something done or planned (`pk:modality` on evidence and on lifecycle events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    /// Work done or a state reached by the time of the document (`pk:Done`).
    Done,
    /// Intended: quoted from a plan section, or announced for the future (`pk:Planned`).
    Planned,
}

impl Modality {
    /// The word seeds and tables use: `done` or `planned`.
    pub fn name(self) -> &'static str {
        match self {
            Modality::Done => "done",
            Modality::Planned => "planned",
        }
    }

    /// The modality a seed names, if it is one.
    pub fn parse(word: &str) -> Option<Self> {
        [Modality::Done, Modality::Planned]
            .into_iter()
            .find(|m| m.name() == word)
    }

    /// Its concept in the ontology: `pk:Done` or `pk:Planned`.
    pub fn iri(self) -> NamedNode {
        pk(match self {
            Modality::Done => "Done",
            Modality::Planned => "Planned",
        })
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
