//! The graph projection: entities as nodes, relations as labelled edges, in petgraph. Evidence, labels, schema,
//! indicator observations and document mentions are left out; lifecycle events are folded into their entity's
//! node as dated steps. Every graph view (lineage, path, neighbours, rank, pictures, graph exports) reads this
//! one projection, built once per command from the store in a few milliseconds.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::OnceLock;

use oxigraph::model::NamedNode;
use oxigraph::store::Store;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::{Deserialize, Serialize};

use crate::data::derived;
use crate::data::store::KgStore;
use crate::model::error::{Error, Result};
use crate::model::vocab::{self, Provenance, PK};
use crate::read::evidence::Sources;
use crate::read::query;

/// Where a node sits in the regulation → agency → platform → initiative picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Band {
    /// Policy instruments: regulations, rules, plans, standards.
    Regulation,
    /// Agencies and other organisations.
    Agency,
    /// Platforms, systems, hotlines, apps.
    Platform,
    /// Initiatives, reforms, projects.
    Initiative,
    /// Anything else.
    Other,
}

impl Band {
    /// Every band, in picture order.
    pub const ALL: [Band; 5] = [
        Band::Regulation,
        Band::Agency,
        Band::Platform,
        Band::Initiative,
        Band::Other,
    ];

    /// The name `--class` accepts.
    pub fn name(self) -> &'static str {
        match self {
            Band::Regulation => "regulation",
            Band::Agency => "agency",
            Band::Platform => "platform",
            Band::Initiative => "initiative",
            Band::Other => "other",
        }
    }
}

/// A dated step of an entity (a lifecycle event folded into its node).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    /// The event's IRI.
    pub event: String,
    /// The event's class local name (`Promulgation`, `EntryIntoForce`…).
    pub kind: String,
    /// Its date as written (xsd:date, gYearMonth or gYear lexical form).
    pub date: Option<String>,
    /// Where the event's link to its entity comes from.
    pub provenance: Provenance,
    /// The entities that acted in the event (`pk:actor`: who drafted, promulgated, launched it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
}

/// An entity of the projection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    /// Its IRI.
    pub iri: String,
    /// Its zh label.
    pub zh: String,
    /// Its en label.
    pub en: String,
    /// The pk: class local name (`LocalRegulation`, `Hotline`…).
    pub class: String,
    /// Its band in pictures.
    pub band: Band,
    /// Its dated steps, in date order.
    pub steps: Vec<Step>,
}

impl Node {
    /// The earliest dated step, as a year.
    pub fn first_year(&self) -> Option<i32> {
        self.steps
            .iter()
            .filter_map(|s| s.date.as_deref())
            .filter_map(year_of)
            .min()
    }

    /// Does `--class C` select this node? C is a class (`LocalRegulation`, `pk:Hotline`) or a band (`platform`).
    pub fn matches_class(&self, c: &str) -> bool {
        let c = c.strip_prefix("pk:").unwrap_or(c);
        c.eq_ignore_ascii_case(&self.class) || c.eq_ignore_ascii_case(self.band.name())
    }

    /// The zh label, else the en label.
    pub fn label(&self) -> &str {
        if self.zh.is_empty() {
            &self.en
        } else {
            &self.zh
        }
    }
}

/// The year of an xsd:date / gYearMonth / gYear lexical form.
pub fn year_of(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

/// A relation between two entities.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Edge {
    /// The pk: property local name (`issuedBy`, `draftOf`…).
    pub relation: String,
    /// Where the relation comes from: a source document, a curator's inference, or a loaded graph.
    pub provenance: Provenance,
    /// A short verbatim quote supporting the edge.
    pub quote: Option<String>,
    /// The document of the quote.
    pub document: Option<String>,
}

impl Edge {
    /// Stated rather than inferred (a relation from a loaded graph counts as stated by its loader).
    pub fn stated(&self) -> bool {
        self.provenance != Provenance::Inferred
    }

    /// Is this a lineage relation (draft of, raised to, supersedes…)?
    pub fn is_lineage(&self) -> bool {
        lineage_direction(&self.relation).is_some()
    }
}

/// For lineage relations: true when the subject is the earlier thing (draft → law), false when it is the later
/// one (new edition supersedes old); None for relations that are not lineage.
pub fn lineage_direction(relation: &str) -> Option<bool> {
    match relation {
        "draftOf" | "raisedTo" | "leadsTo" | "upgradedTo" | "succeededBy" | "supersededBy" => {
            Some(true)
        }
        "supersedes" | "revisionOf" | "succeeds" | "versionOf" => Some(false),
        _ => None,
    }
}

