//! The seed file format (`docs/seeds-format.md`) as Rust types, read with their spans.
//!
//! Every string a message may point at is `Spanned`, so that an error says `FILE:LINE:COLUMN` of the very value
//! that is wrong; `deny_unknown_fields` turns a misspelt key into an error rather than a silently ignored line.

use serde::Deserialize;
use toml::Spanned;

use crate::model::error::{line_column, one_line, Error};

/// A string with its place in the seed file.
pub(super) type S = Spanned<String>;

/// One seed file: at most one document, and what it (or, without a document, the whole corpus) says.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SeedFile {
    pub(super) document: Option<DocumentDecl>,
    #[serde(default)]
    pub(super) entity: Vec<EntityDecl>,
    #[serde(default)]
    pub(super) fact: Vec<FactDecl>,
    #[serde(default)]
    pub(super) event: Vec<EventDecl>,
    #[serde(default)]
    pub(super) indicator: Vec<IndicatorDecl>,
    #[serde(default)]
    pub(super) close_match: Vec<CloseMatchDecl>,
    #[serde(default)]
    pub(super) excluded: Vec<ExclusionDecl>,
    /// A ledger file (`seeds/ledger/<document-id>.toml`) names its document here.
    pub(super) ledger: Option<LedgerDecl>,
    #[serde(default)]
    pub(super) excuse: Vec<ExcuseDecl>,
    #[serde(default)]
    pub(super) pending: Vec<PendingDecl>,
}

/// `[document]`: the source text a file's quotes come from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocumentDecl {
    pub(super) id: S,
    pub(super) file: S,
    pub(super) title_zh: String,
    pub(super) title_en: String,
    #[serde(default)]
    pub(super) title_note: Option<String>,
    pub(super) publisher: S,
    #[serde(default)]
    pub(super) published: Option<S>,
    pub(super) kind: String,
    pub(super) year_covered: S,
    /// The plan sections (工作要点, 下一步, 明年工作安排): what is quoted from them is planned, not done.
    #[serde(default)]
    pub(super) plan_sections: Vec<SectionDecl>,
}

/// A part of a document, from the first occurrence of `from` to the first occurrence of `to` after it (or the end).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SectionDecl {
    pub(super) from: S,
    #[serde(default)]
    pub(super) to: Option<S>,
}

/// `[[entity]]`: a named thing, with labels that occur verbatim in the documents.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EntityDecl {
    pub(super) id: S,
    pub(super) class: S,
    pub(super) zh: S,
    pub(super) en: String,
    #[serde(default)]
    pub(super) aliases: Vec<S>,
    #[serde(default)]
    pub(super) aliases_en: Vec<String>,
    #[serde(default)]
    pub(super) level: Option<S>,
    #[serde(default)]
    pub(super) note: Option<String>,
}

/// A quote in a named document, backing an inferred fact or event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Premise {
    pub(super) doc: S,
    pub(super) quote: S,
    #[serde(default)]
    pub(super) occurrence: Option<usize>,
}

/// `[[fact]]`: one triple, with its quote or premises.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FactDecl {
    pub(super) s: S,
    pub(super) p: S,
    #[serde(default)]
    pub(super) o: Option<S>,
    #[serde(default)]
    pub(super) value: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub(super) quote: Option<S>,
    #[serde(default)]
    pub(super) occurrence: Option<usize>,
    #[serde(default)]
    pub(super) inferred: Option<String>,
    #[serde(default)]
    pub(super) premises: Vec<Premise>,
    #[serde(default)]
    pub(super) note: Option<String>,
    /// The sentence has no subject, and the document's author (its publisher) is the subject.
    #[serde(default)]
    pub(super) implied_actor: Option<Spanned<bool>>,
    /// `planned` or `done`, overriding what the document's plan sections say.
    #[serde(default)]
    pub(super) modality: Option<S>,
}

