//! Pictures of the projection: Graphviz DOT, a self-contained SVG (laid out here, no external program), and one
//! offline HTML page with pan, zoom, search, class filters and an "as of" slider (the `as-of` command's answer at
//! the end of each year). All three read the same
//! [`Projection`] and the same [`Layout`]. The question views of [`crate::graph::views`] are written here too
//! ([`render_view`]), each format from the one laid-out [`View`].

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use oxigraph::store::Store;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::data::store::KgStore;
use crate::graph::analysis::Lineage;
use crate::graph::projection::{lineage_direction, year_of, Band, Projection};
use crate::graph::views::{relation_words, Text, TextKind, View, ASCENT};
use crate::model::error::Result;
use crate::model::format::PictureFormat;
use crate::read::time::{self, Standing};

/// Colours and shapes per band (DOT shape, fill colour).
fn style(band: Band) -> (&'static str, &'static str) {
    match band {
        Band::Regulation => ("box", "#fde2b3"),
        Band::Agency => ("ellipse", "#c9e4f6"),
        Band::Platform => ("component", "#cdeccd"),
        Band::Initiative => ("hexagon", "#ead7f2"),
        Band::Other => ("note", "#eeeeee"),
    }
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn escape_dot(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Graphviz DOT: bands as node shapes and colours, Chinese labels, lineage edges bold and red, inferred edges
/// dashed.
pub fn dot(p: &Projection) -> String {
    let mut out = String::from(
        "// policykg: regulations (boxes), agencies (ellipses), platforms (components), initiatives (hexagons).\n\
         // Lineage edges are bold red; inferred edges are dashed.\n\
         digraph policykg {\n  graph [rankdir=LR, fontname=\"Noto Sans CJK SC\", overlap=false];\n  \
         node [style=filled, fontname=\"Noto Sans CJK SC\", fontsize=11];\n  edge [fontname=\"Noto Sans CJK SC\", fontsize=9, color=\"#777777\"];\n",
    );
    for n in p.graph.node_indices() {
        let node = &p.graph[n];
        let (shape, fill) = style(node.band);
        let _ = writeln!(
            out,
            "  n{} [label=\"{}\", tooltip=\"{}\", shape={shape}, fillcolor=\"{fill}\", URL=\"{}\"];",
            n.index(),
            escape_dot(node.label()),
            escape_dot(&format!("{} ({})", node.en, node.class)),
            escape_dot(&node.iri)
        );
    }
    for e in p.graph.edge_references() {
        let edge = e.weight();
        let mut attrs = format!("label=\"{}\"", escape_dot(&edge.relation));
        if edge.is_lineage() {
            attrs.push_str(", color=\"#c0392b\", penwidth=2.2, fontcolor=\"#c0392b\"");
        }
        if !edge.stated() {
            attrs.push_str(", style=dashed");
        }
        let _ = writeln!(
            out,
            "  n{} -> n{} [{attrs}];",
            e.source().index(),
            e.target().index()
        );
    }
    out.push_str("}\n");
    out
}

/// Box positions: one band of rows per class band, nodes ordered by first year then label, so that lineage
/// reads left to right by date. Box widths follow the labels' display width (a Chinese character is two
/// columns), so labels never overlap.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// The picture's width in pixels.
    pub width: f64,
    /// Its height in pixels.
    pub height: f64,
    /// Node index → (x, y, width, height) of its box (x, y: top-left).
    pub boxes: HashMap<usize, (f64, f64, f64, f64)>,
    /// (band, y of the band's top).
    pub bands: Vec<(Band, f64)>,
}

const COLUMN: f64 = 6.6; // pixels per display column at 11px
const BOX_HEIGHT: f64 = 24.0;
const GAP_X: f64 = 14.0;
const GAP_Y: f64 = 18.0;
const BAND_GAP: f64 = 56.0;
const MARGIN: f64 = 24.0;
const BAND_TITLE: f64 = 26.0;

/// The width of a node's box: its label's display width (Chinese counts double) plus padding.
pub fn box_width(label: &str) -> f64 {
    label.width() as f64 * COLUMN + 16.0
}

/// Lay the nodes out in bands (regulations, agencies, platforms, initiatives, other), each band in rows
/// ordered by year, boxes as wide as their labels.
pub fn layout(p: &Projection) -> Layout {
    let count = p.graph.node_count().max(1) as f64;
    let max_width = (count.sqrt() * 170.0).clamp(900.0, 3600.0);
    let mut boxes = HashMap::new();
    let mut bands = Vec::new();
    let mut y = MARGIN;
    let mut widest: f64 = 0.0;
    for band in Band::ALL {
        let mut members: Vec<NodeIndex> = p
            .graph
            .node_indices()
            .filter(|&n| p.graph[n].band == band)
            .collect();
        if members.is_empty() {
            continue;
        }
        members.sort_by(|&a, &b| {
            let (na, nb) = (&p.graph[a], &p.graph[b]);
            (na.first_year().unwrap_or(i32::MAX), &na.class, na.label()).cmp(&(
                nb.first_year().unwrap_or(i32::MAX),
                &nb.class,
                nb.label(),
            ))
        });
        bands.push((band, y));
        y += BAND_TITLE;
        let mut x = MARGIN;
        for n in members {
            let w = box_width(p.graph[n].label());
            if x + w > max_width && x > MARGIN {
                x = MARGIN;
                y += BOX_HEIGHT + GAP_Y;
            }
            boxes.insert(n.index(), (x, y, w, BOX_HEIGHT));
            x += w + GAP_X;
            widest = widest.max(x);
        }
        y += BOX_HEIGHT + BAND_GAP;
    }
    Layout {
        width: widest + MARGIN,
        height: y,
        boxes,
        bands,
    }
}

const FONT: &str = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','WenQuanYi Zen Hei','PingFang SC','Microsoft YaHei',sans-serif";

/// A standalone SVG of the projection: one `<g class="node">` per node, edges underneath.
pub fn svg(p: &Projection) -> String {
    let l = layout(p);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"{FONT}\" font-size=\"11\">",
        w = l.width,
        h = l.height
    );
    out.push_str("<title>policykg: regulation → agency → platform → initiative network</title>\n");
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#888\"/></marker>\
<marker id=\"arrow-lineage\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c0392b\"/></marker></defs>\n");
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    for (band, y) in &l.bands {
        let _ = writeln!(
            out,
            "<text class=\"band\" x=\"{MARGIN}\" y=\"{:.1}\" font-size=\"14\" font-weight=\"bold\" fill=\"#555\">{}</text>",
            y + 16.0,
            band_title(*band)
        );
    }
    out.push_str("<g class=\"edges\">\n");
    for e in p.graph.edge_references() {
        let (Some(a), Some(b)) = (
            l.boxes.get(&e.source().index()),
            l.boxes.get(&e.target().index()),
        ) else {
            continue;
        };
        let (x1, y1) = (a.0 + a.2 / 2.0, a.1 + a.3 / 2.0);
        let (x2, y2) = (b.0 + b.2 / 2.0, b.1 + b.3 / 2.0);
        let lineage = e.weight().is_lineage();
        let (stroke, width, marker) = if lineage {
            ("#c0392b", 2.2, "arrow-lineage")
        } else {
            ("#9aa5b1", 0.8, "arrow")
        };
        let dash = if e.weight().stated() {
            ""
        } else {
            " stroke-dasharray=\"5,3\""
        };
        let bend = (x2 - x1).abs().max((y2 - y1).abs()) * 0.12;
        let _ = writeln!(
            out,
            "<path class=\"edge\" d=\"M{x1:.1},{y1:.1} Q{:.1},{:.1} {x2:.1},{y2:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\" stroke-opacity=\"0.7\"{dash} marker-end=\"url(#{marker})\"><title>{}</title></path>",
            (x1 + x2) / 2.0 + bend,
            (y1 + y2) / 2.0 - bend,
            escape_xml(&e.weight().relation)
        );
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for n in p.graph.node_indices() {
        let Some(&(x, y, w, h)) = l.boxes.get(&n.index()) else {
            continue;
        };
        let node = &p.graph[n];
        let (_, fill) = style(node.band);
        let _ = writeln!(
            out,
            "<g class=\"node\" data-iri=\"{}\"><title>{} — {} ({})</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"5\" fill=\"{fill}\" stroke=\"#666\" stroke-width=\"0.6\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            escape_xml(&node.iri),
            escape_xml(node.label()),
            escape_xml(&node.en),
            escape_xml(&node.class),
            x + w / 2.0,
            y + h / 2.0 + 4.0,
            escape_xml(node.label())
        );
    }
    out.push_str("</g>\n</svg>\n");
    out
}

