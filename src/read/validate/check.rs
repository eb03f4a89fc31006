//! Running the shapes over the data graph. The data graph is read where it lies: the store's graphs through
//! Oxigraph's quad indexes (no copy: reading all 113k quads into memory cost more than the checks), or quads not
//! yet stored (`load --strict`), with the rest of the store as context for values and types. SHACL Core
//! constraints are evaluated in Rust, one focus node and one value at a time, as the recommendation defines them;
//! SHACL-SPARQL constraints run their SELECT through Oxigraph's SPARQL evaluator.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{
    Dataset, GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode,
    NamedOrBlankNodeRef, Quad, QuadRef, Term, TermRef,
};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;

use super::shapes::{sh, Constraint, Path, Shape, Target, ValueTest, SH};
use super::sieve::Sieve;
use super::Violation;
use crate::model::error::{Error, Result};
use crate::read::query;

/// Triples to validate or to consult: some graphs of the store, or quads held in memory.
pub(crate) enum Triples<'a> {
    /// The union of these graphs of the store.
    Store {
        /// The store.
        store: &'a Store,
        /// The graphs read; any other graph's quads are passed over.
        graphs: HashSet<GraphName>,
        /// Whether `graphs` is every graph but the entailed one.
        whole: bool,
    },
    /// Quads not yet stored, all in the default graph (the union of the graphs they name).
    Memory(Dataset),
}

impl<'a> Triples<'a> {
    /// Every graph of the store but `pkg:entailed`. The shapes describe what is stated: entailment types the
    /// object of `pk:issuedBy` as a `pk:Organization` by the property's range, so a shape that checks that range
    /// would never fail on the entailed graph. (`export` leaves it out too, which is what pySHACL is given.)
    pub(crate) fn stored(store: &'a Store) -> Result<Self> {
        let entailed = GraphName::NamedNode(crate::model::vocab::entailed_graph());
        let mut graphs = HashSet::from([GraphName::DefaultGraph]);
        for g in store.named_graphs() {
            graphs.insert(GraphName::from(g.map_err(Error::storage)?));
        }
        graphs.remove(&entailed);
        Ok(Triples::Store {
            store,
            graphs,
            whole: true,
        })
    }

    /// These graphs of the store.
    pub(crate) fn graphs(store: &'a Store, graphs: &[NamedNode]) -> Self {
        let graphs = graphs.iter().cloned().map(GraphName::NamedNode).collect();
        Triples::Store {
            store,
            graphs,
            whole: false,
        }
    }

    /// Quads in memory, as one graph: the union of the graphs they name.
    pub(crate) fn memory(quads: impl IntoIterator<Item = Quad>) -> Self {
        Triples::Memory(
            quads
                .into_iter()
                .map(|q| Quad::new(q.subject, q.predicate, q.object, GraphName::DefaultGraph))
                .collect(),
        )
    }

