//! Pictures that answer one question each (`viz --view`): which instruments regulate which platforms, how one
//! instrument came to be, what one agency issued, runs and did, and what surrounds one entity. Each view is one
//! definition — nodes, labelled edges, groups, columns and lanes — built here from the [`Projection`], laid out
//! by [`layout`] on a grid (columns left to right, lanes top to bottom), and written by
//! [`crate::graph::picture`] as SVG, HTML or DOT, so the three formats cannot disagree.
//!
//! The layout reserves a box for every piece of text (titles, node labels, edge labels), so no two overlap and
//! none is drawn under 11 px: an edge's label sits in the gutter beside one of its ends, stacked with the
//! other labels of that end, and edges of one relation leaving one node share one label.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::graph::projection::{lineage_direction, year_of, Band, Node, Projection, Step};
use crate::model::error::{Error, Result};
use crate::model::vocab::Provenance;

/// The views `viz --view` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewName {
    /// Instruments on the left, platforms on the right grouped by the agency that runs them, and the
    /// initiatives that link the two in between.
    RegulationPlatform,
    /// One entity's lineage as a swim-lane per entity, left to right by year, with its dated steps.
    Lineage,
    /// What one agency issued, runs, is responsible for and did, by year.
    Agency,
    /// The entities within `--depth` hops of one, with labelled edges.
    Neighbourhood,
}

impl ViewName {
    /// The name on the command line and in server paths.
    pub fn name(self) -> &'static str {
        match self {
            ViewName::RegulationPlatform => "regulation-platform",
            ViewName::Lineage => "lineage",
            ViewName::Agency => "agency",
            ViewName::Neighbourhood => "neighbourhood",
        }
    }

    /// Does the view draw around one entity (given as ENTITY)?
    pub fn needs_entity(self) -> bool {
        self != ViewName::RegulationPlatform
    }
}

/// What a view is asked for.
#[derive(Debug, Clone, Copy)]
pub struct ViewRequest<'a> {
    /// Which view.
    pub name: ViewName,
    /// The entity's IRI (resolved by the caller), for every view but `regulation-platform`.
    pub entity: Option<&'a str>,
    /// Hops around the entity (`neighbourhood`).
    pub depth: usize,
    /// At most this many nodes (the rest are counted in the view's notes).
    pub max_nodes: usize,
}

/// The default `--max-nodes`: about what a 1400×900 screen shows readably.
pub const DEFAULT_MAX_NODES: usize = 60;

/// One box of a view.
#[derive(Debug, Clone, Serialize)]
pub struct ViewNode {
    /// The entity it stands for (a lifecycle step stands for its entity).
    pub iri: String,
    /// Its text.
    pub label: String,
    /// More about it, for tooltips and the HTML panel.
    pub detail: String,
    /// Its band (colour).
    pub band: Band,
    /// Its column.
    pub column: usize,
    /// Its lane.
    pub lane: usize,
    /// Its group inside its cell (nodes of a group are consecutive).
    pub group: Option<usize>,
    /// Drawn dashed: a step a curator inferred rather than a document stated.
    pub dashed: bool,
    /// The entity the view is about.
    pub focus: bool,
}

/// One relation between two boxes.
#[derive(Debug, Clone, Serialize)]
pub struct ViewEdge {
    /// The relation's subject (node position).
    pub source: usize,
    /// The relation's object.
    pub target: usize,
    /// The pk: property's local name.
    pub relation: String,
    /// Stated by a source document (true) or inferred by a curator (false).
    pub stated: bool,
    /// A quote supporting it.
    pub quote: Option<String>,
    /// The end whose gutter carries the label (`source` or `target`).
    pub labelled: usize,
}

/// A view: what it shows, and where everything stands.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The heading.
    pub title: String,
    /// Lines under the heading: what is shown, what was left out, how to read it.
    pub notes: Vec<String>,
    /// Column headings, left to right.
    pub columns: Vec<String>,
    /// Lane headings, top to bottom (one untitled lane when the view has none).
    pub lanes: Vec<String>,
    /// Group headings (`ViewNode::group` indexes them).
    pub groups: Vec<String>,
    /// The boxes.
    pub nodes: Vec<ViewNode>,
    /// The labelled relations.
    pub edges: Vec<ViewEdge>,
    /// Unlabelled links between consecutive steps of one entity (lineage).
    pub links: Vec<(usize, usize)>,
    /// Where everything stands.
    pub layout: Layout,
}

/// The view asked for, laid out.
pub fn build(p: &Projection, request: &ViewRequest) -> Result<View> {
    let entity = match (request.name.needs_entity(), request.entity) {
        (true, Some(iri)) => Some(p.node(iri)?),
        (true, None) => {
            return Err(Error::Usage(format!(
                "--view {} needs an entity: policykg viz --view {} ENTITY",
                request.name.name(),
                request.name.name()
            )))
        }
        (false, _) => None,
    };
    let max = request.max_nodes.max(1);
    let mut view = match (request.name, entity) {
        (ViewName::Lineage, Some(root)) => lineage(p, root, max),
        (ViewName::Agency, Some(agency)) => agency_view(p, agency, max)?,
        (ViewName::Neighbourhood, Some(focus)) => neighbourhood(p, focus, request.depth, max),
        _ => regulation_platform(p, max),
    };
    view.layout = layout(&view);
    Ok(view)
}

