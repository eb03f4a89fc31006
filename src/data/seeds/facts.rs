//! Facts (`[[fact]]`): one triple each, stated by the document of its file or inferred from premises.

use oxigraph::model::{Literal, NamedNode, Term, Triple};

use super::compiler::Compiler;
use super::evidence::Claim;
use super::literals::typed_literal;
use super::read::{FactDecl, ParsedFile, Place};
use super::reading::Subject;
use crate::model::vocab::{self, Modality};

impl Compiler {
    /// The facts of a file.
    pub(super) fn facts(&mut self, file: &ParsedFile) {
        let doc = self.document_of(&file.seeds);
        for f in &file.seeds.fact {
            self.fact(&file.place, doc, f);
        }
    }

    fn fact(&mut self, place: &Place, doc: Option<&str>, f: &FactDecl) {
        let Some(subject) = self.entity_node(place, &f.s) else {
            return;
        };
        let Some(object) = self.fact_object(place, f) else {
            return;
        };
        let inferred = f.inferred.as_deref().filter(|r| !r.trim().is_empty());
        let subject_of = self.subject(place, doc, f.implied_actor.as_ref(), inferred);
        let Some(subject_of) = subject_of else {
            return;
        };
        let involved = [
            f.s.get_ref().as_str(),
            f.o.as_ref().map_or("", |o| o.get_ref()),
        ];
        if !self.check_implied(place, &subject_of, &involved, &f.s)
            || !self.check_domain_range(place, f)
        {
            return;
        }
        // A fact outside a document file has no document to state it: only inference can back it.
        let graph = match (inferred, doc) {
            (Some(_), _) => vocab::inferred_graph(),
            (None, Some(d)) => self.docs[d].graph.clone(),
            (None, None) => {
                self.errors.push(place.at(&f.s, "a fact outside a document file must be inferred (inferred = \"why\") with premises"));
                return;
            }
        };
        let quote = f.quote.as_ref();
        let Some(quotes) = self.gather_quotes(place, doc, quote, f.occurrence, &f.premises, &f.s)
        else {
            return;
        };
        let named = inferred.is_some()
            || subject_of.implied().is_some()
            || self.check_unnamed_author(place, doc, &involved, &quotes, &f.s);
        let Some(modality) = self
            .modality(place, &quotes, f.modality.as_ref())
            .filter(|_| named)
        else {
            return;
        };
        let triple = Triple::new(subject, vocab::pk(f.p.get_ref()), object);
        let claim = Claim {
            note: f.note.as_deref().filter(|n| !n.trim().is_empty()),
            implied: subject_of.implied().is_some(),
            modality: Some(modality),
            ..Claim::new(triple, &graph, &quotes, inferred)
        };
        self.evidence.write(&mut self.quads, &claim);
        self.counts.planned += usize::from(modality == Modality::Planned);
        match (inferred, subject_of) {
            (Some(_), _) => self.counts.inferred_facts += 1,
            (None, Subject::Implied(_)) => self.counts.implied_facts += 1,
            (None, Subject::Named) => self.counts.facts += 1,
        }
    }

    /// The object of a fact: an entity for an object property, a literal for a datatype property.
    fn fact_object(&mut self, place: &Place, f: &FactDecl) -> Option<Term> {
        let property = f.p.get_ref().as_str();
        if self.ontology.object_properties.contains(property) {
            return self.object_entity(place, f).map(Term::from);
        }
        if let Some(range) = self.ontology.datatype_properties.get(property).cloned() {
            return self
                .object_literal(place, f, range.as_deref())
                .map(Term::from);
        }
        let message = format!(
            "unknown property {property:?}; the properties of ontology/policykg.ttl are: {}",
            self.ontology.known_properties()
        );
        self.errors.push(place.at(&f.p, message));
        None
    }

    fn object_entity(&mut self, place: &Place, f: &FactDecl) -> Option<NamedNode> {
        let property = f.p.get_ref();
        let Some(o) = &f.o else {
            self.errors.push(place.at(
                &f.p,
                format!("{property} links two entities: give o = \"entity-id\""),
            ));
            return None;
        };
        if f.value.is_some() {
            self.errors
                .push(place.at(&f.p, "give o or value, not both"));
            return None;
        }
        self.entity_node(place, o)
    }

    fn object_literal(
        &mut self,
        place: &Place,
        f: &FactDecl,
        range: Option<&str>,
    ) -> Option<Literal> {
        let property = f.p.get_ref();
        let Some(value) = &f.value else {
            self.errors
                .push(place.at(&f.p, format!("{property} takes a literal: give value = …")));
            return None;
        };
        match typed_literal(property, range, value) {
            Ok(l) => Some(l),
            Err(m) => {
                self.errors.push(place.at(value, m));
                None
            }
        }
    }
}
