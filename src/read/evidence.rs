//! "Why does the graph say X?": the quotes behind an entity's facts, or behind the facts that link two entities,
//! each with its document, date, epistemic status and the surrounding sentence of the source text.

use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, NamedOrBlankNodeRef, Term};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};

use crate::data::seeds::{self, Sentence};
use crate::model::error::Result;
use crate::model::vocab::{self, Provenance};
use crate::read::resolve::LabelIndex;
use crate::read::{quads, query};

/// One supporting quote of one fact.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    /// The evidence annotation's IRI.
    pub evidence: String,
    /// The fact's subject IRI.
    pub subject: String,
    /// The fact's property IRI.
    pub predicate: String,
    /// The fact's object: an IRI or a literal value.
    pub object: String,
    /// `stated` or `inferred`.
    pub status: Provenance,
    /// For an inferred fact, the curator's reasoning.
    pub reasoning: Option<String>,
    /// The source document's IRI.
    pub document: String,
    /// Its zh title.
    pub document_title: String,
    /// Its date of issue, or the year it covers.
    pub document_date: String,
    /// The verbatim quote.
    pub exact: String,
    /// Character offset where the quote starts in the document text.
    pub start: usize,
    /// Character offset where it ends.
    pub end: usize,
    /// The sentence of the document that contains the quote.
    pub sentence: String,
}

/// Every quote supporting a fact whose subject or object is `a` (and, with `b`, whose other end is `b`).
pub fn quotes(
    store: &Store,
    labels: &LabelIndex,
    a: &NamedNode,
    b: Option<&NamedNode>,
) -> Result<Vec<Quote>> {
    let filter = match b {
        None => format!("FILTER(?s = {a} || ?o = {a})"),
        Some(b) => format!(
            "FILTER((?s = {a} && ?o = {b}) || (?s = {b} && ?o = {a}) || EXISTS {{ ?s pk:eventOf ?x FILTER((?x = {a} && ?o = {b}) || (?x = {b} && ?o = {a})) }})"
        ),
    };
    let candidates = match candidates(store, a, b)? {
        Some(items) => format!("VALUES ?ev {{ {items} }}"),
        None => String::new(),
    };
    let text = format!(
        "SELECT ?ev ?s ?p ?o ?status ?reason ?doc ?exact ?start ?end WHERE {{ {candidates}
           ?ev a pk:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
               pk:epistemicStatus ?status ; oa:hasTarget ?t .
           ?t oa:hasSource ?doc ; oa:hasSelector ?qs, ?ps .
           ?qs oa:exact ?exact . ?ps oa:start ?start ; oa:end ?end .
           OPTIONAL {{ ?ev pk:reasoning ?reason }}
           {filter}
         }}"
    );
    let rows = query::select_strings(store, &text)?;
    let documents = documents(store)?;
    let mut quotes: Vec<Quote> = rows
        .into_iter()
        .map(|r| {
            let start: usize = r.get("start").parse().unwrap_or(0);
            let end: usize = r.get("end").parse().unwrap_or(start);
            let document = r.string("doc");
            let doc = documents.get(&document);
            Quote {
                evidence: r.string("ev"),
                subject: r.string("s"),
                predicate: r.string("p"),
                object: r.string("o"),
                status: Provenance::of_status(r.get("status")),
                reasoning: r.opt("reason").map(str::to_owned),
                document_title: doc
                    .map(|d| d.title.clone())
                    .unwrap_or_else(|| labels.display(&document)),
                document,
                document_date: doc.map(|d| d.date.clone()).unwrap_or_default(),
                sentence: doc
                    .map(|d| marked(&d.chars, &d.sentences, start, end))
                    .unwrap_or_default(),
                exact: r.string("exact"),
                start,
                end,
            }
        })
        .collect();
    // Relations first, mentions last; then by document and position.
    quotes.sort_by(|x, y| {
        let mention = |q: &Quote| q.predicate.ends_with("#mentionedIn");
        (mention(x), &x.predicate, &x.document, x.start, &x.evidence).cmp(&(
            mention(y),
            &y.predicate,
            &y.document,
            y.start,
            &y.evidence,
        ))
    });
    Ok(quotes)
}

