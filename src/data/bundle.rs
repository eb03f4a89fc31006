//! The data compiled into the binary: the ontology, the seed files, the source documents and the named queries.
//!
//! Paths are relative to the crate root (`seeds/entities.toml`, `queries/lineage.rq`…), so error messages name
//! the file a researcher would edit.

use sha2::{Digest, Sha256};

include!(concat!(env!("OUT_DIR"), "/bundle_files.rs"));

/// One bundled file.
#[derive(Debug, Clone, Copy)]
pub struct BundledFile {
    /// Its path in the checkout (`seeds/entities.toml`), for messages.
    pub path: &'static str,
    /// Its contents.
    pub text: &'static str,
}

fn under(folder: &'static str, extension: &'static str) -> impl Iterator<Item = BundledFile> {
    FILES
        .iter()
        .filter(move |(path, _)| path.starts_with(folder) && path.ends_with(extension))
        .map(|&(path, text)| BundledFile { path, text })
}

/// The SHACL shapes the graph is validated against: not part of the ontology, and never stored.
pub const SHAPES: &str = "ontology/shapes.ttl";

/// The ontology files (`ontology/*.ttl`), without the shapes.
pub fn ontology() -> impl Iterator<Item = BundledFile> {
    under("ontology/", ".ttl").filter(|f| f.path != SHAPES)
}

/// The SHACL shapes (`ontology/shapes.ttl`).
pub fn shapes() -> Option<BundledFile> {
    under("ontology/", ".ttl").find(|f| f.path == SHAPES)
}

/// The rules that build the instruments' ELI and schema.org metadata (`ontology/rules/*.rq`).
pub fn rules() -> impl Iterator<Item = BundledFile> {
    under("ontology/rules/", ".rq")
}

/// The JSON-LD context shipped with the ontology.
pub fn jsonld_context() -> Option<&'static str> {
    under("ontology/", ".jsonld").next().map(|f| f.text)
}

/// The seed files (`seeds/**/*.toml`).
pub fn seed_files() -> impl Iterator<Item = BundledFile> {
    under("seeds/", ".toml")
}

/// A source document text by its file name (`000_17b2aa831f4a821a.txt`).
pub fn document_text(file_name: &str) -> Option<&'static str> {
    under("seeds/documents/", ".txt")
        .find(|f| f.path.rsplit('/').next() == Some(file_name))
        .map(|f| f.text)
}

/// The named queries (`queries/*.rq`).
pub fn queries() -> impl Iterator<Item = BundledFile> {
    under("queries/", ".rq")
}

/// A fingerprint of everything bundled: a store built from another bundle is rebuilt. Hashed once per process
/// (a megabyte and a half of text; every open and every kept file checks it).
pub fn fingerprint() -> String {
    static FINGERPRINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FINGERPRINT
        .get_or_init(|| {
            let mut hasher = Sha256::new();
            hasher.update(env!("CARGO_PKG_VERSION"));
            for (path, text) in FILES {
                if path.starts_with("queries/") {
                    continue; // queries are read from the binary, not the store
                }
                hasher.update(path.as_bytes());
                hasher.update([0]);
                hasher.update(text.as_bytes());
                hasher.update([0]);
            }
            hex(&hasher.finalize()[..12])
        })
        .clone()
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_the_five_documents_and_the_ontology() {
        assert_eq!(under("seeds/documents/", ".txt").count(), 5);
        assert!(ontology().count() >= 1);
        assert!(document_text("003_e9707ebd3365d631.txt")
            .unwrap()
            .contains("省政务办"));
    }
}
