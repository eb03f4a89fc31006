//! "Why does the graph say X?": the quotes behind an entity's facts, or behind the facts that link two entities,
//! each with its document, date, epistemic status and the surrounding sentence of the source text.

use std::collections::{BTreeSet, HashMap};

use oxigraph::model::{NamedNode, NamedOrBlankNode};
use oxigraph::store::Store;
use serde::Serialize;

use crate::model::error::{Error, Result};
use crate::model::vocab::{self, Provenance};
use crate::read::query;
use crate::read::resolve::LabelIndex;

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
                    .map(|d| sentence_around(&d.text, start, end))
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

/// The evidence items whose fact has `a` or `b` as its subject or object, looked up in the store's indexes: a
/// superset of those the filter keeps, so that the query starts from a few dozen items rather than all of them
/// (a cold `evidence` process spent 50 ms filtering every evidence item). `None` when one of them is a blank
/// node, which `VALUES` cannot name: the query then filters every item.
fn candidates(store: &Store, a: &NamedNode, b: Option<&NamedNode>) -> Result<Option<String>> {
    let mut found = BTreeSet::new();
    for entity in [Some(a), b].into_iter().flatten() {
        for position in ["subject", "object"] {
            let property = vocab::ns(vocab::RDF, position);
            let quads =
                store.quads_for_pattern(None, Some(property.as_ref()), Some(entity.into()), None);
            for quad in quads {
                match quad.map_err(Error::storage)?.subject {
                    NamedOrBlankNode::NamedNode(item) => found.insert(item.to_string()),
                    NamedOrBlankNode::BlankNode(_) => return Ok(None),
                };
            }
        }
    }
    Ok(Some(found.into_iter().collect::<Vec<_>>().join(" ")))
}

struct DocumentText {
    title: String,
    date: String,
    text: String,
}

fn documents(store: &Store) -> Result<HashMap<String, DocumentText>> {
    let rows = query::select_strings(
        store,
        "SELECT ?doc ?title ?date ?year ?text WHERE {
           ?doc a pk:SourceDocument ; pk:text ?text .
           OPTIONAL { ?doc dcterms:title ?title FILTER(LANG(?title) = \"zh\") }
           OPTIONAL { ?doc dcterms:issued ?date }
           OPTIONAL { ?doc pk:yearCovered ?year }
         }",
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let date = match r.opt("date") {
                Some(date) => date.to_owned(),
                None => format!("covers {}", r.get("year")),
            };
            let text = DocumentText {
                title: r.string("title"),
                date,
                text: r.string("text"),
            };
            (r.string("doc"), text)
        })
        .collect())
}

/// The sentence around character offsets `start..end`: from the previous 。；! ? or line break to the next one,
/// with the quote marked 【…】.
pub fn sentence_around(text: &str, start: usize, end: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if start > end || end > chars.len() {
        return String::new();
    }
    let is_stop = |c: char| matches!(c, '。' | '；' | ';' | '！' | '？' | '\n');
    let mut from = start;
    while from > 0 && !is_stop(chars[from - 1]) {
        from -= 1;
    }
    let mut to = end;
    while to < chars.len() && !is_stop(chars[to]) {
        to += 1;
    }
    if to < chars.len() && chars[to] != '\n' {
        to += 1; // keep the full stop
    }
    let before: String = chars[from..start].iter().collect();
    let quote: String = chars[start..end].iter().collect();
    let after: String = chars[end..to].iter().collect();
    format!("{}【{quote}】{}", before.trim_start(), after.trim_end())
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