/// The evidence items the query's filter may keep, looked up in the store's indexes, so that the query starts
/// from a few items rather than all of them (a cold `evidence` process spent 50 ms filtering every evidence item).
/// One entity: the items whose fact has it as subject or object. Two: the items whose fact joins one side to the
/// other, a side being the entity or one of its events (`pk:eventOf`); before, every item touching either entity
/// (a hundred for an agency) went through the filter's `EXISTS`. `None` when a node met is blank, which `VALUES`
/// cannot name: the query then filters every item.
fn candidates(store: &Store, a: &NamedNode, b: Option<&NamedNode>) -> Result<Option<String>> {
    let found = match b {
        None => {
            let (Some(subject), Some(object)) =
                (items(store, "subject", a)?, items(store, "object", a)?)
            else {
                return Ok(None);
            };
            subject.union(&object).cloned().collect::<BTreeSet<_>>()
        }
        Some(b) => {
            let (Some(side_a), Some(side_b)) = (side(store, a)?, side(store, b)?) else {
                return Ok(None);
            };
            let mut found = BTreeSet::new();
            for (from, to) in [(&side_a, &side_b), (&side_b, &side_a)] {
                let mut said_of = BTreeSet::new();
                for node in from {
                    let Some(these) = items(store, "subject", node)? else {
                        return Ok(None);
                    };
                    said_of.extend(these);
                }
                for node in to {
                    let Some(these) = items(store, "object", node)? else {
                        return Ok(None);
                    };
                    found.extend(these.into_iter().filter(|item| said_of.contains(item)));
                }
            }
            found
        }
    };
    Ok(Some(found.into_iter().collect::<Vec<_>>().join(" ")))
}

/// An entity and its events (the subjects of `?event pk:eventOf entity`); `None` when an event is a blank node.
fn side(store: &Store, entity: &NamedNode) -> Result<Option<Vec<NamedNode>>> {
    let event_of = vocab::pk("eventOf");
    let Some(mut nodes) = quads::named_subjects(store, event_of.as_ref(), entity.into())? else {
        return Ok(None);
    };
    nodes.push(entity.clone());
    nodes.sort();
    nodes.dedup();
    Ok(Some(nodes))
}

/// The evidence items (as SPARQL terms) whose fact has `node` in `position` (`subject` or `object`); `None` when
/// an item is a blank node.
fn items(store: &Store, position: &str, node: &NamedNode) -> Result<Option<BTreeSet<String>>> {
    let property = vocab::ns(vocab::RDF, position);
    Ok(
        quads::named_subjects(store, property.as_ref(), node.into())?
            .map(|items| items.iter().map(NamedNode::to_string).collect()),
    )
}

/// A source document as quotes show it.
struct DocumentText {
    /// Its zh title.
    title: String,
    /// Its date of issue, or the year it covers.
    date: String,
    /// Its full text's characters (none unless asked for).
    chars: Vec<char>,
    /// Its sentences.
    sentences: Vec<Sentence>,
}

/// Every source document with its text, by IRI.
fn documents(store: &Store) -> Result<HashMap<String, DocumentText>> {
    let class = vocab::pk("SourceDocument");
    let mut out = HashMap::new();
    for q in quads::matching(
        store,
        None,
        Some(rdf::TYPE),
        Some(class.as_ref().into()),
        None,
    )? {
        let doc = document(store, q.subject.as_ref(), true)?;
        if !doc.chars.is_empty() {
            out.insert(quads::node_value(q.subject.as_ref()), doc);
        }
    }
    Ok(out)
}

/// One source document's title and date (and, with `text`, its text), read through the quad indexes.
fn document(store: &Store, doc: NamedOrBlankNodeRef, text: bool) -> Result<DocumentText> {
    let value =
        |p: &str| -> Result<Option<Term>> { quads::object(store, doc, vocab::pk(p).as_ref()) };
    let title = quads::objects(store, doc, vocab::ns(vocab::DCTERMS, "title").as_ref())?
        .into_iter()
        .find_map(|t| match t {
            Term::Literal(l) if l.language() == Some("zh") => Some(l.value().to_owned()),
            _ => None,
        })
        .unwrap_or_default();
    let date = match quads::object(store, doc, vocab::ns(vocab::DCTERMS, "issued").as_ref())? {
        Some(issued) => query::term_value(&issued),
        None => format!(
            "covers {}",
            value("yearCovered")?
                .map(|y| query::term_value(&y))
                .unwrap_or_default()
        ),
    };
    let text = match text {
        true => value("text")?
            .map(|t| query::term_value(&t))
            .unwrap_or_default(),
        false => String::new(),
    };
    Ok(DocumentText {
        title,
        date,
        chars: text.chars().collect(),
        sentences: seeds::sentences(&text),
    })
}

/// Where a fact is written: the evidence annotation, its document and the verbatim quote with its offsets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    /// The evidence annotation's IRI.
    pub evidence: String,
    /// `stated`, `implied actor` or `inferred`.
    pub status: Provenance,
    /// The source document's IRI.
    pub document: String,
    /// Its zh title.
    pub title: String,
    /// Its date of issue, or the year it covers.
    pub document_date: String,
    /// The verbatim quote.
    pub quote: String,
    /// Character offset where the quote starts in the document's text.
    pub start: usize,
    /// Character offset where it ends.
    pub end: usize,
}