    /// The quads matching a pattern, in every graph this source reads, given to `f` one at a time.
    fn each(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: NamedNodeRef<'_>,
        object: Option<TermRef<'_>>,
        f: &mut dyn FnMut(QuadRef<'_>),
    ) -> Result<()> {
        match self {
            Triples::Store { store, graphs, .. } if subject.is_none() && object.is_none() => {
                // A scan of a whole predicate goes through SPARQL, which decodes only the subject and the object
                // of each row (a quad iterator decodes all four terms, each a RocksDB read).
                let text = format!("SELECT ?s ?o WHERE {{ ?s <{}> ?o }}", predicate.as_str());
                for [s, o, _] in select_in(store, graphs, &text, ["s", "o", "o"])? {
                    if let (Some(Ok(s)), Some(o)) = (s.map(NamedOrBlankNode::try_from), o) {
                        f(QuadRef::new(&s, predicate, &o, GraphNameRef::DefaultGraph));
                    }
                }
            }
            Triples::Store { store, graphs, .. } => {
                for q in store.quads_for_pattern(subject, Some(predicate), object, None) {
                    let q = q.map_err(Error::storage)?;
                    if graphs.contains(&q.graph_name) {
                        f(q.as_ref());
                    }
                }
            }
            Triples::Memory(dataset) => {
                let matches = |q: &QuadRef<'_>| {
                    q.predicate == predicate
                        && subject.is_none_or(|s| q.subject == s)
                        && object.is_none_or(|o| q.object == o)
                };
                let quads: Box<dyn Iterator<Item = QuadRef<'_>>> = match (subject, object) {
                    (Some(s), _) => Box::new(dataset.quads_for_subject(s)),
                    (None, Some(o)) => Box::new(dataset.quads_for_object(o)),
                    (None, None) => Box::new(dataset.quads_for_predicate(predicate)),
                };
                quads.filter(matches).for_each(f);
            }
        }
        Ok(())
    }

    /// The rows of a SHACL-SPARQL SELECT over these triples: `$this`, `?path`, `?value`.
    ///
    /// Over the whole store it runs on the union of every graph, the entailed one included: Oxigraph evaluates a
    /// default graph made of a list of graphs one graph at a time, which made the evidence constraint 5× slower
    /// (0.85 s against 0.17 s). The entailed graph adds no evidence, and the only stated properties it derives are
    /// the reverse of symmetric `pk:cooperatesWith` facts, which that constraint accepts by their evidence.
    fn select(&self, text: &str) -> Result<Vec<[Option<Term>; 3]>> {
        const COLUMNS: [&str; 3] = ["this", "path", "value"];
        match self {
            Triples::Store {
                store, whole: true, ..
            } => {
                let mut prepared = parse(text)?;
                prepared.dataset_mut().set_default_graph_as_union();
                rows(prepared.on_store(store).execute(), COLUMNS)
            }
            Triples::Store { store, graphs, .. } => select_in(store, graphs, text, COLUMNS),
            Triples::Memory(dataset) => {
                let prepared = parse(text)?;
                rows(prepared.on_queryable_dataset(dataset).execute(), COLUMNS)
            }
        }
    }
}

/// The rows of a SELECT over the union of some graphs of the store.
fn select_in(
    store: &Store,
    graphs: &HashSet<GraphName>,
    text: &str,
    columns: [&str; 3],
) -> Result<Vec<[Option<Term>; 3]>> {
    let mut prepared = parse(text)?;
    prepared
        .dataset_mut()
        .set_default_graph(graphs.iter().cloned().collect());
    rows(prepared.on_store(store).execute(), columns)
}

fn parse(text: &str) -> Result<oxigraph::sparql::PreparedSparqlQuery> {
    query::evaluator()
        .parse_query(text)
        .map_err(|e| Error::Evaluation(format!("a sh:select query of the shapes: {e}")))
}

/// Three columns of a SELECT's rows.
pub(super) fn rows(
    results: std::result::Result<QueryResults<'_>, oxigraph::sparql::QueryEvaluationError>,
    columns: [&str; 3],
) -> Result<Vec<[Option<Term>; 3]>> {
    let QueryResults::Solutions(solutions) = results.map_err(|source| Error::Query { source })?
    else {
        return Err(Error::Evaluation(
            "a sh:select query of the shapes is not a SELECT".into(),
        ));
    };
    let mut rows = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(|source| Error::Query { source })?;
        rows.push(columns.map(|v| solution.get(v).cloned()));
    }
    Ok(rows)
}

/// The data graph: the triples whose nodes are validated (`focus`), the triples consulted besides them for values
/// and types (`context`: the rest of the store), and the superclasses of each class (reflexive and transitive),
/// for `sh:class` and `sh:targetClass`.
pub(crate) struct DataGraph<'a> {
    focus: Triples<'a>,
    context: Option<Triples<'a>>,
    superclasses: HashMap<NamedNode, HashSet<NamedNode>>,
    /// The values of the paths asked about most, by node.
    indexes: RefCell<HashMap<Path, PathIndex>>,
    /// The sieve that narrows the focus nodes to those that may fail, when the focus triples are stored.
    sieve: Option<Sieve<'a>>,
    /// What the sieve named for each shape, by the nodes of its node shape and of itself in the shapes graph
    /// (a property shape may serve two node shapes), evaluated ahead on every core.
    sieved_ahead: RefCell<HashMap<ShapePair, Option<Vec<Term>>>>,
}