/// A relation's name in words: `legalBasisOf` → `legal basis of`.
pub fn relation_words(relation: &str) -> String {
    let mut out = String::new();
    for c in relation.chars() {
        if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A step kind's name in words: `EntryIntoForce` → `entry into force`.
fn kind_words(kind: &str) -> String {
    relation_words(kind).trim().to_owned()
}

/// The tooltip of an entity's box: its English name and class.
fn detail(node: &Node) -> String {
    format!("{} — {} ({})", node.label(), node.en, node.class)
}

/// A box for an entity.
fn entity_node(p: &Projection, n: NodeIndex, column: usize, lane: usize) -> ViewNode {
    let node = &p.graph[n];
    ViewNode {
        iri: node.iri.clone(),
        label: node.label().to_owned(),
        detail: detail(node),
        band: node.band,
        column,
        lane,
        group: None,
        dashed: false,
        focus: false,
    }
}

/// An empty view, to be filled by a builder.
fn blank(title: String) -> View {
    View {
        title,
        notes: vec![],
        columns: vec![],
        lanes: vec![String::new()],
        groups: vec![],
        nodes: vec![],
        edges: vec![],
        links: vec![],
        layout: Layout::default(),
    }
}

/// The note that says how many nodes `--max-nodes` left out.
fn cut_note(shown: usize, total: usize) -> Option<String> {
    (shown < total)
        .then(|| format!("showing {shown} of {total} entities; --max-nodes {total} shows them all"))
}

/// Add the projection's edges between entities that have boxes (`boxes`: entity → node position), keeping
/// those `keep` accepts; `labelled` picks the end that carries the label.
fn add_edges(
    view: &mut View,
    p: &Projection,
    boxes: &HashMap<NodeIndex, usize>,
    keep: impl Fn(usize, usize) -> bool,
    labelled: impl Fn(usize, usize) -> usize,
) {
    let mut edges: Vec<ViewEdge> = p
        .graph
        .edge_references()
        .filter_map(|e| {
            let (&a, &b) = (boxes.get(&e.source())?, boxes.get(&e.target())?);
            keep(a, b).then(|| ViewEdge {
                source: a,
                target: b,
                relation: e.weight().relation.clone(),
                stated: e.weight().stated(),
                quote: e.weight().quote.clone(),
                labelled: labelled(a, b),
            })
        })
        .collect();
    edges.sort_by(|x, y| (x.source, x.target, &x.relation).cmp(&(y.source, y.target, &y.relation)));
    edges.dedup_by(|x, y| (x.source, x.target, &x.relation) == (y.source, y.target, &y.relation));
    view.edges = edges;
}

/// The entities joined to `n` by an edge in either direction, with the edge's relation and whether `n` is its
/// subject.
fn touching(p: &Projection, n: NodeIndex) -> Vec<(NodeIndex, &str, bool)> {
    let mut out: Vec<(NodeIndex, &str, bool)> = p
        .graph
        .edges_directed(n, Direction::Outgoing)
        .map(|e| (e.target(), e.weight().relation.as_str(), true))
        .chain(
            p.graph
                .edges_directed(n, Direction::Incoming)
                .map(|e| (e.source(), e.weight().relation.as_str(), false)),
        )
        .collect();
    out.sort_by(|a, b| (p.graph[a.0].label(), a.1).cmp(&(p.graph[b.0].label(), b.1)));
    out
}

/// `regulation-platform`: instruments that regulate (or are the legal basis of, or are implemented by…) a
/// platform, directly or through one initiative, with the platforms grouped by the agency that runs them.
fn regulation_platform(p: &Projection, max: usize) -> View {
    let band = |n: NodeIndex| p.graph[n].band;
    let mut platforms: Vec<NodeIndex> = vec![];
    let mut initiatives: Vec<NodeIndex> = vec![];
    let mut instruments: Vec<NodeIndex> = vec![];
    for r in p
        .graph
        .node_indices()
        .filter(|&n| band(n) == Band::Regulation)
    {
        let mut linked = false;
        for (m, _, _) in touching(p, r) {
            match band(m) {
                Band::Platform => {
                    platforms.push(m);
                    linked = true;
                }
                Band::Initiative => {
                    let through: Vec<NodeIndex> = touching(p, m)
                        .into_iter()
                        .filter(|(x, _, _)| band(*x) == Band::Platform)
                        .map(|(x, _, _)| x)
                        .collect();
                    if !through.is_empty() {
                        initiatives.push(m);
                        platforms.extend(through);
                        linked = true;
                    }
                }
                _ => {}
            }
        }
        if linked {
            instruments.push(r);
        }
    }
    for list in [&mut platforms, &mut initiatives, &mut instruments] {
        list.sort();
        list.dedup();
    }
    let total = platforms.len() + initiatives.len() + instruments.len();
    let mut view = blank("法规政策 → 平台 · Which instruments regulate which platforms".into());
    view.columns = vec![
        "法规政策 Instruments".into(),
        "举措 Initiatives".into(),
        "平台 Platforms, by operator".into(),
    ];
    // Platforms by operator, the largest group first; then the others by where their platforms stand.
    let operators = |n: NodeIndex| -> String {
        let mut names: Vec<&str> = p
            .graph
            .edges_directed(n, Direction::Outgoing)
            .filter(|e| e.weight().relation == "operatedBy")
            .map(|e| p.graph[e.target()].label())
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            "运营机构未载明 operator not stated".into()
        } else {
            format!("{} 运营 runs", names.join(" · "))
        }
    };
    let mut by_operator: BTreeMap<String, Vec<NodeIndex>> = BTreeMap::new();
    for &n in &platforms {
        by_operator.entry(operators(n)).or_default().push(n);
    }
    let mut groups: Vec<(String, Vec<NodeIndex>)> = by_operator.into_iter().collect();
    groups.sort_by_key(|(title, members)| (std::cmp::Reverse(members.len()), title.clone()));
    let mut position: HashMap<NodeIndex, f64> = HashMap::new();
    let mut boxes: HashMap<NodeIndex, usize> = HashMap::new();
    for (g, (title, members)) in groups.into_iter().enumerate() {
        view.groups.push(title);
        let mut members = members;
        members.sort_by(|&a, &b| p.graph[a].label().cmp(p.graph[b].label()));
        for n in members {
            position.insert(n, position.len() as f64);
            let mut node = entity_node(p, n, 2, 0);
            node.group = Some(g);
            boxes.insert(n, view.nodes.len());
            view.nodes.push(node);
        }
    }
    for (column, list) in [(1, initiatives), (0, instruments)] {
        let mut placed: Vec<(f64, NodeIndex)> = list
            .into_iter()
            .map(|n| {
                let near: Vec<f64> = touching(p, n)
                    .into_iter()
                    .filter_map(|(m, _, _)| position.get(&m).copied())
                    .collect();
                (near.iter().sum::<f64>() / near.len().max(1) as f64, n)
            })
            .collect();
        placed.sort_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then(p.graph[a.1].label().cmp(p.graph[b.1].label()))
        });
        for (at, n) in placed {
            position.insert(n, at);
            boxes.insert(n, view.nodes.len());
            view.nodes.push(entity_node(p, n, column, 0));
        }
    }
    let columns: Vec<usize> = view.nodes.iter().map(|n| n.column).collect();
    add_edges(
        &mut view,
        p,
        &boxes,
        |a, b| columns[a] != columns[b] || columns[a] == 0,
        |a, b| if columns[a] <= columns[b] { a } else { b },
    );
    cut_nodes(&mut view, max);
    view.notes.push(format!(
        "{} instruments, {} initiatives, {} platforms; {} relations. Solid: stated in a source document; dashed: inferred by a curator.",
        count_in(&view, 0),
        count_in(&view, 1),
        count_in(&view, 2),
        view.edges.len()
    ));
    view.notes.extend(cut_note(view.nodes.len(), total));
    view
}

