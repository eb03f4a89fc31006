//! Reading the store through its quad indexes, without SPARQL: for a command that knows which properties it
//! reads, one index lookup per property and node costs microseconds, where planning and joining a query costs
//! milliseconds (`as-of` read its facts with four queries in 66 ms of CPU; see `docs/performance.md`).

use oxigraph::model::{
    GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term,
    TermRef,
};
use oxigraph::store::Store;

use crate::model::error::{Error, Result};

/// The quads that match a pattern; `None` matches anything, and a `None` graph every graph.
pub fn matching(
    store: &Store,
    subject: Option<NamedOrBlankNodeRef>,
    predicate: Option<NamedNodeRef>,
    object: Option<TermRef>,
    graph: Option<GraphNameRef>,
) -> Result<Vec<Quad>> {
    store
        .quads_for_pattern(subject, predicate, object, graph)
        .map(|q| q.map_err(Error::storage))
        .collect()
}

/// The objects of `subject`'s `predicate`, in every graph.
pub fn objects(
    store: &Store,
    subject: NamedOrBlankNodeRef,
    predicate: NamedNodeRef,
) -> Result<Vec<Term>> {
    Ok(matching(store, Some(subject), Some(predicate), None, None)?
        .into_iter()
        .map(|q| q.object)
        .collect())
}

/// The subjects of `predicate` with `object`, in every graph, all IRIs; `None` when one is a blank node (a caller
/// naming them in SPARQL `VALUES` cannot name a blank node, and falls back to a query that finds them).
pub fn named_subjects(
    store: &Store,
    predicate: NamedNodeRef,
    object: TermRef,
) -> Result<Option<Vec<NamedNode>>> {
    let mut subjects = Vec::new();
    for quad in matching(store, None, Some(predicate), Some(object), None)? {
        match quad.subject {
            NamedOrBlankNode::NamedNode(node) => subjects.push(node),
            NamedOrBlankNode::BlankNode(_) => return Ok(None),
        }
    }
    Ok(Some(subjects))
}

/// The first object of `subject`'s `predicate`, if it has one.
pub fn object(
    store: &Store,
    subject: NamedOrBlankNodeRef,
    predicate: NamedNodeRef,
) -> Result<Option<Term>> {
    store
        .quads_for_pattern(Some(subject), Some(predicate), None, None)
        .next()
        .transpose()
        .map(|q| q.map(|q| q.object))
        .map_err(Error::storage)
}

/// The first object of `subject`'s `predicate` that is a node (an IRI or blank node).
pub fn node(
    store: &Store,
    subject: NamedOrBlankNodeRef,
    predicate: NamedNodeRef,
) -> Result<Option<NamedOrBlankNode>> {
    Ok(objects(store, subject, predicate)?
        .into_iter()
        .find_map(as_node))
}

/// A term as a node, when it is an IRI or a blank node.
pub fn as_node(term: Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.into()),
        Term::BlankNode(b) => Some(b.into()),
        Term::Literal(_) => None,
    }
}

/// An IRI as a node, or None when the string is not an IRI (then nothing in the store has it).
pub fn iri(text: &str) -> Option<NamedNode> {
    NamedNode::new(text).ok()
}

/// A node's plain value, as [`crate::read::query::term_value`] gives it: the IRI, or `_:id`.
pub fn node_value(node: NamedOrBlankNodeRef) -> String {
    match node {
        NamedOrBlankNodeRef::NamedNode(n) => n.as_str().to_owned(),
        NamedOrBlankNodeRef::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

/// Whether the store has `subject predicate object` in some graph: one index seek.
pub fn has(
    store: &Store,
    subject: NamedOrBlankNodeRef,
    predicate: &NamedNode,
    object: TermRef,
) -> bool {
    store
        .quads_for_pattern(Some(subject), Some(predicate.as_ref()), Some(object), None)
        .next()
        .is_some()
}