/// A node shape's node and the node of one of its shapes (itself or a property shape) in the shapes graph.
type ShapePair = (Term, Term);

/// How often a path was asked about, and once that is more than [`SCAN_AFTER`] times, all its values by node: one
/// scan of the predicate's index costs less than thousands of point lookups (3.7k quote selectors: 690 ms of
/// lookups against a few ms of scan), and a small loaded graph still gets only point lookups.
#[derive(Default)]
struct PathIndex {
    asked: usize,
    by_node: Option<HashMap<Term, Vec<Term>>>,
}

/// Point lookups of a path before its values are read by one scan.
const SCAN_AFTER: usize = 64;

impl<'a> DataGraph<'a> {
    /// Validate the nodes of `focus`, reading values and types from `focus` and `context`.
    pub(crate) fn new(focus: Triples<'a>, context: Option<Triples<'a>>) -> Result<Self> {
        let mut data = DataGraph {
            focus,
            context,
            superclasses: HashMap::new(),
            indexes: RefCell::new(HashMap::new()),
            sieve: None,
            sieved_ahead: RefCell::new(HashMap::new()),
        };
        data.superclasses = data.read_superclasses()?;
        data.sieve = data.make_sieve()?;
        Ok(data)
    }

    /// A sieve when the focus triples are graphs of the store, and so are the values (the default graph, empty in
    /// a policykg store, is not reached by the sieve's `GRAPH ?g`).
    fn make_sieve(&self) -> Result<Option<Sieve<'a>>> {
        let Triples::Store {
            store,
            graphs,
            whole,
        } = &self.focus
        else {
            return Ok(None);
        };
        if !matches!(self.context, None | Some(Triples::Store { .. })) {
            return Ok(None);
        }
        let default = GraphNameRef::DefaultGraph;
        if let Some(quad) = store
            .quads_for_pattern(None, None, None, Some(default))
            .next()
        {
            quad.map_err(Error::storage)?;
            return Ok(None);
        }
        let entailed = GraphName::NamedNode(crate::model::vocab::entailed_graph());
        Ok(Some(Sieve::new(store, graphs, *whole, &entailed)))
    }

    /// The focus nodes of node shape `node`'s targets that may fail a core constraint of `shape` (`node` itself
    /// or one of its property shapes), as [`DataGraph::sieve_ahead`] found them; `None` (check every focus node)
    /// without a sieve.
    fn sieved(&self, node: &Shape, shape: &Shape) -> Option<Vec<Term>> {
        let key = (node.id.clone(), shape.id.clone());
        self.sieved_ahead.borrow_mut().remove(&key).flatten()
    }

    /// Evaluate the sieve queries of every shape and its property shapes at once, one per core: each is a
    /// SPARQL query of its own over the store (the sieve is most of `validate`'s time), and the checks that
    /// follow read their answers. A shape not sieved ahead has every focus node checked.
    pub(crate) fn sieve_ahead(&self, shapes: &[Shape]) -> Result<()> {
        let Some(sieve) = &self.sieve else {
            return Ok(());
        };
        let work: Vec<(&Shape, &Shape)> = shapes
            .iter()
            .flat_map(|shape| {
                std::iter::once(shape)
                    .chain(&shape.properties)
                    .map(move |s| (shape, s))
            })
            .collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let superclasses = &self.superclasses;
        type Answer = (ShapePair, Option<Vec<Term>>);
        let worker = || -> Result<Vec<Answer>> {
            let mut done = Vec::new();
            while let Some((node, s)) =
                work.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            {
                let nodes = sieve.candidates(&node.targets, s, &|c| subclasses(superclasses, c))?;
                done.push(((node.id.clone(), s.id.clone()), nodes));
            }
            Ok(done)
        };
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let answers: Vec<Result<Vec<_>>> = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..cores).map(|_| scope.spawn(worker)).collect();
            let mut answers = vec![worker()];
            answers.extend(helpers.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Evaluation("a sieve query failed".into())))
            }));
            answers
        });
        let mut ahead = self.sieved_ahead.borrow_mut();
        for answer in answers {
            ahead.extend(answer?);
        }
        Ok(())
    }

    /// Is `node` a focus node of `targets` (in the focus triples)?
    fn is_focus(&self, node: &Term, targets: &[Target]) -> Result<bool> {
        let subject = subject_ref(node);
        for target in targets {
            let mut found = false;
            match (target, subject) {
                (Target::Class(c), Some(s)) => {
                    let classes = self.subclasses(c);
                    self.focus.each(Some(s), rdf::TYPE, None, &mut |q| {
                        found |= matches!(q.object, TermRef::NamedNode(t) if classes.iter().any(|c| c.as_ref() == t));
                    })?;
                }
                (Target::SubjectsOf(p), Some(s)) => {
                    self.focus
                        .each(Some(s), p.as_ref(), None, &mut |_| found = true)?;
                }
                (Target::ObjectsOf(p), _) => {
                    self.focus
                        .each(None, p.as_ref(), Some(node.as_ref()), &mut |_| found = true)?;
                }
                (Target::Node(n), _) => found = n == node,
                _ => {}
            }
            if found {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The sources to read values from: the focus triples, then the context.
    fn sources(&self) -> impl Iterator<Item = &Triples<'a>> {
        std::iter::once(&self.focus).chain(&self.context)
    }

    /// The matches of a pattern in every source, `f` applied to each.
    fn each(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: NamedNodeRef<'_>,
        object: Option<TermRef<'_>>,
        f: &mut dyn FnMut(QuadRef<'_>),
    ) -> Result<()> {
        for source in self.sources() {
            source.each(subject, predicate, object, f)?;
        }
        Ok(())
    }

    /// The values of a path from a node, each once.
    fn values(&self, node: &Term, path: &Path) -> Result<Vec<Term>> {
        {
            let mut indexes = self.indexes.borrow_mut();
            let index = indexes.entry(path.clone()).or_default();
            if index.by_node.is_none() {
                index.asked += 1;
                if index.asked > SCAN_AFTER {
                    index.by_node = Some(self.scan(path)?);
                }
            }
            if let Some(by_node) = &index.by_node {
                return Ok(by_node.get(node).cloned().unwrap_or_default());
            }
        }
        let mut values = Vec::new();
        match (path, subject_ref(node)) {
            (Path::Predicate(p), Some(subject)) => {
                self.each(Some(subject), p.as_ref(), None, &mut |q| {
                    values.push(q.object.into_owned())
                })?
            }
            (Path::Inverse(p), _) => {
                self.each(None, p.as_ref(), Some(node.as_ref()), &mut |q| {
                    values.push(q.subject.into_owned().into())
                })?
            }
            _ => {}
        }
        let mut seen = HashSet::new();
        values.retain(|v| seen.insert(v.clone()));
        Ok(values)
    }

    /// Every node's values of a path, each once, from one scan of its predicate in every source.
    fn scan(&self, path: &Path) -> Result<HashMap<Term, Vec<Term>>> {
        let mut by_node: HashMap<Term, Vec<Term>> = HashMap::new();
        self.each(None, path.predicate(), None, &mut |q| {
            let (node, value): (Term, Term) = match path {
                Path::Predicate(_) => (q.subject.into_owned().into(), q.object.into_owned()),
                Path::Inverse(_) => (q.object.into_owned(), q.subject.into_owned().into()),
            };
            let values = by_node.entry(node).or_default();
            if !values.contains(&value) {
                values.push(value);
            }
        })?;
        Ok(by_node)
    }

    /// Is `node` an instance of `class` (through `rdf:type` and `rdfs:subClassOf*`)?
    fn instance_of(&self, node: &Term, class: &NamedNode) -> Result<bool> {
        let types = self.values(node, &Path::Predicate(rdf::TYPE.into_owned()))?;
        Ok(types.iter().any(|t| match t {
            Term::NamedNode(t) => t == class || self.is_subclass(t.as_ref(), class),
            _ => false,
        }))
    }

    /// A class and every class below it.
    fn subclasses(&self, class: &NamedNode) -> Vec<NamedNode> {
        subclasses(&self.superclasses, class)
    }

    fn is_subclass(&self, class: NamedNodeRef<'_>, of: &NamedNode) -> bool {
        self.superclasses
            .get(&class.into_owned())
            .is_some_and(|s| s.contains(of))
    }

    /// The focus nodes of a shape's targets, each once, in a stable order: nodes of the focus triples only.
    fn focus_nodes(&self, targets: &[Target]) -> Result<Vec<Term>> {
        let mut nodes: Vec<Term> = Vec::new();
        for target in targets {
            match target {
                Target::Class(c) => {
                    for class in self.subclasses(c) {
                        let class = TermRef::from(class.as_ref());
                        self.focus.each(None, rdf::TYPE, Some(class), &mut |q| {
                            nodes.push(q.subject.into_owned().into())
                        })?;
                    }
                }
                Target::SubjectsOf(p) => self.focus.each(None, p.as_ref(), None, &mut |q| {
                    nodes.push(q.subject.into_owned().into())
                })?,
                Target::ObjectsOf(p) => self.focus.each(None, p.as_ref(), None, &mut |q| {
                    nodes.push(q.object.into_owned())
                })?,
                Target::Node(n) => nodes.push(n.clone()),
            }
        }
        nodes.sort_by_cached_key(Term::to_string);
        nodes.dedup();
        Ok(nodes)
    }

    /// The rows of a SHACL-SPARQL SELECT: over the whole store when the focus graphs are part of it (a constraint
    /// may need triples of other graphs), over the focus triples alone when they are quads not yet stored.
    fn select(&self, text: &str) -> Result<Vec<[Option<Term>; 3]>> {
        match (&self.focus, &self.context) {
            (Triples::Store { .. }, Some(context @ Triples::Store { .. })) => context.select(text),
            (focus, _) => focus.select(text),
        }
    }

    /// Every class's superclasses through `rdfs:subClassOf*` (itself excluded), from every source.
    fn read_superclasses(&self) -> Result<HashMap<NamedNode, HashSet<NamedNode>>> {
        let mut direct: HashMap<NamedNode, Vec<NamedNode>> = HashMap::new();
        self.each(None, rdfs::SUB_CLASS_OF, None, &mut |q| {
            if let (NamedOrBlankNodeRef::NamedNode(c), TermRef::NamedNode(s)) =
                (q.subject, q.object)
            {
                direct
                    .entry(c.into_owned())
                    .or_default()
                    .push(s.into_owned());
            }
        })?;
        let mut closure = HashMap::new();
        for class in direct.keys() {
            let mut seen: HashSet<NamedNode> = HashSet::new();
            let mut stack = vec![class.clone()];
            while let Some(c) = stack.pop() {
                for s in direct.get(&c).into_iter().flatten() {
                    if seen.insert(s.clone()) {
                        stack.push(s.clone());
                    }
                }
            }
            closure.insert(class.clone(), seen);
        }
        Ok(closure)
    }
}

fn subject_ref(term: &Term) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        Term::NamedNode(n) => Some(n.as_ref().into()),
        Term::BlankNode(b) => Some(b.as_ref().into()),
        _ => None,
    }
}

