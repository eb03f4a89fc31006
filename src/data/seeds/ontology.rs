//! What the compiler needs to know of the ontology: which classes, properties and individuals a seed may name.
//!
//! The seeds are checked against the ontology rather than against a list in the code, so that adding a class or
//! property to `ontology/policykg.ttl` is all it takes to use it in a seed.

use std::collections::{HashMap, HashSet};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, NamedOrBlankNode, Quad, Term};

use crate::data::rdf::parse_error;
use crate::data::seeds::ids::short_hash;
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
    /// The measures of `pk:Measures`, by local name.
    pub(super) measures: HashSet<String>,
    /// Every class with the classes it is a subclass of (itself included), by local name.
    pub(super) superclasses: HashMap<String, HashSet<String>>,
    /// `rdfs:domain` of each property: one class, or the members of an `owl:unionOf`.
    pub(super) domains: HashMap<String, Vec<String>>,
    /// `rdfs:range` of each object property whose range is a class of the ontology.
    pub(super) ranges: HashMap<String, Vec<String>>,
}

impl OntologyInfo {
    /// The class names, sorted, for a message that lists what could have been meant.
    pub(super) fn known_classes(&self) -> String {
        let mut known: Vec<&str> = self.classes.keys().map(String::as_str).collect();
        known.sort();
        known.join(", ")
    }

    /// The property names, sorted, for a message that lists what could have been meant.
    /// Whether an entity of class `class` may stand where `constraint` (a domain or range) asks for a class.
    pub(super) fn fits(&self, class: &str, constraint: Option<&Vec<String>>) -> bool {
        let Some(allowed) = constraint else {
            return true;
        };
        let of = self.superclasses.get(class);
        allowed
            .iter()
            .any(|c| c == class || of.is_some_and(|s| s.contains(c)))
    }

    /// The local names of the individuals typed with the class `class` (a full IRI).
    fn individuals_of(&self, class: &str) -> Vec<String> {
        self.quads
            .iter()
            .filter(|q| {
                q.predicate == rdf::TYPE
                    && matches!(&q.object, Term::NamedNode(o) if o.as_str() == class)
            })
            .filter_map(|q| pk_local(&q.subject).map(str::to_owned))
            .collect()
    }

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
    let mut info = terms.classify(quads);
    info.superclasses = superclasses(&info.quads);
    info.domains = class_constraints(&info.quads, "domain");
    info.ranges = class_constraints(&info.quads, "range");
    info.measures = info
        .individuals_of(&format!("{PK}Measure"))
        .into_iter()
        .collect();
    Ok(info)
}

fn parse(files: &[(String, String)]) -> Result<Vec<Quad>, Vec<Error>> {
    let mut quads = Vec::new();
    for (path, text) in files {
        let parser = RdfParser::from_format(RdfFormat::Turtle)
            .with_default_graph(vocab::ontology_graph())
            .for_slice(text.as_bytes());
        let mut stable = StableBlankNodes::new(path);
        for quad in parser {
            quads.push(stable.rename(quad.map_err(|e| vec![parse_error(path, e)])?));
        }
    }
    Ok(quads)
}

/// The blank nodes of one ontology file (its `[ … ]` classes and `( … )` lists), named by the file and their order
/// of appearance. The parser names them at random, so every store build stored other labels, of other lengths
/// (up to 32 hex digits, leading zeros dropped): two stores of one bundle exported Turtle or N-Quads differing by
/// a few bytes, and an export kept beside one store could not be compared with a fresh one from another.
struct StableBlankNodes<'a> {
    file: &'a str,
    names: HashMap<BlankNode, BlankNode>,
}

impl<'a> StableBlankNodes<'a> {
    fn new(file: &'a str) -> Self {
        Self {
            file,
            names: HashMap::new(),
        }
    }

    fn rename(&mut self, quad: Quad) -> Quad {
        let Quad {
            subject,
            predicate,
            object,
            graph_name,
        } = quad;
        let subject = match subject {
            NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::BlankNode(self.name(b)),
            named => named,
        };
        let object = match object {
            Term::BlankNode(b) => Term::BlankNode(self.name(b)),
            other => other,
        };
        Quad::new(subject, predicate, object, graph_name)
    }

