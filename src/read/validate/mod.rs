//! SHACL validation of the store against the bundled shapes (`ontology/shapes.ttl`), with a W3C validation report
//! (focus node, path, value, source shape, constraint component, message) as text, JSON or Turtle.
//!
//! The engine is policykg's own, over Oxigraph's SPARQL: every constraint of a shape runs as one SELECT over all
//! its focus nodes ([`check`]). The maintained Rust engine, rudof (`shacl_validation`, `shacl`), does not compose
//! with this store: every release of its `rudof_rdf` turns on Oxigraph's `rdf-12` and
//! `http-client-rustls-native` features, which would change the store's term model and add a second TLS stack to
//! a binary whose SERVICE calls are plain HTTP. The shapes are read by [`shapes`], which refuses any construct
//! the engine does not run; pySHACL checks the same verdicts in the tests.

mod check;
mod shapes;
mod sieve;

use std::path::PathBuf;
use std::str::FromStr;

use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use shapes::Path;

use crate::data::rdf::parse_files;
use crate::data::store::KgStore;
use crate::data::{bundle, derived};
use crate::model::error::{Error, Result};
use crate::model::format::RdfInput;
use crate::model::vocab;
use check::{DataGraph, Triples};
use shapes::{sh, SH};

/// The namespace of the bundled shapes (`pksh:`).
pub const SHAPES: &str = "https://w3id.org/policykg/shapes#";

/// One result of a validation: a focus node that does not conform to a shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The focus node (`sh:focusNode`).
    pub focus: Term,
    /// The path of the property shape (`sh:resultPath`), if any.
    pub path: Option<Path>,
    /// The value that failed (`sh:value`), if the constraint is about one value.
    pub value: Option<Term>,
    /// The shape (`sh:sourceShape`): a property shape without an IRI is named by its node shape.
    pub shape: Term,
    /// The constraint component (`sh:sourceConstraintComponent`).
    pub component: NamedNode,
    /// What is wrong (`sh:resultMessage`).
    pub message: String,
}

/// A validation report: conforming when it has no results.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The violations, sorted by shape, focus node, path and value.
    pub results: Vec<Violation>,
}

/// Validate the store against the bundled shapes: every graph but the entailed one when `graphs` is empty;
/// otherwise the nodes of `graphs`, whose values and types are read from the whole store (a loaded graph may
/// describe the bundle's entities, and a class check may need the bundle's types).
pub fn validate(store: &Store, graphs: &[NamedNode]) -> Result<Report> {
    if graphs.is_empty() {
        run(&DataGraph::new(Triples::stored(store)?, None)?)
    } else {
        let focus = Triples::graphs(store, graphs);
        run(&DataGraph::new(focus, Some(Triples::stored(store)?))?)
    }
}

/// [`validate`] of a store, kept beside it for its state (see [`crate::data::derived`]): a store's report changes
/// only when the store does, and checking the bundle costs a cold process 200–300 ms where reading the kept
/// report costs one file. Each selection of graphs is kept under its own name.
pub fn validate_kept(kg: &KgStore, graphs: &[NamedNode]) -> Result<Report> {
    let name = match graphs {
        [] => "validate".to_owned(),
        _ => {
            let names: Vec<&str> = graphs.iter().map(NamedNode::as_str).collect();
            let digest = Sha256::digest(names.join("\n"));
            format!("validate-{}", bundle::hex(&digest[..8]))
        }
    };
    // The process that checks the store answers with its own report, not with what it kept of it.
    let mut checked = None;
    let kept: Vec<KeptViolation> = derived::cached(kg, &name, || {
        let report = validate(kg.store(), graphs)?;
        let kept = report.results.iter().map(KeptViolation::from).collect();
        checked = Some(report);
        Ok(kept)
    })?;
    if let Some(report) = checked {
        return Ok(report);
    }
    match kept.iter().map(KeptViolation::read).collect() {
        Some(results) => Ok(Report { results }),
        // Kept terms this binary cannot read back: validate again.
        None => validate(kg.store(), graphs),
    }
}

/// A violation as it is kept: terms in N-Triples form.
#[derive(Serialize, Deserialize)]
struct KeptViolation {
    focus: String,
    /// (is it an inverse path, its predicate).
    path: Option<(bool, String)>,
    value: Option<String>,
    shape: String,
    component: String,
    message: String,
}