/// `[[event]]`: a dated step in the life of an entity (drafted, adopted, in force, …).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EventDecl {
    pub(super) id: S,
    pub(super) kind: S,
    pub(super) of: S,
    #[serde(default)]
    pub(super) date: Option<S>,
    #[serde(default)]
    pub(super) actor: Option<S>,
    pub(super) quote: S,
    #[serde(default)]
    pub(super) occurrence: Option<usize>,
    #[serde(default)]
    pub(super) note: Option<String>,
    #[serde(default)]
    pub(super) inferred: Option<String>,
    #[serde(default)]
    pub(super) premises: Vec<Premise>,
    /// The sentence has no subject, and the document's author (its publisher) is the subject.
    #[serde(default)]
    pub(super) implied_actor: Option<Spanned<bool>>,
    /// `planned` or `done`, overriding what the document's plan sections say.
    #[serde(default)]
    pub(super) modality: Option<S>,
}

/// `[[indicator]]`: a figure a document reports, as written and as a number.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndicatorDecl {
    pub(super) of: S,
    /// The concept of `pk:Measures` (ontology/measures.ttl) the figure counts.
    pub(super) measure: S,
    pub(super) measure_zh: String,
    pub(super) measure_en: String,
    pub(super) value: Spanned<toml::Value>,
    pub(super) unit: String,
    pub(super) as_written: S,
    #[serde(default)]
    pub(super) qualifier: Option<S>,
    pub(super) date: S,
    pub(super) quote: S,
    #[serde(default)]
    pub(super) occurrence: Option<usize>,
    #[serde(default)]
    pub(super) note: Option<String>,
    /// The sentence has no subject, and the document's author (its publisher) is the subject.
    #[serde(default)]
    pub(super) implied_actor: Option<Spanned<bool>>,
    /// `planned` or `done`, overriding what the document's plan sections say.
    #[serde(default)]
    pub(super) modality: Option<S>,
}

/// `[[close_match]]`: two entities that are probably one thing although the texts cannot settle it, so that a
/// reader finds one from the other (`skos:closeMatch`) while each keeps its own facts and evidence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CloseMatchDecl {
    pub(super) a: S,
    pub(super) b: S,
    /// Why they are probably the same, and why they are kept apart, in Chinese.
    pub(super) note_zh: S,
    /// The same in English; also the reasoning of the link's evidence.
    pub(super) note_en: S,
    /// Where each name occurs: the quotes the judgement rests on.
    pub(super) premises: Vec<Premise>,
}

/// `[[excluded]]`: a name deliberately left out, so that coverage checks do not report it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExclusionDecl {
    pub(super) text: S,
    pub(super) reason: String,
}

/// `[ledger]`: the document whose sentences a ledger file excuses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LedgerDecl {
    pub(super) document: S,
}

/// `[[excuse]]`: a sentence that deliberately yields no fact, quoted (or its start) so that a reader can check it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExcuseDecl {
    pub(super) sentence: S,
    pub(super) reason: S,
}

/// `[[pending]]`: a sentence not yet curated, listed so that the list can only shrink and is seen to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PendingDecl {
    pub(super) sentence: S,
}

/// Where a span of a seed file is, for messages.
#[derive(Clone, Copy)]
pub(super) struct Place<'a> {
    pub(super) path: &'a str,
    pub(super) text: &'a str,
}

impl Place<'_> {
    /// An error at `span` of this file.
    pub(super) fn at<T>(&self, span: &Spanned<T>, message: impl Into<String>) -> Error {
        let (line, column) = line_column(self.text, span.span().start);
        Error::Syntax {
            place: self.path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// `FILE:LINE:COLUMN` of `span`, kept with what is declared there.
    pub(super) fn describe<T>(&self, span: &Spanned<T>) -> String {
        let (line, column) = line_column(self.text, span.span().start);
        format!("{}:{line}:{column}", self.path)
    }
}

/// A parsed seed file and where it came from.
pub(super) struct ParsedFile<'a> {
    pub(super) place: Place<'a>,
    pub(super) seeds: SeedFile,
}

/// Parse every seed file; a file that does not parse is reported in `errors` and left out, so that the other
/// files are still checked.
pub(super) fn parse_files<'a>(
    seeds: &'a [(String, String)],
    errors: &mut Vec<Error>,
) -> Vec<ParsedFile<'a>> {
    let mut files = Vec::new();
    for (path, text) in seeds {
        match toml::from_str::<SeedFile>(text) {
            Ok(parsed) => files.push(ParsedFile {
                place: Place { path, text },
                seeds: parsed,
            }),
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                errors.push(Error::syntax_at(
                    path.as_str(),
                    text,
                    offset,
                    one_line(e.message()),
                ));
            }
        }
    }
    files
}