/// The violations of one node shape and its property shapes.
pub(crate) fn check_shape(data: &DataGraph, shape: &Shape) -> Result<Vec<Violation>> {
    let mut every_focus: Option<Vec<Term>> = None;
    let mut out = Vec::new();
    for s in std::iter::once(shape).chain(&shape.properties) {
        // A result names its shape; a property shape without a name of its own is named by its node shape.
        let named = match s.id {
            Term::NamedNode(_) => s.id.clone(),
            _ => shape.id.clone(),
        };
        let results = Results {
            shape: s,
            named: &named,
        };
        for constraint in &s.constraints {
            if let Constraint::Sparql { select, message } = constraint {
                out.extend(results.sparql(data, &shape.targets, select, message.as_deref())?);
            }
        }
        // The sieve gives the focus nodes that may fail a core constraint; without one, every focus node is checked.
        let focus = match data.sieved(shape, s) {
            Some(nodes) => nodes,
            None => match &every_focus {
                Some(nodes) => nodes.clone(),
                None => every_focus
                    .insert(data.focus_nodes(&shape.targets)?)
                    .clone(),
            },
        };
        results.core(data, &focus, &mut out)?;
    }
    Ok(out)
}

/// A class and the classes below it, from each class's superclasses.
fn subclasses(
    superclasses: &HashMap<NamedNode, HashSet<NamedNode>>,
    class: &NamedNode,
) -> Vec<NamedNode> {
    let below = superclasses
        .iter()
        .filter(|(_, above)| above.contains(class))
        .map(|(c, _)| c.clone());
    std::iter::once(class.clone()).chain(below).collect()
}

