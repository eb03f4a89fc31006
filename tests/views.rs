//! `viz --view`: every view rendered as SVG and HTML is readable in headless Chromium at 1400×900 (no two text
//! boxes overlap, no text under 11 px, no request leaves the machine; tests/browser/check_views.py), its DOT
//! passes Graphviz, the regulation-platform view holds the regulates edges the store states, and the server
//! serves each view by name.

use std::path::PathBuf;
use std::process::Command;

use crate::common::*;
use crate::server::{agent, body, enc};

/// Every view, as `viz` arguments, with the file stem of its pictures.
const VIEWS: [(&str, &[&str]); 5] = [
    ("regulation-platform", &["--view", "regulation-platform"]),
    (
        "lineage-data-regulation",
        &["--view", "lineage", "江苏省数据条例"],
    ),
    (
        "lineage-hotline-regulation",
        &["--view", "lineage", "江苏省12345政务服务便民热线条例"],
    ),
    ("agency-data-bureau", &["--view", "agency", "省数据局"]),
    (
        "neighbourhood-data-bureau",
        &["--view", "neighbourhood", "江苏省数据局", "--depth", "2"],
    ),
];

/// Write one view in one format into `target/browser/views/`, and return the file.
fn write_view(stem: &str, args: &[&str], format: &str) -> PathBuf {
    let dir = browser_dir().join("views");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{stem}.{format}"));
    let mut all = vec!["viz"];
    all.extend_from_slice(args);
    all.extend(["--format", format, "-o", file.to_str().unwrap()]);
    let out = run(built_store(), &all);
    assert!(out.status.success(), "{all:?}: {}", stderr(&out));
    assert!(stderr(&out).contains("boxes"), "{}", stderr(&out));
    file
}

#[test]
fn every_view_is_readable_at_1400_by_900_in_chromium() {
    if !require_tool(
        browser_available(),
        "chromium, chromium-driver and python3 selenium",
    ) {
        return;
    }
    let mut pages = vec![];
    for (stem, args) in VIEWS {
        pages.push(write_view(stem, args, "svg"));
        pages.push(write_view(&format!("{stem}-page"), args, "html"));
    }
    // One page from the server too: it may request nothing but the server itself.
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("kg"), &[]);
    let served = format!(
        "{}/viz/lineage/{}",
        server.base,
        enc("江苏省12345政务服务便民热线条例")
    );
    let out = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/browser/check_views.py"
        ))
        .arg(browser_dir())
        .args(&pages)
        .arg(&served)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(
        stdout(&out).matches("none overlapping").count(),
        pages.len() + 1,
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("filter "),
        "an HTML relation filter was tried: {}",
        stdout(&out)
    );
}

#[test]
fn the_dot_of_every_view_passes_graphviz() {
    let dot = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool(dot, "graphviz (dot)") {
        return;
    }
    for (stem, args) in VIEWS {
        let file = write_view(stem, args, "dot");
        let out = Command::new("dot")
            .args(["-Tsvg", "-o", "/dev/null"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{stem}: {}", stderr(&out));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("// policykg view") && text.contains(" [label=\""),
            "{stem}"
        );
    }
}

/// The DATA object of a view page.
fn page_data(html: &str) -> serde_json::Value {
    let start = html.find("const DATA = ").unwrap() + "const DATA = ".len();
    let end = start + html[start..].find(";\n").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

#[test]
fn the_regulation_platform_view_draws_every_regulates_edge_the_store_states() {
    let stated = rows(
        "SELECT DISTINCT ?r ?p WHERE {
           ?r pk:regulates ?p .
           GRAPH pkg:catalogue { ?r a ?rc . ?p a ?pc }
           ?rc rdfs:subClassOf* pk:PolicyInstrument . ?pc rdfs:subClassOf* pk:Platform }",
    );
    assert!(stated.len() >= 10, "{stated:?}");
    let html = std::fs::read_to_string(write_view("regulation-platform-data", VIEWS[0].1, "html"))
        .unwrap();
    let data = page_data(&html);
    let nodes = data["nodes"].as_array().unwrap();
    let drawn: Vec<(String, String, String)> = data["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let iri = |k: &str| {
                nodes[e[k].as_u64().unwrap() as usize]["iri"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            };
            (
                iri("source"),
                e["relation"].as_str().unwrap().to_owned(),
                iri("target"),
            )
        })
        .collect();
    for pair in &stated {
        let edge = (pair[0].clone(), "regulates".to_owned(), pair[1].clone());
        assert!(drawn.contains(&edge), "{edge:?} is not drawn");
    }
    let label = |iri: &str| {
        nodes.iter().find(|n| n["iri"] == iri).unwrap()["label"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        drawn.iter().any(|(r, rel, p)| rel == "regulates"
            && label(r) == "江苏省12345政务服务便民热线条例"
            && label(p) == "江苏12345热线"),
        "the hotline regulation regulates the hotline"
    );
    // The hotline is drawn under the agencies that run it (one group, a cluster in DOT).
    let dot =
        std::fs::read_to_string(write_view("regulation-platform-data", VIEWS[0].1, "dot")).unwrap();
    assert!(
        dot.contains("label=\"江苏省政务服务管理办公室 · 江苏省数据局 运营 runs\";"),
        "{dot}"
    );
}

#[test]
fn a_view_needs_its_entity_and_an_agency_view_an_agency() {
    let out = run(
        built_store(),
        &["viz", "--view", "lineage", "-o", "/dev/null"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("needs an entity"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    let out = run(
        built_store(),
        &["viz", "--view", "agency", "苏服办", "-o", "/dev/null"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not an agency"), "{}", stderr(&out));
    let out = run(
        built_store(),
        &[
            "viz",
            "--view",
            "lineage",
            "江苏省数据条例",
            "--focus",
            "苏服办",
            "-o",
            "/dev/null",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "--view and --focus conflict");
}

#[test]
fn the_server_serves_each_view_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("kg"), &[]);
    let get = |path: &str| {
        body(
            agent()
                .get(format!("{}{path}", server.base))
                .call()
                .unwrap(),
        )
    };
    let (status, ct, page) = get("/viz/regulation-platform");
    assert_eq!((status, ct.as_str()), (200, "text/html; charset=utf-8"));
    assert!(page.contains("江苏12345热线") && page.contains("<svg"));
    let (status, ct, svg) = get(&format!(
        "/viz/lineage/{}?format=svg",
        enc("江苏省数据条例")
    ));
    assert_eq!((status, ct.as_str()), (200, "image/svg+xml"));
    assert!(
        svg.starts_with("<svg") && svg.contains("江苏省公共数据管理办法"),
        "{svg}"
    );
    let (status, _, dot) = get(&format!("/viz/agency/{}?format=dot", enc("省数据局")));
    assert_eq!(status, 200);
    assert!(
        dot.contains("cluster_lane0") && dot.contains("发布 issued"),
        "{dot}"
    );
    let (status, _, page) = get(&format!(
        "/viz/neighbourhood/{}?depth=1&max-nodes=10",
        enc("苏服办")
    ));
    assert_eq!(status, 200);
    assert_eq!(page_data(&page)["nodes"].as_array().unwrap().len(), 10);
    assert_eq!(get(&format!("/viz/lineage/{}", enc("没有这个名字"))).0, 404);
    assert_eq!(get(&format!("/viz/agency/{}", enc("苏服办"))).0, 400);
    assert_eq!(get("/viz/regulation-platform?format=png").0, 400);
    assert_eq!(get("/viz/nonsense/x").0, 404);
}
