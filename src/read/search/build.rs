//! Building the search index from a store and keeping it current: the passages (sentences of the texts, quotes,
//! labels, user literals), the side file (document texts and titles, where each entity is mentioned, labels), and
//! the metadata that says what the index was built from.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use oxigraph::model::{GraphNameRef, NamedOrBlankNode};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument};

use super::tokens::{Bigrams, TOKENIZER};
use super::{dedup, search_error, stored_str, stored_u64, EntityRef, Hit, Scope, SearchIndex};
use crate::data::bundle;
use crate::data::derived;
use crate::data::seeds::{self, Sentence};
use crate::data::store::KgStore;
use crate::model::error::{Error, Result};
use crate::model::report::Reporter;
use crate::model::vocab;
use crate::read::query;

/// The version of the index layout; an index of another version is rebuilt (2: text passages are the ledger's
/// sentences; 3: a loaded graph's labels are in the labels scope, the bundle's labels once each).
const LAYOUT: u32 = 3;

/// What an index was built from: the bundle's fingerprint and the graphs users loaded, each with its size.
/// An index whose source differs from the store's is rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The layout version of the index.
    pub layout: u32,
    /// The bundle fingerprint of the binary that built it.
    pub bundle: String,
    /// The user graphs (`""` for the default graph) and their quad counts.
    pub graphs: Vec<(String, usize)>,
}

impl Source {
    /// The source of an index of `store` now: the bundle fingerprint, and the quads of each graph users
    /// loaded, counted by SPARQL (which counts without decoding the terms).
    pub fn of(store: &Store) -> Result<Self> {
        let mut graphs = Vec::new();
        for graph in user_graph_names(store)? {
            let (name, count) = match &graph {
                Some(g @ NamedOrBlankNode::NamedNode(_)) => {
                    let text =
                        format!("SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}");
                    let rows = query::select_strings(store, &text)?;
                    let n = rows
                        .first()
                        .and_then(|r| r.get("n").parse().ok())
                        .unwrap_or(0);
                    (g.to_string(), n)
                }
                Some(blank) => {
                    let name = Some(blank.as_ref().into());
                    (
                        blank.to_string(),
                        store.quads_for_pattern(None, None, None, name).count(),
                    )
                }
                None => {
                    let default = Some(GraphNameRef::DefaultGraph);
                    (
                        String::new(),
                        store.quads_for_pattern(None, None, None, default).count(),
                    )
                }
            };
            if count > 0 {
                graphs.push((name, count));
            }
        }
        graphs.sort();
        Ok(Source {
            layout: LAYOUT,
            bundle: bundle::fingerprint().to_owned(),
            graphs,
        })
    }
}

/// The named graphs not from the bundle, and the default graph (`None`).
pub(super) fn user_graph_names(store: &Store) -> Result<Vec<Option<NamedOrBlankNode>>> {
    let mut names = vec![None];
    for graph in store.named_graphs() {
        let graph = graph.map_err(|e| Error::Usage(format!("search index: {e}")))?;
        let bundled =
            matches!(&graph, NamedOrBlankNode::NamedNode(n) if vocab::is_bundled_graph(n.as_str()));
        if !bundled {
            names.push(Some(graph));
        }
    }
    Ok(names)
}

/// The index's fields.
pub(super) struct Fields {
    pub(super) scope: Field,
    pub(super) document: Field,
    subject: Field,
    predicate: Field,
    graph: Field,
    start: Field,
    seq: Field,
    pub(super) text: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let fields = Fields {
        scope: builder.add_text_field("scope", STRING),
        document: builder.add_text_field("document", STRING | STORED),
        subject: builder.add_text_field("subject", STORED),
        predicate: builder.add_text_field("predicate", STORED),
        graph: builder.add_text_field("graph", STORED),
        start: builder.add_u64_field("start", STORED),
        seq: builder.add_u64_field("seq", FAST | STORED),
        text: builder.add_text_field(
            "text",
            TextOptions::default()
                .set_indexing_options(indexing)
                .set_stored(),
        ),
    };
    (builder.build(), fields)
}

