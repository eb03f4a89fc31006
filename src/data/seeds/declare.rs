//! Entities: the declared ones (`[[entity]]`), the generated ones (events, observations), and how a seed's
//! reference to an entity becomes its IRI.

use oxigraph::model::vocab::rdf;
use oxigraph::model::NamedNode;

use super::compiler::Compiler;
use super::documents::scope_note;
use super::ids::{quad, valid_id};
use super::literals::{en, zh};
use super::read::{EntityDecl, ParsedFile, Place, S};
use super::EntityInfo;
use crate::model::vocab::{self, SKOS};

/// A zh label or alias as a seed file declares it, with its place for messages.
pub(super) struct DeclaredLabel<'a> {
    pub(super) id: &'a str,
    pub(super) place: Place<'a>,
    pub(super) label: &'a S,
}

impl Compiler {
    /// Declare the entities of every file, and return every zh label and alias with its place, for the label
    /// checks and the mentions.
    pub(super) fn declare_entities<'a>(
        &mut self,
        files: &'a [ParsedFile<'a>],
    ) -> Vec<DeclaredLabel<'a>> {
        let mut declared = Vec::new();
        for file in files {
            for e in &file.seeds.entity {
                self.declare_entity(&file.place, e);
                for label in std::iter::once(&e.zh).chain(&e.aliases) {
                    declared.push(DeclaredLabel {
                        id: e.id.get_ref(),
                        place: file.place,
                        label,
                    });
                }
            }
        }
        declared
    }

    fn declare_entity(&mut self, place: &Place, e: &EntityDecl) {
        if !self.entity_id_is_new(place, &e.id) {
            return;
        }
        self.check_entity(place, e);
        let id = e.id.get_ref();
        let info = EntityInfo {
            id: id.clone(),
            class: e.class.get_ref().clone(),
            zh: e.zh.get_ref().clone(),
            en: e.en.clone(),
            aliases: e.aliases.iter().map(|a| a.get_ref().clone()).collect(),
            aliases_en: e.aliases_en.clone(),
        };
        self.entities.insert(id.clone(), info);
        self.write_entity(e);
        self.counts.entities += 1;
    }

    fn entity_id_is_new(&mut self, place: &Place, id: &S) -> bool {
        let value = id.get_ref();
        if !valid_id(value) {
            self.errors.push(place.at(
                id,
                format!("entity id {value:?} must be lowercase ASCII letters, digits and hyphens"),
            ));
            return false;
        }
        if self.entities.contains_key(value) {
            self.errors
                .push(place.at(id, format!("entity {value:?} is declared twice")));
            return false;
        }
        true
    }

    /// The catalogue quads of a declared entity: class, labels, aliases, level, note.
    fn write_entity(&mut self, e: &EntityDecl) {
        let node = vocab::entity(e.id.get_ref());
        let g = vocab::catalogue_graph();
        let (pref, label, alt) = (
            vocab::ns(SKOS, "prefLabel"),
            vocab::ns(vocab::RDFS, "label"),
            vocab::ns(SKOS, "altLabel"),
        );
        let (zh_label, en_label) = (zh(e.zh.get_ref()), en(&e.en));
        let class = vocab::pk(e.class.get_ref());
        self.quads
            .push(quad(&node, rdf::TYPE.into_owned(), class, &g));
        self.quads
            .push(quad(&node, pref.clone(), zh_label.clone(), &g));
        self.quads.push(quad(&node, pref, en_label.clone(), &g));
        self.quads.push(quad(&node, label.clone(), zh_label, &g));
        self.quads.push(quad(&node, label, en_label, &g));
        for alias in &e.aliases {
            self.quads
                .push(quad(&node, alt.clone(), zh(alias.get_ref()), &g));
        }
        for alias in &e.aliases_en {
            self.quads.push(quad(&node, alt.clone(), en(alias), &g));
        }
        if let Some(level) = &e.level {
            let level = vocab::pk(level.get_ref());
            self.quads
                .push(quad(&node, vocab::pk("administrativeLevel"), level, &g));
        }
        self.quads.extend(scope_note(&node, e.note.as_deref(), &g));
    }

    /// Declare a generated entity (an event or an observation) with computed labels.
    pub(super) fn declare_generated(
        &mut self,
        id: &str,
        class: &str,
        zh_label: String,
        en_label: String,
        note: Option<&str>,
    ) {
        let node = vocab::entity(id);
        let g = vocab::catalogue_graph();
        self.quads
            .push(quad(&node, rdf::TYPE.into_owned(), vocab::pk(class), &g));
        for l in [zh(&zh_label), en(&en_label)] {
            self.quads
                .push(quad(&node, vocab::ns(SKOS, "prefLabel"), l.clone(), &g));
            self.quads
                .push(quad(&node, vocab::ns(vocab::RDFS, "label"), l, &g));
        }
        self.quads.extend(scope_note(&node, note, &g));
        let info = EntityInfo {
            id: id.to_owned(),
            class: class.to_owned(),
            zh: zh_label,
            en: en_label,
            aliases: vec![],
            aliases_en: vec![],
        };
        self.entities.insert(id.to_owned(), info);
    }

    /// The IRI a seed means by `id`: an ontology term (`pk:…`), a document or an entity. An unknown id is
    /// reported at its place, and the caller drops the fact.
    pub(super) fn entity_node(&mut self, place: &Place, id: &S) -> Option<NamedNode> {
        let value = id.get_ref();
        if let Some(local) = value.strip_prefix("pk:") {
            if self.ontology.individuals.contains(local)
                || self.ontology.classes.contains_key(local)
            {
                return Some(vocab::pk(local));
            }
            self.errors
                .push(place.at(id, format!("unknown ontology term {value:?}")));
            return None;
        }
        if self.docs.contains_key(value) {
            return Some(vocab::document(value));
        }
        if self.entities.contains_key(value) {
            return Some(vocab::entity(value));
        }
        self.errors.push(place.at(
            id,
            format!(
                "unknown entity id {value:?}; declare it with [[entity]] (in seeds/entities.toml if several documents name it)"
            ),
        ));
        None
    }
}
