//! The source documents: registered first, since every quote is in one, and described once the entities are
//! declared, since a document names its publisher.

use std::collections::HashMap;

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, Quad};

use super::compiler::Compiler;
use super::ids::{quad, valid_id};
use super::literals::{date_literal, en, zh};
use super::read::{DocumentDecl, ParsedFile, Place, SeedFile};
use super::{DocumentInfo, Exclusion};
use crate::model::vocab::{self, SKOS};

/// A registered source document.
pub(super) struct Doc {
    pub(super) id: String,
    pub(super) file: String,
    pub(super) title_zh: String,
    pub(super) title_en: String,
    pub(super) text: String,
    /// The named graph of what the document states.
    pub(super) graph: NamedNode,
    /// The entity id of its author, the implied subject of its subjectless sentences.
    pub(super) publisher: String,
    /// Its plan sections as character ranges `[start, end)`: what is quoted from them is planned.
    pub(super) plans: Vec<(usize, usize)>,
}

impl Doc {
    /// What the public result keeps of a document.
    pub(super) fn info(self) -> DocumentInfo {
        DocumentInfo {
            id: self.id,
            file: self.file,
            title_zh: self.title_zh,
            title_en: self.title_en,
            text: self.text,
        }
    }

    /// The document's own metadata: type, titles, file, text, kind, graph, and the curators' note on its title.
    fn description(&self, d: &DocumentDecl) -> Vec<Quad> {
        let (node, graph) = (vocab::document(&self.id), &self.graph);
        let title = vocab::ns(vocab::DCTERMS, "title");
        let label = vocab::ns(vocab::RDFS, "label");
        let mut quads = vec![
            quad(
                &node,
                rdf::TYPE.into_owned(),
                vocab::pk("SourceDocument"),
                graph,
            ),
            quad(&node, title.clone(), zh(&self.title_zh), graph),
            quad(&node, title, en(&self.title_en), graph),
            quad(&node, label.clone(), zh(&self.title_zh), graph),
            quad(&node, label, en(&self.title_en), graph),
            quad(
                &node,
                vocab::pk("fileName"),
                Literal::new_simple_literal(&self.file),
                graph,
            ),
            quad(&node, vocab::pk("text"), zh(&self.text), graph),
            quad(&node, vocab::pk("documentKind"), en(&d.kind), graph),
            quad(&node, vocab::pk("sourceGraph"), graph.clone(), graph),
        ];
        quads.extend(scope_note(&node, d.title_note.as_deref(), graph));
        quads
    }
}

/// `skos:scopeNote` for a curator's note, if there is one.
pub(super) fn scope_note(node: &NamedNode, note: Option<&str>, graph: &NamedNode) -> Option<Quad> {
    let note = note.filter(|n| !n.is_empty())?;
    Some(quad(node, vocab::ns(SKOS, "scopeNote"), en(note), graph))
}

impl Compiler {
    /// Register the document of a file, if it has one. False when it is wrong: the file's exclusions are then
    /// not read either.
    pub(super) fn register_document(
        &mut self,
        file: &ParsedFile,
        texts: &HashMap<String, String>,
    ) -> bool {
        let (place, Some(d)) = (&file.place, &file.seeds.document) else {
            return true;
        };
        let Some(text) = texts.get(d.file.get_ref()) else {
            let message = format!("no source text seeds/documents/{}", d.file.get_ref());
            self.errors.push(place.at(&d.file, message));
            return false;
        };
        let id = d.id.get_ref();
        if !valid_id(id) || self.docs.contains_key(id) {
            self.errors
                .push(place.at(&d.id, "document id must be a new lowercase ASCII slug"));
            return false;
        }
        let plans = self.plan_sections(place, text, &d.plan_sections);
        let doc = Doc {
            id: id.clone(),
            file: d.file.get_ref().clone(),
            title_zh: d.title_zh.clone(),
            title_en: d.title_en.clone(),
            text: text.clone(),
            graph: vocab::graph(id),
            publisher: d.publisher.get_ref().clone(),
            plans,
        };
        self.docs.insert(id.clone(), doc);
        true
    }

    /// The names a file deliberately leaves out; each needs a reason, so that leaving one out is a decision.
    pub(super) fn exclusions(&mut self, file: &ParsedFile) -> Vec<Exclusion> {
        let mut exclusions = Vec::new();
        for x in &file.seeds.excluded {
            exclusions.push(Exclusion {
                text: x.text.get_ref().clone(),
                reason: x.reason.clone(),
                place: file.place.describe(&x.text),
            });
            if x.reason.trim().is_empty() {
                self.errors
                    .push(file.place.at(&x.text, "an exclusion needs a reason"));
            }
        }
        exclusions
    }

    /// The id of a file's document, if it has one that registered.
    pub(super) fn document_of<'f>(&self, seeds: &'f SeedFile) -> Option<&'f str> {
        seeds
            .document
            .as_ref()
            .map(|d| d.id.get_ref().as_str())
            .filter(|d| self.docs.contains_key(*d))
    }

    /// The metadata of a file's document, in its own graph.
    pub(super) fn describe_document(&mut self, file: &ParsedFile) {
        let Some(d) = &file.seeds.document else {
            return;
        };
        let Some(doc) = self.docs.get(d.id.get_ref()) else {
            return;
        };
        let (node, graph) = (vocab::document(&doc.id), doc.graph.clone());
        let mut quads = doc.description(d);
        quads.extend(self.document_dates(&file.place, d, &node, &graph));
        if let Some(publisher) = self.entity_node(&file.place, &d.publisher) {
            let issuer = vocab::ns(vocab::DCTERMS, "publisher");
            quads.push(quad(&node, issuer, publisher, &graph));
        }
        self.quads.extend(quads);
    }

    /// The year a document covers (a year, since reports are yearly) and when it was published.
    fn document_dates(
        &mut self,
        place: &Place,
        d: &DocumentDecl,
        node: &NamedNode,
        graph: &NamedNode,
    ) -> Vec<Quad> {
        let mut quads = Vec::new();
        match date_literal(d.year_covered.get_ref()) {
            Some(l) if l.datatype() == xsd::G_YEAR => {
                quads.push(quad(node, vocab::pk("yearCovered"), l, graph))
            }
            _ => self
                .errors
                .push(place.at(&d.year_covered, "year_covered is a year: YYYY")),
        }
        if let Some(p) = &d.published {
            match date_literal(p.get_ref()) {
                Some(l) => quads.push(quad(node, vocab::ns(vocab::DCTERMS, "issued"), l, graph)),
                None => self
                    .errors
                    .push(place.at(p, "published is YYYY, YYYY-MM or YYYY-MM-DD")),
            }
        }
        quads
    }
}