fn band_title(band: Band) -> &'static str {
    match band {
        Band::Regulation => "法规政策 Regulations and policy instruments",
        Band::Agency => "机构 Agencies and organisations",
        Band::Platform => "平台 Platforms",
        Band::Initiative => "举措 Initiatives, reforms, brands",
        Band::Other => "其他 Other",
    }
}

#[derive(Serialize)]
struct HtmlNode<'a> {
    id: usize,
    iri: &'a str,
    zh: &'a str,
    en: &'a str,
    class: &'a str,
    band: &'static str,
    /// Where it stands at the end of each year of the slider, as `as-of` answers; None when `as-of` does not
    /// answer for it (an initiative, a draft, another class).
    standing: Option<&'a [Standing]>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    steps: Vec<(String, String)>,
}

#[derive(Serialize)]
struct HtmlEdge<'a> {
    source: usize,
    target: usize,
    relation: &'a str,
    lineage: bool,
    stated: bool,
    quote: Option<&'a str>,
    /// The title and date of the document the quote is from.
    document: Option<&'a str>,
    document_date: Option<&'a str>,
}

/// The days of the "as of" slider: the last day of each year from the earliest dated step of the picture to the
/// latest (none when nothing is dated).
fn slider_days(p: &Projection) -> Vec<String> {
    let years: Vec<i32> = p
        .graph
        .node_weights()
        .flat_map(|n| n.steps.iter().filter_map(|s| s.date.as_deref()))
        .filter_map(year_of)
        .collect();
    match (years.iter().min(), years.iter().max()) {
        (Some(first), Some(last)) => (*first..=*last).map(|y| format!("{y}-12-31")).collect(),
        _ => Vec::new(),
    }
}

