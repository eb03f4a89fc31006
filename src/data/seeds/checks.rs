//! Checks on declarations that do not produce quads: classes, levels, labels, and labels two entities share.
//!
//! A shared label would make name resolution and the mentions ambiguous, so it is an error, reported at its
//! second declaration (the first is where the curator looks for the owner).

use std::collections::HashMap;

use super::compiler::Compiler;
use super::declare::DeclaredLabel;
use super::read::{EntityDecl, FactDecl, Place, S};

impl Compiler {
    /// Whether `class` is a class of the ontology; if not, the error lists the classes there are.
    pub(super) fn check_class(&mut self, place: &Place, class: &S) -> bool {
        if self.ontology.classes.contains_key(class.get_ref()) {
            return true;
        }
        let message = format!(
            "unknown class {:?}; the classes of ontology/policykg.ttl are: {}",
            class.get_ref(),
            self.ontology.known_classes()
        );
        self.errors.push(place.at(class, message));
        false
    }

    /// The checks on a declared entity that do not stop its declaration: class, level, English label, and
    /// labels without stray spaces (a label is matched verbatim against the documents).
    pub(super) fn check_entity(&mut self, place: &Place, e: &EntityDecl) {
        self.check_class(place, &e.class);
        if let Some(level) = &e.level {
            if !self.ontology.individuals.contains(level.get_ref()) {
                self.errors.push(place.at(level, format!("unknown level {:?}: use National, Regional, Provincial, Municipal, District or Township", level.get_ref())));
            }
        }
        if e.en.trim().is_empty() {
            self.errors
                .push(place.at(&e.id, "every entity needs an English label (en)"));
        }
        for label in std::iter::once(&e.zh).chain(&e.aliases) {
            if label.get_ref().trim().is_empty() || label.get_ref().trim() != label.get_ref() {
                self.errors.push(place.at(
                    label,
                    "a label must be non-empty, without surrounding spaces",
                ));
            }
        }
    }

    /// Report a label or alias that two entities share, at its second declaration.
    pub(super) fn check_unique_labels(&mut self, declared: &[DeclaredLabel]) {
        let mut first_owner: HashMap<&str, &str> = HashMap::new();
        for d in declared {
            match first_owner.get(d.label.get_ref().as_str()) {
                Some(&owner) if owner != d.id => self.errors.push(d.place.at(
                    d.label,
                    format!(
                        "label {:?} is already used by entity {owner:?}",
                        d.label.get_ref()
                    ),
                )),
                Some(_) => {}
                None => {
                    first_owner.insert(d.label.get_ref(), d.id);
                }
            }
        }
    }

    /// Refuse a fact whose subject or object is not of a class the property's domain or range allows, so that
    /// every relation means what the ontology defines it to mean.
    pub(super) fn check_domain_range(&mut self, place: &Place, f: &FactDecl) -> bool {
        let p = f.p.get_ref();
        let mut ok = self.check_fits(
            place,
            &f.s,
            self.ontology.domains.get(p).cloned(),
            p,
            "domain",
        );
        if let Some(o) = &f.o {
            ok &= self.check_fits(place, o, self.ontology.ranges.get(p).cloned(), p, "range");
        }
        ok
    }

    /// Whether entity `id` (unknown entities are reported elsewhere) fits a domain or range of `property`.
    pub(super) fn check_fits(
        &mut self,
        place: &Place,
        id: &S,
        allowed: Option<Vec<String>>,
        property: &str,
        which: &str,
    ) -> bool {
        let Some(class) = self.entities.get(id.get_ref()).map(|e| e.class.clone()) else {
            return true;
        };
        if self.ontology.fits(&class, allowed.as_ref()) {
            return true;
        }
        let message = format!(
            "{:?} is a pk:{class}, outside the {which} of pk:{property} ({})",
            id.get_ref(),
            allowed.unwrap_or_default().join(" or ")
        );
        self.errors.push(place.at(id, message));
        false
    }
}
