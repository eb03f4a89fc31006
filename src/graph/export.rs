//! `policykg export`: the graph for other tools. RDF formats are written by Oxigraph's serializers (JSON-LD is
//! compacted here with the context shipped in `ontology/context.jsonld`); graph-tool formats (GraphML, GEXF,
//! Neo4j CSV, Cytoscape.js, DOT) are written from the same [`Projection`] the pictures use.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use oxigraph::io::RdfSerializer;
use oxigraph::model::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxigraph::model::{Dataset, GraphName, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;
use petgraph::visit::EdgeRef;
use quick_xml::escape::escape;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::data::bundle;
use crate::data::derived::{self, DerivedBytes};
use crate::data::output;
use crate::data::store::KgStore;
use crate::graph::projection::{Edge, Projection};
use crate::model::error::{Error, Result};
use crate::model::format::ExportFormat;
use crate::model::vocab;

/// Which quads an RDF export holds.
pub enum Selection {
    /// Every stored quad, without the entailed graph.
    All,
    /// Every quad with the entailed graph (`export --entailed`).
    Everything,
    /// One named graph, by IRI.
    Graph(String),
    /// Facts about these resources (entities, documents, evidence annotations), with their evidence.
    Entities(HashSet<String>),
}

/// The quads of a selection, sorted for reproducible output.
pub fn select_quads(store: &Store, selection: &Selection) -> Result<Vec<Quad>> {
    let storage = Error::storage;
    let mut quads: Vec<Quad> = match selection {
        Selection::All | Selection::Everything => {
            store.iter().collect::<Result<_, _>>().map_err(storage)?
        }
        Selection::Graph(g) => {
            // `pkg:entailed` as well as the full IRI, as `validate --graph` takes it.
            let iri = crate::model::vocab::expand(g).unwrap_or_else(|| g.clone());
            let node = oxigraph::model::NamedNode::new(iri)
                .map_err(|e| Error::Usage(format!("--graph {g:?} is not an IRI: {e}")))?;
            if !store.contains_named_graph(node.as_ref()).map_err(storage)? {
                return Err(Error::Usage(format!(
                    "no named graph {g}; `policykg stats` lists them"
                )));
            }
            store
                .quads_for_pattern(None, None, None, Some(node.as_ref().into()))
                .collect::<Result<_, _>>()
                .map_err(storage)?
        }
        Selection::Entities(entities) => {
            let evidence: HashSet<String> = crate::read::query::select_strings(
                store,
                "SELECT ?ev ?s WHERE { ?ev a pk:Evidence ; rdf:subject ?s }",
            )?
            .into_iter()
            .filter(|r| entities.contains(r.get("s")))
            .map(|r| r.string("ev"))
            .collect();
            store
                .iter()
                .filter_map(|q| q.ok())
                .filter(|q| match &q.subject {
                    NamedOrBlankNode::NamedNode(n) => {
                        // A resource, its own fragments (an annotation's targets and selectors), and the
                        // evidence about it with that evidence's fragments.
                        let iri = n.as_str();
                        let base = iri.split('#').next().unwrap_or(iri);
                        entities.contains(iri) || entities.contains(base) || evidence.contains(base)
                    }
                    _ => false,
                })
                .collect()
        }
    };
    if !matches!(selection, Selection::Everything | Selection::Graph(_)) {
        let entailed = oxigraph::model::GraphName::NamedNode(vocab::entailed_graph());
        quads.retain(|q| q.graph_name != entailed);
    }
    quads.sort_by_cached_key(|q| q.to_string());
    Ok(quads)
}

/// What a canonical export reports: its SHA-256 and how many quads it holds.
pub type Canonical = (String, usize);

/// An RDF export of a selection, with the SHA-256 and quad count of a canonical one. A whole-store export
/// (`Selection::All`, `Selection::Everything`) is kept beside the store under its state (see
/// [`crate::data::derived`]): sorting and serializing every quad costs a second on the bundle, so only the first
/// export after a change pays it and exporting the same store again costs reading one file.
pub fn rdf(
    kg: &KgStore,
    selection: &Selection,
    format: ExportFormat,
) -> Result<(DerivedBytes, Option<Canonical>)> {
    let write = || -> Result<(Vec<u8>, Option<Canonical>)> {
        let quads = select_quads(kg.store(), selection)?;
        let mut bytes = Vec::new();
        let sha = write_rdf(&quads, format, &mut bytes)?;
        Ok((bytes, sha.map(|sha| (sha, quads.len()))))
    };
    let name = match (selection, format) {
        // A canonical export reports its hash and quad count, which the kept bytes do not carry.
        (_, ExportFormat::Canonical) | (Selection::Graph(_) | Selection::Entities(_), _) => {
            let (bytes, canonical) = write()?;
            return Ok((DerivedBytes::Built(bytes), canonical));
        }
        (Selection::All, _) => format!("export.{format}"),
        (Selection::Everything, _) => format!("export-entailed.{format}"),
    };
    let bytes = derived::cached_bytes(kg, &name, || write().map(|(bytes, _)| bytes))?;
    Ok((bytes, None))
}

/// Write RDF. Graph formats (Turtle, N-Triples, RDF/XML) hold the union of the selected graphs; dataset formats
/// (TriG, N-Quads, JSON-LD, canonical) keep the named graphs. Returns the SHA-256 of a canonical export.
pub fn write_rdf(
    quads: &[Quad],
    format: ExportFormat,
    out: &mut dyn std::io::Write,
) -> Result<Option<String>> {
    let io = |e: std::io::Error| Error::io("<output>", e);
    match format {
        ExportFormat::Canonical => {
            let (text, sha) = canonical_nquads(quads);
            out.write_all(text.as_bytes()).map_err(io)?;
            Ok(Some(sha))
        }
        ExportFormat::JsonLd => {
            let doc = compact_jsonld(quads)?;
            serde_json::to_writer_pretty(&mut *out, &doc)
                .map_err(|e| Error::io("<output>", e.into()))?;
            out.write_all(b"\n").map_err(io)?;
            Ok(None)
        }
        f => {
            let rdf = f
                .rdf_format()
                .ok_or_else(|| Error::Usage(format!("{f} is not an RDF format")))?;
            let mut serializer = RdfSerializer::from_format(rdf);
            if matches!(
                f,
                ExportFormat::Turtle | ExportFormat::TriG | ExportFormat::RdfXml
            ) {
                for (prefix, namespace) in vocab::PREFIXES {
                    serializer = serializer
                        .with_prefix(*prefix, *namespace)
                        .map_err(|e| Error::Usage(format!("bad prefix {prefix}: {e}")))?;
                }
            }
            let mut writer = serializer.for_writer(out);
            if rdf.supports_datasets() {
                for q in quads {
                    writer.serialize_quad(q).map_err(io)?;
                }
            } else {
                // The union of the graphs: a triple stated in several graphs is written once.
                let mut seen = HashSet::with_capacity(quads.len());
                for q in quads {
                    let t = oxigraph::model::TripleRef::new(
                        q.subject.as_ref(),
                        q.predicate.as_ref(),
                        q.object.as_ref(),
                    );
                    if seen.insert(t) {
                        writer.serialize_triple(t).map_err(io)?;
                    }
                }
            }
            writer.finish().map_err(io)?;
            Ok(None)
        }
    }
}

/// Add a value to a JSON-LD node's array for `key`.
fn push(node: &mut Map<String, Value>, key: String, value: Value) {
    match node.entry(key).or_insert_with(|| Value::Array(vec![])) {
        Value::Array(values) => values.push(value),
        other => *other = Value::Array(vec![other.take(), value]),
    }
}

/// RDFC-1.0 canonical N-Quads (sorted lines) and its SHA-256.
pub fn canonical_nquads(quads: &[Quad]) -> (String, String) {
    let mut dataset: Dataset = quads.iter().cloned().collect();
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.sort();
    lines.dedup();
    let text: String = lines.concat();
    let sha = bundle::hex(&Sha256::digest(text.as_bytes()));
    (text, sha)
}

/// The JSON-LD context shipped with the ontology.
pub fn context() -> Result<Value> {
    let text = bundle::jsonld_context()
        .ok_or_else(|| Error::Usage("the bundle has no ontology/context.jsonld".into()))?;
    serde_json::from_str::<Value>(text)
        .map_err(|e| Error::invalid("ontology/context.jsonld", e.to_string()))
        .map(|v| v.get("@context").cloned().unwrap_or(v))
}

fn compact_iri(iri: &str) -> String {
    let short = vocab::shorten(iri);
    if short.starts_with('<') {
        iri.to_owned()
    } else {
        short
    }
}

fn node_id(n: &NamedOrBlankNode) -> String {
    match n {
        NamedOrBlankNode::NamedNode(n) => compact_iri(n.as_str()),
        NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

fn value_object(term: &Term) -> Value {
    match term {
        Term::NamedNode(n) => json!({ "@id": compact_iri(n.as_str()) }),
        Term::BlankNode(b) => json!({ "@id": format!("_:{}", b.as_str()) }),
        Term::Literal(l) => {
            if let Some(lang) = l.language() {
                json!({ "@value": l.value(), "@language": lang })
            } else if l.datatype() == oxigraph::model::vocab::xsd::STRING {
                json!({ "@value": l.value() })
            } else {
                json!({ "@value": l.value(), "@type": compact_iri(l.datatype().as_str()) })
            }
        }
    }
}

/// Compacted JSON-LD: the shipped context inline, one `@graph` entry per named graph, prefixed names for IRIs,
/// properties as compact IRIs. Expanding it gives back exactly the exported quads.
pub fn compact_jsonld(quads: &[Quad]) -> Result<Value> {
    let mut graphs: BTreeMap<String, BTreeMap<String, Map<String, Value>>> = BTreeMap::new();
    for q in quads {
        let graph = match &q.graph_name {
            GraphName::DefaultGraph => String::new(),
            GraphName::NamedNode(n) => compact_iri(n.as_str()),
            GraphName::BlankNode(b) => format!("_:{}", b.as_str()),
        };
        let subject = node_id(&q.subject);
        let node = graphs
            .entry(graph)
            .or_default()
            .entry(subject.clone())
            .or_insert_with(|| {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(subject));
                m
            });
        if q.predicate == oxigraph::model::vocab::rdf::TYPE {
            if let Term::NamedNode(t) = &q.object {
                push(node, "@type".into(), Value::String(compact_iri(t.as_str())));
                continue;
            }
        }
        push(
            node,
            compact_iri(q.predicate.as_str()),
            value_object(&q.object),
        );
    }
    let mut top = Vec::new();
    for (graph, nodes) in graphs {
        let nodes: Vec<Value> = nodes.into_values().map(Value::Object).collect();
        if graph.is_empty() {
            top.extend(nodes);
        } else {
            top.push(json!({ "@id": graph, "@graph": nodes }));
        }
    }
    Ok(json!({ "@context": context()?, "@graph": top }))
}

// ------------------------------------------------------------------------------------------------ graph tools

fn attr_year(p: &Projection, n: petgraph::graph::NodeIndex) -> String {
    p.graph[n]
        .first_year()
        .map(|y| y.to_string())
        .unwrap_or_default()
}

/// What every export says of where an edge comes from: its status (stated, inferred, loaded), and the IRI,
/// title and date of the document of its quote.
pub const EDGE_SOURCE: [&str; 4] = ["status", "document", "document_title", "date"];

/// The values of [`EDGE_SOURCE`] for an edge.
fn edge_source(p: &Projection, w: &Edge) -> [String; 4] {
    let (iri, doc) = p.document(w).unzip();
    [
        w.provenance.name().to_owned(),
        iri.unwrap_or_default().to_owned(),
        doc.map(|d| d.title.clone()).unwrap_or_default(),
        doc.map(|d| d.date.clone()).unwrap_or_default(),
    ]
}

/// GraphML with node attributes label_zh, label_en, class, band, iri, first_year and edge attributes relation,
/// stated, quote and [`EDGE_SOURCE`].
pub fn graphml(p: &Projection) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    for (id, target, ty) in [
        ("label_zh", "node", "string"),
        ("label_en", "node", "string"),
        ("class", "node", "string"),
        ("band", "node", "string"),
        ("iri", "node", "string"),
        ("first_year", "node", "string"),
        ("relation", "edge", "string"),
        ("stated", "edge", "boolean"),
        ("quote", "edge", "string"),
    ]
    .into_iter()
    .chain(EDGE_SOURCE.map(|id| (id, "edge", "string")))
    {
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"{target}\" attr.name=\"{id}\" attr.type=\"{ty}\"/>"
        );
    }
    out.push_str("  <graph id=\"policykg\" edgedefault=\"directed\">\n");
    for n in p.graph.node_indices() {
        let node = &p.graph[n];
        let _ = writeln!(out, "    <node id=\"n{}\">", n.index());
        for (k, v) in [
            ("label_zh", node.zh.as_str()),
            ("label_en", node.en.as_str()),
            ("class", node.class.as_str()),
            ("band", node.band.name()),
            ("iri", node.iri.as_str()),
            ("first_year", attr_year(p, n).as_str()),
        ] {
            let _ = writeln!(out, "      <data key=\"{k}\">{}</data>", escape(v));
        }
        out.push_str("    </node>\n");
    }
    for e in p.graph.edge_references() {
        let w = e.weight();
        let _ = writeln!(
            out,
            "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\">",
            e.id().index(),
            e.source().index(),
            e.target().index()
        );
        let _ = writeln!(
            out,
            "      <data key=\"relation\">{}</data>",
            escape(w.relation.as_str())
        );
        let _ = writeln!(out, "      <data key=\"stated\">{}</data>", w.stated());
        if let Some(q) = &w.quote {
            let _ = writeln!(
                out,
                "      <data key=\"quote\">{}</data>",
                escape(q.as_str())
            );
        }
        for (k, v) in EDGE_SOURCE.iter().zip(edge_source(p, w)) {
            let _ = writeln!(out, "      <data key=\"{k}\">{}</data>", escape(&v));
        }
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// GEXF 1.2 for Gephi: the same attributes, and a `start` year on every node whose first dated step is known,
/// so Gephi's timeline shows the graph growing.
pub fn gexf(p: &Projection) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://www.gexf.net/1.2draft\" version=\"1.2\">\n  \
         <meta><creator>policykg</creator><description>Jiangsu data-governance policy graph</description></meta>\n  \
         <graph defaultedgetype=\"directed\" mode=\"dynamic\" timeformat=\"integer\">\n    <attributes class=\"node\">\n",
    );
    for (i, name) in ["label_zh", "label_en", "class", "band", "iri"]
        .iter()
        .enumerate()
    {
        let _ = writeln!(
            out,
            "      <attribute id=\"{i}\" title=\"{name}\" type=\"string\"/>"
        );
    }
    out.push_str("    </attributes>\n    <attributes class=\"edge\">\n      <attribute id=\"0\" title=\"relation\" type=\"string\"/>\n      <attribute id=\"1\" title=\"stated\" type=\"boolean\"/>\n      <attribute id=\"2\" title=\"quote\" type=\"string\"/>\n");
    for (i, name) in EDGE_SOURCE.iter().enumerate() {
        let _ = writeln!(
            out,
            "      <attribute id=\"{}\" title=\"{name}\" type=\"string\"/>",
            i + 3
        );
    }
    out.push_str("    </attributes>\n    <nodes>\n");
    for n in p.graph.node_indices() {
        let node = &p.graph[n];
        let start = node
            .first_year()
            .map(|y| format!(" start=\"{y}\""))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "      <node id=\"n{}\" label=\"{}\"{start}>",
            n.index(),
            escape(node.label())
        );
        out.push_str("        <attvalues>\n");
        for (i, v) in [
            node.zh.as_str(),
            node.en.as_str(),
            node.class.as_str(),
            node.band.name(),
            node.iri.as_str(),
        ]
        .iter()
        .enumerate()
        {
            let _ = writeln!(
                out,
                "          <attvalue for=\"{i}\" value=\"{}\"/>",
                escape(*v)
            );
        }
        out.push_str("        </attvalues>\n      </node>\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    for e in p.graph.edge_references() {
        let w = e.weight();
        let _ = writeln!(
            out,
            "      <edge id=\"e{}\" source=\"n{}\" target=\"n{}\" label=\"{}\">",
            e.id().index(),
            e.source().index(),
            e.target().index(),
            escape(w.relation.as_str())
        );
        let _ = writeln!(
            out,
            "        <attvalues><attvalue for=\"0\" value=\"{}\"/><attvalue for=\"1\" value=\"{}\"/><attvalue for=\"2\" value=\"{}\"/>",
            escape(w.relation.as_str()),
            w.stated(),
            escape(w.quote.as_deref().unwrap_or(""))
        );
        for (i, v) in edge_source(p, w).iter().enumerate() {
            let _ = write!(out, "<attvalue for=\"{}\" value=\"{}\"/>", i + 3, escape(v));
        }
        out.push_str("</attvalues>\n      </edge>\n");
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

/// Cytoscape.js elements JSON, pretty-printed, with a final newline. Written from borrowed fields rather than
/// through a `serde_json::Value` tree, which copied every label and quote once more (a third of a cold export's
/// time); the fields are declared in the alphabetical order a `Value` map would print them in.
pub fn cytoscape(p: &Projection) -> Result<String> {
    let nodes = p
        .graph
        .node_indices()
        .map(|n| {
            let node = &p.graph[n];
            CyElement {
                data: CyNode {
                    band: node.band.name(),
                    class: &node.class,
                    first_year: node.first_year(),
                    id: format!("n{}", n.index()),
                    iri: &node.iri,
                    label: node.label(),
                    label_en: &node.en,
                    label_zh: &node.zh,
                },
            }
        })
        .collect();
    let edges = p
        .graph
        .edge_references()
        .map(|e| {
            let w = e.weight();
            let [status, document, document_title, date] = edge_source(p, w);
            CyElement {
                data: CyEdge {
                    date,
                    document,
                    document_title,
                    id: format!("e{}", e.id().index()),
                    quote: w.quote.as_deref(),
                    relation: &w.relation,
                    source: format!("n{}", e.source().index()),
                    stated: w.stated(),
                    status,
                    target: format!("n{}", e.target().index()),
                },
            }
        })
        .collect();
    let doc = CyDocument {
        elements: CyElements { edges, nodes },
    };
    let mut text = serde_json::to_string_pretty(&doc)
        .map_err(|e| Error::Evaluation(format!("cannot write Cytoscape JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// `{"elements": {"edges": [...], "nodes": [...]}}`.
#[derive(serde::Serialize)]
struct CyDocument<'a> {
    elements: CyElements<'a>,
}

#[derive(serde::Serialize)]
struct CyElements<'a> {
    edges: Vec<CyElement<CyEdge<'a>>>,
    nodes: Vec<CyElement<CyNode<'a>>>,
}

/// Cytoscape.js keeps an element's fields under `data`.
#[derive(serde::Serialize)]
struct CyElement<T> {
    data: T,
}

#[derive(serde::Serialize)]
struct CyNode<'a> {
    band: &'a str,
    class: &'a str,
    first_year: Option<i32>,
    id: String,
    iri: &'a str,
    label: &'a str,
    label_en: &'a str,
    label_zh: &'a str,
}

/// An edge: its ends, relation, quote, and [`EDGE_SOURCE`] (status, document, document_title, date).
#[derive(serde::Serialize)]
struct CyEdge<'a> {
    date: String,
    document: String,
    document_title: String,
    id: String,
    quote: Option<&'a str>,
    relation: &'a str,
    source: String,
    stated: bool,
    status: String,
    target: String,
}

/// Neo4j `neo4j-admin database import` CSVs (nodes.csv, edges.csv); the extra Id/Label and Source/Target
/// columns let Gephi's spreadsheet import read the same files.
pub fn neo4j_csv(p: &Projection) -> Result<(String, String)> {
    let csv_error = |e: csv::Error| Error::Evaluation(e.to_string());
    let mut nodes = csv::Writer::from_writer(vec![]);
    nodes
        .write_record([
            "id:ID",
            "Id",
            "Label",
            "label_zh",
            "label_en",
            "class",
            "band",
            "first_year:int",
            "iri",
            ":LABEL",
        ])
        .map_err(csv_error)?;
    for n in p.graph.node_indices() {
        let node = &p.graph[n];
        let id = format!("n{}", n.index());
        nodes
            .write_record([
                id.as_str(),
                id.as_str(),
                node.label(),
                &node.zh,
                &node.en,
                &node.class,
                node.band.name(),
                &attr_year(p, n),
                &node.iri,
                &format!("Entity;{}", node.class),
            ])
            .map_err(csv_error)?;
    }
    let mut edges = csv::Writer::from_writer(vec![]);
    edges
        .write_record([
            ":START_ID",
            ":END_ID",
            ":TYPE",
            "Source",
            "Target",
            "relation",
            "stated:boolean",
            "quote",
            "status",
            "document",
            "document_title",
            "date",
        ])
        .map_err(csv_error)?;
    for e in p.graph.edge_references() {
        let w = e.weight();
        let (s, t) = (
            format!("n{}", e.source().index()),
            format!("n{}", e.target().index()),
        );
        let source = edge_source(p, w);
        edges
            .write_record([
                s.as_str(),
                t.as_str(),
                w.relation.as_str(),
                s.as_str(),
                t.as_str(),
                w.relation.as_str(),
                if w.stated() { "true" } else { "false" },
                w.quote.as_deref().unwrap_or(""),
                &source[0],
                &source[1],
                &source[2],
                &source[3],
            ])
            .map_err(csv_error)?;
    }
    let text = |w: csv::Writer<Vec<u8>>| -> Result<String> {
        let bytes = w
            .into_inner()
            .map_err(|e| Error::Evaluation(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| Error::Evaluation(e.to_string()))
    };
    Ok((text(nodes)?, text(edges)?))
}

/// Write a directory atomically: build it beside the target, then rename it into place.
pub fn write_csv_dir(dir: &Path, nodes: &str, edges: &str) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::invalid(
            dir.display().to_string(),
            "exists and is not a directory",
        ));
    }
    if dir.is_dir() {
        output::write_atomically(&dir.join("nodes.csv"), nodes.as_bytes())?;
        return output::write_atomically(&dir.join("edges.csv"), edges.as_bytes());
    }
    let parent = match dir.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let staging = tempfile::Builder::new()
        .prefix(".policykg-csv")
        .tempdir_in(parent)
        .map_err(|e| Error::io(dir, e))?;
    std::fs::write(staging.path().join("nodes.csv"), nodes).map_err(|e| Error::io(dir, e))?;
    std::fs::write(staging.path().join("edges.csv"), edges).map_err(|e| Error::io(dir, e))?;
    let staged = staging.keep();
    std::fs::rename(&staged, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        Error::io(dir, e)
    })
}