/// One self-contained HTML page (inline CSS and JavaScript, no network) for exploring the projection. Its slider
/// shows what `as-of` answers at the end of each year, decided from the store's time `facts` (a process keeps
/// them beside the store, the server in memory: reading them from the store costs more than the page).
pub fn html(p: &Projection, store: &Store, facts: &time::Facts) -> Result<String> {
    let l = layout(p);
    let days = slider_days(p);
    let standings = time::standings(store, facts, &days)?;
    let nodes: Vec<HtmlNode> = p
        .graph
        .node_indices()
        .filter_map(|n| {
            let &(x, y, w, h) = l.boxes.get(&n.index())?;
            let node = &p.graph[n];
            Some(HtmlNode {
                id: n.index(),
                iri: &node.iri,
                zh: &node.zh,
                en: &node.en,
                class: &node.class,
                band: node.band.name(),
                standing: standings.get(&node.iri).map(Vec::as_slice),
                x,
                y,
                w,
                h,
                steps: node
                    .steps
                    .iter()
                    .map(|s| (s.kind.clone(), s.date.clone().unwrap_or_default()))
                    .collect(),
            })
        })
        .collect();
    let edges: Vec<HtmlEdge> = p
        .graph
        .edge_references()
        .map(|e| {
            let document = p.document(e.weight()).map(|(_, d)| d);
            HtmlEdge {
                source: e.source().index(),
                target: e.target().index(),
                relation: &e.weight().relation,
                lineage: e.weight().is_lineage(),
                stated: e.weight().stated(),
                quote: e.weight().quote.as_deref(),
                document: document.map(|d| d.title.as_str()),
                document_date: document.map(|d| d.date.as_str()),
            }
        })
        .collect();
    let data = serde_json::json!({ "width": l.width, "height": l.height, "nodes": nodes, "edges": edges, "days": days,
        "bands": l.bands.iter().map(|(b, y)| serde_json::json!({"band": b.name(), "title": band_title(*b), "y": y})).collect::<Vec<_>>() });
    Ok(HTML_TEMPLATE
        .replace("/*DATA*/null", &script_json(&data))
        .replace("/*FONT*/", FONT))
}

