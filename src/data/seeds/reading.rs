//! How a document's sentences are read beyond their words: who the implied subject is, and whether they report
//! something done or planned. One rule each, applied alike to facts, events and figures (`docs/seeds-format.md`):
//!
//! - **Implied actor.** Reports write most sentences without a subject, because the reporting body is the actor.
//!   A seed says so with `implied_actor = true`; the document's publisher is then the subject, the fact stays in
//!   the document's graph (the sentence states it) and its evidence says `pk:StatedImplicitSubject`. It is not an
//!   inference, so it takes no `inferred` reason, and the publisher must take part in the fact.
//! - **Modality.** A document declares its plan sections once (`plan_sections` in `[document]`); a fact, event or
//!   figure whose quote starts in one is `pk:Planned`, any other `pk:Done`, unless the seed says `modality = …`.

use toml::Spanned;

use super::compiler::Compiler;
use super::locate::{locate, QuoteAt};
use super::read::{Place, SectionDecl, S};
use crate::model::vocab::Modality;

/// How a report names its own author without its name: 我办 (our office), 本局, 我局.
const AUTHOR_SELF_REFERENCES: [&str; 3] = ["我办", "我局", "本局"];

/// Who the subject of a sentence is.
pub(super) enum Subject {
    /// The sentence names it (or the fact is inferred, with its reasoning).
    Named,
    /// The sentence has none, and it is the document's author: the entity id of the publisher.
    Implied(String),
}

impl Subject {
    /// The implied actor's entity id, if the subject is implied.
    pub(super) fn implied(&self) -> Option<&str> {
        match self {
            Subject::Named => None,
            Subject::Implied(id) => Some(id),
        }
    }
}

impl Compiler {
    /// A document's plan sections as character ranges; a section that cannot be found is reported.
    pub(super) fn plan_sections(
        &mut self,
        place: &Place,
        text: &str,
        sections: &[SectionDecl],
    ) -> Vec<(usize, usize)> {
        sections
            .iter()
            .filter_map(|s| match section_range(text, s) {
                Ok(range) => Some(range),
                Err((span, message)) => {
                    self.errors
                        .push(place.at(span, format!("plan section: {message}")));
                    None
                }
            })
            .collect()
    }

    /// The modality of a claim: the seed's word if it gives one, else planned when the first quote starts in a
    /// plan section of its document. None (reported) for a word that is not a modality.
    pub(super) fn modality(
        &mut self,
        place: &Place,
        quotes: &[QuoteAt],
        given: Option<&S>,
    ) -> Option<Modality> {
        if let Some(word) = given {
            let parsed = Modality::parse(word.get_ref());
            if parsed.is_none() {
                self.errors
                    .push(place.at(word, "modality is \"done\" or \"planned\""));
            }
            return parsed;
        }
        let planned = quotes.first().is_some_and(|q| {
            self.docs
                .get(&q.doc)
                .is_some_and(|d| d.plans.iter().any(|&(a, b)| (a..b).contains(&q.start)))
        });
        Some(if planned {
            Modality::Planned
        } else {
            Modality::Done
        })
    }

    /// The subject of a sentence as the seed reads it. None (reported) when `implied_actor = true` is given
    /// outside a document file or together with an inference.
    pub(super) fn subject(
        &mut self,
        place: &Place,
        doc: Option<&str>,
        flag: Option<&Spanned<bool>>,
        inferred: Option<&str>,
    ) -> Option<Subject> {
        let Some(flag) = flag.filter(|f| *f.get_ref()) else {
            return Some(Subject::Named);
        };
        let message = match (doc.and_then(|d| self.docs.get(d)), inferred) {
            (Some(_), Some(_)) => {
                "implied_actor is stated, not inferred: drop inferred (the rule is its reason)"
            }
            (Some(d), None) => return Some(Subject::Implied(d.publisher.clone())),
            (None, _) => {
                "implied_actor needs a document file: the actor is the document's publisher"
            }
        };
        self.errors.push(place.at(flag, message));
        None
    }

    /// Refuse a stated claim that gives the document's publisher a part (`involved`) although none of its quotes
    /// names the publisher: the actor is then implied, and the seed must say so with `implied_actor = true`.
    pub(super) fn check_unnamed_author(
        &mut self,
        place: &Place,
        doc: Option<&str>,
        involved: &[&str],
        quotes: &[QuoteAt],
        anchor: &S,
    ) -> bool {
        let Some(publisher) = doc
            .and_then(|d| self.docs.get(d))
            .map(|d| d.publisher.clone())
        else {
            return true;
        };
        let Some(info) = self
            .entities
            .get(&publisher)
            .filter(|_| involved.contains(&publisher.as_str()))
        else {
            return true;
        };
        let names: Vec<&str> = std::iter::once(info.zh.as_str())
            .chain(info.aliases.iter().map(String::as_str))
            .chain(AUTHOR_SELF_REFERENCES)
            .collect();
        if quotes
            .iter()
            .any(|q| names.iter().any(|n| q.exact.contains(n)))
        {
            return true;
        }
        let message = format!("the quote does not name the document's publisher {publisher:?}: say implied_actor = true (or inferred = \"why\")");
        self.errors.push(place.at(anchor, message));
        false
    }

    /// Refuse an implied actor that takes no part in what is claimed (`involved`: the ids of the claim).
    pub(super) fn check_implied(
        &mut self,
        place: &Place,
        subject: &Subject,
        involved: &[&str],
        anchor: &S,
    ) -> bool {
        let Some(actor) = subject.implied() else {
            return true;
        };
        let ok = involved.contains(&actor);
        if !ok {
            let message = format!("implied_actor: the document's publisher {actor:?} must be the subject or object (or the event's actor)");
            self.errors.push(place.at(anchor, message));
        }
        ok
    }
}

/// `[start, end)` of a section in characters: from `from` to the first `to` after it, or to the end of the text.
fn section_range<'a>(text: &str, s: &'a SectionDecl) -> Result<(usize, usize), (&'a S, String)> {
    let (start, _) = locate(text, s.from.get_ref(), 1).map_err(|m| (&s.from, m))?;
    let Some(to) = &s.to else {
        return Ok((start, text.chars().count()));
    };
    let rest: String = text.chars().skip(start).collect();
    let (offset, _) = locate(&rest, to.get_ref(), 1).map_err(|m| (to, m))?;
    Ok((start, start + offset))
}
