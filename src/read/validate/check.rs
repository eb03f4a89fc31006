//! Running the shapes over the data graph: the union of the selected graphs, read once from the store into an
//! indexed dataset in memory. SHACL Core constraints are evaluated in Rust on that index, one focus node and one
//! value at a time, as the recommendation defines them; SHACL-SPARQL constraints run their SELECT on the same
//! dataset through Oxigraph's SPARQL evaluator.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{
    Dataset, GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad,
    Term, TermRef,
};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;

use super::shapes::{sh, Constraint, Path, Shape, Target, ValueTest, SH};
use super::Violation;
use crate::model::error::{Error, Result};
use crate::read::query;

/// The data graph: every triple of the selected graphs, once, in the default graph of an in-memory dataset, and
/// the superclasses of each class (reflexive and transitive), for `sh:class` and `sh:targetClass`.
pub(crate) struct DataGraph {
    dataset: Dataset,
    superclasses: HashMap<NamedNode, HashSet<NamedNode>>,
}

impl DataGraph {
    /// Read the union of `graphs` from the store; when `graphs` is empty, every graph but the entailed one.
    pub(crate) fn read(store: &Store, graphs: &[NamedNode]) -> Result<Self> {
        let quads: Vec<Quad> = if graphs.is_empty() {
            stored(store)?
        } else {
            let mut quads = Vec::new();
            for g in graphs {
                let g = GraphNameRef::NamedNode(g.as_ref());
                for q in store.quads_for_pattern(None, None, None, Some(g)) {
                    quads.push(q.map_err(Error::storage)?);
                }
            }
            quads
        };
        Ok(Self::from_quads(quads))
    }

    /// The data graph of these quads, whatever graph each is in.
    pub(crate) fn from_quads(quads: impl IntoIterator<Item = Quad>) -> Self {
        let mut dataset = Dataset::new();
        for q in quads {
            dataset.insert(&Quad::new(
                q.subject,
                q.predicate,
                q.object,
                GraphName::DefaultGraph,
            ));
        }
        let superclasses = superclasses(&dataset);
        DataGraph {
            dataset,
            superclasses,
        }
    }

    /// The values of a path from a node.
    fn values(&self, node: &Term, path: &Path) -> Vec<Term> {
        let mut values: Vec<Term> = match (path, node) {
            (Path::Predicate(p), Term::NamedNode(_) | Term::BlankNode(_)) => {
                let Some(subject) = subject_ref(node) else {
                    return Vec::new();
                };
                self.dataset
                    .quads_for_subject(subject)
                    .filter(|q| q.predicate == p.as_ref())
                    .map(|q| q.object.into_owned())
                    .collect()
            }
            (Path::Inverse(p), _) => self
                .dataset
                .quads_for_object(node.as_ref())
                .filter(|q| q.predicate == p.as_ref())
                .map(|q| q.subject.into_owned().into())
                .collect(),
            _ => Vec::new(),
        };
        values.sort_by_key(Term::to_string);
        values.dedup();
        values
    }

    /// Is `node` an instance of `class` (through `rdf:type` and `rdfs:subClassOf*`)?
    fn instance_of(&self, node: &Term, class: &NamedNode) -> bool {
        let Some(subject) = subject_ref(node) else {
            return false;
        };
        self.dataset
            .quads_for_subject(subject)
            .filter(|q| q.predicate == rdf::TYPE)
            .any(|q| match q.object {
                TermRef::NamedNode(t) => t == class.as_ref() || self.is_subclass(t, class),
                _ => false,
            })
    }

    fn is_subclass(&self, class: NamedNodeRef<'_>, of: &NamedNode) -> bool {
        self.superclasses
            .get(&class.into_owned())
            .is_some_and(|s| s.contains(of))
    }

    /// The focus nodes of a shape's targets, each once, in a stable order.
    fn focus_nodes(&self, targets: &[Target]) -> Vec<Term> {
        let mut nodes = Vec::new();
        for target in targets {
            match target {
                Target::Class(c) => nodes.extend(
                    self.dataset
                        .quads_for_predicate(rdf::TYPE)
                        .filter(|q| match q.object {
                            TermRef::NamedNode(t) => t == c.as_ref() || self.is_subclass(t, c),
                            _ => false,
                        })
                        .map(|q| q.subject.into_owned().into()),
                ),
                Target::SubjectsOf(p) => nodes.extend(
                    self.dataset
                        .quads_for_predicate(p.as_ref())
                        .map(|q| q.subject.into_owned().into()),
                ),
                Target::ObjectsOf(p) => nodes.extend(
                    self.dataset
                        .quads_for_predicate(p.as_ref())
                        .map(|q| q.object.into_owned()),
                ),
                Target::Node(n) => nodes.push(n.clone()),
            }
        }
        nodes.sort_by_key(Term::to_string);
        nodes.dedup();
        nodes
    }

