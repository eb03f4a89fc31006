//! The architecture holds: each layer of `src/` imports only from the layers below it, and no module imports
//! another that (directly or through others) imports it back. Edges are read from the source: every
//! `crate::a::b` path in a module names a dependency on module `a::b`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's layers, lowest first (see `docs/architecture.md`).
const LAYERS: &[&str] = &["model", "data", "read", "graph", "serve"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/graph/picture.rs` → `graph::picture`; `src/data/seeds/mod.rs` → `data::seeds`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its `#[cfg(test)]` module (tests may reach anywhere) and without comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The modules a file's code names through `crate::…`, including `use crate::a::{b, c::d}` groups.
fn referenced(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let mut candidates = vec![path.trim_end_matches(':').to_owned()];
        if rest[path.len()..].starts_with('{') {
            let group: String = rest[path.len() + 1..]
                .chars()
                .take_while(|c| *c != '}')
                .collect();
            for item in group.split(',') {
                let item = item.split(" as ").next().unwrap_or("").trim();
                candidates.push(format!("{}{}", path, item));
            }
        }
        for candidate in candidates {
            // The longest prefix of the path that is a module.
            let parts: Vec<&str> = candidate.split("::").collect();
            if let Some(m) = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|m| modules.contains(m))
            {
                found.insert(m);
            }
        }
    }
    found
}

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.retain(|f| {
        let m = module_of(&src, f);
        m != "main" && !m.starts_with("cli")
    });
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    files
        .iter()
        .map(|f| {
            let module = module_of(&src, f);
            let text = std::fs::read_to_string(f).unwrap();
            let mut uses = referenced(&code(&text), &modules);
            // A module may name its own children and parents (`mod` lines, re-exports); those are not edges.
            uses.retain(|u| {
                u != &module
                    && !u.starts_with(&format!("{module}::"))
                    && !module.starts_with(&format!("{u}::"))
            });
            (module, uses)
        })
        .collect()
}

fn layer(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    LAYERS.iter().position(|l| *l == top)
}

#[test]
fn each_layer_imports_only_from_the_layers_below() {
    let mut wrong = Vec::new();
    for (module, uses) in edges() {
        let Some(own) = layer(&module) else { continue };
        for u in uses {
            if layer(&u).is_some_and(|l| l > own) {
                wrong.push(format!("{module} → {u}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that go up a layer: {wrong:#?}");
}

#[test]
fn no_module_cycle() {
    let edges = edges();
    assert!(
        edges.len() > 15,
        "too few modules found: {:?}",
        edges.keys()
    );
    // Depth-first search for a back edge.
    fn visit<'a>(
        m: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, bool>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(true) => return None,
            Some(false) => {
                let start = stack.iter().position(|s| *s == m).unwrap_or(0);
                let mut cycle: Vec<String> = stack[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(m.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        state.insert(m, false);
        stack.push(m);
        for next in edges.get(m).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, state, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(m, true);
        None
    }
    let mut state = BTreeMap::new();
    for m in edges.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(m, &edges, &mut state, &mut stack) {
            panic!("module cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_edge_reader_sees_grouped_and_inline_paths() {
    let modules: BTreeSet<String> = [
        "graph::analysis",
        "graph::picture",
        "read::query",
        "model::vocab",
    ]
    .map(String::from)
    .into();
    let code = "use crate::graph::{analysis as lineage, picture};\nfn f() { crate::read::query::parse(); }";
    let found = referenced(code, &modules);
    assert_eq!(
        found,
        ["graph::analysis", "graph::picture", "read::query"]
            .map(String::from)
            .into()
    );
}
