//! The embedded Oxigraph store: where it lives, how it is built from the bundled data, and how users add files.
//!
//! Layout of a store: the bundle owns every named graph under `https://w3id.org/policykg/graph/` (ontology,
//! catalogue, one graph per source document, inferred facts, meta); anything else was loaded by a user. When the
//! binary's bundle changes, the bundle's graphs are replaced in one transaction and the user's graphs are kept.
//! Every write is one transaction: a failed load leaves the store as it was.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::{RdfFormat, RdfParser, RdfSyntaxError};
use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::store::{StorageError, Store};

use crate::bundle;
use crate::error::{one_line, Error, Result};
use crate::format::Format;
use crate::seeds;
use crate::vocab;

/// The store location when neither `--store` nor `POLICYKG_STORE` is given:
/// `$XDG_DATA_HOME/policykg/store`, else `~/.local/share/policykg/store`, else `./policykg-store`.
pub fn default_store_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("policykg").join("store");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".local/share/policykg/store");
    }
    PathBuf::from("policykg-store")
}

/// How a store was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// This process holds the store's lock and may write.
    ReadWrite,
    /// Another process holds the lock: a consistent snapshot as of opening, read-only.
    Snapshot,
}

/// An opened policykg store.
pub struct KgStore {
    store: Store,
    path: PathBuf,
    access: Access,
}

/// What opening or rebuilding did, for the messages on stderr.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub built: bool,
    pub rebuilt: bool,
    pub quads: usize,
    pub user_graphs_kept: Vec<String>,
}

fn storage_error(path: &Path, e: StorageError) -> Error {
    let message = one_line(&e.to_string());
    if message.to_lowercase().contains("lock") {
        Error::StoreInUse {
            path: path.to_path_buf(),
        }
    } else {
        Error::Storage {
            path: path.to_path_buf(),
            message,
        }
    }
}

/// A parser error as `FILE:LINE:COLUMN: message`.
pub fn parse_error(place: &str, e: RdfSyntaxError) -> Error {
    let message = e.to_string();
    // Oxigraph's messages start with "Parser error at line L column C: …"; the place says that already.
    let message = match message.split_once(": ") {
        Some((head, rest)) if head.starts_with("Parser error") => rest.to_owned(),
        _ => message,
    };
    match e.location() {
        Some(range) => Error::Syntax {
            place: place.to_owned(),
            line: range.start.line + 1,
            column: range.start.column + 1,
            message: one_line(&message),
        },
        None => Error::invalid(place, one_line(&message)),
    }
}

fn spinner(message: &str) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {pos} quads").unwrap());
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

impl KgStore {
    /// Open the store at `path`, building it from the bundled data when it does not exist and rebuilding the
    /// bundle's graphs when it was built by another version. Messages about that go to stderr.
    ///
    /// When another process holds the store (a running `policykg serve`), a read-only snapshot is opened
    /// instead if `allow_snapshot`; writers pass false and get [`Error::StoreInUse`].
    pub fn open(path: &Path, allow_snapshot: bool) -> Result<Self> {
        if path.is_file() {
            return Err(Error::BadStorePath {
                path: path.to_path_buf(),
                reason: "is a file, not a store directory; pass --store with a directory path"
                    .into(),
            });
        }
        if path.is_dir() && !path.join("CURRENT").exists() {
            let empty = std::fs::read_dir(path)
                .map_err(|e| Error::io(path, e))?
                .next()
                .is_none();
            if !empty {
                return Err(Error::BadStorePath {
                    path: path.to_path_buf(),
                    reason: "exists and is not a policykg store (no RocksDB files in it); pass --store with a new or empty directory".into(),
                });
            }
        }
        match Store::open(path) {
            Ok(store) => {
                let kg = KgStore {
                    store,
                    path: path.to_path_buf(),
                    access: Access::ReadWrite,
                };
                let report = kg.ensure_current()?;
                if report.built {
                    eprintln!(
                        "policykg: built the store at {} from the bundled data ({} quads)",
                        path.display(),
                        report.quads
                    );
                } else if report.rebuilt {
                    eprintln!(
                        "policykg: the store at {} was built by another version: rebuilt its bundled graphs ({} quads); kept {} graph(s) you loaded{}",
                        path.display(),
                        report.quads,
                        report.user_graphs_kept.len(),
                        if report.user_graphs_kept.is_empty() { String::new() } else { format!(": {}", report.user_graphs_kept.join(", ")) }
                    );
                }
                Ok(kg)
            }
            Err(e) => {
                let error = storage_error(path, e);
                if !(allow_snapshot && matches!(error, Error::StoreInUse { .. })) {
                    return Err(error);
                }
                let store = Store::open_read_only(path).map_err(|e| storage_error(path, e))?;
                let kg = KgStore {
                    store,
                    path: path.to_path_buf(),
                    access: Access::Snapshot,
                };
                if kg.stored_fingerprint()?.as_deref() != Some(bundle::fingerprint().as_str()) {
                    return Err(Error::StoreInUse {
                        path: path.to_path_buf(),
                    });
                }
                Ok(kg)
            }
        }
    }