#[cfg(test)]
mod tests {
    use oxigraph::io::{RdfFormat, RdfParser};
    use petgraph::graph::EdgeIndex;

    use super::*;
    use crate::graph::{bundled, id, projected};

    fn parse(bytes: &[u8], format: RdfFormat) -> Dataset {
        RdfParser::from_format(format)
            .for_slice(bytes)
            .collect::<Result<Dataset, _>>()
            .unwrap()
    }

    /// The projection's edge raisedTo from the public data measures to the regulation project, and its ends.
    fn raised_to() -> (EdgeIndex, usize, usize) {
        let p = projected();
        let a = p.node(&id("jiangsu-public-data-measures")).unwrap();
        let b = p.node(&id("public-data-regulation-project")).unwrap();
        let e = p.graph.find_edge(a, b).unwrap();
        assert_eq!(p.graph[e].relation, "raisedTo");
        (e, a.index(), b.index())
    }

    const QUOTE: &str = "积极推动《办法》上升为公共数据管理条例";
    /// The document of [`QUOTE`], its title and date, as every export names them.
    const SOURCE: [&str; 4] = [
        "stated",
        "https://w3id.org/policykg/doc/jszwb-2023-proposal-0845-reply",
        "对省政协十三届一次会议第0845号提案的答复(推动数字政府提升政府治理数字化水平的提案)",
        "2023-07-12",
    ];

