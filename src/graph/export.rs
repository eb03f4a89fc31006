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
use crate::data::output;
use crate::graph::projection::Projection;
use crate::model::error::{Error, Result};
use crate::model::format::ExportFormat;
use crate::model::vocab;

/// Which quads an RDF export holds.
pub enum Selection {
    /// Every quad.
    All,
    /// One named graph, by IRI.
    Graph(String),
    /// Facts about these resources (entities, documents, evidence annotations), with their evidence.
    Entities(HashSet<String>),
}

/// The quads of a selection, sorted for reproducible output.
pub fn select_quads(store: &Store, selection: &Selection) -> Result<Vec<Quad>> {
    let storage = |source| Error::Storage {
        path: ":memory:".into(),
        source,
    };
    let mut quads: Vec<Quad> = match selection {
        Selection::All => store.iter().collect::<Result<_, _>>().map_err(storage)?,
        Selection::Graph(g) => {
            let node = oxigraph::model::NamedNode::new(g.as_str())
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
    quads.sort_by_cached_key(|q| q.to_string());
    Ok(quads)
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

/// GraphML with node attributes label_zh, label_en, class, band, iri, first_year and edge attributes relation,
/// stated, quote.
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
    ] {
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
        let _ = writeln!(out, "      <data key=\"stated\">{}</data>", w.stated);
        if let Some(q) = &w.quote {
            let _ = writeln!(
                out,
                "      <data key=\"quote\">{}</data>",
                escape(q.as_str())
            );
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
    out.push_str("    </attributes>\n    <attributes class=\"edge\">\n      <attribute id=\"0\" title=\"relation\" type=\"string\"/>\n      <attribute id=\"1\" title=\"stated\" type=\"boolean\"/>\n      <attribute id=\"2\" title=\"quote\" type=\"string\"/>\n    </attributes>\n    <nodes>\n");
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
            "        <attvalues><attvalue for=\"0\" value=\"{}\"/><attvalue for=\"1\" value=\"{}\"/><attvalue for=\"2\" value=\"{}\"/></attvalues>\n      </edge>",
            escape(w.relation.as_str()),
            w.stated,
            escape(w.quote.as_deref().unwrap_or(""))
        );
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

/// Cytoscape.js elements JSON.
pub fn cytoscape(p: &Projection) -> Value {
    let nodes: Vec<Value> = p
        .graph
        .node_indices()
        .map(|n| {
            let node = &p.graph[n];
            json!({ "data": { "id": format!("n{}", n.index()), "label": node.label(), "label_zh": node.zh, "label_en": node.en,
                "class": node.class, "band": node.band.name(), "iri": node.iri, "first_year": node.first_year() } })
        })
        .collect();
    let edges: Vec<Value> = p
        .graph
        .edge_references()
        .map(|e| {
            let w = e.weight();
            json!({ "data": { "id": format!("e{}", e.id().index()), "source": format!("n{}", e.source().index()),
                "target": format!("n{}", e.target().index()), "relation": w.relation, "stated": w.stated, "quote": w.quote } })
        })
        .collect();
    json!({ "elements": { "nodes": nodes, "edges": edges } })
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
        ])
        .map_err(csv_error)?;
    for e in p.graph.edge_references() {
        let w = e.weight();
        let (s, t) = (
            format!("n{}", e.source().index()),
            format!("n{}", e.target().index()),
        );
        edges
            .write_record([
                s.as_str(),
                t.as_str(),
                w.relation.as_str(),
                s.as_str(),
                t.as_str(),
                w.relation.as_str(),
                if w.stated { "true" } else { "false" },
                w.quote.as_deref().unwrap_or(""),
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
