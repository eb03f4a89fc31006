//! Events (`[[event]]`): a dated step in the life of an entity, itself an entity (so that a lineage can list
//! it), with `pk:eventOf`, `pk:date` and `pk:actor` each backed by the event's quotes.

use oxigraph::model::{Literal, NamedNode, Term, Triple};

use super::compiler::Compiler;
use super::evidence::Claim;
use super::ids::valid_id;
use super::literals::{date_literal, not_a_date};
use super::locate::QuoteAt;
use super::read::{EventDecl, ParsedFile, Place};
use super::reading::Subject;
use crate::model::vocab::{self, Modality};

/// What an event refers to, once every reference is checked.
struct EventParts {
    of: NamedNode,
    date: Option<Literal>,
    actor: Option<NamedNode>,
}

impl Compiler {
    /// The events of a file.
    pub(super) fn events(&mut self, file: &ParsedFile) {
        let doc = self.document_of(&file.seeds);
        for e in &file.seeds.event {
            self.event(&file.place, doc, e);
        }
    }

    fn event(&mut self, place: &Place, doc: Option<&str>, e: &EventDecl) {
        let id = e.id.get_ref();
        if !valid_id(id) || self.entities.contains_key(id) {
            self.errors.push(place.at(
                &e.id,
                format!("event id {id:?} must be a new lowercase ASCII slug"),
            ));
            return;
        }
        if !self.check_class(place, &e.kind) {
            return;
        }
        let Some(parts) = self.event_parts(place, e) else {
            return;
        };
        let inferred = e.inferred.as_deref().filter(|r| !r.trim().is_empty());
        let Some(subject) = self.subject(place, doc, e.implied_actor.as_ref(), inferred) else {
            return;
        };
        let Some(quotes) =
            self.gather_quotes(place, doc, Some(&e.quote), e.occurrence, &e.premises, &e.id)
        else {
            return;
        };
        let named = inferred.is_some()
            || subject.implied().is_some()
            || self.check_unnamed_author(
                place,
                doc,
                &[e.actor.as_ref().map_or("", |a| a.get_ref())],
                &quotes,
                &e.id,
            );
        let Some(modality) = self.event_modality(place, e, &quotes).filter(|_| named) else {
            return;
        };
        let Some(actor) = self.event_actor(place, e, &subject, parts.actor) else {
            return;
        };
        self.declare_event(e);
        let graph = match (inferred, doc) {
            (None, Some(d)) => self.docs[d].graph.clone(),
            _ => vocab::inferred_graph(),
        };
        let node = vocab::entity(id);
        let facts: [Option<(&str, Term, bool)>; 4] = [
            Some(("eventOf", parts.of.into(), false)),
            parts.date.map(|d| ("date", d.into(), false)),
            actor.map(|a| ("actor", a.into(), subject.implied().is_some())),
            Some(("modality", modality.iri().into(), false)),
        ];
        for (p, o, implied) in facts.into_iter().flatten() {
            let triple = Triple::new(node.clone(), vocab::pk(p), o);
            let claim = Claim {
                implied,
                modality: Some(modality),
                ..Claim::new(triple, &graph, &quotes, inferred)
            };
            self.evidence.write(&mut self.quads, &claim);
        }
        self.counts.events += 1;
        self.counts.planned += usize::from(modality == Modality::Planned);
    }

    /// The modality of an event, which its kind must agree with: a `PlannedStep` is planned, and a step quoted
    /// from a plan section is a `PlannedStep` unless the seed says it is done.
    fn event_modality(
        &mut self,
        place: &Place,
        e: &EventDecl,
        quotes: &[QuoteAt],
    ) -> Option<Modality> {
        let modality = self.modality(place, quotes, e.modality.as_ref())?;
        let planned_step = e.kind.get_ref() == "PlannedStep";
        if planned_step == (modality == Modality::Planned) {
            return Some(modality);
        }
        let message = if planned_step {
            "a PlannedStep is planned: quote it from a plan section or say modality = \"planned\""
        } else {
            "this step is quoted from a plan section: make it a PlannedStep, or say modality = \"done\" if the text reports it done"
        };
        self.errors.push(place.at(&e.kind, message));
        None
    }

    /// The actor of an event: the one named, or the document's author when the subject is implied (then a named
    /// actor must be that author). None (reported) when they disagree or the actor is no organisation.
    fn event_actor(
        &mut self,
        place: &Place,
        e: &EventDecl,
        subject: &Subject,
        named: Option<NamedNode>,
    ) -> Option<Option<NamedNode>> {
        let Some(implied) = subject.implied() else {
            if let Some(a) = &e.actor {
                let range = self.ontology.ranges.get("actor").cloned();
                self.check_fits(place, a, range, "actor", "range")
                    .then_some(())?;
            }
            return Some(named);
        };
        let involved = [e.actor.as_ref().map_or(implied, |a| a.get_ref().as_str())];
        self.check_implied(place, subject, &involved, &e.id)
            .then(|| Some(vocab::entity(implied)))
    }
    /// The entity, date and actor of an event; None (reported) if one of them is unknown or malformed.
    fn event_parts(&mut self, place: &Place, e: &EventDecl) -> Option<EventParts> {
        let of = self.entity_node(place, &e.of)?;
        let date = match &e.date {
            Some(d) => match date_literal(d.get_ref()) {
                Some(l) => Some(l),
                None => {
                    self.errors.push(place.at(d, not_a_date(d.get_ref())));
                    return None;
                }
            },
            None => None,
        };
        let actor = match &e.actor {
            Some(a) => Some(self.entity_node(place, a)?),
            None => None,
        };
        Some(EventParts { of, date, actor })
    }

    /// The event as an entity, labelled from its entity, class and date (`ENTITY·CLASS (DATE)` in Chinese).
    fn declare_event(&mut self, e: &EventDecl) {
        let (kind_zh, kind_en) = self
            .ontology
            .classes
            .get(e.kind.get_ref())
            .cloned()
            .unwrap_or_default();
        let (of_zh, of_en) = self
            .entities
            .get(e.of.get_ref())
            .map(|i| (i.zh.clone(), i.en.clone()))
            .unwrap_or_default();
        let when = e
            .date
            .as_ref()
            .map(|d| format!(" ({})", d.get_ref()))
            .unwrap_or_default();
        self.declare_generated(
            e.id.get_ref(),
            e.kind.get_ref(),
            format!("{of_zh}·{kind_zh}{when}"),
            format!("{kind_en}: {of_en}{when}"),
            e.note.as_deref(),
        );
    }
}