    #[test]
    fn canonical_export_is_identical_whatever_the_load_order() {
        let quads = select_quads(bundled().store(), &Selection::All).unwrap();
        let (a, sha_a) = canonical_nquads(&quads);
        let mut reversed = quads.clone();
        reversed.reverse();
        let (b, sha_b) = canonical_nquads(&reversed);
        assert_eq!(sha_a, sha_b);
        assert_eq!(a, b);
        assert_eq!(sha_a.len(), 64);
    }

    #[test]
    fn graph_tool_exports_carry_the_projection() {
        let p = projected();
        let graphml = graphml(p);
        assert_eq!(graphml.matches("<node id=").count(), p.graph.node_count());
        assert_eq!(graphml.matches("<edge id=").count(), p.graph.edge_count());
        let gexf = gexf(p);
        assert!(gexf.contains("start=\"2022\""), "time intervals for Gephi");
        let cy: Value = serde_json::from_str(&cytoscape(p).unwrap()).unwrap();
        assert_eq!(
            cy["elements"]["nodes"].as_array().unwrap().len(),
            p.graph.node_count()
        );
        let (nodes, edges) = neo4j_csv(p).unwrap();
        assert!(
            nodes.starts_with("id:ID,Id,Label,")
                && edges.starts_with(":START_ID,:END_ID,:TYPE,Source,Target")
        );
        assert_eq!(nodes.lines().count(), p.graph.node_count() + 1);
    }

