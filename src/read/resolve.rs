//! The one entity resolver: every command that takes an entity (describe, evidence, lineage, path, neighbors,
//! viz, export --focus, the server's pages) turns the user's words into an IRI here.
//!
//! Accepted: a full IRI (`https://w3id.org/policykg/id/sufuban` or `<…>`), a prefixed name (`pkid:sufuban`),
//! a bare id (`sufuban`), or any Chinese or English label or alias (`苏服办`, `“苏服办”`, `省数据局`,
//! `Jiangsu Provincial Data Bureau`, case-insensitive for Latin letters). An ambiguous name lists the candidates;
//! an unknown one suggests the nearest labels.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term};
use oxigraph::store::Store;

pub use crate::data::labels::normalise;
use crate::data::labels::{self, prefer, LabelKind, LabelTable};
use crate::data::store::KgStore;
use crate::model::error::{Error, Result};
use crate::model::vocab;
use crate::read::query;

/// Names longer than this get no suggestions: comparing them costs time and no label is that long.
const MAX_SUGGESTED_NAME: usize = 64;

/// Labels of the resolvable resources. The bundle's labels (a few thousand, whatever users load) are read once
/// into memory, normalised for matching and indexed by character for suggestions. Labels of loaded data are
/// never scanned: they are looked up in the store's indexes, by IRI for display and by exact label for names,
/// so a store with millions of loaded labels opens as fast as the bundle alone.
#[derive(Clone)]
pub struct LabelIndex {
    store: Store,
    /// The bundle's labels, shared by clones (the server reads them once for all its requests).
    bundle: Arc<BundleLabels>,
}

/// The bundle's label table, with what suggestions need built on the first suggestion.
#[derive(Default)]
struct BundleLabels {
    table: LabelTable,
    /// Every (label, its normalised form), and character → the labels (positions) whose normalised form has it:
    /// built by the first suggestion, since only a name that matched nothing needs them.
    by_char: OnceLock<Suggestable>,
}

/// Every (label, its normalised form), and character → the positions of the labels whose form has it.
type Suggestable = (Vec<(String, String)>, HashMap<char, Vec<usize>>);

impl BundleLabels {
    /// The labels that share at least one character with a normalised name, with their normalised forms.
    fn candidates(&self, wanted: &str) -> Vec<(&str, &str)> {
        let (all, by_char) = self.by_char.get_or_init(|| {
            let all: Vec<(String, String)> = self.table.labels().collect();
            let mut by_char: HashMap<char, Vec<usize>> = HashMap::new();
            for (position, (_, key)) in all.iter().enumerate() {
                for c in key.chars().collect::<BTreeSet<char>>() {
                    by_char.entry(c).or_default().push(position);
                }
            }
            (all, by_char)
        });
        let positions: BTreeSet<usize> = wanted
            .chars()
            .filter_map(|c| by_char.get(&c))
            .flatten()
            .copied()
            .collect();
        positions
            .into_iter()
            .map(|i| (all[i].0.as_str(), all[i].1.as_str()))
            .collect()
    }
}

impl LabelIndex {
    /// The bundle's labels (kept in the store folder when there is one: `None` for an in-memory store), with
    /// lookups of loaded labels in `store`.
    pub fn load(store: &Store, folder: Option<&Path>) -> Result<Self> {
        Ok(LabelIndex::from_table(
            store,
            labels::bundle_labels(store, folder)?,
        ))
    }

    /// An index over the bundle's label table already read (the server, after refreshing it on an update).
    pub fn from_table(store: &Store, table: LabelTable) -> Self {
        LabelIndex {
            store: store.clone(),
            bundle: Arc::new(BundleLabels {
                table,
                by_char: OnceLock::new(),
            }),
        }
    }

    /// The IRIs whose label or alias is `name`: the bundle's by normalised form, loaded data's by exact label
    /// (untagged, `@zh` or `@en`), each an index lookup.
    fn named(&self, name: &str) -> Result<BTreeSet<String>> {
        let mut iris: BTreeSet<String> = self
            .bundle
            .table
            .iris_named(&normalise(name))
            .into_iter()
            .collect();
        let forms = [
            Literal::new_simple_literal(name),
            Literal::new_language_tagged_literal_unchecked(name, "zh"),
            Literal::new_language_tagged_literal_unchecked(name, "en"),
        ];
        for kind in LabelKind::ALL {
            let property = kind.property();
            for form in &forms {
                for quad in self.store.quads_for_pattern(
                    None,
                    Some(property.as_ref()),
                    Some(form.into()),
                    None,
                ) {
                    if let NamedOrBlankNode::NamedNode(e) = quad.map_err(Error::storage)?.subject {
                        iris.insert(e.into_string());
                    }
                }
            }
        }
        Ok(iris)
    }

