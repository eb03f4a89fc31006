//! The seed compiler: turns the curated TOML files of `seeds/` into RDF quads with evidence.
//!
//! The format is documented in `docs/seeds-format.md`. The compiler is strict on purpose: a quote that is not a
//! verbatim substring of its document, an unknown class, property or entity, a label that occurs in no document,
//! two entities sharing a label: each stops the build with `FILE:LINE:COLUMN: message`, so that a graph that builds
//! is a graph whose every fact can be checked against its source.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use aho_corasick::{AhoCorasick, MatchKind};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term, Triple};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::data::bundle;
use crate::model::error::{line_column, one_line, Error, Result};
use crate::model::vocab::{self, OA, PK, SKOS};

type S = Spanned<String>;

// ------------------------------------------------------------------------------------------------ file format

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    document: Option<DocumentDecl>,
    #[serde(default)]
    entity: Vec<EntityDecl>,
    #[serde(default)]
    fact: Vec<FactDecl>,
    #[serde(default)]
    event: Vec<EventDecl>,
    #[serde(default)]
    indicator: Vec<IndicatorDecl>,
    #[serde(default)]
    excluded: Vec<ExclusionDecl>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentDecl {
    id: S,
    file: S,
    title_zh: String,
    title_en: String,
    #[serde(default)]
    title_note: Option<String>,
    publisher: S,
    #[serde(default)]
    published: Option<S>,
    kind: String,
    year_covered: S,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityDecl {
    id: S,
    class: S,
    zh: S,
    en: String,
    #[serde(default)]
    aliases: Vec<S>,
    #[serde(default)]
    aliases_en: Vec<String>,
    #[serde(default)]
    level: Option<S>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Premise {
    doc: S,
    quote: S,
    #[serde(default)]
    occurrence: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactDecl {
    s: S,
    p: S,
    #[serde(default)]
    o: Option<S>,
    #[serde(default)]
    value: Option<Spanned<toml::Value>>,
    #[serde(default)]
    quote: Option<S>,
    #[serde(default)]
    occurrence: Option<usize>,
    #[serde(default)]
    inferred: Option<String>,
    #[serde(default)]
    premises: Vec<Premise>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventDecl {
    id: S,
    kind: S,
    of: S,
    #[serde(default)]
    date: Option<S>,
    #[serde(default)]
    actor: Option<S>,
    quote: S,
    #[serde(default)]
    occurrence: Option<usize>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    inferred: Option<String>,
    #[serde(default)]
    premises: Vec<Premise>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorDecl {
    of: S,
    measure_zh: String,
    measure_en: String,
    value: Spanned<toml::Value>,
    unit: String,
    as_written: S,
    #[serde(default)]
    qualifier: Option<S>,
    date: S,
    quote: S,
    #[serde(default)]
    occurrence: Option<usize>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionDecl {
    text: S,
    reason: String,
}

// ------------------------------------------------------------------------------------------------ public results

/// What a seed entity is: enough to resolve names and check coverage without a store.
#[derive(Debug, Clone)]
pub struct EntityInfo {
    pub id: String,
    pub class: String,
    pub zh: String,
    pub en: String,
    pub aliases: Vec<String>,
    pub aliases_en: Vec<String>,
}

/// A source document as the seeds describe it.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    pub id: String,
    pub file: String,
    pub title_zh: String,
    pub title_en: String,
    pub text: String,
}

/// A 《…》 or “…” name deliberately left out of the graph.
#[derive(Debug, Clone)]
pub struct Exclusion {
    pub text: String,
    pub reason: String,
    pub place: String,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub entities: usize,
    pub facts: usize,
    pub inferred_facts: usize,
    pub events: usize,
    pub indicators: usize,
    pub mentions: usize,
    pub exclusions: usize,
}

/// The compiled seeds: every quad to load, and what was learnt on the way.
#[derive(Debug)]
pub struct Compiled {
    pub quads: Vec<Quad>,
    pub entities: BTreeMap<String, EntityInfo>,
    pub documents: Vec<DocumentInfo>,
    pub exclusions: Vec<Exclusion>,
    pub counts: Counts,
}

/// The text inputs of a compilation: `(path for messages, contents)`.
pub struct SeedInput {
    pub ontology: Vec<(String, String)>,
    pub seeds: Vec<(String, String)>,
    /// Source texts by file name.
    pub documents: HashMap<String, String>,
}

impl SeedInput {
    /// The data compiled into the binary.
    pub fn bundled() -> Self {
        let documents = bundle::FILES
            .iter()
            .filter(|(p, _)| p.starts_with("seeds/documents/") && p.ends_with(".txt"))
            .map(|(p, t)| (p.rsplit('/').next().unwrap().to_owned(), (*t).to_owned()))
            .collect();
        SeedInput {
            ontology: bundle::ontology()
                .map(|f| (f.path.to_owned(), f.text.to_owned()))
                .collect(),
            seeds: bundle::seed_files()
                .map(|f| (f.path.to_owned(), f.text.to_owned()))
                .collect(),
            documents,
        }
    }

    /// The data of a project checkout on disk (`DIR/ontology`, `DIR/seeds`), for `policykg check-seeds`.
    pub fn from_dir(root: &Path) -> Result<Self> {
        fn walk(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
            let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
            for entry in entries {
                let path = entry.map_err(|e| Error::io(dir, e))?.path();
                if path.is_dir() {
                    walk(&path, ext, out)?;
                } else if path.extension().and_then(|e| e.to_str()) == Some(ext) {
                    out.push(path);
                }
            }
            Ok(())
        }
        let read = |path: &Path| -> Result<(String, String)> {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::invalid(
                    path.display().to_string(),
                    format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                )
            })?;
            let shown = path
                .strip_prefix(root)
                .unwrap_or(path)
                .display()
                .to_string();
            Ok((shown, text))
        };
        let collect = |dir: &str, ext: &str| -> Result<Vec<(String, String)>> {
            let mut paths = Vec::new();
            walk(&root.join(dir), ext, &mut paths)?;
            paths.sort();
            paths.iter().map(|p| read(p)).collect()
        };
        let ontology = collect("ontology", "ttl")?;
        let seeds = collect("seeds", "toml")?;
        let documents = collect("seeds/documents", "txt")?
            .into_iter()
            .map(|(p, t)| (p.rsplit(['/', '\\']).next().unwrap().to_owned(), t))
            .collect();
        Ok(SeedInput {
            ontology,
            seeds,
            documents,
        })
    }
}

/// Compile the bundled seeds.
pub fn compile_bundled() -> Result<Compiled> {
    compile(&SeedInput::bundled()).map_err(Error::from_seed_errors)
}

impl Error {
    /// Many seed errors as one: the first, and how many more there are.
    pub fn from_seed_errors(errors: Vec<Error>) -> Error {
        let count = errors.len();
        let first = errors.into_iter().next().expect("at least one error");
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

// ------------------------------------------------------------------------------------------------ ontology facts

/// What the compiler needs to know of the ontology.
struct OntologyInfo {
    quads: Vec<Quad>,
    classes: HashMap<String, (String, String)>, // local name → (zh label, en label)
    object_properties: HashSet<String>,
    datatype_properties: HashMap<String, Option<String>>, // local name → range IRI
    individuals: HashSet<String>, // pk: terms usable as objects (levels, statuses)
}

fn read_ontology(files: &[(String, String)]) -> Result<OntologyInfo, Vec<Error>> {
    let mut quads = Vec::new();
    for (path, text) in files {
        let parser = RdfParser::from_format(RdfFormat::Turtle)
            .with_default_graph(vocab::ontology_graph())
            .for_slice(text.as_bytes());
        for quad in parser {
            match quad {
                Ok(q) => quads.push(q),
                Err(e) => return Err(vec![crate::data::rdf::parse_error(path, e)]),
            }
        }
    }
    let mut info = OntologyInfo {
        quads,
        classes: HashMap::new(),
        object_properties: HashSet::new(),
        datatype_properties: HashMap::new(),
        individuals: HashSet::new(),
    };
    let mut labels: HashMap<String, (String, String)> = HashMap::new();
    let mut ranges: HashMap<String, String> = HashMap::new();
    let mut types: Vec<(String, String)> = Vec::new();
    for q in &info.quads {
        let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &q.subject else {
            continue;
        };
        let Some(local) = s.as_str().strip_prefix(PK) else {
            continue;
        };
        match (q.predicate.as_str(), &q.object) {
            (p, Term::NamedNode(o)) if p == rdf::TYPE.as_str() => {
                types.push((local.to_owned(), o.as_str().to_owned()))
            }
            (p, Term::NamedNode(o)) if p == format!("{}range", vocab::RDFS) => {
                ranges.insert(local.to_owned(), o.as_str().to_owned());
            }
            (p, Term::Literal(l))
                if p == format!("{}label", vocab::RDFS) || p == format!("{SKOS}prefLabel") =>
            {
                let entry = labels.entry(local.to_owned()).or_default();
                match l.language() {
                    Some("zh") => entry.0 = l.value().to_owned(),
                    Some("en") => entry.1 = l.value().to_owned(),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for (local, ty) in types {
        let label = labels.get(&local).cloned().unwrap_or_default();
        match ty.as_str() {
            t if t == format!("{}Class", vocab::OWL) => {
                info.classes.insert(local, label);
            }
            t if t == format!("{}ObjectProperty", vocab::OWL) => {
                info.object_properties.insert(local);
            }
            t if t == format!("{}DatatypeProperty", vocab::OWL) => {
                let range = ranges.get(&local).cloned();
                info.datatype_properties.insert(local, range);
            }
            t if t.starts_with(PK) => {
                info.individuals.insert(local);
            }
            _ => {}
        }
    }
    Ok(info)
}

// ------------------------------------------------------------------------------------------------ compilation

struct Doc {
    id: String,
    file: String,
    title_zh: String,
    title_en: String,
    text: String,
    graph: NamedNode,
}

/// Where a span of a seed file is, for messages.
struct Place<'a> {
    path: &'a str,
    text: &'a str,
}

impl Place<'_> {
    fn at<T>(&self, span: &Spanned<T>, message: impl Into<String>) -> Error {
        let (line, column) = line_column(self.text, span.span().start);
        Error::Syntax {
            place: self.path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// A zh label or alias as a seed file declares it, with its place for messages.
struct DeclaredLabel<'a> {
    id: &'a str,
    place: Place<'a>,
    label: &'a S,
}

struct Compiler {
    ontology: OntologyInfo,
    docs: BTreeMap<String, Doc>,
    entities: BTreeMap<String, EntityInfo>,
    quads: Vec<Quad>,
    errors: Vec<Error>,
    counts: Counts,
    evidence_seen: HashSet<String>,
}

/// A located quote: the document, and the character offsets of the quote in it.
struct QuoteAt {
    doc: String,
    exact: String,
    start: usize,
    end: usize,
    prefix: String,
    suffix: String,
}

impl QuoteAt {
    /// The quote of `text` starting at character `start`, with up to 16 characters of context either side.
    fn new(doc: &str, text: &str, start: usize, exact: &str) -> QuoteAt {
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
}

/// Find the `occurrence`-th (1-based) occurrence of `quote` in `text`, as character offsets.
pub fn locate(text: &str, quote: &str, occurrence: usize) -> Result<(usize, usize), String> {
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

fn date_literal(value: &str) -> Option<Literal> {
    let parts: Vec<&str> = value.split('-').collect();
    let numeric = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] if numeric(y, 4) => Some(Literal::new_typed_literal(value, xsd::G_YEAR)),
        [y, m] if numeric(y, 4) && numeric(m, 2) && (1..=12).contains(&m.parse::<u8>().ok()?) => {
            Some(Literal::new_typed_literal(value, xsd::G_YEAR_MONTH))
        }
        [y, m, d]
            if numeric(y, 4)
                && numeric(m, 2)
                && numeric(d, 2)
                && (1..=12).contains(&m.parse::<u8>().ok()?)
                && (1..=31).contains(&d.parse::<u8>().ok()?) =>
        {
            Some(Literal::new_typed_literal(value, xsd::DATE))
        }
        _ => None,
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

fn text_literal(value: &str) -> Literal {
    if has_cjk(value) {
        Literal::new_language_tagged_literal_unchecked(value, "zh")
    } else {
        Literal::new_simple_literal(value)
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    bundle::hex(&h.finalize()[..6])
}

fn q(s: &NamedNode, p: NamedNode, o: impl Into<Term>, g: &NamedNode) -> Quad {
    Quad::new(s.clone(), p, o, GraphName::NamedNode(g.clone()))
}

impl Compiler {
    fn new(input: &SeedInput) -> Result<Self, Vec<Error>> {
        Ok(Compiler {
            ontology: read_ontology(&input.ontology)?,
            docs: BTreeMap::new(),
            entities: BTreeMap::new(),
            quads: Vec::new(),
            errors: Vec::new(),
            counts: Counts::default(),
            evidence_seen: HashSet::new(),
        })
    }

    fn check_class(&mut self, place: &Place, class: &S) -> bool {
        if self.ontology.classes.contains_key(class.get_ref()) {
            return true;
        }
        let mut known: Vec<&String> = self.ontology.classes.keys().collect();
        known.sort();
        self.errors.push(place.at(
            class,
            format!(
                "unknown class {:?}; the classes of ontology/policykg.ttl are: {}",
                class.get_ref(),
                known.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
        false
    }

    fn locate_in(
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
        match locate(&doc.text, quote.get_ref(), occurrence.unwrap_or(1)) {
            Ok((start, _)) => {
                if occurrence.is_none() && doc.text.matches(quote.get_ref().as_str()).count() > 1 {
                    // Ambiguous quotes are allowed only when the curator says which occurrence is meant.
                    self.errors.push(place.at(
                        quote,
                        format!(
                            "the quote occurs {} times in {}; lengthen it or add occurrence = N",
                            doc.text.matches(quote.get_ref().as_str()).count(),
                            doc.file
                        ),
                    ));
                    return None;
                }
                Some(QuoteAt::new(doc_id, &doc.text, start, quote.get_ref()))
            }
            Err(message) => {
                self.errors
                    .push(place.at(quote, format!("{message} ({})", doc.file)));
                None
            }
        }
    }

    /// Assert `triple` in `graph`, with an evidence annotation pointing at `quotes`.
    fn assert_with_evidence(
        &mut self,
        triple: Triple,
        graph: &NamedNode,
        quotes: &[QuoteAt],
        inferred: Option<&str>,
    ) -> Option<NamedNode> {
        let object_key = triple.object.to_string();
        let first = quotes
            .first()
            .map(|q| (q.doc.as_str(), q.start))
            .unwrap_or(("", 0));
        let key = short_hash(&[
            triple.subject.to_string().as_str(),
            triple.predicate.as_str(),
            &object_key,
            first.0,
            &first.1.to_string(),
        ]);
        let scope = if inferred.is_some() {
            "inferred"
        } else {
            first.0
        };
        let ev = NamedNode::new_unchecked(format!("{}{scope}-{key}", vocab::EVIDENCE));
        if !self.evidence_seen.insert(ev.as_str().to_owned()) {
            return None; // the same fact with the same quote, stated twice by the curators
        }
        let s = triple.subject.clone();
        self.quads.push(Quad::new(
            s.clone(),
            triple.predicate.clone(),
            triple.object.clone(),
            GraphName::NamedNode(graph.clone()),
        ));
        let oa = |l: &str| vocab::ns(OA, l);
        self.quads
            .push(q(&ev, rdf::TYPE.into_owned(), vocab::pk("Evidence"), graph));
        self.quads
            .push(q(&ev, rdf::TYPE.into_owned(), oa("Annotation"), graph));
        self.quads.push(q(
            &ev,
            rdf::TYPE.into_owned(),
            rdf::STATEMENT.into_owned(),
            graph,
        ));
        self.quads.push(q(&ev, rdf::SUBJECT.into_owned(), s, graph));
        self.quads.push(q(
            &ev,
            rdf::PREDICATE.into_owned(),
            triple.predicate.clone(),
            graph,
        ));
        self.quads.push(q(
            &ev,
            rdf::OBJECT.into_owned(),
            triple.object.clone(),
            graph,
        ));
        self.quads
            .push(q(&ev, oa("motivatedBy"), oa("describing"), graph));
        let status = if inferred.is_some() {
            "Inferred"
        } else {
            "Stated"
        };
        self.quads.push(q(
            &ev,
            vocab::pk("epistemicStatus"),
            vocab::pk(status),
            graph,
        ));
        if let Some(reason) = inferred {
            self.quads.push(q(
                &ev,
                vocab::pk("reasoning"),
                Literal::new_language_tagged_literal_unchecked(reason, "en"),
                graph,
            ));
        }
        for (i, quote) in quotes.iter().enumerate() {
            let n = i + 1;
            let target = NamedNode::new_unchecked(format!("{}#target-{n}", ev.as_str()));
            let exact = NamedNode::new_unchecked(format!("{}#quote-{n}", ev.as_str()));
            let position = NamedNode::new_unchecked(format!("{}#position-{n}", ev.as_str()));
            let source = vocab::document(&quote.doc);
            self.quads
                .push(q(&ev, oa("hasTarget"), target.clone(), graph));
            self.quads.push(q(
                &ev,
                vocab::ns(vocab::DCTERMS, "source"),
                source.clone(),
                graph,
            ));
            self.quads.push(q(
                &target,
                rdf::TYPE.into_owned(),
                oa("SpecificResource"),
                graph,
            ));
            self.quads.push(q(&target, oa("hasSource"), source, graph));
            self.quads
                .push(q(&target, oa("hasSelector"), exact.clone(), graph));
            self.quads
                .push(q(&target, oa("hasSelector"), position.clone(), graph));
            self.quads.push(q(
                &exact,
                rdf::TYPE.into_owned(),
                oa("TextQuoteSelector"),
                graph,
            ));
            self.quads.push(q(
                &exact,
                oa("exact"),
                Literal::new_language_tagged_literal_unchecked(&quote.exact, "zh"),
                graph,
            ));
            self.quads.push(q(
                &exact,
                oa("prefix"),
                Literal::new_language_tagged_literal_unchecked(&quote.prefix, "zh"),
                graph,
            ));
            self.quads.push(q(
                &exact,
                oa("suffix"),
                Literal::new_language_tagged_literal_unchecked(&quote.suffix, "zh"),
                graph,
            ));
            self.quads.push(q(
                &position,
                rdf::TYPE.into_owned(),
                oa("TextPositionSelector"),
                graph,
            ));
            self.quads.push(q(
                &position,
                oa("start"),
                Literal::new_typed_literal(quote.start.to_string(), xsd::NON_NEGATIVE_INTEGER),
                graph,
            ));
            self.quads.push(q(
                &position,
                oa("end"),
                Literal::new_typed_literal(quote.end.to_string(), xsd::NON_NEGATIVE_INTEGER),
                graph,
            ));
        }
        Some(ev)
    }

    /// The quotes backing a fact: its own quote in its document, then its premises.
    fn gather_quotes(
        &mut self,
        place: &Place,
        doc: Option<&str>,
        quote: Option<&S>,
        occurrence: Option<usize>,
        premises: &[Premise],
        anchor: &S,
    ) -> Option<Vec<QuoteAt>> {
        let mut quotes = Vec::new();
        let mut ok = true;
        match (doc, quote) {
            (Some(doc), Some(quote)) => match self.locate_in(place, doc, quote, occurrence) {
                Some(q) => quotes.push(q),
                None => ok = false,
            },
            (None, Some(quote)) => {
                self.errors.push(place.at(
                    quote,
                    "a quote outside a document file needs its document: use premises = [{ doc = \"…\", quote = \"…\" }]",
                ));
                ok = false;
            }
            _ => {}
        }
        for premise in premises {
            match self.locate_in(
                place,
                premise.doc.get_ref(),
                &premise.quote,
                premise.occurrence,
            ) {
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

    fn entity_node(&mut self, place: &Place, id: &S) -> Option<NamedNode> {
        if let Some(local) = id.get_ref().strip_prefix("pk:") {
            if self.ontology.individuals.contains(local)
                || self.ontology.classes.contains_key(local)
            {
                return Some(vocab::pk(local));
            }
            self.errors
                .push(place.at(id, format!("unknown ontology term {:?}", id.get_ref())));
            return None;
        }
        if self.entities.contains_key(id.get_ref()) || self.docs.contains_key(id.get_ref()) {
            return Some(if self.docs.contains_key(id.get_ref()) {
                vocab::document(id.get_ref())
            } else {
                vocab::entity(id.get_ref())
            });
        }
        self.errors.push(place.at(
            id,
            format!(
                "unknown entity id {:?}; declare it with [[entity]] (in seeds/entities.toml if several documents name it)",
                id.get_ref()
            ),
        ));
        None
    }

    fn declare_entity(&mut self, place: &Place, e: &EntityDecl) {
        let id = e.id.get_ref();
        if !valid_id(id) {
            self.errors.push(place.at(
                &e.id,
                format!("entity id {id:?} must be lowercase ASCII letters, digits and hyphens"),
            ));
            return;
        }
        if self.entities.contains_key(id) {
            self.errors
                .push(place.at(&e.id, format!("entity {id:?} is declared twice")));
            return;
        }
        self.check_class(place, &e.class);
        if let Some(level) = &e.level {
            if !self.ontology.individuals.contains(level.get_ref()) {
                self.errors.push(place.at(level, format!("unknown level {:?}: use National, Regional, Provincial, Municipal, District or Township", level.get_ref())));
            }
        }
        if e.en.trim().is_empty() {
            self.errors
                .push(place.at(&e.id, "every entity needs an English label (en)"));
        }
        for label in std::iter::once(&e.zh).chain(&e.aliases) {
            if label.get_ref().trim().is_empty() || label.get_ref().trim() != label.get_ref() {
                self.errors.push(place.at(
                    label,
                    "a label must be non-empty, without surrounding spaces",
                ));
            }
        }
        self.entities.insert(
            id.clone(),
            EntityInfo {
                id: id.clone(),
                class: e.class.get_ref().clone(),
                zh: e.zh.get_ref().clone(),
                en: e.en.clone(),
                aliases: e.aliases.iter().map(|a| a.get_ref().clone()).collect(),
                aliases_en: e.aliases_en.clone(),
            },
        );
        let node = vocab::entity(id);
        let g = vocab::catalogue_graph();
        let zh = Literal::new_language_tagged_literal_unchecked(e.zh.get_ref(), "zh");
        let en = Literal::new_language_tagged_literal_unchecked(&e.en, "en");
        self.quads.push(q(
            &node,
            rdf::TYPE.into_owned(),
            vocab::pk(e.class.get_ref()),
            &g,
        ));
        self.quads
            .push(q(&node, vocab::ns(SKOS, "prefLabel"), zh.clone(), &g));
        self.quads
            .push(q(&node, vocab::ns(SKOS, "prefLabel"), en.clone(), &g));
        self.quads
            .push(q(&node, vocab::ns(vocab::RDFS, "label"), zh, &g));
        self.quads
            .push(q(&node, vocab::ns(vocab::RDFS, "label"), en, &g));
        for alias in &e.aliases {
            self.quads.push(q(
                &node,
                vocab::ns(SKOS, "altLabel"),
                Literal::new_language_tagged_literal_unchecked(alias.get_ref(), "zh"),
                &g,
            ));
        }
        for alias in &e.aliases_en {
            self.quads.push(q(
                &node,
                vocab::ns(SKOS, "altLabel"),
                Literal::new_language_tagged_literal_unchecked(alias, "en"),
                &g,
            ));
        }
        if let Some(level) = &e.level {
            self.quads.push(q(
                &node,
                vocab::pk("administrativeLevel"),
                vocab::pk(level.get_ref()),
                &g,
            ));
        }
        if let Some(note) = e.note.as_deref().filter(|n| !n.is_empty()) {
            self.quads.push(q(
                &node,
                vocab::ns(SKOS, "scopeNote"),
                Literal::new_language_tagged_literal_unchecked(note, "en"),
                &g,
            ));
        }
        self.counts.entities += 1;
    }

    /// Declare a generated entity (an event or an observation) with computed labels.
    fn declare_generated(
        &mut self,
        id: &str,
        class: &str,
        zh: String,
        en: String,
        note: Option<&str>,
    ) {
        let node = vocab::entity(id);
        let g = vocab::catalogue_graph();
        self.quads
            .push(q(&node, rdf::TYPE.into_owned(), vocab::pk(class), &g));
        for (label, lang) in [(&zh, "zh"), (&en, "en")] {
            let l = Literal::new_language_tagged_literal_unchecked(label, lang);
            self.quads
                .push(q(&node, vocab::ns(SKOS, "prefLabel"), l.clone(), &g));
            self.quads
                .push(q(&node, vocab::ns(vocab::RDFS, "label"), l, &g));
        }
        if let Some(note) = note.filter(|n| !n.is_empty()) {
            self.quads.push(q(
                &node,
                vocab::ns(SKOS, "scopeNote"),
                Literal::new_language_tagged_literal_unchecked(note, "en"),
                &g,
            ));
        }
        self.entities.insert(
            id.to_owned(),
            EntityInfo {
                id: id.to_owned(),
                class: class.to_owned(),
                zh,
                en,
                aliases: vec![],
                aliases_en: vec![],
            },
        );
    }

    fn fact(&mut self, place: &Place, doc: Option<&str>, f: &FactDecl) {
        let Some(subject) = self.entity_node(place, &f.s) else {
            return;
        };
        let property = f.p.get_ref().as_str();
        let object: Term = if self.ontology.object_properties.contains(property) {
            let Some(o) = &f.o else {
                self.errors.push(place.at(
                    &f.p,
                    format!("{property} links two entities: give o = \"entity-id\""),
                ));
                return;
            };
            if f.value.is_some() {
                self.errors
                    .push(place.at(&f.p, "give o or value, not both"));
                return;
            }
            let Some(node) = self.entity_node(place, o) else {
                return;
            };
            node.into()
        } else if let Some(range) = self.ontology.datatype_properties.get(property).cloned() {
            let Some(value) = &f.value else {
                self.errors
                    .push(place.at(&f.p, format!("{property} takes a literal: give value = …")));
                return;
            };
            match self.literal_for(property, range.as_deref(), value) {
                Ok(l) => l.into(),
                Err(m) => {
                    self.errors.push(place.at(value, m));
                    return;
                }
            }
        } else {
            let mut known: Vec<&String> = self
                .ontology
                .object_properties
                .iter()
                .chain(self.ontology.datatype_properties.keys())
                .collect();
            known.sort();
            self.errors.push(place.at(
                &f.p,
                format!(
                    "unknown property {property:?}; the properties of ontology/policykg.ttl are: {}",
                    known.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
            return;
        };
        let inferred = f.inferred.as_deref().filter(|r| !r.trim().is_empty());
        if doc.is_none() && inferred.is_none() {
            self.errors.push(place.at(&f.s, "a fact outside a document file must be inferred (inferred = \"why\") with premises"));
            return;
        }
        let Some(quotes) = self.gather_quotes(
            place,
            doc,
            f.quote.as_ref(),
            f.occurrence,
            &f.premises,
            &f.s,
        ) else {
            return;
        };
        let graph = match (inferred, doc) {
            (Some(_), _) => vocab::inferred_graph(),
            (None, Some(d)) => self.docs[d].graph.clone(),
            (None, None) => unreachable!("checked above"),
        };
        let evidence = self.assert_with_evidence(
            Triple::new(subject, vocab::pk(property), object),
            &graph,
            &quotes,
            inferred,
        );
        // A curator's note on a fact stays with its evidence.
        if let (Some(ev), Some(note)) =
            (evidence, f.note.as_deref().filter(|n| !n.trim().is_empty()))
        {
            let note = Literal::new_language_tagged_literal_unchecked(note, "en");
            self.quads
                .push(q(&ev, vocab::ns(SKOS, "note"), note, &graph));
        }
        if inferred.is_some() {
            self.counts.inferred_facts += 1;
        } else {
            self.counts.facts += 1;
        }
    }

    fn literal_for(
        &self,
        property: &str,
        range: Option<&str>,
        value: &Spanned<toml::Value>,
    ) -> Result<Literal, String> {
        let is_date = matches!(property, "date" | "inForceFrom");
        match value.get_ref() {
            toml::Value::String(s) if is_date => date_literal(s)
                .ok_or_else(|| format!("{s:?} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")),
            toml::Value::Integer(i) if range == Some(xsd::INTEGER.as_str()) => {
                Ok(Literal::from(*i))
            }
            toml::Value::Integer(_) | toml::Value::Float(_)
                if range == Some(xsd::DECIMAL.as_str()) =>
            {
                decimal_literal(value.get_ref())
            }
            toml::Value::String(s) if range.is_none() || range == Some(xsd::STRING.as_str()) => {
                Ok(text_literal(s))
            }
            other => Err(format!(
                "{property} expects {}, not {}",
                range
                    .map(vocab::shorten)
                    .unwrap_or_else(|| "a string".into()),
                other.type_str()
            )),
        }
    }

    fn event(&mut self, place: &Place, doc: Option<&str>, e: &EventDecl) {
        let id = e.id.get_ref().clone();
        if !valid_id(&id) || self.entities.contains_key(&id) {
            self.errors.push(place.at(
                &e.id,
                format!("event id {id:?} must be a new lowercase ASCII slug"),
            ));
            return;
        }
        if !self.check_class(place, &e.kind) {
            return;
        }
        let Some(of) = self.entity_node(place, &e.of) else {
            return;
        };
        let date = match &e.date {
            Some(d) => match date_literal(d.get_ref()) {
                Some(l) => Some(l),
                None => {
                    self.errors.push(place.at(
                        d,
                        format!(
                            "{:?} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD",
                            d.get_ref()
                        ),
                    ));
                    return;
                }
            },
            None => None,
        };
        let actor = match &e.actor {
            Some(a) => match self.entity_node(place, a) {
                Some(n) => Some(n),
                None => return,
            },
            None => None,
        };
        let inferred = e.inferred.as_deref().filter(|r| !r.trim().is_empty());
        let Some(quotes) =
            self.gather_quotes(place, doc, Some(&e.quote), e.occurrence, &e.premises, &e.id)
        else {
            return;
        };
        let (kind_zh, kind_en) = self.ontology.classes[e.kind.get_ref()].clone();
        let (of_zh, of_en) = self
            .entities
            .get(e.of.get_ref())
            .map(|i| (i.zh.clone(), i.en.clone()))
            .unwrap_or_default();
        let when = e
            .date
            .as_ref()
            .map(|d| format!(" ({})", d.get_ref()))
            .unwrap_or_default();
        self.declare_generated(
            &id,
            e.kind.get_ref(),
            format!("{of_zh}·{kind_zh}{when}"),
            format!("{kind_en}: {of_en}{when}"),
            e.note.as_deref(),
        );
        let graph = match (inferred, doc) {
            (None, Some(d)) => self.docs[d].graph.clone(),
            _ => vocab::inferred_graph(),
        };
        let node = vocab::entity(&id);
        self.assert_with_evidence(
            Triple::new(node.clone(), vocab::pk("eventOf"), of),
            &graph,
            &quotes,
            inferred,
        );
        if let Some(date) = date {
            self.assert_with_evidence(
                Triple::new(node.clone(), vocab::pk("date"), date),
                &graph,
                &quotes,
                inferred,
            );
        }
        if let Some(actor) = actor {
            self.assert_with_evidence(
                Triple::new(node, vocab::pk("actor"), actor),
                &graph,
                &quotes,
                inferred,
            );
        }
        self.counts.events += 1;
    }

    fn indicator(&mut self, place: &Place, doc: &str, i: &IndicatorDecl) {
        let Some(of) = self.entity_node(place, &i.of) else {
            return;
        };
        let Some(date) = date_literal(i.date.get_ref()) else {
            self.errors.push(place.at(
                &i.date,
                format!(
                    "{:?} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD",
                    i.date.get_ref()
                ),
            ));
            return;
        };
        let value = match decimal_literal(i.value.get_ref()) {
            Ok(v) => v,
            Err(m) => {
                self.errors.push(place.at(&i.value, m));
                return;
            }
        };
        let qualifier = i
            .qualifier
            .as_ref()
            .map(|q| q.get_ref().as_str())
            .unwrap_or("exact");
        if !matches!(
            qualifier,
            "exact" | "more than" | "nearly" | "at least" | "at most"
        ) {
            let span = i.qualifier.as_ref().unwrap();
            self.errors.push(place.at(
                span,
                "qualifier is one of: exact, more than, nearly, at least, at most",
            ));
            return;
        }
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
        let id = format!(
            "obs-{}-{}",
            i.of.get_ref(),
            short_hash(&[
                doc,
                &i.measure_zh,
                i.date.get_ref(),
                &quotes[0].start.to_string()
            ])
        );
        let (of_zh, of_en) = self
            .entities
            .get(i.of.get_ref())
            .map(|e| (e.zh.clone(), e.en.clone()))
            .unwrap_or_default();
        let date_text = i.date.get_ref();
        self.declare_generated(
            &id,
            "IndicatorObservation",
            format!(
                "{of_zh}·{}:{}({date_text})",
                i.measure_zh,
                i.as_written.get_ref()
            ),
            format!(
                "{of_en}: {} = {} ({date_text})",
                i.measure_en,
                i.as_written.get_ref()
            ),
            i.note.as_deref(),
        );
        let node = vocab::entity(&id);
        let graph = self.docs[doc].graph.clone();
        let facts: Vec<(&str, Term)> = vec![
            ("observationOf", of.into()),
            (
                "measure",
                Literal::new_language_tagged_literal_unchecked(&i.measure_zh, "zh").into(),
            ),
            (
                "measure",
                Literal::new_language_tagged_literal_unchecked(&i.measure_en, "en").into(),
            ),
            ("value", value.into()),
            ("unit", text_literal(&i.unit).into()),
            (
                "valueAsWritten",
                text_literal(i.as_written.get_ref()).into(),
            ),
            ("qualifier", Literal::new_simple_literal(qualifier).into()),
            ("date", date.into()),
        ];
        for (p, o) in facts {
            self.assert_with_evidence(
                Triple::new(node.clone(), vocab::pk(p), o),
                &graph,
                &quotes,
                None,
            );
        }
        self.counts.indicators += 1;
    }

    /// `pk:mentionedIn` for every document that names an entity, found by leftmost-longest matching of every
    /// zh label and alias; the first occurrence is the evidence.
    /// Report a label or alias that two entities share, at its second declaration.
    fn check_unique_labels(&mut self, declared: &[DeclaredLabel]) {
        let mut first_owner: HashMap<&str, &str> = HashMap::new();
        for d in declared {
            match first_owner.get(d.label.get_ref().as_str()) {
                Some(&owner) if owner != d.id => self.errors.push(d.place.at(
                    d.label,
                    format!(
                        "label {:?} is already used by entity {owner:?}",
                        d.label.get_ref()
                    ),
                )),
                Some(_) => {}
                None => {
                    first_owner.insert(d.label.get_ref(), d.id);
                }
            }
        }
    }

    fn mentions(&mut self, declared: &[DeclaredLabel]) {
        // One pattern per distinct label; a shared label (reported by check_unique_labels) goes to its first owner.
        let mut patterns: Vec<String> = Vec::new();
        let mut owner: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for info in self.entities.values() {
            for label in std::iter::once(&info.zh).chain(&info.aliases) {
                if seen.insert(label) {
                    patterns.push(label.clone());
                    owner.push(info.id.clone());
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("labels build a matcher");
        let mut mentioned: HashSet<String> = HashSet::new();
        let doc_ids: Vec<String> = self.docs.keys().cloned().collect();
        for doc_id in doc_ids {
            let (text, graph) = {
                let d = &self.docs[&doc_id];
                (d.text.clone(), d.graph.clone())
            };
            let mut first: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for m in matcher.find_iter(&text) {
                first
                    .entry(owner[m.pattern().as_usize()].clone())
                    .or_insert((m.start(), m.end()));
            }
            for (id, (start_byte, end_byte)) in first {
                let start = text[..start_byte].chars().count();
                let quote = QuoteAt::new(&doc_id, &text, start, &text[start_byte..end_byte]);
                self.mention(&id, &graph, quote);
                mentioned.insert(id);
            }
        }
        // A name that only occurs inside a longer name (企业开办 inside 企业开办“一件事”) is still named by the
        // text: its first plain occurrence is its evidence.
        for d in declared {
            // Once per entity (at its zh label), and only for entities no longer name has hidden everywhere.
            let Some(entity) = self
                .entities
                .get(d.id)
                .filter(|e| &e.zh == d.label.get_ref())
            else {
                continue;
            };
            if mentioned.contains(d.id) {
                continue;
            }
            let names: Vec<&str> = std::iter::once(entity.zh.as_str())
                .chain(entity.aliases.iter().map(String::as_str))
                .collect();
            let found = self.docs.values().find_map(|doc| {
                names.iter().find_map(|name| {
                    let byte = doc.text.find(name)?;
                    let start = doc.text[..byte].chars().count();
                    Some((
                        doc.graph.clone(),
                        QuoteAt::new(&doc.id, &doc.text, start, name),
                    ))
                })
            });
            match found {
                Some((graph, quote)) => {
                    self.mention(d.id, &graph, quote);
                    mentioned.insert(d.id.to_owned());
                }
                None => self.errors.push(d.place.at(
                    d.label,
                    format!(
                        "entity {:?}: neither its zh label nor an alias occurs in any source document (labels must be verbatim)",
                        d.id
                    ),
                )),
            }
        }
    }

    /// Record that an entity is named by a document, with the occurrence as evidence.
    fn mention(&mut self, id: &str, graph: &NamedNode, quote: QuoteAt) {
        let document = vocab::document(&quote.doc);
        self.assert_with_evidence(
            Triple::new(vocab::entity(id), vocab::pk("mentionedIn"), document),
            graph,
            &[quote],
            None,
        );
        self.counts.mentions += 1;
    }
}

fn decimal_literal(value: &toml::Value) -> Result<Literal, String> {
    match value {
        toml::Value::Integer(i) => Ok(Literal::new_typed_literal(i.to_string(), xsd::DECIMAL)),
        toml::Value::Float(f) if f.is_finite() => {
            let mut s = format!("{f}");
            if !s.contains('.') {
                s.push_str(".0");
            }
            Ok(Literal::new_typed_literal(s, xsd::DECIMAL))
        }
        other => Err(format!("expected a number, not {}", other.type_str())),
    }
}

/// Compile seed files into quads. Returns every error found, not only the first.
pub fn compile(input: &SeedInput) -> Result<Compiled, Vec<Error>> {
    let mut c = Compiler::new(input)?;
    let mut files: Vec<(&str, &str, SeedFile)> = Vec::new();
    for (path, text) in &input.seeds {
        match toml::from_str::<SeedFile>(text) {
            Ok(file) => files.push((path, text, file)),
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                c.errors.push(Error::syntax_at(
                    path.as_str(),
                    text,
                    offset,
                    one_line(e.message()),
                ));
            }
        }
    }
    // Documents first: facts refer to them.
    let mut exclusions = Vec::new();
    for (path, text, file) in &files {
        let place = Place { path, text };
        if let Some(d) = &file.document {
            let Some(doc_text) = input.documents.get(d.file.get_ref()) else {
                c.errors.push(place.at(
                    &d.file,
                    format!("no source text seeds/documents/{}", d.file.get_ref()),
                ));
                continue;
            };
            if !valid_id(d.id.get_ref()) || c.docs.contains_key(d.id.get_ref()) {
                c.errors
                    .push(place.at(&d.id, "document id must be a new lowercase ASCII slug"));
                continue;
            }
            c.docs.insert(
                d.id.get_ref().clone(),
                Doc {
                    id: d.id.get_ref().clone(),
                    file: d.file.get_ref().clone(),
                    title_zh: d.title_zh.clone(),
                    title_en: d.title_en.clone(),
                    text: doc_text.clone(),
                    graph: vocab::graph(d.id.get_ref()),
                },
            );
        }
        for x in &file.excluded {
            exclusions.push(Exclusion {
                text: x.text.get_ref().clone(),
                reason: x.reason.clone(),
                place: {
                    let (l, col) = line_column(text, x.text.span().start);
                    format!("{path}:{l}:{col}")
                },
            });
            if x.reason.trim().is_empty() {
                c.errors
                    .push(place.at(&x.text, "an exclusion needs a reason"));
            }
        }
    }
    // Entities, so that facts in any file can refer to entities of any file.
    let mut declared: Vec<DeclaredLabel> = Vec::new();
    for (path, text, file) in &files {
        let place = Place { path, text };
        for e in &file.entity {
            c.declare_entity(&place, e);
            for label in std::iter::once(&e.zh).chain(&e.aliases) {
                declared.push(DeclaredLabel {
                    id: e.id.get_ref(),
                    place: Place { path, text },
                    label,
                });
            }
        }
    }
    c.check_unique_labels(&declared);
    // Document metadata (needs the publisher entity).
    for (path, text, file) in &files {
        let place = Place { path, text };
        let Some(d) = &file.document else { continue };
        let Some(doc) = c.docs.get(d.id.get_ref()) else {
            continue;
        };
        let (node, graph) = (vocab::document(&doc.id), doc.graph.clone());
        let mut quads = vec![
            q(
                &node,
                rdf::TYPE.into_owned(),
                vocab::pk("SourceDocument"),
                &graph,
            ),
            q(
                &node,
                vocab::ns(vocab::DCTERMS, "title"),
                Literal::new_language_tagged_literal_unchecked(&doc.title_zh, "zh"),
                &graph,
            ),
            q(
                &node,
                vocab::ns(vocab::DCTERMS, "title"),
                Literal::new_language_tagged_literal_unchecked(&doc.title_en, "en"),
                &graph,
            ),
            q(
                &node,
                vocab::ns(vocab::RDFS, "label"),
                Literal::new_language_tagged_literal_unchecked(&doc.title_zh, "zh"),
                &graph,
            ),
            q(
                &node,
                vocab::ns(vocab::RDFS, "label"),
                Literal::new_language_tagged_literal_unchecked(&doc.title_en, "en"),
                &graph,
            ),
            q(
                &node,
                vocab::pk("fileName"),
                Literal::new_simple_literal(&doc.file),
                &graph,
            ),
            q(
                &node,
                vocab::pk("text"),
                Literal::new_language_tagged_literal_unchecked(&doc.text, "zh"),
                &graph,
            ),
            q(
                &node,
                vocab::pk("documentKind"),
                Literal::new_language_tagged_literal_unchecked(&d.kind, "en"),
                &graph,
            ),
            q(&node, vocab::pk("sourceGraph"), graph.clone(), &graph),
        ];
        if let Some(note) = d.title_note.as_deref().filter(|n| !n.is_empty()) {
            quads.push(q(
                &node,
                vocab::ns(SKOS, "scopeNote"),
                Literal::new_language_tagged_literal_unchecked(note, "en"),
                &graph,
            ));
        }
        match date_literal(d.year_covered.get_ref()) {
            Some(l) if l.datatype() == xsd::G_YEAR => {
                quads.push(q(&node, vocab::pk("yearCovered"), l, &graph))
            }
            _ => c
                .errors
                .push(place.at(&d.year_covered, "year_covered is a year: YYYY")),
        }
        if let Some(p) = &d.published {
            match date_literal(p.get_ref()) {
                Some(l) => quads.push(q(&node, vocab::ns(vocab::DCTERMS, "issued"), l, &graph)),
                None => c
                    .errors
                    .push(place.at(p, "published is YYYY, YYYY-MM or YYYY-MM-DD")),
            }
        }
        if let Some(publisher) = c.entity_node(&place, &d.publisher) {
            quads.push(q(
                &node,
                vocab::ns(vocab::DCTERMS, "publisher"),
                publisher,
                &graph,
            ));
        }
        c.quads.extend(quads);
    }
    // Events and indicators declare entities too: before facts, which may refer to them.
    for (path, text, file) in &files {
        let place = Place { path, text };
        let doc = file
            .document
            .as_ref()
            .map(|d| d.id.get_ref().as_str())
            .filter(|d| c.docs.contains_key(*d));
        for e in &file.event {
            c.event(&place, doc, e);
        }
        for i in &file.indicator {
            match doc {
                Some(doc) => c.indicator(&place, doc, i),
                None => c
                    .errors
                    .push(place.at(&i.quote, "indicators belong in a document file")),
            }
        }
    }
    for (path, text, file) in &files {
        let place = Place { path, text };
        let doc = file
            .document
            .as_ref()
            .map(|d| d.id.get_ref().as_str())
            .filter(|d| c.docs.contains_key(*d));
        for f in &file.fact {
            c.fact(&place, doc, f);
        }
    }
    c.mentions(&declared);
    c.counts.exclusions = exclusions.len();
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let mut quads = c.ontology.quads;
    quads.extend(c.quads);
    // The same triple may be generated twice (an event and a fact stating one step); keep each quad once so that
    // counts are the store's counts.
    let first: Vec<bool> = {
        let mut seen = HashSet::with_capacity(quads.len());
        quads.iter().map(|q| seen.insert(q.as_ref())).collect()
    };
    let mut first = first.into_iter();
    quads.retain(|_| first.next().unwrap_or(true));
    Ok(Compiled {
        quads,
        entities: c.entities,
        documents: c
            .docs
            .into_values()
            .map(|d| DocumentInfo {
                id: d.id,
                file: d.file,
                title_zh: d.title_zh,
                title_en: d.title_en,
                text: d.text,
            })
            .collect(),
        exclusions,
        counts: c.counts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn locates_quotes_in_characters() {
        assert_eq!(locate("一二三四", "三四", 1).unwrap(), (2, 4));
        assert!(locate("一二三", "五", 1).is_err());
        assert!(locate("一一", "一", 3).is_err());
    }

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(date_literal("2025").unwrap().datatype(), xsd::G_YEAR);
        assert_eq!(
            date_literal("2025-09").unwrap().datatype(),
            xsd::G_YEAR_MONTH
        );
        assert_eq!(date_literal("2025-09-28").unwrap().datatype(), xsd::DATE);
        assert!(date_literal("2025-13").is_none());
        assert!(date_literal("9月28日").is_none());
    }
}
