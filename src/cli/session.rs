//! One command's view of the store: opened on first use, with the label index, resolver and graph projection
//! each built at most once per process, and only by the commands that need them.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use petgraph::graph::NodeIndex;
use policykg::data::store::{default_store_path, KgStore};
use policykg::graph::projection::Projection;
use policykg::model::vocab;
use policykg::read::resolve::Resolver;
use policykg::{Error, Result};

use super::terminal::Terminal;

/// The store and what is derived from it, built lazily.
pub(crate) struct Session {
    /// `--store DIR`, else the default; when there is no default (no HOME), the message of the error that the
    /// first command needing a store gets.
    path: std::result::Result<PathBuf, String>,
    store: OnceCell<KgStore>,
    resolver: OnceCell<Resolver>,
    projection: OnceCell<Projection>,
}

impl Session {
    /// A session on `--store DIR`, or the default store.
    pub(crate) fn new(store: Option<PathBuf>) -> Self {
        Session {
            path: store
                .map(Ok)
                .unwrap_or_else(|| default_store_path().map_err(|e| e.to_string())),
            store: OnceCell::new(),
            resolver: OnceCell::new(),
            projection: OnceCell::new(),
        }
    }

    /// The store directory.
    pub(crate) fn path(&self) -> Result<&Path> {
        match &self.path {
            Ok(path) => Ok(path),
            Err(message) => Err(Error::Usage(message.clone())),
        }
    }

    /// The store for reading: a snapshot when another process (a server) holds it.
    pub(crate) fn store(&self) -> Result<&KgStore> {
        self.open(true)
    }

    /// The store for writing: refused while another process holds it.
    pub(crate) fn writable_store(&self) -> Result<&KgStore> {
        self.open(false)
    }

    fn open(&self, allow_snapshot: bool) -> Result<&KgStore> {
        if let Some(kg) = self.store.get() {
            return Ok(kg);
        }
        let kg = KgStore::open(self.path()?, allow_snapshot, &Terminal)?;
        Ok(self.store.get_or_init(|| kg))
    }

    /// The resolver of names to entities, with its label index.
    pub(crate) fn resolver(&self) -> Result<&Resolver> {
        if let Some(r) = self.resolver.get() {
            return Ok(r);
        }
        let resolver = Resolver::new(self.store()?)?;
        Ok(self.resolver.get_or_init(|| resolver))
    }

    /// The graph projection, kept beside the store for the next process.
    pub(crate) fn projection(&self) -> Result<&Projection> {
        if let Some(p) = self.projection.get() {
            return Ok(p);
        }
        let projection = Projection::of_store(self.store()?)?;
        Ok(self.projection.get_or_init(|| projection))
    }

    /// A class by name: an IRI, a prefixed name, a pk local name (`Agency`), or a label (机构), resolved with the
    /// one resolver only when it is a label, so that `as-of --class Agency` does not load the label index.
    pub(crate) fn class(&self, name: &str) -> Result<String> {
        let name = name.trim();
        if name.contains("://") {
            return Ok(name.to_owned());
        }
        if let Some(iri) = name.contains(':').then(|| vocab::expand(name)).flatten() {
            return Ok(iri);
        }
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(vocab::pk(name).as_str().to_owned());
        }
        Ok(self.resolver()?.resolve(name)?.as_str().to_owned())
    }

    /// The projection's nodes for entity names, resolved with the one label index.
    pub(crate) fn nodes<const N: usize>(&self, names: [&str; N]) -> Result<[NodeIndex; N]> {
        let resolver = self.resolver()?;
        let iris = names.map(|name| resolver.resolve(name));
        let projection = self.projection()?;
        let mut nodes = [NodeIndex::new(0); N];
        for (node, iri) in nodes.iter_mut().zip(iris) {
            *node = projection.node(iri?.as_str())?;
        }
        Ok(nodes)
    }
}
