//! The graph questions SPARQL answers badly, as text or JSON: lineage trees, shortest connections, neighbourhoods
//! and centrality. The work is done by [`crate::graph::projection::Projection`]; this module shapes the answers.

use oxigraph::store::Store;
use petgraph::graph::{EdgeIndex, NodeIndex};
use serde::Serialize;

use crate::graph::projection::{LineageStep, Projection};
use crate::model::error::Result;
use crate::model::vocab::Provenance;
use crate::read::evidence::{self, Quote};
use crate::read::query;
use crate::read::resolve::LabelIndex;

/// One node as the answers show it.
#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    /// The entity's IRI.
    pub iri: String,
    /// Its zh label.
    pub zh: String,
    /// Its en label.
    pub en: String,
    /// Its pk: class local name.
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

/// Which way a lineage walks: to predecessors (up), successors (down), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Direction {
    /// Earlier steps: what it was drafted from, raised from, superseded.
    Up,
    /// Later steps: what it became.
    Down,
    /// Both.
    Both,
}

/// Which side of the root a lineage entry is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// An earlier step.
    Predecessor,
    /// A later step.
    Successor,
}

/// One step of a lineage.
#[derive(Debug, Clone, Serialize)]
pub struct LineageEntry {
    /// Hops from the root.
    pub depth: usize,
    /// Before or after the root.
    pub direction: Side,
    /// The lineage relation (`draftOf`, `raisedTo`…).
    pub relation: String,
    /// Stated by a source document (true) or inferred by a curator (false).
    pub stated: bool,
    /// A quote supporting the step.
    pub quote: Option<String>,
    /// The entity at this step.
    pub node: NodeView,
    /// With `--evidence`: every quote of the step's fact, with its document, date and offsets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Vec<Quote>>,
    /// The projection's edge of the step.
    #[serde(skip)]
    edge: EdgeIndex,
}

/// The lineage of an entity: the root, then each step with its depth.
#[derive(Debug, Clone, Serialize)]
pub struct Lineage {
    /// The entity asked about.
    pub root: NodeView,
    /// Its predecessors, then its successors, depth first.
    pub entries: Vec<LineageEntry>,
}

/// The lineage of `root`: its predecessors, successors or both, through the lineage relations.
pub fn lineage(p: &Projection, root: NodeIndex, direction: Direction) -> Lineage {
    let sides: &[Side] = match direction {
        Direction::Up => &[Side::Predecessor],
        Direction::Down => &[Side::Successor],
        Direction::Both => &[Side::Predecessor, Side::Successor],
    };
    let mut entries = Vec::new();
    for &side in sides {
        for LineageStep { depth, node, edge } in p.lineage(root, side == Side::Predecessor) {
            let e = &p.graph[edge];
            entries.push(LineageEntry {
                depth,
                direction: side,
                relation: e.relation.clone(),
                stated: e.stated(),
                quote: e.quote.clone(),
                node: view(p, node),
                evidence: None,
                edge,
            });
        }
    }
    Lineage {
        root: view(p, root),
        entries,
    }
}

