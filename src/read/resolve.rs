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
    /// Every (label, its normalised form), for suggestions.
    all: Vec<(String, String)>,
    /// Character → the labels (positions in `all`) whose normalised form has it.
    by_char: HashMap<char, Vec<usize>>,
}

/// The form names are compared in, so that a researcher need not type a name exactly as the document wrote
/// it: quotation marks and brackets are dropped wherever they stand (“苏服办”2.0 → 苏服办2.0, 《办法》 → 办法),
/// full-width Latin letters, digits and signs become half-width, spaces go (12345 热线 → 12345热线), and Latin
/// letters are lowercased.
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            '《' | '》' | '“' | '”' | '"' | '\'' | '‘' | '’' | '「' | '」' | '『' | '』' | '〈'
            | '〉' => None,
            c if c.is_whitespace() => None,
            // Full-width forms U+FF01..U+FF5E are ASCII shifted by 0xFEE0; U+3000 is the ideographic space.
            c @ '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            c => Some(c),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Names longer than this get no suggestions: comparing them costs time and no label is that long.
const MAX_SUGGESTED_NAME: usize = 64;

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
            index.add(label, iri);
        }
        Ok(index)
    }

    fn add(&mut self, label: &str, iri: &str) {
        let key = normalise(label);
        let position = self.all.len();
        for c in key.chars().collect::<BTreeSet<char>>() {
            self.by_char.entry(c).or_default().push(position);
        }
        self.by_label
            .entry(key.clone())
            .or_default()
            .insert(iri.to_owned());
        self.all.push((label.to_owned(), key));
    }

    /// The labels that share at least one character with a normalised name, with their normalised forms.
    fn candidates(&self, wanted: &str) -> Vec<(&str, &str)> {
        let positions: BTreeSet<usize> = wanted
            .chars()
            .filter_map(|c| self.by_char.get(&c))
            .flatten()
            .copied()
            .collect();
        positions
            .into_iter()
            .map(|i| (self.all[i].0.as_str(), self.all[i].1.as_str()))
            .collect()
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

    /// Every labelled IRI with its zh and en preferred labels (empty when it has none in that language), for
    /// clients that show or complete names themselves (the server UI's completion).
    pub fn labelled(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.preferred
            .iter()
            .map(|(iri, (zh, en))| (iri.as_str(), zh.as_str(), en.as_str()))
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

    /// The nearest labels to a name that matched nothing (at most five). Only labels that share a character
    /// with the name are scored, and long names get none, so a hostile name costs no more than a short one.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        let wanted = normalise(name);
        if wanted.is_empty() || wanted.chars().count() > MAX_SUGGESTED_NAME {
            return vec![];
        }
        let mut scored: Vec<(f64, &str)> = self
            .labels
            .candidates(&wanted)
            .into_iter()
            .map(|(label, candidate)| {
                let mut score = strsim::normalized_levenshtein(&wanted, candidate);
                if candidate.contains(&wanted) || wanted.contains(candidate) {
                    score += 0.5;
                }
                (score, label)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::store::KgStore;

    fn resolver() -> Resolver {
        let kg = KgStore::in_memory().unwrap();
        Resolver::new(kg.store()).unwrap()
    }

    #[test]
    fn names_resolve_without_quotes_brackets_spaces_or_width() {
        let r = resolver();
        for (name, id) in [
            ("苏服办", "sufuban"),
            ("“苏服办”", "sufuban"),
            ("Su Fu Ban", "sufuban"),
            ("SU FU BAN", "sufuban"),
            ("12345 热线", "jiangsu-12345-hotline"),
            ("苏服办2.0", "sufuban-2"),
            ("《江苏省数据条例》", "jiangsu-data-regulation"),
        ] {
            assert_eq!(
                r.resolve(name).unwrap().as_str(),
                vocab::entity(id).as_str(),
                "{name}"
            );
        }
        assert_eq!(normalise("ＡＢＣ　１２"), "abc12");
    }

    #[test]
    fn suggestions_are_near_names_and_long_names_get_none_at_once() {
        let r = resolver();
        assert!(r.suggest("苏服务").iter().any(|s| s == "苏服办"));
        let long = "办".repeat(60_000);
        let started = std::time::Instant::now();
        assert!(r.suggest(&long).is_empty());
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        match r.resolve(&long) {
            Err(Error::UnknownEntity { suggestions, .. }) => assert!(suggestions.is_empty()),
            other => panic!("{other:?}"),
        }
    }
}
