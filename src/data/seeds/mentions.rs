//! Mentions: `pk:mentionedIn` for every document that names an entity, its first occurrence as evidence.
//!
//! Names are found by leftmost-longest matching of every zh label and alias, so that 江苏省数据条例 is not also
//! a mention of 江苏. An entity that every document names only inside a longer name still gets a mention at its
//! first plain occurrence; an entity named by no document at all is an error, since its labels must be verbatim.

use std::collections::{BTreeMap, HashSet};

use aho_corasick::{AhoCorasick, MatchKind};
use oxigraph::model::{NamedNode, Triple};

use super::compiler::Compiler;
use super::declare::DeclaredLabel;
use super::documents::Doc;
use super::evidence::Claim;
use super::locate::QuoteAt;
use super::EntityInfo;
use crate::model::error::Error;
use crate::model::vocab;

/// Every distinct label, and the entity each belongs to (`owners[pattern index]`).
struct Labels {
    matcher: AhoCorasick,
    owners: Vec<String>,
}

impl Compiler {
    /// The mentions of every entity in every document.
    pub(super) fn mentions(&mut self, declared: &[DeclaredLabel]) {
        let mut mentioned: HashSet<String> = HashSet::new();
        match self.labels() {
            Ok(labels) => {
                let doc_ids: Vec<String> = self.docs.keys().cloned().collect();
                for doc_id in doc_ids {
                    self.mentions_in(&doc_id, &labels, &mut mentioned);
                }
            }
            Err(e) => self.errors.push(e),
        }
        self.hidden_mentions(declared, &mut mentioned);
    }

    /// One pattern per distinct label; a shared label (reported by `check_unique_labels`) goes to its first owner.
    fn labels(&self) -> Result<Labels, Error> {
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for info in self.entities.values() {
            for label in std::iter::once(&info.zh).chain(&info.aliases) {
                if seen.insert(label) {
                    patterns.push(label.clone());
                    owners.push(info.id.clone());
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| Error::invalid("seeds", format!("the entity labels: {e}")))?;
        Ok(Labels { matcher, owners })
    }

    /// The entities a document names, each at its first occurrence.
    fn mentions_in(&mut self, doc_id: &str, labels: &Labels, mentioned: &mut HashSet<String>) {
        let Some(doc) = self.docs.get(doc_id) else {
            return;
        };
        let graph = doc.graph.clone();
        for (id, quote) in first_occurrences(doc, labels) {
            self.mention(&id, &graph, quote);
            mentioned.insert(id);
        }
    }

    /// A name that only occurs inside a longer name (企业开办 inside 企业开办“一件事”) is still named by the
    /// text: its first plain occurrence is its evidence.
    fn hidden_mentions(&mut self, declared: &[DeclaredLabel], mentioned: &mut HashSet<String>) {
        for d in declared {
            // Once per entity (at its zh label), and only for entities no longer name has hidden everywhere.
            let Some(entity) = self
                .entities
                .get(d.id)
                .filter(|e| &e.zh == d.label.get_ref())
            else {
                continue;
            };
            if mentioned.contains(d.id) {
                continue;
            }
            match self.first_naming(entity) {
                Some((graph, quote)) => {
                    self.mention(d.id, &graph, quote);
                    mentioned.insert(d.id.to_owned());
                }
                None => self.errors.push(d.place.at(
                    d.label,
                    format!(
                        "entity {:?}: neither its zh label nor an alias occurs in any source document (labels must be verbatim)",
                        d.id
                    ),
                )),
            }
        }
    }

    /// The first document (by id) that has the entity's zh label or an alias, and that occurrence.
    fn first_naming(&self, entity: &EntityInfo) -> Option<(NamedNode, QuoteAt)> {
        let names: Vec<&str> = std::iter::once(entity.zh.as_str())
            .chain(entity.aliases.iter().map(String::as_str))
            .collect();
        self.docs.values().find_map(|doc| {
            names
                .iter()
                .find_map(|name| QuoteAt::first_in(doc, name))
                .map(|quote| (doc.graph.clone(), quote))
        })
    }

    /// Record that an entity is named by a document, with the occurrence as evidence.
    fn mention(&mut self, id: &str, graph: &NamedNode, quote: QuoteAt) {
        let document = vocab::document(&quote.doc);
        let triple = Triple::new(vocab::entity(id), vocab::pk("mentionedIn"), document);
        let claim = Claim::new(triple, graph, std::slice::from_ref(&quote), None);
        self.evidence.write(&mut self.quads, &claim);
        self.counts.mentions += 1;
    }
}

/// The first leftmost-longest match of each entity in a document, by entity id.
fn first_occurrences(doc: &Doc, labels: &Labels) -> BTreeMap<String, QuoteAt> {
    let mut first: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for m in labels.matcher.find_iter(&doc.text) {
        first
            .entry(labels.owners[m.pattern().as_usize()].clone())
            .or_insert((m.start(), m.end()));
    }
    first
        .into_iter()
        .map(|(id, (start_byte, end_byte))| {
            let start = doc.text[..start_byte].chars().count();
            let exact = &doc.text[start_byte..end_byte];
            (id, QuoteAt::new(&doc.id, &doc.text, start, exact))
        })
        .collect()
}