/// The first quote behind a fact, looked up through the quad indexes one fact at a time, so that a command
/// reads the evidence of the facts it shows and no other; documents' titles and dates are read once each.
pub struct Sources<'a> {
    store: &'a Store,
    documents: RefCell<HashMap<String, (String, String)>>,
}

impl<'a> Sources<'a> {
    /// A reader of the evidence in `store`.
    pub fn new(store: &'a Store) -> Self {
        Sources {
            store,
            documents: RefCell::new(HashMap::new()),
        }
    }

    /// The first quote, in document order (by document IRI, then offset), of the fact `subject predicate
    /// object` (the object as its plain value: an IRI or a literal's lexical form); None when no annotation
    /// says it.
    pub fn first(&self, subject: &str, predicate: &str, object: &str) -> Result<Option<Source>> {
        let (Some(s), Some(p)) = (quads::iri(subject), quads::iri(predicate)) else {
            return Ok(None);
        };
        let subject_of = vocab::ns(vocab::RDF, "subject");
        let mut best: Option<Source> = None;
        for q in quads::matching(
            self.store,
            None,
            Some(subject_of.as_ref()),
            Some(s.as_ref().into()),
            None,
        )? {
            for source in self.sources(q.subject.as_ref(), &p, object)? {
                if best.as_ref().is_none_or(|b| earlier(&source, b)) {
                    best = Some(source);
                }
            }
        }
        Ok(best)
    }

    /// The first quote (as [`Sources::first`] chooses it) of every fact of `predicate`, by (subject, object)
    /// as plain values. One query anchored on the annotations that say `predicate` (the predicate's index), so
    /// the cost is that of these annotations whatever else is stored; the store decodes only what it answers.
    pub fn first_of(&self, predicate: &NamedNode) -> Result<HashMap<(String, String), Source>> {
        // Named in `VALUES`, the annotations are where the query starts (left to plan alone, it started from
        // every selector: 25 ms per predicate on the bundle).
        let says = vocab::ns(vocab::RDF, "predicate");
        let annotations: Vec<String> =
            quads::named_subjects(self.store, says.as_ref(), predicate.into())?
                .unwrap_or_default()
                .iter()
                .map(NamedNode::to_string)
                .collect();
        let values = match annotations.is_empty() {
            true => String::new(),
            false => format!("VALUES ?ev {{ {} }}", annotations.join(" ")),
        };
        let rows = query::select_strings(
            self.store,
            &format!(
                "SELECT ?ev ?s ?o ?status ?doc ?exact ?start ?end WHERE {{ {values}
                   ?ev rdf:predicate {predicate} ; rdf:subject ?s ; rdf:object ?o ; oa:hasTarget ?t .
                   ?t oa:hasSource ?doc ; oa:hasSelector ?qs, ?ps . ?qs oa:exact ?exact . ?ps oa:start ?start ; oa:end ?end
                   OPTIONAL {{ ?ev pk:epistemicStatus ?status }} }}"
            ),
        )?;
        let mut firsts: HashMap<(String, String), Source> = HashMap::new();
        for r in rows {
            let document = r.string("doc");
            let (title, document_date) = match quads::iri(&document) {
                Some(doc) => self.document(doc.as_ref().into())?,
                None => Default::default(),
            };
            let start = r.get("start").parse().unwrap_or(0);
            let source = Source {
                evidence: r.string("ev"),
                status: Provenance::of_status(r.get("status")),
                document,
                title,
                document_date,
                quote: r.string("exact"),
                start,
                end: r.get("end").parse().unwrap_or(start),
            };
            match firsts.entry((r.string("s"), r.string("o"))) {
                Entry::Occupied(mut best) if earlier(&source, best.get()) => {
                    best.insert(source);
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(none) => {
                    none.insert(source);
                }
            }
        }
        Ok(firsts)
    }

    /// The quotes of annotation `ev` when it says `predicate` with `object`, one per target.
    fn sources(
        &self,
        ev: NamedOrBlankNodeRef,
        predicate: &NamedNode,
        object: &str,
    ) -> Result<Vec<Source>> {
        let store = self.store;
        let says = quads::has(
            store,
            ev,
            &vocab::ns(vocab::RDF, "predicate"),
            predicate.as_ref().into(),
        );
        if !says
            || !quads::objects(store, ev, vocab::ns(vocab::RDF, "object").as_ref())?
                .iter()
                .any(|o| query::term_value(o) == object)
        {
            return Ok(Vec::new());
        }
        let status = quads::object(store, ev, vocab::pk("epistemicStatus").as_ref())?
            .map_or(Provenance::Stated, |s| {
                Provenance::of_status(&query::term_value(&s))
            });
        let mut out = Vec::new();
        for target in quads::objects(store, ev, vocab::ns(vocab::OA, "hasTarget").as_ref())? {
            let Some(target) = quads::as_node(target) else {
                continue;
            };
            if let Some(source) = self.target(ev, target.as_ref(), status)? {
                out.push(source);
            }
        }
        Ok(out)
    }

    /// The quote a target selects: its document, exact text and offsets.
    fn target(
        &self,
        ev: NamedOrBlankNodeRef,
        target: NamedOrBlankNodeRef,
        status: Provenance,
    ) -> Result<Option<Source>> {
        let store = self.store;
        let oa = |local: &str| vocab::ns(vocab::OA, local);
        let Some(document) = quads::node(store, target, oa("hasSource").as_ref())? else {
            return Ok(None);
        };
        let (mut quote, mut start, mut end) = (None, None, None);
        for selector in quads::objects(store, target, oa("hasSelector").as_ref())? {
            let Some(selector) = quads::as_node(selector) else {
                continue;
            };
            let read = |local: &str| -> Result<Option<String>> {
                Ok(quads::object(store, selector.as_ref(), oa(local).as_ref())?
                    .map(|t| query::term_value(&t)))
            };
            quote = quote.or(read("exact")?);
            start = start.or(read("start")?);
            end = end.or(read("end")?);
        }
        let (Some(quote), Some(start), Some(end)) = (quote, start, end) else {
            return Ok(None);
        };
        let (title, document_date) = self.document(document.as_ref())?;
        Ok(Some(Source {
            evidence: quads::node_value(ev),
            status,
            document: quads::node_value(document.as_ref()),
            title,
            document_date,
            quote,
            start: start.parse().unwrap_or(0),
            end: end.parse().unwrap_or(0),
        }))
    }

    /// A document's zh title and date, read once.
    fn document(&self, doc: NamedOrBlankNodeRef) -> Result<(String, String)> {
        let key = quads::node_value(doc);
        if let Some(known) = self.documents.borrow().get(&key) {
            return Ok(known.clone());
        }
        let read = document(self.store, doc, false)?;
        let pair = (read.title, read.date);
        self.documents.borrow_mut().insert(key, pair.clone());
        Ok(pair)
    }
}

