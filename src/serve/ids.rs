//! The id grammar. A path segment under `/id/`, `/doc/` or `/evidence/` is checked here before anything else:
//! what cannot be an id of the project gets 404 without touching the store, and what can is turned into a
//! [`NamedNode`] that the pages pass to the store as a term, never pasted into query text.

use oxigraph::model::NamedNode;

use crate::model::vocab;

/// Ids are far shorter (the longest in the bundle has 60 characters); a longer segment names nothing.
const MAX_ID: usize = 128;

/// The hexadecimal digits that end an evidence id (a hash of the fact and its first quote).
const EVIDENCE_HASH: usize = 12;

/// An entity or document id, as the seed compiler accepts them: lowercase ASCII letters, digits and `-`, not
/// at either end.
pub(super) fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// An evidence id: `SCOPE-HASH`, the scope a document id or `inferred`, the hash 12 lowercase hex digits.
pub(super) fn is_evidence_id(id: &str) -> bool {
    let Some((scope, hash)) = id.rsplit_once('-') else {
        return false;
    };
    is_id(id)
        && is_id(scope)
        && hash.len() == EVIDENCE_HASH
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn iri(namespace: &str, id: &str) -> Option<NamedNode> {
    NamedNode::new(format!("{namespace}{id}")).ok()
}

/// The IRI of an entity page's id, if the id is one.
pub(super) fn entity(id: &str) -> Option<NamedNode> {
    is_id(id).then(|| iri(vocab::ID, id)).flatten()
}

/// The IRI of a document page's id, if the id is one.
pub(super) fn document(id: &str) -> Option<NamedNode> {
    is_id(id).then(|| iri(vocab::DOC, id)).flatten()
}

/// The IRI of an evidence page's id, if the id is one.
pub(super) fn evidence(id: &str) -> Option<NamedNode> {
    is_evidence_id(id)
        .then(|| iri(vocab::EVIDENCE, id))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INJECTIONS: &[&str] = &[
        "x> ?p ?o } UNION { ?s ?p ?o",
        "jsdb-2025-rule-of-law-report> ?p ?o }",
        "a}b",
        "a b",
        "A",
        "sufuban#x",
        "sufuban?x",
        "../etc",
        "-x",
        "x-",
        "",
        "省数据局",
        "x\"y",
        "x\ny",
    ];

    #[test]
    fn real_ids_are_accepted() {
        for id in [
            "sufuban",
            "jiangsu-12345-hotline-regulation",
            "jsdb-2025-rule-of-law-report",
        ] {
            assert!(is_id(id), "{id}");
            assert!(entity(id).is_some() && document(id).is_some(), "{id}");
        }
        for id in [
            "jsdb-2025-rule-of-law-report-ff2812d1ebbe",
            "jszwb-2023-proposal-0845-reply-10c5b0bb438e",
            "inferred-0123456789ab",
        ] {
            assert!(is_evidence_id(id), "{id}");
            assert_eq!(
                evidence(id).map(|n| n.into_string()),
                Some(format!("https://w3id.org/policykg/evidence/{id}"))
            );
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for id in INJECTIONS {
            assert!(!is_id(id), "{id:?}");
            assert!(entity(id).is_none() && document(id).is_none(), "{id:?}");
            assert!(evidence(id).is_none(), "{id:?}");
        }
        assert!(!is_id(&"a".repeat(MAX_ID + 1)));
        for id in [
            "nope",
            "sufuban",
            "x-0123456789a",
            "x-0123456789abc",
            "x-0123456789aB",
            "x-0123456789ag",
            "-0123456789ab",
            "0123456789ab",
        ] {
            assert!(!is_evidence_id(id), "{id}");
        }
    }
}
