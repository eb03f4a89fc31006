//! The sieve: one SPARQL query per shape that names the focus nodes which may fail one of its SHACL Core
//! constraints, evaluated by Oxigraph on its encoded terms. Reading the values of every focus node decodes each
//! term (a RocksDB read per IRI: 0.6 s of the 1 s `validate` took on the bundle); the sieve decodes only the focus
//! nodes it names, and the Rust checks of `check` then decide on those alone, so the report is theirs.
//!
//! The sieve must never leave out a node that fails. Each test is written so that it holds for every value that
//! fails the Rust test (an error in the expression counts as a failure); where no such expression is simple
//! (`sh:pattern`, a blank node in `sh:in`), every value is a candidate. Joins are written as subqueries, which
//! Oxigraph evaluates as hash joins; a correlated `OPTIONAL` or `EXISTS` would read the indexes once per row.

use std::collections::HashSet;

use oxigraph::model::vocab::xsd;
use oxigraph::model::{GraphName, NamedNode, Term};
use oxigraph::store::Store;

use super::check::{rows, NUMERIC};
use super::shapes::{Constraint, Path, Shape, Target, ValueTest, SH};
use crate::model::error::{Error, Result};
use crate::read::query;

/// What a sieve query needs: the store, the focus graphs (a SPARQL condition on `?gf`), and the graph the values
/// and types are not read from (the entailed one, unless it is a focus graph).
pub(crate) struct Sieve<'a> {
    store: &'a Store,
    focus: String,
    unread: Option<String>,
}

impl<'a> Sieve<'a> {
    /// A sieve over `graphs` of the store (`whole`: every graph but `entailed`), its values read from every
    /// named graph but `entailed`.
    pub(crate) fn new(
        store: &'a Store,
        graphs: &HashSet<GraphName>,
        whole: bool,
        entailed: &GraphName,
    ) -> Self {
        let focus = if whole {
            format!("FILTER(?gf != {entailed})")
        } else {
            let names: Vec<String> = graphs
                .iter()
                .filter(|g| !g.is_default_graph())
                .map(ToString::to_string)
                .collect();
            format!("FILTER(?gf IN ({}))", names.join(", "))
        };
        let unread = (!graphs.contains(entailed)).then(|| entailed.to_string());
        Sieve {
            store,
            focus,
            unread,
        }
    }

    /// The focus nodes of `targets` that may fail a core constraint of `shape`, or `None` when the targets cannot
    /// be written in SPARQL (a blank node as `sh:targetNode`). `subclasses` gives a class and the classes below it.
    pub(crate) fn candidates(
        &self,
        targets: &[Target],
        shape: &Shape,
        subclasses: &dyn Fn(&NamedNode) -> Vec<NamedNode>,
    ) -> Result<Option<Vec<Term>>> {
        let mut query = Query {
            sieve: self,
            subclasses,
            joins: Vec::new(),
        };
        let Some(branches) = query.text(targets, shape) else {
            return Ok(None);
        };
        let mut union = Vec::new();
        for branch in branches {
            if let Some(probe) = &branch.probe {
                if self.select(probe, "v")?.is_empty() {
                    continue;
                }
            }
            union.push(branch.text);
        }
        if union.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let text = format!(
            "SELECT DISTINCT ?this WHERE {{ {} }}",
            union.join(" UNION ")
        );
        self.select(&text, "this").map(Some)
    }

    /// The values of one variable in the rows of a query.
    fn select(&self, text: &str, variable: &str) -> Result<Vec<Term>> {
        let prepared = query::evaluator()
            .parse_query(text)
            .map_err(|e| Error::Evaluation(format!("a sieve query of the shapes: {e}")))?;
        let nodes = rows(prepared.on_store(self.store).execute(), [variable; 3])?;
        Ok(nodes.into_iter().filter_map(|[n, _, _]| n).collect())
    }

