//! The ids and quads the compiler mints.

use oxigraph::model::{GraphName, NamedNode, Quad, Term};
use sha2::{Digest, Sha256};

use crate::data::bundle;

/// Whether `id` is a slug (lowercase ASCII letters, digits, inner hyphens): ids become IRIs and file names, so
/// they must read the same everywhere.
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// A short hash of `parts`, for ids that must be stable across builds but have no natural name.
pub(super) fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    bundle::hex(&h.finalize()[..6])
}

/// The quad `s p o` in graph `g`.
pub(super) fn quad(s: &NamedNode, p: NamedNode, o: impl Into<Term>, g: &NamedNode) -> Quad {
    Quad::new(s.clone(), p, o, GraphName::NamedNode(g.clone()))
}
