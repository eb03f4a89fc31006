//! The seed compiler: turns the curated TOML files of `seeds/` into RDF quads with evidence.
//!
//! The format is documented in `docs/seeds-format.md`. The compiler is strict on purpose: a quote that is not a
//! verbatim substring of its document, an unknown class, property or entity, a label that occurs in no document,
//! two entities sharing a label: each stops the build with `FILE:LINE:COLUMN: message`, so that a graph that builds
//! is a graph whose every fact can be checked against its source.
//!
//! It runs in phases, one module each, in this order because each phase needs what the earlier ones learnt:
//!
//! 1. `ontology`: read the ontology, to know which classes, properties and individuals a seed may name.
//! 2. `read`: parse every seed file, keeping spans, so that every message can say `FILE:LINE:COLUMN`.
//! 3. `documents`: register the source documents (every quote is in one) and the deliberate exclusions.
//! 4. `declare`: declare the entities of every file, so that a fact in any file may name an entity of any
//!    file; `checks` then refuses a label that two entities share.
//! 5. `documents` again: the document metadata, which names its publisher, an entity.
//! 6. `events` and `indicators`: they declare entities of their own, before the facts that may refer to them.
//! 7. `facts`: the curated facts, stated in a document or inferred from premises; `matches`: the probable
//!    duplicates, linked with `skos:closeMatch` and a note.
//! 8. `mentions`: `pk:mentionedIn` for every document that names an entity.
//! 9. `ledger`: every sentence of every document is covered by a quote of the phases above, or excused.
//!
//! Every quote is found by `locate` (a verbatim substring, at character offsets) and every fact is written by
//! `evidence`, so that a fact has one evidence shape whichever phase asserts it. Errors are collected rather than
//! returned at the first, so that a curator can fix them all in one pass. `literals` and `ids` hold the small
//! pure helpers (dates, decimals, language tags, ids and hashes), `input` reads the inputs from the bundle or disk.

mod checks;
mod compiler;
mod declare;
mod documents;
mod events;
mod evidence;
mod facts;
mod ids;
mod indicators;
mod input;
mod ledger;
mod literals;
mod locate;
mod matches;
mod mentions;
mod ontology;
mod read;
mod reading;

use std::collections::{BTreeMap, HashMap};

use oxigraph::model::Quad;

use crate::model::error::{Error, Result};
use compiler::Compiler;
pub use ledger::{coverage_table, sentence_span, sentences, Coverage, Sentence, REASONS};

// ------------------------------------------------------------------------------------------------ public results

/// What a seed entity is: enough to resolve names and check coverage without a store.
#[derive(Debug, Clone)]
pub struct EntityInfo {
    /// The id, the local name of its IRI (`pkid:…`).
    pub id: String,
    /// The local name of its class in the ontology (`Agency`, `LocalRegulation`, …).
    pub class: String,
    /// The Chinese label, verbatim from a source document.
    pub zh: String,
    /// The English label.
    pub en: String,
    /// Other Chinese names, verbatim from a source document.
    pub aliases: Vec<String>,
    /// Other English names.
    pub aliases_en: Vec<String>,
}

/// A source document as the seeds describe it.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    /// The id, the local name of its IRI and of its named graph.
    pub id: String,
    /// The file name of its text under `seeds/documents/`.
    pub file: String,
    /// The Chinese title.
    pub title_zh: String,
    /// The English title.
    pub title_en: String,
    /// The full text, which every quote of the document is a substring of.
    pub text: String,
}

/// A 《…》 or “…” name deliberately left out of the graph.
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// The name as the document writes it.
    pub text: String,
    /// Why the curators left it out.
    pub reason: String,
    /// Where it is declared, `FILE:LINE:COLUMN`.
    pub place: String,
}