/// JSON to embed in an inline `<script>`: `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`, so that
/// no data can close the script or open an HTML comment (`<!--<script>` would otherwise swallow the rest of
/// the page), and U+2028/U+2029 are escaped for older JavaScript parsers. The value read back is the same.
pub fn script_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

const HTML_TEMPLATE: &str = include_str!("viz.html");

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
    dot(&sub)
}

/// The picture of a view in a format (the HTML page reads the time facts kept beside `kg` for its "as of"
/// slider).
pub fn render(view: &Projection, format: PictureFormat, kg: &KgStore) -> Result<String> {
    Ok(match format {
        PictureFormat::Dot => dot(view),
        PictureFormat::Svg => svg(view),
        PictureFormat::Html => html(view, kg.store(), &time::Facts::of(kg)?)?,
    })
}

/// The colours of relations: lineage relations red, the others from a palette, each relation always the same.
const PALETTE: [&str; 8] = [
    "#1f6fb2", "#2a9d5c", "#8e44ad", "#d35400", "#0e7c86", "#7f8c2a", "#b03a7a", "#5d6d7e",
];

/// A relation's colour in views.
pub fn relation_colour(relation: &str) -> &'static str {
    if lineage_direction(relation).is_some() {
        return "#c0392b";
    }
    let known = match relation {
        "regulates" => Some("#1f6fb2"),
        "issuedBy" => Some("#2a9d5c"),
        "operatedBy" => Some("#8e44ad"),
        "responsibleAgency" => Some("#5d6d7e"),
        "implements" => Some("#d35400"),
        "dependsOn" => Some("#0e7c86"),
        "partOf" => Some("#7f8c2a"),
        "participatesIn" => Some("#b03a7a"),
        _ => None,
    };
    if let Some(colour) = known {
        return colour;
    }
    let hash = relation.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    PALETTE[hash as usize % PALETTE.len()]
}

