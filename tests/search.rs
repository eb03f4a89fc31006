//! `policykg search`: full-text search in Chinese through the real binary. Every hit's offsets are checked
//! against a plain `str::match_indices` scan of the document texts.

use std::collections::BTreeMap;

use crate::common::*;

/// Document IRI → text, from the store.
fn texts() -> BTreeMap<String, String> {
    let text = "SELECT ?doc ?text WHERE { ?doc a pk:SourceDocument ; pk:text ?text }";
    policykg::read::query::select_strings(kg().store(), text)
        .unwrap()
        .into_iter()
        .map(|r| (r.string("doc"), r.string("text")))
        .collect()
}

/// Every (document, start, end) of `needle`, in character offsets.
fn scan(needle: &str) -> Vec<(String, u64, u64)> {
    let mut found = Vec::new();
    for (doc, text) in texts() {
        for (byte, _) in text.match_indices(needle) {
            let start = text[..byte].chars().count() as u64;
            found.push((doc.clone(), start, start + needle.chars().count() as u64));
        }
    }
    found.sort();
    found
}

fn search_json(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--limit", "10000"]);
    let out = run(built_store(), &all);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str::<serde_json::Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn places(hits: &[serde_json::Value]) -> Vec<(String, u64, u64)> {
    let mut found: Vec<(String, u64, u64)> = hits
        .iter()
        .map(|h| {
            (
                h["document"].as_str().unwrap().to_owned(),
                h["start"].as_u64().unwrap(),
                h["end"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn data_security_is_found_all_eight_times_at_the_right_offsets() {
    let hits = search_json(&["数据安全"]);
    assert_eq!(hits.len(), 8);
    let texts = texts();
    for h in &hits {
        let text = &texts[h["document"].as_str().unwrap()];
        let (start, end) = (
            h["start"].as_u64().unwrap() as usize,
            h["end"].as_u64().unwrap() as usize,
        );
        let at: String = text.chars().skip(start).take(end - start).collect();
        assert_eq!(at, "数据安全");
        assert!(h["sentence"].as_str().unwrap().contains("【数据安全】"));
        assert!(h["title"].as_str().is_some_and(|t| !t.is_empty()));
    }
}

#[test]
fn every_hit_matches_a_plain_scan() {
    for q in ["数据安全", "苏服办", "一件事", "12345"] {
        assert_eq!(places(&search_json(&[q])), scan(q), "{q}");
    }
}

#[test]
fn labels_and_documents() {
    let labels = search_json(&["省数据局", "--in", "labels"]);
    assert!(labels.iter().any(|h| h["text"] == "省数据局"), "{labels:?}");
    let all = search_json(&["一件事"]);
    let one = search_json(&["一件事", "--doc", "jsdb-2024-key-tasks"]);
    assert!(!one.is_empty() && one.len() < all.len());
    assert!(one.iter().all(|h| h["document"]
        .as_str()
        .unwrap()
        .ends_with("/doc/jsdb-2024-key-tasks")));
}

#[test]
fn empty_and_punctuation_queries_are_one_line_errors() {
    for q in ["", "。，！？"] {
        let out = run(built_store(), &["search", q]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.starts_with("policykg: error: search"), "{err}");
    }
}
