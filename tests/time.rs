//! Time: date bounds in the compiled graph, `policykg as-of DATE` and `policykg timeline`, through the real
//! binary on the bundled data.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::*;

/// `policykg ARGS… --format json`, parsed; the command must succeed.
fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let out = run(built_store(), &all);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// The rows of `as-of DAY` (with `--all` when asked), by entity IRI.
fn as_of(day: &str, extra: &[&str]) -> BTreeMap<String, Value> {
    let mut args = vec!["as-of", day];
    args.extend_from_slice(extra);
    json(&args)["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entity"].as_str().unwrap().to_owned(), r.clone()))
        .collect()
}

fn standing(rows: &BTreeMap<String, Value>, local: &str) -> Option<String> {
    rows.get(&id(local))
        .map(|r| r["standing"].as_str().unwrap().to_owned())
}

#[test]
fn on_2023_06_01_the_public_data_measures_are_in_force_and_the_data_regulation_is_not() {
    let rows = as_of("2023-06-01", &[]);
    assert_eq!(
        standing(&rows, "jiangsu-public-data-measures").as_deref(),
        Some("current")
    );
    let measures = &rows[&id("jiangsu-public-data-measures")];
    let step = &measures["deciding"][0];
    assert_eq!(step["date"]["written"], "2022-02-01");
    assert!(step["source"]["quote"]
        .as_str()
        .unwrap()
        .contains("2022年2月1日起施行"));
    assert_eq!(standing(&rows, "jiangsu-data-regulation"), None);
    let everything = as_of("2023-06-01", &["--all"]);
    assert_eq!(
        standing(&everything, "jiangsu-data-regulation").as_deref(),
        Some("not-yet")
    );
}

#[test]
fn on_2025_12_31_the_data_regulation_is_in_force() {
    let rows = as_of("2025-12-31", &[]);
    assert_eq!(
        standing(&rows, "jiangsu-data-regulation").as_deref(),
        Some("current")
    );
    let table = stdout(&run(built_store(), &["as-of", "2025-12-31"]));
    let line = table
        .lines()
        .find(|l| l.contains("江苏省数据条例 "))
        .unwrap();
    assert!(line.contains("in force") && line.contains("推动《江苏省数据条例》颁布实施"));
}

#[test]
fn a_year_only_instrument_is_bounded_on_both_sides_of_its_year() {
    // 江苏省数据条例 entered into force in 2025, no day given.
    let before = as_of("2024-12-31", &["--all"]);
    assert_eq!(
        standing(&before, "jiangsu-data-regulation").as_deref(),
        Some("not-yet")
    );
    let first = as_of("2025-01-01", &[]);
    assert_eq!(
        standing(&first, "jiangsu-data-regulation").as_deref(),
        Some("unknown")
    );
    let last = as_of("2025-12-31", &[]);
    assert_eq!(
        standing(&last, "jiangsu-data-regulation").as_deref(),
        Some("current")
    );
    let bounds = rows(
        "SELECT ?lo ?hi WHERE { ?e pk:eventOf pkid:jiangsu-data-regulation ; a pk:EntryIntoForce ;
           pk:earliest ?lo ; pk:latest ?hi }",
    );
    assert_eq!(
        bounds,
        vec![vec!["2025-01-01".to_owned(), "2025-12-31".to_owned()]]
    );
}

#[test]
fn every_date_has_one_earliest_and_one_latest_day() {
    // Stated dates: the entailed graph re-expresses some (eli:date_document of an instrument whose promulgation is
    // dated), and the bounds stay on the dated subject the texts give.
    let dated = column(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?d } FILTER(?g != pkg:entailed
           && ?p != pk:yearCovered && ?p != pk:earliest && ?p != pk:latest
           && DATATYPE(?d) IN (xsd:gYear, xsd:gYearMonth, xsd:date)) }",
    );
    assert!(dated.len() > 100, "{} dated subjects", dated.len());
    let bad = rows(
        "SELECT ?s (COUNT(DISTINCT ?lo) AS ?l) (COUNT(DISTINCT ?hi) AS ?h) WHERE {
           GRAPH ?g { ?s ?p ?d } FILTER(?g != pkg:entailed
             && ?p != pk:yearCovered && ?p != pk:earliest && ?p != pk:latest
             && DATATYPE(?d) IN (xsd:gYear, xsd:gYearMonth, xsd:date))
           OPTIONAL { ?s pk:earliest ?lo } OPTIONAL { ?s pk:latest ?hi }
         } GROUP BY ?s HAVING (COUNT(DISTINCT ?lo) != 1 || COUNT(DISTINCT ?hi) != 1)",
    );
    assert!(bad.is_empty(), "{bad:?}");
    let inverted =
        column("SELECT ?s WHERE { ?s pk:earliest ?lo ; pk:latest ?hi FILTER(?lo > ?hi) }");
    assert!(inverted.is_empty(), "{inverted:?}");
}

