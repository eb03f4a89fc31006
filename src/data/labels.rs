//! The bundle's label table: every `skos:prefLabel`, `rdfs:label` and `skos:altLabel` of the bundle's graphs,
//! kept as a file in the store's folder.
//!
//! Reading four thousand labels out of RocksDB costs a cold process 50–250 ms, because every label is a string
//! fetched on its own; the table is a function of the bundle alone, so it is written once when the store is built
//! (or rebuilt for a new bundle) and read back as one file. A store without the file (an older binary built it) or
//! with a file of another bundle gets it from the store, and the file is written for the next process.

use std::path::{Path, PathBuf};

use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};

use crate::data::bundle;
use crate::data::output::write_atomically;
use crate::model::error::{Error, Result};
use crate::model::vocab;

/// The file's name in the store folder (RocksDB leaves files of other names alone).
const FILE: &str = "policykg-labels.json";

/// The label properties, in the order their labels are preferred for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabelKind {
    /// `skos:prefLabel`: the display label.
    Preferred,
    /// `rdfs:label`: the display label of resources without a `skos:prefLabel`.
    Rdfs,
    /// `skos:altLabel`: an alias, matched but never displayed.
    Alias,
}

impl LabelKind {
    /// Every kind, in display preference order.
    pub const ALL: [LabelKind; 3] = [LabelKind::Preferred, LabelKind::Rdfs, LabelKind::Alias];

    /// The property that carries labels of this kind.
    pub fn property(self) -> NamedNode {
        match self {
            LabelKind::Preferred => vocab::ns(vocab::SKOS, "prefLabel"),
            LabelKind::Rdfs => vocab::ns(vocab::RDFS, "label"),
            LabelKind::Alias => vocab::ns(vocab::SKOS, "altLabel"),
        }
    }
}

/// One label of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// The labelled IRI.
    pub iri: String,
    /// Which property gave it.
    pub kind: LabelKind,
    /// The label as written.
    pub value: String,
    /// Its language tag (`zh`, `en`), empty when untagged.
    pub lang: String,
}

/// The labels of one bundle.
#[derive(Debug, Serialize, Deserialize)]
struct Table {
    /// The fingerprint of the bundle the labels come from.
    bundle: String,
    /// Preferred labels first, then `rdfs:label`, then aliases.
    labels: Vec<Label>,
}

/// The bundle's labels for a store in `folder` (`None` for an in-memory store): from the file when it was written
/// for this bundle, else from the store (writing the file for the next process, if the folder lets us).
pub fn bundle_labels(store: &Store, folder: Option<&Path>) -> Result<Vec<Label>> {
    let current = bundle::fingerprint();
    if let Some(table) = folder.and_then(read) {
        if table.bundle == current {
            return Ok(table.labels);
        }
    }
    let labels = scan(store)?;
    if let Some(folder) = folder {
        // A read-only folder only costs the next process the scan again.
        let _ = keep(folder, &labels);
    }
    Ok(labels)
}

/// Read the labels of the store's bundle graphs and write them to the file in `folder`, returning them; called
/// after the bundle is (re)built and after a server update.
pub fn refresh(store: &Store, folder: &Path) -> Result<Vec<Label>> {
    let labels = scan(store)?;
    keep(folder, &labels)?;
    Ok(labels)
}

fn path(folder: &Path) -> PathBuf {
    folder.join(FILE)
}

fn read(folder: &Path) -> Option<Table> {
    let bytes = std::fs::read(path(folder)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn keep(folder: &Path, labels: &[Label]) -> Result<()> {
    let table = Table {
        bundle: bundle::fingerprint(),
        labels: labels.to_vec(),
    };
    let bytes = serde_json::to_vec(&table)
        .map_err(|e| Error::io(path(folder), std::io::Error::other(e)))?;
    write_atomically(&path(folder), &bytes)
}

/// The labels of the bundle's graphs, each graph read through its own index (loaded graphs cost nothing), without
/// the entailed graph, whose labels are copies.
fn scan(store: &Store) -> Result<Vec<Label>> {
    let entailed = vocab::entailed_graph();
    let mut graphs = Vec::new();
    for graph in store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(g) = graph.map_err(Error::storage)? {
            if vocab::is_bundled_graph(g.as_str()) && g != entailed {
                graphs.push(g);
            }
        }
    }
    let mut labels = Vec::new();
    for kind in LabelKind::ALL {
        let property = kind.property();
        for graph in &graphs {
            let quads =
                store.quads_for_pattern(None, Some(property.as_ref()), None, Some(graph.into()));
            for quad in quads {
                let quad = quad.map_err(Error::storage)?;
                if let (NamedOrBlankNode::NamedNode(e), Term::Literal(l)) =
                    (quad.subject, quad.object)
                {
                    labels.push(Label {
                        iri: e.into_string(),
                        kind,
                        lang: l.language().unwrap_or_default().to_owned(),
                        value: l.value().to_owned(),
                    });
                }
            }
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeds;

    #[test]
    fn the_table_is_kept_and_read_back_for_its_bundle_only() {
        let store = Store::new().unwrap();
        store
            .extend(seeds::compile_bundled().unwrap().quads)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let scanned = bundle_labels(&store, Some(dir.path())).unwrap();
        assert!(scanned
            .iter()
            .any(|l| l.value == "苏服办" && l.lang == "zh"));
        assert!(scanned.iter().all(|l| !l.iri.is_empty()));
        // Read back from the file, even from an empty store.
        let empty = Store::new().unwrap();
        assert_eq!(bundle_labels(&empty, Some(dir.path())).unwrap(), scanned);
        // A file of another bundle is not trusted.
        let stale = Table {
            bundle: "another bundle".into(),
            labels: vec![],
        };
        std::fs::write(path(dir.path()), serde_json::to_vec(&stale).unwrap()).unwrap();
        assert_eq!(bundle_labels(&store, Some(dir.path())).unwrap(), scanned);
        assert!(bundle_labels(&empty, None).unwrap().is_empty());
    }
}