impl From<&Violation> for KeptViolation {
    fn from(v: &Violation) -> Self {
        KeptViolation {
            focus: v.focus.to_string(),
            path: v.path.as_ref().map(|p| {
                (
                    matches!(p, Path::Inverse(_)),
                    p.predicate().as_str().to_owned(),
                )
            }),
            value: v.value.as_ref().map(Term::to_string),
            shape: v.shape.to_string(),
            component: v.component.as_str().to_owned(),
            message: v.message.clone(),
        }
    }
}

impl KeptViolation {
    /// The violation, if every term reads back.
    fn read(&self) -> Option<Violation> {
        let term = |text: &str| Term::from_str(text).ok();
        let path = match &self.path {
            None => None,
            Some((inverse, predicate)) => {
                let predicate = NamedNode::new(predicate).ok()?;
                Some(match inverse {
                    true => Path::Inverse(predicate),
                    false => Path::Predicate(predicate),
                })
            }
        };
        let value = match &self.value {
            None => None,
            Some(v) => Some(term(v)?),
        };
        Some(Violation {
            focus: term(&self.focus)?,
            path,
            value,
            shape: term(&self.shape)?,
            component: NamedNode::new(&self.component).ok()?,
            message: self.message.clone(),
        })
    }
}

/// Validate the nodes of files that are not loaded yet, with the store as their context, without touching the
/// store: `load --strict` runs it first, so that it can refuse a file before anything is written. The files'
/// quads are held in memory; a SHACL-SPARQL constraint sees the files alone.
pub fn validate_files(
    store: &Store,
    paths: &[PathBuf],
    format: Option<RdfInput>,
) -> Result<Report> {
    let quads = parse_files(paths, format)?.into_iter().flat_map(|(_, q)| q);
    let focus = Triples::memory(quads);
    run(&DataGraph::new(focus, Some(Triples::stored(store)?))?)
}

/// Run the bundled shapes over a data graph.
fn run(data: &DataGraph) -> Result<Report> {
    let mut results = Vec::new();
    let shapes = bundled_shapes()?;
    data.sieve_ahead(&shapes)?;
    for shape in &shapes {
        results.extend(check::check_shape(data, shape)?);
    }
    results.sort_by_cached_key(|v| {
        (
            term_text(&v.shape),
            term_text(&v.focus),
            v.path.clone(),
            v.value.as_ref().map(term_text),
        )
    });
    results.dedup();
    Ok(Report { results })
}

/// A graph named on the command line (`pkg:NAME` or an IRI) that the store holds.
pub fn graph_name(store: &Store, text: &str) -> Result<NamedNode> {
    let iri = vocab::expand(text).unwrap_or_else(|| text.to_owned());
    let node = NamedNode::new(iri)
        .map_err(|e| Error::Usage(format!("--graph {text:?} is not an IRI: {e}")))?;
    if store
        .contains_named_graph(node.as_ref())
        .map_err(Error::storage)?
    {
        Ok(node)
    } else {
        Err(Error::Usage(format!(
            "no named graph {text}; `policykg stats` lists them"
        )))
    }
}

/// The bundled shapes.
fn bundled_shapes() -> Result<Vec<shapes::Shape>> {
    let file = bundle::shapes().ok_or_else(|| Error::invalid(bundle::SHAPES, "is not bundled"))?;
    shapes::read_shapes(file.path, file.text)
}

/// A term as a person reads it: IRIs shortened (`pkid:…`, `pksh:…`), literals in Turtle form.
pub fn term_text(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => match n.as_str().strip_prefix(SHAPES) {
            Some(local) => format!("pksh:{local}"),
            None => vocab::shorten(n.as_str()),
        },
        Term::Literal(l) if l.datatype() == oxigraph::model::vocab::xsd::STRING => {
            l.value().to_owned()
        }
        other => other.to_string(),
    }
}

impl Path {
    /// The path as a person reads it (`skos:prefLabel`, `^rdf:subject`).
    pub fn text(&self) -> String {
        let name = vocab::shorten(self.predicate().as_str());
        match self {
            Path::Predicate(_) => name,
            Path::Inverse(_) => format!("^{name}"),
        }
    }
}

/// One result in JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonResult {
    /// `sh:focusNode` (an IRI, or a blank node or literal in N-Triples form).
    pub focus_node: String,
    /// `sh:resultPath` in SPARQL form.
    pub result_path: Option<String>,
    /// `sh:value`.
    pub value: Option<String>,
    /// `sh:sourceShape`.
    pub source_shape: String,
    /// `sh:sourceConstraintComponent`.
    pub source_constraint_component: String,
    /// `sh:resultSeverity` (always `sh:Violation`).
    pub result_severity: String,
    /// `sh:resultMessage`.
    pub result_message: String,
}