#[test]
fn an_undated_entity_is_unknown_never_left_out() {
    let agencies = column(
        "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x a ?c } FILTER(?g != pkg:entailed) ?c rdfs:subClassOf* pk:Agency
           FILTER(STRSTARTS(STR(?x), STR(pkid:))) }",
    );
    let rows = as_of("2023-06-01", &["--class", "Agency", "--all"]);
    for a in &agencies {
        assert!(rows.contains_key(a), "{a} is missing from as-of --all");
    }
    // The national data administration is named but never dated.
    assert_eq!(
        standing(&rows, "national-data-administration").as_deref(),
        Some("unknown")
    );
    assert_eq!(
        rows[&id("national-data-administration")]["reason"],
        "no date in the texts"
    );
}

#[test]
fn a_replaced_edition_has_ended_once_its_successor_is_in_force() {
    let rows = as_of("2025-12-31", &["--all"]);
    let old = &rows[&id("jiangsu-admin-licensing-list-2022")];
    assert_eq!(old["standing"], "ended");
    assert_eq!(
        old["replaced_by"][0]["by"],
        id("jiangsu-admin-licensing-list-2025").as_str()
    );
}

#[test]
fn every_deciding_quote_is_the_document_text_at_its_offsets() {
    let texts: BTreeMap<String, String> =
        rows("SELECT ?d ?t WHERE { ?d a pk:SourceDocument ; pk:text ?t }")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    let answer = as_of("2025-12-31", &["--all"]);
    let mut checked = 0;
    for row in answer.values() {
        for step in row["deciding"].as_array().unwrap() {
            let Some(source) = step["source"].as_object() else {
                continue;
            };
            let text = &texts[source["document"].as_str().unwrap()];
            let (start, end) = (
                source["start"].as_u64().unwrap() as usize,
                source["end"].as_u64().unwrap() as usize,
            );
            let at: String = text.chars().skip(start).take(end - start).collect();
            assert_eq!(at, source["quote"].as_str().unwrap());
            assert!(!source["title"].as_str().unwrap().is_empty());
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} quotes checked");
}

#[test]
fn the_timeline_is_in_order_with_its_precision() {
    let steps = json(&["timeline", "江苏省12345政务服务便民热线条例"]);
    let steps = steps.as_array().unwrap();
    let first_reading = steps
        .iter()
        .find(|s| s["kind"] == "pk:FirstReading")
        .unwrap();
    assert_eq!(first_reading["date"]["written"], "2025-09-28");
    assert_eq!(first_reading["date"]["precision"], "day");
    let dated: Vec<&str> = steps
        .iter()
        .filter_map(|s| s["date"]["earliest"].as_str())
        .collect();
    assert!(dated.windows(2).all(|w| w[0] <= w[1]), "{dated:?}");
    let table = stdout(&run(
        built_store(),
        &["timeline", "--class", "LocalRegulation"],
    ));
    let year = table
        .lines()
        .find(|l| l.contains("江苏省数据条例") && l.contains("EntryIntoForce"))
        .unwrap();
    assert!(year.contains("2025") && year.contains("year"), "{year}");
}

#[test]
fn a_day_that_is_not_a_day_is_one_line_and_exit_1() {
    for bad in ["2025", "2025-02-30", "yesterday"] {
        let out = run(built_store(), &["as-of", bad]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }
    let out = run(
        built_store(),
        &["as-of", "2025-01-01", "--class", "SourceDocument"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("instruments, agencies and platforms"));
}

#[test]
fn a_standard_approved_as_a_project_is_not_yet_in_force_before_the_approval() {
    // 2022 report: 完成《公共数据分类分级和共享交换规范》…地方标准立项 (pk:ProjectApproval, year only).
    let standard = "public-data-classification-exchange-standard";
    let before = as_of("2021-06-01", &["--all"]);
    assert_eq!(standing(&before, standard).as_deref(), Some("not-yet"));
    assert_eq!(
        before[&id(standard)]["deciding"][0]["kind"],
        "pk:ProjectApproval"
    );
    // Within the year of the approval the texts do not say whether it was in force.
    let during = as_of("2022-06-30", &["--all"]);
    assert_eq!(standing(&during, standard).as_deref(), Some("unknown"));
}

#[test]
fn the_time_facts_kept_beside_the_store_follow_a_load() {
    let (_dir, store) = crate::server::store_copy();
    let platform = |store: &std::path::Path| {
        let out = run(
            store,
            &[
                "as-of",
                "2024-06-01",
                "--class",
                "Platform",
                "--format",
                "json",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let answer: Value = serde_json::from_str(&stdout(&out)).unwrap();
        answer["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["entity"] == id("ceni"))
            .map(|r| r["standing"].as_str().unwrap().to_owned())
    };
    assert_eq!(platform(&store).as_deref(), Some("unknown"));
    assert!(store.join("policykg-time.json").is_file());
    // A launch loaded into a user graph dates it: the next process reads the store, not the kept facts.
    let data = store.with_file_name("launch.ttl");
    std::fs::write(
        &data,
        format!(
            "<http://example.org/ceni-launch> a <{pk}Launch> ; <{pk}eventOf> <{ceni}> ; <{pk}date> \"2020-03\" .\n",
            pk = "https://w3id.org/policykg/ontology#",
            ceni = id("ceni")
        ),
    )
    .unwrap();
    let out = run(&store, &["load", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(platform(&store).as_deref(), Some("current"));
    let out = run(&store, &["timeline", "ceni", "--format", "json"]);
    let steps: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(steps[0]["kind"], "pk:Launch");
    assert_eq!(steps[0]["date"]["written"], "2020-03");
}
