//! Every bundled query, with the answers it must give on the bundled data.

use std::collections::BTreeMap;

use crate::common::*;
use policykg::read::catalog;
use policykg::read::query::{evaluate_now, parse};

/// The rows of a bundled query, as plain strings.
fn answer(name: &str) -> Vec<Vec<String>> {
    let q = policykg::read::catalog::get(name).unwrap();
    let answer = evaluate_now(kg().store(), parse(q.text, q.path).unwrap(), None).unwrap();
    answer
        .rows()
        .unwrap_or_else(|| panic!("{name} is not a SELECT"))
        .into_iter()
        .map(|r| r.values().to_vec())
        .collect()
}

fn has_row(rows: &[Vec<String>], cells: &[&str]) -> bool {
    rows.iter().any(|r| {
        cells.iter().all(|c| {
            r.iter()
                .any(|v| v == c || v.ends_with(&format!("/{c}")) || v.ends_with(&format!("#{c}")))
        })
    })
}

#[track_caller]
fn expect(name: &str, rows: &[Vec<String>], cells: &[&str]) {
    assert!(
        has_row(rows, cells),
        "{name}: no row with {cells:?} in {rows:#?}"
    );
}

#[test]
fn data_regulation_lineage() {
    let rows = answer("data-regulation-lineage");
    assert_eq!(rows.len(), 4);
    expect(
        "lineage",
        &rows,
        &[
            "江苏省公共数据管理办法",
            "raisedTo",
            "公共数据管理条例",
            "stated",
        ],
    );
    expect(
        "lineage",
        &rows,
        &[
            "公共数据管理条例",
            "leadsTo",
            "江苏省数据条例(草案)",
            "inferred",
        ],
    );
    expect(
        "lineage",
        &rows,
        &[
            "江苏省公共数据条例立法项目",
            "leadsTo",
            "江苏省数据条例(草案)",
            "inferred",
        ],
    );
    expect(
        "lineage",
        &rows,
        &[
            "江苏省数据条例(草案)",
            "draftOf",
            "江苏省数据条例",
            "inferred",
        ],
    );
}

#[test]
fn data_regulation_timeline() {
    let rows = answer("data-regulation-timeline");
    expect(
        "timeline",
        &rows,
        &["2022-02-01", "江苏省公共数据管理办法", "entry into force"],
    );
    expect(
        "timeline",
        &rows,
        &["2024", "江苏省数据条例(草案)", "planned step"],
    );
    expect(
        "timeline",
        &rows,
        &[
            "2025",
            "江苏省公共数据管理办法",
            "post-enactment evaluation",
        ],
    );
    let dates: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]),
        "ordered by date: {dates:?}"
    );
}

#[test]
fn agency_succession() {
    let rows = answer("agency-succession");
    assert_eq!(rows.len(), 1);
    expect(
        "succession",
        &rows,
        &["江苏省政务服务管理办公室", "江苏省数据局", "inferred"],
    );
    assert!(
        rows[0][5].contains("省数据局文件"),
        "reasoning: {}",
        rows[0][5]
    );
}

#[test]
fn platforms_by_agency() {
    let rows = answer("platforms-by-agency");
    expect(
        "platforms",
        &rows,
        &["常州市新北区数据局", "小新", "DigitalAssistant"],
    );
    expect(
        "platforms",
        &rows,
        &["常州市新北区数据局", "12345平台", "inferred"],
    );
    assert!(
        rows.iter().any(|r| r[0] == "江苏省政务服务管理办公室"),
        "{rows:?}"
    );
}

#[test]
fn legal_basis_of_platforms() {
    let rows = answer("legal-basis-of-platforms");
    expect(
        "basis",
        &rows,
        &[
            "数字政府“苏服办”总门户建设实施方案",
            "regulates",
            "“苏服办”总门户",
        ],
    );
    expect(
        "basis",
        &rows,
        &[
            "新一代电子政务外网建设指南",
            "regulates",
            "新一代电子政务外网",
        ],
    );
}