    /// The (zh, en) display labels of an IRI: the bundle's from memory, others looked up by IRI in the store.
    fn pair(&self, iri: &str) -> (String, String) {
        if let Some(pair) = self.bundle.table.pair(iri) {
            return pair;
        }
        let mut pair = (String::new(), String::new());
        let Ok(node) = NamedNode::new(iri) else {
            return pair;
        };
        for kind in [LabelKind::Preferred, LabelKind::Rdfs] {
            let property = kind.property();
            let labels = self.store.quads_for_pattern(
                Some(node.as_ref().into()),
                Some(property.as_ref()),
                None,
                None,
            );
            for quad in labels.flatten() {
                if let Term::Literal(l) = &quad.object {
                    prefer(&mut pair, kind, l.language().unwrap_or_default(), l.value());
                }
            }
        }
        pair
    }

    /// The zh label, else the en label, else the shortened IRI.
    pub fn display(&self, iri: &str) -> String {
        match self.pair(iri) {
            (zh, _) if !zh.is_empty() => zh,
            (_, en) if !en.is_empty() => en,
            _ => vocab::shorten(iri),
        }
    }

    /// The zh preferred label.
    pub fn zh(&self, iri: &str) -> Option<String> {
        Some(self.pair(iri).0).filter(|s| !s.is_empty())
    }

    /// The en preferred label.
    pub fn en(&self, iri: &str) -> Option<String> {
        Some(self.pair(iri).1).filter(|s| !s.is_empty())
    }

    /// Every labelled IRI with its zh and en preferred labels (empty when it has none in that language), for
    /// clients that show or complete names themselves (the server UI's completion).
    pub fn labelled(&self) -> impl Iterator<Item = [String; 3]> + '_ {
        self.bundle.table.pairs()
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
    /// The labels names are matched against (and the store they look loaded labels up in).
    pub labels: LabelIndex,
}

impl Resolver {
    /// A resolver over the bundle's labels and lookups of loaded ones.
    pub fn new(kg: &KgStore) -> Result<Self> {
        Ok(Resolver::with_labels(LabelIndex::load(
            kg.store(),
            kg.folder(),
        )?))
    }

    /// A resolver over labels already read (the server reads them once).
    pub fn with_labels(labels: LabelIndex) -> Self {
        Resolver { labels }
    }

    fn exists(&self, iri: &str) -> Result<bool> {
        let Ok(node) = NamedNode::new(iri) else {
            return Ok(false);
        };
        let store = &self.labels.store;
        let as_subject = store
            .quads_for_pattern(Some(node.as_ref().into()), None, None, None)
            .next()
            .is_some();
        Ok(as_subject
            || store
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
        let iris = self.labels.named(trimmed)?;
        let mut found = iris.iter();
        match (found.next(), found.next()) {
            (Some(iri), None) => Ok(NamedNode::new_unchecked(iri.as_str())),
            (Some(_), Some(_)) => Err(Error::AmbiguousEntity {
                name: trimmed.to_owned(),
                candidates: iris
                    .iter()
                    .map(|i| format!("{} ({})", vocab::shorten(i), self.labels.display(i)))
                    .collect(),
            }),
            (None, _) => Err(unknown()),
        }
    }

    /// The nearest labels to a name that matched nothing (at most five), among the bundle's labels. Only labels
    /// that share a character with the name are scored, and long names get none, so a hostile name costs no more
    /// than a short one.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        let wanted = normalise(name);
        if wanted.is_empty() || wanted.chars().count() > MAX_SUGGESTED_NAME {
            return vec![];
        }
        let mut scored: Vec<(f64, &str)> = self
            .labels
            .bundle
            .candidates(&wanted)
            .into_iter()
            .map(|(label, candidate)| {
                let mut score = strsim::normalized_levenshtein(&wanted, candidate);
                if candidate.contains(&wanted) || wanted.contains(candidate) {
                    score += 0.5;
                }
                (score, label)
            })
            // 0.6: one wrong character in three still suggests; "nothing-here" and "one thing" (0.5) do not.
            .filter(|(score, _)| *score >= 0.6)
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
    use oxigraph::model::Quad;

    fn resolver() -> Resolver {
        Resolver::new(&KgStore::in_memory().unwrap()).unwrap()
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

    #[test]
    fn loaded_labels_are_looked_up_not_read_in_advance() {
        let kg = KgStore::in_memory().unwrap();
        let loaded = Quad::new(
            NamedNode::new_unchecked("https://example.org/a"),
            LabelKind::Preferred.property(),
            Literal::new_language_tagged_literal_unchecked("测试平台", "zh"),
            NamedNode::new_unchecked("urn:user:graph"),
        );
        let before = Resolver::new(&kg).unwrap();
        kg.store().insert(&loaded).unwrap();
        // A resolver made before the load finds the loaded label: it was never read into memory.
        assert_eq!(
            before.resolve("测试平台").unwrap().as_str(),
            "https://example.org/a"
        );
        assert_eq!(before.labels.display("https://example.org/a"), "测试平台");
        assert_eq!(before.labels.en("https://example.org/a"), None);
        assert_eq!(
            before.resolve("苏服办").unwrap().as_str(),
            vocab::entity("sufuban").as_str()
        );
    }
}