/// Each step's quotes (`lineage --evidence`): the facts of its relation between its two ends, each with the
/// document's title and date and the quote's offsets, read with the one evidence reader.
pub fn add_evidence(
    p: &Projection,
    store: &Store,
    labels: &LabelIndex,
    l: &mut Lineage,
) -> Result<()> {
    for entry in &mut l.entries {
        let Some((a, b)) = p.graph.edge_endpoints(entry.edge) else {
            continue;
        };
        let (a, b) = (&p.graph[a].iri, &p.graph[b].iri);
        let a = oxigraph::model::NamedNode::new_unchecked(a.as_str());
        let b = oxigraph::model::NamedNode::new_unchecked(b.as_str());
        let mut quotes = evidence::quotes(store, labels, &a, Some(&b))?;
        quotes.retain(|q| q.predicate.rsplit(['#', '/']).next() == Some(entry.relation.as_str()));
        entry.evidence = Some(quotes);
    }
    Ok(())
}
/// An indented tree: predecessors above, successors below.
pub fn lineage_text(l: &Lineage) -> String {
    let mut out = format!("{}  {}{}\n", l.root.zh, l.root.en, dates(&l.root));
    for side in [Side::Predecessor, Side::Successor] {
        let entries: Vec<&LineageEntry> =
            l.entries.iter().filter(|e| e.direction == side).collect();
        if entries.is_empty() {
            continue;
        }
        let (heading, arrow) = match side {
            Side::Predecessor => ("\nPredecessors (earlier steps):\n", "↑"),
            Side::Successor => ("\nSuccessors (later steps):\n", "↓"),
        };
        out.push_str(heading);
        for e in entries {
            out.push_str(&format!(
                "{}{arrow} {} [{}] {}  {}{}\n",
                "  ".repeat(e.depth),
                e.relation,
                if e.stated { "stated" } else { "inferred" },
                e.node.zh,
                e.node.en,
                dates(&e.node)
            ));
            for q in e.evidence.iter().flatten() {
                out.push_str(&format!(
                    "{}  《{}》 ({}), characters {}–{}: {}\n",
                    "  ".repeat(e.depth + 1),
                    q.document_title,
                    q.document_date,
                    q.start,
                    q.end,
                    q.exact
                ));
            }
        }
    }
    if l.entries.is_empty() {
        out.push_str("\n(no lineage relations: nothing drafts, raises, supersedes, upgrades or succeeds it)\n");
    }
    out
}

/// One hop of a path between two entities.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// Where the hop starts.
    pub from: NodeView,
    /// The relation it follows.
    pub relation: String,
    /// True when the relation points from `from` to `to`.
    pub forward: bool,
    /// Stated by a source document (true) or inferred (false).
    pub stated: bool,
    /// Stated, stated with an implied actor, or inferred.
    pub provenance: Provenance,
    /// A quote supporting the relation.
    pub quote: Option<String>,
    /// Where the hop ends.
    pub to: NodeView,
}

/// The shortest paths (at most ten) of at most `max_hops` between two entities, in either direction.
pub fn paths(p: &Projection, a: NodeIndex, b: NodeIndex, max_hops: usize) -> Vec<Vec<Hop>> {
    p.shortest_paths(a, b, max_hops, 10)
        .into_iter()
        .map(|path| {
            path.windows(2)
                .filter_map(|w| {
                    let (from, edge, to) = (w[0].0, w[0].1?, w[1].0);
                    let e = &p.graph[edge];
                    let (source, _) = p.graph.edge_endpoints(edge)?;
                    Some(Hop {
                        from: view(p, from),
                        relation: e.relation.clone(),
                        forward: source == from,
                        stated: e.stated(),
                        provenance: e.provenance,
                        quote: e.quote.clone(),
                        to: view(p, to),
                    })
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

/// The paths as text, one hop a line.
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
                match hop.provenance {
                    Provenance::Stated => String::new(),
                    other => format!(" ({})", other.name()),
                },
                short(&hop.quote)
            ));
        }
    }
    out
}

/// An entity near another.
#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    /// Hops away.
    pub distance: usize,
    /// The entity.
    pub node: NodeView,
}

/// The entities within `depth` hops of `root`, nearest first.
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

/// The neighbours as a table.
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

/// An entity's centrality.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// 1 for the most central.
    pub rank: usize,
    /// Relations in and out.
    pub degree: usize,
    /// Brandes betweenness, normalised.
    pub betweenness: f64,
    /// The entity.
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

