//! The graph questions SPARQL answers badly, as text or JSON: lineage trees, shortest connections, neighbourhoods
//! and centrality. The work is done by [`crate::graph::Projection`]; this module shapes the answers.

use std::collections::HashSet;

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::graph::{Band, LineageStep, Projection};
use crate::query;

/// One node as the answers show it.
#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    pub iri: String,
    pub zh: String,
    pub en: String,
    pub class: String,
    /// Dated steps: (kind, date).
    pub steps: Vec<(String, String)>,
}

fn view(p: &Projection, n: NodeIndex) -> NodeView {
    let node = &p.graph[n];
    NodeView {
        iri: node.iri.clone(),
        zh: node.zh.clone(),
        en: node.en.clone(),
        class: node.class.clone(),
        steps: node
            .steps
            .iter()
            .map(|s| (s.kind.clone(), s.date.clone().unwrap_or_default()))
            .collect(),
    }
}

fn dates(v: &NodeView) -> String {
    let dated: Vec<String> = v
        .steps
        .iter()
        .filter(|(_, d)| !d.is_empty())
        .map(|(k, d)| format!("{k} {d}"))
        .collect();
    if dated.is_empty() {
        String::new()
    } else {
        format!("  [{}]", dated.join("; "))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LineageEntry {
    pub depth: usize,
    /// "predecessor" or "successor".
    pub direction: String,
    pub relation: String,
    pub stated: bool,
    pub quote: Option<String>,
    pub node: NodeView,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lineage {
    pub root: NodeView,
    pub entries: Vec<LineageEntry>,
}

pub fn lineage(p: &Projection, root: NodeIndex, up: bool, down: bool) -> Lineage {
    let mut entries = Vec::new();
    for (enabled, is_up, name) in [(up, true, "predecessor"), (down, false, "successor")] {
        if !enabled {
            continue;
        }
        for LineageStep { depth, node, edge } in p.lineage(root, is_up) {
            let e = &p.graph[edge];
            entries.push(LineageEntry {
                depth,
                direction: name.to_owned(),
                relation: e.relation.clone(),
                stated: e.stated,
                quote: e.quote.clone(),
                node: view(p, node),
            });
        }
    }
    Lineage {
        root: view(p, root),
        entries,
    }
}

/// An indented tree: predecessors above, successors below.
pub fn lineage_text(l: &Lineage) -> String {
    let mut out = format!("{}  {}{}\n", l.root.zh, l.root.en, dates(&l.root));
    for direction in ["predecessor", "successor"] {
        let entries: Vec<&LineageEntry> = l
            .entries
            .iter()
            .filter(|e| e.direction == direction)
            .collect();
        if entries.is_empty() {
            continue;
        }
        out.push_str(if direction == "predecessor" {
            "\nPredecessors (earlier steps):\n"
        } else {
            "\nSuccessors (later steps):\n"
        });
        for e in entries {
            let arrow = if direction == "predecessor" {
                "↑"
            } else {
                "↓"
            };
            out.push_str(&format!(
                "{}{arrow} {} [{}] {}  {}{}\n",
                "  ".repeat(e.depth),
                e.relation,
                if e.stated { "stated" } else { "inferred" },
                e.node.zh,
                e.node.en,
                dates(&e.node)
            ));
        }
    }
    if l.entries.is_empty() {
        out.push_str("\n(no lineage relations: nothing drafts, raises, supersedes, upgrades or succeeds it)\n");
    }
    out
}

/// The lineage as DOT, left to right from earlier to later.
pub fn lineage_dot(p: &Projection, root: NodeIndex, l: &Lineage) -> String {
    let mut keep: HashSet<NodeIndex> = HashSet::from([root]);
    for e in &l.entries {
        if let Ok(n) = p.node(&e.node.iri) {
            keep.insert(n);
        }
    }
    let mut sub = p.subgraph(&keep);
    sub.graph.retain_edges(|g, e| g[e].is_lineage());
    crate::viz::dot(&sub)
}

#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    pub from: NodeView,
    pub relation: String,
    /// True when the relation points from `from` to `to`.
    pub forward: bool,
    pub stated: bool,
    pub quote: Option<String>,
    pub to: NodeView,
}

pub fn paths(p: &Projection, a: NodeIndex, b: NodeIndex, max_hops: usize) -> Vec<Vec<Hop>> {
    p.shortest_paths(a, b, max_hops, 10)
        .into_iter()
        .map(|path| {
            path.windows(2)
                .map(|w| {
                    let (from, edge) =
                        (w[0].0, w[0].1.expect("every hop but the last has an edge"));
                    let to = w[1].0;
                    let e = &p.graph[edge];
                    let (source, _) = p.graph.edge_endpoints(edge).unwrap();
                    Hop {
                        from: view(p, from),
                        relation: e.relation.clone(),
                        forward: source == from,
                        stated: e.stated,
                        quote: e.quote.clone(),
                        to: view(p, to),
                    }
                })
                .collect()
        })
        .collect()
}

fn short(quote: &Option<String>) -> String {
    match quote {
        Some(q) if q.chars().count() > 40 => {
            format!("“{}…”", q.chars().take(40).collect::<String>())
        }
        Some(q) => format!("“{q}”"),
        None => String::new(),
    }
}

pub fn paths_text(paths: &[Vec<Hop>]) -> String {
    let mut out = String::new();
    let hops = paths.first().map_or(0, Vec::len);
    out.push_str(&format!(
        "{} shortest connection{} of {hops} hop{}\n",
        paths.len(),
        if paths.len() == 1 { "" } else { "s" },
        if hops == 1 { "" } else { "s" }
    ));
    for (i, path) in paths.iter().enumerate() {
        out.push_str(&format!("\n{}. {}\n", i + 1, path[0].from.zh));
        for hop in path {
            let arrow = if hop.forward {
                format!("—{}→", hop.relation)
            } else {
                format!("←{}—", hop.relation)
            };
            out.push_str(&format!(
                "   {arrow} {}{}  {}\n",
                hop.to.zh,
                if hop.stated { "" } else { " (inferred)" },
                short(&hop.quote)
            ));
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    pub distance: usize,
    pub node: NodeView,
}

pub fn neighbours(p: &Projection, root: NodeIndex, depth: usize) -> Vec<Neighbour> {
    let mut out: Vec<Neighbour> = p
        .neighbourhood(root, depth)
        .into_iter()
        .filter(|(n, _)| *n != root)
        .map(|(n, d)| Neighbour {
            distance: d,
            node: view(p, n),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.distance, &a.node.class, &a.node.zh).cmp(&(b.distance, &b.node.class, &b.node.zh))
    });
    out
}

pub fn neighbours_text(root: &str, list: &[Neighbour]) -> String {
    let mut table = query::new_table(vec![
        "hops".into(),
        "entity".into(),
        "English".into(),
        "class".into(),
    ]);
    for n in list {
        table.add_row(vec![
            n.distance.to_string(),
            n.node.zh.clone(),
            n.node.en.clone(),
            n.node.class.clone(),
        ]);
    }
    format!("{root}: {} neighbour(s)\n{table}\n", list.len())
}

#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    pub rank: usize,
    pub degree: usize,
    pub betweenness: f64,
    pub node: NodeView,
}

/// Nodes by betweenness then degree, optionally only those of some classes or bands.
pub fn rank(p: &Projection, classes: &[String], top: usize) -> Vec<Ranked> {
    let mut scored: Vec<(NodeIndex, usize, f64)> = p
        .centrality()
        .into_iter()
        .filter(|(n, _, _)| {
            classes.is_empty() || classes.iter().any(|c| p.graph[*n].matches_class(c))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.2.total_cmp(&a.2)
            .then(b.1.cmp(&a.1))
            .then(p.graph[a.0].zh.cmp(&p.graph[b.0].zh))
    });
    scored
        .into_iter()
        .take(top)
        .enumerate()
        .map(|(i, (n, degree, betweenness))| Ranked {
            rank: i + 1,
            degree,
            betweenness,
            node: view(p, n),
        })
        .collect()
}

pub fn rank_text(list: &[Ranked]) -> String {
    let mut table = query::new_table(vec![
        "#".into(),
        "entity".into(),
        "English".into(),
        "class".into(),
        "degree".into(),
        "betweenness".into(),
    ]);
    for r in list {
        table.add_row(vec![
            r.rank.to_string(),
            r.node.zh.clone(),
            r.node.en.clone(),
            r.node.class.clone(),
            r.degree.to_string(),
            format!("{:.4}", r.betweenness),
        ]);
    }
    format!("{table}\n")
}

/// Class or band names accepted by `--class`, for error messages.
pub fn class_filter_ok(p: &Projection, classes: &[String]) -> Result<(), String> {
    for c in classes {
        let c = c.strip_prefix("pk:").unwrap_or(c);
        let known = Band::ALL.iter().any(|b| b.name().eq_ignore_ascii_case(c))
            || p.graph
                .node_weights()
                .any(|n| n.class.eq_ignore_ascii_case(c));
        if !known {
            let mut names: Vec<String> = p.graph.node_weights().map(|n| n.class.clone()).collect();
            names.sort();
            names.dedup();
            return Err(format!(
                "unknown class {c:?}; use a band (regulation, agency, platform, initiative, other) or a class: {}",
                names.join(", ")
            ));
        }
    }
    Ok(())
}