    /// The rows of a SHACL-SPARQL SELECT on the data graph: `$this`, `?path`, `?value`.
    fn select(&self, text: &str) -> Result<Vec<[Option<Term>; 3]>> {
        let prepared = query::evaluator()
            .parse_query(text)
            .map_err(|e| Error::Evaluation(format!("a sh:select query of the shapes: {e}")))?;
        let results = prepared
            .on_queryable_dataset(&self.dataset)
            .execute()
            .map_err(|source| Error::Query { source })?;
        let QueryResults::Solutions(solutions) = results else {
            return Err(Error::Evaluation(
                "a sh:select query of the shapes is not a SELECT".into(),
            ));
        };
        let mut rows = Vec::new();
        for solution in solutions {
            let solution = solution.map_err(|source| Error::Query { source })?;
            rows.push(["this", "path", "value"].map(|v| solution.get(v).cloned()));
        }
        Ok(rows)
    }
}

/// Every quad of the store but those of `pkg:entailed`. The shapes describe what is stated: entailment types the
/// object of `pk:issuedBy` as a `pk:Organization` by the property's range, so a shape that checks that range
/// would never fail on the entailed graph. (`export` leaves it out too, which is what pySHACL is given.)
pub(crate) fn stored(store: &Store) -> Result<Vec<Quad>> {
    let entailed = GraphName::NamedNode(crate::model::vocab::entailed_graph());
    let mut quads = Vec::new();
    for q in store.iter() {
        let q = q.map_err(Error::storage)?;
        if q.graph_name != entailed {
            quads.push(q);
        }
    }
    Ok(quads)
}

/// Every class's superclasses through `rdfs:subClassOf*` (itself excluded).
fn superclasses(dataset: &Dataset) -> HashMap<NamedNode, HashSet<NamedNode>> {
    let mut direct: HashMap<NamedNode, Vec<NamedNode>> = HashMap::new();
    for q in dataset.quads_for_predicate(rdfs::SUB_CLASS_OF) {
        if let (NamedOrBlankNodeRef::NamedNode(c), TermRef::NamedNode(s)) = (q.subject, q.object) {
            direct
                .entry(c.into_owned())
                .or_default()
                .push(s.into_owned());
        }
    }
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
    closure
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
    let focus = data.focus_nodes(&shape.targets);
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
            match constraint {
                Constraint::Sparql { select, message } => {
                    out.extend(results.sparql(data, &focus, select, message.as_deref())?)
                }
                other => out.extend(results.core(data, &focus, other)),
            }
        }
    }
    Ok(out)
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

    /// The violations of a SHACL Core constraint, focus node by focus node.
    fn core(&self, data: &DataGraph, focus: &[Term], constraint: &Constraint) -> Vec<Violation> {
        let mut out = Vec::new();
        for node in focus {
            let values = match &self.shape.path {
                Some(path) => data.values(node, path),
                None => vec![node.clone()],
            };
            self.core_one(data, node, &values, constraint, &mut out);
        }
        out
    }

    fn core_one(
        &self,
        data: &DataGraph,
        node: &Term,
        values: &[Term],
        constraint: &Constraint,
        out: &mut Vec<Violation>,
    ) {
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
                let others = data.values(node, &Path::Predicate(p.clone()));
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
                for v in values.iter().filter(|v| !passes(data, test, v)) {
                    out.push(self.result(node, Some(v.clone()), component(test), describe(test)));
                }
            }
            _ => {}
        }
    }

    /// A SHACL-SPARQL constraint: its SELECT runs once over the whole data graph (`$this` free) and its rows whose
    /// `$this` is a focus node are the violations. That is the rows SHACL's one run per focus node (with `$this`
    /// pre-bound) gives, for queries whose `$this` occurs in a triple pattern of the top-level group, as in
    /// `ontology/shapes.ttl`.
    fn sparql(
        &self,
        data: &DataGraph,
        focus: &[Term],
        select: &str,
        message: Option<&str>,
    ) -> Result<Vec<Violation>> {
        let focus: HashSet<&Term> = focus.iter().collect();
        let mut out = Vec::new();
        for [this, path, value] in data.select(select)? {
            let Some(this) = this.filter(|t| focus.contains(t)) else {
                continue;
            };
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
fn passes(data: &DataGraph, test: &ValueTest, value: &Term) -> bool {
    let literal = match value {
        Term::Literal(l) => Some(l),
        _ => None,
    };
    match test {
        ValueTest::Class(c) => data.instance_of(value, c),
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
        ValueTest::Or(members) => members
            .iter()
            .any(|tests| tests.iter().all(|t| passes(data, t, value))),
    }
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

/// The order of two values as SPARQL's `<` compares them: numbers by value, dates, years and strings of the same
/// datatype by their (ISO 8601) lexical forms; `None` when they are not comparable.
fn compare(a: &Term, b: &Term) -> Option<Ordering> {
    let (Term::Literal(a), Term::Literal(b)) = (a, b) else {
        return None;
    };
    let numeric = |l: &Literal| {
        let d = l.datatype();
        [
            xsd::INTEGER,
            xsd::DECIMAL,
            xsd::DOUBLE,
            xsd::FLOAT,
            xsd::INT,
            xsd::LONG,
            xsd::NON_NEGATIVE_INTEGER,
        ]
        .contains(&d)
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