    /// `GRAPH ?g { pattern }` over the graphs values are read from.
    fn read(&self, g: &str, pattern: &str) -> String {
        match &self.unread {
            Some(unread) => format!("GRAPH ?{g} {{ {pattern} }} FILTER(?{g} != {unread})"),
            None => format!("GRAPH ?{g} {{ {pattern} }}"),
        }
    }
}

/// A part of a sieve query (the query is their UNION), and a query that must have a row for it to name any node.
struct Branch {
    text: String,
    probe: Option<String>,
}

impl Branch {
    fn new(text: String) -> Self {
        Branch { text, probe: None }
    }
}

/// One sieve query being written: the subqueries joined to each value (class membership, `sh:lessThan` values).
struct Query<'s, 'a> {
    sieve: &'s Sieve<'a>,
    subclasses: &'s dyn Fn(&NamedNode) -> Vec<NamedNode>,
    joins: Vec<String>,
}

impl Query<'_, '_> {
    /// The branches of the query: `None` when the targets cannot be written, none when the shape has no core
    /// constraint (no node may fail one).
    fn text(&mut self, targets: &[Target], shape: &Shape) -> Option<Vec<Branch>> {
        let focus = self.focus(targets)?;
        let mut having = Vec::new();
        // Tests of a value alone, and `sh:lessThan` tests of a value against the focus node's other values.
        let mut fails = Vec::new();
        let mut ordered = Vec::new();
        let mut bounds = Vec::new();
        for constraint in &shape.constraints {
            match constraint {
                Constraint::MinCount(n) => having.push(format!("COUNT(DISTINCT ?v) < {n}")),
                Constraint::MaxCount(n) => having.push(format!("COUNT(DISTINCT ?v) > {n}")),
                // Two values share a language only if there are fewer languages than values.
                Constraint::UniqueLang => {
                    having.push("COUNT(DISTINCT ?v) > COUNT(DISTINCT LCASE(LANG(?v)))".into())
                }
                Constraint::LessThan(p) => {
                    let o = format!("?o{}", bounds.len());
                    let read = self.sieve.read("g", &format!("?this <{}> {o}", p.as_str()));
                    bounds.push(format!(
                        "OPTIONAL {{ SELECT ?this {o} WHERE {{ {read} }} }}"
                    ));
                    ordered.push(format!(
                        "BOUND({o}) && !({} && {} && ?v < {o})",
                        numeric("?v"),
                        numeric(&o)
                    ));
                }
                Constraint::Value(test) => fails.push(self.fails(test)),
                Constraint::Sparql { .. } => {}
            }
        }
        if having.is_empty() && fails.is_empty() && ordered.is_empty() {
            return Some(Vec::new());
        }
        let focus = format!("{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }}");
        let pattern = |this: &str| match &shape.path {
            Some(Path::Predicate(p)) => format!("{this} <{}> ?v", p.as_str()),
            Some(Path::Inverse(p)) => format!("?v <{}> {this}", p.as_str()),
            None => String::new(),
        };
        let values = match &shape.path {
            None => "BIND(?this AS ?v)".to_owned(),
            Some(_) => format!(
                "{{ SELECT ?this ?v WHERE {{ {} }} }}",
                self.sieve.read("g", &pattern("?this"))
            ),
        };
        // Counts by a GROUP BY, failing values by a FILTER on each: an aggregate of the value tests costs 10x more.
        let mut union = Vec::new();
        if !having.is_empty() {
            let optional = match &shape.path {
                None => values.clone(),
                Some(_) => format!("OPTIONAL {values}"),
            };
            union.push(Branch::new(format!(
                "{{ SELECT ?this WHERE {{ {focus} {optional} }} GROUP BY ?this HAVING ({}) }}",
                having.join(" || ")
            )));
        }
        let joins = self.joins.join(" ");
        if !ordered.is_empty() {
            fails.extend(ordered);
            union.push(Branch::new(format!(
                "{{ {focus} {values} {joins} {} FILTER(COALESCE({}, true)) }}",
                bounds.join(" "),
                any(&fails)
            )));
        } else if !fails.is_empty() {
            let test = format!("{joins} FILTER(COALESCE({}, true))", any(&fails));
            union.push(match &shape.path {
                None => Branch::new(format!("{{ {focus} {values} {test} }}")),
                // Each distinct value is tested once (74 classes for 27,000 rdf:type triples): the GROUP BY keeps
                // the optimizer from pushing the test below it, onto every triple (a test reads the value's term,
                // a RocksDB read for an IRI or a long string). Only when a value fails are the focus nodes read
                // and joined to the values that failed.
                Some(_) => {
                    let failing = format!(
                        "SELECT ?v WHERE {{ {{ SELECT ?v WHERE {{ {} }} GROUP BY ?v }} {test} }}",
                        self.sieve.read("g", &pattern("?x"))
                    );
                    Branch {
                        text: format!("{{ {focus} {values} {{ {failing} }} }}"),
                        probe: Some(format!("{failing} LIMIT 1")),
                    }
                }
            });
        }
        Some(union)
    }