#[test]
fn hotline_legislation_timeline() {
    let rows = answer("hotline-legislation-timeline");
    expect(
        "hotline",
        &rows,
        &[
            "2022",
            "legislative research",
            "江苏省政务服务便民热线管理条例立法项目",
        ],
    );
    expect(
        "hotline",
        &rows,
        &[
            "2025-09-28",
            "first reading",
            "江苏省12345政务服务便民热线条例",
            "条例已于9月28日经省人大常委会第一次审议通过",
        ],
    );
    expect(
        "hotline",
        &rows,
        &["2026", "planned step", "江苏省12345政务服务便民热线条例"],
    );
}

#[test]
fn sufuban_indicators() {
    let rows = answer("sufuban-indicators");
    expect(
        "sufuban",
        &rows,
        &[
            "2022",
            "“苏服办”移动端",
            "平均月活跃用户",
            "45200000",
            "4520万",
        ],
    );
    expect(
        "sufuban",
        &rows,
        &["2025", "1.53亿", "省数据局2025年度法治政府建设情况报告"],
    );
    assert!(
        rows.iter().any(|r| r[0] == "2024"),
        "the 2024 target is there: {rows:?}"
    );
}

#[test]
fn most_mentioned() {
    let rows = answer("most-mentioned");
    assert_eq!(rows[0][1], "“一件事”改革");
    assert_eq!(rows[0][2], "5");
    expect("mentions", &rows, &["江苏12345热线", "4"]);
    expect("mentions", &rows, &["苏服码", "4"]);
    assert!(rows.iter().all(|r| r[2].parse::<u32>().unwrap() >= 3));
}

#[test]
fn entities() {
    let rows = answer("entities");
    assert_eq!(rows.len(), 517);
    expect(
        "entities",
        &rows,
        &[
            "LocalRegulation",
            "江苏省数据条例",
            "Jiangsu Provincial Data Regulation",
        ],
    );
    expect(
        "entities",
        &rows,
        &["Agency", "江苏省数据局", "Jiangsu Provincial Data Bureau"],
    );
}

#[test]
fn documents() {
    let rows = answer("documents");
    assert_eq!(rows.len(), 5);
    expect(
        "documents",
        &rows,
        &[
            "省政务办2022年度法治政府建设情况报告",
            "江苏省政务服务管理办公室",
            "2023-01-05",
            "2022",
        ],
    );
    expect(
        "documents",
        &rows,
        &["江苏省政务服务管理办公室", "2023-07-12", "2023"],
    );
    assert!(
        rows.iter().all(|r| r[5].parse::<u32>().unwrap() > 100),
        "each supports many stated facts: {rows:?}"
    );
}

#[test]
fn inferred_facts() {
    let rows = answer("inferred-facts");
    // 121 facts whose only "inference" was the report's author as the implied subject are now stated with an
    // implied actor (reporting-body-work), not inferred
    assert!(rows.len() > 100, "{}", rows.len());
    expect(
        "inferred",
        &rows,
        &[
            "江苏省政务服务管理办公室",
            "succeededBy",
            "jiangsu-data-bureau",
            "4",
        ],
    );
    expect(
        "inferred",
        &rows,
        &[
            "江苏省数据条例(草案)",
            "draftOf",
            "jiangsu-data-regulation",
            "2",
        ],
    );
}

