//! Reading a SHACL shapes graph into the shapes the validator runs: node shapes with their targets, property
//! shapes with their paths, and the constraints of each. A construct the validator does not implement is refused
//! with the shape's name, so that no constraint ever passes silently because it was not understood.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, TermRef};

use crate::data::rdf::parse_error;
use crate::model::error::{Error, Result};

/// The SHACL namespace.
pub(crate) const SH: &str = "http://www.w3.org/ns/shacl#";

/// A shape the validator runs: a node shape with targets, or a property shape reached from one.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    /// The shape's node in the shapes graph (`pksh:Entity`), named in every result.
    pub(crate) id: Term,
    /// Where its focus nodes come from (empty for a property shape: its parent's).
    pub(crate) targets: Vec<Target>,
    /// The path of a property shape; `None` for a node shape (the focus node is the value).
    pub(crate) path: Option<Path>,
    /// Its constraints.
    pub(crate) constraints: Vec<Constraint>,
    /// `sh:message`, if any.
    pub(crate) message: Option<String>,
    /// Its property shapes.
    pub(crate) properties: Vec<Shape>,
}

/// A target declaration.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// `sh:targetClass C`: instances of C or of a subclass of C.
    Class(NamedNode),
    /// `sh:targetSubjectsOf p`.
    SubjectsOf(NamedNode),
    /// `sh:targetObjectsOf p`.
    ObjectsOf(NamedNode),
    /// `sh:targetNode n`.
    Node(Term),
}

/// A property path the validator follows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Path {
    /// A predicate.
    Predicate(NamedNode),
    /// `[ sh:inversePath p ]`.
    Inverse(NamedNode),
}

/// A constraint on the values of a shape.
#[derive(Debug, Clone)]
pub(crate) enum Constraint {
    /// `sh:minCount n`.
    MinCount(u64),
    /// `sh:maxCount n`.
    MaxCount(u64),
    /// `sh:uniqueLang true`.
    UniqueLang,
    /// `sh:lessThan p`.
    LessThan(NamedNode),
    /// A test each value passes or fails on its own.
    Value(ValueTest),
    /// `sh:sparql [ sh:select … ]`: a SELECT whose rows are violations.
    Sparql {
        /// The query text.
        select: String,
        /// The constraint's `sh:message`.
        message: Option<String>,
    },
}

/// A test on one value node.
#[derive(Debug, Clone)]
pub(crate) enum ValueTest {
    /// `sh:class`.
    Class(NamedNode),
    /// `sh:datatype`.
    Datatype(NamedNode),
    /// `sh:nodeKind` (`sh:IRI`, `sh:Literal`, `sh:BlankNode`…).
    NodeKind(NamedNode),
    /// `sh:pattern` with its `sh:flags`.
    Pattern(String, Option<String>),
    /// `sh:languageIn`.
    LanguageIn(Vec<String>),
    /// `sh:in`.
    In(Vec<Term>),
    /// `sh:minInclusive`.
    MinInclusive(Literal),
    /// `sh:minLength`.
    MinLength(u64),
    /// `sh:or` of shapes that each hold value tests only.
    Or(Vec<Vec<ValueTest>>),
}

/// The SHACL term `sh:local`.
pub(crate) fn sh(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SH}{local}"))
}

/// The shapes of a Turtle shapes graph (`place` names it in errors): every node shape that has a target.
pub(crate) fn read_shapes(place: &str, turtle: &str) -> Result<Vec<Shape>> {
    let mut graph = Graph::new();
    for triple in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
        graph.insert(&triple.map_err(|e| parse_error(place, e))?.into());
    }
    let reader = Reader { graph, place };
    let mut shapes = Vec::new();
    for node in reader.node_shapes() {
        let shape = reader.shape(&node, None)?;
        if !shape.targets.is_empty() {
            shapes.push(shape);
        }
    }
    Ok(shapes)
}

/// The shapes graph and its name, for errors.
struct Reader<'a> {
    graph: Graph,
    place: &'a str,
}

/// The constraint parameters the validator implements; any other `sh:` predicate on a shape is refused.
const KNOWN: &[&str] = &[
    "targetClass",
    "targetSubjectsOf",
    "targetObjectsOf",
    "targetNode",
    "property",
    "path",
    "message",
    "minCount",
    "maxCount",
    "uniqueLang",
    "lessThan",
    "class",
    "datatype",
    "nodeKind",
    "pattern",
    "flags",
    "languageIn",
    "in",
    "minInclusive",
    "minLength",
    "or",
    "sparql",
    "name",
    "description",
    "severity",
];

