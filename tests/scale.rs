//! What is derived from the store and kept beside it (the projection, the counts of `stats`) answers for the store
//! as it is: a load changes the answer at once, and data that the graph commands do not read leaves their answers
//! byte for byte as they were.

use std::path::Path;

use crate::common::*;
use crate::server::store_copy;

/// A command's standard output, which must succeed.
fn answer(store: &Path, args: &[&str]) -> String {
    let out = run(store, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn lineage_up(store: &Path) -> serde_json::Value {
    let text = answer(
        store,
        &["lineage", "江苏省数据条例", "--up", "--format", "json"],
    );
    serde_json::from_str(&text).unwrap()
}

fn names(lineage: &serde_json::Value) -> Vec<String> {
    lineage["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["zh"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_load_changes_the_kept_projection_and_counts_at_once() {
    let (dir, store) = store_copy();
    let before = lineage_up(&store);
    assert!(
        store.join("policykg-projection.json").exists(),
        "the projection is kept beside the store"
    );
    // The second process reads what the first kept, and answers the same.
    assert_eq!(lineage_up(&store), before);
    assert!(!names(&before).contains(&"苏服办".to_owned()));
    let stats = answer(&store, &["stats", "--format", "json"]);
    assert!(store.join("policykg-stats.json").exists());
    assert!(!stats.contains("draft.ttl"), "{stats}");
    // A loaded graph says 苏服办 was a draft of the regulation.
    let file = dir.path().join("draft.ttl");
    std::fs::write(
        &file,
        "<https://w3id.org/policykg/id/sufuban> <https://w3id.org/policykg/ontology#draftOf> \
         <https://w3id.org/policykg/id/jiangsu-data-regulation> .\n",
    )
    .unwrap();
    answer(&store, &["load", file.to_str().unwrap()]);
    let after = lineage_up(&store);
    assert!(names(&after).contains(&"苏服办".to_owned()), "{after}");
    let stats = answer(&store, &["stats", "--format", "json"]);
    assert!(stats.contains("draft.ttl"), "{stats}");
    // And again from the file kept for the new state.
    assert_eq!(lineage_up(&store), after);
}

#[test]
fn graph_answers_are_the_same_with_unrelated_data_loaded() {
    let (dir, store) = store_copy();
    let commands: [&[&str]; 5] = [
        &["lineage", "江苏省数据条例", "--format", "json"],
        &["path", "江苏省数据条例", "苏服办", "--format", "json"],
        &["neighbors", "苏服办", "--format", "json"],
        &["rank", "--format", "json"],
        &["export", "--format", "graphml"],
    ];
    let before: Vec<String> = commands.iter().map(|c| answer(&store, c)).collect();
    // Labelled, typed and linked resources of another vocabulary, some linked to the bundle's entities, in seven
    // graphs: the shape of benches/scale.sh.
    let mut text = String::new();
    for i in 0..4000 {
        let e = format!("<https://example.org/e/{}>", i / 4);
        let g = format!("<https://example.org/g/{}>", i % 7);
        let (p, o) = match i % 4 {
            0 => (
                "<http://www.w3.org/2004/02/skos/core#prefLabel>".to_owned(),
                format!("\"数据治理条目{i}号\"@zh"),
            ),
            1 => (
                "<http://www.w3.org/2000/01/rdf-schema#label>".to_owned(),
                format!("\"Generated entity {i}\"@en"),
            ),
            2 => (
                "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>".to_owned(),
                format!("<https://example.org/Class{}>", i % 13),
            ),
            _ => (
                "<https://example.org/linkedTo>".to_owned(),
                "<https://w3id.org/policykg/id/sufuban>".to_owned(),
            ),
        };
        text.push_str(&format!("{e} {p} {o} {g} .\n"));
    }
    let file = dir.path().join("unrelated.nq");
    std::fs::write(&file, text).unwrap();
    answer(&store, &["load", file.to_str().unwrap()]);
    for (command, before) in commands.iter().zip(&before) {
        assert_eq!(&answer(&store, command), before, "{command:?}");
    }
}