/// Makes the results of one shape.
struct Results<'a> {
    shape: &'a Shape,
    named: &'a Term,
}

impl Results<'_> {
    fn result(
        &self,
        focus: &Term,
        value: Option<Term>,
        component: &str,
        default: String,
    ) -> Violation {
        Violation {
            focus: focus.clone(),
            path: self.shape.path.clone(),
            value,
            shape: self.named.clone(),
            component: sh(component),
            message: self.shape.message.clone().unwrap_or(default),
        }
    }

    /// The violations of the shape's SHACL Core constraints, focus node by focus node: the values of its path
    /// are read once per node for all of them.
    fn core(&self, data: &DataGraph, focus: &[Term], out: &mut Vec<Violation>) -> Result<()> {
        let core: Vec<&Constraint> = self
            .shape
            .constraints
            .iter()
            .filter(|c| !matches!(c, Constraint::Sparql { .. }))
            .collect();
        if core.is_empty() {
            return Ok(());
        }
        for node in focus {
            let values = match &self.shape.path {
                Some(path) => data.values(node, path)?,
                None => vec![node.clone()],
            };
            for constraint in &core {
                self.core_one(data, node, &values, constraint, out)?;
            }
        }
        Ok(())
    }

    fn core_one(
        &self,
        data: &DataGraph,
        node: &Term,
        values: &[Term],
        constraint: &Constraint,
        out: &mut Vec<Violation>,
    ) -> Result<()> {
        let count = u64::try_from(values.len()).unwrap_or(u64::MAX);
        match constraint {
            Constraint::MinCount(n) if count < *n => out.push(self.result(
                node,
                None,
                "MinCountConstraintComponent",
                format!("fewer than {n} values"),
            )),
            Constraint::MaxCount(n) if count > *n => out.push(self.result(
                node,
                None,
                "MaxCountConstraintComponent",
                format!("more than {n} values"),
            )),
            Constraint::UniqueLang => {
                let mut seen = HashSet::new();
                let mut shared = HashSet::new();
                for v in values {
                    if let Term::Literal(l) = v {
                        if let Some(lang) = l.language() {
                            if !seen.insert(lang.to_ascii_lowercase())
                                && shared.insert(lang.to_ascii_lowercase())
                            {
                                out.push(self.result(
                                    node,
                                    None,
                                    "UniqueLangConstraintComponent",
                                    format!("two values in language {lang}"),
                                ));
                            }
                        }
                    }
                }
            }
            Constraint::LessThan(p) => {
                let others = data.values(node, &Path::Predicate(p.clone()))?;
                for v in values {
                    if others.iter().any(|o| compare(v, o) != Some(Ordering::Less)) {
                        let default = format!("not less than every value of <{}>", p.as_str());
                        out.push(self.result(
                            node,
                            Some(v.clone()),
                            "LessThanConstraintComponent",
                            default,
                        ));
                    }
                }
            }
            Constraint::Value(test) => {
                for v in values {
                    if !passes(data, test, v)? {
                        out.push(self.result(
                            node,
                            Some(v.clone()),
                            component(test),
                            describe(test),
                        ));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A SHACL-SPARQL constraint: its SELECT runs once over the whole data graph (`$this` free) and its rows whose
    /// `$this` is a focus node are the violations. That is the rows SHACL's one run per focus node (with `$this`
    /// pre-bound) gives, for queries whose top-level group binds `$this` by a triple pattern in every solution
    /// (in each branch of a UNION), as in `ontology/shapes.ttl`.
    fn sparql(
        &self,
        data: &DataGraph,
        targets: &[Target],
        select: &str,
        message: Option<&str>,
    ) -> Result<Vec<Violation>> {
        let mut out = Vec::new();
        for [this, path, value] in data.select(select)? {
            let Some(this) = this else { continue };
            if !data.is_focus(&this, targets)? {
                continue;
            }
            let mut result = self.result(
                &this,
                value,
                "SPARQLConstraintComponent",
                "a SPARQL constraint found this".into(),
            );
            if let Some(Term::NamedNode(p)) = path {
                result.path = Some(Path::Predicate(p));
            }
            if let Some(m) = message {
                result.message = m.to_owned();
            }
            out.push(result);
        }
        Ok(out)
    }
}

/// Does a value pass a test?
fn passes(data: &DataGraph, test: &ValueTest, value: &Term) -> Result<bool> {
    let literal = match value {
        Term::Literal(l) => Some(l),
        _ => None,
    };
    Ok(match test {
        ValueTest::Class(c) => return data.instance_of(value, c),
        ValueTest::Datatype(d) => {
            literal.is_some_and(|l| l.datatype() == d.as_ref() && well_formed(l))
        }
        ValueTest::NodeKind(k) => node_kind(k, value),
        ValueTest::Pattern(p, flags) => {
            !matches!(value, Term::BlankNode(_))
                && matches_pattern(p, flags.as_deref(), &super::shapes::lexical(value))
        }
        ValueTest::LanguageIn(tags) => literal
            .and_then(Literal::language)
            .is_some_and(|lang| tags.iter().any(|t| lang_matches(lang, t))),
        ValueTest::In(members) => members.contains(value),
        ValueTest::MinInclusive(min) => {
            matches!(
                compare(value, &Term::Literal(min.clone())),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }
        ValueTest::MinLength(n) => {
            !matches!(value, Term::BlankNode(_))
                && u64::try_from(super::shapes::lexical(value).chars().count()).unwrap_or(u64::MAX)
                    >= *n
        }
        ValueTest::Or(members) => {
            for tests in members {
                let mut all = true;
                for t in tests {
                    all = all && passes(data, t, value)?;
                }
                if all {
                    return Ok(true);
                }
            }
            false
        }
    })
}

/// A literal whose lexical form is valid for its datatype (as far as SHACL's `sh:datatype` asks).
fn well_formed(l: &Literal) -> bool {
    let v = l.value();
    let d = l.datatype();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if d == xsd::INTEGER {
        digits(v.strip_prefix(['-', '+']).unwrap_or(v))
    } else if d == xsd::DATE {
        v.len() == 10
            && v.as_bytes()[4] == b'-'
            && v.as_bytes()[7] == b'-'
            && digits(&v[..4])
            && digits(&v[5..7])
            && digits(&v[8..])
    } else if d == xsd::G_YEAR {
        v.len() == 4 && digits(v)
    } else if d == xsd::G_YEAR_MONTH {
        v.len() == 7 && v.as_bytes()[4] == b'-' && digits(&v[..4]) && digits(&v[5..])
    } else if d == xsd::DECIMAL {
        let v = v.strip_prefix(['-', '+']).unwrap_or(v);
        let (i, f) = v.split_once('.').unwrap_or((v, "0"));
        (digits(i) || i.is_empty() && digits(f)) && (f.is_empty() || digits(f))
    } else {
        true
    }
}

/// `sh:nodeKind`.
fn node_kind(kind: &NamedNode, value: &Term) -> bool {
    let (iri, blank, literal) = match value {
        Term::NamedNode(_) => (true, false, false),
        Term::BlankNode(_) => (false, true, false),
        _ => (false, false, true),
    };
    match kind.as_str().strip_prefix(SH).unwrap_or_default() {
        "IRI" => iri,
        "Literal" => literal,
        "BlankNode" => blank,
        "BlankNodeOrIRI" => blank || iri,
        "BlankNodeOrLiteral" => blank || literal,
        "IRIOrLiteral" => iri || literal,
        _ => false,
    }
}

/// SPARQL's `REGEX(text, pattern, flags)`, as `sh:pattern` is defined; an invalid pattern matches nothing.
fn matches_pattern(pattern: &str, flags: Option<&str>, text: &str) -> bool {
    let mut builder = regex::RegexBuilder::new(pattern);
    for flag in flags.unwrap_or_default().chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            's' => builder.dot_matches_new_line(true),
            'm' => builder.multi_line(true),
            'x' => builder.ignore_whitespace(true),
            _ => &mut builder,
        };
    }
    builder.build().is_ok_and(|r| r.is_match(text))
}

/// SPARQL's `langMatches`: `zh` matches `zh` and `zh-Hans`; `*` matches any tag.
fn lang_matches(tag: &str, range: &str) -> bool {
    range == "*"
        || tag.eq_ignore_ascii_case(range)
        || tag.len() > range.len()
            && tag.as_bytes()[range.len()] == b'-'
            && tag[..range.len()].eq_ignore_ascii_case(range)
}

/// The datatypes `compare` reads as numbers (the sieve's numeric tests name the same).
pub(super) const NUMERIC: [NamedNodeRef<'static>; 7] = [
    xsd::INTEGER,
    xsd::DECIMAL,
    xsd::DOUBLE,
    xsd::FLOAT,
    xsd::INT,
    xsd::LONG,
    xsd::NON_NEGATIVE_INTEGER,
];

/// The order of two values as SPARQL's `<` compares them: numbers by value, dates, years and strings of the same
/// datatype by their (ISO 8601) lexical forms; `None` when they are not comparable.
fn compare(a: &Term, b: &Term) -> Option<Ordering> {
    let (Term::Literal(a), Term::Literal(b)) = (a, b) else {
        return None;
    };
    let numeric = |l: &Literal| {
        NUMERIC
            .contains(&l.datatype())
            .then(|| l.value().parse::<f64>().ok())
            .flatten()
    };
    match (numeric(a), numeric(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ if a.datatype() == b.datatype() && a.language().is_none() && b.language().is_none() => {
            Some(a.value().cmp(b.value()))
        }
        _ => None,
    }
}

/// The SHACL constraint component a test belongs to.
fn component(test: &ValueTest) -> &'static str {
    match test {
        ValueTest::Class(_) => "ClassConstraintComponent",
        ValueTest::Datatype(_) => "DatatypeConstraintComponent",
        ValueTest::NodeKind(_) => "NodeKindConstraintComponent",
        ValueTest::Pattern(..) => "PatternConstraintComponent",
        ValueTest::LanguageIn(_) => "LanguageInConstraintComponent",
        ValueTest::In(_) => "InConstraintComponent",
        ValueTest::MinInclusive(_) => "MinInclusiveConstraintComponent",
        ValueTest::MinLength(_) => "MinLengthConstraintComponent",
        ValueTest::Or(_) => "OrConstraintComponent",
    }
}

/// What a failed test means, for a shape without `sh:message`.
fn describe(test: &ValueTest) -> String {
    match test {
        ValueTest::Class(c) => format!("not an instance of <{}>", c.as_str()),
        ValueTest::Datatype(d) => format!("not a well-formed literal of datatype <{}>", d.as_str()),
        ValueTest::NodeKind(k) => format!("not of node kind <{}>", k.as_str()),
        ValueTest::Pattern(p, _) => format!("does not match {p:?}"),
        ValueTest::LanguageIn(tags) => format!("language not in {}", tags.join(", ")),
        ValueTest::In(_) => "not one of the allowed values".into(),
        ValueTest::MinInclusive(min) => format!("less than {min}"),
        ValueTest::MinLength(n) => format!("shorter than {n} characters"),
        ValueTest::Or(_) => "passes none of the alternatives".into(),
    }
}
