//! Evidence: every compiled fact is asserted together with a Web Annotation that points at the quotes backing it.
//!
//! The shape is written here and nowhere else, so that facts, events, indicators and mentions all carry the same
//! one, the one `read::evidence`, `read::describe`, the projection and the server's evidence page query:
//!
//! ```text
//! pkev:<scope>-<hash>  a pk:Evidence, oa:Annotation, rdf:Statement ;
//!     rdf:subject S ; rdf:predicate P ; rdf:object O ;
//!     oa:motivatedBy oa:describing ; pk:epistemicStatus pk:Stated|pk:Inferred ; [pk:reasoning "…"@en] ;
//!     oa:hasTarget <…#target-N> ; dcterms:source <document> ; [skos:note "…"@en] .
//! <…#target-N>   a oa:SpecificResource ; oa:hasSource <document> ;
//!     oa:hasSelector <…#quote-N>, <…#position-N> .
//! <…#quote-N>    a oa:TextQuoteSelector ; oa:exact "…"@zh ; oa:prefix "…"@zh ; oa:suffix "…"@zh .
//! <…#position-N> a oa:TextPositionSelector ; oa:start N ; oa:end N .
//! ```

use std::collections::{HashMap, HashSet};

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term, Triple};

use super::ids::{quad, short_hash};
use super::literals::{en, zh};
use super::locate::QuoteAt;
use crate::model::vocab::{self, Modality, OA, SKOS};

/// A fact to assert, and what backs it.
pub(super) struct Claim<'a> {
    pub(super) triple: Triple,
    /// The graph of the fact and of its evidence: a document's graph, or the inferred graph.
    pub(super) graph: &'a NamedNode,
    /// At least one quote; the first decides the evidence IRI.
    pub(super) quotes: &'a [QuoteAt],
    /// The curators' reasoning, for an inferred fact.
    pub(super) inferred: Option<&'a str>,
    /// A curator's note on the fact, kept with its evidence.
    pub(super) note: Option<&'a str>,
    /// The sentence leaves the subject unsaid and the document's author is it (`pk:StatedImplicitSubject`).
    pub(super) implied: bool,
    /// Whether the sentence reports the fact as done or planned; None for mentions and close matches, which
    /// report nothing.
    pub(super) modality: Option<Modality>,
}

impl<'a> Claim<'a> {
    /// A claim without a note.
    pub(super) fn new(
        triple: Triple,
        graph: &'a NamedNode,
        quotes: &'a [QuoteAt],
        inferred: Option<&'a str>,
    ) -> Self {
        Claim {
            triple,
            graph,
            quotes,
            inferred,
            note: None,
            implied: false,
            modality: None,
        }
    }
}

/// Writes facts with their evidence, each (fact, first quote) once: the curators may state the same fact with
/// the same quote twice (a fact and an event step), and the evidence IRI must name one annotation.
#[derive(Default)]
pub(super) struct EvidenceWriter {
    seen: HashSet<String>,
    /// The character spans of every quote written, by document: what the sentence ledger counts as covered.
    spans: HashMap<String, Vec<(usize, usize)>>,
}

impl EvidenceWriter {
    /// Append the fact and its evidence to `out`. Returns the evidence node, or None when this fact with this
    /// first quote was already written (then nothing is appended).
    pub(super) fn write(&mut self, out: &mut Vec<Quad>, claim: &Claim) -> Option<NamedNode> {
        let ev = evidence_iri(claim);
        if !self.seen.insert(ev.as_str().to_owned()) {
            return None;
        }
        for q in claim.quotes {
            let spans = self.spans.entry(q.doc.clone()).or_default();
            spans.push((q.start, q.end));
        }
        let t = &claim.triple;
        let graph = GraphName::NamedNode(claim.graph.clone());
        out.push(Quad::new(
            t.subject.clone(),
            t.predicate.clone(),
            t.object.clone(),
            graph,
        ));
        let mut shape = Shape {
            out,
            ev: &ev,
            graph: claim.graph,
        };
        shape.annotation(t, claim);
        for (i, quote) in claim.quotes.iter().enumerate() {
            shape.target(i + 1, quote);
        }
        if let Some(note) = claim.note {
            shape.push(&ev, vocab::ns(SKOS, "note"), en(note));
        }
        Some(ev)
    }

    /// The character spans of the quotes written so far in document `doc`.
    pub(super) fn spans(&self, doc: &str) -> &[(usize, usize)] {
        self.spans.get(doc).map_or(&[], Vec::as_slice)
    }
}

/// `pkev:<document or "inferred">-<hash of the triple and the first quote's place>`: stable across builds, and
/// the same for the same fact backed by the same quote.
fn evidence_iri(claim: &Claim) -> NamedNode {
    let t = &claim.triple;
    let (doc, start) = claim
        .quotes
        .first()
        .map(|q| (q.doc.as_str(), q.start))
        .unwrap_or(("", 0));
    let key = short_hash(&[
        t.subject.to_string().as_str(),
        t.predicate.as_str(),
        &t.object.to_string(),
        doc,
        &start.to_string(),
    ]);
    let scope = if claim.inferred.is_some() {
        "inferred"
    } else {
        doc
    };
    NamedNode::new_unchecked(format!("{}{scope}-{key}", vocab::EVIDENCE))
}

fn oa(local: &str) -> NamedNode {
    vocab::ns(OA, local)
}

/// The quads of one evidence annotation, in one graph.
struct Shape<'a> {
    out: &'a mut Vec<Quad>,
    ev: &'a NamedNode,
    graph: &'a NamedNode,
}

