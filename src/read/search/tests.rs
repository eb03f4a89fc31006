use std::sync::OnceLock;

use super::*;
use crate::data::store::KgStore;
use crate::model::report::Silent;

fn kg() -> &'static KgStore {
    static KG: OnceLock<KgStore> = OnceLock::new();
    KG.get_or_init(|| KgStore::in_memory().unwrap())
}

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| SearchIndex::in_memory(kg().store(), &Silent).unwrap())
}

fn search(text: &str, scope: Scope, document: Option<&str>) -> Result<Vec<Hit>> {
    index().search(&SearchQuery {
        text: text.into(),
        scope,
        document: document.map(str::to_owned),
        limit: MAX_LIMIT,
    })
}

/// Every (document, start, end) of `needle` in the texts, by a plain scan, in character offsets.
fn scan(needle: &str) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for d in &index().side.documents {
        for (byte, _) in d.text.match_indices(needle) {
            let start = d.text[..byte].chars().count();
            found.push((d.iri.clone(), start, start + needle.chars().count()));
        }
    }
    found.sort();
    found
}

#[test]
fn recall_equals_a_plain_scan() {
    for q in [
        "数据安全",
        "苏服办",
        "一件事",
        "12345",
        "数据安全管理",
        "省数据局",
        "条例",
        "局",
    ] {
        let hits = search(q, Scope::Texts, None).unwrap();
        let mut got: Vec<(String, usize, usize)> = hits
            .iter()
            .map(|h| (h.document.clone().unwrap(), h.start, h.end))
            .collect();
        got.sort();
        assert_eq!(got, scan(q), "{q}");
        for h in &hits {
            assert_eq!(h.text, q);
            assert!(h.sentence.contains(&format!("【{q}】")), "{}", h.sentence);
        }
    }
    assert_eq!(scan("数据安全").len(), 8);
}

#[test]
fn sentences_name_their_entities() {
    let hits = search("苏服办", Scope::Texts, None).unwrap();
    assert!(hits
        .iter()
        .any(|h| h.entities.iter().any(|e| e.iri.ends_with("/id/sufuban"))));
}

#[test]
fn labels_quotes_and_documents() {
    let labels = search("省数据局", Scope::Labels, None).unwrap();
    assert!(labels
        .iter()
        .any(|h| h.text == "省数据局" && h.subject.is_some()));
    let quotes = search("数据安全", Scope::Quotes, None).unwrap();
    assert!(!quotes.is_empty());
    let all = search("数据安全", Scope::Texts, None).unwrap();
    let doc = all[0].document.clone().unwrap();
    let one = search("数据安全", Scope::Texts, Some(&doc)).unwrap();
    assert!(!one.is_empty() && one.len() < all.len());
    assert!(one
        .iter()
        .all(|h| h.document.as_deref() == Some(doc.as_str())));
    let e = search("数据安全", Scope::Texts, Some("没有这个文件")).unwrap_err();
    assert!(e.to_string().starts_with("search --doc:"), "{e}");
}

#[test]
fn empty_and_punctuation_queries_are_errors() {
    for q in ["", "  ", "。，！？", "《》"] {
        let e = search(q, Scope::Texts, None).unwrap_err().to_string();
        assert!(e.starts_with("search:") && !e.contains('\n'), "{e}");
    }
}

#[test]
fn the_index_is_written_beside_the_store_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let kg = KgStore::open(&dir.path().join("store"), false, &Silent).unwrap();
    let first = SearchIndex::open(&kg, &Silent).unwrap();
    let path = first.path().unwrap().to_path_buf();
    assert_eq!(path, dir.path().join("store.search"));
    assert!(path.join("source.json").is_file());
    let again = SearchIndex::open(&kg, &Silent).unwrap();
    assert_eq!(again.source(), first.source());
    // A loaded graph changes the source: the index is rebuilt and finds the new literal.
    let file = dir.path().join("extra.ttl");
    std::fs::write(
        &file,
        "<http://example.org/x> <http://example.org/note> \"新增的数据安全说明\" .\n",
    )
    .unwrap();
    kg.load(&[file], None, &Silent).unwrap();
    let rebuilt = SearchIndex::open(&kg, &Silent).unwrap();
    assert_ne!(rebuilt.source(), first.source());
    let hits = rebuilt
        .search(&SearchQuery {
            text: "数据安全".into(),
            scope: Scope::Literals,
            document: None,
            limit: 10,
        })
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].subject.as_deref(), Some("http://example.org/x"));
}

#[test]
fn a_loaded_label_is_found_as_a_label_and_as_a_literal() {
    let kg = KgStore::in_memory().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loaded.trig");
    std::fs::write(
        &file,
        "<http://example.org/g> {
           <http://example.org/bureau> <http://www.w3.org/2004/02/skos/core#prefLabel> \"示例市数据安全局\"@zh ;
             <http://example.org/note> \"负责数据安全工作\"@zh .
           <https://w3id.org/policykg/id/sufuban> <http://www.w3.org/2004/02/skos/core#altLabel> \"数据安全服务入口\"@zh .
         }\n",
    )
    .unwrap();
    kg.load(&[file], None, &Silent).unwrap();
    let index = SearchIndex::in_memory(kg.store(), &Silent).unwrap();
    let find = |scope| {
        index
            .search(&SearchQuery {
                text: "数据安全".into(),
                scope,
                document: None,
                limit: MAX_LIMIT,
            })
            .unwrap()
    };
    let labels = find(Scope::Labels);
    let loaded: Vec<&Hit> = labels.iter().filter(|h| h.graph.is_some()).collect();
    assert_eq!(loaded.len(), 2, "{loaded:?}");
    let bureau = loaded
        .iter()
        .find(|h| h.subject.as_deref() == Some("http://example.org/bureau"))
        .unwrap();
    assert_eq!(bureau.graph.as_deref(), Some("<http://example.org/g>"));
    // A loaded entity is displayed by the label that matched; a bundle entity by its own label.
    assert_eq!(bureau.entities[0].label, "示例市数据安全局");
    let alias = loaded
        .iter()
        .find(|h| h.text == "数据安全" && h.sentence.contains("服务入口"));
    assert_eq!(alias.unwrap().entities[0].label, "苏服办");
    // The literals scope has the two labels and the note; the bundle's labels are not literals.
    let literals = find(Scope::Literals);
    assert_eq!(literals.len(), 3, "{literals:?}");
    assert!(literals.iter().all(|h| h.graph.is_some()));
}

#[test]
fn each_bundle_label_is_one_passage() {
    let hits = search("苏服办", Scope::Labels, None).unwrap();
    let mut seen: Vec<(&str, &str, &str)> = hits
        .iter()
        .map(|h| {
            (
                h.subject.as_deref().unwrap(),
                h.predicate.as_deref().unwrap(),
                h.sentence.as_str(),
            )
        })
        .collect();
    let all = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), all, "a label found twice");
    assert!(hits
        .iter()
        .any(|h| h.sentence == "【苏服办】"
            && h.subject.as_deref().unwrap().ends_with("/id/sufuban")));
}
