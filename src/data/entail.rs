//! Entailment: what the ontology's alignment with the standards implies, so that a query in ELI, ORG, PROV,
//! schema.org, DCAT or SKOS terms answers. The bundle states `pkid:x a pk:LocalRegulation`; the ontology says
//! `pk:LocalRegulation rdfs:subClassOf … eli:LegalResource`; the entailed graph (`pkg:entailed`) then holds
//! `pkid:x a eli:LegalResource`.
//!
//! The reasoning is done by `reasonable`, an OWL 2 RL reasoner (RDFS subclass, subproperty, domain and range,
//! plus `owl:inverseOf`, transitive and symmetric properties where the ontology declares them). Its input is the
//! entity graph: the ontology and every fact, without the evidence annotations and the document texts (they
//! are about quotes, not about policy, and would only multiply the work). Only triples that add something are
//! kept: new types and relations between resources of the input, never the reasoner's own bookkeeping.

use std::collections::HashSet;

use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use crate::data::bundle;

use crate::model::error::{Error, Result};
use crate::model::vocab;

pub use crate::model::vocab::entailed_graph;

/// The triples the reasoner should see: the ontology, and the facts whose property or class the ontology
/// declares. Evidence annotations and document texts are about quotes, not policy; triples in a vocabulary the
/// ontology does not know entail nothing through it. Leaving both out keeps the reasoning small however much
/// unrelated data a researcher loads.
fn input<'a>(quads: impl IntoIterator<Item = &'a Quad>) -> HashSet<Triple> {
    let ontology = GraphName::NamedNode(vocab::ontology_graph());
    let quads: Vec<&Quad> = quads.into_iter().collect();
    let known = Known::declared_by(quads.iter().copied().filter(|q| q.graph_name == ontology));
    quads
        .into_iter()
        .filter(|q| known.wants(q))
        .map(|q| Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone()))
        .collect()
}

/// The terms the ontology declares (its subjects), by the role a fact can give them: a property is a fact's
/// predicate, a class the object of its `rdf:type`. A term the ontology types as neither (a SKOS concept, a level,
/// a measure) is in neither set, and a term it does not type at all is in both. Reading the store, each role is
/// one index scan, so the roles halve the scans after a load (152 instead of 382 for the bundle's ontology).
struct Known {
    properties: HashSet<String>,
    classes: HashSet<String>,
}

impl Known {
    fn declared_by<'a>(ontology: impl Iterator<Item = &'a Quad>) -> Self {
        let mut types: std::collections::HashMap<&str, Vec<&str>> = Default::default();
        for q in ontology {
            let NamedOrBlankNode::NamedNode(subject) = &q.subject else {
                continue;
            };
            let kinds = types.entry(subject.as_str()).or_default();
            if q.predicate == oxigraph::model::vocab::rdf::TYPE {
                if let Term::NamedNode(kind) = &q.object {
                    kinds.push(kind.as_str());
                }
            }
        }
        let mut known = Known {
            properties: HashSet::new(),
            classes: HashSet::new(),
        };
        for (term, kinds) in types {
            let is_property = kinds.is_empty() || kinds.iter().any(|k| is_property_kind(k));
            let is_class = kinds.is_empty() || kinds.iter().any(|k| is_class_kind(k));
            if is_property {
                known.properties.insert(term.to_owned());
            }
            if is_class {
                known.classes.insert(term.to_owned());
            }
        }
        known
    }

    /// Does the reasoner see this quad? See [`input`]. Called once per candidate quad, so it compares names in
    /// place instead of building IRIs.
    fn wants(&self, q: &Quad) -> bool {
        let bundle_graph = match &q.graph_name {
            GraphName::NamedNode(g) => g.as_str().strip_prefix(vocab::GRAPH),
            _ => None,
        };
        match bundle_graph {
            Some("ontology") => return true,
            Some("entailed") => return false,
            _ => {}
        }
        let about_evidence = match &q.subject {
            NamedOrBlankNode::NamedNode(n) => n.as_str().starts_with(vocab::EVIDENCE),
            NamedOrBlankNode::BlankNode(_) => true,
        };
        let typed_known = q.predicate == oxigraph::model::vocab::rdf::TYPE
            && matches!(&q.object, Term::NamedNode(c) if self.classes.contains(c.as_str()));
        !about_evidence
            && q.predicate.as_str().strip_prefix(vocab::PK) != Some("text")
            && (self.properties.contains(q.predicate.as_str()) || typed_known)
    }
}