/// The ranking as a table.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{id, projected};

    #[test]
    fn lineage_of_the_data_regulation_reaches_the_public_data_measures() {
        let p = projected();
        let root = p.node(&id("jiangsu-data-regulation")).unwrap();
        let l = lineage(p, root, Direction::Up);
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
        let down = lineage(p, rule, Direction::Down);
        assert!(
            down.entries.iter().any(|e| e.node.zh == "江苏省数据条例"),
            "{:?}",
            down.entries
        );
    }

    #[test]
    fn lineage_walks_depth_first_in_date_order() {
        let p = projected();
        let root = p.node(&id("jiangsu-data-regulation")).unwrap();
        let up = lineage(p, root, Direction::Up);
        let steps: Vec<(usize, &str, &str)> = up
            .entries
            .iter()
            .map(|e| (e.depth, e.node.zh.as_str(), e.relation.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                (1, "江苏省数据条例(草案)", "draftOf"),
                (2, "江苏省公共数据条例立法项目", "leadsTo"),
                (2, "公共数据管理条例", "leadsTo"),
                (3, "江苏省公共数据管理办法", "raisedTo"),
            ]
        );
        assert_eq!(up.root.zh, "江苏省数据条例");
        assert!(up.entries.iter().all(|e| e.direction == Side::Predecessor));
        // Each entry hangs under the nearest entry one level up, through a lineage edge.
        for (i, e) in up.entries.iter().enumerate() {
            let parent = match e.depth {
                1 => root,
                d => {
                    let parent = up.entries[..i].iter().rev().find(|x| x.depth == d - 1);
                    p.node(&parent.unwrap().node.iri).unwrap()
                }
            };
            let child = p.node(&e.node.iri).unwrap();
            assert!(
                p.graph
                    .edges_connecting(parent, child)
                    .chain(p.graph.edges_connecting(child, parent))
                    .any(|edge| edge.weight().relation == e.relation && edge.weight().is_lineage()),
                "{} is not under {:?}",
                e.node.zh,
                p.graph[parent].zh
            );
        }
        // Both directions: the predecessors first, then the successors.
        let both = lineage(p, root, Direction::Both);
        let down = lineage(p, root, Direction::Down);
        assert_eq!(both.entries.len(), up.entries.len() + down.entries.len());
        let sides: Vec<Side> = both.entries.iter().map(|e| e.direction).collect();
        assert!(sides
            .windows(2)
            .all(|w| w[0] == w[1] || w[1] == Side::Successor));
        assert_eq!(
            serde_json::to_value(&both.entries[0]).unwrap()["direction"],
            "predecessor"
        );
        let text = lineage_text(&up);
        assert!(text.starts_with("江苏省数据条例  Jiangsu Provincial Data Regulation"));
        assert!(text.contains(
            "Predecessors (earlier steps):\n  ↑ draftOf [inferred] 江苏省数据条例(草案)"
        ));
        assert!(text.contains("      ↑ raisedTo [stated] 江苏省公共数据管理办法"));
    }

    #[test]
    fn the_agency_succession_is_lineage_too() {
        let p = projected();
        let office = p.node(&id("jiangsu-government-service-office")).unwrap();
        let l = lineage(p, office, Direction::Down);
        assert_eq!(l.entries[0].node.zh, "江苏省数据局");
        assert!(!l.entries[0].stated);
        assert_eq!(l.entries[0].direction, Side::Successor);
        assert_eq!(
            serde_json::to_value(&l.entries[0]).unwrap()["direction"],
            "successor"
        );
        let up = lineage(p, office, Direction::Up);
        assert!(up.entries.iter().all(|e| e.node.zh != "江苏省数据局"));
    }

    #[test]
    fn path_from_the_data_regulation_to_sufuban() {
        let p = projected();
        let (a, b) = (
            p.node(&id("jiangsu-data-regulation")).unwrap(),
            p.node(&id("sufuban")).unwrap(),
        );
        let found = paths(p, a, b, 6);
        assert!(!found.is_empty());
        let hops = found[0].len();
        assert!(found.iter().all(|path| path.len() == hops), "all shortest");
        for path in &found {
            assert_eq!(path.first().unwrap().from.zh, "江苏省数据条例");
            assert_eq!(path.last().unwrap().to.zh, "苏服办");
            assert!(
                path.iter().all(|h| h.quote.is_some()),
                "every hop has evidence"
            );
        }
        assert!(found.iter().any(|path| path
            .iter()
            .any(|h| h.to.zh == "江苏省数据局" || h.from.zh == "江苏省数据局")));
        assert!(paths(p, a, b, 1).is_empty(), "no one-hop connection");
    }

    #[test]
    fn the_shortest_connection_to_sufuban_has_three_hops_through_the_data_bureau() {
        let p = projected();
        let (a, b) = (
            p.node(&id("jiangsu-data-regulation")).unwrap(),
            p.node(&id("sufuban")).unwrap(),
        );
        let found = paths(p, a, b, 6);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|path| path.len() == 3));
        assert!(paths(p, a, b, 2).is_empty());
        assert_eq!(paths(p, a, b, 3).len(), 2);
        for path in &found {
            // Consecutive hops meet, and each hop's direction matches its edge.
            assert!(path.windows(2).all(|w| w[0].to.iri == w[1].from.iri));
            let first = &path[0];
            assert_eq!(
                (first.relation.as_str(), first.forward, first.to.zh.as_str()),
                ("responsibleAgency", true, "江苏省数据局")
            );
            assert_eq!(
                (path[1].relation.as_str(), path[1].forward),
                ("operatedBy", false)
            );
            assert_eq!(path[1].to.iri, id("sufuban-2"));
        }
        let last: Vec<(&str, bool)> = found
            .iter()
            .map(|path| (path[2].relation.as_str(), path[2].forward))
            .collect();
        assert!(last.contains(&("upgradedTo", false)) && last.contains(&("versionOf", true)));
        let text = paths_text(&found);
        assert!(
            text.starts_with("2 shortest connections of 3 hops\n"),
            "{text}"
        );
        assert!(
            text.contains("—responsibleAgency→ 江苏省数据局 (implied actor)"),
            "{text}"
        );
    }

    #[test]
    fn neighbours_and_rank() {
        let p = projected();
        let bureau = p.node(&id("jiangsu-data-bureau")).unwrap();
        let near = neighbours(p, bureau, 1);
        assert!(near.iter().all(|n| n.distance == 1));
        assert!(near.iter().any(|n| n.node.zh == "江苏省数据条例"));
        let top = rank(p, &[], 5);
        assert_eq!(top.len(), 5);
        assert!(top.windows(2).all(|w| w[0].betweenness >= w[1].betweenness));
        let agencies = rank(p, &["agency".into()], 3);
        assert!(
            agencies
                .iter()
                .any(|r| r.node.zh == "江苏省政务服务管理办公室" || r.node.zh == "江苏省数据局"),
            "{agencies:?}"
        );
    }

    #[test]
    fn neighbours_are_sorted_by_distance_and_the_top_two_are_the_agencies() {
        let p = projected();
        let bureau = p.node(&id("jiangsu-data-bureau")).unwrap();
        let near = neighbours(p, bureau, 1);
        assert_eq!(near.len(), 82);
        assert!(near.iter().all(|n| n.node.iri != id("jiangsu-data-bureau")));
        let two = neighbours(p, bureau, 2);
        assert!(two.len() > near.len());
        assert!(two.windows(2).all(|w| w[0].distance <= w[1].distance));
        assert!(
            neighbours_text("江苏省数据局", &near).starts_with("江苏省数据局: 82 neighbour(s)\n")
        );
        let top = rank(p, &[], 2);
        let names: Vec<(usize, &str, usize)> = top
            .iter()
            .map(|r| (r.rank, r.node.zh.as_str(), r.degree))
            .collect();
        assert_eq!(
            names,
            [(1, "江苏省数据局", 82), (2, "江苏省政务服务管理办公室", 78)]
        );
        assert!(rank(p, &["Hotline".into()], 50)
            .iter()
            .all(|r| r.node.class == "Hotline"));
        assert!(rank_text(&top).contains("0.2609"));
    }
}