/// A view as one standalone SVG at its natural size (text is never scaled below its font size): lane bands,
/// group frames, edges with their labels, boxes with theirs.
pub fn view_svg(v: &View) -> String {
    let l = &v.layout;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"view\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"{FONT}\">",
        w = l.width,
        h = l.height
    );
    let _ = writeln!(out, "<title>{}</title>", escape_xml(&v.title));
    let mut colours: Vec<&str> = v
        .edges
        .iter()
        .map(|e| relation_colour(&e.relation))
        .collect();
    colours.sort();
    colours.dedup();
    out.push_str("<defs>");
    for c in &colours {
        let _ = write!(
            out,
            "<marker id=\"arrow-{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{c}\"/></marker>",
            &c[1..]
        );
    }
    out.push_str("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    for (i, r) in l.lanes.iter().enumerate().filter(|_| l.lanes.len() > 1) {
        let fill = if i % 2 == 0 { "#f4f7fa" } else { "#ffffff" };
        let _ = writeln!(out, "<rect class=\"lane\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>", r.x, r.y, r.w, r.h);
    }
    for r in &l.groups {
        let _ = writeln!(out, "<rect class=\"group\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"#fbfbf6\" stroke=\"#c8ccb8\"/>", r.x, r.y, r.w, r.h);
    }
    for d in &l.links {
        let _ = writeln!(out, "<path class=\"link\" d=\"{d}\" fill=\"none\" stroke=\"#b5bcc4\" stroke-width=\"1.5\"/>");
    }
    for (i, (e, p)) in v.edges.iter().zip(&l.edges).enumerate() {
        let colour = relation_colour(&e.relation);
        let marker = if p.arrow_at_end {
            "marker-end"
        } else {
            "marker-start"
        };
        let dash = if e.stated {
            ""
        } else {
            " stroke-dasharray=\"5,3\""
        };
        let quote = e
            .quote
            .as_deref()
            .map(|q| format!(": “{q}”"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<path class=\"edge\" data-edge=\"{i}\" data-relation=\"{}\" d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.4\"{dash} {marker}=\"url(#arrow-{})\"><title>{} {} {}{}</title></path>",
            escape_xml(&e.relation),
            p.d,
            &colour[1..],
            escape_xml(&v.nodes[e.source].label),
            escape_xml(&relation_words(&e.relation)),
            escape_xml(&v.nodes[e.target].label),
            escape_xml(&quote)
        );
    }
    for (n, (node, b)) in v.nodes.iter().zip(&l.boxes).enumerate() {
        let (_, fill) = style(node.band);
        let stroke = if node.focus {
            "stroke=\"#d35400\" stroke-width=\"2.5\""
        } else {
            "stroke=\"#5b6670\" stroke-width=\"0.8\""
        };
        let dash = if node.dashed {
            " stroke-dasharray=\"4,3\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<g class=\"node\" data-node=\"{n}\" data-iri=\"{}\"><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" fill=\"{fill}\" {stroke}{dash}/>",
            escape_xml(&node.iri),
            escape_xml(&node.detail),
            b.x, b.y, b.w, b.h
        );
        for t in l.texts.iter().filter(|t| t.kind == TextKind::Node(n)) {
            write_text(&mut out, t, "label node-label", "");
        }
        out.push_str("</g>\n");
    }
    for t in &l.texts {
        match &t.kind {
            TextKind::Node(_) => {}
            TextKind::Edge(relation) => {
                let attrs = format!(
                    " data-relation=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"",
                    escape_xml(relation),
                    relation_colour(relation)
                );
                write_text(&mut out, t, "label edge-label", &attrs);
            }
            TextKind::Title | TextKind::Column | TextKind::Lane | TextKind::Group => {
                write_text(
                    &mut out,
                    t,
                    "label heading",
                    " font-weight=\"bold\" fill=\"#333\"",
                );
            }
            TextKind::Note => write_text(&mut out, t, "label note", " fill=\"#555\""),
        }
    }
    out.push_str("</svg>\n");
    out
}

/// One `<text>` at its box: left-aligned at the box, baseline where the layout measured it.
fn write_text(out: &mut String, t: &Text, class: &str, attrs: &str) {
    let _ = writeln!(
        out,
        "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"{}\"{attrs}>{}</text>",
        t.rect.x,
        t.rect.y + t.size * ASCENT,
        t.size,
        escape_xml(&t.text)
    );
}

/// A view as Graphviz DOT: the same boxes, labelled edges, lanes and groups (as clusters); Graphviz places
/// them itself.
pub fn view_dot(v: &View) -> String {
    let mut out = format!(
        "// policykg view: {}\ndigraph view {{\n  graph [rankdir=LR, label=\"{}\", labelloc=t, fontname=\"Noto Sans CJK SC\", newrank=true];\n  node [shape=box, style=\"rounded,filled\", fontname=\"Noto Sans CJK SC\", fontsize=12];\n  edge [fontname=\"Noto Sans CJK SC\", fontsize=11];\n",
        v.title.replace('\n', " "),
        escape_dot(&v.title)
    );
    let titled = v.lanes.iter().any(|t| !t.is_empty());
    for (lane, title) in v.lanes.iter().enumerate() {
        let indent = if titled {
            let _ = writeln!(
                out,
                "  subgraph cluster_lane{lane} {{\n    label=\"{}\";",
                escape_dot(title)
            );
            "    "
        } else {
            "  "
        };
        let mut group: Option<usize> = None;
        for (n, node) in v.nodes.iter().enumerate().filter(|(_, n)| n.lane == lane) {
            if node.group != group {
                if group.is_some() {
                    let _ = writeln!(out, "{indent}}}");
                }
                if let Some(g) = node.group {
                    let _ = writeln!(
                        out,
                        "{indent}subgraph cluster_group{g}_{lane} {{ label=\"{}\";",
                        escape_dot(&v.groups[g])
                    );
                }
                group = node.group;
            }
            let (_, fill) = style(node.band);
            let mut attrs = format!(
                "label=\"{}\", tooltip=\"{}\", fillcolor=\"{fill}\"",
                escape_dot(&node.label),
                escape_dot(&node.detail)
            );
            if node.dashed {
                attrs.push_str(", style=\"rounded,filled,dashed\"");
            }
            if node.focus {
                attrs.push_str(", penwidth=2.5, color=\"#d35400\"");
            }
            let _ = writeln!(out, "{indent}  n{n} [{attrs}];");
        }
        if group.is_some() {
            let _ = writeln!(out, "{indent}}}");
        }
        if titled {
            out.push_str("  }\n");
        }
    }
    for e in &v.edges {
        let colour = relation_colour(&e.relation);
        let dash = if e.stated { "" } else { ", style=dashed" };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\", color=\"{colour}\", fontcolor=\"{colour}\"{dash}];",
            e.source,
            e.target,
            escape_dot(&relation_words(&e.relation))
        );
    }
    for (a, b) in &v.links {
        let _ = writeln!(
            out,
            "  n{a} -> n{b} [style=dotted, arrowhead=none, color=\"#b5bcc4\"];"
        );
    }
    out.push_str("}\n");
    out
}