/// How many boxes stand in a column.
fn count_in(view: &View, column: usize) -> usize {
    view.nodes.iter().filter(|n| n.column == column).count()
}

/// Keep the first `max` boxes (builders put the most important first) and the edges between them.
fn cut_nodes(view: &mut View, max: usize) {
    if view.nodes.len() <= max {
        return;
    }
    view.nodes.truncate(max);
    view.edges.retain(|e| e.source < max && e.target < max);
    view.links.retain(|&(a, b)| a < max && b < max);
}

/// Year columns from the earliest to the latest year, then `undated` when something has no date.
fn year_columns(years: &[Option<i32>]) -> (Vec<String>, impl Fn(Option<i32>) -> usize) {
    let dated: Vec<i32> = years.iter().flatten().copied().collect();
    let first = dated.iter().copied().min().unwrap_or(0);
    let last = dated.iter().copied().max().unwrap_or(-1);
    let mut columns: Vec<String> = (first..=last).map(|y| y.to_string()).collect();
    let undated = columns.len();
    if years.iter().any(Option::is_none) {
        columns.push("未注明日期 undated".into());
    }
    let column = move |year: Option<i32>| match year {
        Some(y) => usize::try_from(y - first).unwrap_or(0),
        None => undated,
    };
    (columns, column)
}

/// The year of a step.
fn step_year(step: &Step) -> Option<i32> {
    step.date.as_deref().and_then(year_of)
}

/// `lineage`: one lane per entity of the lineage (earliest first), its dated steps in year columns, and the
/// lineage relations between the entities, drawn from the earlier one's step to the later one's first step.
fn lineage(p: &Projection, root: NodeIndex, max: usize) -> View {
    let mut entities: Vec<NodeIndex> = vec![root];
    for up in [true, false] {
        entities.extend(p.lineage(root, up).into_iter().map(|s| s.node));
    }
    entities.sort_by_key(|&n| {
        (
            p.graph[n].first_year().unwrap_or(i32::MAX),
            p.graph[n].label().to_owned(),
        )
    });
    entities.dedup();
    let mut view = blank(format!("{} · 沿革 lineage", p.graph[root].label()));
    let years: Vec<Option<i32>> = entities
        .iter()
        .flat_map(|&n| {
            let years: Vec<Option<i32>> = p.graph[n].steps.iter().map(step_year).collect();
            if years.is_empty() {
                vec![None]
            } else {
                years
            }
        })
        .collect();
    let (columns, column) = year_columns(&years);
    view.columns = columns;
    view.lanes = entities
        .iter()
        .map(|&n| p.graph[n].label().to_owned())
        .collect();
    // Each entity's steps as boxes; `first[e]` and `steps[e]` find them for the edges.
    let mut boxes_of: HashMap<NodeIndex, Vec<(Option<i32>, usize)>> = HashMap::new();
    for (lane, &n) in entities.iter().enumerate() {
        let node = &p.graph[n];
        let mut mine = vec![];
        for step in &node.steps {
            let date = step.date.clone().unwrap_or_default();
            let inferred = step.provenance == Provenance::Inferred;
            mine.push((step_year(step), view.nodes.len()));
            view.nodes.push(ViewNode {
                iri: node.iri.clone(),
                label: format!("{date} {}", kind_words(&step.kind))
                    .trim()
                    .to_owned(),
                detail: format!(
                    "{} — {} {date} ({})",
                    node.label(),
                    kind_words(&step.kind),
                    if inferred {
                        "inferred by a curator"
                    } else {
                        "stated in a source document"
                    }
                ),
                band: node.band,
                column: column(step_year(step)),
                lane,
                group: None,
                dashed: inferred,
                focus: n == root,
            });
        }
        if mine.is_empty() {
            mine.push((None, view.nodes.len()));
            let mut only = entity_node(p, n, column(None), lane);
            only.label = "no dated step".into();
            only.focus = n == root;
            view.nodes.push(only);
        }
        for pair in mine.windows(2) {
            view.links.push((pair[0].1, pair[1].1));
        }
        boxes_of.insert(n, mine);
    }
    let kept: HashSet<NodeIndex> = entities.iter().copied().collect();
    for e in p.graph.edge_references() {
        let (a, b) = (e.source(), e.target());
        let Some(subject_first) = lineage_direction(&e.weight().relation) else {
            continue;
        };
        if !(kept.contains(&a) && kept.contains(&b)) {
            continue;
        }
        let (earlier, later) = if subject_first { (a, b) } else { (b, a) };
        let to = boxes_of[&later][0];
        let from = boxes_of[&earlier]
            .iter()
            .rev()
            .find(|(y, _)| y.is_some() && to.0.is_some_and(|t| *y <= Some(t)))
            .unwrap_or(&boxes_of[&earlier][0]);
        let (source, target) = if subject_first {
            (from.1, to.1)
        } else {
            (to.1, from.1)
        };
        view.edges.push(ViewEdge {
            source,
            target,
            relation: e.weight().relation.clone(),
            stated: e.weight().stated(),
            quote: e.weight().quote.clone(),
            labelled: to.1,
        });
    }
    let total = view.nodes.len();
    cut_nodes(&mut view, max);
    view.notes.push(format!(
        "{} entities, {} dated steps, {} lineage relations. Solid: stated in a source document; dashed: inferred by a curator.",
        entities.len(),
        view.nodes.len(),
        view.edges.len()
    ));
    if let Some(note) = cut_note(view.nodes.len(), total) {
        view.notes.push(note.replace("entities", "steps"));
    }
    view
}

/// An entity or step of the agency view, with the year it stands under.
struct Item {
    year: Option<i32>,
    node: ViewNode,
}

impl Item {
    /// Lane, then the latest first (undated last), then label: the order `--max-nodes` keeps them in.
    fn latest_first(&self) -> (usize, bool, std::cmp::Reverse<Option<i32>>, &str) {
        (
            self.node.lane,
            self.year.is_none(),
            std::cmp::Reverse(self.year),
            &self.node.label,
        )
    }

    /// Lane, then year (undated last), then label: the order they are drawn in.
    fn in_order(&self) -> (usize, bool, Option<i32>, &str) {
        (
            self.node.lane,
            self.year.is_none(),
            self.year,
            &self.node.label,
        )
    }
}