/// A declared term as a node to look up (the ontology's subjects are IRIs).
fn named(term: &str) -> oxigraph::model::NamedNodeRef<'_> {
    oxigraph::model::NamedNodeRef::new_unchecked(term)
}

/// Is `kind` (an object of `rdf:type`) a kind of property: `rdf:Property`, or any OWL `…Property`?
fn is_property_kind(kind: &str) -> bool {
    kind.strip_prefix(vocab::RDF) == Some("Property")
        || kind
            .strip_prefix(vocab::OWL)
            .is_some_and(|k| k.ends_with("Property"))
}

/// Is `kind` a kind of class: `rdfs:Class` or `owl:Class`?
fn is_class_kind(kind: &str) -> bool {
    kind.strip_prefix(vocab::RDFS) == Some("Class")
        || kind.strip_prefix(vocab::OWL) == Some("Class")
}

/// Does an inferred triple say something a researcher can use? The reasoner also derives OWL bookkeeping
/// (`x owl:sameAs x`, `x a owl:Thing`, `owl:Class` typing of classes…) that holds for every resource, and
/// nothing is said about blank nodes.
fn is_informative(t: &Triple) -> bool {
    let in_w3c_schema = |iri: &str| {
        iri.starts_with(vocab::OWL) || iri.starts_with(vocab::RDFS) || iri.starts_with(vocab::RDF)
    };
    let typing = t.predicate == oxigraph::model::vocab::rdf::TYPE;
    let bookkeeping = in_w3c_schema(t.predicate.as_str())
        && !typing
        && t.predicate != oxigraph::model::vocab::rdfs::SUB_CLASS_OF
        && t.predicate != oxigraph::model::vocab::rdfs::SUB_PROPERTY_OF
        || typing && matches!(&t.object, Term::NamedNode(c) if in_w3c_schema(c.as_str()));
    matches!(t.subject, NamedOrBlankNode::NamedNode(_))
        && matches!(t.object, Term::NamedNode(_) | Term::Literal(_))
        && !bookkeeping
}

/// The triples a set of quads entails beyond themselves, as quads of `pkg:entailed`, sorted.
pub fn entail<'a>(quads: impl IntoIterator<Item = &'a Quad>) -> Vec<Quad> {
    reason(input(quads))
}

/// What a store entails: [`entail`] over the quads the reasoner would keep, read through the store's indexes (the
/// ontology graph, then each declared property and each declared class, see [`Known`]), so that millions of
/// loaded quads in other vocabularies are never read.
pub fn entail_store(store: &Store) -> Result<Vec<Quad>> {
    let storage = Error::storage;
    let ontology_graph = vocab::ontology_graph();
    let ontology: Vec<Quad> = store
        .quads_for_pattern(None, None, None, Some(ontology_graph.as_ref().into()))
        .collect::<Result<_, _>>()
        .map_err(storage)?;
    let known = Known::declared_by(ontology.iter());
    let mut triples: HashSet<Triple> = ontology
        .into_iter()
        .map(|q| Triple::new(q.subject, q.predicate, q.object))
        .collect();
    let rdf_type = oxigraph::model::vocab::rdf::TYPE;
    let as_properties = known
        .properties
        .iter()
        .map(|p| store.quads_for_pattern(None, Some(named(p)), None, None));
    let as_classes = known
        .classes
        .iter()
        .map(|c| store.quads_for_pattern(None, Some(rdf_type), Some(named(c).into()), None));
    for quad in as_properties.chain(as_classes).flatten() {
        let quad = quad.map_err(storage)?;
        if known.wants(&quad) {
            triples.insert(Triple::new(quad.subject, quad.predicate, quad.object));
        }
    }
    Ok(reason(triples))
}

