//! The data compiled into the binary: the ontology, the seed files, the source documents and the named queries.
//!
//! Paths are relative to the crate root (`seeds/entities.toml`, `queries/lineage.rq`…), so error messages name
//! the file a researcher would edit.

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

/// A fingerprint of everything bundled: a store built from another bundle is rebuilt. Hashed when the binary is
/// built (`build.rs`), since every open and every kept file checks it.
pub fn fingerprint() -> &'static str {
    FINGERPRINT
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    include!("bundle_hash.rs");

    fn hash(files: &[(&str, &str)]) -> String {
        bundle_hash(env!("CARGO_PKG_VERSION"), files.iter().copied())
    }

    /// The hash of the bundled files with the first file under `folder` changed.
    fn hash_with_changed(folder: &str) -> String {
        let mut files = FILES.to_vec();
        let at = files.iter().position(|(p, _)| p.starts_with(folder));
        files[at.unwrap()].1 = "changed";
        hash(&files)
    }

    #[test]
    fn bundles_the_five_documents_and_the_ontology() {
        assert_eq!(under("seeds/documents/", ".txt").count(), 5);
        assert!(ontology().count() >= 1);
        assert!(document_text("003_e9707ebd3365d631.txt")
            .unwrap()
            .contains("省政务办"));
    }

    #[test]
    fn the_fingerprint_built_in_is_the_hash_of_the_bundled_files() {
        assert_eq!(fingerprint(), hash(FILES));
        assert_eq!(fingerprint().len(), 24);
        // Any change to a stored file changes it; a query is not stored, so changing one does not.
        assert_ne!(hash_with_changed("seeds/"), fingerprint());
        assert_ne!(hash_with_changed("ontology/"), fingerprint());
        assert_eq!(hash_with_changed("queries/"), fingerprint());
    }
}
