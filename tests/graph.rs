//! The graph commands through the real binary: lineage, neighbours, rank and pictures as a researcher runs them.
//! The projection, lineage, paths, pictures and exports themselves are unit-tested next to their code in
//! `src/graph/` (`#[cfg(test)] mod tests`).

use crate::common::*;

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(built_store(), args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn lineage_direction_chooses_the_side_and_json_names_it() {
    let both = json(&["lineage", "江苏省数据条例", "--format", "json"]);
    let entries = both["entries"].as_array().unwrap();
    assert_eq!(entries[0]["direction"], "predecessor");
    assert_eq!(entries[0]["depth"], 1);
    assert_eq!(entries[0]["node"]["zh"], "江苏省数据条例(草案)");
    let up = json(&[
        "lineage",
        "江苏省数据条例",
        "--direction",
        "up",
        "--format",
        "json",
    ]);
    assert!(up["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["direction"] == "predecessor"));
    let down = json(&[
        "lineage",
        "江苏省政务服务管理办公室",
        "--direction",
        "down",
        "--format",
        "json",
    ]);
    assert_eq!(down["entries"][0]["direction"], "successor");
    assert_eq!(down["entries"][0]["node"]["zh"], "江苏省数据局");
    assert_eq!(down["entries"][0]["node"]["iri"], id("jiangsu-data-bureau"));
    // --up is --direction up.
    let out = run(built_store(), &["lineage", "江苏省数据条例", "--up"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Predecessors (earlier steps):"));
    assert!(!stdout(&out).contains("Successors (later steps):"));
    // A wrong direction is refused by clap, in one line.
    let out = run(
        built_store(),
        &["lineage", "江苏省数据条例", "--direction", "sideways"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("policykg: error: invalid value 'sideways'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn neighbours_and_rank_answer_in_json() {
    let near = json(&["neighbors", "江苏省数据局", "--format", "json"]);
    let near = near.as_array().unwrap();
    assert_eq!(near.len(), 82);
    assert!(near.iter().all(|n| n["distance"] == 1));
    assert!(near.iter().any(|n| n["node"]["zh"] == "江苏省数据条例"));
    let top = json(&[
        "rank", "--class", "agency", "--top", "2", "--format", "json",
    ]);
    let names: Vec<&str> = top
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["node"]["zh"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["江苏省数据局", "江苏省政务服务管理办公室"]);
    let out = run(built_store(), &["rank", "--class", "nonsense"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown class \"nonsense\""),
        "{}",
        stderr(&out)
    );
}

/// Run `viz ARGS… -o FILE` on the built store and give what it wrote.
fn picture(file: &std::path::Path, args: &[&str]) -> String {
    let mut all = vec!["viz"];
    all.extend_from_slice(args);
    all.extend(["-o", file.to_str().unwrap()]);
    let out = run(built_store(), &all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    std::fs::read_to_string(file).unwrap()
}

/// Check that a picture's first line that is not a DOT comment starts with `starts`.
fn assert_starts(text: &str, starts: &str, what: &str) {
    let first = text.lines().find(|l| !l.starts_with("//")).unwrap_or("");
    assert!(first.starts_with(starts), "{what}: {first}");
}

#[test]
fn viz_writes_each_picture_format_to_its_file() {
    let dir = tempfile::tempdir().unwrap();
    for (format, starts) in [
        ("dot", "digraph"),
        ("svg", "<svg "),
        ("html", "<!DOCTYPE html>"),
    ] {
        let file = dir.path().join(format!("focus.{format}"));
        let text = picture(
            &file,
            &["--focus", "苏服办", "--depth", "1", "--format", format],
        );
        assert!(
            text.starts_with("// policykg") || format != "dot",
            "{format}"
        );
        assert_starts(&text, starts, format);
        assert!(text.contains("苏服办"), "{format}");
        assert!(
            !text.contains("江苏省公共数据管理办法"),
            "{format}: only the focus"
        );
    }
}

#[test]
fn without_format_a_picture_takes_the_output_files_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, starts) in [
        ("map.svg", "<svg "),
        ("map.gv", "digraph"),
        ("map.DOT", "digraph"),
        ("map.htm", "<!DOCTYPE html>"),
        ("map.png", "<!DOCTYPE html>"),
    ] {
        let text = picture(&dir.path().join(name), &[]);
        assert_starts(&text, starts, name);
    }
    // An explicit --format wins over the extension.
    let text = picture(&dir.path().join("picture.svg"), &["--format", "dot"]);
    assert_starts(&text, "digraph policykg {", "--format dot -o picture.svg");
}

#[test]
fn lineage_evidence_gives_every_step_a_document_and_a_quote_at_its_offsets() {
    let texts: std::collections::BTreeMap<String, String> =
        rows("SELECT ?d ?t WHERE { ?d a pk:SourceDocument ; pk:text ?t }")
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    let l = json(&[
        "lineage",
        "江苏省数据条例",
        "--evidence",
        "--format",
        "json",
    ]);
    let entries = l["entries"].as_array().unwrap();
    assert!(entries.len() >= 3, "{entries:?}");
    for e in entries {
        let quotes = e["evidence"].as_array().unwrap();
        assert!(!quotes.is_empty(), "no evidence for {e}");
        for q in quotes {
            assert!(!q["document_title"].as_str().unwrap().is_empty());
            assert!(!q["document_date"].as_str().unwrap().is_empty());
            let text = &texts[q["document"].as_str().unwrap()];
            let (start, end) = (
                q["start"].as_u64().unwrap() as usize,
                q["end"].as_u64().unwrap() as usize,
            );
            let at: String = text.chars().skip(start).take(end - start).collect();
            assert_eq!(at, q["exact"].as_str().unwrap());
        }
    }
    let text = stdout(&run(
        built_store(),
        &["lineage", "江苏省数据条例", "--evidence"],
    ));
    assert!(
        text.contains("《省数据局2024年重点工作任务》")
            && text.contains("起草《江苏省数据条例(草案)》"),
        "{text}"
    );
    let plain = json(&["lineage", "江苏省数据条例", "--format", "json"]);
    assert!(plain["entries"][0].get("evidence").is_none());
}
