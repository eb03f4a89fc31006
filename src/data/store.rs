//! The embedded Oxigraph store: where it lives, how it is built from the bundled data, and how users add files.
//!
//! Layout of a store: the bundle owns every named graph under `https://w3id.org/policykg/graph/` (ontology,
//! catalogue, one graph per source document, inferred facts, meta); anything else was loaded by a user. When the
//! binary's bundle changes, the bundle's graphs are replaced in one transaction and the user's graphs are kept.
//! Every write is atomic (one transaction, or a bulk load ingested at once) and flushed: a failed or killed load
//! leaves the store as it was, and the next process does not replay a write-ahead log.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Quad};
use oxigraph::store::{StorageError, Store};

use crate::data::bundle;
use crate::data::entail;
use crate::data::labels;
use crate::data::rdf::{format_from_extension, parse_files, rdf_files, RdfSource};
use crate::data::seeds;
use crate::model::error::{Error, Result};
use crate::model::format::RdfInput;
use crate::model::report::{Reporter, Silent};
use crate::model::vocab;

/// The store location when neither `--store` nor `POLICYKG_STORE` is given:
/// `$XDG_DATA_HOME/policykg/store`, else `~/.local/share/policykg/store`. With neither variable set there is no
/// sensible place (writing into the working directory would scatter stores), so the caller must name one.
pub fn default_store_path() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("policykg").join("store"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(home).join(".local/share/policykg/store"));
    }
    Err(Error::Usage(
        "no store location: neither HOME nor XDG_DATA_HOME is set; pass --store DIR or set POLICYKG_STORE".into(),
    ))
}

/// How a store was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// This process holds the store's lock and may write.
    ReadWrite,
    /// Another process holds the lock: a consistent snapshot as of opening, read-only.
    Snapshot,
}

/// An opened policykg store. Clones share the same open store.
#[derive(Clone)]
pub struct KgStore {
    store: Store,
    path: PathBuf,
    access: Access,
    /// A snapshot's [`state_of`] its folder, taken just before it was opened (another process may write after).
    opened_state: Option<String>,
}

/// What opening or rebuilding did, for the messages on stderr.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// The store was built from nothing.
    pub built: bool,
    /// The bundle's graphs were replaced (the store was built by another version).
    pub rebuilt: bool,
    /// How many quads the bundle's graphs hold now.
    pub quads: usize,
    /// The graphs a user loaded that were kept.
    pub user_graphs_kept: Vec<String>,
}

fn storage_error(path: &Path, e: StorageError) -> Error {
    Error::Storage {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Is another process holding the store's RocksDB lock? RocksDB locks `LOCK` with a POSIX record lock, which
/// `F_GETLK` can test without taking it, so a store in use is recognised by the lock itself rather than by the
/// wording of an error message.
fn locked_by_another_process(path: &Path) -> bool {
    lock_holder(path).is_some()
}

/// The process holding the store's lock, if another one does (its pid, from `F_GETLK`).
#[cfg(unix)]
fn lock_holder(path: &Path) -> Option<libc::pid_t> {
    use std::os::fd::AsRawFd;
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path.join("LOCK"))
    else {
        return None;
    };
    // SAFETY: `flock` is a plain C struct for which all-zero is a valid value; fcntl only reads and writes it.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    // SAFETY: the descriptor is open for the duration of the call and `lock` is a valid, exclusive pointer.
    let status = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
    (status == 0 && lock.l_type != libc::F_UNLCK as libc::c_short).then_some(lock.l_pid)
}

#[cfg(not(unix))]
fn lock_holder(_: &Path) -> Option<i32> {
    None
}

/// The error for a store another process holds, naming that process (`pid 4242: policykg serve`).
fn in_use(path: &Path) -> Error {
    let holder = lock_holder(path).map(|pid| {
        let command = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| command_name(&c))
            .unwrap_or_default();
        if command.is_empty() {
            format!("pid {pid}")
        } else {
            format!("pid {pid}: {command}")
        }
    });
    Error::StoreInUse {
        path: path.to_path_buf(),
        holder,
    }
}

/// A process's program and subcommand from its NUL-separated command line: `policykg serve` for
/// `/usr/bin/policykg --store /data/kg serve --bind …` (the program's file name, then its first word that is
/// neither an option nor the value of `--store`).
fn command_name(cmdline: &[u8]) -> String {
    let mut words = cmdline
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(String::from_utf8_lossy);
    let Some(program) = words.next() else {
        return String::new();
    };
    let program = program.rsplit('/').next().unwrap_or_default().to_owned();
    let mut takes_value = false;
    let subcommand = words.find(|w| {
        let value = takes_value;
        takes_value = w.as_ref() == "--store";
        !value && !w.starts_with('-')
    });
    match subcommand {
        Some(sub) => format!("{program} {sub}"),
        None => program,
    }
}