/// One indexed passage: a sentence of a text, a quote, a label or a literal.
#[derive(Debug, Clone, Default)]
pub(super) struct Passage {
    /// The scopes it is found in: one, or both `labels` and `literals` for a label in a loaded graph (indexed
    /// once, found by either); none when read back from the index (the search knows its scope).
    pub(super) scopes: &'static [Scope],
    pub(super) document: Option<String>,
    pub(super) subject: Option<String>,
    pub(super) predicate: Option<String>,
    pub(super) graph: Option<String>,
    /// Character offset of the passage in its document text (texts, quotes).
    pub(super) start: usize,
    pub(super) text: String,
}

impl Fields {
    fn document(&self, p: &Passage, seq: u64) -> TantivyDocument {
        let mut d = doc!(
            self.start => p.start as u64,
            self.seq => seq,
            self.text => p.text.as_str(),
        );
        let optional = [
            (self.document, &p.document),
            (self.subject, &p.subject),
            (self.predicate, &p.predicate),
            (self.graph, &p.graph),
        ];
        for (field, value) in optional {
            if let Some(v) = value {
                d.add_text(field, v);
            }
        }
        for scope in p.scopes {
            d.add_text(self.scope, scope.name());
        }
        d
    }

    /// A passage read back from the index; `scope` is left out (the search knows it).
    pub(super) fn passage(&self, d: &TantivyDocument) -> Passage {
        Passage {
            scopes: &[],
            document: stored_str(d, self.document),
            subject: stored_str(d, self.subject),
            predicate: stored_str(d, self.predicate),
            graph: stored_str(d, self.graph),
            start: usize::try_from(stored_u64(d, self.start)).unwrap_or(0),
            text: stored_str(d, self.text).unwrap_or_default(),
        }
    }
}

/// A source document as the side file keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct DocumentText {
    pub(super) iri: String,
    pub(super) title: String,
    pub(super) text: String,
    /// The text's characters, for offsets (made by [`Sidecar::prepare`], not stored).
    #[serde(skip)]
    pub(super) chars: Vec<char>,
    /// Its sentences (made by [`Sidecar::prepare`], not stored).
    #[serde(skip)]
    pub(super) sentences: Vec<Sentence>,
}

/// What a hit needs besides its passage: document texts and titles, where entities are mentioned, labels.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Sidecar {
    pub(super) documents: Vec<DocumentText>,
    /// Document IRI → (start, end, entity IRI) of every evidence quote naming the entity, by start.
    pub(super) spans: BTreeMap<String, Vec<(usize, usize, String)>>,
    /// Entity IRI → its display label.
    pub(super) labels: HashMap<String, String>,
}

impl Sidecar {
    /// Fill what is not stored: the characters and sentences of each text.
    pub(super) fn prepare(mut self) -> Self {
        for d in &mut self.documents {
            d.chars = d.text.chars().collect();
            d.sentences = seeds::sentences(&d.text);
        }
        self
    }

    fn label(&self, iri: &str) -> String {
        self.labels
            .get(iri)
            .cloned()
            .unwrap_or_else(|| vocab::shorten(iri))
    }

