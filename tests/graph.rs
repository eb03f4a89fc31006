//! Lineage, paths, neighbours, centrality, pictures and exports on the bundled graph.

mod common;

use common::*;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Dataset;
use policykg::export;
use policykg::format::Format;
use policykg::graph::Projection;

fn projection() -> Projection {
    Projection::build(kg().store()).unwrap()
}

#[test]
fn lineage_of_the_data_regulation_reaches_the_public_data_measures() {
    let p = projection();
    let root = p.node(&id("jiangsu-data-regulation")).unwrap();
    let l = policykg::lineage::lineage(&p, root, true, false);
    let steps: Vec<(usize, &str, &str)> = l
        .entries
        .iter()
        .map(|e| (e.depth, e.node.zh.as_str(), e.relation.as_str()))
        .collect();
    assert!(
        steps.contains(&(1, "江苏省数据条例(草案)", "draftOf")),
        "{steps:?}"
    );
    assert!(
        steps.contains(&(2, "公共数据管理条例", "leadsTo")),
        "{steps:?}"
    );
    assert!(
        steps.contains(&(3, "江苏省公共数据管理办法", "raisedTo")),
        "{steps:?}"
    );
    let measures = l
        .entries
        .iter()
        .find(|e| e.node.zh == "江苏省公共数据管理办法")
        .unwrap();
    assert!(measures
        .node
        .steps
        .iter()
        .any(|(k, d)| k == "EntryIntoForce" && d == "2022-02-01"));
    assert!(l.entries.iter().any(|e| !e.stated) && l.entries.iter().any(|e| e.stated));
    // And downwards from the rule.
    let rule = p.node(&id("jiangsu-public-data-measures")).unwrap();
    let down = policykg::lineage::lineage(&p, rule, false, true);
    assert!(
        down.entries.iter().any(|e| e.node.zh == "江苏省数据条例"),
        "{:?}",
        down.entries
    );
}

#[test]
fn the_agency_succession_is_lineage_too() {
    let p = projection();
    let office = p.node(&id("jiangsu-government-service-office")).unwrap();
    let l = policykg::lineage::lineage(&p, office, false, true);
    assert_eq!(l.entries[0].node.zh, "江苏省数据局");
    assert!(!l.entries[0].stated);
}

#[test]
fn path_from_the_data_regulation_to_sufuban() {
    let p = projection();
    let (a, b) = (
        p.node(&id("jiangsu-data-regulation")).unwrap(),
        p.node(&id("sufuban")).unwrap(),
    );
    let paths = policykg::lineage::paths(&p, a, b, 6);
    assert!(!paths.is_empty());
    let hops = paths[0].len();
    assert!(paths.iter().all(|path| path.len() == hops), "all shortest");
    for path in &paths {
        assert_eq!(path.first().unwrap().from.zh, "江苏省数据条例");
        assert_eq!(path.last().unwrap().to.zh, "苏服办");
        assert!(
            path.iter().all(|h| h.quote.is_some()),
            "every hop has evidence"
        );
    }
    assert!(paths.iter().any(|path| path
        .iter()
        .any(|h| h.to.zh == "江苏省数据局" || h.from.zh == "江苏省数据局")));
    assert!(
        policykg::lineage::paths(&p, a, b, 1).is_empty(),
        "no one-hop connection"
    );
}

#[test]
fn neighbours_and_rank() {
    let p = projection();
    let bureau = p.node(&id("jiangsu-data-bureau")).unwrap();
    let near = policykg::lineage::neighbours(&p, bureau, 1);
    assert!(near.iter().all(|n| n.distance == 1));
    assert!(near.iter().any(|n| n.node.zh == "江苏省数据条例"));
    let top = policykg::lineage::rank(&p, &[], 5);
    assert_eq!(top.len(), 5);
    assert!(top.windows(2).all(|w| w[0].betweenness >= w[1].betweenness));
    let agencies = policykg::lineage::rank(&p, &["agency".into()], 3);
    assert!(
        agencies
            .iter()
            .any(|r| r.node.zh == "江苏省政务服务管理办公室" || r.node.zh == "江苏省数据局"),
        "{agencies:?}"
    );
}