/// How many of each kind of seed were compiled, for `check-seeds` and the build messages.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Declared entities (not the generated events and observations).
    pub entities: usize,
    /// Facts stated by a document.
    pub facts: usize,
    /// Facts inferred from premises.
    pub inferred_facts: usize,
    /// Facts stated by a document without a subject, whose subject is the document's author.
    pub implied_facts: usize,
    /// Facts, events and figures quoted from plan sections (or said to be planned).
    pub planned: usize,
    /// Dated events.
    pub events: usize,
    /// Indicator observations.
    pub indicators: usize,
    /// `pk:mentionedIn` links.
    pub mentions: usize,
    /// Names deliberately left out.
    pub exclusions: usize,
}

/// The compiled seeds: every quad to load, and what was learnt on the way.
#[derive(Debug)]
pub struct Compiled {
    /// The ontology and the compiled seeds, each quad once.
    pub quads: Vec<Quad>,
    /// Every entity, declared or generated, by id.
    pub entities: BTreeMap<String, EntityInfo>,
    /// The source documents, by id.
    pub documents: Vec<DocumentInfo>,
    /// The names deliberately left out.
    pub exclusions: Vec<Exclusion>,
    /// How many of each kind of seed.
    pub counts: Counts,
    /// How every document's sentences are accounted for (the sentence ledger), by document id.
    pub ledger: Vec<Coverage>,
}

/// The text inputs of a compilation: `(path for messages, contents)`.
pub struct SeedInput {
    /// The ontology files (Turtle).
    pub ontology: Vec<(String, String)>,
    /// The seed files (TOML).
    pub seeds: Vec<(String, String)>,
    /// Source texts by file name.
    pub documents: HashMap<String, String>,
}

/// Compile the bundled seeds.
pub fn compile_bundled() -> Result<Compiled> {
    compile(&SeedInput::bundled()).map_err(Error::from_seed_errors)
}

impl Error {
    /// Many seed errors as one: the first, and how many more there are.
    pub fn from_seed_errors(errors: Vec<Error>) -> Error {
        let count = errors.len();
        let Some(first) = errors.into_iter().next() else {
            return Error::Usage("the seeds did not compile, without saying why".into());
        };
        if count == 1 {
            first
        } else {
            Error::Usage(format!(
                "{first} (and {} more seed errors: run `policykg check-seeds` to list them)",
                count - 1
            ))
        }
    }
}

/// Compile seed files into quads. Returns every error found, not only the first.
pub fn compile(input: &SeedInput) -> Result<Compiled, Vec<Error>> {
    let mut c = Compiler::new(input)?;
    let files = read::parse_files(&input.seeds, &mut c.errors);
    let mut exclusions = Vec::new();
    for file in &files {
        if c.register_document(file, &input.documents) {
            exclusions.extend(c.exclusions(file));
        }
    }
    let declared = c.declare_entities(&files);
    c.check_unique_labels(&declared);
    for file in &files {
        c.describe_document(file);
    }
    for file in &files {
        c.events(file);
        c.indicators(file);
    }
    for file in &files {
        c.facts(file);
        c.close_matches(file);
    }
    c.mentions(&declared);
    let ledger = c.ledger(&files);
    c.finish(exclusions, ledger)
}

#[cfg(test)]
mod tests {
    use oxigraph::model::{GraphName, Term};

    use super::*;
    use crate::data::bundle;
    use crate::model::vocab::{self, PK};

    /// The bundled ontology with one small document and one seed file.
    fn input(seed: &str) -> SeedInput {
        SeedInput {
            ontology: bundle::ontology()
                .map(|f| (f.path.to_owned(), f.text.to_owned()))
                .collect(),
            seeds: vec![("seeds/test.toml".to_owned(), seed.to_owned())],
            documents: [(
                "doc.txt".to_owned(),
                "2025年,推动《江苏省数据条例》颁布实施。省数据局负责。".to_owned(),
            )]
            .into(),
        }
    }

    const HEADER: &str = r#"
[document]
id = "test-doc"
file = "doc.txt"
title_zh = "测试"
title_en = "Test"
publisher = "bureau"
kind = "test"
year_covered = "2025"

[[entity]]
id = "bureau"
class = "Agency"
zh = "省数据局"
en = "Data Bureau"

[[entity]]
id = "law"
class = "LocalRegulation"
zh = "江苏省数据条例"
en = "Data Regulation"
"#;