/// The soft descriptor limit a snapshot of a store with `tables` table files is opened under: Oxigraph's minimum
/// (96) for a store of up to 32 tables, else room in the table cache for four times its tables.
///
/// At open, RocksDB loads each column family's table readers with 16 threads (`max_file_opening_threads`) until
/// its table cache is a quarter full, at most 16 tables; Oxigraph sizes that cache from the process's descriptor
/// limit (limit − 48, of which RocksDB keeps 10) and its read-only open takes no options. With the usual limits a
/// cold process started 184 threads to open the bundle's 20 small files, a quarter of its time; under a limit of
/// 96 it stops after 9 tables (79 threads), and the 38 tables the cache then holds are room enough for the bundle.
/// A large store needs more: the cache is split by hash into 64 shards, and a full shard closes a table that the
/// next lookup opens again (a `describe` beside 10M loaded quads, 113 tables, opened 1,081 files and took 130 ms
/// under the minimum; 70 ms with room for four times its tables, 64 ms with no limit).
fn snapshot_descriptors(tables: usize) -> u64 {
    match tables as u64 {
        0..=32 => 96,
        more => 58 + 4 * more,
    }
}

/// Whether this process runs one thread (Linux's `/proc/self/status`; false where that cannot be read).
fn single_threaded() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .any(|line| line.split_whitespace().eq(["Threads:", "1"]))
    })
}

/// Run `open` with the soft `RLIMIT_NOFILE` lowered to `limit` (when it is higher), and restore it after: the
/// only way to size the table cache of Oxigraph's read-only open. The limit is the process's, so it is lowered
/// only while the process runs one thread (a command opening its store), never where another thread could be
/// opening files (the test harness, a server).
fn with_descriptor_limit<T>(limit: u64, open: impl FnOnce() -> T) -> T {
    let mut before = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by reference.
    let lowered = single_threaded()
        && unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut before) } == 0
        && before.rlim_cur > limit
        && unsafe {
            libc::setrlimit(
                libc::RLIMIT_NOFILE,
                &libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: before.rlim_max,
                },
            )
        } == 0;
    let opened = open();
    if lowered {
        // SAFETY: as above; the previous soft limit is at most the unchanged hard limit.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &before) };
    }
    opened
}

impl KgStore {
    /// Open the store at `path`, building it from the bundled data when it does not exist and rebuilding the
    /// bundle's graphs when it was built by another version. Messages about that go to stderr.
    ///
    /// Readers (`allow_snapshot`) get a read-only snapshot that takes no lock; writers pass false, hold the lock,
    /// and get [`Error::StoreInUse`] naming the process that holds it.
    pub fn open(path: &Path, allow_snapshot: bool, reporter: &dyn Reporter) -> Result<Self> {
        if path.is_file() {
            return Err(Error::BadStorePath {
                path: path.to_path_buf(),
                reason: "is a file, not a store directory; pass --store with a directory path"
                    .into(),
            });
        }
        if !path.join("CURRENT").exists() {
            if locked_by_another_process(path) {
                // An older policykg building in place right now.
                return Err(in_use(path));
            }
            if path.is_dir() && !is_empty_dir(path)? && !is_half_built(path)? {
                return Err(Error::BadStorePath {
                    path: path.to_path_buf(),
                    reason: "exists and is not a policykg store (no RocksDB files in it); pass --store with a new or empty directory".into(),
                });
            }
            Self::build_new(path, reporter)?;
        }
        // Readers take a read-only snapshot and never hold the lock, so a running query blocks neither `serve` nor
        // `load`. A store built by another bundle falls through to the writable open, which rebuilds it.
        if !locked_by_another_process(path) {
            // Table files of a bulk load that was killed: no writer holds the store, so none is loading.
            remove_abandoned_bulk_files(path);
        }
        if allow_snapshot {
            if let Ok(kg) = Self::open_snapshot(path) {
                return Ok(kg);
            }
        }
        if locked_by_another_process(path) {
            return if allow_snapshot {
                Self::open_snapshot(path)
            } else {
                Err(in_use(path))
            };
        }
        match Store::open(path) {
            Ok(store) => {
                remove_abandoned_bulk_files(path);
                let kg = KgStore {
                    store,
                    path: path.to_path_buf(),
                    access: Access::ReadWrite,
                    opened_state: None,
                };
                let report = kg.ensure_current(reporter)?;
                report_build(path, &report, reporter);
                Ok(kg)
            }
            // Another process took the lock between the check and the open.
            Err(_) if locked_by_another_process(path) => {
                if allow_snapshot {
                    Self::open_snapshot(path)
                } else {
                    Err(in_use(path))
                }
            }
            Err(e) => Err(storage_error(path, e)),
        }
    }