    /// An in-memory store built from the bundled data (tests, benchmarks, one-off exports).
    pub fn in_memory() -> Result<Self> {
        let store = Store::new().map_err(|e| storage_error(Path::new(":memory:"), e))?;
        let kg = KgStore {
            store,
            path: PathBuf::from(":memory:"),
            access: Access::ReadWrite,
        };
        kg.ensure_current()?;
        Ok(kg)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn access(&self) -> Access {
        self.access
    }

    fn stored_fingerprint(&self) -> Result<Option<String>> {
        let subject = store_node();
        let graph = vocab::meta_graph();
        let quad = self
            .store
            .quads_for_pattern(
                Some(subject.as_ref().into()),
                Some(fingerprint_property().as_ref()),
                None,
                Some(GraphNameRef::NamedNode(graph.as_ref())),
            )
            .next()
            .transpose()
            .map_err(|e| storage_error(&self.path, e))?;
        Ok(quad.and_then(|q| match q.object {
            oxigraph::model::Term::Literal(l) => Some(l.value().to_owned()),
            _ => None,
        }))
    }

    fn ensure_current(&self) -> Result<BuildReport> {
        let current = bundle::fingerprint();
        match self.stored_fingerprint()? {
            Some(f) if f == current => Ok(BuildReport::default()),
            Some(_) => {
                let mut report = self.rebuild_bundle(false)?;
                report.rebuilt = true;
                Ok(report)
            }
            None => {
                let mut report = self.rebuild_bundle(false)?;
                report.built = true;
                Ok(report)
            }
        }
    }

    /// The named graphs a user loaded (not the bundle's).
    pub fn user_graphs(&self) -> Result<Vec<String>> {
        let mut graphs = Vec::new();
        for g in self.store.named_graphs() {
            let g = g.map_err(|e| storage_error(&self.path, e))?;
            let name = match &g {
                NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
            };
            if !vocab::is_bundled_graph(&name) {
                graphs.push(name);
            }
        }
        Ok(graphs)
    }

    /// Replace the bundle's graphs with a fresh compilation of the bundled data, in one transaction.
    /// With `drop_user_graphs`, the graphs users loaded go too (`policykg load --fresh`).
    pub fn rebuild_bundle(&self, drop_user_graphs: bool) -> Result<BuildReport> {
        self.require_write()?;
        let compiled = seeds::compile_bundled()?;
        let bar = spinner("building the store from the bundled data");
        let fingerprint = Quad::new(
            store_node(),
            fingerprint_property(),
            Literal::new_simple_literal(bundle::fingerprint()),
            GraphName::NamedNode(vocab::meta_graph()),
        );
        let empty = self
            .store
            .is_empty()
            .map_err(|e| storage_error(&self.path, e))?;
        let mut kept = Vec::new();
        if empty {
            // A new store: the bulk loader is several times faster and still atomic until it commits.
            let mut loader = self.store.bulk_loader();
            loader
                .load_quads(compiled.quads.iter().cloned().chain([fingerprint]))
                .map_err(|e| storage_error(&self.path, e))?;
            loader.commit().map_err(|e| storage_error(&self.path, e))?;
        } else {
            let mut transaction = self
                .store
                .start_transaction()
                .map_err(|e| storage_error(&self.path, e))?;
            let graphs: Vec<NamedOrBlankNode> = transaction
                .named_graphs()
                .collect::<Result<_, _>>()
                .map_err(|e| storage_error(&self.path, e))?;
            for g in graphs {
                let bundled = matches!(&g, NamedOrBlankNode::NamedNode(n) if vocab::is_bundled_graph(n.as_str()));
                if bundled || drop_user_graphs {
                    transaction
                        .remove_named_graph(g.as_ref())
                        .map_err(|e| storage_error(&self.path, e))?;
                } else {
                    kept.push(g.to_string());
                }
            }
            if drop_user_graphs {
                transaction
                    .clear_graph(GraphNameRef::DefaultGraph)
                    .map_err(|e| storage_error(&self.path, e))?;
            }
            for (i, quad) in compiled.quads.iter().enumerate() {
                transaction.insert(quad);
                if i % 4096 == 0 {
                    bar.set_position(i as u64);
                }
            }
            transaction.insert(&fingerprint);
            transaction
                .commit()
                .map_err(|e| storage_error(&self.path, e))?;
        }
        // Flush the write-ahead log into table files, so that later processes open the store without replaying it.
        self.store
            .flush()
            .map_err(|e| storage_error(&self.path, e))?;
        bar.finish_and_clear();
        Ok(BuildReport {
            built: false,
            rebuilt: false,
            quads: compiled.quads.len() + 1,
            user_graphs_kept: kept,
        })
    }

    fn require_write(&self) -> Result<()> {
        match self.access {
            Access::ReadWrite => Ok(()),
            Access::Snapshot => Err(Error::StoreInUse {
                path: self.path.clone(),
            }),
        }
    }

    /// Load RDF files (or every RDF file under a directory) in one transaction. Triples go into a named graph
    /// named after the file (its `file://` URL); the named graphs of dataset formats keep their names. Every file is
    /// parsed completely before anything is written, so a syntax error anywhere leaves the store untouched.
    pub fn load(&self, paths: &[PathBuf], format: Option<Format>) -> Result<LoadReport> {
        self.require_write()?;
        let mut files = Vec::new();
        for path in paths {
            collect_rdf_files(path, format.is_some(), &mut files)?;
        }
        if files.is_empty() {
            return Err(Error::Usage(
                "no RDF files to load (known extensions: .ttl .trig .nt .nq .rdf .owl .xml .jsonld)".into(),
            ));
        }
        let bar = spinner("parsing");
        let mut quads = Vec::new();
        let mut per_file = Vec::new();
        for file in &files {
            let rdf_format = match format {
                Some(f) => f.rdf_format().ok_or_else(|| {
                    Error::Usage(format!(
                        "{} is not an RDF format: use {}",
                        f.name(),
                        Format::RDF_INPUTS
                    ))
                })?,
                None => format_from_extension(file)?,
            };
            let parsed = parse_file(file, rdf_format)?;
            per_file.push((file.display().to_string(), parsed.len()));
            quads.extend(parsed);
            bar.set_position(quads.len() as u64);
        }
        bar.set_message("writing");
        let mut transaction = self
            .store
            .start_transaction()
            .map_err(|e| storage_error(&self.path, e))?;
        for quad in &quads {
            transaction.insert(quad);
        }
        transaction
            .commit()
            .map_err(|e| storage_error(&self.path, e))?;
        bar.finish_and_clear();
        Ok(LoadReport {
            files: per_file,
            quads: quads.len(),
        })
    }
}

/// What a load added.
#[derive(Debug)]
pub struct LoadReport {
    pub files: Vec<(String, usize)>,
    pub quads: usize,
}

fn store_node() -> NamedNode {
    NamedNode::new_unchecked(format!("{}store", vocab::BASE))
}
fn fingerprint_property() -> NamedNode {
    vocab::ns(vocab::DCTERMS, "hasVersion")
}

fn collect_rdf_files(path: &Path, explicit_format: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || explicit_format || format_from_extension(&entry).is_ok() {
                collect_rdf_files(&entry, explicit_format, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

fn format_from_extension(path: &Path) -> Result<RdfFormat> {
    let format = match extension(path).to_ascii_lowercase().as_str() {
        "ttl" => RdfFormat::Turtle,
        "trig" => RdfFormat::TriG,
        "nt" => RdfFormat::NTriples,
        "nq" => RdfFormat::NQuads,
        "rdf" | "owl" | "xml" => RdfFormat::RdfXml,
        "jsonld" | "json" => RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        },
        _ => {
            return Err(Error::invalid(
                path.display().to_string(),
                "unknown RDF file extension; use .ttl .trig .nt .nq .rdf .owl .xml .jsonld .json or pass --format",
            ))
        }
    };
    Ok(format)
}

/// The `file://` URL naming a loaded file's graph.
pub fn file_graph_name(path: &Path) -> Result<NamedNode> {
    let absolute = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let mut url = String::from("file://");
    for c in absolute.to_string_lossy().chars() {
        match c {
            ' ' => url.push_str("%20"),
            '%' => url.push_str("%25"),
            '#' => url.push_str("%23"),
            '?' => url.push_str("%3F"),
            '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`' => {
                url.push_str(&format!("%{:02X}", c as u32))
            }
            c => url.push(c),
        }
    }
    NamedNode::new(url).map_err(|e| Error::invalid(path.display().to_string(), e.to_string()))
}

/// Parse a whole RDF file into quads, with `FILE:LINE:COLUMN` errors.
pub fn parse_file(path: &Path, format: RdfFormat) -> Result<Vec<Quad>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let place = path.display().to_string();
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let valid = std::str::from_utf8(valid).expect("prefix is valid");
            return Err(Error::syntax_at(
                place,
                valid,
                valid.len(),
                "invalid UTF-8: RDF files must be UTF-8",
            ));
        }
    };
    let graph = file_graph_name(path)?;
    // The file's default graph becomes a named graph named after the file (queries see the union of named
    // graphs); the named graphs of TriG, N-Quads and JSON-LD files keep their names.
    let parser = RdfParser::from_format(format)
        .with_base_iri(graph.as_str())
        .map_err(|e| Error::invalid(&place, e.to_string()))?
        .with_default_graph(graph);
    let mut quads = Vec::new();
    for quad in parser.rename_blank_nodes().for_slice(text.as_bytes()) {
        quads.push(quad.map_err(|e| parse_error(&place, e))?);
    }
    Ok(quads)
}