#[test]
fn instruments_by_kind() {
    let rows = answer("instruments-by-kind");
    expect("kinds", &rows, &["Plan", "41"]);
    expect("kinds", &rows, &["LocalRegulation", "6"]);
    expect("kinds", &rows, &["GovernmentRule"]);
    let counts: Vec<u32> = rows.iter().map(|r| r[3].parse().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn platform_versions() {
    let rows = answer("platform-versions");
    expect("versions", &rows, &["苏服办", "“苏服办”2.0"]);
    expect("versions", &rows, &["苏康码", "苏康码2.0"]);
    expect(
        "versions",
        &rows,
        &["省公共数据平台", "upgradedTo", "新一代公共数据平台"],
    );
}

#[test]
fn yijianshi_scenarios() {
    let rows = answer("yijianshi-scenarios");
    assert!(rows.len() >= 30, "{}", rows.len());
    expect("scenarios", &rows, &["“不动产登记+公积金”一件事"]);
    expect("scenarios", &rows, &["个转企"]);
}

#[test]
fn cooperation() {
    let rows = answer("cooperation");
    expect(
        "cooperation",
        &rows,
        &[
            "“互联网+监管”系统",
            "省市场监管信息平台",
            "深度对接省市场监管信息平台和省行政执法监督平台",
        ],
    );
    assert!(
        rows.iter().all(|r| !r[2].is_empty()),
        "every pair has a quote"
    );
}

#[test]
fn every_bundled_query_is_tested_here() {
    let source = include_str!("named_queries.rs");
    for q in policykg::read::catalog::all() {
        assert!(
            source.contains(&format!("answer(\"{}\")", q.name)),
            "{} has no answer test",
            q.name
        );
    }
}

/// The rows of `reporting-body-work` for one agency and year, as (modality, status, quote).
fn work_of(agency: &str, year: &str) -> Vec<(String, String, String)> {
    answer("reporting-body-work")
        .into_iter()
        .filter(|r| r[0] == agency && r[1] == year)
        .map(|r| (r[2].clone(), r[3].clone(), r[7].clone()))
        .collect()
}

#[test]
fn what_the_data_bureau_did_in_2025_done_and_planned() {
    let work = work_of("江苏省数据局", "2025");
    let done = work.iter().filter(|w| w.0 == "done").count();
    assert!(done >= 30, "{work:#?}");
    // 制定首席数据官工作指引 has no subject: the bureau is its implied actor, stated, not inferred
    assert!(work.iter().any(|w| w
        == &(
            "done".into(),
            "stated with implicit subject".into(),
            "制定首席数据官工作指引".into()
        )));
    // the 2024 key-task list is all plan: none of the bureau's part in it is reported done
    let planned_2024 = work_of("江苏省数据局", "2024");
    assert!(planned_2024.len() >= 40, "{planned_2024:#?}");
    assert!(planned_2024.iter().all(|w| w.0 == "planned"));
}

#[test]
fn what_the_service_office_did_in_2022() {
    let work = work_of("江苏省政务服务管理办公室", "2022");
    assert!(work.len() >= 80, "{}", work.len());
    let implied = work
        .iter()
        .filter(|w| w.1 == "stated with implicit subject")
        .count();
    assert!(implied >= 50, "{implied} of {}", work.len());
    // 2022 is reported; only the report's own plan section (三、2023年度法治政府建设的主要安排) is planned
    let planned = work.iter().filter(|w| w.0 == "planned").count();
    assert!(planned * 10 < work.len(), "{planned} of {}", work.len());
}

#[test]
fn sufuban_registered_users_2022_to_2025_from_one_query() {
    let series: Vec<(String, String, String)> = answer("measure-series")
        .into_iter()
        .filter(|r| r[0] == "registered users" && r[1] == "苏服办")
        .map(|r| (r[2].clone(), r[3].clone(), r[5].clone()))
        .collect();
    assert_eq!(
        series,
        [
            ("2022".into(), "142000000".into(), "“苏服办”移动端".into()),
            ("2025".into(), "153000000".into(), "苏服办".into())
        ],
    );
}

#[test]
fn every_planned_step_of_2026() {
    let rows = answer("planned-steps");
    let steps: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "2026").collect();
    assert!(steps.len() >= 7, "{steps:#?}");
    assert!(steps
        .iter()
        .all(|r| r[5] == "省数据局2025年度法治政府建设情况报告"));
    for quote in ["上线运行新一代公共数据平台", "完善“一表通”系统"] {
        assert!(steps.iter().any(|r| r[4] == quote), "{quote}: {steps:#?}");
    }
    // the 0845 reply's 下一步 steps are planned, for 2023
    expect(
        "planned-steps",
        &rows,
        &["2023", "积极推动《办法》上升为公共数据管理条例"],
    );
}

#[test]
fn statuses_by_document() {
    let rows = answer("statuses-by-document");
    expect(
        "statuses",
        &rows,
        &[
            "省政务办2022年度法治政府建设情况报告",
            "stated with implicit subject",
            "done",
            "72",
        ],
    );
    // what the key-task list states is all plan (an inference may rest on premises in other documents too)
    assert!(rows
        .iter()
        .filter(|r| r[0] == "省数据局2024年重点工作任务" && r[1] != "inferred")
        .all(|r| r[2] == "planned"));
}

/// The document texts by IRI, as characters (offsets count characters).
fn texts() -> BTreeMap<String, Vec<char>> {
    rows("SELECT ?d ?t WHERE { ?d a pk:SourceDocument ; pk:text ?t }")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].chars().collect()))
        .collect()
}

