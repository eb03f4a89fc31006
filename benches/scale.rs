//! Scale benchmarks on generated data: the graph views on a projection 1000× the bundled one, the projection build
//! on generated stores 10× (everything) and 1000× (the entity graph) the bundle, and export throughput on a million
//! generated triples.
//! Run: `cargo bench --bench scale` (prints one line per measurement; figures go to docs/performance.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

mod common;
use common::time;

use std::time::Instant;

use oxigraph::model::{GraphName, Literal, NamedNode, Quad};
use oxigraph::store::Store;
use petgraph::graph::NodeIndex;
use policykg::data::store::KgStore;
use policykg::graph::analysis::Direction;
use policykg::graph::export;
use policykg::graph::projection::{Edge, Projection};
use policykg::model::format::ExportFormat;

/// The bundled projection copied `factor` times, each copy linked to the next, so paths cross copies.
fn replicate(p: &Projection, factor: usize) -> Projection {
    let mut big = Projection::default();
    let n = p.graph.node_count();
    for k in 0..factor {
        for node in p.graph.node_weights() {
            let mut copy = node.clone();
            copy.iri = format!("{}-{k}", node.iri);
            big.add_node(copy);
        }
        for e in p.graph.edge_indices() {
            let (a, b) = p.graph.edge_endpoints(e).unwrap();
            big.graph.add_edge(
                NodeIndex::new(k * n + a.index()),
                NodeIndex::new(k * n + b.index()),
                p.graph[e].clone(),
            );
        }
        if k > 0 {
            for i in (0..n).step_by(7) {
                big.graph.add_edge(
                    NodeIndex::new((k - 1) * n + i),
                    NodeIndex::new(k * n + i),
                    Edge {
                        relation: "cooperatesWith".into(),
                        provenance: policykg::model::vocab::Provenance::Stated,
                        quote: None,
                        document: None,
                    },
                );
            }
        }
    }
    big
}

