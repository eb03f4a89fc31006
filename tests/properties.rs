//! Property tests (proptest): the load path, the resolver and the seed compiler fed arbitrary and mutated input.
//! Whatever they are given, they return (no panic), and every error is one line that names its place: the file as
//! `FILE:LINE:COLUMN` for a syntax error (a line and column inside the text), the file for any other file error,
//! the name as given for a name that resolves to nothing. The case counts keep the module under a minute in
//! release; `PROPTEST_CASES=N` runs more.

use std::path::Path;

use oxigraph::io::RdfFormat;
use policykg::data::rdf::parse_file;
use policykg::data::seeds::{compile, SeedInput};
use policykg::data::store::KgStore;
use policykg::model::report::Silent;
use policykg::read::resolve::{LabelIndex, Resolver};
use policykg::Error;
use proptest::prelude::*;

use crate::common::*;

/// A Turtle text in the shapes loaded data takes: prefixes, Chinese literals with language tags, typed numbers,
/// blank nodes, collections, long strings, comments, a base.
const TURTLE: &str = r#"@prefix pk: <https://w3id.org/policykg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <http://example.org/> .
# 研究者自己的数据
<reg/1> a pk:LocalRegulation ; skos:prefLabel "江苏省数据条例"@zh, "Data Regulation"@en ;
    pk:date "2024-11-28"^^xsd:date ; pk:value 12.5e3, -7, 0.25 .
<reg/2> pk:draftOf <reg/1> ; skos:altLabel """《条例》
草案""" ; pk:note "引号\"与\\反斜杠\u82cf" .
_:b1 pk:partOf [ pk:member ( <a> <b> "丙" ) ] .
"#;

/// Checks one error: a single line, starting with `place:`, and for a syntax error a line and column inside `text`.
fn check_file_error(e: &Error, place: &str, text: &[u8]) {
    let message = e.to_string();
    assert!(
        !message.contains('\n') && !message.contains('\r'),
        "more than one line: {message:?}"
    );
    assert!(
        message.starts_with(&format!("{place}:")),
        "does not name {place}: {message}"
    );
    if let Error::Syntax { line, column, .. } = e {
        // Lines as Turtle's grammar ends them (EOL ::= [#xD#xA]+): `\r\n`, `\n`, and a lone `\r` too, as the
        // parser counts them (a lone `\r` once gave line 7 of what `\n` alone splits into 6).
        let text = String::from_utf8_lossy(text)
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        let lines = text.split('\n').count() as u64;
        assert!(
            *line >= 1 && *line <= lines && *column >= 1,
            "{line}:{column} outside a text of {lines} lines: {message}"
        );
    }
}

/// Writes `bytes` to a file named `name` in `dir`, parses it the way `load` does, and checks the outcome.
fn parse_checked(dir: &Path, name: &str, format: RdfFormat, bytes: &[u8]) -> Option<usize> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    match parse_file(&path, format) {
        Ok(quads) => Some(quads.len()),
        Err(e) => {
            check_file_error(&e, &path.display().to_string(), bytes);
            None
        }
    }
}

/// The RDF syntaxes `load` reads, with an extension each.
fn formats() -> impl Strategy<Value = (&'static str, RdfFormat)> {
    prop_oneof![
        Just(("x.ttl", RdfFormat::Turtle)),
        Just(("x.trig", RdfFormat::TriG)),
        Just(("x.nt", RdfFormat::NTriples)),
        Just(("x.nq", RdfFormat::NQuads)),
        Just(("x.rdf", RdfFormat::RdfXml)),
    ]
}

/// Pieces that matter to RDF parsers, inserted into valid text.
const PIECES: &[&str] = &[
    "\"",
    "\"\"\"",
    "<",
    ">",
    ".",
    ";",
    ",",
    "@",
    "@zh",
    "^^",
    "_:",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "\\",
    "\\u",
    "\\U0011FFFF",
    "#",
    "\n",
    "\r",
    "\t",
    "\0",
    "\u{FEFF}",
    "苏服办",
    "《",
    "》",
    "“",
    "PREFIX",
    "@prefix x: <",
    "GRAPH",
    "<https://w3id.org/policykg/graph/ontology>",
    "1e",
    "-.",
    "\u{7F}",
];

/// A mutation of a text: delete a range, insert a piece, replace a byte, or cut the text short.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, usize),
    Byte(usize, u8),
    Cut(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, p)| Mutation::Insert(at, p)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Byte(at, b)),
        any::<usize>().prop_map(Mutation::Cut),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Mutation::Insert(at, p) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, PIECES[p].bytes());
            }
            Mutation::Byte(at, b) => {
                if !bytes.is_empty() {
                    bytes[at % len] = b;
                }
            }
            Mutation::Cut(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_any_rdf_syntax_parse_or_fail_in_one_line_at_their_place(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        (name, format) in formats(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        parse_checked(dir.path(), name, format, &bytes);
    }

    #[test]
    fn mutated_turtle_parses_or_fails_in_one_line_at_its_place(
        mutations in prop::collection::vec(mutation(), 1..5),
        trig in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let bytes = mutate(TURTLE, &mutations);
        let (name, format) = if trig { ("x.trig", RdfFormat::TriG) } else { ("x.ttl", RdfFormat::Turtle) };
        parse_checked(dir.path(), name, format, &bytes);
    }
}

#[test]
fn the_unmutated_turtle_parses() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        parse_checked(dir.path(), "x.ttl", RdfFormat::Turtle, TURTLE.as_bytes()),
        Some(18)
    );
}