    /// The elements of an XML document named `name`, as (attributes, text of the element's `<data>` children).
    fn xml_elements(xml: &str, name: &[u8]) -> Vec<(BTreeMap<String, String>, Vec<String>)> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut found = Vec::new();
        let mut inside = false;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == name => {
                    let attributes = e
                        .attributes()
                        .flatten()
                        .map(|a| {
                            (
                                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                                a.unescape_value().unwrap().into_owned(),
                            )
                        })
                        .collect();
                    found.push((attributes, Vec::new()));
                    inside = true;
                }
                Ok(quick_xml::events::Event::Empty(e))
                    if inside && e.name().as_ref() == b"attvalue" =>
                {
                    let value = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"value")
                        .map(|a| a.unescape_value().unwrap().into_owned())
                        .unwrap_or_default();
                    found.last_mut().unwrap().1.push(value);
                }
                Ok(quick_xml::events::Event::Text(t)) if inside => {
                    let text = t.decode().unwrap();
                    let text = quick_xml::escape::unescape(&text).unwrap();
                    if !text.trim().is_empty() {
                        found.last_mut().unwrap().1.push(text.into_owned());
                    }
                }
                Ok(quick_xml::events::Event::End(e)) if e.name().as_ref() == name => inside = false,
                Ok(quick_xml::events::Event::Eof) => break,
                Err(e) => panic!("not well-formed XML: {e}"),
                _ => {}
            }
        }
        found
    }

    #[test]
    fn graphml_holds_a_known_node_and_a_known_edge_with_its_quote() {
        let p = projected();
        let xml = graphml(p);
        let nodes = xml_elements(&xml, b"node");
        let edges = xml_elements(&xml, b"edge");
        assert_eq!((nodes.len(), edges.len()), (517, 514));
        assert_eq!(
            (nodes.len(), edges.len()),
            (p.graph.node_count(), p.graph.edge_count())
        );
        let measures = p.node(&id("jiangsu-public-data-measures")).unwrap().index();
        let (attributes, data) = &nodes[measures];
        assert_eq!(attributes["id"], format!("n{measures}"));
        assert_eq!(
            data,
            &[
                "江苏省公共数据管理办法",
                "Measures of Jiangsu Province for the Administration of Public Data",
                "GovernmentRule",
                "regulation",
                id("jiangsu-public-data-measures").as_str(),
                "2022",
            ]
        );
        let (e, a, b) = raised_to();
        let (attributes, data) = &edges[e.index()];
        assert_eq!(attributes["source"], format!("n{a}"));
        assert_eq!(attributes["target"], format!("n{b}"));
        assert_eq!(data[..3], ["raisedTo", "true", QUOTE]);
        assert_eq!(data[3..], SOURCE);
    }

    #[test]
    fn gexf_holds_a_known_node_and_a_known_edge_with_its_quote() {
        let p = projected();
        let xml = gexf(p);
        let nodes = xml_elements(&xml, b"node");
        let edges = xml_elements(&xml, b"edge");
        assert_eq!(
            (nodes.len(), edges.len()),
            (p.graph.node_count(), p.graph.edge_count())
        );
        let measures = p.node(&id("jiangsu-public-data-measures")).unwrap().index();
        let (attributes, values) = &nodes[measures];
        assert_eq!(attributes["label"], "江苏省公共数据管理办法");
        assert_eq!(attributes["start"], "2022");
        assert_eq!(values[0], "江苏省公共数据管理办法");
        assert_eq!(values[4], id("jiangsu-public-data-measures"));
        let (e, a, b) = raised_to();
        let (attributes, values) = &edges[e.index()];
        assert_eq!(
            (attributes["source"].as_str(), attributes["target"].as_str()),
            (format!("n{a}").as_str(), format!("n{b}").as_str())
        );
        assert_eq!(attributes["label"], "raisedTo");
        assert_eq!(values[..3], ["raisedTo", "true", QUOTE]);
        assert_eq!(values[3..], SOURCE);
    }

    #[test]
    fn cytoscape_holds_a_known_node_and_a_known_edge_with_its_quote() {
        let p = projected();
        let cy: Value = serde_json::from_str(&cytoscape(p).unwrap()).unwrap();
        let nodes = cy["elements"]["nodes"].as_array().unwrap();
        let edges = cy["elements"]["edges"].as_array().unwrap();
        assert_eq!(
            (nodes.len(), edges.len()),
            (p.graph.node_count(), p.graph.edge_count())
        );
        let sufuban = p.node(&id("sufuban")).unwrap().index();
        let node = &nodes[sufuban]["data"];
        assert_eq!(node["id"], format!("n{sufuban}"));
        assert_eq!(node["label_zh"], "苏服办");
        assert_eq!(node["band"], "platform");
        let (e, a, b) = raised_to();
        assert_eq!(
            edges[e.index()]["data"],
            json!({ "id": format!("e{}", e.index()), "source": format!("n{a}"), "target": format!("n{b}"),
                "relation": "raisedTo", "stated": true, "quote": QUOTE, "status": SOURCE[0],
                "document": SOURCE[1], "document_title": SOURCE[2], "date": SOURCE[3] })
        );
    }

    #[test]
    fn neo4j_csv_holds_a_known_node_and_a_known_edge_with_its_quote() {
        let p = projected();
        let (nodes, edges) = neo4j_csv(p).unwrap();
        let read = |text: &str| -> Vec<csv::StringRecord> {
            csv::Reader::from_reader(text.as_bytes())
                .records()
                .collect::<std::result::Result<_, _>>()
                .unwrap()
        };
        let (nodes, edges) = (read(&nodes), read(&edges));
        assert_eq!(
            (nodes.len(), edges.len()),
            (p.graph.node_count(), p.graph.edge_count())
        );
        let bureau = p.node(&id("jiangsu-data-bureau")).unwrap().index();
        // The bureau has no dated step: an empty first year.
        let row: Vec<&str> = nodes[bureau].iter().collect();
        let n = format!("n{bureau}");
        let iri = id("jiangsu-data-bureau");
        assert_eq!(
            row,
            [
                n.as_str(),
                n.as_str(),
                "江苏省数据局",
                "江苏省数据局",
                "Jiangsu Provincial Data Bureau",
                "Agency",
                "agency",
                "",
                iri.as_str(),
                "Entity;Agency",
            ]
        );
        let (e, a, b) = raised_to();
        let row: Vec<&str> = edges[e.index()].iter().collect();
        let (a, b) = (format!("n{a}"), format!("n{b}"));
        assert_eq!(
            row,
            [
                a.as_str(),
                b.as_str(),
                "raisedTo",
                a.as_str(),
                b.as_str(),
                "raisedTo",
                "true",
                QUOTE,
                SOURCE[0],
                SOURCE[1],
                SOURCE[2],
                SOURCE[3],
            ]
        );
        // Written as a directory, atomically.
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("csv");
        let (n, e) = neo4j_csv(p).unwrap();
        write_csv_dir(&target, &n, &e).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("nodes.csv")).unwrap(),
            n
        );
        assert_eq!(
            std::fs::read_to_string(target.join("edges.csv")).unwrap(),
            e
        );
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(write_csv_dir(&file, &n, &e).is_err());
    }

    #[test]
    fn selections_pick_a_graph_or_the_facts_about_entities() {
        let store = bundled().store();
        let all = select_quads(store, &Selection::All).unwrap();
        let everything = select_quads(store, &Selection::Everything).unwrap();
        assert_eq!(everything.len(), store.len().unwrap());
        let entailed = oxigraph::model::GraphName::NamedNode(vocab::entailed_graph());
        let in_entailed = everything
            .iter()
            .filter(|q| q.graph_name == entailed)
            .count();
        assert!(in_entailed > 1000, "{in_entailed}");
        assert_eq!(all.len() + in_entailed, everything.len());
        assert!(all.iter().all(|q| q.graph_name != entailed));
        let graph = "https://w3id.org/policykg/graph/jszwb-2023-proposal-0845-reply";
        let one = select_quads(store, &Selection::Graph(graph.into())).unwrap();
        assert!(!one.is_empty() && one.len() < all.len());
        assert!(one
            .iter()
            .all(|q| matches!(&q.graph_name, GraphName::NamedNode(n) if n.as_str() == graph)));
        let err = select_quads(store, &Selection::Graph(format!("{graph}-missing")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no named graph"), "{err}");
        assert!(select_quads(store, &Selection::Graph("not an iri".into())).is_err());
        let bureau = id("jiangsu-data-bureau");
        let facts =
            select_quads(store, &Selection::Entities(HashSet::from([bureau.clone()]))).unwrap();
        assert!(facts
            .iter()
            .any(|q| matches!(&q.subject, NamedOrBlankNode::NamedNode(n) if n.as_str() == bureau)));
        assert!(facts
            .iter()
            .any(|q| q.object.to_string() == "\"江苏省数据局\"@zh"));
        assert!(facts.len() < all.len());
        let mut sorted = facts.clone();
        sorted.sort_by_cached_key(|q| q.to_string());
        assert_eq!(sorted, facts, "sorted for reproducible output");
    }

    #[test]
    fn json_ld_is_compacted_with_the_shipped_context() {
        let quads = select_quads(
            bundled().store(),
            &Selection::Entities(HashSet::from([id("sufuban")])),
        )
        .unwrap();
        let doc = compact_jsonld(&quads).unwrap();
        assert_eq!(doc["@context"], context().unwrap());
        let text = doc.to_string();
        assert!(
            text.contains("\"@id\":\"pkid:sufuban\""),
            "prefixed names: {text}"
        );
        assert!(text.contains("\"苏服办\""), "Chinese as characters");
    }

    /// Quads with blank nodes, Chinese literals, typed literals and named graphs, as a user might load.
    fn user_dataset() -> Vec<Quad> {
        let text = r#"
            @prefix ex: <https://example.org/> .
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            ex:g1 { ex:a skos:prefLabel "苏服办"@zh ; ex:has [ ex:value "42"^^<http://www.w3.org/2001/XMLSchema#integer> ; ex:note "说明" ] . }
            ex:g2 { [ ex:links ex:a ] ex:date "2025-09-28"^^<http://www.w3.org/2001/XMLSchema#date> . ex:a ex:same _:x . _:x ex:same ex:a . }
            ex:a ex:inDefault "默认图" .
        "#;
        RdfParser::from_format(RdfFormat::TriG)
            .for_slice(text.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    /// Every RDF export of `quads`, parsed back by Oxigraph, is the same dataset (blank nodes included); graph
    /// formats hold the union of the graphs.
    fn assert_round_trips(quads: &[Quad]) {
        let algo = CanonicalizationAlgorithm::Rdfc10 {
            hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
        };
        let mut expected: Dataset = quads.iter().cloned().collect();
        expected.canonicalize(algo);
        for format in [
            ExportFormat::TriG,
            ExportFormat::NQuads,
            ExportFormat::JsonLd,
            ExportFormat::Canonical,
        ] {
            let mut bytes = Vec::new();
            write_rdf(quads, format, &mut bytes).unwrap();
            let rdf = if format == ExportFormat::Canonical {
                RdfFormat::NQuads
            } else {
                format.rdf_format().unwrap()
            };
            let mut back = parse(&bytes, rdf);
            back.canonicalize(algo);
            assert_eq!(back, expected, "{format}");
        }
        // Graph formats: the union of the graphs, blank nodes included.
        let mut union: Dataset = quads
            .iter()
            .map(|q| {
                Quad::new(
                    q.subject.clone(),
                    q.predicate.clone(),
                    q.object.clone(),
                    GraphName::DefaultGraph,
                )
            })
            .collect();
        union.canonicalize(algo);
        for format in [
            ExportFormat::Turtle,
            ExportFormat::NTriples,
            ExportFormat::RdfXml,
        ] {
            let mut bytes = Vec::new();
            write_rdf(quads, format, &mut bytes).unwrap();
            let mut back = parse(&bytes, format.rdf_format().unwrap());
            back.canonicalize(algo);
            assert_eq!(back, union, "{format}");
        }
    }

    #[test]
    fn rdf_exports_round_trip_through_oxigraph() {
        assert_round_trips(&user_dataset());
        let bundled = select_quads(bundled().store(), &Selection::All).unwrap();
        assert_round_trips(&bundled);
        let mut turtle = Vec::new();
        write_rdf(&bundled, ExportFormat::Turtle, &mut turtle).unwrap();
        assert!(
            String::from_utf8(turtle)
                .unwrap()
                .contains("\"江苏省数据条例\"@zh"),
            "Chinese kept as characters"
        );
        // Only a canonical export has a hash; the graph-tool formats are not RDF.
        let mut sink = Vec::new();
        assert!(write_rdf(&bundled, ExportFormat::Canonical, &mut sink)
            .unwrap()
            .is_some_and(|sha| sha.len() == 64));
        assert!(write_rdf(&bundled, ExportFormat::NQuads, &mut sink)
            .unwrap()
            .is_none());
        assert!(write_rdf(&bundled, ExportFormat::GraphMl, &mut sink).is_err());
    }

    #[test]
    fn every_rdf_export_is_isomorphic_under_sophia() {
        use sophia::api::prelude::*;
        use sophia::api::term::SimpleTerm;
        type SQuad = ([SimpleTerm<'static>; 3], Option<SimpleTerm<'static>>);
        type STriple = [SimpleTerm<'static>; 3];
        let mut datasets = vec![user_dataset()];
        datasets.push(
            select_quads(
                bundled().store(),
                &Selection::Graph(
                    "https://w3id.org/policykg/graph/jszwb-2023-proposal-0845-reply".into(),
                ),
            )
            .unwrap(),
        );
        for quads in datasets {
            let write = |format: ExportFormat| {
                let mut bytes = Vec::new();
                write_rdf(&quads, format, &mut bytes).unwrap();
                String::from_utf8(bytes).unwrap()
            };
            // The reference: sophia's own reading of the N-Quads export.
            let reference: Vec<SQuad> =
                sophia::turtle::parser::nq::parse_str(&write(ExportFormat::NQuads))
                    .collect_quads()
                    .unwrap();
            assert_eq!(reference.len(), quads.len());
            let trig: Vec<SQuad> =
                sophia::turtle::parser::trig::parse_str(&write(ExportFormat::TriG))
                    .collect_quads()
                    .unwrap();
            assert!(
                sophia::isomorphism::isomorphic_datasets(&reference, &trig).unwrap(),
                "TriG"
            );
            let canonical: Vec<SQuad> =
                sophia::turtle::parser::nq::parse_str(&write(ExportFormat::Canonical))
                    .collect_quads()
                    .unwrap();
            assert!(
                sophia::isomorphism::isomorphic_datasets(&reference, &canonical).unwrap(),
                "canonical"
            );
            let jsonld: Vec<SQuad> = sophia::jsonld::JsonLdParser::new()
                .parse_str(&write(ExportFormat::JsonLd))
                .collect_quads()
                .unwrap();
            assert!(
                sophia::isomorphism::isomorphic_datasets(&reference, &jsonld).unwrap(),
                "JSON-LD"
            );
            // Graph formats hold the union of the graphs.
            let union: Vec<STriple> = {
                let mut seen = Vec::new();
                for (t, _) in &reference {
                    if !<[STriple]>::contains(&seen, t) {
                        seen.push(t.clone());
                    }
                }
                seen
            };
            let turtle: Vec<STriple> =
                sophia::turtle::parser::turtle::parse_str(&write(ExportFormat::Turtle))
                    .collect_triples()
                    .unwrap();
            assert!(
                sophia::isomorphism::isomorphic_graphs(&union, &turtle).unwrap(),
                "Turtle"
            );
            let nt: Vec<STriple> =
                sophia::turtle::parser::nt::parse_str(&write(ExportFormat::NTriples))
                    .collect_triples()
                    .unwrap();
            assert!(
                sophia::isomorphism::isomorphic_graphs(&union, &nt).unwrap(),
                "N-Triples"
            );
        }
    }
}