impl Shape<'_> {
    fn push(&mut self, s: &NamedNode, p: NamedNode, o: impl Into<Term>) {
        self.out.push(quad(s, p, o, self.graph));
    }

    /// The annotation itself: a reified statement of the fact, stated (with its subject or without) or
    /// inferred, done or planned.
    fn annotation(&mut self, t: &Triple, claim: &Claim) {
        let ev = self.ev;
        self.push(ev, rdf::TYPE.into_owned(), vocab::pk("Evidence"));
        self.push(ev, rdf::TYPE.into_owned(), oa("Annotation"));
        self.push(ev, rdf::TYPE.into_owned(), rdf::STATEMENT.into_owned());
        self.push(ev, rdf::SUBJECT.into_owned(), t.subject.clone());
        self.push(ev, rdf::PREDICATE.into_owned(), t.predicate.clone());
        self.push(ev, rdf::OBJECT.into_owned(), t.object.clone());
        self.push(ev, oa("motivatedBy"), oa("describing"));
        let status = match (claim.inferred, claim.implied) {
            (Some(_), _) => "Inferred",
            (None, true) => "StatedImplicitSubject",
            (None, false) => "Stated",
        };
        self.push(ev, vocab::pk("epistemicStatus"), vocab::pk(status));
        if let Some(reason) = claim.inferred {
            self.push(ev, vocab::pk("reasoning"), en(reason));
        }
        if let Some(modality) = claim.modality {
            self.push(ev, vocab::pk("modality"), modality.iri());
        }
    }

    /// The `n`-th target: the quote's document, selected by its exact text and by its position.
    fn target(&mut self, n: usize, quote: &QuoteAt) {
        let ev = self.ev;
        let node = |part: &str| NamedNode::new_unchecked(format!("{}#{part}-{n}", ev.as_str()));
        let (target, exact, position) = (node("target"), node("quote"), node("position"));
        let source = vocab::document(&quote.doc);
        self.push(ev, oa("hasTarget"), target.clone());
        self.push(ev, vocab::ns(vocab::DCTERMS, "source"), source.clone());
        self.push(&target, rdf::TYPE.into_owned(), oa("SpecificResource"));
        self.push(&target, oa("hasSource"), source);
        self.push(&target, oa("hasSelector"), exact.clone());
        self.push(&target, oa("hasSelector"), position.clone());
        self.push(&exact, rdf::TYPE.into_owned(), oa("TextQuoteSelector"));
        self.push(&exact, oa("exact"), zh(&quote.exact));
        self.push(&exact, oa("prefix"), zh(&quote.prefix));
        self.push(&exact, oa("suffix"), zh(&quote.suffix));
        let offset =
            |n: usize| Literal::new_typed_literal(n.to_string(), xsd::NON_NEGATIVE_INTEGER);
        self.push(
            &position,
            rdf::TYPE.into_owned(),
            oa("TextPositionSelector"),
        );
        self.push(&position, oa("start"), offset(quote.start));
        self.push(&position, oa("end"), offset(quote.end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one object of `s p` in `quads`.
    fn object(quads: &[Quad], s: &NamedNode, p: &NamedNode) -> Term {
        let found: Vec<&Term> = quads
            .iter()
            .filter(|q| q.subject == s.clone().into() && &q.predicate == p)
            .map(|q| &q.object)
            .collect();
        assert_eq!(found.len(), 1, "{s} {p}: {found:?}");
        found[0].clone()
    }

    fn node(term: Term) -> NamedNode {
        match term {
            Term::NamedNode(n) => n,
            other => panic!("not a named node: {other}"),
        }
    }

    #[test]
    fn one_evidence_record_has_the_annotation_shape() {
        let graph = vocab::graph("doc");
        let quote = QuoteAt::new("doc", "一二三四五", 1, "二三");
        let triple = Triple::new(vocab::entity("a"), vocab::pk("partOf"), vocab::entity("b"));
        let claim = Claim::new(triple.clone(), &graph, std::slice::from_ref(&quote), None);
        let mut writer = EvidenceWriter::default();
        let mut quads = Vec::new();
        let ev = writer.write(&mut quads, &claim).unwrap();
        assert!(quads.iter().all(|q| q.graph_name == graph.clone().into()));
        let types: Vec<&Term> = quads
            .iter()
            .filter(|q| q.subject == ev.clone().into() && q.predicate == rdf::TYPE)
            .map(|q| &q.object)
            .collect();
        assert!(types.contains(&&Term::from(oa("Annotation"))), "{types:?}");
        assert!(quads.contains(&Quad::new(
            triple.subject,
            triple.predicate,
            triple.object,
            graph.clone()
        )));
        let target = node(object(&quads, &ev, &oa("hasTarget")));
        assert_eq!(
            object(&quads, &target, &oa("hasSource")),
            vocab::document("doc").into()
        );
        let selectors: Vec<NamedNode> = quads
            .iter()
            .filter(|q| q.subject == target.clone().into() && q.predicate == oa("hasSelector"))
            .map(|q| node(q.object.clone()))
            .collect();
        let of_type = |ty: &str| {
            selectors
                .iter()
                .find(|s| object(&quads, s, &rdf::TYPE.into_owned()) == oa(ty).into())
                .unwrap()
                .clone()
        };
        let exact = of_type("TextQuoteSelector");
        assert_eq!(object(&quads, &exact, &oa("exact")), zh("二三").into());
        let position = of_type("TextPositionSelector");
        let number = |n: &str| Literal::new_typed_literal(n, xsd::NON_NEGATIVE_INTEGER).into();
        assert_eq!(object(&quads, &position, &oa("start")), number("1"));
        assert_eq!(object(&quads, &position, &oa("end")), number("3"));
        let written = quads.len();
        assert!(writer.write(&mut quads, &claim).is_none());
        assert_eq!(quads.len(), written, "the same claim is written once");
    }
}
