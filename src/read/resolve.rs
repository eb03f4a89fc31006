//! The one entity resolver: every command that takes an entity (describe, evidence, lineage, path, neighbors,
//! viz, export --focus, the server's pages) turns the user's words into an IRI here.
//!
//! Accepted: a full IRI (`https://w3id.org/policykg/id/sufuban` or `<…>`), a prefixed name (`pkid:sufuban`),
//! a bare id (`sufuban`), or any Chinese or English label or alias (`苏服办`, `“苏服办”`, `省数据局`,
//! `Jiangsu Provincial Data Bureau`, case-insensitive for Latin letters). An ambiguous name lists the candidates;
//! an unknown one suggests the nearest labels.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxigraph::model::{NamedNode, Term};
use oxigraph::store::Store;

use crate::model::error::{Error, Result};
use crate::model::vocab;
use crate::read::query;

/// Labels of every labelled resource in the store.
#[derive(Debug, Default, Clone)]
pub struct LabelIndex {
    /// IRI → (zh preferred label, en preferred label).
    preferred: HashMap<String, (String, String)>,
    /// Normalised label or alias → IRIs that carry it.
    by_label: BTreeMap<String, BTreeSet<String>>,
    /// Every (label, IRI), for suggestions.
    all: Vec<(String, String)>,
}

/// Lowercase Latin letters and drop the brackets Chinese texts put around names.
pub fn normalise(name: &str) -> String {
    let trimmed = name
        .trim()
        .trim_matches(|c| matches!(c, '《' | '》' | '“' | '”' | '"' | '\'' | '「' | '」'));
    trimmed.to_lowercase()
}

impl LabelIndex {
    /// Read every `skos:prefLabel`, `skos:altLabel` and `rdfs:label` of an IRI in the store.
    pub fn load(store: &Store) -> Result<Self> {
        let rows = query::select_strings(
            store,
            "SELECT ?e ?l (LANG(?l) AS ?lang) ?kind WHERE {
               { ?e skos:prefLabel ?l BIND(\"pref\" AS ?kind) }
               UNION { ?e skos:altLabel ?l BIND(\"alt\" AS ?kind) }
               UNION { ?e rdfs:label ?l BIND(\"rdfs\" AS ?kind) }
               FILTER(isIRI(?e))
             }",
        )?;
        let mut index = LabelIndex::default();
        for row in rows {
            let (iri, label, lang, kind) =
                (row.get("e"), row.get("l"), row.get("lang"), row.get("kind"));
            if kind != "alt" {
                let entry = index.preferred.entry(iri.to_owned()).or_default();
                match lang {
                    "zh" if entry.0.is_empty() || kind == "pref" => entry.0 = label.to_owned(),
                    "en" if entry.1.is_empty() || kind == "pref" => entry.1 = label.to_owned(),
                    "" if entry.1.is_empty() => entry.1 = label.to_owned(),
                    _ => {}
                }
            }
            index
                .by_label
                .entry(normalise(label))
                .or_default()
                .insert(iri.to_owned());
            index.all.push((label.to_owned(), iri.to_owned()));
        }
        Ok(index)
    }

    /// The zh label, else the en label, else the shortened IRI.
    pub fn display(&self, iri: &str) -> String {
        match self.preferred.get(iri) {
            Some((zh, _)) if !zh.is_empty() => zh.clone(),
            Some((_, en)) if !en.is_empty() => en.clone(),
            _ => vocab::shorten(iri),
        }
    }

    /// The zh preferred label.
    pub fn zh(&self, iri: &str) -> Option<&str> {
        self.preferred
            .get(iri)
            .map(|(zh, _)| zh.as_str())
            .filter(|s| !s.is_empty())
    }

    /// The en preferred label.
    pub fn en(&self, iri: &str) -> Option<&str> {
        self.preferred
            .get(iri)
            .map(|(_, en)| en.as_str())
            .filter(|s| !s.is_empty())
    }

    /// The display form of a term: labels for labelled IRIs, literal values as they are.
    pub fn term(&self, term: &Term) -> String {
        match term {
            Term::NamedNode(n) => self.display(n.as_str()),
            other => query::term_display(other),
        }
    }
}

/// Resolves names to entity IRIs.
pub struct Resolver {
    store: Store,
    /// The labels names are matched against.
    pub labels: LabelIndex,
}

impl Resolver {
    /// A resolver over every label in the store.
    pub fn new(store: &Store) -> Result<Self> {
        Ok(Resolver {
            store: store.clone(),
            labels: LabelIndex::load(store)?,
        })
    }

    fn exists(&self, iri: &str) -> Result<bool> {
        let Ok(node) = NamedNode::new(iri) else {
            return Ok(false);
        };
        let as_subject = self
            .store
            .quads_for_pattern(Some(node.as_ref().into()), None, None, None)
            .next()
            .is_some();
        Ok(as_subject
            || self
                .store
                .quads_for_pattern(None, None, Some(node.as_ref().into()), None)
                .next()
                .is_some())
    }

    /// Resolve a name to one IRI.
    pub fn resolve(&self, name: &str) -> Result<NamedNode> {
        let trimmed = name.trim();
        let unknown = || Error::UnknownEntity {
            name: trimmed.to_owned(),
            suggestions: self.suggest(trimmed),
        };
        // A full IRI, with or without angle brackets.
        let iri = trimmed
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(trimmed);
        if iri.contains("://") {
            return if self.exists(iri)? {
                Ok(NamedNode::new_unchecked(iri))
            } else {
                Err(unknown())
            };
        }
        // A prefixed name.
        if let Some(expanded) = vocab::expand(trimmed) {
            if self.exists(&expanded)? {
                return Ok(NamedNode::new_unchecked(expanded));
            }
        }
        // A bare entity or document id.
        for namespace in [vocab::ID, vocab::DOC] {
            let candidate = format!("{namespace}{trimmed}");
            if trimmed.is_ascii() && !trimmed.contains(' ') && self.exists(&candidate)? {
                return Ok(NamedNode::new_unchecked(candidate));
            }
        }
        // A label or alias.
        match self.labels.by_label.get(&normalise(trimmed)) {
            Some(iris) if iris.len() == 1 => Ok(iris
                .iter()
                .next()
                .map(NamedNode::new_unchecked)
                .unwrap_or_else(|| NamedNode::new_unchecked(trimmed))),
            Some(iris) => Err(Error::AmbiguousEntity {
                name: trimmed.to_owned(),
                candidates: iris
                    .iter()
                    .map(|i| format!("{} ({})", vocab::shorten(i), self.labels.display(i)))
                    .collect(),
            }),
            None => Err(unknown()),
        }
    }

    /// The nearest labels to a name that matched nothing (at most five).
    pub fn suggest(&self, name: &str) -> Vec<String> {
        let wanted = normalise(name);
        if wanted.is_empty() {
            return vec![];
        }
        let mut scored: Vec<(f64, &str)> = self
            .labels
            .all
            .iter()
            .map(|(label, _)| {
                let candidate = normalise(label);
                let mut score = strsim::normalized_levenshtein(&wanted, &candidate);
                if candidate.contains(&wanted) || wanted.contains(&candidate) {
                    score += 0.5;
                }
                (score, label.as_str())
            })
            .filter(|(score, _)| *score >= 0.5)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, label) in scored {
            if !out.iter().any(|l| l == label) {
                out.push(label.to_owned());
            }
            if out.len() == 5 {
                break;
            }
        }
        out
    }
}