/// Is quote `a` before quote `b` in document order: by document IRI, then offset, then annotation (so that a
/// tie does not depend on the order the store lists annotations in)?
fn earlier(a: &Source, b: &Source) -> bool {
    (&a.document, a.start, &a.evidence) < (&b.document, b.start, &b.evidence)
}

/// The sentence around character offsets `start..end` (the sentences of the ledger's split that the quote
/// touches, [`seeds::sentence_span`]), with the quote marked 【…】.
pub fn sentence_around(text: &str, start: usize, end: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    marked(&chars, &seeds::sentences(text), start, end)
}

/// [`sentence_around`] on a text already split.
fn marked(chars: &[char], sentences: &[Sentence], start: usize, end: usize) -> String {
    if start > end || end > chars.len() {
        return String::new();
    }
    let (from, to) = seeds::sentence_span(sentences, start, end);
    let piece = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    format!(
        "{}【{}】{}",
        piece(from, start).trim_start(),
        piece(start, end),
        piece(end, to).trim_end()
    )
}

/// Render quotes for a terminal.
pub fn render_text(quotes: &[Quote], labels: &LabelIndex, heading: &str) -> String {
    let mut out = format!(
        "{heading}: {} supporting quote{}\n",
        quotes.len(),
        if quotes.len() == 1 { "" } else { "s" }
    );
    for q in quotes {
        out.push('\n');
        out.push_str(&format!(
            "[{}] {} —{}→ {}\n",
            q.status,
            labels.display(&q.subject),
            vocab::shorten(&q.predicate),
            if q.object.contains("://") {
                labels.display(&q.object)
            } else {
                q.object.clone()
            },
        ));
        out.push_str(&format!(
            "  《{}》 ({}), characters {}–{}\n",
            q.document_title, q.document_date, q.start, q.end
        ));
        out.push_str(&format!("  {}\n", q.sentence));
        if let Some(reason) = &q.reasoning {
            out.push_str(&format!("  reasoning: {reason}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_marks_the_quote() {
        let text = "第一句。推动《江苏省数据条例》颁布实施,意义重大。第三句";
        let start = text.chars().position(|c| c == '《').unwrap();
        let end = start + "《江苏省数据条例》".chars().count();
        assert_eq!(
            sentence_around(text, start, end),
            "推动【《江苏省数据条例》】颁布实施,意义重大。"
        );
    }
}