    fn name(&mut self, parsed: BlankNode) -> BlankNode {
        let next = self.names.len().to_string();
        let file = self.file;
        self.names
            .entry(parsed)
            .or_insert_with(|| BlankNode::new_unchecked(format!("o{}", short_hash(&[file, &next]))))
            .clone()
    }
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
            measures: HashSet::new(),
            superclasses: HashMap::new(),
            domains: HashMap::new(),
            ranges: HashMap::new(),
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

/// The local name of a `pk:` IRI.
fn pk_local(node: &NamedOrBlankNode) -> Option<&str> {
    match node {
        NamedOrBlankNode::NamedNode(n) => n.as_str().strip_prefix(PK),
        NamedOrBlankNode::BlankNode(_) => None,
    }
}

/// Every `pk:` class with all the `pk:` classes above it through `rdfs:subClassOf`, itself included.
fn superclasses(quads: &[Quad]) -> HashMap<String, HashSet<String>> {
    let sub_class_of = format!("{}subClassOf", vocab::RDFS);
    let mut direct: HashMap<String, Vec<String>> = HashMap::new();
    for q in quads
        .iter()
        .filter(|q| q.predicate.as_str() == sub_class_of)
    {
        if let (Some(s), Term::NamedNode(o)) = (pk_local(&q.subject), &q.object) {
            if let Some(o) = o.as_str().strip_prefix(PK) {
                direct.entry(s.to_owned()).or_default().push(o.to_owned());
            }
        }
    }
    let mut closure = HashMap::new();
    for class in direct.keys() {
        let mut seen = HashSet::from([class.clone()]);
        let mut todo = vec![class.clone()];
        while let Some(c) = todo.pop() {
            for up in direct.get(&c).into_iter().flatten() {
                if seen.insert(up.clone()) {
                    todo.push(up.clone());
                }
            }
        }
        closure.insert(class.clone(), seen);
    }
    closure
}

/// `rdfs:domain` or `rdfs:range` (`which`) of every `pk:` property, as `pk:` classes: a class, or the members
/// of an `owl:unionOf` list. Constraints outside `pk:` (xsd datatypes) are left out.
fn class_constraints(quads: &[Quad], which: &str) -> HashMap<String, Vec<String>> {
    let predicate = format!("{}{which}", vocab::RDFS);
    let mut out = HashMap::new();
    for q in quads.iter().filter(|q| q.predicate.as_str() == predicate) {
        let Some(property) = pk_local(&q.subject) else {
            continue;
        };
        let classes = match &q.object {
            Term::NamedNode(n) => n.as_str().strip_prefix(PK).map(|c| vec![c.to_owned()]),
            Term::BlankNode(b) => Some(union_members(quads, &NamedOrBlankNode::from(b.clone()))),
            _ => None,
        };
        if let Some(classes) = classes.filter(|c| !c.is_empty()) {
            out.insert(property.to_owned(), classes);
        }
    }
    out
}

/// The `pk:` classes of the `owl:unionOf` list of a blank class.
fn union_members(quads: &[Quad], class: &NamedOrBlankNode) -> Vec<String> {
    let object_of = |s: &NamedOrBlankNode, p: &str| {
        quads
            .iter()
            .find(|q| &q.subject == s && q.predicate.as_str() == p)
            .map(|q| q.object.clone())
    };
    let mut members = Vec::new();
    let mut list = object_of(class, &format!("{}unionOf", vocab::OWL));
    while let Some(Term::BlankNode(cell)) = list {
        let cell = NamedOrBlankNode::from(cell);
        if let Some(Term::NamedNode(first)) = object_of(&cell, rdf::FIRST.as_str()) {
            members.extend(first.as_str().strip_prefix(PK).map(str::to_owned));
        }
        list = object_of(&cell, rdf::REST.as_str());
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::bundle;

    #[test]
    fn the_ontology_blank_nodes_are_named_alike_in_every_build() {
        let files: Vec<(String, String)> = bundle::ontology()
            .map(|f| (f.path.to_owned(), f.text.to_owned()))
            .collect();
        let (Ok(first), Ok(second)) = (parse(&files), parse(&files)) else {
            panic!("the bundled ontology parses");
        };
        let blank = |quads: &[Quad]| {
            quads
                .iter()
                .filter(|q| matches!(q.subject, NamedOrBlankNode::BlankNode(_)))
                .count()
        };
        // The unions of classes (`[ a owl:Class ; owl:unionOf ( … ) ]`) are blank nodes, subject and object.
        assert!(blank(&first) > 20, "{}", blank(&first));
        assert_eq!(first, second);
        // Each `[ … ]` is its own node: the five unions are five classes.
        let unions = first
            .iter()
            .filter(|q| q.predicate.as_str().ends_with("#unionOf"))
            .count();
        assert_eq!(unions, 5);
    }
}