/// The projection.
#[derive(Debug, Default)]
pub struct Projection {
    /// Entities and the relations between them.
    pub graph: DiGraph<Node, Edge>,
    index: HashMap<String, NodeIndex>,
    /// The source documents edges cite, by IRI.
    documents: HashMap<String, Document>,
    /// Each node's betweenness, by index: computed on first use (a projection is not changed once built, and a
    /// sub-projection has its own), and kept beside the store with the projection, since it costs a cold `rank`
    /// half its time.
    betweenness: OnceLock<Vec<f64>>,
}

/// A source document as edges cite it: its title and date.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Document {
    /// Its zh title.
    pub title: String,
    /// Its date of issue, else the year it covers.
    pub date: String,
}

/// A projection as it is kept beside the store: nodes and edges in index order, so that reading it back gives
/// every node and edge its index again.
#[derive(Serialize, Deserialize)]
struct Kept {
    nodes: Vec<Node>,
    edges: Vec<(usize, usize, Edge)>,
    documents: HashMap<String, Document>,
    /// Betweenness by node index, as the bits of each `f64` (JSON's decimal form does not read back exactly).
    betweenness: Vec<u64>,
}

impl From<Projection> for Kept {
    fn from(mut p: Projection) -> Self {
        p.betweenness();
        let betweenness = p
            .betweenness
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(f64::to_bits)
            .collect();
        let (nodes, edges) = p.graph.into_nodes_edges();
        Kept {
            nodes: nodes.into_iter().map(|n| n.weight).collect(),
            edges: edges
                .into_iter()
                .map(|e| (e.source().index(), e.target().index(), e.weight))
                .collect(),
            documents: p.documents,
            betweenness,
        }
    }
}

impl From<Kept> for Projection {
    fn from(kept: Kept) -> Self {
        let mut p = Projection {
            documents: kept.documents,
            ..Projection::default()
        };
        for node in kept.nodes {
            p.add_node(node);
        }
        for (a, b, edge) in kept.edges {
            p.graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), edge);
        }
        if kept.betweenness.len() == p.graph.node_count() {
            p.betweenness = OnceLock::from(
                kept.betweenness
                    .into_iter()
                    .map(f64::from_bits)
                    .collect::<Vec<_>>(),
            );
        }
        p
    }
}

impl Projection {
    /// The projection of an opened store: kept beside it (see [`crate::data::derived`]), so that only the first
    /// process after a change builds it.
    pub fn of_store(kg: &KgStore) -> Result<Self> {
        let kept = derived::cached(kg, "projection", || {
            Projection::build(kg.store()).map(Kept::from)
        })?;
        Ok(kept.into())
    }

    /// Project the store: entities, then the relations between them, then each entity's dated steps.
    pub fn build(store: &Store) -> Result<Self> {
        let mut p = Projection::default();
        p.add_entities(store)?;
        let events = p.add_relations(store, &relations(store)?)?;
        p.add_steps(store, events)?;
        p.documents = documents(store)?;
        Ok(p)
    }

