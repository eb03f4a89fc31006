//! Standards that answer: SHACL validation of the bundled graph and of loaded files against
//! `ontology/shapes.ttl` (`policykg validate`, `load --strict`), and the same verdicts from pySHACL.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{built_store, require_tool, run, stderr, stdout};

/// The violations file: five kinds, one entity each.
fn violations_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shacl-violations.ttl")
}

fn report(store: &Path, args: &[&str]) -> (bool, serde_json::Value) {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(store, &all);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    (out.status.success(), json)
}

fn results(json: &serde_json::Value) -> Vec<(String, String)> {
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["focusNode"].as_str().unwrap().to_owned(),
                r["sourceShape"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_bundled_graph_conforms() {
    let (ok, json) = report(built_store(), &[]);
    assert!(results(&json).is_empty(), "{:?}", results(&json));
    assert!(ok);
    assert_eq!(json["conforms"], true);
}

#[test]
fn validate_writes_a_w3c_report_in_turtle_and_text() {
    let out = run(built_store(), &["validate", "--format", "turtle"]);
    let text = stdout(&out);
    assert!(
        text.contains("<http://www.w3.org/ns/shacl#ValidationReport>"),
        "{text}"
    );
    assert!(
        text.contains("<http://www.w3.org/ns/shacl#conforms>"),
        "{text}"
    );
    let out = run(built_store(), &["validate", "--graph", "pkg:ontology"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("conforms"));
    let out = run(built_store(), &["validate", "--graph", "pkg:nothing"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no named graph pkg:nothing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn five_kinds_of_violation_are_named_refused_by_strict_and_admitted_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg");
    assert!(run(&store, &["stats"]).status.success());
    let file = violations_file();
    let file = file.to_str().unwrap();
    let before = stdout(&run(&store, &["stats", "--format", "json"]));
    // The report is kept beside the store for its state; the load below must be seen at once.
    let (ok, _) = report(&store, &[]);
    assert!(ok);
    assert!(store.join("policykg-validate.json").is_file());

    let out = run(&store, &["load", "--strict", file]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("refused") && err.contains("the store is unchanged"),
        "{err}"
    );
    assert_eq!(stdout(&run(&store, &["stats", "--format", "json"])), before);

    let out = run(&store, &["load", file]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: loaded data that do not conform"),
        "{}",
        stderr(&out)
    );

    let (ok, json) = report(&store, &[]);
    assert!(!ok);
    let (again_ok, again) = report(&store, &[]);
    assert_eq!(
        (again_ok, &again),
        (ok, &json),
        "the kept report reads back"
    );
    let found = results(&json);
    let shapes = "https://w3id.org/policykg/shapes#";
    for (focus, shape) in [
        ("test-unlabelled-rule", "Entity-prefLabel"),
        ("test-misissued-rule", "IssuedBy"),
        ("test-undated-step", "Dated"),
        ("test-unitless-observation", "IndicatorObservation"),
        ("test-misnumbered-rule", "DocumentNumber"),
    ] {
        let focus = format!("https://w3id.org/policykg/id/{focus}");
        let shape = format!("{shapes}{shape}");
        assert!(
            found.contains(&(focus.clone(), shape.clone())),
            "{focus} {shape} not in {found:?}"
        );
    }
    let text = stdout(&run(&store, &["validate"]));
    assert!(
        text.contains("pkid:test-unitless-observation")
            && text.contains("pksh:IndicatorObservation"),
        "{text}"
    );
}

/// pySHACL's verdict (conforms or not) on an N-Triples file with the same shapes.
fn pyshacl_conforms(data: &Path) -> bool {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("tests/python/pyshacl_validate.py"))
        .arg(data)
        .arg(root.join("ontology/shapes.ttl"))
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 3)),
        "pyshacl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    code == Some(0)
}

#[test]
fn pyshacl_agrees_on_the_bundle_and_the_violations_file() {
    let python = Command::new("python3")
        .args(["-c", "import pyshacl, rdflib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool(python, "python3 with pyshacl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg");
    assert!(run(&store, &["stats"]).status.success());
    for load in [None, Some(violations_file())] {
        if let Some(file) = &load {
            assert!(run(&store, &["load", file.to_str().unwrap()])
                .status
                .success());
        }
        let nt = dir.path().join("data.nt");
        let out = run(
            &store,
            &["export", "--format", "ntriples", "-o", nt.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let (ours, _) = report(&store, &[]);
        assert_eq!(
            pyshacl_conforms(&nt),
            ours,
            "pyshacl and policykg disagree (loaded: {load:?})"
        );
    }
}

/// The rows of a query, as CSV lines without the header.
fn csv_rows(store: &Path, sparql: &str) -> Vec<String> {
    let out = run(store, &["query", sparql, "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .skip(1)
        .map(|l| l.trim_end_matches('\r').to_owned())
        .collect()
}

#[test]
fn a_consumer_that_knows_only_eli_gets_a_complete_record() {
    let store = built_store();
    // 《江苏省公共数据管理办法》: a government rule (省政府令第148号) passed by the provincial government, in force
    // from 2022-02-01; its Chinese expression carries its title.
    let rows = csv_rows(
        store,
        "SELECT ?type ?by ?id ?force ?title ?lang WHERE { \
           pkid:jiangsu-public-data-measures eli:type_document ?type ; eli:passed_by ?by ; eli:id_local ?id ; \
             eli:first_date_entry_in_force ?force ; eli:is_realized_by ?e . \
           ?e a eli:LegalExpression ; eli:realizes pkid:jiangsu-public-data-measures ; eli:title ?title ; \
             eli:language ?lang }",
    );
    assert_eq!(
        rows,
        ["https://w3id.org/policykg/ontology/document-type#government-rule,https://w3id.org/policykg/id/jiangsu-provincial-government,省政府令第148号,2022-02-01,江苏省公共数据管理办法,http://publications.europa.eu/resource/authority/language/ZHO"]
    );
    // Every legal resource has one kind and a titled Chinese expression whose title is its zh label.
    let incomplete = csv_rows(
        store,
        "SELECT ?x WHERE { ?x a eli:LegalResource . \
           FILTER NOT EXISTS { ?x eli:type_document ?t ; eli:is_realized_by/eli:title ?title . \
             ?x skos:prefLabel ?title } }",
    );
    assert!(incomplete.is_empty(), "{incomplete:?}");
    let kinds = csv_rows(
        store,
        "SELECT ?x WHERE { ?x eli:type_document ?a, ?b FILTER (?a != ?b) }",
    );
    assert!(kinds.is_empty(), "more than one kind: {kinds:?}");
    // The kind is the most specific one: 省级地标 are provincial standards, not only standards.
    let provincial = csv_rows(
        store,
        "SELECT (COUNT(?x) AS ?n) WHERE { ?x eli:type_document ?k . ?k skos:prefLabel \"地方标准\"@zh }",
    );
    assert_ne!(provincial, ["0"]);
    // schema.org speaks too: the type by name and the date to the day where the texts give one.
    let schema = csv_rows(
        store,
        "SELECT ?date WHERE { pkid:jiangsu-admin-licensing-list-2022 schema:legislationDate ?date ; \
           eli:date_document ?date ; schema:legislationType \"清单与目录\"@zh }",
    );
    assert_eq!(schema, ["2022-07-14"]);
    // Only days are dates: nothing dated to a year becomes an xsd:date.
    let years = csv_rows(
        store,
        "SELECT ?x WHERE { ?x eli:date_document ?d FILTER (DATATYPE(?d) != xsd:date) }",
    );
    assert!(years.is_empty(), "{years:?}");
}

#[test]
fn owlrl_rdfs_closure_includes_every_entailed_triple() {
    let python = Command::new("python3")
        .args(["-c", "import owlrl, rdflib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool(python, "python3 with owlrl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.nt");
    let entailed = dir.path().join("entailed.nt");
    for (file, extra) in [(&data, None), (&entailed, Some("pkg:entailed"))] {
        let mut args = vec![
            "export",
            "--format",
            "ntriples",
            "-o",
            file.to_str().unwrap(),
        ];
        if let Some(graph) = extra {
            args.extend(["--graph", graph]);
        }
        let out = run(built_store(), &args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/rdfs_closure.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&data)
        .arg(&entailed)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The check saw the whole entailed graph, thousands of triples.
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let n: usize = text
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.trim_end_matches(',').parse().ok())
        .unwrap();
    assert!(n > 4000, "{text}");
}