/// A store of its own (loads write to it), built once for the load property.
fn own_store() -> &'static KgStore {
    static KG: std::sync::OnceLock<KgStore> = std::sync::OnceLock::new();
    KG.get_or_init(|| KgStore::in_memory().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Through `KgStore::load` itself: a refused file leaves the store exactly as it was.
    #[test]
    fn a_mutated_file_loads_whole_or_leaves_the_store_unchanged(
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let kg = own_store();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mutated.ttl");
        let bytes = mutate(TURTLE, &mutations);
        std::fs::write(&path, &bytes).unwrap();
        let before = kg.store().len().unwrap();
        match kg.load(std::slice::from_ref(&path), None, &Silent) {
            Ok(report) => prop_assert!(report.quads > 0 && kg.store().len().unwrap() > before),
            Err(e) => {
                check_file_error(&e, &path.display().to_string(), &bytes);
                prop_assert_eq!(kg.store().len().unwrap(), before, "a refused load wrote: {}", e);
            }
        }
    }
}

/// The resolver over the bundled labels.
fn resolver() -> &'static Resolver {
    static RESOLVER: std::sync::OnceLock<Resolver> = std::sync::OnceLock::new();
    RESOLVER.get_or_init(|| Resolver::with_labels(LabelIndex::load(kg().store(), None).unwrap()))
}

/// The bundle's zh and en preferred labels, each with the IRI it names.
fn labels() -> &'static Vec<(String, String)> {
    static LABELS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    LABELS.get_or_init(|| {
        let mut all: Vec<(String, String)> = resolver()
            .labels
            .labelled()
            .flat_map(|[iri, zh, en]| [(zh, iri.clone()), (en, iri)])
            .filter(|(label, _)| !label.is_empty())
            .collect();
        all.sort();
        all
    })
}

/// Checks what the resolver says about a name: an IRI, or one line that quotes the name.
fn check_resolve(name: &str) -> Option<String> {
    match resolver().resolve(name) {
        Ok(iri) => Some(iri.as_str().to_owned()),
        Err(e) => {
            let message = e.to_string();
            assert!(
                !message.contains('\n') && !message.contains('\r'),
                "{message:?}"
            );
            let quoted = format!("{:?}", name.trim());
            assert!(
                message.contains(&quoted),
                "does not name {quoted}: {message}"
            );
            None
        }
    }
}

/// Names as people and programs type them: anything, Chinese with brackets and quotes, control characters, IRIs.
fn names() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\p{Han}《》“”「」（）()<>:\\[\\] 　]{0,30}",
        "[\\x00-\\x1f\\x7f\u{85}\u{2028}\u{2029}a-z<>\"]{0,20}",
        "(https?://|pkid:|pk:|<)[a-z0-9/#%{}|^`\\\\ -]{0,30}>?",
        (1usize..200_000).prop_map(|n| "苏".repeat(n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_name_resolves_or_fails_in_one_line_that_quotes_it(name in names()) {
        check_resolve(&name);
    }

    /// Quotation marks, book-title brackets, spaces and full-width letters around a label do not change what it
    /// names (labels that name several entities are skipped).
    #[test]
    fn a_label_in_brackets_quotes_and_spaces_names_what_the_label_names(
        pick in any::<prop::sample::Index>(),
        open in prop::sample::select(vec!["《", "“", "「", " ", "\"", "　", ""]),
        close in prop::sample::select(vec!["》", "”", "」", " ", "\"", "\t", ""]),
    ) {
        let (label, iri) = pick.get(labels());
        if let Ok(found) = resolver().resolve(label) {
            prop_assert_eq!(found.as_str(), iri.as_str());
            let wrapped = format!("{open}{label}{close}");
            let resolved = check_resolve(&wrapped);
            prop_assert_eq!(resolved.as_deref(), Some(iri.as_str()), "{:?}", wrapped);
        }
    }
}

/// The bundled seed input with one seed file replaced by `text`.
fn with_seed(index: usize, text: Vec<u8>) -> (SeedInput, String) {
    let mut input = SeedInput::bundled();
    let slot = index % input.seeds.len();
    input.seeds[slot].1 = String::from_utf8_lossy(&text).into_owned();
    let path = input.seeds[slot].0.clone();
    (input, path)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_seeds_compile_or_fail_with_one_line_errors_at_their_place(
        index in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let original = SeedInput::bundled();
        let file = &original.seeds[index % original.seeds.len()];
        let (input, path) = with_seed(index, mutate(&file.1, &mutations));
        if let Err(errors) = compile(&input) {
            prop_assert!(!errors.is_empty());
            for e in &errors {
                let message = e.to_string();
                prop_assert!(!message.contains('\n') && !message.contains('\r'), "{:?}", message);
                let place = message.split(": ").next().unwrap_or_default();
                prop_assert!(
                    place.ends_with(".toml") || place.ends_with(".ttl") || place.ends_with(".txt")
                        || place.contains(".toml:") || place == "seeds",
                    "{} names no place: {}", path, message
                );
            }
        }
    }
}

/// The mutations do reach the compiler's errors: a quotation mark taken out of the catalogue is one error at its
/// `FILE:LINE:COLUMN`.
#[test]
fn a_broken_seed_names_its_file_line_and_column() {
    let input = SeedInput::bundled();
    let index = input
        .seeds
        .iter()
        .position(|(path, _)| path.ends_with("entities.toml"))
        .unwrap();
    let text = &input.seeds[index].1;
    let at = text.find("zh = \"").unwrap() + "zh = ".len();
    let mut broken = text.clone().into_bytes();
    broken.remove(at);
    let (input, path) = with_seed(index, broken);
    let errors = compile(&input).unwrap_err();
    let first = errors[0].to_string();
    let line = text[..at].matches('\n').count() + 1;
    assert!(first.starts_with(&format!("{path}:{line}:")), "{first}");
    assert_eq!(first.lines().count(), 1, "{first}");
}