    /// The focus nodes of the targets, in the focus graphs.
    fn focus(&self, targets: &[Target]) -> Option<String> {
        let in_focus =
            |pattern: String| format!("{{ GRAPH ?gf {{ {pattern} }} {} }}", self.sieve.focus);
        // Every target class in one pattern, read by class (a VALUES join; a FILTER would scan every type).
        let classes: Vec<String> = targets
            .iter()
            .filter_map(|t| match t {
                Target::Class(c) => Some(self.classes(c)),
                _ => None,
            })
            .collect();
        let mut union = Vec::new();
        if !classes.is_empty() {
            let classes = classes.join(" ");
            union.push(format!(
                "{{ VALUES ?c {{ {classes} }} GRAPH ?gf {{ ?this a ?c }} {} }}",
                self.sieve.focus
            ));
        }
        for target in targets {
            union.push(match target {
                Target::Class(_) => continue,
                Target::SubjectsOf(p) => in_focus(format!("?this <{}> ?x", p.as_str())),
                Target::ObjectsOf(p) => in_focus(format!("?x <{}> ?this", p.as_str())),
                Target::Node(n @ (Term::NamedNode(_) | Term::Literal(_))) => {
                    format!("{{ VALUES ?this {{ {n} }} }}")
                }
                Target::Node(_) => return None,
            });
        }
        if union.is_empty() {
            return Some("FILTER(false)".into());
        }
        Some(union.join(" UNION "))
    }