/// The report in JSON.
#[derive(Serialize)]
pub struct JsonReport {
    /// `sh:conforms`.
    pub conforms: bool,
    /// The results.
    pub results: Vec<JsonResult>,
}

impl Report {
    /// Does the data conform to every shape?
    pub fn conforms(&self) -> bool {
        self.results.is_empty()
    }

    /// The distinct shapes violated, in order.
    pub fn shapes(&self) -> Vec<String> {
        let mut shapes: Vec<String> = self.results.iter().map(|v| term_text(&v.shape)).collect();
        shapes.dedup();
        shapes
    }

    /// The report as JSON (`conforms`, `results` with the W3C report's property names).
    pub fn json(&self) -> JsonReport {
        let full = |t: &Term| match t {
            Term::NamedNode(n) => n.as_str().to_owned(),
            other => other.to_string(),
        };
        JsonReport {
            conforms: self.conforms(),
            results: self
                .results
                .iter()
                .map(|v| JsonResult {
                    focus_node: full(&v.focus),
                    result_path: v.path.as_ref().map(Path::sparql),
                    value: v.value.as_ref().map(full),
                    source_shape: full(&v.shape),
                    source_constraint_component: v.component.as_str().to_owned(),
                    result_severity: format!("{SH}Violation"),
                    result_message: v.message.clone(),
                })
                .collect(),
        }
    }

    /// The report as a table for people, and a last line with the verdict.
    pub fn text(&self) -> String {
        if self.conforms() {
            return "conforms: no violations\n".to_owned();
        }
        let header = ["focus node", "path", "value", "shape", "message"];
        let mut table =
            crate::read::query::new_table(header.iter().map(|h| h.to_string()).collect());
        for v in &self.results {
            table.add_row(vec![
                term_text(&v.focus),
                v.path.as_ref().map(Path::text).unwrap_or_default(),
                v.value.as_ref().map(term_text).unwrap_or_default(),
                term_text(&v.shape),
                v.message.clone(),
            ]);
        }
        format!("{table}\n{}\n", self.summary())
    }

    /// `N violations of M shapes`.
    pub fn summary(&self) -> String {
        format!(
            "{} violation(s) of {} shape(s)",
            self.results.len(),
            self.shapes().len()
        )
    }

    /// The W3C SHACL validation report as quads of the default graph.
    pub fn quads(&self) -> Vec<Quad> {
        let report = BlankNode::default();
        let mut quads = Vec::new();
        let mut add = |s: &BlankNode, p: &str, o: Term| {
            quads.push(Quad::new(s.clone(), sh(p), o, GraphName::DefaultGraph));
        };
        add(&report, "conforms", Literal::from(self.conforms()).into());
        let rdf_type = oxigraph::model::vocab::rdf::TYPE.into_owned();
        let mut extra = vec![Quad::new(
            report.clone(),
            rdf_type.clone(),
            sh("ValidationReport"),
            GraphName::DefaultGraph,
        )];
        for v in &self.results {
            let result = BlankNode::default();
            add(&report, "result", result.clone().into());
            extra.push(Quad::new(
                result.clone(),
                rdf_type.clone(),
                sh("ValidationResult"),
                GraphName::DefaultGraph,
            ));
            add(&result, "focusNode", v.focus.clone());
            if let Some(path) = &v.path {
                add(&result, "resultPath", path_term(path, &mut extra));
            }
            if let Some(value) = &v.value {
                add(&result, "value", value.clone());
            }
            add(&result, "sourceShape", v.shape.clone());
            add(
                &result,
                "sourceConstraintComponent",
                v.component.clone().into(),
            );
            add(&result, "resultSeverity", sh("Violation").into());
            add(
                &result,
                "resultMessage",
                Literal::new_simple_literal(&v.message).into(),
            );
        }
        quads.extend(extra);
        quads
    }
}

/// A path as the report writes it: the predicate, or a blank node with `sh:inversePath`.
fn path_term(path: &Path, extra: &mut Vec<Quad>) -> Term {
    match path {
        Path::Predicate(p) => p.clone().into(),
        Path::Inverse(p) => {
            let node = BlankNode::default();
            extra.push(Quad::new(
                NamedOrBlankNode::from(node.clone()),
                sh("inversePath"),
                p.clone(),
                GraphName::DefaultGraph,
            ));
            node.into()
        }
    }
}
