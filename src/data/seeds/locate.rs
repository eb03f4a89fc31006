//! Quotes: where a curator's quote is in its document, in characters, as the Web Annotation selectors count.
//!
//! A quote must be a verbatim substring of its document, and must say which occurrence it means when it occurs
//! more than once: evidence that points at the wrong place is worse than none.

use super::compiler::Compiler;
use super::documents::Doc;
use super::read::{Place, Premise, S};

/// A located quote: the document, and the character offsets of the quote in it.
pub(super) struct QuoteAt {
    pub(super) doc: String,
    pub(super) exact: String,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) prefix: String,
    pub(super) suffix: String,
}

impl QuoteAt {
    /// The quote of `text` starting at character `start`, with up to 16 characters of context either side.
    pub(super) fn new(doc: &str, text: &str, start: usize, exact: &str) -> QuoteAt {
        let chars: Vec<char> = text.chars().collect();
        let end = start + exact.chars().count();
        QuoteAt {
            doc: doc.to_owned(),
            exact: exact.to_owned(),
            start,
            end,
            prefix: chars[start.saturating_sub(16)..start].iter().collect(),
            suffix: chars[end..(end + 16).min(chars.len())].iter().collect(),
        }
    }

    /// The first occurrence of `name` in `doc`, if any.
    pub(super) fn first_in(doc: &Doc, name: &str) -> Option<QuoteAt> {
        let byte = doc.text.find(name)?;
        let start = doc.text[..byte].chars().count();
        Some(QuoteAt::new(&doc.id, &doc.text, start, name))
    }
}

/// Find the `occurrence`-th (1-based) occurrence of `quote` in `text`, as character offsets.
pub(super) fn locate(text: &str, quote: &str, occurrence: usize) -> Result<(usize, usize), String> {
    if quote.is_empty() {
        return Err("the quote is empty".into());
    }
    let found: Vec<usize> = text.match_indices(quote).map(|(i, _)| i).collect();
    if found.is_empty() {
        return Err(format!("the quote {quote:?} is not in the document text (copy it from the file; punctuation matters)"));
    }
    if occurrence == 0 || occurrence > found.len() {
        return Err(format!(
            "the quote occurs {} time(s); occurrence = {occurrence} is out of range",
            found.len()
        ));
    }
    let byte = found[occurrence - 1];
    let start = text[..byte].chars().count();
    Ok((start, start + quote.chars().count()))
}

/// `quote` in `doc`, refusing an ambiguous quote unless the curator says which occurrence is meant.
fn locate_in_doc(doc: &Doc, quote: &str, occurrence: Option<usize>) -> Result<QuoteAt, String> {
    let (start, _) = locate(&doc.text, quote, occurrence.unwrap_or(1))
        .map_err(|message| format!("{message} ({})", doc.file))?;
    let count = doc.text.matches(quote).count();
    if occurrence.is_none() && count > 1 {
        return Err(format!(
            "the quote occurs {count} times in {}; lengthen it or add occurrence = N",
            doc.file
        ));
    }
    Ok(QuoteAt::new(&doc.id, &doc.text, start, quote))
}

impl Compiler {
    /// Locate `quote` in document `doc_id`, or report why not at the quote's place.
    pub(super) fn locate_in(
        &mut self,
        place: &Place,
        doc_id: &str,
        quote: &S,
        occurrence: Option<usize>,
    ) -> Option<QuoteAt> {
        let Some(doc) = self.docs.get(doc_id) else {
            self.errors
                .push(place.at(quote, format!("unknown document {doc_id:?}")));
            return None;
        };
        match locate_in_doc(doc, quote.get_ref(), occurrence) {
            Ok(found) => Some(found),
            Err(message) => {
                self.errors.push(place.at(quote, message));
                None
            }
        }
    }

    /// The quotes backing a fact: its own quote in its document, then its premises. None (with the errors
    /// reported) unless every quote is found and there is at least one.
    pub(super) fn gather_quotes(
        &mut self,
        place: &Place,
        doc: Option<&str>,
        quote: Option<&S>,
        occurrence: Option<usize>,
        premises: &[Premise],
        anchor: &S,
    ) -> Option<Vec<QuoteAt>> {
        let mut quotes = Vec::new();
        let mut ok = self.own_quote(place, doc, quote, occurrence, &mut quotes);
        for premise in premises {
            let doc = premise.doc.get_ref();
            match self.locate_in(place, doc, &premise.quote, premise.occurrence) {
                Some(q) => quotes.push(q),
                None => ok = false,
            }
        }
        if ok && quotes.is_empty() {
            self.errors.push(place.at(
                anchor,
                "every fact needs a quote (or premises, for an inferred fact)",
            ));
            ok = false;
        }
        ok.then_some(quotes)
    }

    /// A fact's own quote, which is in the document of its file; false if it has one that cannot be found.
    fn own_quote(
        &mut self,
        place: &Place,
        doc: Option<&str>,
        quote: Option<&S>,
        occurrence: Option<usize>,
        quotes: &mut Vec<QuoteAt>,
    ) -> bool {
        match (doc, quote) {
            (Some(doc), Some(quote)) => match self.locate_in(place, doc, quote, occurrence) {
                Some(q) => {
                    quotes.push(q);
                    true
                }
                None => false,
            },
            (None, Some(quote)) => {
                self.errors.push(place.at(
                    quote,
                    "a quote outside a document file needs its document: use premises = [{ doc = \"…\", quote = \"…\" }]",
                ));
                false
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_quotes_in_characters() {
        assert_eq!(locate("一二三四", "三四", 1).unwrap(), (2, 4));
        assert!(locate("一二三", "五", 1).is_err());
        assert!(locate("一一", "一", 3).is_err());
    }
}