    fn errors(seed: &str) -> Vec<String> {
        match compile(&input(seed)) {
            Ok(_) => vec![],
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_verbatim_fact_compiles_with_its_evidence() {
        let seed = format!("{HEADER}\n[[fact]]\ns = \"law\"\np = \"responsibleAgency\"\no = \"bureau\"\nquote = \"推动《江苏省数据条例》颁布实施\"\ninferred = \"the report is the bureau's\"\n");
        let compiled = compile(&input(&seed)).unwrap_or_else(|e| {
            panic!("{:?}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>())
        });
        assert_eq!(
            (compiled.counts.inferred_facts, compiled.counts.facts),
            (1, 0)
        );
        let inferred = vocab::inferred_graph();
        assert!(compiled
            .quads
            .iter()
            .any(|q| q.graph_name == GraphName::NamedNode(inferred.clone())
                && q.predicate.as_str() == format!("{PK}epistemicStatus")
                && q.object == Term::from(vocab::pk("Inferred"))));
        assert_eq!(compiled.counts.mentions, 2);
    }

    #[test]
    fn a_quote_that_is_not_verbatim_is_refused_at_its_place() {
        let seed = format!("{HEADER}\n[[fact]]\ns = \"law\"\np = \"responsibleAgency\"\no = \"bureau\"\nquote = \"推动江苏省数据条例颁布实施\"\n");
        let errors = errors(&seed);
        assert_eq!(errors.len(), 1, "{errors:?}");
        let line = seed.lines().position(|l| l.starts_with("quote")).unwrap() + 1;
        assert!(
            errors[0].starts_with(&format!("seeds/test.toml:{line}:9: the quote")),
            "{errors:?}"
        );
        assert!(
            errors[0].contains("is not in the document text"),
            "{errors:?}"
        );
    }

    /// The test seed over a text with a sentence that names nothing, and a ledger file with `entries` (if any).
    fn ledger_input(entries: Option<&str>) -> SeedInput {
        let mut input = input(HEADER);
        let text = "2025年,推动《江苏省数据条例》颁布实施。加强统筹协调。省数据局负责。";
        input
            .documents
            .insert("doc.txt".to_owned(), text.to_owned());
        if let Some(entries) = entries {
            let ledger = format!("[ledger]\ndocument = \"test-doc\"\n{entries}");
            input
                .seeds
                .push(("seeds/ledger/test-doc.toml".to_owned(), ledger));
        }
        input
    }

    fn ledger_errors(input: &SeedInput) -> Vec<String> {
        match compile(input) {
            Ok(_) => vec![],
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }

    fn compiled(input: &SeedInput) -> Compiled {
        compile(input)
            .unwrap_or_else(|e| panic!("{:?}", e.iter().map(|e| e.to_string()).collect::<Vec<_>>()))
    }

    #[test]
    fn every_sentence_is_covered_excused_or_pending() {
        // The first and last sentences are covered by the mentions of the regulation and the bureau.
        let errors = ledger_errors(&ledger_input(None));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("seeds/test.toml: test-doc: sentence at 22..29 \"加强统筹协调。\" is neither covered"),
            "{errors:?}"
        );
        let excused = ledger_input(Some(
            "[[excuse]]\nsentence = \"加强统筹\"\nreason = \"unnamed\"\n",
        ));
        let c = &compiled(&excused).ledger[0];
        assert_eq!(
            (c.sentences, c.covered, c.excused, c.pending.len()),
            (3, 2, 1, 0)
        );
        let pending = ledger_input(Some("[[pending]]\nsentence = \"加强统筹协调。\"\n"));
        assert_eq!(
            compiled(&pending).ledger[0].pending[0].text,
            "加强统筹协调。"
        );
    }

    #[test]
    fn a_ledger_entry_must_name_one_uncovered_sentence_with_a_known_reason() {
        let entries = "[[excuse]]\nsentence = \"加强\"\nreason = \"dull\"\n\n[[excuse]]\nsentence = \"省数据局负责\"\nreason = \"heading\"\n\n[[excuse]]\nsentence = \"不存在\"\nreason = \"heading\"\n";
        let errors = ledger_errors(&ledger_input(Some(entries))).join("\n");
        assert!(
            errors.contains("seeds/ledger/test-doc.toml:5:10: unknown reason \"dull\""),
            "{errors}"
        );
        assert!(
            errors.contains("is covered by a quote: remove it from the ledger"),
            "{errors}"
        );
        assert!(
            errors.contains("seeds/ledger/test-doc.toml:12:12: this names no sentence"),
            "{errors}"
        );
    }

    #[test]
    fn a_close_match_links_two_entities_in_the_inferred_graph_with_notes_on_both() {
        let premises = "premises = [{ doc = \"test-doc\", quote = \"推动《江苏省数据条例》颁布实施\" }, { doc = \"test-doc\", quote = \"省数据局负责\" }]";
        let seed = format!("{HEADER}\n[[close_match]]\na = \"law\"\nb = \"bureau\"\nnote_zh = \"可能相同。\"\nnote_en = \"Probably the same.\"\n{premises}\n");
        let compiled = compiled(&input(&seed));
        let close_match = format!("{}closeMatch", vocab::SKOS);
        let link: Vec<&Quad> = compiled
            .quads
            .iter()
            .filter(|q| q.predicate.as_str() == close_match)
            .collect();
        assert_eq!(link.len(), 1, "{link:?}");
        assert_eq!(
            link[0].graph_name,
            GraphName::NamedNode(vocab::inferred_graph())
        );
        let notes = compiled
            .quads
            .iter()
            .filter(|q| q.predicate.as_str() == format!("{}editorialNote", vocab::SKOS))
            .count();
        assert_eq!(notes, 4, "zh and en on each of the two");
        let one_name = "premises = [{ doc = \"test-doc\", quote = \"省数据局负责\" }]";
        let seed = format!("{HEADER}\n[[close_match]]\na = \"law\"\nb = \"law\"\nnote_zh = \"同\"\nnote_en = \"same\"\n{one_name}\n\n[[close_match]]\na = \"law\"\nb = \"bureau\"\nnote_zh = \"\"\nnote_en = \"x\"\n{one_name}\n\n[[close_match]]\na = \"law\"\nb = \"bureau\"\nnote_zh = \"同\"\nnote_en = \"x\"\n{one_name}\n");
        let errors = errors(&seed).join("\n");
        assert!(errors.contains("links two different entities"), "{errors}");
        assert!(
            errors.contains("say why they are probably the same"),
            "{errors}"
        );
        assert!(
            errors.contains("no premise quotes a name of \"law\""),
            "{errors}"
        );
    }

    #[test]
    fn unknown_terms_shared_labels_and_unnamed_entities_are_refused() {
        let seed = format!(
            "{HEADER}\n[[entity]]\nid = \"twin\"\nclass = \"Agency\"\nzh = \"省数据局\"\nen = \"Twin\"\n\n[[entity]]\nid = \"ghost\"\nclass = \"Agency\"\nzh = \"不存在的机构\"\nen = \"Ghost\"\n\n[[fact]]\ns = \"law\"\np = \"enforcedBy\"\no = \"bureau\"\nquote = \"省数据局负责\"\n\n[[entity]]\nid = \"odd\"\nclass = \"Ministry\"\nzh = \"江苏\"\nen = \"Odd\"\n"
        );
        let errors = errors(&seed).join("\n");
        assert!(
            errors.contains("label \"省数据局\" is already used by entity \"bureau\""),
            "{errors}"
        );
        assert!(
            errors.contains("entity \"ghost\": neither its zh label nor an alias occurs"),
            "{errors}"
        );
        assert!(
            errors.contains("unknown property \"enforcedBy\""),
            "{errors}"
        );
        assert!(errors.contains("unknown class \"Ministry\""), "{errors}");
    }
}
