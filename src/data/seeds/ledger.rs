//! The sentence ledger: every sentence of every source document is accounted for, either covered by the quote
//! of a fact, event, observation or mention, or excused in `seeds/ledger/<document-id>.toml` with a reason.
//!
//! A reader can then trust that what the graph leaves out of a report was left out on purpose. The splitting is
//! here, in one deterministic function ([`sentences`]), so that the compiler, `check-seeds` and the tests count
//! the same sentences; the rules are in `docs/seeds-format.md`.

use std::collections::{BTreeMap, HashMap};

use super::compiler::Compiler;
use super::read::{ExcuseDecl, ParsedFile, PendingDecl, Place, S};
use crate::model::error::Error;

/// One sentence or clause of a source text, at character offsets (as the quotes' selectors count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The offset of its first character.
    pub start: usize,
    /// The offset just past its last character (its terminator included).
    pub end: usize,
    /// Its text, without surrounding spaces.
    pub text: String,
}

/// How one document's sentences are accounted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// The document id.
    pub document: String,
    /// How many sentences its text has.
    pub sentences: usize,
    /// How many lie under at least one quote.
    pub covered: usize,
    /// How many the ledger excuses.
    pub excused: usize,
    /// The sentences the ledger lists as not yet curated: a list that must only shrink.
    pub pending: Vec<Sentence>,
}

/// The reasons a sentence may report nothing, each with what it means (for messages and the docs).
pub const REASONS: &[(&str, &str)] = &[
    (
        "heading",
        "a section or item heading, whose content the following sentences state",
    ),
    (
        "slogan",
        "a political slogan or a statement of aims, naming no act, actor or object",
    ),
    (
        "summary",
        "a summary that repeats what other sentences of the document state",
    ),
    (
        "boilerplate",
        "page chrome, address lines, greetings, dates of the web page",
    ),
    (
        "procedural",
        "a purely procedural or evaluative remark with no actor, object or figure",
    ),
    (
        "unnamed",
        "an act on nothing named (no instrument, platform, organisation or figure), so nothing to link",
    ),
];

/// Ends a sentence or a clause.
const TERMINATORS: &[char] = &['。', '；', ';', '！', '!', '？', '?'];
/// Closes a sentence after its terminator (`。”`), so it belongs to the sentence it closes.
const CLOSERS: &[char] = &['”', '’', '」', '』', '）', ')', '》'];
/// Separates clauses before an inline list item (`，二是…`).
const ITEM_SEPARATORS: &[char] = &['，', ',', '：', ':'];
/// The ordinals of an inline list (`一是`, `二是`…).
const ORDINALS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// Split `text` into sentences and clauses: at line ends, after 。；！？ (and their ASCII forms, with any
/// closing quotes or brackets), and before an inline list item (`，二是…`). Spaces around a sentence are not part
/// of it, and a piece with no letter or digit (a lone punctuation mark) is not a sentence.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' || c == '\r' {
            push_sentence(&chars, start, i, &mut out);
            start = i + 1;
        } else if TERMINATORS.contains(&c) {
            let mut end = i + 1;
            while end < chars.len() && CLOSERS.contains(&chars[end]) {
                end += 1;
            }
            push_sentence(&chars, start, end, &mut out);
            start = end;
            i = end;
            continue;
        } else if starts_list_item(&chars, i) {
            push_sentence(&chars, start, i, &mut out);
            start = i;
        }
        i += 1;
    }
    push_sentence(&chars, start, chars.len(), &mut out);
    out
}

/// Whether an inline list item (`一是`…`十是`) starts at `i`, after a comma or colon.
fn starts_list_item(chars: &[char], i: usize) -> bool {
    i > 0
        && ITEM_SEPARATORS.contains(&chars[i - 1])
        && ORDINALS.contains(&chars[i])
        && chars.get(i + 1) == Some(&'是')
}

/// Add `chars[start..end]`, trimmed, if it has a letter or digit.
fn push_sentence(chars: &[char], mut start: usize, mut end: usize, out: &mut Vec<Sentence>) {
    while start < end && chars[start].is_whitespace() {
        start += 1;
    }
    while end > start && chars[end - 1].is_whitespace() {
        end -= 1;
    }
    let piece = &chars[start..end];
    if piece.iter().any(|c| c.is_alphanumeric()) {
        out.push(Sentence {
            start,
            end,
            text: piece.iter().collect(),
        });
    }
}

/// Whether the character span `[start, end)` overlaps the sentence.
fn overlaps(s: &Sentence, (start, end): (usize, usize)) -> bool {
    start < s.end && end > s.start
}

/// The characters of the sentences that `start..end` touches, from the start of the first to the end of the last
/// (with `start..end` itself when it reaches beyond them): the sentence a quote or a search hit is shown in.
/// `sentences` are those of [`sentences`], in order.
pub fn sentence_span(sentences: &[Sentence], start: usize, end: usize) -> (usize, usize) {
    // An empty span (a zero-width match) is in the sentence of the character at its place.
    let probe = (start, end.max(start + 1));
    let first = sentences.partition_point(|s| s.end <= probe.0);
    let touched = sentences[first..]
        .iter()
        .take_while(|s| s.start < probe.1)
        .filter(|s| overlaps(s, probe));
    touched.fold((start, end), |(from, to), s| {
        (from.min(s.start), to.max(s.end))
    })
}