/// A view as one offline HTML page: the SVG at its natural size, a relation filter (one checkbox per relation),
/// and a panel with each box's details and the quotes behind its edges.
pub fn view_html(v: &View) -> String {
    let mut relations: Vec<(&str, usize)> = vec![];
    for e in &v.edges {
        match relations.iter_mut().find(|(r, _)| *r == e.relation) {
            Some(entry) => entry.1 += 1,
            None => relations.push((&e.relation, 1)),
        }
    }
    relations.sort();
    let data = serde_json::json!({
        "nodes": v.nodes.iter().map(|n| serde_json::json!({"iri": n.iri, "label": n.label, "detail": n.detail})).collect::<Vec<_>>(),
        "edges": v.edges.iter().map(|e| serde_json::json!({"source": e.source, "target": e.target, "relation": e.relation, "words": relation_words(&e.relation), "stated": e.stated, "quote": e.quote})).collect::<Vec<_>>(),
        "relations": relations.iter().map(|(r, n)| serde_json::json!({"relation": r, "words": relation_words(r), "colour": relation_colour(r), "count": n})).collect::<Vec<_>>(),
    });
    VIEW_TEMPLATE
        .replace("/*TITLE*/", &escape_xml(&v.title))
        .replace("/*FONT*/", FONT)
        .replace("<!--SVG-->", &view_svg(v))
        .replace("/*DATA*/null", &script_json(&data))
}

const VIEW_TEMPLATE: &str = include_str!("views.html");

/// A view in a format.
pub fn render_view(v: &View, format: PictureFormat) -> String {
    match format {
        PictureFormat::Dot => view_dot(v),
        PictureFormat::Svg => view_svg(v),
        PictureFormat::Html => view_html(v),
    }
}

#[cfg(test)]
mod tests {
    use quick_xml::events::Event;

    use super::*;
    use crate::graph::analysis::{lineage, Direction};
    use crate::graph::{id, projected};