    /// The document of an edge's quote, with its title and date.
    pub fn document<'a>(&'a self, edge: &'a Edge) -> Option<(&'a str, &'a Document)> {
        let iri = edge.document.as_deref()?;
        self.documents.get(iri).map(|d| (iri, d))
    }

    /// Every catalogued entity (not observations or events), in the band of its class, with the catalogue's
    /// labels.
    fn add_entities(&mut self, store: &Store) -> Result<()> {
        let nodes = query::select_strings(
            store,
            "SELECT ?e ?class ?zh ?en WHERE {
               GRAPH pkg:catalogue { ?e a ?class }
               FILTER(?class != pk:IndicatorObservation)
               FILTER NOT EXISTS { ?class rdfs:subClassOf pk:LifecycleEvent }
               OPTIONAL { GRAPH pkg:catalogue { ?e skos:prefLabel ?zh FILTER(LANG(?zh) = \"zh\") } }
               OPTIONAL { GRAPH pkg:catalogue { ?e skos:prefLabel ?en FILTER(LANG(?en) = \"en\") } }
             }",
        )?;
        let bands = bands(store)?;
        for r in nodes {
            // One node per entity, named by the catalogue: a label or class that loaded data adds to an
            // entity neither duplicates its node nor renames it.
            if self.index.contains_key(r.get("e")) {
                continue;
            }
            let class = r.get("class");
            self.add_node(Node {
                band: bands.get(class).copied().unwrap_or(Band::Other),
                iri: r.string("e"),
                zh: r.string("zh"),
                en: r.string("en"),
                class: class.strip_prefix(PK).unwrap_or(class).to_owned(),
                steps: vec![],
            });
        }
        Ok(())
    }

    /// The edges between entities, one query per relation (each answered from its predicate's index, so that
    /// the cost is that of the relations, whatever else is stored), with the first quote of each as `evidence` chooses it; returns
    /// the (event, entity, provenance) links that become dated steps instead of edges, and the (event, actor)
    /// links folded into those steps.
    fn add_relations(&mut self, store: &Store, relations: &[NamedNode]) -> Result<EventLinks> {
        let sources = Sources::new(store);
        let (mut events, mut actors) = (Vec::new(), Vec::new());
        for p in relations {
            let quotes = sources.first_of(p)?;
            let relation = p.as_str().strip_prefix(PK).unwrap_or(p.as_str());
            let links = query::select_strings(
                store,
                &format!("SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s {p} ?o }} FILTER(isIRI(?o) && ?g != pkg:entailed) }}"),
            )?;
            for r in links {
                let (s, o, g) = (r.string("s"), r.string("o"), r.get("g"));
                let evidence = quotes.get(&(s.clone(), o.clone()));
                let implied = evidence.is_some_and(|q| q.status == Provenance::ImpliedActor);
                let provenance = Provenance::of_evidence(g, implied);
                match relation {
                    "eventOf" => events.push((s, o, provenance)),
                    "actor" => actors.push((s, o)),
                    _ => {
                        let (Some(&a), Some(&b)) = (self.index.get(&s), self.index.get(&o)) else {
                            continue;
                        };
                        let edge = Edge {
                            relation: relation.to_owned(),
                            provenance,
                            quote: evidence.map(|q| q.quote.clone()),
                            document: evidence.map(|q| q.document.clone()),
                        };
                        self.graph.add_edge(a, b, edge);
                    }
                }
            }
        }
        Ok(EventLinks { events, actors })
    }

    /// Lifecycle events folded into their entity's node as dated steps, in date order.
    fn add_steps(&mut self, store: &Store, links: EventLinks) -> Result<()> {
        let mut actors: HashMap<&str, Vec<String>> = HashMap::new();
        for (event, actor) in &links.actors {
            actors.entry(event).or_default().push(actor.clone());
        }
        let event_info: HashMap<String, (String, String)> = query::select_strings(
            store,
            "SELECT ?ev ?kind (SAMPLE(?d) AS ?date) WHERE {
               ?ev pk:eventOf ?x . GRAPH pkg:catalogue { ?ev a ?kind }
               OPTIONAL { ?ev pk:date ?d }
             } GROUP BY ?ev ?kind",
        )?
        .into_iter()
        .map(|r| {
            let kind = r.get("kind");
            let kind = kind.strip_prefix(PK).unwrap_or(kind).to_owned();
            (r.string("ev"), (kind, r.string("date")))
        })
        .collect();
        for (event, of, provenance) in links.events {
            if let (Some(&n), Some((kind, date))) = (self.index.get(&of), event_info.get(&event)) {
                let mut acting = actors.get(event.as_str()).cloned().unwrap_or_default();
                acting.sort();
                acting.dedup();
                self.graph[n].steps.push(Step {
                    actors: acting,
                    event,
                    kind: kind.clone(),
                    date: Some(date.clone()).filter(|d| !d.is_empty()),
                    provenance,
                });
            }
        }
        for n in self.graph.node_weights_mut() {
            n.steps
                .sort_by(|a, b| a.date.cmp(&b.date).then(a.kind.cmp(&b.kind)));
        }
        Ok(())
    }

    /// Add an entity (tests and benchmarks build projections by hand).
    pub fn add_node(&mut self, node: Node) -> NodeIndex {
        let iri = node.iri.clone();
        let i = self.graph.add_node(node);
        self.index.insert(iri, i);
        i
    }

    /// The node of an entity IRI; an error that says why for IRIs that are not entities.
    pub fn node(&self, iri: &str) -> Result<NodeIndex> {
        self.index.get(iri).copied().ok_or_else(|| {
            Error::Usage(format!(
                "{} is not in the entity graph (lifecycle events, observations and documents are not nodes; describe it instead)",
                vocab::shorten(iri)
            ))
        })
    }

    /// Lineage neighbours: (earlier or later node, edge) over lineage relations.
    fn lineage_step(&self, n: NodeIndex, up: bool) -> Vec<(NodeIndex, EdgeIndex)> {
        let mut out = Vec::new();
        for dir in [Direction::Outgoing, Direction::Incoming] {
            for e in self.graph.edges_directed(n, dir) {
                let Some(subject_is_earlier) = lineage_direction(&e.weight().relation) else {
                    continue;
                };
                // Walking from n: its neighbour is the edge's other end.
                let n_is_subject = dir == Direction::Outgoing;
                let neighbour = if n_is_subject { e.target() } else { e.source() };
                let neighbour_is_earlier = subject_is_earlier != n_is_subject;
                if neighbour_is_earlier == up {
                    out.push((neighbour, e.id()));
                }
            }
        }
        out.sort_by_key(|(n, _)| (self.graph[*n].first_year(), self.graph[*n].zh.clone()));
        out
    }

    /// The lineage tree of a node: predecessors (`up`) or successors, depth-first, each node once.
    pub fn lineage(&self, root: NodeIndex, up: bool) -> Vec<LineageStep> {
        let mut out = Vec::new();
        let mut seen = HashSet::from([root]);
        self.lineage_walk(root, up, 1, &mut seen, &mut out);
        out
    }

    fn lineage_walk(
        &self,
        n: NodeIndex,
        up: bool,
        depth: usize,
        seen: &mut HashSet<NodeIndex>,
        out: &mut Vec<LineageStep>,
    ) {
        for (next, edge) in self.lineage_step(n, up) {
            if !seen.insert(next) {
                continue;
            }
            out.push(LineageStep {
                depth,
                node: next,
                edge,
            });
            self.lineage_walk(next, up, depth + 1, seen, out);
        }
    }

    /// All shortest undirected paths from `a` to `b` of at most `max_hops` edges (at most `limit` of them).
    pub fn shortest_paths(
        &self,
        a: NodeIndex,
        b: NodeIndex,
        max_hops: usize,
        limit: usize,
    ) -> Vec<Vec<(NodeIndex, Option<EdgeIndex>)>> {
        // BFS from a, keeping every predecessor at the shortest distance.
        let mut distance: HashMap<NodeIndex, usize> = HashMap::from([(a, 0)]);
        let mut parents: HashMap<NodeIndex, Vec<(NodeIndex, EdgeIndex)>> = HashMap::new();
        let mut queue = VecDeque::from([a]);
        while let Some(n) = queue.pop_front() {
            let d = distance[&n];
            if n == b || d >= max_hops {
                continue;
            }
            for e in self
                .graph
                .edges_directed(n, Direction::Outgoing)
                .chain(self.graph.edges_directed(n, Direction::Incoming))
            {
                let m = if e.source() == n {
                    e.target()
                } else {
                    e.source()
                };
                match distance.get(&m) {
                    None => {
                        distance.insert(m, d + 1);
                        parents.entry(m).or_default().push((n, e.id()));
                        queue.push_back(m);
                    }
                    Some(&dm) if dm == d + 1 => parents.entry(m).or_default().push((n, e.id())),
                    _ => {}
                }
            }
        }
        if !distance.contains_key(&b) {
            return vec![];
        }
        let mut paths = Vec::new();
        let mut stack: Vec<(NodeIndex, PathSoFar)> = vec![(b, vec![(b, None)])];
        while let Some((n, path)) = stack.pop() {
            if paths.len() >= limit {
                break;
            }
            if n == a {
                let mut p = path.clone();
                p.reverse();
                // Shift edges so that each entry carries the edge to the next node.
                let mut fixed = Vec::with_capacity(p.len());
                for i in 0..p.len() {
                    let edge = if i + 1 < p.len() { p[i + 1].1 } else { None };
                    fixed.push((p[i].0, edge));
                }
                paths.push(fixed);
                continue;
            }
            for &(parent, edge) in parents.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
                let mut next = path.clone();
                if let Some(last) = next.last_mut() {
                    last.1 = Some(edge);
                }
                next.push((parent, None));
                stack.push((parent, next));
            }
        }
        paths.sort_by_key(|p| {
            p.iter()
                .map(|(n, _)| self.graph[*n].zh.clone())
                .collect::<Vec<_>>()
        });
        paths
    }

    /// Nodes within `depth` undirected hops of `root`, with their distance.
    pub fn neighbourhood(&self, root: NodeIndex, depth: usize) -> BTreeMap<NodeIndex, usize> {
        let mut distance = BTreeMap::from([(root, 0)]);
        let mut queue = VecDeque::from([root]);
        while let Some(n) = queue.pop_front() {
            let d = distance[&n];
            if d == depth {
                continue;
            }
            for m in self.graph.neighbors_undirected(n) {
                if let std::collections::btree_map::Entry::Vacant(v) = distance.entry(m) {
                    v.insert(d + 1);
                    queue.push_back(m);
                }
            }
        }
        distance
    }

    /// Degree and betweenness centrality (undirected, unweighted, betweenness normalised to [0, 1]).
    pub fn centrality(&self) -> Vec<(NodeIndex, usize, f64)> {
        let neighbours = self.undirected_neighbours();
        let betweenness = self.betweenness();
        self.graph
            .node_indices()
            .map(|v| (v, neighbours[v.index()].len(), betweenness[v.index()]))
            .collect()
    }

    /// Each node's distinct neighbours in either direction, by index.
    fn undirected_neighbours(&self) -> Vec<Vec<usize>> {
        self.graph
            .node_indices()
            .map(|v| {
                let mut m: Vec<usize> = self
                    .graph
                    .neighbors_undirected(v)
                    .map(|x| x.index())
                    .collect();
                m.sort_unstable();
                m.dedup();
                m
            })
            .collect()
    }

    /// Betweenness by node index (Brandes' algorithm; a node's predecessors on shortest paths are its
    /// neighbours one step nearer the source, so none are stored, and the buffers serve every source).
    fn betweenness(&self) -> &[f64] {
        self.betweenness.get_or_init(|| {
            let neighbours = self.undirected_neighbours();
            let n = neighbours.len();
            let mut betweenness = vec![0.0f64; n];
            let (mut sigma, mut dist, mut delta) = (vec![0.0; n], vec![-1i64; n], vec![0.0; n]);
            let (mut stack, mut queue) = (Vec::with_capacity(n), VecDeque::with_capacity(n));
            for s in 0..n {
                sigma.fill(0.0);
                dist.fill(-1);
                delta.fill(0.0);
                sigma[s] = 1.0;
                dist[s] = 0;
                queue.push_back(s);
                while let Some(v) = queue.pop_front() {
                    stack.push(v);
                    for &w in &neighbours[v] {
                        if dist[w] < 0 {
                            dist[w] = dist[v] + 1;
                            queue.push_back(w);
                        }
                        if dist[w] == dist[v] + 1 {
                            sigma[w] += sigma[v];
                        }
                    }
                }
                while let Some(w) = stack.pop() {
                    for &v in &neighbours[w] {
                        if dist[v] == dist[w] - 1 {
                            delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
                        }
                    }
                    if w != s {
                        betweenness[w] += delta[w];
                    }
                }
            }
            let scale = if n > 2 {
                1.0 / ((n - 1) * (n - 2)) as f64
            } else {
                1.0
            };
            betweenness.iter_mut().for_each(|b| *b *= scale);
            betweenness
        })
    }

    /// Class or band names accepted by `--class`, for error messages.
    pub fn class_filter_ok(&self, classes: &[String]) -> Result<(), String> {
        for c in classes {
            let c = c.strip_prefix("pk:").unwrap_or(c);
            let known = Band::ALL.iter().any(|b| b.name().eq_ignore_ascii_case(c))
                || self
                    .graph
                    .node_weights()
                    .any(|n| n.class.eq_ignore_ascii_case(c));
            if !known {
                let mut names: Vec<String> =
                    self.graph.node_weights().map(|n| n.class.clone()).collect();
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

    /// The part of the projection a picture or graph export shows: the neighbourhood of `focus`, only some
    /// classes or bands, and (unless `include_isolated`) only nodes with at least one relation.
    pub fn view(
        &self,
        focus: Option<&str>,
        depth: usize,
        classes: &[String],
        include_isolated: bool,
    ) -> Result<Projection> {
        self.class_filter_ok(classes).map_err(Error::Usage)?;
        let mut keep: HashSet<NodeIndex> = match focus {
            Some(iri) => self
                .neighbourhood(self.node(iri)?, depth)
                .into_keys()
                .collect(),
            None => self
                .graph
                .node_indices()
                .filter(|&n| {
                    include_isolated || self.graph.neighbors_undirected(n).next().is_some()
                })
                .collect(),
        };
        if !classes.is_empty() {
            keep.retain(|&n| classes.iter().any(|c| self.graph[n].matches_class(c)));
        }
        Ok(self.subgraph(&keep))
    }

    /// The sub-projection induced by a set of nodes (for focused pictures and exports).
    pub fn subgraph(&self, keep: &HashSet<NodeIndex>) -> Projection {
        let mut sub = Projection {
            documents: self.documents.clone(),
            ..Projection::default()
        };
        let mut map = HashMap::new();
        let mut ordered: Vec<NodeIndex> = keep.iter().copied().collect();
        ordered.sort();
        for n in ordered {
            map.insert(n, sub.add_node(self.graph[n].clone()));
        }
        for e in self.graph.edge_references() {
            if let (Some(&a), Some(&b)) = (map.get(&e.source()), map.get(&e.target())) {
                sub.graph.add_edge(a, b, e.weight().clone());
            }
        }
        sub
    }
}

/// What the relations query finds about lifecycle events: (event, entity, provenance) links and (event, actor)
/// links.
struct EventLinks {
    events: Vec<(String, String, Provenance)>,
    actors: Vec<(String, String)>,
}

/// A class's band comes from the ontology's hierarchy, so a class added there lands in the right band.
fn bands(store: &Store) -> Result<HashMap<String, Band>> {
    let rows = query::select_strings(
        store,
        "SELECT ?class ?root WHERE {
           VALUES ?root { pk:PolicyInstrument pk:Organization pk:Platform pk:Initiative pk:Event }
           GRAPH pkg:ontology { ?class rdfs:subClassOf* ?root }
         }",
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let band = match r.get("root").strip_prefix(PK) {
                Some("PolicyInstrument") => Band::Regulation,
                Some("Organization") => Band::Agency,
                Some("Platform") => Band::Platform,
                _ => Band::Initiative,
            };
            (r.string("class"), band)
        })
        .collect())
}

/// The relations: the ontology's object properties, minus those that are not links between entities. Naming
/// them lets the store answer from its predicate indexes instead of scanning every quad. Their order (the store's)
/// and the order of each one's index decide the order of the edges, so of `EdgeIndex`.
fn relations(store: &Store) -> Result<Vec<NamedNode>> {
    Ok(query::select_strings(
        store,
        "SELECT ?p WHERE { GRAPH pkg:ontology { ?p a owl:ObjectProperty } FILTER(STRSTARTS(STR(?p), STR(pk:)))
           FILTER(?p NOT IN (pk:mentionedIn, pk:epistemicStatus, pk:administrativeLevel, pk:sourceGraph, pk:observationOf, pk:actor)) }",
    )?
    .into_iter()
    .map(|r| NamedNode::new_unchecked(r.get("p")))
    .collect())
}

/// Every source document's title and date (of issue, else the year it covers).
fn documents(store: &Store) -> Result<HashMap<String, Document>> {
    let rows = query::select_strings(
        store,
        "SELECT ?d ?title ?issued ?year WHERE { ?d a pk:SourceDocument
           OPTIONAL { ?d dcterms:title ?title FILTER(LANG(?title) = \"zh\") }
           OPTIONAL { ?d dcterms:issued ?issued } OPTIONAL { ?d pk:yearCovered ?year } }",
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let date = r.opt("issued").or(r.opt("year")).unwrap_or_default();
            let doc = Document {
                title: r.string("title"),
                date: date.to_owned(),
            };
            (r.string("d"), doc)
        })
        .collect())
}

