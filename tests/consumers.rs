//! Real consumers read the exports: Python rdflib (every RDF format), networkx (GraphML, GEXF), Graphviz (DOT).
//! `.ci/run` installs them; outside CI a missing tool skips the test with a message.

use std::process::Command;

use crate::common::*;
use policykg::graph::export;
use policykg::graph::projection::Projection;
use policykg::model::format::ExportFormat;

fn has(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn rdflib_and_networkx_read_the_exports() {
    let python = Command::new("python3")
        .args(["-c", "import rdflib, networkx"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool(python, "python3 with rdflib and networkx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let quads = export::select_quads(kg().store(), &export::Selection::All).unwrap();
    for (format, name) in [
        (ExportFormat::TriG, "export.trig"),
        (ExportFormat::NQuads, "export.nq"),
        (ExportFormat::JsonLd, "export.jsonld"),
        (ExportFormat::Turtle, "export.ttl"),
        (ExportFormat::NTriples, "export.nt"),
        (ExportFormat::RdfXml, "export.rdf"),
    ] {
        let mut bytes = Vec::new();
        export::write_rdf(&quads, format, &mut bytes).unwrap();
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let p = Projection::build(kg().store()).unwrap();
    std::fs::write(dir.path().join("export.graphml"), export::graphml(&p)).unwrap();
    std::fs::write(dir.path().join("export.gexf"), export::gexf(&p)).unwrap();
    let triples: std::collections::HashSet<_> = quads
        .iter()
        .map(|q| {
            oxigraph::model::Triple::new(q.subject.clone(), q.predicate.clone(), q.object.clone())
        })
        .collect();
    let expected = serde_json::json!({
        "quads": quads.len(), "triples": triples.len(),
        "nodes": p.graph.node_count(), "edges": p.graph.edge_count(),
    });
    std::fs::write(dir.path().join("expected.json"), expected.to_string()).unwrap();
    // `rank`'s betweenness of every node, by its GraphML id, for networkx to recompute.
    let betweenness: serde_json::Map<String, serde_json::Value> = p
        .centrality()
        .into_iter()
        .map(|(n, _, b)| (format!("n{}", n.index()), b.into()))
        .collect();
    std::fs::write(
        dir.path().join("betweenness.json"),
        serde_json::Value::from(betweenness).to_string(),
    )
    .unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/consumers/check_exports.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("consumers OK"));
}

#[test]
fn graphviz_renders_the_dot_export_without_warnings() {
    if !require_tool(has("dot", "-V"), "Graphviz dot") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("graph.dot");
    let out = run(
        built_store(),
        &["export", "--format", "dot", "-o", file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = Command::new("dot")
        .arg("-Tsvg")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).trim().is_empty(),
        "dot warned: {}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("<svg"));
}

#[test]
fn sparqlwrapper_gets_the_same_answers_as_the_cli() {
    let python = Command::new("python3")
        .args(["-c", "import SPARQLWrapper"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool(python, "python3 with SPARQLWrapper") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg");
    let names = [
        "data-regulation-lineage",
        "hotline-legislation-timeline",
        "sufuban-indicators",
    ];
    for name in names {
        let out = run(&store, &["query", "--name", name, "--format", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::write(dir.path().join(format!("{name}.cli.json")), &out.stdout).unwrap();
        std::fs::write(
            dir.path().join(format!("{name}.rq")),
            policykg::read::catalog::get(name).unwrap().text,
        )
        .unwrap();
    }
    let server = start(&store, &[]);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/consumers/sparqlwrapper_check.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(format!("{}/sparql", server.base))
        .arg(dir.path())
        .args(names)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("SPARQLWrapper OK"));
}