#[test]
fn svg_is_well_formed_with_one_group_per_node() {
    let p = projection();
    let view = p.view(None, 0, &[], false).unwrap();
    let svg = policykg::viz::svg(&view);
    let mut reader = quick_xml::Reader::from_str(&svg);
    let mut nodes = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e))
                if e.name().as_ref() == b"g"
                    && e.attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"class" && a.value.as_ref() == b"node") =>
            {
                nodes += 1;
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Err(e) => panic!("SVG is not well-formed: {e}"),
            _ => {}
        }
    }
    assert_eq!(nodes, view.graph.node_count());
    assert!(nodes > 150, "{nodes}");
    // No two boxes overlap.
    let layout = policykg::viz::layout(&view);
    let mut boxes: Vec<_> = layout.boxes.values().collect();
    boxes.sort_by(|a, b| (a.1, a.0).partial_cmp(&(b.1, b.0)).unwrap());
    for w in boxes.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.1 == b.1 {
            assert!(a.0 + a.2 <= b.0, "{a:?} overlaps {b:?}");
        }
    }
}

fn parse(bytes: &[u8], format: RdfFormat) -> Dataset {
    RdfParser::from_format(format)
        .for_slice(bytes)
        .collect::<Result<Dataset, _>>()
        .unwrap()
}

#[test]
fn canonical_export_is_identical_whatever_the_load_order() {
    let quads = export::select_quads(kg().store(), &export::Selection::All).unwrap();
    let (a, sha_a) = export::canonical_nquads(&quads);
    let mut reversed = quads.clone();
    reversed.reverse();
    let (b, sha_b) = export::canonical_nquads(&reversed);
    assert_eq!(sha_a, sha_b);
    assert_eq!(a, b);
    assert_eq!(sha_a.len(), 64);
}

#[test]
fn graph_tool_exports_carry_the_projection() {
    let p = projection();
    let graphml = export::graphml(&p);
    assert_eq!(graphml.matches("<node id=").count(), p.graph.node_count());
    assert_eq!(graphml.matches("<edge id=").count(), p.graph.edge_count());
    let gexf = export::gexf(&p);
    assert!(gexf.contains("start=\"2022\""), "time intervals for Gephi");
    let cy = export::cytoscape(&p);
    assert_eq!(
        cy["elements"]["nodes"].as_array().unwrap().len(),
        p.graph.node_count()
    );
    let (nodes, edges) = export::neo4j_csv(&p).unwrap();
    assert!(
        nodes.starts_with("id:ID,Id,Label,")
            && edges.starts_with(":START_ID,:END_ID,:TYPE,Source,Target")
    );
    assert_eq!(nodes.lines().count(), p.graph.node_count() + 1);
}