/// The reasons a ledger accepts, for messages: `heading, slogan, …`.
fn reason_names() -> String {
    REASONS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a ledger file says of one sentence: excused with a reason, or pending (not yet curated).
enum Entry<'a> {
    Excuse(&'a ExcuseDecl),
    Pending(&'a PendingDecl),
}

/// A ledger entry with the place of its file, for messages.
struct Listed<'a> {
    place: Place<'a>,
    entry: Entry<'a>,
}

impl Listed<'_> {
    /// The sentence (or its start) the entry quotes.
    fn sentence(&self) -> &S {
        match self.entry {
            Entry::Excuse(e) => &e.sentence,
            Entry::Pending(p) => &p.sentence,
        }
    }
}

impl Compiler {
    /// Account for every sentence of every document: covered by a quote, excused or pending in its ledger.
    /// Refuses a sentence that is none of these, an entry that names no sentence (or a covered one), and an
    /// unknown reason.
    pub(super) fn ledger(&mut self, files: &[ParsedFile]) -> Vec<Coverage> {
        let listed = self.ledger_entries(files);
        let doc_ids: Vec<String> = self.docs.keys().cloned().collect();
        let mut coverage = Vec::new();
        for id in doc_ids {
            let own = listed.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            coverage.push(self.account(&id, own, files));
        }
        coverage
    }

    /// The entries of every ledger file, by document id; a ledger of an unknown document is refused.
    fn ledger_entries<'a>(
        &mut self,
        files: &'a [ParsedFile<'a>],
    ) -> HashMap<&'a str, Vec<Listed<'a>>> {
        let mut by_doc: HashMap<&str, Vec<Listed>> = HashMap::new();
        for file in files {
            let seeds = &file.seeds;
            let entries = seeds
                .excuse
                .iter()
                .map(Entry::Excuse)
                .chain(seeds.pending.iter().map(Entry::Pending))
                .map(|entry| Listed {
                    place: file.place,
                    entry,
                });
            let Some(ledger) = &seeds.ledger else {
                if let Some(first) = entries.into_iter().next() {
                    let message = "this belongs in a ledger file, under [ledger] document = \"…\"";
                    self.errors.push(file.place.at(first.sentence(), message));
                }
                continue;
            };
            if !self.docs.contains_key(ledger.document.get_ref()) {
                let message = format!("unknown document {:?}", ledger.document.get_ref());
                self.errors.push(file.place.at(&ledger.document, message));
                continue;
            }
            by_doc
                .entry(ledger.document.get_ref())
                .or_default()
                .extend(entries);
        }
        by_doc
    }

    /// The coverage of one document, reporting what is not accounted for.
    fn account(&mut self, doc_id: &str, listed: &[Listed], files: &[ParsedFile]) -> Coverage {
        let text = self.docs[doc_id].text.clone();
        let all = sentences(&text);
        let quotes = self.evidence.spans(doc_id);
        let covered: Vec<bool> = all
            .iter()
            .map(|s| quotes.iter().any(|q| overlaps(s, *q)))
            .collect();
        let mut excused = vec![false; all.len()];
        let mut pending = Vec::new();
        for entry in listed {
            let Some(i) = self.listed_sentence(&all, &covered, entry) else {
                continue;
            };
            match entry.entry {
                Entry::Excuse(_) => excused[i] = true,
                Entry::Pending(_) => pending.push(all[i].clone()),
            }
        }
        let place = ledger_place(doc_id, files);
        for (i, s) in all.iter().enumerate() {
            if !covered[i] && !excused[i] && !pending.contains(s) {
                self.errors.push(Error::invalid(
                    place.clone(),
                    format!("{doc_id}: sentence at {}..{} {:?} is neither covered by a quote nor excused (add its facts, or an [[excuse]] with a reason)", s.start, s.end, s.text),
                ));
            }
        }
        Coverage {
            document: doc_id.to_owned(),
            sentences: all.len(),
            covered: covered.iter().filter(|c| **c).count(),
            excused: excused.iter().filter(|e| **e).count(),
            pending,
        }
    }

    /// The index of the one uncovered sentence a ledger entry names by its start; None (reported) otherwise.
    fn listed_sentence(
        &mut self,
        all: &[Sentence],
        covered: &[bool],
        listed: &Listed,
    ) -> Option<usize> {
        let place = &listed.place;
        if let Entry::Excuse(e) = listed.entry {
            if !REASONS.iter().any(|(name, _)| name == e.reason.get_ref()) {
                let message = format!(
                    "unknown reason {:?}: use one of {}",
                    e.reason.get_ref(),
                    reason_names()
                );
                self.errors.push(place.at(&e.reason, message));
            }
        }
        let quoted = listed.sentence();
        let start = quoted.get_ref().trim();
        let named: Vec<usize> = (0..all.len())
            .filter(|&i| !start.is_empty() && all[i].text.starts_with(start))
            .collect();
        let message = match named.as_slice() {
            [] => "this names no sentence (quote the sentence, or its start, verbatim)".to_owned(),
            [i] if covered[*i] => format!(
                "the sentence {:?} is covered by a quote: remove it from the ledger",
                all[*i].text
            ),
            [i] => return Some(*i),
            many => format!(
                "{} sentences start this way: quote more of the one meant",
                many.len()
            ),
        };
        self.errors.push(place.at(quoted, message));
        None
    }
}