    /// A class and the classes below it, as SPARQL terms.
    fn classes(&self, class: &NamedNode) -> String {
        (self.subclasses)(class)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A SPARQL condition on `?v` that holds for every value that fails the test.
    fn fails(&mut self, test: &ValueTest) -> String {
        match test {
            ValueTest::Class(c) => {
                let k = format!("?k{}", self.joins.len());
                let read = self.sieve.read("g", "?v a ?c");
                self.joins.push(format!(
                    "OPTIONAL {{ SELECT DISTINCT ?v {k} WHERE {{ VALUES ?c {{ {} }} {read} BIND(true AS {k}) }} }}",
                    self.classes(c)
                ));
                format!("!BOUND({k})")
            }
            ValueTest::Datatype(d) => {
                let form = well_formed(d).map_or(String::new(), |regex| {
                    format!(" || !REGEX(STR(?v), \"{regex}\")")
                });
                format!(
                    "!isLITERAL(?v) || {} != \"{}\"{form}",
                    datatype("?v"),
                    d.as_str()
                )
            }
            ValueTest::NodeKind(k) => match k.as_str().strip_prefix(SH).unwrap_or_default() {
                "IRI" => "!isIRI(?v)",
                "Literal" => "!isLITERAL(?v)",
                "BlankNode" => "!isBLANK(?v)",
                "BlankNodeOrIRI" => "isLITERAL(?v)",
                "BlankNodeOrLiteral" => "isIRI(?v)",
                "IRIOrLiteral" => "isBLANK(?v)",
                _ => "true",
            }
            .into(),
            ValueTest::LanguageIn(tags)
                if tags.iter().all(|t| {
                    t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*')
                }) =>
            {
                let any = tags
                    .iter()
                    .map(|t| format!("LANGMATCHES(LANG(?v), \"{t}\")"))
                    .collect::<Vec<_>>();
                match any.is_empty() {
                    true => "true".into(),
                    false => format!("!({})", any.join(" || ")),
                }
            }
            ValueTest::In(members) if members.iter().all(|m| !m.to_string().contains('\\')) => {
                let any = members
                    .iter()
                    .filter(|m| !m.is_blank_node())
                    .map(|m| format!("sameTerm(?v, {m})"))
                    .collect::<Vec<_>>();
                match any.len() == members.len() && !any.is_empty() {
                    true => format!("!({})", any.join(" || ")),
                    false => "true".into(),
                }
            }
            ValueTest::MinInclusive(min)
                if NUMERIC.contains(&min.datatype())
                    && min.value().parse::<f64>().is_ok()
                    && !min.value().contains('\\') =>
            {
                format!("!({} && ?v >= {min})", numeric("?v"))
            }
            ValueTest::MinLength(n) => format!("isBLANK(?v) || STRLEN(STR(?v)) < {n}"),
            // A value fails an sh:or when it fails every member, and a member when it fails one of its tests.
            ValueTest::Or(members) => {
                let all: Vec<String> = members
                    .iter()
                    .map(|tests| {
                        let any: Vec<String> = tests
                            .iter()
                            .map(|t| format!("({})", self.fails(t)))
                            .collect();
                        match any.is_empty() {
                            true => "false".to_owned(),
                            false => format!("({})", any.join(" || ")),
                        }
                    })
                    .collect();
                match all.is_empty() {
                    true => "true".into(),
                    false => all.join(" && "),
                }
            }
            ValueTest::Pattern(..) | ValueTest::LanguageIn(_) | ValueTest::In(_) => "true".into(),
            ValueTest::MinInclusive(_) => "true".into(),
        }
    }
}

/// Is the value of a numeric datatype (one `check::compare` reads as a number)?
fn numeric(var: &str) -> String {
    let list: Vec<String> = NUMERIC
        .iter()
        .map(|d| format!("\"{}\"", d.as_str()))
        .collect();
    format!("{} IN ({})", datatype(var), list.join(", "))
}

/// The datatype of a value as a string, to be compared with strings. Compared with an IRI, `DATATYPE(?v)` is
/// turned by the optimizer into a `sameTerm`, which Oxigraph answers by looking the datatype's IRI up in the
/// store, a RocksDB read for every value (60% of the `oa:start` sieve); two strings compare in memory.
fn datatype(var: &str) -> String {
    format!("STR(DATATYPE({var}))")
}

/// Any of the conditions.
fn any(conditions: &[String]) -> String {
    conditions
        .iter()
        .map(|c| format!("({c})"))
        .collect::<Vec<_>>()
        .join(" || ")
}

/// A regular expression at least as strict as `check::well_formed` for the datatypes it checks: a literal of
/// the datatype that matches it is well-formed.
fn well_formed(datatype: &NamedNode) -> Option<&'static str> {
    let d = datatype.as_ref();
    if d == xsd::INTEGER {
        Some("^[+-]?[0-9]+$")
    } else if d == xsd::DATE {
        Some("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    } else if d == xsd::G_YEAR {
        Some("^[0-9]{4}$")
    } else if d == xsd::G_YEAR_MONTH {
        Some("^[0-9]{4}-[0-9]{2}$")
    } else if d == xsd::DECIMAL {
        Some("^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$")
    } else {
        None
    }
}