/// A path being walked back from the target: (node, edge to the next node).
type PathSoFar = Vec<(NodeIndex, Option<EdgeIndex>)>;

/// One step of a lineage tree.
#[derive(Debug, Clone)]
pub struct LineageStep {
    /// Hops from the root.
    pub depth: usize,
    /// The entity reached.
    pub node: NodeIndex,
    /// The relation followed to reach it.
    pub edge: EdgeIndex,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::graph::{bundled, id, projected};

    fn edges_between<'a>(p: &'a Projection, a: &str, b: &str) -> Vec<&'a Edge> {
        let (a, b) = (p.node(&id(a)).unwrap(), p.node(&id(b)).unwrap());
        p.graph.edges_connecting(a, b).map(|e| e.weight()).collect()
    }

    #[test]
    fn the_bundle_projects_to_its_entities_and_relations() {
        let p = projected();
        assert_eq!(p.graph.node_count(), 517);
        assert_eq!(p.graph.edge_count(), 514);
        // Every catalogued entity is a node, and nothing else is: the count SPARQL gives independently.
        let entities = query::select_strings(
            bundled().store(),
            "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH pkg:catalogue { ?e a ?c }
               FILTER NOT EXISTS { GRAPH pkg:catalogue { ?e a ?k } ?k rdfs:subClassOf* pk:LifecycleEvent }
               FILTER NOT EXISTS { GRAPH pkg:catalogue { ?e a pk:IndicatorObservation } } }",
        )
        .unwrap();
        assert_eq!(entities[0].get("n"), p.graph.node_count().to_string());
        // The index finds every node by its IRI, and every node has a Chinese label.
        for n in p.graph.node_indices() {
            assert_eq!(p.node(&p.graph[n].iri).unwrap(), n);
            assert!(!p.graph[n].zh.is_empty(), "{}", p.graph[n].iri);
        }
        // Each edge joins two different nodes with a relation of the ontology.
        for e in p.graph.edge_indices() {
            let (a, b) = p.graph.edge_endpoints(e).unwrap();
            assert_ne!(a, b, "{:?}", p.graph[e]);
            assert!(!p.graph[e].relation.contains('/'), "{:?}", p.graph[e]);
        }
    }

    #[test]
    fn a_stated_relation_carries_its_quote_and_document() {
        let p = projected();
        let raised = edges_between(
            p,
            "jiangsu-public-data-measures",
            "public-data-regulation-project",
        );
        assert_eq!(raised.len(), 1, "{raised:?}");
        let edge = raised[0];
        assert_eq!(edge.relation, "raisedTo");
        assert!(edge.stated());
        assert!(edge.is_lineage());
        assert_eq!(
            edge.quote.as_deref(),
            Some("积极推动《办法》上升为公共数据管理条例")
        );
        assert!(
            edge.document
                .as_deref()
                .is_some_and(|d| d.starts_with(vocab::DOC)),
            "{edge:?}"
        );
        // An inferred relation keeps the quote of the fact it was inferred from.
        let succession = edges_between(
            p,
            "jiangsu-government-service-office",
            "jiangsu-data-bureau",
        );
        let succeeded = succession
            .iter()
            .find(|e| e.relation == "succeededBy")
            .unwrap();
        assert!(!succeeded.stated());
    }

    #[test]
    fn nodes_fall_in_their_class_band_with_dated_steps_in_order() {
        let p = projected();
        let node = |local: &str| &p.graph[p.node(&id(local)).unwrap()];
        assert_eq!(node("jiangsu-data-regulation").band, Band::Regulation);
        assert_eq!(node("jiangsu-data-regulation").class, "LocalRegulation");
        assert_eq!(node("jiangsu-data-bureau").band, Band::Agency);
        assert_eq!(node("jiangsu-data-bureau").zh, "江苏省数据局");
        assert_eq!(node("sufuban").band, Band::Platform);
        let measures = node("jiangsu-public-data-measures");
        assert_eq!(measures.zh, "江苏省公共数据管理办法");
        assert_eq!(measures.first_year(), Some(2022));
        assert!(measures
            .steps
            .iter()
            .any(|s| s.kind == "EntryIntoForce" && s.date.as_deref() == Some("2022-02-01")));
        for n in p.graph.node_weights() {
            assert!(
                n.steps.windows(2).all(|w| w[0].date <= w[1].date),
                "{}: {:?}",
                n.iri,
                n.steps
            );
        }
        assert_eq!(year_of("2022-02-01"), Some(2022));
        assert_eq!(lineage_direction("draftOf"), Some(true));
    }

    #[test]
    fn an_event_is_not_a_node_and_unknown_classes_are_refused_with_the_known_ones() {
        let p = projected();
        let err = p.node(&id("no-such-entity")).unwrap_err().to_string();
        assert!(err.contains("is not in the entity graph"), "{err}");
        assert!(p
            .class_filter_ok(&["agency".into(), "pk:Agency".into()])
            .is_ok());
        assert!(p.class_filter_ok(&["Hotline".into()]).is_ok());
        let err = p.class_filter_ok(&["nonsense".into()]).unwrap_err();
        assert!(
            err.contains("unknown class \"nonsense\"") && err.contains("LocalRegulation"),
            "{err}"
        );
        assert!(p.view(None, 0, &["nonsense".into()], false).is_err());
    }

    #[test]
    fn views_keep_a_neighbourhood_a_band_or_the_connected_nodes() {
        let p = projected();
        let bureau = id("jiangsu-data-bureau");
        let near = p.view(Some(&bureau), 1, &[], false).unwrap();
        let neighbourhood = p.neighbourhood(p.node(&bureau).unwrap(), 1);
        assert_eq!(near.graph.node_count(), neighbourhood.len());
        assert_eq!(
            near.graph.node_count(),
            83,
            "the bureau and its 82 neighbours"
        );
        assert!(near.node(&id("jiangsu-data-regulation")).is_ok());
        let agencies = p.view(None, 0, &["agency".into()], true).unwrap();
        assert!(agencies
            .graph
            .node_weights()
            .all(|n| n.band == Band::Agency));
        assert!(agencies.node(&bureau).is_ok());
        let connected = p.view(None, 0, &[], false).unwrap();
        let everything = p.view(None, 0, &[], true).unwrap();
        assert_eq!(everything.graph.node_count(), p.graph.node_count());
        assert_eq!(everything.graph.edge_count(), p.graph.edge_count());
        assert!(connected.graph.node_count() <= everything.graph.node_count());
        assert_eq!(connected.graph.edge_count(), p.graph.edge_count());
        assert!(connected.graph.node_indices().all(|n| connected
            .graph
            .neighbors_undirected(n)
            .next()
            .is_some()));
        // A subgraph keeps exactly the edges between the nodes it keeps.
        let keep: HashSet<NodeIndex> = [
            "jiangsu-government-service-office",
            "jiangsu-data-bureau",
            "sufuban",
        ]
        .iter()
        .map(|l| p.node(&id(l)).unwrap())
        .collect();
        let sub = p.subgraph(&keep);
        assert_eq!(sub.graph.node_count(), 3);
        let expected = p
            .graph
            .edge_references()
            .filter(|e| keep.contains(&e.source()) && keep.contains(&e.target()))
            .count();
        assert_eq!(sub.graph.edge_count(), expected);
        assert!(expected > 0);
    }

    #[test]
    fn centrality_scores_every_node_between_zero_and_one() {
        let p = projected();
        let scores = p.centrality();
        assert_eq!(scores.len(), p.graph.node_count());
        assert!(scores
            .iter()
            .all(|(_, _, b)| (0.0..=1.0).contains(b) && b.is_finite()));
        let office = p.node(&id("jiangsu-government-service-office")).unwrap();
        let (_, degree, _) = scores.iter().find(|(n, _, _)| *n == office).unwrap();
        assert_eq!(*degree, 78);
    }

    #[test]
    fn kept_betweenness_reads_back_bit_for_bit_and_a_stale_one_is_recomputed() {
        let p = Projection::build(crate::graph::bundled().store()).unwrap();
        let computed: Vec<u64> = p.centrality().iter().map(|c| c.2.to_bits()).collect();
        let kept: Kept =
            serde_json::from_slice(&serde_json::to_vec(&Kept::from(p)).unwrap()).unwrap();
        assert_eq!(kept.betweenness, computed);
        let mut stale = kept;
        stale.betweenness.pop();
        let read = Projection::from(stale);
        assert!(
            read.betweenness.get().is_none(),
            "a length mismatch is not trusted"
        );
        let again: Vec<u64> = read.centrality().iter().map(|c| c.2.to_bits()).collect();
        assert_eq!(again, computed);
    }

    #[test]
    fn loaded_labels_and_types_neither_duplicate_nor_rename_a_node() {
        use oxigraph::model::{GraphName, Literal, NamedNode, Quad};
        let kg = crate::data::store::KgStore::in_memory().unwrap();
        let loaded = GraphName::NamedNode(NamedNode::new_unchecked("file:///tmp/mine.ttl"));
        let sufuban = vocab::entity("sufuban");
        for quad in [
            Quad::new(
                sufuban.clone(),
                NamedNode::new_unchecked(format!("{}prefLabel", vocab::SKOS)),
                Literal::new_language_tagged_literal_unchecked("另一个名字", "zh"),
                loaded.clone(),
            ),
            Quad::new(
                sufuban.clone(),
                oxigraph::model::vocab::rdf::TYPE,
                vocab::pk("Hotline"),
                loaded,
            ),
        ] {
            kg.store().insert(&quad).unwrap();
        }
        let p = Projection::build(kg.store()).unwrap();
        assert_eq!(p.graph.node_count(), projected().graph.node_count());
        let n = p.node(sufuban.as_str()).unwrap();
        assert_eq!(p.graph[n].zh, "苏服办");
        assert_eq!(p.graph[n].class, "Platform");
    }
}