/// Run the reasoner and keep what it adds that is worth keeping.
fn reason(input: HashSet<Triple>) -> Vec<Quad> {
    let mut reasoner = reasonable::reasoner::Reasoner::new();
    reasoner.load_triples(input.iter().cloned().collect());
    reasoner.reason();
    let graph = GraphName::NamedNode(entailed_graph());
    let mut quads: Vec<Quad> = reasoner
        .get_triples()
        .into_iter()
        .filter(|t| !input.contains(t) && is_informative(t))
        .map(|t| Quad::new(t.subject, t.predicate, t.object, graph.clone()))
        .collect();
    quads.sort_by_cached_key(|q| q.to_string());
    quads.dedup();
    quads
}

/// What the rules of `ontology/rules/` construct from the store: the ELI and schema.org metadata of every policy
/// instrument (its kind, date, entry into force and Chinese expression with its title), re-expressed from what the
/// graph states. They are CONSTRUCT queries over the union of the graphs, so that a researcher can read and
/// change them; what they build goes into `pkg:entailed` with the reasoner's triples.
pub fn apply_rules(store: &Store) -> Result<Vec<Quad>> {
    let graph = GraphName::NamedNode(entailed_graph());
    let mut quads = Vec::new();
    for rule in bundle::rules() {
        let failed = |e: &dyn std::fmt::Display| Error::invalid(rule.path, e.to_string());
        let mut evaluator = SparqlEvaluator::new();
        for (prefix, namespace) in vocab::PREFIXES {
            evaluator = evaluator
                .with_prefix(*prefix, *namespace)
                .map_err(|e| failed(&e))?;
        }
        let mut query = evaluator.parse_query(rule.text).map_err(|e| failed(&e))?;
        query.dataset_mut().set_default_graph_as_union();
        let QueryResults::Graph(triples) =
            query.on_store(store).execute().map_err(|e| failed(&e))?
        else {
            return Err(failed(&"is not a CONSTRUCT query"));
        };
        for triple in triples {
            let t = triple.map_err(|e| failed(&e))?;
            quads.push(Quad::new(t.subject, t.predicate, t.object, graph.clone()));
        }
    }
    quads.sort_by_cached_key(|q| q.to_string());
    quads.dedup();
    Ok(quads)
}

/// The quad that says the entailed graph is behind the stored graphs. `load` writes it in the same bulk load as
/// the data, and [`refresh`] removes it in the transaction that brings the entailed graph up to date, so a process
/// killed between the two leaves it behind and the next process to open the store refreshes the graph first.
pub fn stale_marker() -> Quad {
    Quad::new(
        entailed_graph(),
        vocab::pk("entailmentStale"),
        oxigraph::model::Literal::from(true),
        GraphName::NamedNode(vocab::meta_graph()),
    )
}

/// Is the entailed graph behind the stored graphs (a load killed before its refresh)?
pub fn is_stale(store: &Store) -> Result<bool> {
    store.contains(&stale_marker()).map_err(Error::storage)
}

/// Everything the entailed graph of a store holds: the reasoner's triples and the rules' metadata, each once.
pub fn entailed(store: &Store) -> Result<Vec<Quad>> {
    let mut entailed = entail_store(store)?;
    entailed.extend(apply_rules(store)?);
    entailed.sort_by_cached_key(|q| q.to_string());
    entailed.dedup();
    Ok(entailed)
}

