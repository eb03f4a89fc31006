//! Probable duplicates (`[[close_match]]`): two entities the texts name differently and that are probably one
//! thing, although no sentence says so. They stay two entities, each with its own facts and evidence, linked by
//! `skos:closeMatch` in the inferred graph (evidence: the quotes that name each, the English note as reasoning),
//! and each carries the note, in Chinese and English, as `skos:editorialNote`: why they are probably the same,
//! and why they are kept apart.

use oxigraph::model::Triple;

use super::compiler::Compiler;
use super::evidence::Claim;
use super::ids::quad;
use super::literals::{en, zh};
use super::locate::QuoteAt;
use super::read::{CloseMatchDecl, ParsedFile, Place, S};
use crate::model::vocab::{self, SKOS};

impl Compiler {
    /// The close matches of a file.
    pub(super) fn close_matches(&mut self, file: &ParsedFile) {
        for m in &file.seeds.close_match {
            self.close_match(&file.place, m);
        }
    }

    fn close_match(&mut self, place: &Place, m: &CloseMatchDecl) {
        if m.a.get_ref() == m.b.get_ref() {
            self.errors
                .push(place.at(&m.b, "a close match links two different entities"));
            return;
        }
        let (Some(a), Some(b)) = (self.entity_node(place, &m.a), self.entity_node(place, &m.b))
        else {
            return;
        };
        let notes = [&m.note_zh, &m.note_en];
        if let Some(empty) = notes.into_iter().find(|n| n.get_ref().trim().is_empty()) {
            self.errors.push(place.at(
                empty,
                "say why they are probably the same and why they are kept apart",
            ));
            return;
        }
        let Some(quotes) = self.gather_quotes(place, None, None, None, &m.premises, &m.a) else {
            return;
        };
        if !self.names_each(place, &quotes, &[&m.a, &m.b]) {
            return;
        }
        let inferred = vocab::inferred_graph();
        let triple = Triple::new(a.clone(), vocab::ns(SKOS, "closeMatch"), b.clone());
        let claim = Claim::new(triple, &inferred, &quotes, Some(m.note_en.get_ref()));
        self.evidence.write(&mut self.quads, &claim);
        self.counts.inferred_facts += 1;
        let catalogue = vocab::catalogue_graph();
        let note = vocab::ns(SKOS, "editorialNote");
        for node in [&a, &b] {
            self.quads.push(quad(
                node,
                note.clone(),
                zh(m.note_zh.get_ref()),
                &catalogue,
            ));
            self.quads.push(quad(
                node,
                note.clone(),
                en(m.note_en.get_ref()),
                &catalogue,
            ));
        }
    }

    /// Whether the premises quote a name (label or alias) of each entity, so that a reader sees both names in
    /// their documents; an entity no premise names is reported.
    fn names_each(&mut self, place: &Place, quotes: &[QuoteAt], ids: &[&S]) -> bool {
        let mut ok = true;
        for id in ids {
            let Some(info) = self.entities.get(id.get_ref()) else {
                continue;
            };
            let named = std::iter::once(&info.zh)
                .chain(&info.aliases)
                .any(|name| quotes.iter().any(|q| q.exact.contains(name.as_str())));
            if !named {
                let message = format!(
                    "no premise quotes a name of {:?}: quote where each is named",
                    id.get_ref()
                );
                self.errors.push(place.at(*id, message));
                ok = false;
            }
        }
        ok
    }
}