impl Reader<'_> {
    /// Every subject with a target, or typed `sh:NodeShape`, in a stable order.
    fn node_shapes(&self) -> Vec<Term> {
        let node_shape = sh("NodeShape");
        let mut nodes: Vec<Term> = self
            .graph
            .iter()
            .filter(|t| {
                t.predicate.as_str().starts_with(SH)
                    && t.predicate.as_str()[SH.len()..].starts_with("target")
                    || t.predicate == rdf::TYPE && t.object == node_shape.as_ref().into()
            })
            .map(|t| t.subject.into_owned().into())
            .collect();
        nodes.sort_by_key(|n| n.to_string());
        nodes.dedup();
        nodes
    }

    fn objects(&self, subject: &Term, local: &str) -> Vec<Term> {
        let Some(subject) = as_subject(subject) else {
            return Vec::new();
        };
        self.graph
            .objects_for_subject_predicate(subject.as_ref(), sh(local).as_ref())
            .map(TermRef::into_owned)
            .collect()
    }

    fn one(&self, subject: &Term, local: &str) -> Option<Term> {
        self.objects(subject, local).into_iter().next()
    }

    fn error(&self, shape: &Term, message: impl std::fmt::Display) -> Error {
        Error::invalid(self.place, format!("shape {shape}: {message}"))
    }

    /// A shape and its property shapes; `path` is the path of a property shape.
    fn shape(&self, id: &Term, path: Option<Path>) -> Result<Shape> {
        self.refuse_unknown(id)?;
        let mut shape = Shape {
            id: id.clone(),
            targets: self.targets(id)?,
            path,
            constraints: self.constraints(id)?,
            message: self.one(id, "message").map(|m| lexical(&m)),
            properties: Vec::new(),
        };
        for property in self.objects(id, "property") {
            let path = self.path(&property)?;
            shape.properties.push(self.shape(&property, Some(path))?);
        }
        Ok(shape)
    }

    fn refuse_unknown(&self, id: &Term) -> Result<()> {
        let Some(subject) = as_subject(id) else {
            return Err(self.error(id, "a shape must be an IRI or a blank node"));
        };
        for t in self.graph.triples_for_subject(subject.as_ref()) {
            if let Some(local) = t.predicate.as_str().strip_prefix(SH) {
                if !KNOWN.contains(&local) {
                    return Err(
                        self.error(id, format!("sh:{local} is not supported by this validator"))
                    );
                }
            }
        }
        Ok(())
    }

    fn targets(&self, id: &Term) -> Result<Vec<Target>> {
        let mut targets = Vec::new();
        for (local, make) in [
            ("targetClass", Target::Class as fn(NamedNode) -> Target),
            ("targetSubjectsOf", Target::SubjectsOf),
            ("targetObjectsOf", Target::ObjectsOf),
        ] {
            for o in self.objects(id, local) {
                targets.push(make(self.iri(id, o)?));
            }
        }
        targets.extend(self.objects(id, "targetNode").into_iter().map(Target::Node));
        Ok(targets)
    }

    fn iri(&self, shape: &Term, term: Term) -> Result<NamedNode> {
        match term {
            Term::NamedNode(n) => Ok(n),
            other => Err(self.error(shape, format!("{other} should be an IRI"))),
        }
    }

    fn path(&self, property: &Term) -> Result<Path> {
        match self.one(property, "path") {
            Some(Term::NamedNode(p)) => Ok(Path::Predicate(p)),
            Some(node @ Term::BlankNode(_)) => match self.one(&node, "inversePath") {
                Some(Term::NamedNode(p)) => Ok(Path::Inverse(p)),
                _ => Err(self.error(
                    property,
                    "only a predicate or sh:inversePath of one is supported as a path",
                )),
            },
            _ => Err(self.error(property, "a property shape needs one sh:path")),
        }
    }

    fn count(&self, id: &Term, term: &Term) -> Result<u64> {
        match term {
            Term::Literal(l) => l
                .value()
                .parse()
                .map_err(|_| self.error(id, format!("{term} is not a count"))),
            _ => Err(self.error(id, format!("{term} is not a count"))),
        }
    }

    fn constraints(&self, id: &Term) -> Result<Vec<Constraint>> {
        let mut out = Vec::new();
        for n in self.objects(id, "minCount") {
            out.push(Constraint::MinCount(self.count(id, &n)?));
        }
        for n in self.objects(id, "maxCount") {
            out.push(Constraint::MaxCount(self.count(id, &n)?));
        }
        if self
            .one(id, "uniqueLang")
            .is_some_and(|v| lexical(&v) == "true")
        {
            out.push(Constraint::UniqueLang);
        }
        for p in self.objects(id, "lessThan") {
            out.push(Constraint::LessThan(self.iri(id, p)?));
        }
        out.extend(self.value_tests(id)?.into_iter().map(Constraint::Value));
        for constraint in self.objects(id, "sparql") {
            let select = self.one(&constraint, "select").map(|s| lexical(&s));
            let select =
                select.ok_or_else(|| self.error(id, "sh:sparql needs a sh:select query"))?;
            let message = self.one(&constraint, "message").map(|m| lexical(&m));
            out.push(Constraint::Sparql { select, message });
        }
        Ok(out)
    }

    fn value_tests(&self, id: &Term) -> Result<Vec<ValueTest>> {
        let mut out = Vec::new();
        for c in self.objects(id, "class") {
            out.push(ValueTest::Class(self.iri(id, c)?));
        }
        for d in self.objects(id, "datatype") {
            out.push(ValueTest::Datatype(self.iri(id, d)?));
        }
        for k in self.objects(id, "nodeKind") {
            out.push(ValueTest::NodeKind(self.iri(id, k)?));
        }
        for p in self.objects(id, "pattern") {
            out.push(ValueTest::Pattern(
                lexical(&p),
                self.one(id, "flags").map(|f| lexical(&f)),
            ));
        }
        for list in self.objects(id, "languageIn") {
            out.push(ValueTest::LanguageIn(
                self.list(&list).iter().map(lexical).collect(),
            ));
        }
        for list in self.objects(id, "in") {
            out.push(ValueTest::In(self.list(&list)));
        }
        for v in self.objects(id, "minInclusive") {
            match v {
                Term::Literal(l) => out.push(ValueTest::MinInclusive(l)),
                other => {
                    return Err(self.error(id, format!("sh:minInclusive {other} is not a literal")))
                }
            }
        }
        for n in self.objects(id, "minLength") {
            out.push(ValueTest::MinLength(self.count(id, &n)?));
        }
        for list in self.objects(id, "or") {
            let mut members = Vec::new();
            for member in self.list(&list) {
                self.refuse_unknown(&member)?;
                members.push(self.value_tests(&member)?);
            }
            out.push(ValueTest::Or(members));
        }
        Ok(out)
    }

    /// The members of an RDF list.
    fn list(&self, head: &Term) -> Vec<Term> {
        let mut out = Vec::new();
        let mut node = head.clone();
        while let Some(subject) = as_subject(&node) {
            let first = self
                .graph
                .object_for_subject_predicate(subject.as_ref(), rdf::FIRST);
            let Some(first) = first else { break };
            out.push(first.into_owned());
            match self
                .graph
                .object_for_subject_predicate(subject.as_ref(), rdf::REST)
            {
                Some(rest) if rest != rdf::NIL.into() => node = rest.into_owned(),
                _ => break,
            }
        }
        out
    }
}

/// A term as a subject, if it can be one.
fn as_subject(term: &Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.clone().into()),
        Term::BlankNode(b) => Some(b.clone().into()),
        _ => None,
    }
}

/// The lexical form of a literal (or the IRI of a node).
pub(crate) fn lexical(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

impl Path {
    /// The path in SPARQL syntax.
    pub(crate) fn sparql(&self) -> String {
        match self {
            Path::Predicate(p) => format!("<{}>", p.as_str()),
            Path::Inverse(p) => format!("^<{}>", p.as_str()),
        }
    }

    /// The predicate the path follows, forwards or backwards.
    pub fn predicate(&self) -> NamedNodeRef<'_> {
        match self {
            Path::Predicate(p) | Path::Inverse(p) => p.as_ref(),
        }
    }
}