fn main() {
    let kg = KgStore::in_memory().unwrap();
    let p = time("projection build, bundled graph", 5, || {
        Projection::build(kg.store()).unwrap()
    });
    println!(
        "bundled projection: {} nodes, {} edges",
        p.graph.node_count(),
        p.graph.edge_count()
    );

    // Generated stores: the bundle's quads copied k times with renamed entity and evidence IRIs.
    let quads: Vec<Quad> = kg.store().iter().map(|q| q.unwrap()).collect();
    let rename = |iri: &str, k: usize| -> String {
        if iri.starts_with("https://w3id.org/policykg/id/")
            || iri.starts_with("https://w3id.org/policykg/evidence/")
        {
            match iri.split_once('#') {
                Some((base, frag)) => format!("{base}-{k}#{frag}"),
                None => format!("{iri}-{k}"),
            }
        } else {
            iri.to_owned()
        }
    };
    let copy = |q: &Quad, k: usize| {
        let s = match &q.subject {
            oxigraph::model::NamedOrBlankNode::NamedNode(n) => {
                NamedNode::new_unchecked(rename(n.as_str(), k)).into()
            }
            other => other.clone(),
        };
        let o = match &q.object {
            oxigraph::model::Term::NamedNode(n) => {
                NamedNode::new_unchecked(rename(n.as_str(), k)).into()
            }
            other => other.clone(),
        };
        Quad::new(s, q.predicate.clone(), o, q.graph_name.clone())
    };
    let generated = |factor: usize, keep: &dyn Fn(&Quad) -> bool| {
        let store = Store::new().unwrap();
        let mut loader = store.bulk_loader();
        loader
            .load_quads(
                (0..factor).flat_map(|k| quads.iter().filter(|q| keep(q)).map(move |q| copy(q, k))),
            )
            .unwrap();
        loader.commit().unwrap();
        store
    };
    let store = generated(10, &|_| true);
    println!(
        "10× store (everything, evidence included): {} quads",
        store.len().unwrap()
    );
    time("projection build, 10× store", 1, || {
        Projection::build(&store).unwrap()
    });
    drop(store);
    // 1000×: the entity graph (catalogue, facts, events, observations, mentions) without the evidence
    // annotations and document texts, which would not fit in memory a thousand times over.
    let text = NamedNode::new_unchecked("https://w3id.org/policykg/ontology#text");
    let entity_graph = |q: &Quad| {
        q.predicate != text
            && !matches!(&q.subject, oxigraph::model::NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with("https://w3id.org/policykg/evidence/"))
    };
    let started = Instant::now();
    let store = generated(1000, &entity_graph);
    println!(
        "1000× entity-graph store: {} quads, loaded in {:.1?}",
        store.len().unwrap(),
        started.elapsed()
    );
    let big_built = time("projection build, 1000× entity-graph store", 1, || {
        Projection::build(&store).unwrap()
    });
    println!(
        "  → {} nodes, {} edges",
        big_built.graph.node_count(),
        big_built.graph.edge_count()
    );
    drop(big_built);
    drop(store);

    let root = p
        .node("https://w3id.org/policykg/id/jiangsu-data-regulation")
        .unwrap();
    let sufuban = p.node("https://w3id.org/policykg/id/sufuban").unwrap();
    time("lineage 江苏省数据条例, bundled", 1000, || {
        policykg::graph::analysis::lineage(&p, root, Direction::Both)
    });
    time(
        "path 江苏省数据条例 → 苏服办, bundled",
        1000,
        || policykg::graph::analysis::paths(&p, root, sufuban, 6),
    );
    let view = p.view(None, 0, &[], false).unwrap();
    time("SVG render, bundled", 20, || {
        policykg::graph::picture::svg(&view)
    });

    let big = time("replicate the projection 1000×", 1, || replicate(&p, 1000));
    println!(
        "1000× projection: {} nodes, {} edges",
        big.graph.node_count(),
        big.graph.edge_count()
    );
    let n = p.graph.node_count();
    let far_root = big
        .node("https://w3id.org/policykg/id/jiangsu-data-regulation-999")
        .unwrap();
    time("lineage 江苏省数据条例, 1000×", 100, || {
        policykg::graph::analysis::lineage(&big, far_root, Direction::Both)
    });
    time(
        "path 江苏省数据条例 → 苏服办 (same copy), 1000×",
        20,
        || {
            policykg::graph::analysis::paths(
                &big,
                NodeIndex::new(500 * n + root.index()),
                NodeIndex::new(500 * n + sufuban.index()),
                6,
            )
        },
    );
    let svg = time("SVG render, 1000× (all nodes)", 1, || {
        policykg::graph::picture::svg(&big)
    });
    println!("1000× SVG: {} MB", svg.len() / 1_000_000);

    // Export throughput on a million generated triples.
    let million: Vec<Quad> = (0..1_000_000u32)
        .map(|i| {
            Quad::new(
                NamedNode::new_unchecked(format!("https://w3id.org/policykg/id/gen-{}", i / 10)),
                NamedNode::new_unchecked(format!("https://w3id.org/policykg/ontology#p{}", i % 10)),
                Literal::new_language_tagged_literal_unchecked(format!("数据治理 {i}"), "zh"),
                GraphName::NamedNode(NamedNode::new_unchecked(format!(
                    "https://w3id.org/policykg/graph/g{}",
                    i % 5
                ))),
            )
        })
        .collect();
    for format in [
        ExportFormat::NTriples,
        ExportFormat::NQuads,
        ExportFormat::Turtle,
        ExportFormat::TriG,
        ExportFormat::RdfXml,
        ExportFormat::JsonLd,
        ExportFormat::Canonical,
    ] {
        let started = Instant::now();
        let mut bytes = Vec::with_capacity(200 << 20);
        export::write_rdf(&million, format, &mut bytes).unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "export {format}: {:.0} triples/s ({:.2} s, {} MB)",
            1e6 / secs,
            secs,
            bytes.len() / 1_000_000
        );
    }
}