/// The lanes of the agency view, in order: how an entity relates to the agency.
const AGENCY_LANES: [&str; 6] = [
    "发布 issued",
    "运营 runs",
    "负责 responsible for",
    "行动 did (dated steps it acted in)",
    "实施·参与 implements, takes part in",
    "其他关系 other relations",
];

/// The agency lane of a relation between the agency and another entity (`outgoing`: the agency is the
/// subject).
fn agency_lane(relation: &str, outgoing: bool) -> usize {
    match (relation, outgoing) {
        ("issuedBy", false) => 0,
        ("operatedBy", false) => 1,
        ("responsibleAgency", false) => 2,
        ("implements" | "participatesIn", true) => 4,
        _ => 5,
    }
}

/// `agency`: what an agency issued, runs, is responsible for, did, implements, and its other relations, one
/// lane each, by year. Each entity stands once, in its first lane.
fn agency_view(p: &Projection, agency: NodeIndex, max: usize) -> Result<View> {
    let me = &p.graph[agency];
    if me.band != Band::Agency {
        return Err(Error::Usage(format!(
            "{} is a {}, not an agency; try --view neighbourhood {}",
            me.label(),
            me.class,
            me.label()
        )));
    }
    // Each related entity, then each step the agency acted in; the lane is the node's.
    let mut items: Vec<Item> = vec![];
    let mut lane_of: BTreeMap<NodeIndex, (usize, &str, bool)> = BTreeMap::new();
    for (m, relation, outgoing) in touching(p, agency) {
        let lane = agency_lane(relation, outgoing);
        let entry = lane_of.entry(m).or_insert((lane, relation, outgoing));
        if lane < entry.0 {
            *entry = (lane, relation, outgoing);
        }
    }
    for (&m, &(lane, relation, outgoing)) in &lane_of {
        let mut node = entity_node(p, m, 0, lane);
        if lane == 5 {
            let words = relation_words(relation);
            node.label = if outgoing {
                format!("{words} {}", node.label)
            } else {
                format!("{} {words}", node.label)
            };
        }
        items.push(Item {
            year: p.graph[m].first_year(),
            node,
        });
    }
    for n in p.graph.node_indices() {
        let node = &p.graph[n];
        for step in node.steps.iter().filter(|s| s.actors.contains(&me.iri)) {
            let mut item = entity_node(p, n, 0, 3);
            item.label = format!("{}: {}", kind_words(&step.kind), node.label());
            item.detail = format!(
                "{} {} — {}",
                kind_words(&step.kind),
                step.date.as_deref().unwrap_or("undated"),
                detail(node)
            );
            items.push(Item {
                year: step_year(step),
                node: item,
            });
        }
    }
    let total = items.len();
    // Every lane keeps its share: the n-th latest item of each lane before the (n+1)-th of any.
    items.sort_by(|a, b| a.latest_first().cmp(&b.latest_first()));
    let mut rank: HashMap<usize, usize> = HashMap::new();
    let mut ranks: Vec<(usize, usize)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let r = rank.entry(item.node.lane).or_default();
            *r += 1;
            (*r, i)
        })
        .collect();
    ranks.sort_by_key(|&(r, i)| (r, items[i].node.lane));
    let keep: HashSet<usize> = ranks.into_iter().take(max).map(|(_, i)| i).collect();
    let mut items: Vec<Item> = items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, item)| item)
        .collect();
    items.sort_by(|a, b| a.in_order().cmp(&b.in_order()));
    let mut view = blank(format!(
        "{} · 机构 agency: what it issued, runs and did",
        me.label()
    ));
    let years: Vec<Option<i32>> = items.iter().map(|i| i.year).collect();
    let (columns, column) = year_columns(&years);
    view.columns = columns;
    let mut used: Vec<usize> = items.iter().map(|i| i.node.lane).collect();
    used.dedup();
    view.lanes = used.iter().map(|&l| AGENCY_LANES[l].to_owned()).collect();
    for Item { year, mut node } in items {
        node.lane = used.iter().position(|&l| l == node.lane).unwrap_or(0);
        node.column = column(year);
        view.nodes.push(node);
    }
    view.notes.push(format!(
        "{} entities and steps, by the year of their first dated step; {}.",
        view.nodes.len(),
        me.en
    ));
    view.notes.extend(cut_note(view.nodes.len(), total));
    Ok(view)
}

/// Most boxes a column holds before it wraps into another (about a 900 px screen).
const MAX_ROWS: usize = 30;