    /// Build a new store at `path` (which does not exist, is empty, or holds a build that was interrupted): in a
    /// sibling temporary folder, renamed into place when complete, so that a build killed at any moment leaves
    /// either no store or a whole one. A process building the same store at the same time wins or loses the rename;
    /// the loser discards its copy and uses the winner's.
    fn build_new(path: &Path, reporter: &dyn Reporter) -> Result<()> {
        // A link to a folder is kept: the store is built where it leads.
        let path = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?
            }
            _ => path.to_path_buf(),
        };
        let path = path.as_path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "store".into());
        // RocksDB does not create parent folders (`~/.local/share` does not exist on a fresh machine).
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let prefix = format!(".{name}.building-");
        remove_abandoned_builds(&parent, &prefix);
        let staging = tempfile::Builder::new()
            .prefix(&format!("{prefix}{}-", std::process::id()))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        let report = {
            let store = Store::open(staging.path()).map_err(|e| storage_error(path, e))?;
            let kg = KgStore {
                store,
                path: staging.path().to_path_buf(),
                access: Access::ReadWrite,
                opened_state: None,
            };
            kg.rebuild_bundle(false, reporter)?
            // The store closes here, before its folder moves.
        };
        if is_half_built(path).unwrap_or(false) {
            std::fs::remove_dir_all(path).map_err(|e| Error::io(path, e))?;
        }
        match std::fs::rename(staging.path(), path) {
            Ok(()) => {
                // The folder is no longer there to delete.
                let _ = staging.keep();
                report_build(
                    path,
                    &BuildReport {
                        built: true,
                        ..report
                    },
                    reporter,
                );
                Ok(())
            }
            // Another process finished first; `staging` is deleted when dropped.
            Err(_) if path.join("CURRENT").exists() => Ok(()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// A read-only snapshot of a store another process holds; refused when that store was built by another
    /// bundle, since this process could not rebuild it.
    fn open_snapshot(path: &Path) -> Result<Self> {
        // The state before the snapshot: a write in between makes the folder's state newer than this one, so
        // what is derived from the snapshot is never kept under a state it does not show.
        let files = data_files(path);
        let opened_state = files.as_deref().and_then(|files| state_from(path, files));
        let tables = files.map_or(0, |files| {
            files.iter().filter(|f| f.contains(".sst:")).count()
        });
        let limit = snapshot_descriptors(tables);
        let store = with_descriptor_limit(limit, || Store::open_read_only(path))
            .map_err(|e| storage_error(path, e))?;
        let kg = KgStore {
            store,
            path: path.to_path_buf(),
            access: Access::Snapshot,
            opened_state,
        };
        if kg.stored_fingerprint()?.as_deref() != Some(bundle::fingerprint()) {
            return Err(in_use(path));
        }
        // A load killed before its entailment: the writable open repairs it (unless a load is under way).
        if entail::is_stale(&kg.store)? && !locked_by_another_process(path) {
            return Err(in_use(path));
        }
        Ok(kg)
    }

    /// An in-memory store built from the bundled data (tests, benchmarks, one-off exports).
    pub fn in_memory() -> Result<Self> {
        let store = Store::new().map_err(|e| storage_error(Path::new(":memory:"), e))?;
        let kg = KgStore {
            store,
            path: PathBuf::from(":memory:"),
            access: Access::ReadWrite,
            opened_state: None,
        };
        kg.ensure_current(&Silent)?;
        Ok(kg)
    }

    /// The Oxigraph store, for queries.
    pub fn store(&self) -> &Store {
        &self.store
    }
    /// The store's folder, `None` for an in-memory store.
    pub fn folder(&self) -> Option<&Path> {
        Some(self.path.as_path()).filter(|p| p.as_os_str() != ":memory:")
    }
    /// The store's folder (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Whether this process may write.
    pub fn access(&self) -> Access {
        self.access
    }

    /// A fingerprint of everything stored, which changes with every write (see [`state_of`]); `None` for an
    /// in-memory store or an unreadable folder. What is derived from the store is kept under it.
    pub fn state(&self) -> Option<String> {
        match self.access {
            Access::Snapshot => self.opened_state.clone(),
            // This process holds the lock: no other process writes, and its own writes show in the folder.
            Access::ReadWrite => self.folder().and_then(state_of),
        }
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

    fn ensure_current(&self, reporter: &dyn Reporter) -> Result<BuildReport> {
        let current = bundle::fingerprint();
        match self.stored_fingerprint()? {
            Some(f) if f == current => {
                if entail::is_stale(&self.store)? {
                    self.refresh_entailed()?;
                    self.flush()?;
                }
                Ok(BuildReport::default())
            }
            Some(_) => {
                let mut report = self.rebuild_bundle(false, reporter)?;
                report.rebuilt = true;
                Ok(report)
            }
            None => {
                let mut report = self.rebuild_bundle(false, reporter)?;
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
    pub fn rebuild_bundle(
        &self,
        drop_user_graphs: bool,
        reporter: &dyn Reporter,
    ) -> Result<BuildReport> {
        self.rebuild_bundle_with(drop_user_graphs, &[], reporter)
    }

    /// `load --fresh FILES`: drop every loaded graph, rebuild the bundle's graphs and add the files, all in the one
    /// transaction of [`KgStore::rebuild_bundle`], so that a kill at any moment leaves the old content or the new,
    /// never the bundle alone (a rebuild committed, then a separate load killed). The files' quads are held in
    /// memory for that transaction; `load --fresh` then `load FILES` streams instead, as two atomic steps.
    pub fn fresh_load(
        &self,
        paths: &[PathBuf],
        format: Option<RdfInput>,
        reporter: &dyn Reporter,
    ) -> Result<(BuildReport, LoadReport)> {
        self.require_write()?;
        let mut quads = Vec::new();
        let mut files = Vec::new();
        for (file, parsed) in parse_files(paths, format)? {
            files.push((file.display().to_string(), parsed.len()));
            quads.extend(parsed);
        }
        let built = self.rebuild_bundle_with(true, &quads, reporter)?;
        let mut graphs: Vec<NamedNode> = quads
            .iter()
            .filter_map(|q| match &q.graph_name {
                GraphName::NamedNode(g) => Some(g.clone()),
                _ => None,
            })
            .collect();
        graphs.sort();
        graphs.dedup();
        let loaded = LoadReport {
            files,
            quads: quads.len(),
            graphs,
        };
        Ok((built, loaded))
    }

    /// [`KgStore::rebuild_bundle`] with `extra` quads written in the same transaction (and entailed with the bundle).
    fn rebuild_bundle_with(
        &self,
        drop_user_graphs: bool,
        extra: &[Quad],
        reporter: &dyn Reporter,
    ) -> Result<BuildReport> {
        self.require_write()?;
        let compiled = seeds::compile_bundled()?;
        let bar = reporter.start("building the store from the bundled data");
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
        let mut fresh = compiled.quads.clone();
        fresh.extend_from_slice(extra);
        let entailed = self.entailed_with(&fresh, drop_user_graphs || empty)?;
        let kept = if empty {
            // A new store: the bulk loader is several times faster and still atomic until it commits.
            let mut loader = self.store.bulk_loader();
            loader
                .load_quads(fresh.iter().chain(&entailed).cloned())
                .map_err(|e| storage_error(&self.path, e))?;
            loader.commit().map_err(|e| storage_error(&self.path, e))?;
            Vec::new()
        } else {
            self.replace_in_transaction(fresh.iter().chain(&entailed), drop_user_graphs, &*bar)?
        };
        let metadata = self.finish_build(fingerprint)?;
        self.flush()?;
        if let Some(folder) = self.folder() {
            labels::refresh(&self.store, folder)?;
        }
        drop(bar);
        Ok(BuildReport {
            built: false,
            rebuilt: false,
            quads: compiled.quads.len() + entailed.len() + metadata + 1,
            user_graphs_kept: kept,
        })
    }

    /// Make the bundle's graphs (and, with `drop_user_graphs`, the whole store) hold exactly `wanted`, in one
    /// transaction, and name the loaded graphs kept. Only the difference is written: a quad already stored is
    /// neither removed nor inserted again. Oxigraph writes every insert and removal to each of its indexes in an
    /// indexed write batch, so removing and re-inserting the whole bundle cost about 17 s of CPU for a rebuild
    /// that usually changes nothing; reading what is stored and checking each wanted quad costs a second.
    fn replace_in_transaction<'q>(
        &self,
        wanted: impl Iterator<Item = &'q Quad> + Clone,
        drop_user_graphs: bool,
        bar: &dyn crate::model::report::Progress,
    ) -> Result<Vec<String>> {
        let failed = |e| storage_error(&self.path, e);
        let mut transaction = self.store.start_transaction().map_err(failed)?;
        let keep: HashSet<&Quad> = wanted.clone().collect();
        let wanted_graphs: HashSet<&GraphName> = keep.iter().map(|q| &q.graph_name).collect();
        let graphs: Vec<NamedOrBlankNode> = transaction
            .named_graphs()
            .collect::<Result<_, _>>()
            .map_err(failed)?;
        let mut kept = Vec::new();
        let mut stale = Vec::new();
        for g in graphs {
            let bundled =
                matches!(&g, NamedOrBlankNode::NamedNode(n) if vocab::is_bundled_graph(n.as_str()));
            if bundled {
                for quad in transaction.quads_for_pattern(None, None, None, Some(g.as_ref().into()))
                {
                    let quad = quad.map_err(failed)?;
                    if !keep.contains(&quad) {
                        stale.push(quad);
                    }
                }
                if !wanted_graphs.contains(&GraphName::from(g.clone())) {
                    transaction.remove_named_graph(g.as_ref()).map_err(failed)?;
                }
            } else if drop_user_graphs {
                transaction.remove_named_graph(g.as_ref()).map_err(failed)?;
            } else {
                kept.push(g.to_string());
            }
        }
        if drop_user_graphs {
            transaction
                .clear_graph(GraphNameRef::DefaultGraph)
                .map_err(failed)?;
        }
        for quad in &stale {
            transaction.remove(quad);
        }
        for (i, quad) in wanted.enumerate() {
            if !transaction.contains(quad).map_err(failed)? {
                transaction.insert(quad);
            }
            if i % 4096 == 0 {
                bar.set(i as u64);
            }
        }
        transaction.commit().map_err(failed)?;
        Ok(kept)
    }

    /// The last step of a build: the rules' metadata (which read the stored graph, see [`entail::apply_rules`])
    /// and the fingerprint that marks the store as built, in one transaction, so that a build stopped before it
    /// is done again by the next process. Returns how many metadata quads were added.
    fn finish_build(&self, fingerprint: Quad) -> Result<usize> {
        let metadata = entail::apply_rules(&self.store)?;
        let mut transaction = self
            .store
            .start_transaction()
            .map_err(|e| storage_error(&self.path, e))?;
        let mut added = 0;
        for quad in &metadata {
            let stored = transaction
                .contains(quad)
                .map_err(|e| storage_error(&self.path, e))?;
            if !stored {
                transaction.insert(quad);
                added += 1;
            }
        }
        transaction.insert(&fingerprint);
        transaction
            .commit()
            .map_err(|e| storage_error(&self.path, e))?;
        Ok(added)
    }

    /// What the bundle's quads entail together with the graphs users loaded (unless they are being dropped).
    fn entailed_with(&self, bundle: &[Quad], bundle_only: bool) -> Result<Vec<Quad>> {
        if bundle_only {
            return Ok(entail::entail(bundle));
        }
        let mut quads: Vec<Quad> = bundle.to_vec();
        for quad in self.store.iter() {
            let quad = quad.map_err(|e| storage_error(&self.path, e))?;
            let bundled = matches!(&quad.graph_name, GraphName::NamedNode(n) if vocab::is_bundled_graph(n.as_str()));
            if !bundled {
                quads.push(quad);
            }
        }
        Ok(entail::entail(&quads))
    }

    /// Recompute the entailed graph (`pkg:entailed`) from everything stored, replacing it in one transaction:
    /// called after every load, so that loaded data answers in standard terms too.
    pub fn refresh_entailed(&self) -> Result<()> {
        self.require_write()?;
        entail::refresh(&self.store)
    }

    /// Write what was committed from the write-ahead log into table files. Every write path calls it (building,
    /// `load`, `load --fresh`; the server after an update): without it RocksDB leaves the log to the next process,
    /// which replays it when it opens the store (318 s for the first command after a 5M-quad load).
    pub fn flush(&self) -> Result<()> {
        if self.path.as_os_str() == ":memory:" {
            return Ok(());
        }
        self.store.flush().map_err(|e| storage_error(&self.path, e))
    }

    fn require_write(&self) -> Result<()> {
        match self.access {
            Access::ReadWrite => Ok(()),
            Access::Snapshot => Err(in_use(&self.path)),
        }
    }

    /// Load RDF files (or every RDF file under a directory) atomically. Triples go into a named graph named after
    /// the file (its `file://` URL); the named graphs of dataset formats keep their names. Every file is parsed
    /// straight into Oxigraph's bulk loader, which makes nothing visible until it commits everything at once, so a
    /// syntax error anywhere leaves the store untouched. No quad is kept in memory beyond the loader's batches.
    pub fn load(
        &self,
        paths: &[PathBuf],
        format: Option<RdfInput>,
        reporter: &dyn Reporter,
    ) -> Result<LoadReport> {
        self.require_write()?;
        let files = rdf_files(paths, format)?;
        // One pass: each file is parsed straight into Oxigraph's bulk loader, which writes table files beside the
        // store and ingests them all at once when it commits (one RocksDB ingestion over every column family).
        // A syntax error, an empty or truncated file, or a kill anywhere before the commit drops the loader and
        // its files, so the store is left as it was; errors name FILE:LINE:COLUMN.
        let bar = reporter.start("loading");
        let mut per_file = Vec::new();
        let mut loader = self.store.bulk_loader();
        let mut done = 0u64;
        let mut graphs = std::collections::BTreeSet::new();
        for file in &files {
            let rdf_format = match format {
                Some(f) => f.rdf_format(),
                None => format_from_extension(file)?,
            };
            let source = RdfSource::open(file, rdf_format)?;
            let before = done;
            let quads = source.quads().inspect(|q| {
                if let Ok(Quad {
                    graph_name: GraphName::NamedNode(g),
                    ..
                }) = q
                {
                    // A name is copied once, when first seen: a file's quads may take turns between graphs.
                    if !graphs.contains(g) {
                        graphs.insert(g.clone());
                    }
                }
                done += 1;
                if done.is_multiple_of(PROGRESS_STEP as u64) {
                    bar.set(done);
                }
            });
            loader
                .load_ok_quads::<Error, LoadFailure>(quads)
                .map_err(|e| e.into_error(&self.path))?;
            let count = usize::try_from(done - before).unwrap_or(usize::MAX);
            source.finish(count)?;
            per_file.push((file.display().to_string(), count));
        }
        let total = done;
        // Committed with the data: the entailed graph is stale until the refresh below removes it.
        loader
            .load_quads([entail::stale_marker()])
            .map_err(|e| storage_error(&self.path, e))?;
        loader.commit().map_err(|e| storage_error(&self.path, e))?;
        bar.set(done);
        bar.stage("entailing");
        self.refresh_entailed()?;
        bar.stage("flushing");
        self.flush()?;
        if total > COMPACT_ABOVE {
            bar.stage("merging the loaded tables");
            self.store
                .optimize()
                .map_err(|e| storage_error(&self.path, e))?;
        }
        drop(bar);
        Ok(LoadReport {
            files: per_file,
            quads: usize::try_from(total).unwrap_or(usize::MAX),
            graphs: graphs.into_iter().collect(),
        })
    }
}

/// How many quads between two progress updates.
const PROGRESS_STEP: usize = 65_536;

/// The largest load left as the bulk loader wrote it; a larger one is merged (RocksDB's compaction) before `load`
/// returns. The loader writes one table per column family per million quads, and each spans every key, so every
/// lookup of a cold process reads the index block of each (384 KB for a 40 MB table): beside 10M loaded quads
/// (ten tables per index) `describe 苏服办` took 61 ms against 21 on the bundle alone, and 33 ms once merged. The
/// merge costs about 24 s per million quads on two cores, more than a few tables cost, so a load of up to four
/// million quads (four tables per index) is left as it is. (The unit tests merge from 50,000.)
const COMPACT_ABOVE: u64 = if cfg!(test) { 50_000 } else { 4_000_000 };

/// Why the bulk loader stopped: the storage, or the file (changed since it was checked).
enum LoadFailure {
    Storage(StorageError),
    File(Error),
}

impl From<StorageError> for LoadFailure {
    fn from(e: StorageError) -> Self {
        LoadFailure::Storage(e)
    }
}

impl From<Error> for LoadFailure {
    fn from(e: Error) -> Self {
        LoadFailure::File(e)
    }
}

impl LoadFailure {
    fn into_error(self, path: &Path) -> Error {
        match self {
            LoadFailure::Storage(e) => storage_error(path, e),
            LoadFailure::File(e) => e,
        }
    }
}

/// What a load added.
#[derive(Debug)]
pub struct LoadReport {
    /// Each file loaded and the quads it held.
    pub files: Vec<(String, usize)>,
    /// The quads added in all.
    pub quads: usize,
    /// The named graphs the quads went into.
    pub graphs: Vec<NamedNode>,
}

/// Delete the table files of a bulk load that never committed (a `load` killed before the end): Oxigraph writes
/// them as `bulk-*.sst` in the store's folder and deletes them when it ingests them or gives up. Only the process
/// holding the store's lock calls this, so no other load can be under way.
fn remove_abandoned_bulk_files(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The state of a store folder: RocksDB's identity (a store deleted and built again at the same path gets a new
/// one) and the name and size of each table file and non-empty write-ahead log. RocksDB never rewrites a file:
/// tables are immutable and numbered upwards, logs only grow, so every committed write (a transaction appends to
/// the log, a bulk load adds tables, a flush or compaction writes new tables) changes the state, and no state
/// comes back. Opening a store makes an empty log, which is left out so that reading does not change the state.
fn state_of(path: &Path) -> Option<String> {
    state_from(path, &data_files(path)?)
}

/// The state of the folder `path` holding `files` (from [`data_files`]).
fn state_from(path: &Path, files: &[String]) -> Option<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(std::fs::read(path.join("IDENTITY")).ok()?);
    for file in files {
        hasher.update(file.as_bytes());
        hasher.update([0]);
    }
    Some(bundle::hex(&hasher.finalize()[..16]))
}

/// The table files and non-empty write-ahead logs of a store folder, as sorted `NAME:SIZE`.
fn data_files(path: &Path) -> Option<Vec<String>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sst") || name.ends_with(".log") {
            let len = entry.metadata().ok()?.len();
            if len > 0 {
                files.push(format!("{name}:{len}"));
            }
        }
    }
    files.sort();
    Some(files)
}

fn is_empty_dir(path: &Path) -> Result<bool> {
    Ok(std::fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .next()
        .is_none())
}

/// A folder that RocksDB started to create and never finished (a build killed by an earlier version, which built
/// in place): no `CURRENT`, and nothing in it but RocksDB's own files.
fn is_half_built(path: &Path) -> Result<bool> {
    if !path.is_dir() || path.join("CURRENT").exists() {
        return Ok(false);
    }
    let mut any = false;
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let rocksdb = matches!(name.as_ref(), "LOCK" | "LOG" | "IDENTITY")
            || ["LOG.old.", "MANIFEST-", "OPTIONS-"]
                .iter()
                .any(|p| name.starts_with(p))
            || [".log", ".sst", ".dbtmp", ".blob"]
                .iter()
                .any(|s| name.ends_with(s));
        if !rocksdb || !entry.file_type().is_ok_and(|t| t.is_file()) {
            return Ok(false);
        }
        any = true;
    }
    Ok(any)
}