#[test]
fn every_fact_row_of_every_query_of_facts_has_its_quote_at_its_offsets() {
    let texts = texts();
    let mut without = Vec::new();
    for q in catalog::all() {
        if q.fact.is_none() {
            without.push(q.name);
            continue;
        }
        let answer = evaluate_now(kg().store(), parse(q.text, q.path).unwrap(), None).unwrap();
        let rows = catalog::with_evidence(kg().store(), &q, answer)
            .unwrap()
            .rows()
            .unwrap();
        assert!(!rows.is_empty(), "{}: no rows", q.name);
        for r in rows {
            let doc = r.get("sourceDocument");
            let text = texts
                .get(doc)
                .unwrap_or_else(|| panic!("{}: no document for {:?}", q.name, r.values()));
            let (start, end): (usize, usize) = (
                r.get("sourceStart").parse().unwrap(),
                r.get("sourceEnd").parse().unwrap(),
            );
            let at: String = text[start..end].iter().collect();
            assert_eq!(at, r.get("sourceQuote"), "{}: {:?}", q.name, r.values());
            assert!(!at.is_empty() && !r.get("sourceTitle").is_empty());
        }
    }
    // Counts and declarations: no row is one fact.
    assert_eq!(
        without,
        [
            "documents",
            "entities",
            "instruments-by-kind",
            "most-mentioned",
            "statuses-by-document"
        ]
    );
}

#[test]
fn with_evidence_adds_columns_and_refuses_a_count() {
    let out = run(
        built_store(),
        &[
            "query",
            "--name",
            "agency-succession",
            "--with-evidence",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let header = text.lines().next().unwrap();
    assert!(
        header.ends_with("sourceDocument,sourceTitle,sourceQuote,sourceStart,sourceEnd"),
        "{header}"
    );
    let refused = run(
        built_store(),
        &["query", "--name", "documents", "--with-evidence"],
    );
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(
        message.contains("--with-evidence") && message.trim().lines().count() == 1,
        "{message}"
    );
}

#[test]
fn the_timeline_query_agrees_with_the_timeline_command() {
    let steps = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
        rows.into_iter().map(|r| r[..6].to_vec()).collect()
    };
    let query = steps(answer("timeline"));
    let out = run(
        built_store(),
        &["timeline", "江苏省公共数据管理办法", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let command = steps(
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect(),
    );
    assert_eq!(query, command);
    assert_eq!(query.len(), 3, "{query:?}");
}

/// The entities `as-of DAY` finds current.
fn current_on(day: &str) -> Vec<String> {
    let out = run(built_store(), &["as-of", day, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut current: Vec<String> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["standing"] == "current")
        .map(|r| r["entity"].as_str().unwrap().to_owned())
        .collect();
    current.sort();
    current
}

#[test]
fn the_as_of_query_agrees_with_the_as_of_command() {
    let rows = answer("as-of");
    let mut entities: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    entities.sort();
    assert_eq!(entities, current_on("2023-06-01"));
    assert!(has_row(
        &rows,
        &["江苏省公共数据管理办法", "began 2022-02-01"]
    ));
    // the same query on other days (the day is the query's one VALUES literal)
    let q = catalog::get("as-of").unwrap();
    for day in ["2022-06-30", "2025-12-31"] {
        let text = q.text.replace("\"2023-06-01\"", &format!("\"{day}\""));
        let answer = evaluate_now(kg().store(), parse(&text, q.path).unwrap(), None).unwrap();
        let mut on_day: Vec<String> = answer
            .rows()
            .unwrap()
            .iter()
            .map(|r| r.string("entity"))
            .collect();
        on_day.sort();
        assert_eq!(on_day, current_on(day), "{day}");
    }
}
