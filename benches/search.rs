//! Full-text search benchmarks: building the index from the bundled store (in memory and beside an on-disk
//! store), a warm search, and the index over one million generated literals in a loaded graph (build time, size,
//! a warm search). Whole-process cold searches are measured by `benches/search_cold.sh`.
//! Run: `cargo bench --bench search` (prints one line per measurement; figures go to docs/performance.md).
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark: a failure stops it, and its figures go to stdout"
)]

mod common;
use common::time;

use std::path::Path;

use oxigraph::model::{GraphName, Literal, NamedNode, Quad};
use policykg::data::store::KgStore;
use policykg::model::report::Silent;
use policykg::read::search::{Scope, SearchIndex, SearchQuery};

fn query(text: &str, scope: Scope) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        scope,
        document: None,
        limit: 100,
    }
}

fn size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// One million generated literals: sentences of policy words, every 1000th with 数据安全.
fn generated(n: usize) -> Vec<Quad> {
    const WORDS: &[&str] = &[
        "推进",
        "公共数据",
        "共享开放",
        "政务服务",
        "一网通办",
        "平台",
        "条例",
        "立法",
        "监管",
        "授权运营",
        "数据要素",
        "市场",
        "治理",
        "标准",
        "试点",
        "城市",
        "县区",
        "企业",
        "群众",
        "办事",
    ];
    let graph = GraphName::NamedNode(NamedNode::new_unchecked("http://example.org/generated"));
    let note = NamedNode::new_unchecked("http://example.org/note");
    let mut seed: u64 = 42;
    (0..n)
        .map(|i| {
            let mut text = format!("第{i}条:");
            for _ in 0..12 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(WORDS[(seed >> 33) as usize % WORDS.len()]);
            }
            if i % 1000 == 0 {
                text.push_str("数据安全");
            }
            text.push('。');
            Quad::new(
                NamedNode::new_unchecked(format!("http://example.org/item/{i}")),
                note.clone(),
                Literal::new_language_tagged_literal_unchecked(text, "zh"),
                graph.clone(),
            )
        })
        .collect()
}

fn main() {
    let kg = KgStore::in_memory().unwrap();
    let index = time("index build, bundled data, in memory", 5, || {
        SearchIndex::in_memory(kg.store(), &Silent).unwrap()
    });
    let dir = tempfile::tempdir().unwrap();
    let disk = KgStore::open(&dir.path().join("store"), false, &Silent).unwrap();
    time(
        "index build, bundled data, beside an on-disk store",
        1,
        || SearchIndex::open(&disk, &Silent).unwrap(),
    );
    println!(
        "index size, bundled data: {} KiB",
        size(&dir.path().join("store.search")) / 1024
    );
    time("index open (current), bundled data", 20, || {
        SearchIndex::open(&disk, &Silent).unwrap()
    });
    for (q, scope) in [
        ("数据安全", Scope::Texts),
        ("苏服办", Scope::Texts),
        ("省数据局", Scope::Labels),
        ("一件事", Scope::Quotes),
    ] {
        let hits = time(
            &format!("warm search {q} in {}", scope.name()),
            1000,
            || index.search(&query(q, scope)).unwrap(),
        );
        println!("  {} hits", hits.len());
    }
    drop(disk);
    let big_dir = tempfile::tempdir().unwrap();
    let big = KgStore::open(&big_dir.path().join("store"), false, &Silent).unwrap();
    let quads = generated(1_000_000);
    time(
        "bulk load of 1M generated literals into the store",
        1,
        || {
            let mut loader = big.store().bulk_loader();
            loader.load_quads(quads.iter().cloned()).unwrap();
            loader.commit().unwrap();
        },
    );
    let big_index = time(
        "index build, bundled data + 1M literals, on disk",
        1,
        || SearchIndex::open(&big, &Silent).unwrap(),
    );
    println!(
        "index size, bundled data + 1M literals: {} MiB",
        size(&big_dir.path().join("store.search")) / (1024 * 1024)
    );
    time(
        "index open (current) + source check, 1M literals",
        3,
        || SearchIndex::open(&big, &Silent).unwrap(),
    );
    let hits = time("warm search 数据安全 in literals (1M)", 100, || {
        big_index
            .search(&query("数据安全", Scope::Literals))
            .unwrap()
    });
    println!("  {} hits (limit 100)", hits.len());
    time(
        "warm search 授权运营 in literals (1M, limit 100)",
        100,
        || {
            big_index
                .search(&query("授权运营", Scope::Literals))
                .unwrap()
        },
    );
}