    /// The `<g class="node">` groups of an SVG and the text of their labels; panics if the SVG is not well-formed.
    fn svg_nodes(svg: &str) -> (usize, Vec<String>) {
        let mut reader = quick_xml::Reader::from_str(svg);
        let (mut nodes, mut labels, mut in_node, mut in_text) = (0, Vec::new(), false, false);
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) if e.name().as_ref() == b"g" => {
                    in_node = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == b"class" && a.value.as_ref() == b"node");
                    nodes += usize::from(in_node);
                }
                Ok(Event::Start(e)) if e.name().as_ref() == b"text" => in_text = in_node,
                Ok(Event::Text(t)) if in_text => labels.push(t.decode().unwrap().into_owned()),
                Ok(Event::End(e)) if e.name().as_ref() == b"text" => in_text = false,
                Ok(Event::End(e)) if e.name().as_ref() == b"g" => in_node = false,
                Ok(Event::Eof) => break,
                Err(e) => panic!("SVG is not well-formed: {e}"),
                _ => {}
            }
        }
        (nodes, labels)
    }

    #[test]
    fn svg_is_well_formed_with_one_group_per_node() {
        let view = projected().view(None, 0, &[], false).unwrap();
        let svg = svg(&view);
        let (nodes, labels) = svg_nodes(&svg);
        assert_eq!(nodes, view.graph.node_count());
        assert!(nodes > 150, "{nodes}");
        assert_eq!(labels.len(), nodes);
        assert!(
            labels.iter().any(|l| l == "江苏省数据条例"),
            "a Chinese label"
        );
        assert!(labels.iter().any(|l| l == "苏服办"));
        // No two boxes overlap (boxes on the same row).
        let layout = layout(&view);
        let mut boxes: Vec<_> = layout.boxes.values().collect();
        boxes.sort_by(|a, b| (a.1, a.0).partial_cmp(&(b.1, b.0)).unwrap());
        for w in boxes.windows(2) {
            let (a, b) = (w[0], w[1]);
            if a.1 == b.1 {
                assert!(a.0 + a.2 <= b.0, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn no_two_label_boxes_overlap_and_each_fits_its_label() {
        let p = projected();
        let l = layout(p);
        assert_eq!(l.boxes.len(), p.graph.node_count());
        let boxes: Vec<(usize, (f64, f64, f64, f64))> =
            l.boxes.iter().map(|(n, b)| (*n, *b)).collect();
        for (i, &(n, (x, y, w, h))) in boxes.iter().enumerate() {
            assert!(x >= 0.0 && y >= 0.0 && x + w <= l.width && y + h <= l.height);
            let label = p.graph[NodeIndex::new(n)].label();
            assert!(w >= label.width() as f64 * COLUMN, "{label}: {w}");
            for &(m, (x2, y2, w2, h2)) in &boxes[i + 1..] {
                let apart = x + w <= x2 || x2 + w2 <= x || y + h <= y2 || y2 + h2 <= y;
                assert!(
                    apart,
                    "{label} and {} overlap",
                    p.graph[NodeIndex::new(m)].label()
                );
            }
        }
        // A Chinese character takes two columns.
        assert_eq!(box_width("苏服办"), 6.0 * COLUMN + 16.0);
        assert_eq!(box_width("abc"), 3.0 * COLUMN + 16.0);
        // Bands from top to bottom, regulations first.
        assert_eq!(l.bands[0].0, Band::Regulation);
        assert!(l.bands.windows(2).all(|w| w[0].1 < w[1].1));
        let regulation = p.node(&id("jiangsu-data-regulation")).unwrap();
        let bureau = p.node(&id("jiangsu-data-bureau")).unwrap();
        assert!(l.boxes[&regulation.index()].1 < l.boxes[&bureau.index()].1);
    }

    #[test]
    fn dot_draws_every_node_and_edge_with_lineage_bold_and_inferred_dashed() {
        let p = projected();
        let dot = dot(p);
        assert!(dot.starts_with("// policykg") && dot.trim_end().ends_with('}'));
        assert_eq!(dot.matches(" -> ").count(), p.graph.edge_count());
        assert_eq!(
            dot.lines()
                .filter(|l| l.contains("[label=\"") && l.contains("shape="))
                .count(),
            p.graph.node_count()
        );
        let bureau = p.node(&id("jiangsu-data-bureau")).unwrap();
        assert!(dot.contains(&format!(
            "  n{} [label=\"江苏省数据局\", tooltip=\"Jiangsu Provincial Data Bureau (Agency)\", shape=ellipse",
            bureau.index()
        )));
        let office = p.node(&id("jiangsu-government-service-office")).unwrap();
        assert!(dot.contains(&format!(
            "  n{} -> n{} [label=\"succeededBy\", color=\"#c0392b\", penwidth=2.2, fontcolor=\"#c0392b\", style=dashed];",
            office.index(),
            bureau.index()
        )));
    }

    #[test]
    fn the_lineage_picture_holds_only_the_lineage() {
        let p = projected();
        let root = p.node(&id("jiangsu-data-regulation")).unwrap();
        let l = lineage(p, root, Direction::Both);
        let dot = lineage_dot(p, root, &l);
        assert_eq!(
            dot.matches(" [label=\"").count() - dot.matches(" -> ").count(),
            l.entries.len() + 1
        );
        assert!(dot.contains("label=\"draftOf\"") && dot.contains("label=\"raisedTo\""));
        assert!(!dot.contains("label=\"responsibleAgency\""), "{dot}");
        assert!(dot.contains("江苏省公共数据管理办法") && !dot.contains("江苏省数据局"));
    }

    #[test]
    fn the_html_page_embeds_the_layout_and_needs_no_network() {
        let p = projected();
        let kg = crate::graph::bundled();
        let page = html(p, kg.store(), &time::Facts::of(kg).unwrap()).unwrap();
        assert!(!page.contains("/*DATA*/null") && !page.contains("/*FONT*/"));
        let start = page.find("const DATA = ").unwrap() + "const DATA = ".len();
        let end = start + page[start..].find(";\n").unwrap();
        let data: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(
            data["nodes"].as_array().unwrap().len(),
            p.graph.node_count()
        );
        assert_eq!(
            data["edges"].as_array().unwrap().len(),
            p.graph.edge_count()
        );
        let bureau = data["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["zh"] == "江苏省数据局")
            .unwrap();
        assert_eq!(bureau["band"], "agency");
        assert!(
            !page[start..end].contains("</"),
            "no `</` inside the script"
        );
        // Nothing is fetched: no external scripts, styles, images or requests.
        for fetch in [
            "src=\"http",
            "href=\"http",
            "@import",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!page.contains(fetch), "{fetch}");
        }
        assert_eq!(render(p, PictureFormat::Html, kg).unwrap(), page);
        assert_eq!(render(p, PictureFormat::Dot, kg).unwrap(), dot(p));
        assert!(render(p, PictureFormat::Svg, kg)
            .unwrap()
            .starts_with("<svg "));
        // Every quote names its document.
        let edges = data["edges"].as_array().unwrap();
        assert!(edges
            .iter()
            .filter(|e| e["quote"].is_string())
            .all(|e| e["document"].as_str().is_some_and(|t| !t.is_empty())));
    }

    #[test]
    fn the_slider_means_what_as_of_answers() {
        let p = projected();
        let store = crate::graph::bundled().store();
        let days = slider_days(p);
        assert!(days.iter().any(|d| d == "2023-12-31") && days.iter().any(|d| d == "2025-12-31"));
        assert!(days
            .windows(2)
            .all(|w| year_of(&w[0]).map(|y| y + 1) == year_of(&w[1])));
        let facts = time::Facts::read(store).unwrap();
        let standings = time::standings(store, &facts, &days).unwrap();
        for (i, day) in days.iter().enumerate() {
            let query = time::AsOfQuery {
                day,
                class: None,
                all: true,
            };
            let answer = time::as_of(store, &facts, &query).unwrap();
            assert_eq!(answer.rows.len(), standings.len(), "{day}");
            for row in &answer.rows {
                assert_eq!(
                    standings[&row.entity][i], row.standing,
                    "{} on {day}",
                    row.label
                );
            }
        }
        let regulation = crate::graph::id("jiangsu-data-regulation");
        let on = |day: &str| standings[&regulation][days.iter().position(|d| d == day).unwrap()];
        assert_eq!(on("2023-12-31"), Standing::NotYet);
        assert_eq!(on("2025-12-31"), Standing::Current);
    }
}