/// `neighbourhood`: the entity in the middle, what points to it on the left and what it points to on the
/// right, one column per hop (wrapped when tall), every edge between them labelled; the nearest and best
/// connected entities first when `max` cuts.
fn neighbourhood(p: &Projection, focus: NodeIndex, depth: usize, max: usize) -> View {
    // Breadth first: each entity's distance, side (right: reached along an outgoing edge) and parent.
    let mut reached: BTreeMap<NodeIndex, (usize, bool, usize)> =
        BTreeMap::from([(focus, (0, true, 0))]);
    let mut order = vec![focus];
    let mut queue = VecDeque::from([focus]);
    while let Some(n) = queue.pop_front() {
        let (d, side, _) = reached[&n];
        if d == depth {
            continue;
        }
        let parent_rank = order.iter().position(|&x| x == n).unwrap_or(0);
        for (m, _, outgoing) in touching(p, n) {
            if reached.contains_key(&m) {
                continue;
            }
            let right = if d == 0 { outgoing } else { side };
            reached.insert(m, (d + 1, right, parent_rank));
            order.push(m);
            queue.push_back(m);
        }
    }
    let total = order.len();
    let degree = |n: NodeIndex| p.graph.neighbors_undirected(n).count();
    let mut chosen = order.clone();
    chosen.sort_by_key(|&n| {
        (
            reached[&n].0,
            std::cmp::Reverse(degree(n)),
            p.graph[n].label().to_owned(),
        )
    });
    chosen.truncate(max);
    // Cells by (side, distance), each ordered by parent then label; a side too tall for the screen hands its
    // last entities to the other side; a cell still too tall wraps into more columns.
    let mut cells: BTreeMap<(bool, usize), Vec<NodeIndex>> = BTreeMap::new();
    for &n in &chosen {
        let (d, right, _) = reached[&n];
        cells.entry((right || d == 0, d)).or_default().push(n);
    }
    for members in cells.values_mut() {
        members.sort_by_key(|&n| (reached[&n].2, p.graph[n].label().to_owned()));
    }
    for d in 1..=depth {
        let (left, right) = (
            cells.remove(&(false, d)).unwrap_or_default(),
            cells.remove(&(true, d)).unwrap_or_default(),
        );
        let (left, right) = balance(left, right);
        cells.insert((false, d), left);
        cells.insert((true, d), right);
    }
    let mut view = blank(format!(
        "{} · {depth} 跳邻域 neighbourhood",
        p.graph[focus].label()
    ));
    let mut columns: Vec<(String, Vec<NodeIndex>)> = vec![];
    for ((right, d), members) in cells.into_iter().filter(|(_, m)| !m.is_empty()) {
        let wraps = members.len().div_ceil(MAX_ROWS).max(1);
        let chunks: Vec<Vec<NodeIndex>> = members
            .chunks(members.len().div_ceil(wraps))
            .map(<[NodeIndex]>::to_vec)
            .collect();
        for chunk in chunks {
            // Left of the focus, the outermost column comes first and a cell's first chunk is nearest.
            let place = if right { columns.len() } else { 0 };
            columns.insert(place, (hop_title(d, right), chunk));
        }
    }
    let mut boxes: HashMap<NodeIndex, usize> = HashMap::new();
    for (c, (title, members)) in columns.into_iter().enumerate() {
        view.columns.push(title);
        for n in members {
            let mut node = entity_node(p, n, c, 0);
            node.focus = n == focus;
            boxes.insert(n, view.nodes.len());
            view.nodes.push(node);
        }
    }
    let distance: Vec<usize> = view
        .nodes
        .iter()
        .map(|n| p.node(&n.iri).map_or(0, |i| reached[&i].0))
        .collect();
    let column: Vec<usize> = view.nodes.iter().map(|n| n.column).collect();
    add_edges(
        &mut view,
        p,
        &boxes,
        |a, b| column[a] != column[b],
        |a, b| if distance[b] > distance[a] { b } else { a },
    );
    view.notes.push(format!(
        "{} entities within {depth} hop{} and the {} relations between columns (describe lists the rest); the HTML relation filter hides edges by kind. Solid: stated; dashed: inferred.",
        view.nodes.len(),
        if depth == 1 { "" } else { "s" },
        view.edges.len()
    ));
    view.notes.extend(cut_note(view.nodes.len(), total));
    view
}

/// Share a hop's entities between the two sides of the focus when one side is taller than a screen: the
/// taller side's last entities move to the other until both fit or they are even.
fn balance(
    mut left: Vec<NodeIndex>,
    mut right: Vec<NodeIndex>,
) -> (Vec<NodeIndex>, Vec<NodeIndex>) {
    while left.len() > MAX_ROWS && left.len() > right.len() + 1 {
        if let Some(n) = left.pop() {
            right.push(n);
        }
    }
    while right.len() > MAX_ROWS && right.len() > left.len() + 1 {
        if let Some(n) = right.pop() {
            left.push(n);
        }
    }
    (left, right)
}

/// A neighbourhood column's heading.
fn hop_title(distance: usize, right: bool) -> String {
    match (distance, right) {
        (0, _) => "焦点 focus".into(),
        (1, _) => "1 跳 hop".into(),
        (d, _) => format!("{d} 跳 hops"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Layout

/// A rectangle: top-left corner, width, height.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Do two rectangles share more than a hair's breadth?
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x + self.w > other.x + 0.5
            && other.x + other.w > self.x + 0.5
            && self.y + self.h > other.y + 0.5
            && other.y + other.h > self.y + 0.5
    }
}

/// What a piece of text is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "of", rename_all = "lowercase")]
pub enum TextKind {
    /// The heading.
    Title,
    /// A line under the heading.
    Note,
    /// A column heading.
    Column,
    /// A lane heading.
    Lane,
    /// A group heading.
    Group,
    /// A line of a node's label (the node's position).
    Node(usize),
    /// An edge label (its relation).
    Edge(String),
}

/// One line of text, with the box it takes.
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    /// What it is.
    pub kind: TextKind,
    /// The words.
    pub text: String,
    /// Font size in px (never under 11).
    pub size: f64,
    /// The box it needs: text starts at `rect.x`, its baseline is near the bottom.
    pub rect: Rect,
}

/// One edge drawn: its SVG path, the text of its label, and which end the arrow is at.
#[derive(Debug, Clone, Serialize)]
pub struct EdgePath {
    /// The SVG path data.
    pub d: String,
    /// The arrow is at the path's end (else at its start).
    pub arrow_at_end: bool,
}

/// Where everything stands.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Layout {
    /// The picture's width in px.
    pub width: f64,
    /// Its height in px.
    pub height: f64,
    /// Each node's box, by node position.
    pub boxes: Vec<Rect>,
    /// Every piece of text.
    pub texts: Vec<Text>,
    /// Each edge's path, by edge position.
    pub edges: Vec<EdgePath>,
    /// Each link's path.
    pub links: Vec<String>,
    /// Lane bands (full width), by lane.
    pub lanes: Vec<Rect>,
    /// Group frames, by group (a group split over cells keeps its first frame).
    pub groups: Vec<Rect>,
}

/// Font sizes and the width of one display column at each (a Chinese character takes two columns).
const NODE_FONT: f64 = 12.0;
const EDGE_FONT: f64 = 11.0;
const TITLE_FONT: f64 = 16.0;
const NOTE_FONT: f64 = 12.0;
const HEAD_FONT: f64 = 13.0;
const MARGIN: f64 = 16.0;
/// Most display columns of a node's label line, and most lines.
const NODE_COLUMNS: usize = 28;
const NODE_LINES: usize = 2;
const LANE_COLUMNS: usize = 22;
/// Line spacing of node labels, and the height of one edge label: a line of CJK text takes 1.45 em from the
/// font's ascent to its descent (Noto Sans CJK), which is what a browser's text box measures.
const LINE: f64 = 18.0;
const LABEL_H: f64 = 17.0;
/// A text's height and its baseline below its top, in em.
pub const TEXT_HEIGHT: f64 = 1.45;
/// The baseline below a text's top, in em.
pub const ASCENT: f64 = 1.16;
const ROW_GAP: f64 = 8.0;
const EDGE_GAP: f64 = 36.0;

/// The width a text takes at a font size: 0.6 em per display column, a little more than the fonts need.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.width() as f64 * size * 0.6
}

