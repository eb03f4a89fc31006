//! Indicators (`[[indicator]]`): a figure a document reports, compiled to an observation entity whose every
//! property (the measure, the number, the figure as written, the unit, the date) is backed by the quote.

use oxigraph::model::{Literal, NamedNode, Term, Triple};

use super::compiler::Compiler;
use super::evidence::Claim;
use super::ids::short_hash;
use super::literals::{date_literal, decimal_literal, en, not_a_date, text_literal, zh};
use super::read::{IndicatorDecl, ParsedFile, Place};
use crate::model::vocab::{self, Modality};

/// How a figure relates to the number: "more than 300", "nearly 50%".
const QUALIFIERS: [&str; 5] = ["exact", "more than", "nearly", "at least", "at most"];

/// An indicator's checked values.
struct Reading<'a> {
    of: NamedNode,
    date: Literal,
    value: Literal,
    qualifier: &'a str,
}

impl Compiler {
    /// The indicators of a file; they need the file's document, since a figure is quoted from it.
    pub(super) fn indicators(&mut self, file: &ParsedFile) {
        let doc = self.document_of(&file.seeds);
        for i in &file.seeds.indicator {
            match doc {
                Some(doc) => self.indicator(&file.place, doc, i),
                None => self.errors.push(
                    file.place
                        .at(&i.quote, "indicators belong in a document file"),
                ),
            }
        }
    }

    fn indicator(&mut self, place: &Place, doc: &str, i: &IndicatorDecl) {
        let Some(reading) = self.read_indicator(place, i) else {
            return;
        };
        let Some(quotes) = self.gather_quotes(
            place,
            Some(doc),
            Some(&i.quote),
            i.occurrence,
            &[],
            &i.quote,
        ) else {
            return;
        };
        if !i.quote.get_ref().contains(i.as_written.get_ref().as_str()) {
            self.errors
                .push(place.at(&i.as_written, "as_written must appear inside the quote"));
            return;
        }
        let Some(modality) = self.modality(place, &quotes, i.modality.as_ref()) else {
            return;
        };
        let Some(subject) = self.subject(place, Some(doc), i.implied_actor.as_ref(), None) else {
            return;
        };
        let start = quotes.first().map_or(0, |q| q.start);
        let id = observation_id(doc, i, start);
        self.declare_observation(&id, i);
        let node = vocab::entity(&id);
        let graph = self.docs[doc].graph.clone();
        let mut facts: Vec<(&str, Term, bool)> = observation_facts(i, reading)
            .into_iter()
            .map(|(p, o)| (p, o, false))
            .collect();
        facts.extend(
            subject
                .implied()
                .map(|a| ("actor", vocab::entity(a).into(), true)),
        );
        for (p, o, implied) in facts {
            let triple = Triple::new(node.clone(), vocab::pk(p), o);
            let claim = Claim {
                implied,
                modality: Some(modality),
                ..Claim::new(triple, &graph, &quotes, None)
            };
            self.evidence.write(&mut self.quads, &claim);
        }
        self.counts.indicators += 1;
        self.counts.planned += usize::from(modality == Modality::Planned);
    }

    /// The entity, date, number and qualifier of an indicator; None (reported) if one is wrong.
    fn read_indicator<'a>(&mut self, place: &Place, i: &'a IndicatorDecl) -> Option<Reading<'a>> {
        let of = self.entity_node(place, &i.of)?;
        if !self.ontology.measures.contains(i.measure.get_ref()) {
            let mut known: Vec<&str> = self.ontology.measures.iter().map(String::as_str).collect();
            known.sort();
            let message = format!(
                "unknown measure; the measures of pk:Measures (ontology/measures.ttl) are: {}",
                known.join(", ")
            );
            self.errors.push(place.at(&i.measure, message));
            return None;
        }
        let Some(date) = date_literal(i.date.get_ref()) else {
            self.errors
                .push(place.at(&i.date, not_a_date(i.date.get_ref())));
            return None;
        };
        let value = match decimal_literal(i.value.get_ref()) {
            Ok(v) => v,
            Err(m) => {
                self.errors.push(place.at(&i.value, m));
                return None;
            }
        };
        let qualifier = match &i.qualifier {
            None => "exact",
            Some(q) if QUALIFIERS.contains(&q.get_ref().as_str()) => q.get_ref().as_str(),
            Some(q) => {
                let message = format!("qualifier is one of: {}", QUALIFIERS.join(", "));
                self.errors.push(place.at(q, message));
                return None;
            }
        };
        Some(Reading {
            of,
            date,
            value,
            qualifier,
        })
    }

    /// The observation as an entity, labelled with the figure as written (`ENTITY·MEASURE:AS_WRITTEN(DATE)` in Chinese).
    fn declare_observation(&mut self, id: &str, i: &IndicatorDecl) {
        let (of_zh, of_en) = self
            .entities
            .get(i.of.get_ref())
            .map(|e| (e.zh.clone(), e.en.clone()))
            .unwrap_or_default();
        let (date, written) = (i.date.get_ref(), i.as_written.get_ref());
        self.declare_generated(
            id,
            "IndicatorObservation",
            format!("{of_zh}·{}:{written}({date})", i.measure_zh),
            format!("{of_en}: {} = {written} ({date})", i.measure_en),
            i.note.as_deref(),
        );
    }
}

/// `obs-<entity>-<hash>`: stable across builds, distinct for the same measure quoted at two places.
fn observation_id(doc: &str, i: &IndicatorDecl, start: usize) -> String {
    let hash = short_hash(&[doc, &i.measure_zh, i.date.get_ref(), &start.to_string()]);
    format!("obs-{}-{hash}", i.of.get_ref())
}

/// The properties of an observation, in the order they are written.
fn observation_facts(i: &IndicatorDecl, r: Reading) -> Vec<(&'static str, Term)> {
    vec![
        ("observationOf", r.of.into()),
        ("measureType", vocab::pk(i.measure.get_ref()).into()),
        ("measure", zh(&i.measure_zh).into()),
        ("measure", en(&i.measure_en).into()),
        ("value", r.value.into()),
        ("unit", text_literal(&i.unit).into()),
        (
            "valueAsWritten",
            text_literal(i.as_written.get_ref()).into(),
        ),
        ("qualifier", Literal::new_simple_literal(r.qualifier).into()),
        ("date", r.date.into()),
    ]
}