/// Quads with blank nodes, Chinese literals, typed literals and named graphs, as a user might load.
fn user_dataset() -> Vec<oxigraph::model::Quad> {
    let text = r#"
        @prefix ex: <https://example.org/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        ex:g1 { ex:a skos:prefLabel "苏服办"@zh ; ex:has [ ex:value "42"^^<http://www.w3.org/2001/XMLSchema#integer> ; ex:note "说明" ] . }
        ex:g2 { [ ex:links ex:a ] ex:date "2025-09-28"^^<http://www.w3.org/2001/XMLSchema#date> . ex:a ex:same _:x . _:x ex:same ex:a . }
        ex:a ex:inDefault "默认图" .
    "#;
    RdfParser::from_format(RdfFormat::TriG)
        .for_slice(text.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Every RDF export of `quads`, parsed back by Oxigraph, is the same dataset (blank nodes included); graph formats
/// hold the union of the graphs.
fn assert_round_trips(quads: &[oxigraph::model::Quad]) {
    let algo = oxigraph::model::dataset::CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: oxigraph::model::dataset::CanonicalizationHashAlgorithm::Sha256,
    };
    let mut expected: Dataset = quads.iter().cloned().collect();
    expected.canonicalize(algo);
    for format in [
        Format::TriG,
        Format::NQuads,
        Format::JsonLd,
        Format::Canonical,
    ] {
        let mut bytes = Vec::new();
        export::write_rdf(quads, format, &mut bytes).unwrap();
        let rdf = if format == Format::Canonical {
            RdfFormat::NQuads
        } else {
            format.rdf_format().unwrap()
        };
        let mut back = parse(&bytes, rdf);
        back.canonicalize(algo);
        assert_eq!(back, expected, "{format}");
    }
    // Graph formats: the union of the graphs, blank nodes included.
    let mut union: Dataset = quads
        .iter()
        .map(|q| {
            oxigraph::model::Quad::new(
                q.subject.clone(),
                q.predicate.clone(),
                q.object.clone(),
                oxigraph::model::GraphName::DefaultGraph,
            )
        })
        .collect();
    union.canonicalize(algo);
    for format in [Format::Turtle, Format::NTriples, Format::RdfXml] {
        let mut bytes = Vec::new();
        export::write_rdf(quads, format, &mut bytes).unwrap();
        let mut back = parse(&bytes, format.rdf_format().unwrap());
        back.canonicalize(algo);
        assert_eq!(back, union, "{format}");
    }
}

#[test]
fn rdf_exports_round_trip_through_oxigraph() {
    assert_round_trips(&user_dataset());
    let bundled = export::select_quads(kg().store(), &export::Selection::All).unwrap();
    assert_round_trips(&bundled);
    let mut turtle = Vec::new();
    export::write_rdf(&bundled, Format::Turtle, &mut turtle).unwrap();
    assert!(
        String::from_utf8(turtle)
            .unwrap()
            .contains("\"江苏省数据条例\"@zh"),
        "Chinese kept as characters"
    );
}

#[test]
fn every_rdf_export_is_isomorphic_under_sophia() {
    use sophia::api::prelude::*;
    use sophia::api::term::SimpleTerm;
    type SQuad = ([SimpleTerm<'static>; 3], Option<SimpleTerm<'static>>);
    type STriple = [SimpleTerm<'static>; 3];
    let mut datasets = vec![user_dataset()];
    datasets.push(
        export::select_quads(
            kg().store(),
            &export::Selection::Graph(
                "https://w3id.org/policykg/graph/jszwb-2023-proposal-0845-reply".into(),
            ),
        )
        .unwrap(),
    );
    for quads in datasets {
        let write = |format: Format| {
            let mut bytes = Vec::new();
            export::write_rdf(&quads, format, &mut bytes).unwrap();
            String::from_utf8(bytes).unwrap()
        };
        // The reference: sophia's own reading of the N-Quads export.
        let reference: Vec<SQuad> = sophia::turtle::parser::nq::parse_str(&write(Format::NQuads))
            .collect_quads()
            .unwrap();
        assert_eq!(reference.len(), quads.len());
        let trig: Vec<SQuad> = sophia::turtle::parser::trig::parse_str(&write(Format::TriG))
            .collect_quads()
            .unwrap();
        assert!(
            sophia::isomorphism::isomorphic_datasets(&reference, &trig).unwrap(),
            "TriG"
        );
        let canonical: Vec<SQuad> =
            sophia::turtle::parser::nq::parse_str(&write(Format::Canonical))
                .collect_quads()
                .unwrap();
        assert!(
            sophia::isomorphism::isomorphic_datasets(&reference, &canonical).unwrap(),
            "canonical"
        );
        let jsonld: Vec<SQuad> = sophia::jsonld::JsonLdParser::new()
            .parse_str(&write(Format::JsonLd))
            .collect_quads()
            .unwrap();
        assert!(
            sophia::isomorphism::isomorphic_datasets(&reference, &jsonld).unwrap(),
            "JSON-LD"
        );
        // Graph formats hold the union of the graphs.
        let union: Vec<STriple> = {
            let mut seen = Vec::new();
            for (t, _) in &reference {
                if !<[STriple]>::contains(&seen, t) {
                    seen.push(t.clone());
                }
            }
            seen
        };
        let turtle: Vec<STriple> =
            sophia::turtle::parser::turtle::parse_str(&write(Format::Turtle))
                .collect_triples()
                .unwrap();
        assert!(
            sophia::isomorphism::isomorphic_graphs(&union, &turtle).unwrap(),
            "Turtle"
        );
        let nt: Vec<STriple> = sophia::turtle::parser::nt::parse_str(&write(Format::NTriples))
            .collect_triples()
            .unwrap();
        assert!(
            sophia::isomorphism::isomorphic_graphs(&union, &nt).unwrap(),
            "N-Triples"
        );
    }
}