/// Break a label into at most `lines` lines of at most `columns` display columns, preferring spaces; the last
/// line ends with `…` when the label does not fit.
pub fn wrap(label: &str, columns: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut rest: Vec<char> = label.chars().collect();
    while !rest.is_empty() {
        if out.len() + 1 == lines {
            let all: String = rest.iter().collect();
            if all.width() <= columns {
                out.push(all);
            } else {
                let mut line = String::new();
                for c in rest {
                    if line.width() + c.width().unwrap_or(0) + 1 > columns {
                        break;
                    }
                    line.push(c);
                }
                out.push(format!("{}…", line.trim_end()));
            }
            return out;
        }
        let mut width = 0;
        let mut cut = rest.len();
        for (i, c) in rest.iter().enumerate() {
            width += c.width().unwrap_or(0);
            if width > columns {
                cut = i;
                break;
            }
        }
        if cut < rest.len() && rest[cut].is_ascii_alphanumeric() {
            if let Some(space) = rest[..cut]
                .iter()
                .rposition(|c| *c == ' ')
                .filter(|&s| s > 0)
            {
                cut = space + 1;
            }
        }
        let line: String = rest[..cut].iter().collect();
        out.push(line.trim().to_owned());
        rest.drain(..cut);
    }
    out
}

/// Which side of a node an edge label sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Side {
    Left,
    Right,
}

/// For each (node, side), the relations whose labels stack there, in order.
type Slots = BTreeMap<(usize, Side), Vec<String>>;

/// The label slots: for each (node, side), its relations in order; for each edge, its (node, side, slot).
fn slots(view: &View) -> (Slots, Vec<(usize, Side, usize)>) {
    let mut slots = Slots::new();
    let mut of_edge = vec![];
    for e in &view.edges {
        let other = if e.labelled == e.source {
            e.target
        } else {
            e.source
        };
        let side = if view.nodes[other].column < view.nodes[e.labelled].column {
            Side::Left
        } else {
            Side::Right
        };
        let list = slots.entry((e.labelled, side)).or_default();
        let k = match list.iter().position(|r| *r == e.relation) {
            Some(k) => k,
            None => {
                list.push(e.relation.clone());
                list.len() - 1
            }
        };
        of_edge.push((e.labelled, side, k));
    }
    (slots, of_edge)
}

/// The width an edge label takes.
fn label_width(relation: &str) -> f64 {
    text_width(&relation_words(relation), EDGE_FONT) + 8.0
}