/// Recompute the entailed graph of a store and bring the stored one up to date in one transaction (after a load
/// or an update). Only the difference is written: a load of data the ontology does not know leaves the graph as
/// it was, and Oxigraph writes every removal and insertion to each index in an indexed write batch (clearing and
/// re-inserting the bundle's 6,664 entailed quads took 100 ms of every load).
pub fn refresh(store: &Store) -> Result<()> {
    let storage = Error::storage;
    let entailed = entailed(store)?;
    let graph = GraphName::NamedNode(entailed_graph());
    let mut transaction = store.start_transaction().map_err(storage)?;
    transaction.remove(&stale_marker());
    let stored: Vec<Quad> = transaction
        .quads_for_pattern(None, None, None, Some(graph.as_ref()))
        .collect::<Result<_, _>>()
        .map_err(storage)?;
    let wanted: HashSet<&Quad> = entailed.iter().collect();
    for quad in stored.iter().filter(|q| !wanted.contains(q)) {
        transaction.remove(quad);
    }
    let stored: HashSet<&Quad> = stored.iter().collect();
    for quad in entailed.iter().filter(|q| !stored.contains(q)) {
        transaction.insert(quad);
    }
    transaction.commit().map_err(storage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::store::KgStore;

    fn count(kg: &KgStore, pattern: &str) -> usize {
        let text = format!("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}");
        let mut evaluator = oxigraph::sparql::SparqlEvaluator::new();
        for (prefix, namespace) in vocab::PREFIXES {
            evaluator = evaluator.with_prefix(*prefix, *namespace).unwrap();
        }
        let mut query = evaluator.parse_query(&text).unwrap();
        query.dataset_mut().set_default_graph_as_union();
        match query.on_store(kg.store()).execute().unwrap() {
            oxigraph::sparql::QueryResults::Solutions(mut rows) => {
                let row = rows.next().unwrap().unwrap();
                match row.get("n") {
                    Some(Term::Literal(l)) => l.value().parse().unwrap(),
                    other => panic!("{other:?}"),
                }
            }
            _ => panic!("not a SELECT"),
        }
    }

    #[test]
    fn queries_in_standard_terms_answer() {
        let kg = KgStore::in_memory().unwrap();
        let cases = [
            ("?x a eli:LegalResource", 100),
            ("?x a org:Organization", 50),
            ("?x eli:passed_by ?y", 10),
            ("?x a pk:PolicyInstrument", 100),
            ("?x prov:wasAttributedTo ?y", 10),
            ("?x a dcat:DataService", 5),
            ("?x a schema:GovernmentOrganization", 10),
            ("?x a schema:Legislation", 100),
            ("?x org:subOrganizationOf ?y", 1),
        ];
        for (pattern, at_least) in cases {
            let n = count(&kg, pattern);
            assert!(n >= at_least, "{pattern}: {n} < {at_least}");
        }
        // The data regulation is a local regulation, so an ELI legal resource passed by the provincial congress.
        let regulation = vocab::entity("jiangsu-data-regulation");
        let typed = Quad::new(
            regulation.clone(),
            oxigraph::model::vocab::rdf::TYPE,
            oxigraph::model::NamedNode::new_unchecked(format!("{}LegalResource", vocab::ELI)),
            GraphName::NamedNode(entailed_graph()),
        );
        assert!(kg.store().contains(&typed).unwrap());
    }

    #[test]
    fn ontology_terms_are_looked_up_in_the_role_they_are_declared_for() {
        let kg = KgStore::in_memory().unwrap();
        let ontology: Vec<Quad> = kg
            .store()
            .quads_for_pattern(
                None,
                None,
                None,
                Some(vocab::ontology_graph().as_ref().into()),
            )
            .map(Result::unwrap)
            .collect();
        let known = Known::declared_by(ontology.iter());
        let pk = |name: &str| format!("{}{name}", vocab::PK);
        // An owl:Class, an owl:ObjectProperty, a SKOS concept of the ontology.
        assert!(known.classes.contains(&pk("LocalRegulation")));
        assert!(!known.properties.contains(&pk("LocalRegulation")));
        assert!(known.properties.contains(&pk("eventOf")));
        assert!(!known.classes.contains(&pk("eventOf")));
        assert!(!known.classes.contains(&pk("DataResources")));
        assert!(!known.properties.contains(&pk("DataResources")));
        assert!(known.properties.len() > 40 && known.classes.len() > 60);
        // RDF's and OWL's kinds of property and class, and a term typed by none: looked up both ways.
        let ex = |name: &str| {
            oxigraph::model::NamedNode::new_unchecked(format!("https://example.org/{name}"))
        };
        let w3c =
            |ns: &str, name: &str| oxigraph::model::NamedNode::new_unchecked(format!("{ns}{name}"));
        let rdf_type = oxigraph::model::vocab::rdf::TYPE.into_owned();
        let declared = [
            (ex("p"), rdf_type.clone(), w3c(vocab::RDF, "Property")),
            (
                ex("q"),
                rdf_type.clone(),
                w3c(vocab::OWL, "TransitiveProperty"),
            ),
            (ex("C"), rdf_type.clone(), w3c(vocab::RDFS, "Class")),
            (ex("u"), w3c(vocab::RDFS, "subPropertyOf"), ex("p")),
        ]
        .map(|(s, p, o)| Quad::new(s, p, o, GraphName::DefaultGraph));
        let known = Known::declared_by(declared.iter());
        fn named(set: &HashSet<String>) -> Vec<&str> {
            let mut names: Vec<&str> = set
                .iter()
                .map(|t| &t["https://example.org/".len()..])
                .collect();
            names.sort();
            names
        }
        assert_eq!(named(&known.properties), ["p", "q", "u"]);
        assert_eq!(named(&known.classes), ["C", "u"]);
    }

    #[test]
    fn a_refresh_writes_what_a_change_entails_and_takes_it_back_with_the_change() {
        let kg = KgStore::in_memory().unwrap();
        let entailed_now = || -> HashSet<Quad> {
            let graph = GraphName::NamedNode(entailed_graph());
            kg.store()
                .quads_for_pattern(None, None, None, Some(graph.as_ref()))
                .map(Result::unwrap)
                .collect()
        };
        let before = entailed_now();
        let graph = GraphName::NamedNode(oxigraph::model::NamedNode::new_unchecked(
            "file:///tmp/researcher.ttl",
        ));
        let ex = |name: &str| {
            oxigraph::model::NamedNode::new_unchecked(format!("https://example.org/{name}"))
        };
        let rdf_type = oxigraph::model::vocab::rdf::TYPE.into_owned();
        let regulation = Quad::new(
            ex("rule"),
            rdf_type.clone(),
            vocab::pk("LocalRegulation"),
            graph.clone(),
        );
        let unrelated = Quad::new(ex("thing"), rdf_type, ex("Thing"), graph);
        for quad in [&regulation, &unrelated] {
            kg.store().insert(quad).unwrap();
        }
        refresh(kg.store()).unwrap();
        let after = entailed_now();
        let added: Vec<&Quad> = after.difference(&before).collect();
        assert!(before.is_subset(&after));
        assert!(
            added.iter().all(|q| q.subject == ex("rule").into()),
            "{added:?}"
        );
        let legal_resource =
            oxigraph::model::NamedNode::new_unchecked(format!("{}LegalResource", vocab::ELI));
        assert!(added
            .iter()
            .any(|q| q.object == legal_resource.clone().into()));
        kg.store().remove(&regulation).unwrap();
        refresh(kg.store()).unwrap();
        assert_eq!(entailed_now(), before);
    }

    #[test]
    fn the_entailed_graph_holds_only_what_the_stored_graphs_do_not() {
        let kg = KgStore::in_memory().unwrap();
        let entailed = GraphName::NamedNode(entailed_graph());
        let stored: HashSet<Triple> = kg
            .store()
            .iter()
            .map(Result::unwrap)
            .filter(|q| q.graph_name != entailed)
            .map(|q| Triple::new(q.subject, q.predicate, q.object))
            .collect();
        let mut n = 0;
        for q in kg
            .store()
            .quads_for_pattern(None, None, None, Some(entailed.as_ref()))
        {
            let q = q.unwrap();
            assert!(!stored.contains(&Triple::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone()
            )));
            assert!(matches!(q.subject, NamedOrBlankNode::NamedNode(_)));
            assert_ne!(q.predicate.as_str(), format!("{}sameAs", vocab::OWL));
            n += 1;
        }
        assert!(n > 1000, "{n}");
        // Recomputing gives the same graph.
        assert_eq!(super::entailed(kg.store()).unwrap().len(), n);
    }
}