    /// A document named by its IRI, `pkdoc:` name, id or (part of) its title: its IRI.
    pub(super) fn resolve_document(&self, name: &str) -> Result<String> {
        let name = name.trim();
        let full = vocab::expand(name).unwrap_or_else(|| name.to_owned());
        let exact: Vec<&DocumentText> = self
            .documents
            .iter()
            .filter(|d| {
                d.iri == full || d.iri.strip_prefix(vocab::DOC) == Some(name) || d.title == name
            })
            .collect();
        let candidates = if exact.is_empty() && !name.is_empty() {
            self.documents
                .iter()
                .filter(|d| d.title.contains(name))
                .collect()
        } else {
            exact
        };
        match candidates.as_slice() {
            [one] => Ok(one.iri.clone()),
            [] => Err(Error::Usage(format!(
                "search --doc: no document is named {name:?}; the documents are {}",
                self.document_list()
            ))),
            many => Err(Error::Usage(format!(
                "search --doc: {name:?} names {} documents: {}; use its id",
                many.len(),
                many.iter()
                    .map(|d| vocab::shorten(&d.iri))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn document_list(&self) -> String {
        self.documents
            .iter()
            .map(|d| format!("{} ({})", vocab::shorten(&d.iri), d.title))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The hit of the match at character offsets `from..to` of a passage.
    pub(super) fn hit(&self, passage: &Passage, scope: Scope, from: usize, to: usize) -> Hit {
        let document = passage
            .document
            .as_ref()
            .and_then(|iri| self.documents.iter().find(|d| &d.iri == iri));
        let mut hit = Hit {
            scope,
            document: passage.document.clone(),
            title: document.map(|d| d.title.clone()),
            start: from,
            end: to,
            text: String::new(),
            sentence: String::new(),
            before: String::new(),
            after: String::new(),
            subject: passage.subject.clone(),
            predicate: passage.predicate.clone(),
            graph: passage.graph.clone(),
            entities: Vec::new(),
        };
        let own: Vec<char>;
        let (chars, offset): (&[char], usize) = match (scope, document) {
            (Scope::Texts | Scope::Quotes, Some(d)) => (&d.chars, passage.start),
            _ => {
                own = passage.text.chars().collect();
                (&own, 0)
            }
        };
        let (start, end) = (offset + from, (offset + to).min(chars.len()));
        let (s_from, s_to) = match (scope, document) {
            (Scope::Texts | Scope::Quotes, Some(d)) => {
                seeds::sentence_span(&d.sentences, start.min(end), end)
            }
            _ => (0, chars.len()),
        };
        let piece = |a: usize, b: usize| chars[a.min(b)..b].iter().collect::<String>();
        hit.start = start.min(end);
        hit.end = end;
        hit.text = piece(hit.start, end);
        hit.before = piece(s_from, hit.start).trim_start().to_owned();
        hit.after = piece(end, s_to).trim_end().to_owned();
        hit.sentence = format!("{}【{}】{}", hit.before, hit.text, hit.after);
        hit.entities = match (scope, &passage.document) {
            (Scope::Texts | Scope::Quotes, Some(doc)) => self.entities_in(doc, s_from, s_to),
            _ => passage
                .subject
                .iter()
                .filter(|s| scope == Scope::Labels || self.labels.contains_key(*s))
                .map(|s| EntityRef {
                    iri: s.clone(),
                    // An entity of a loaded graph is displayed by the label that matched.
                    label: match (self.labels.get(s), scope) {
                        (Some(label), _) => label.clone(),
                        (None, Scope::Labels) => passage.text.clone(),
                        (None, _) => vocab::shorten(s),
                    },
                })
                .collect(),
        };
        hit
    }

    /// The entities whose evidence in `document` lies inside characters `from..to`.
    fn entities_in(&self, document: &str, from: usize, to: usize) -> Vec<EntityRef> {
        let spans = self.spans.get(document).map(Vec::as_slice).unwrap_or(&[]);
        let first = spans.partition_point(|(s, _, _)| *s < from);
        dedup(
            spans[first..]
                .iter()
                .take_while(|(s, _, _)| *s < to)
                .filter(|(_, e, _)| *e <= to)
                .map(|(_, _, iri)| EntityRef {
                    iri: iri.clone(),
                    label: self.label(iri),
                })
                .collect(),
        )
    }
}

/// The index directory of a store: `<store>.search` beside it.
pub(super) fn index_dir(store: &Path) -> PathBuf {
    let mut name = store
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "store".into());
    name.push(".search");
    store.with_file_name(name)
}

fn new_index(schema: Schema, dir: Option<&Path>) -> Result<Index> {
    let index = match dir {
        Some(dir) => Index::create_in_dir(dir, schema).map_err(search_error)?,
        None => Index::create_in_ram(schema),
    };
    index.tokenizers().register(TOKENIZER, Bigrams);
    Ok(index)
}

fn reader(index: &Index) -> Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(search_error)
}

/// Write the passages into a new index (in `dir`, or in memory): the bundle's first, then the literals of the
/// loaded graphs as they are read, so that memory stays bounded by Tantivy's indexing budget however much was
/// loaded.
fn write(
    store: &Store,
    dir: Option<&Path>,
    source: Source,
    reporter: &dyn Reporter,
) -> Result<SearchIndex> {
    let (passages, side) = super::collect::collect(store)?;
    let (schema, fields) = schema();
    let index = new_index(schema, dir)?;
    let bar = reporter.start("building the search index");
    // One indexing thread for the bundle (fewer segments and files to write), two for large user data.
    let loaded: usize = source.graphs.iter().map(|(_, quads)| quads).sum();
    let threads = if loaded < 200_000 { 1 } else { 2 };
    let mut writer: tantivy::IndexWriter = index
        .writer_with_num_threads(threads, threads * 64_000_000)
        .map_err(search_error)?;
    let mut seq = 0;
    let mut add = |p: Passage| -> Result<()> {
        writer
            .add_document(fields.document(&p, seq))
            .map_err(search_error)?;
        seq += 1;
        if seq % 65_536 == 0 {
            bar.set(seq);
        }
        Ok(())
    };
    for p in passages {
        add(p)?;
    }
    super::collect::literals(store, &mut add)?;
    writer.commit().map_err(search_error)?;
    writer.wait_merging_threads().map_err(search_error)?;
    drop(bar);
    if let Some(dir) = dir {
        write_json(&dir.join("side.json"), &side)?;
        write_json(&dir.join("source.json"), &source)?;
    }
    Ok(SearchIndex {
        reader: reader(&index)?,
        fields,
        side: side.prepare(),
        source,
        path: dir.map(Path::to_path_buf),
    })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text =
        serde_json::to_vec(value).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn read_json<T: for<'a> Deserialize<'a>>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The index in `dir` if it was built from `source`.
fn open_current(dir: &Path, source: &Source) -> Option<SearchIndex> {
    let built: Source = read_json(&dir.join("source.json"))?;
    if &built != source {
        return None;
    }
    let side = read_json::<Sidecar>(&dir.join("side.json"))?.prepare();
    let index = Index::open_in_dir(dir).ok()?;
    index.tokenizers().register(TOKENIZER, Bigrams);
    let (_, fields) = schema();
    Some(SearchIndex {
        reader: reader(&index).ok()?,
        fields,
        side,
        source: built,
        path: Some(dir.to_path_buf()),
    })
}

impl SearchIndex {
    /// The index of a store in memory (a server, tests, benchmarks).
    pub fn in_memory(store: &Store, reporter: &dyn Reporter) -> Result<Self> {
        write(store, None, Source::of(store)?, reporter)
    }

    /// The index beside an on-disk store (`<store>.search/`), built when missing and rebuilt when the bundle or
    /// the user graphs changed since it was built. When it cannot be written there, an index in memory.
    pub fn open(kg: &KgStore, reporter: &dyn Reporter) -> Result<Self> {
        if kg.path() == Path::new(":memory:") {
            return Self::in_memory(kg.store(), reporter);
        }
        let dir = index_dir(kg.path());
        // Counting the loaded graphs reads every loaded quad: the count is kept until the store changes.
        let source = derived::cached(kg, "search-source", || Source::of(kg.store()))?;
        if let Some(index) = open_current(&dir, &source) {
            return Ok(index);
        }
        match build_in(kg.store(), &dir, &source, reporter) {
            Ok(index) => {
                reporter.message(&format!("built the search index at {}", dir.display()));
                Ok(index)
            }
            Err(e) => {
                reporter.message(&format!("{e}; searching an index in memory instead"));
                write(kg.store(), None, source, reporter)
            }
        }
    }
}

/// Build into a fresh folder beside `dir`, then put it in place of `dir`.
fn build_in(
    store: &Store,
    dir: &Path,
    source: &Source,
    reporter: &dyn Reporter,
) -> Result<SearchIndex> {
    let mut name = dir
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    let tmp = dir.with_file_name(name);
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let built = write(store, Some(&tmp), source.clone(), reporter);
    let placed = built.and_then(|index| {
        drop(index);
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::rename(&tmp, dir).map_err(|e| Error::io(dir, e))
    });
    if let Err(e) = placed {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    open_current(dir, source)
        .ok_or_else(|| Error::Usage(format!("search index {}: cannot be opened", dir.display())))
}