/// Lay a view out: columns as wide as their widest label, gutters as wide as their widest edge label, lanes as
/// tall as their tallest cell; every text in a box of its own.
pub fn layout(view: &View) -> Layout {
    let mut l = Layout::default();
    let lines: Vec<Vec<String>> = view
        .nodes
        .iter()
        .map(|n| wrap(&n.label, NODE_COLUMNS, NODE_LINES))
        .collect();
    let box_h: Vec<f64> = lines
        .iter()
        .map(|ls| 10.0 + LINE * ls.len() as f64)
        .collect();
    let (slots, of_edge) = slots(view);
    let columns = view.columns.len().max(1);
    let mut box_w = vec![60.0f64; columns];
    let mut gutter = vec![(0.0f64, 0.0f64); columns];
    for (n, ls) in view.nodes.iter().zip(&lines) {
        for line in ls {
            box_w[n.column] = box_w[n.column].max(text_width(line, NODE_FONT) + 16.0);
        }
    }
    for (c, title) in view.columns.iter().enumerate() {
        box_w[c] = box_w[c].max(text_width(title, HEAD_FONT));
    }
    for ((n, side), relations) in &slots {
        let widest = relations.iter().map(|r| label_width(r)).fold(0.0, f64::max) + 8.0;
        let g = &mut gutter[view.nodes[*n].column];
        match side {
            Side::Left => g.0 = g.0.max(widest),
            Side::Right => g.1 = g.1.max(widest),
        }
    }
    // Headings.
    let mut y = MARGIN;
    let push = |l: &mut Layout, kind: TextKind, text: &str, size: f64, x: f64, top: f64| {
        let rect = Rect {
            x,
            y: top,
            w: text_width(text, size),
            h: size * TEXT_HEIGHT,
        };
        l.texts.push(Text {
            kind,
            text: text.to_owned(),
            size,
            rect,
        });
    };
    push(&mut l, TextKind::Title, &view.title, TITLE_FONT, MARGIN, y);
    y += TITLE_FONT * TEXT_HEIGHT + 4.0;
    for note in &view.notes {
        for line in wrap(note, 150, 3) {
            push(&mut l, TextKind::Note, &line, NOTE_FONT, MARGIN, y);
            y += NOTE_FONT * TEXT_HEIGHT + 1.0;
        }
    }
    y += 8.0;
    // Columns: x of each box.
    let titled_lanes = view.lanes.iter().any(|t| !t.is_empty());
    let lane_w = if titled_lanes {
        text_width(&"字".repeat(LANE_COLUMNS / 2), NODE_FONT) + 16.0
    } else {
        0.0
    };
    let gap = if view.edges.is_empty() && view.links.is_empty() {
        14.0
    } else {
        EDGE_GAP
    };
    let mut x = MARGIN + lane_w;
    let mut box_x = vec![0.0; columns];
    for c in 0..columns {
        box_x[c] = x + gutter[c].0;
        x = box_x[c] + box_w[c] + gutter[c].1 + gap;
    }
    let width = x - gap + MARGIN;
    for (c, title) in view.columns.iter().enumerate() {
        let w = text_width(title, HEAD_FONT);
        push(
            &mut l,
            TextKind::Column,
            title,
            HEAD_FONT,
            box_x[c] + (box_w[c] - w) / 2.0,
            y,
        );
    }
    y += HEAD_FONT * TEXT_HEIGHT + 8.0;
    // Rows: each node's row height, then cells stacked in lanes.
    let row_h: Vec<f64> = (0..view.nodes.len())
        .map(|n| {
            let stack = |side| slots.get(&(n, side)).map_or(0, Vec::len) as f64 * LABEL_H;
            box_h[n].max(stack(Side::Left)).max(stack(Side::Right)) + ROW_GAP
        })
        .collect();
    l.boxes = vec![Rect::default(); view.nodes.len()];
    l.groups = vec![Rect::default(); view.groups.len()];
    for (lane, title) in view.lanes.iter().enumerate() {
        let top = y;
        let mut tallest: f64 = 0.0;
        for c in 0..columns {
            let mut cy = top + 6.0;
            let mut group: Option<usize> = None;
            for (n, node) in view
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.lane == lane && n.column == c)
            {
                if node.group != group {
                    if let Some(g) = node.group {
                        cy += 6.0;
                        let frame = Rect {
                            x: box_x[c] - 5.0,
                            y: cy,
                            w: box_w[c] + 10.0,
                            h: 0.0,
                        };
                        if l.groups[g] == Rect::default() {
                            l.groups[g] = frame;
                        }
                        for line in wrap(&view.groups[g], NODE_COLUMNS, 3) {
                            push(
                                &mut l,
                                TextKind::Group,
                                &line,
                                EDGE_FONT,
                                box_x[c],
                                cy + 2.0,
                            );
                            cy += EDGE_FONT * TEXT_HEIGHT;
                        }
                        cy += 6.0;
                    }
                    group = node.group;
                }
                let b = Rect {
                    x: box_x[c],
                    y: cy + (row_h[n] - box_h[n]) / 2.0,
                    w: box_w[c],
                    h: box_h[n],
                };
                l.boxes[n] = b;
                for (i, line) in lines[n].iter().enumerate() {
                    let w = text_width(line, NODE_FONT);
                    let ty = b.y + 5.0 + LINE * i as f64;
                    push(
                        &mut l,
                        TextKind::Node(n),
                        line,
                        NODE_FONT,
                        b.x + (b.w - w) / 2.0,
                        ty,
                    );
                }
                cy += row_h[n];
                if let Some(g) = node.group {
                    let frame = &mut l.groups[g];
                    if frame.x == b.x - 5.0 {
                        frame.h = cy - frame.y;
                    }
                }
            }
            tallest = tallest.max(cy - top);
        }
        let mut title_y = top + 6.0;
        if titled_lanes {
            for line in wrap(title, LANE_COLUMNS, 3) {
                push(&mut l, TextKind::Lane, &line, NODE_FONT, MARGIN, title_y);
                title_y += LINE;
            }
        }
        let h = tallest.max(title_y - top) + 6.0;
        l.lanes.push(Rect {
            x: MARGIN / 2.0,
            y: top,
            w: width - MARGIN,
            h,
        });
        y = top + h + 4.0;
    }
    l.width = width.max(
        l.texts
            .iter()
            .map(|t| t.rect.x + t.rect.w + MARGIN)
            .fold(0.0, f64::max),
    );
    l.height = y + MARGIN;
    // Edge labels and paths.
    let centre = |b: &Rect| b.y + b.h / 2.0;
    let mut label_at: HashMap<(usize, Side, usize), (f64, f64, f64)> = HashMap::new();
    for ((n, side), relations) in &slots {
        let b = l.boxes[*n];
        let c = view.nodes[*n].column;
        let count = relations.len() as f64;
        for (k, relation) in relations.iter().enumerate() {
            let cy = centre(&b) + (k as f64 - (count - 1.0) / 2.0) * LABEL_H;
            let w = label_width(relation) - 8.0;
            let (x, outer) = match side {
                Side::Right => (b.x + b.w + 6.0, b.x + b.w + gutter[c].1),
                Side::Left => (b.x - 6.0 - w, b.x - gutter[c].0),
            };
            let h = EDGE_FONT * TEXT_HEIGHT;
            let rect = Rect {
                x,
                y: cy - h / 2.0,
                w,
                h,
            };
            l.texts.push(Text {
                kind: TextKind::Edge(relation.clone()),
                text: relation_words(relation),
                size: EDGE_FONT,
                rect,
            });
            label_at.insert(
                (*n, *side, k),
                (
                    cy,
                    outer,
                    if *side == Side::Right { b.x + b.w } else { b.x },
                ),
            );
        }
    }
    for (e, &(n, side, k)) in view.edges.iter().zip(&of_edge) {
        let (ly, outer, edge_x) = label_at[&(n, side, k)];
        let b = l.boxes[n];
        let stub_y = ly.clamp(b.y + 3.0, b.y + b.h - 3.0);
        let other = if e.labelled == e.source {
            e.target
        } else {
            e.source
        };
        let o = l.boxes[other];
        let oc = view.nodes[other].column;
        let (ox, dir) = match oc.cmp(&view.nodes[n].column) {
            std::cmp::Ordering::Greater => (o.x, -1.0),
            std::cmp::Ordering::Less => (o.x + o.w, 1.0),
            std::cmp::Ordering::Equal => match side {
                Side::Right => (o.x + o.w, 1.0),
                Side::Left => (o.x, -1.0),
            },
        };
        let oy = centre(&o);
        let out_dir = if side == Side::Right { 1.0 } else { -1.0 };
        let pull = ((ox - outer).abs() / 2.0).max(40.0);
        let d = format!(
            "M{edge_x:.1},{stub_y:.1} L{outer:.1},{ly:.1} C{:.1},{ly:.1} {:.1},{oy:.1} {ox:.1},{oy:.1}",
            outer + out_dir * pull,
            ox + dir * pull
        );
        l.edges.push(EdgePath {
            d,
            arrow_at_end: e.labelled == e.source,
        });
    }
    for &(a, b) in &view.links {
        let (p, q) = (l.boxes[a], l.boxes[b]);
        // Steps of one year stand one above the other: a short line joins them on the left.
        l.links
            .push(if view.nodes[a].column == view.nodes[b].column {
                format!(
                    "M{:.1},{:.1} L{:.1},{:.1}",
                    p.x + 8.0,
                    p.y + p.h,
                    q.x + 8.0,
                    q.y
                )
            } else {
                format!(
                    "M{:.1},{:.1} L{:.1},{:.1}",
                    p.x + p.w,
                    centre(&p),
                    q.x,
                    centre(&q)
                )
            });
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{id, projected};

    fn view(name: ViewName, entity: Option<&str>, depth: usize) -> View {
        let iri = entity.map(id);
        build(
            projected(),
            &ViewRequest {
                name,
                entity: iri.as_deref(),
                depth,
                max_nodes: DEFAULT_MAX_NODES,
            },
        )
        .unwrap()
    }

    fn every_view() -> Vec<View> {
        vec![
            view(ViewName::RegulationPlatform, None, 0),
            view(ViewName::Lineage, Some("jiangsu-data-regulation"), 0),
            view(ViewName::Lineage, Some("sufuban"), 0),
            view(ViewName::Agency, Some("jiangsu-data-bureau"), 0),
            view(ViewName::Agency, Some("xinbei-data-bureau"), 0),
            view(ViewName::Neighbourhood, Some("jiangsu-data-bureau"), 1),
            view(ViewName::Neighbourhood, Some("sufuban"), 2),
        ]
    }

    fn has_edge(v: &View, from: &str, relation: &str, to: &str) -> bool {
        v.edges.iter().any(|e| {
            v.nodes[e.source].label == from
                && e.relation == relation
                && v.nodes[e.target].label == to
        })
    }

    #[test]
    fn no_text_overlaps_another_or_a_box_and_none_is_small() {
        for v in every_view() {
            let l = &v.layout;
            assert!(v.nodes.len() <= DEFAULT_MAX_NODES, "{}", v.title);
            for (i, a) in l.texts.iter().enumerate() {
                assert!(a.size >= 11.0, "{a:?}");
                assert!(
                    a.rect.x >= 0.0 && a.rect.x + a.rect.w <= l.width,
                    "{}: {a:?} outside {}",
                    v.title,
                    l.width
                );
                for b in &l.texts[i + 1..] {
                    assert!(
                        !a.rect.overlaps(&b.rect),
                        "{}: {a:?} overlaps {b:?}",
                        v.title
                    );
                }
                for (n, r) in l.boxes.iter().enumerate() {
                    if a.kind != TextKind::Node(n) && !matches!(a.kind, TextKind::Lane) {
                        assert!(
                            !a.rect.overlaps(r),
                            "{}: {a:?} overlaps box {}",
                            v.title,
                            v.nodes[n].label
                        );
                    }
                }
            }
            for (i, a) in l.boxes.iter().enumerate() {
                for b in &l.boxes[i + 1..] {
                    assert!(!a.overlaps(b), "{}: {a:?} overlaps {b:?}", v.title);
                }
            }
            assert!(l.width <= 1400.0, "{}: {} px wide", v.title, l.width);
        }
    }

    #[test]
    fn regulation_platform_draws_the_stated_regulates_edges_grouped_by_operator() {
        let v = view(ViewName::RegulationPlatform, None, 0);
        assert!(has_edge(
            &v,
            "江苏省12345政务服务便民热线条例",
            "regulates",
            "江苏12345热线"
        ));
        assert!(has_edge(
            &v,
            "全省政务“一朵云”建设总体方案",
            "regulates",
            "政务“一朵云”"
        ));
        let cloud = v.nodes.iter().find(|n| n.label == "政务“一朵云”").unwrap();
        assert_eq!(cloud.column, 2);
        assert_eq!(v.groups[cloud.group.unwrap()], "江苏省数据局 运营 runs");
        assert!(v
            .nodes
            .iter()
            .filter(|n| n.column == 0)
            .all(|n| n.band == Band::Regulation));
        assert!(v
            .nodes
            .iter()
            .filter(|n| n.column == 2)
            .all(|n| n.band == Band::Platform));
        assert!(v.layout.width <= 1000.0, "README width: {}", v.layout.width);
    }

    #[test]
    fn a_lineage_runs_left_to_right_by_year_with_one_lane_per_entity() {
        let v = view(ViewName::Lineage, Some("jiangsu-data-regulation"), 0);
        assert_eq!(v.lanes.len(), 5, "{:?}", v.lanes);
        assert!(
            v.lanes[..2].contains(&"江苏省公共数据管理办法".to_owned()),
            "{:?}",
            v.lanes
        );
        assert_eq!(v.lanes[4], "江苏省数据条例");
        assert_eq!(v.columns.first().map(String::as_str), Some("2022"));
        for e in &v.edges {
            let (a, b) = (&v.nodes[e.source], &v.nodes[e.target]);
            assert!(a.column <= b.column || e.relation == "supersedes", "{e:?}");
        }
        assert!(v.edges.iter().any(|e| e.relation == "raisedTo" && e.stated));
        assert!(v.edges.iter().any(|e| e.relation == "draftOf" && !e.stated));
        assert!(v
            .nodes
            .iter()
            .any(|n| n.label == "2022-02-01 entry into force"));
    }

    #[test]
    fn an_agency_view_puts_what_it_issued_runs_and_did_in_lanes() {
        let v = view(ViewName::Agency, Some("jiangsu-data-bureau"), 0);
        assert_eq!(v.lanes[0], AGENCY_LANES[0]);
        assert!(v.lanes.iter().any(|l| l == AGENCY_LANES[1]));
        let runs = v.lanes.iter().position(|l| l == AGENCY_LANES[1]).unwrap();
        assert!(v
            .nodes
            .iter()
            .any(|n| n.lane == runs && n.label == "政务“一朵云”"));
        let err = build(
            projected(),
            &ViewRequest {
                name: ViewName::Agency,
                entity: Some(&id("sufuban")),
                depth: 0,
                max_nodes: 60,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("not an agency"), "{err}");
    }

    #[test]
    fn a_neighbourhood_keeps_the_nearest_within_max_nodes() {
        let p = projected();
        let v = view(ViewName::Neighbourhood, Some("jiangsu-data-bureau"), 2);
        assert_eq!(v.nodes.len(), DEFAULT_MAX_NODES);
        assert!(v.notes.iter().any(|n| n.contains("--max-nodes")));
        assert_eq!(v.nodes.iter().filter(|n| n.focus).count(), 1);
        // The cut keeps the entities one hop away before any two hops away: all of them when they fit.
        let bureau = p.node(&id("jiangsu-data-bureau")).unwrap();
        let one_hop = p.neighbourhood(bureau, 1);
        assert!(one_hop.len() > DEFAULT_MAX_NODES, "{}", one_hop.len());
        for b in v.nodes.iter().filter(|b| !b.focus) {
            assert!(
                one_hop.keys().any(|n| p.graph[*n].iri == b.iri),
                "{} is two hops away while one-hop neighbours were cut",
                b.label
            );
        }
        let all = build(
            projected(),
            &ViewRequest {
                name: ViewName::Neighbourhood,
                entity: Some(&id("sufuban")),
                depth: 2,
                max_nodes: 1000,
            },
        )
        .unwrap();
        let near = p.neighbourhood(p.node(&id("sufuban")).unwrap(), 2);
        assert_eq!(all.nodes.len(), near.len());
    }

    #[test]
    fn labels_wrap_at_spaces_and_end_with_an_ellipsis() {
        assert_eq!(wrap("苏服办", 28, 2), vec!["苏服办"]);
        assert_eq!(
            wrap("Jiangsu Provincial Data Bureau", 12, 3),
            vec!["Jiangsu", "Provincial", "Data Bureau"]
        );
        let long = wrap(&"数".repeat(40), 10, 2);
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…') && long[1].width() <= 10, "{long:?}");
        assert_eq!(relation_words("legalBasisOf"), "legal basis of");
    }
}