/// Where an unaccounted sentence is reported: the document's ledger file if it has one, else its seed file.
fn ledger_place(doc_id: &str, files: &[ParsedFile]) -> String {
    let of_ledger = files.iter().find(|f| {
        f.seeds
            .ledger
            .as_ref()
            .is_some_and(|l| l.document.get_ref() == doc_id)
    });
    let of_document = || {
        files.iter().find(|f| {
            f.seeds
                .document
                .as_ref()
                .is_some_and(|d| d.id.get_ref() == doc_id)
        })
    };
    of_ledger.or_else(of_document).map_or_else(
        || format!("seeds/ledger/{doc_id}.toml"),
        |f| f.place.path.to_owned(),
    )
}

/// Coverage as the Markdown table of `docs/knowledge.md`, with a total row.
pub fn coverage_table(coverage: &[Coverage]) -> String {
    let mut rows = BTreeMap::new();
    for c in coverage {
        rows.insert(c.document.as_str(), c);
    }
    let mut out = String::from(
        "| document | sentences | covered | excused | pending |\n|---|---:|---:|---:|---:|\n",
    );
    let mut total = [0; 4];
    for (doc, c) in rows {
        let row = [c.sentences, c.covered, c.excused, c.pending.len()];
        out.push_str(&format!(
            "| {doc} | {} | {} | {} | {} |\n",
            row[0], row[1], row[2], row[3]
        ));
        for (t, n) in total.iter_mut().zip(row) {
            *t += n;
        }
    }
    out.push_str(&format!(
        "| all five | {} | {} | {} | {} |\n",
        total[0], total[1], total[2], total[3]
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        sentences(text).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_on_terminators_lines_and_list_items() {
        assert_eq!(
            texts("一、总结\n1. 加强规划。制定方案;推进试点！\n  完成了吗？是的"),
            [
                "一、总结",
                "1. 加强规划。",
                "制定方案;",
                "推进试点！",
                "完成了吗？",
                "是的"
            ]
        );
        assert_eq!(
            texts("主要做法:一是建立机制,二是拓展生态。"),
            ["主要做法:", "一是建立机制,", "二是拓展生态。"]
        );
    }

    #[test]
    fn keeps_closing_quotes_and_offsets_in_characters() {
        let text = "他说“好。”然后\n\n  走了。 ";
        let all = sentences(text);
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].text, "他说“好。”");
        let chars: Vec<char> = text.chars().collect();
        for s in &all {
            assert_eq!(chars[s.start..s.end].iter().collect::<String>(), s.text);
        }
        assert_eq!((all[2].start, all[2].end), (12, 15));
    }

    #[test]
    fn a_piece_without_letters_is_no_sentence_and_splitting_is_deterministic() {
        assert!(sentences("。；\n  \n>").is_empty());
        let text = "首页\n>政府信息公开>文件\n发布日期:2023-01-05";
        assert_eq!(sentences(text), sentences(text));
        assert_eq!(sentences(text).len(), 3);
    }

    #[test]
    fn overlap_is_any_shared_character() {
        let s = Sentence {
            start: 5,
            end: 10,
            text: String::new(),
        };
        assert!(overlaps(&s, (9, 12)) && overlaps(&s, (0, 6)) && overlaps(&s, (6, 7)));
        assert!(!overlaps(&s, (10, 12)) && !overlaps(&s, (0, 5)));
    }

    #[test]
    fn a_span_widens_to_the_sentences_it_touches() {
        let text = "第一句。“推动条例实施。”第三句，一是甲，二是乙";
        let all = sentences(text);
        let at = |needle: &str| text[..text.find(needle).unwrap()].chars().count();
        let pick = |(a, b): (usize, usize)| text.chars().skip(a).take(b - a).collect::<String>();
        let start = at("条例");
        assert_eq!(
            pick(sentence_span(&all, start, start + 2)),
            "“推动条例实施。”"
        );
        assert_eq!(pick(sentence_span(&all, start, start)), "“推动条例实施。”");
        let across = sentence_span(&all, at("实施"), at("三句"));
        assert_eq!(pick(across), "“推动条例实施。”第三句，");
        assert_eq!(
            pick(sentence_span(&all, at("二是"), at("二是") + 2)),
            "二是乙"
        );
    }
}
