//! What the compiler needs to know of the ontology: which classes, properties and individuals a seed may name.
//!
//! The seeds are checked against the ontology rather than against a list in the code, so that adding a class or
//! property to `ontology/policykg.ttl` is all it takes to use it in a seed.

use std::collections::{HashMap, HashSet};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedOrBlankNode, Quad, Term};

use crate::data::rdf::parse_error;
use crate::model::error::Error;
use crate::model::vocab::{self, PK, SKOS};

/// The ontology's quads, and its `pk:` terms sorted by kind.
pub(super) struct OntologyInfo {
    pub(super) quads: Vec<Quad>,
    /// Local name → (zh label, en label).
    pub(super) classes: HashMap<String, (String, String)>,
    pub(super) object_properties: HashSet<String>,
    /// Local name → range IRI.
    pub(super) datatype_properties: HashMap<String, Option<String>>,
    /// `pk:` terms usable as objects (levels, statuses).
    pub(super) individuals: HashSet<String>,
}

impl OntologyInfo {
    /// The class names, sorted, for a message that lists what could have been meant.
    pub(super) fn known_classes(&self) -> String {
        let mut known: Vec<&str> = self.classes.keys().map(String::as_str).collect();
        known.sort();
        known.join(", ")
    }

    /// The property names, sorted, for a message that lists what could have been meant.
    pub(super) fn known_properties(&self) -> String {
        let mut known: Vec<&str> = self
            .object_properties
            .iter()
            .chain(self.datatype_properties.keys())
            .map(String::as_str)
            .collect();
        known.sort();
        known.join(", ")
    }
}

/// Read the ontology files; a Turtle error stops the compilation, since no seed can be checked without them.
pub(super) fn read_ontology(files: &[(String, String)]) -> Result<OntologyInfo, Vec<Error>> {
    let quads = parse(files)?;
    let terms = Terms::collect(&quads);
    Ok(terms.classify(quads))
}

fn parse(files: &[(String, String)]) -> Result<Vec<Quad>, Vec<Error>> {
    let mut quads = Vec::new();
    for (path, text) in files {
        let parser = RdfParser::from_format(RdfFormat::Turtle)
            .with_default_graph(vocab::ontology_graph())
            .for_slice(text.as_bytes());
        for quad in parser {
            quads.push(quad.map_err(|e| vec![parse_error(path, e)])?);
        }
    }
    Ok(quads)
}

/// What the ontology says of its `pk:` terms, before they are sorted by kind: the types are only known once
/// every file is read, and labels and ranges may come before or after them.
#[derive(Default)]
struct Terms {
    labels: HashMap<String, (String, String)>,
    ranges: HashMap<String, String>,
    types: Vec<(String, String)>,
}

impl Terms {
    fn collect(quads: &[Quad]) -> Terms {
        let mut terms = Terms::default();
        for quad in quads {
            terms.add(quad);
        }
        terms
    }

    fn add(&mut self, q: &Quad) {
        let NamedOrBlankNode::NamedNode(s) = &q.subject else {
            return;
        };
        let Some(local) = s.as_str().strip_prefix(PK) else {
            return;
        };
        match (q.predicate.as_str(), &q.object) {
            (p, Term::NamedNode(o)) if p == rdf::TYPE.as_str() => {
                self.types.push((local.to_owned(), o.as_str().to_owned()))
            }
            (p, Term::NamedNode(o)) if p == format!("{}range", vocab::RDFS) => {
                self.ranges.insert(local.to_owned(), o.as_str().to_owned());
            }
            (p, Term::Literal(l))
                if p == format!("{}label", vocab::RDFS) || p == format!("{SKOS}prefLabel") =>
            {
                let entry = self.labels.entry(local.to_owned()).or_default();
                match l.language() {
                    Some("zh") => entry.0 = l.value().to_owned(),
                    Some("en") => entry.1 = l.value().to_owned(),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn classify(self, quads: Vec<Quad>) -> OntologyInfo {
        let mut info = OntologyInfo {
            quads,
            classes: HashMap::new(),
            object_properties: HashSet::new(),
            datatype_properties: HashMap::new(),
            individuals: HashSet::new(),
        };
        for (local, ty) in self.types {
            let label = self.labels.get(&local).cloned().unwrap_or_default();
            match ty.as_str() {
                t if t == format!("{}Class", vocab::OWL) => {
                    info.classes.insert(local, label);
                }
                t if t == format!("{}ObjectProperty", vocab::OWL) => {
                    info.object_properties.insert(local);
                }
                t if t == format!("{}DatatypeProperty", vocab::OWL) => {
                    let range = self.ranges.get(&local).cloned();
                    info.datatype_properties.insert(local, range);
                }
                t if t.starts_with(PK) => {
                    info.individuals.insert(local);
                }
                _ => {}
            }
        }
        info
    }
}
