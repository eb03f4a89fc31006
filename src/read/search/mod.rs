//! Full-text search in Chinese over the five source texts, the evidence quotes, every label and alias, and the
//! string literals of the graphs users loaded. Oxigraph has no full-text index, so this module keeps a Tantivy
//! index beside the store (`<store>.search/`, never inside the RocksDB directory), built on first use and
//! rebuilt when the bundle or the loaded graphs change.
//!
//! Text is indexed as character bigrams with positions ([`tokens`]): a query finds every place its letters and
//! digits occur, exactly as a plain substring scan would (measured against `str::match_indices` in the tests),
//! which a dictionary segmenter does not (jieba cuts `数据安全管理` and `苏服办` inside longer words differently).
//!
//! The files: `mod.rs` the public API and the search itself, `tokens.rs` the tokenizer and the matcher,
//! `build.rs` what is read from the store and how the index is written and kept current.

mod build;
mod collect;
mod tokens;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{IndexReader, Order, TantivyDocument, Term};

use crate::model::error::{Error, Result};

pub use build::Source;

/// Where to search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The five source texts, sentence by sentence.
    #[default]
    Texts,
    /// The verbatim quotes of the evidence annotations.
    Quotes,
    /// Labels and aliases of every entity (`skos:prefLabel`, `skos:altLabel`, `rdfs:label`).
    Labels,
    /// The string literals of the graphs users loaded.
    Literals,
}

impl Scope {
    /// Its name in the index, on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Texts => "texts",
            Scope::Quotes => "quotes",
            Scope::Labels => "labels",
            Scope::Literals => "literals",
        }
    }
}

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// The words to find: their letters and digits, in order (punctuation and spaces separate runs).
    pub text: String,
    /// Where to search.
    pub scope: Scope,
    /// Only this document: its IRI, `pkdoc:` name, id, or (part of) its title.
    pub document: Option<String>,
    /// At most this many hits.
    pub limit: usize,
}

/// An entity mentioned in the sentence of a hit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EntityRef {
    /// Its IRI.
    pub iri: String,
    /// Its zh label (else en, else the short IRI).
    pub label: String,
}

/// One place where the query occurs.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Where it was found: `texts`, `quotes`, `labels` or `literals`.
    pub scope: Scope,
    /// The source document's IRI (texts and quotes).
    pub document: Option<String>,
    /// Its zh title.
    pub title: Option<String>,
    /// Character offset of the match: in the document text (texts, quotes), else in the label or literal.
    pub start: usize,
    /// Character offset where the match ends.
    pub end: usize,
    /// The matched text as written.
    pub text: String,
    /// The sentence (or label, or literal) with the match marked 【…】.
    pub sentence: String,
    /// The sentence before the match.
    #[serde(skip)]
    pub before: String,
    /// The sentence after the match.
    #[serde(skip)]
    pub after: String,
    /// The labelled entity (labels), the evidence annotation (quotes) or the literal's subject (literals).
    pub subject: Option<String>,
    /// The property of a label or literal.
    pub predicate: Option<String>,
    /// The named graph of a literal.
    pub graph: Option<String>,
    /// The entities mentioned in the sentence (their evidence offsets fall inside it), or the labelled entity.
    pub entities: Vec<EntityRef>,
}

/// The search index of one store.
pub struct SearchIndex {
    reader: IndexReader,
    fields: build::Fields,
    side: build::Sidecar,
    source: Source,
    path: Option<PathBuf>,
}

/// The longest query, in characters.
pub const MAX_QUERY: usize = 1_000;

/// Hits are capped at this many, whatever the limit asked.
pub const MAX_LIMIT: usize = 10_000;

impl SearchIndex {
    /// What the index was built from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The index directory, or `None` for an index in memory.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// The documents that can be searched: (IRI, title).
    pub fn documents(&self) -> Vec<(String, String)> {
        self.side
            .documents
            .iter()
            .map(|d| (d.iri.clone(), d.title.clone()))
            .collect()
    }

    /// Every place the query occurs in its scope, in document order, at most `limit` (capped at
    /// [`MAX_LIMIT`]). A query without letters or digits, or an unknown document, is an error.
    pub fn search(&self, query: &SearchQuery) -> Result<Vec<Hit>> {
        let runs = check_query(&query.text)?;
        let document = match &query.document {
            Some(d) => Some(self.side.resolve_document(d)?),
            None => None,
        };
        let limit = query.limit.clamp(1, MAX_LIMIT);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            term_query(Term::from_field_text(self.fields.scope, query.scope.name())),
        )];
        if let Some(iri) = &document {
            let term = Term::from_field_text(self.fields.document, iri);
            clauses.push((Occur::Must, term_query(term)));
        }
        for run in &runs {
            clauses.push((Occur::Must, self.run_query(run)));
        }
        let searcher = self.reader.searcher();
        // Passages in the order they were indexed (document order); each holds at least one match.
        let top = TopDocs::with_limit(limit).order_by_fast_field::<u64>("seq", Order::Asc);
        let found = searcher
            .search(&BooleanQuery::new(clauses), &top)
            .map_err(search_error)?;
        let mut hits = Vec::new();
        for (_, address) in found {
            let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
            let passage = self.fields.passage(&doc);
            for (from, to) in tokens::find(&passage.text, &runs) {
                hits.push(self.side.hit(&passage, query.scope, from, to));
            }
            if hits.len() >= limit {
                hits.truncate(limit);
                break;
            }
        }
        Ok(hits)
    }

    /// The query of one run: its one character, its one bigram, or the phrase of its bigrams.
    fn run_query(&self, run: &[char]) -> Box<dyn Query> {
        let mut terms: Vec<(usize, Term)> = tokens::run_terms(run)
            .into_iter()
            .map(|(i, t)| (i, Term::from_field_text(self.fields.text, &t)))
            .collect();
        if terms.len() == 1 {
            let (_, term) = terms.remove(0);
            return term_query(term);
        }
        Box::new(PhraseQuery::new_with_offset(terms))
    }
}

/// The query's runs of letters and digits; an error for a query longer than [`MAX_QUERY`] characters or with
/// nothing to look for (empty, only punctuation or spaces). Checking first spares building an index for it.
pub fn check_query(text: &str) -> Result<Vec<Vec<char>>> {
    if text.trim().is_empty() {
        return Err(Error::Usage(
            "search: the query is empty; give the words to find, e.g. `policykg search 数据安全`"
                .into(),
        ));
    }
    if text.chars().count() > MAX_QUERY {
        return Err(Error::Usage(format!(
            "search: the query is longer than {MAX_QUERY} characters"
        )));
    }
    let runs = tokens::query_runs(text);
    if runs.is_empty() {
        return Err(Error::Usage(format!(
            "search: the query {text:?} has no letters or digits to look for"
        )));
    }
    Ok(runs)
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

fn search_error(e: tantivy::TantivyError) -> Error {
    Error::Usage(format!(
        "search index: {}",
        crate::model::error::one_line(&e.to_string())
    ))
}

/// A stored string field of a Tantivy document.
fn stored_str(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|s| !s.is_empty())
}

/// A stored u64 field of a Tantivy document.
fn stored_u64(doc: &TantivyDocument, field: tantivy::schema::Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Keep the first of each IRI, in order.
fn dedup(entities: Vec<EntityRef>) -> Vec<EntityRef> {
    let mut seen = BTreeSet::new();
    entities
        .into_iter()
        .filter(|e| seen.insert(e.iri.clone()))
        .collect()
}

#[cfg(test)]
mod tests;