/// Delete the staging folders of builds whose process is gone (killed mid-build). A folder is named
/// `.NAME.building-PID-RANDOM`; one whose process still runs is left alone.
fn remove_abandoned_builds(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(pid) = rest
            .split('-')
            .next()
            .and_then(|p| p.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        if !process_exists(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_exists(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let status = unsafe { libc::kill(pid, 0) };
    status == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_exists(_: i32) -> bool {
    true
}

fn store_node() -> NamedNode {
    NamedNode::new_unchecked(format!("{}store", vocab::BASE))
}
fn fingerprint_property() -> NamedNode {
    vocab::ns(vocab::DCTERMS, "hasVersion")
}

/// Tell the person what opening the store did: built it, or rebuilt the bundle's graphs.
fn report_build(path: &Path, report: &BuildReport, reporter: &dyn Reporter) {
    if report.built {
        reporter.message(&format!(
            "built the store at {} from the bundled data ({} quads)",
            path.display(),
            report.quads
        ));
    } else if report.rebuilt {
        let kept = &report.user_graphs_kept;
        reporter.message(&format!(
            "the store at {} was built by another version: rebuilt its bundled graphs ({} quads); kept {} graph(s) you loaded{}",
            path.display(),
            report.quads,
            kept.len(),
            if kept.is_empty() { String::new() } else { format!(": {}", kept.join(", ")) }
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_holder_is_named_by_program_and_subcommand() {
        let name = |words: &[&str]| super::command_name(words.join("\0").as_bytes());
        assert_eq!(
            name(&[
                "/opt/x/policykg",
                "--store",
                "/tmp/a/kg",
                "serve",
                "--bind",
                "127.0.0.1:0"
            ]),
            "policykg serve"
        );
        assert_eq!(name(&["policykg", "load", "--fresh"]), "policykg load");
        assert_eq!(name(&["/usr/bin/policykg", "--store=/tmp/kg"]), "policykg");
        assert_eq!(name(&[]), "");
    }

    use super::*;

    #[test]
    fn a_new_store_appears_whole_and_an_interrupted_build_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        // An older version killed mid-build: RocksDB's first files, no CURRENT.
        let store = dir.path().join("a/b/store");
        std::fs::create_dir_all(&store).unwrap();
        for file in ["LOCK", "LOG", "IDENTITY", "MANIFEST-000001", "000003.log"] {
            std::fs::write(store.join(file), b"").unwrap();
        }
        // A staging folder of a build whose process is gone (pid_max is below 2^22 on Linux).
        let abandoned = dir.path().join("a/b/.store.building-4194999-x");
        std::fs::create_dir(&abandoned).unwrap();
        let kg = KgStore::open(&store, false, &Silent).unwrap();
        assert!(kg.stored_fingerprint().unwrap().is_some());
        drop(kg);
        assert!(!abandoned.exists());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("store")]);
        // Reopening finds it built.
        KgStore::open(&store, false, &Silent).unwrap();
    }

    /// Records what a command would show.
    #[derive(Default)]
    struct Recorder(std::sync::Mutex<Vec<String>>);

    impl Reporter for Recorder {
        fn message(&self, text: &str) {
            self.0.lock().unwrap().push(text.to_owned());
        }
        fn start(&self, what: &str) -> Box<dyn crate::model::report::Progress + '_> {
            self.message(&format!("start {what}"));
            Box::new(RecorderProgress(self))
        }
    }

    struct RecorderProgress<'a>(&'a Recorder);

    impl crate::model::report::Progress for RecorderProgress<'_> {
        fn set(&self, done: u64) {
            self.0.message(&format!("set {done}"));
        }
        fn stage(&self, what: &str) {
            self.0.message(&format!("stage {what}"));
        }
    }

    fn count(kg: &KgStore, predicate: &str) -> usize {
        kg.store()
            .quads_for_pattern(
                None,
                Some(NamedNode::new(predicate).unwrap().as_ref()),
                None,
                None,
            )
            .count()
    }

    #[test]
    fn load_streams_every_file_into_the_bulk_loader_atomically_with_progress() {
        let dir = tempfile::tempdir().unwrap();
        let kg = KgStore::open(&dir.path().join("store"), false, &Silent).unwrap();
        let good = dir.path().join("good.nt");
        let mut text = String::new();
        for i in 0..100_000 {
            text.push_str(&format!("<http://e/s{i}> <http://e/p> \"{i}\" .\n"));
        }
        std::fs::write(&good, &text).unwrap();
        let bad = dir.path().join("bad.ttl");
        std::fs::write(
            &bad,
            "<http://e/a> <http://e/p> \"x\" .\n<http://e/b> <http://e/p> .\n",
        )
        .unwrap();
        let err = kg
            .load(&[good.clone(), bad.clone()], None, &Silent)
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.ttl:2:"), "{err}");
        assert_eq!(
            count(&kg, "http://e/p"),
            0,
            "nothing of a refused load is written"
        );
        let recorder = Recorder::default();
        let report = kg.load(&[good], None, &recorder).unwrap();
        assert_eq!(report.quads, 100_000);
        assert_eq!(count(&kg, "http://e/p"), 100_000);
        let seen = recorder.0.lock().unwrap().join("\n");
        for expected in [
            "start loading",
            "set 65536",
            "set 100000",
            "stage entailing",
            "stage flushing",
            "stage merging the loaded tables",
        ] {
            assert!(seen.lines().any(|l| l == expected), "{expected}: {seen}");
        }
        // A killed bulk load leaves its table files; the next writer removes them.
        std::fs::write(kg.path().join("bulk-1.sst"), b"").unwrap();
        let path = kg.path().to_path_buf();
        drop(kg);
        let kg = KgStore::open(&path, false, &Silent).unwrap();
        assert!(!path.join("bulk-1.sst").exists());
        assert_eq!(count(&kg, "http://e/p"), 100_000);
    }

    #[test]
    fn a_load_killed_before_its_entailment_is_completed_by_the_next_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let kg = KgStore::open(&path, false, &Silent).unwrap();
        let file = dir.path().join("reg.ttl");
        std::fs::write(
            &file,
            "<http://e/reg> a <https://w3id.org/policykg/ontology#LocalRegulation> .\n",
        )
        .unwrap();
        kg.load(&[file], None, &Silent).unwrap();
        let legal = Quad::new(
            NamedNode::new("http://e/reg").unwrap(),
            oxigraph::model::vocab::rdf::TYPE,
            NamedNode::new(format!("{}LegalResource", vocab::ELI)).unwrap(),
            GraphName::NamedNode(entail::entailed_graph()),
        );
        assert!(kg.store().contains(&legal).unwrap());
        assert!(!entail::is_stale(kg.store()).unwrap());
        // What a kill between the bulk load's commit and the refresh leaves.
        kg.store().remove(&legal).unwrap();
        kg.store().insert(&entail::stale_marker()).unwrap();
        kg.flush().unwrap();
        drop(kg);
        let kg = KgStore::open(&path, true, &Silent).unwrap();
        assert_eq!(kg.access(), Access::ReadWrite, "a reader repairs it first");
        assert!(kg.store().contains(&legal).unwrap());
        assert!(!entail::is_stale(kg.store()).unwrap());
    }

    #[test]
    fn a_folder_with_other_files_is_still_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        let err = KgStore::open(dir.path(), false, &Silent)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a policykg store"), "{err}");
        assert!(dir.path().join("notes.txt").exists());
    }
}
