//! The bundled named queries (`queries/NAME.rq`): their names, titles and descriptions, read from the
//! header comments (`# title:`, `# description:`) of each file, and the fact each row of a query stands for
//! (`# fact: ?s ?p ?o`), whose quote [`with_evidence`] adds to the answer.

use std::sync::Arc;

use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::QuerySolution;
use oxigraph::store::Store;

use crate::data::bundle;
use crate::model::error::{Error, Result};
use crate::model::vocab;
use crate::read::evidence::{Source, Sources};
use crate::read::query::{self, Answer};

/// One bundled query.
#[derive(Debug, Clone)]
pub struct NamedQuery {
    /// The name `--name` takes (the file name without `.rq`).
    pub name: String,
    /// The `# title:` line.
    pub title: String,
    /// The `# description:` line.
    pub description: String,
    /// Where it lives, for error messages: `queries/NAME.rq`.
    pub path: &'static str,
    /// The SPARQL text.
    pub text: &'static str,
    /// The fact each row stands for (`# fact:`), when the rows are facts rather than counts or listings.
    pub fact: Option<[Part; 3]>,
}

/// One place of a `# fact:` pattern: a variable of the row, or a fixed IRI (`pk:succeededBy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// `?name`: the row's value of that variable.
    Variable(String),
    /// A prefixed name or `<IRI>`, expanded.
    Iri(String),
}

impl Part {
    /// Read one word of a `# fact:` line.
    fn parse(word: &str) -> Option<Part> {
        if let Some(name) = word.strip_prefix('?') {
            return Some(Part::Variable(name.to_owned()));
        }
        if let Some(iri) = word.strip_prefix('<').and_then(|w| w.strip_suffix('>')) {
            return Some(Part::Iri(iri.to_owned()));
        }
        vocab::expand(word).map(Part::Iri)
    }

    /// Its value in a row: the IRI, or the variable's plain value (None when unbound).
    fn value(&self, row: &QuerySolution) -> Option<String> {
        match self {
            Part::Iri(iri) => Some(iri.clone()),
            Part::Variable(name) => row.get(name.as_str()).map(query::term_value),
        }
    }
}

/// The `# fact: ?s ?p ?o` line of a query, if it has one that reads as three parts.
fn fact(text: &str) -> Option<[Part; 3]> {
    let line = header(text, "fact:");
    let parts: Option<Vec<Part>> = line.split_whitespace().map(Part::parse).collect();
    parts?.try_into().ok()
}

/// The columns [`with_evidence`] adds, in order.
pub const EVIDENCE_COLUMNS: [&str; 5] = [
    "sourceDocument",
    "sourceTitle",
    "sourceQuote",
    "sourceStart",
    "sourceEnd",
];

/// The answer of `query` with the first quote of each row's fact added as the [`EVIDENCE_COLUMNS`] (document
/// IRI and title, quote, character offsets in the document's text; unbound when no annotation says the fact).
pub fn with_evidence(store: &Store, query: &NamedQuery, answer: Answer) -> Result<Answer> {
    let Some(fact) = &query.fact else {
        let with: Vec<String> = all()
            .into_iter()
            .filter(|q| q.fact.is_some())
            .map(|q| q.name)
            .collect();
        return Err(Error::Usage(format!(
            "query --with-evidence: {} lists counts or declarations, not facts with quotes; the queries of facts are {}",
            query.name,
            with.join(", ")
        )));
    };
    let Answer::Solutions {
        variables,
        solutions,
    } = answer
    else {
        return Ok(answer);
    };
    let mut columns = variables.to_vec();
    for name in EVIDENCE_COLUMNS {
        columns.push(Variable::new_unchecked(name));
    }
    let columns: Arc<[Variable]> = columns.into();
    let sources = Sources::new(store);
    let mut rows = Vec::with_capacity(solutions.len());
    for row in solutions {
        let values: Option<Vec<String>> = fact.iter().map(|p| p.value(&row)).collect();
        let source = match values.as_deref() {
            Some([s, p, o]) => sources.first(s, p, o)?,
            _ => None,
        };
        let mut terms = row.values().to_vec();
        terms.extend(evidence_terms(source.as_ref()));
        rows.push(QuerySolution::from((columns.clone(), terms)));
    }
    Ok(Answer::Solutions {
        variables: columns,
        solutions: rows,
    })
}

/// The [`EVIDENCE_COLUMNS`] values of a source.
fn evidence_terms(source: Option<&Source>) -> [Option<Term>; 5] {
    let Some(s) = source else {
        return Default::default();
    };
    let document = oxigraph::model::NamedNode::new(&s.document)
        .ok()
        .map(Term::from);
    [
        document,
        Some(Literal::new_language_tagged_literal_unchecked(&s.title, "zh").into()),
        Some(Literal::new_simple_literal(&s.quote).into()),
        Some(Literal::from(s.start as i64).into()),
        Some(Literal::from(s.end as i64).into()),
    ]
}

fn header(text: &str, key: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .filter_map(|l| l.trim_start_matches('#').trim().strip_prefix(key))
        .map(|v| v.trim().to_owned())
        .next()
        .unwrap_or_default()
}

/// Every bundled query, sorted by name.
pub fn all() -> Vec<NamedQuery> {
    let mut queries: Vec<NamedQuery> = bundle::queries()
        .map(|f| NamedQuery {
            name: f
                .path
                .trim_start_matches("queries/")
                .trim_end_matches(".rq")
                .to_owned(),
            title: header(f.text, "title:"),
            description: header(f.text, "description:"),
            path: f.path,
            text: f.text,
            fact: fact(f.text),
        })
        .collect();
    queries.sort_by(|a, b| a.name.cmp(&b.name));
    queries
}

/// A bundled query by name.
pub fn get(name: &str) -> Result<NamedQuery> {
    let queries = all();
    queries
        .iter()
        .find(|q| q.name == name)
        .cloned()
        .ok_or_else(|| Error::UnknownQuery {
            name: name.to_owned(),
            available: queries.iter().map(|q| q.name.clone()).collect(),
        })
}
