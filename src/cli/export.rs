//! `policykg export`: the graph for other tools, to a file or stdout.

use std::path::{Path, PathBuf};

use oxigraph::model::NamedNode;
use policykg::data::derived::DerivedBytes;
use policykg::graph::{export, picture};
use policykg::model::format::ExportFormat;
use policykg::model::report::Reporter;
use policykg::{Error, Result};

use super::terminal::Terminal;
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// turtle, trig, ntriples, nquads, rdfxml, jsonld, canonical, graphml, gexf, csv, cytoscape, dot
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The output file (a directory for csv); stdout when left out
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// Only this named graph (RDF formats)
    #[arg(long)]
    graph: Option<String>,
    /// Only the neighbourhood of this entity
    #[arg(long)]
    focus: Option<String>,
    /// How many hops around --focus
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// Include the triples entailed by the ontology (the graph pkg:entailed; RDF formats)
    #[arg(long, conflicts_with_all = ["graph", "focus"])]
    entailed: bool,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    session.store()?;
    let focus = args
        .focus
        .as_deref()
        .map(|f| session.resolver()?.resolve(f))
        .transpose()?;
    if args.format == ExportFormat::Csv {
        return csv(&args, session, focus.as_ref());
    }
    let bytes = match args.format.rdf_format() {
        Some(_) => rdf(&args, session, focus.as_ref())?,
        None => DerivedBytes::Built(graph_tool(&args, session, focus.as_ref())?),
    };
    let len = bytes.len();
    match &args.output {
        Some(file) => {
            bytes.write_to(file)?;
            Terminal.message(&format!(
                "wrote {} ({len} bytes) to {}",
                args.format,
                file.display()
            ));
            Ok(())
        }
        None => bytes.write_to(Path::new("-")),
    }
}

/// An RDF export: everything, one named graph, or the facts about a neighbourhood.
fn rdf(args: &Args, session: &Session, focus: Option<&NamedNode>) -> Result<DerivedBytes> {
    let selection = match (&args.graph, focus) {
        (Some(_), Some(_)) => return Err(Error::Usage("give --graph or --focus, not both".into())),
        (Some(g), None) => export::Selection::Graph(g.clone()),
        (None, Some(f)) => {
            let view = session
                .projection()?
                .view(Some(f.as_str()), args.depth, &[], true)?;
            export::Selection::Entities(view.graph.node_weights().map(|n| n.iri.clone()).collect())
        }
        (None, None) if args.entailed => export::Selection::Everything,
        (None, None) => export::Selection::All,
    };
    let (bytes, canonical) = export::rdf(session.store()?, &selection, args.format)?;
    if let Some((sha, quads)) = canonical {
        Terminal.message(&format!(
            "SHA-256 {sha} ({quads} quads, RDFC-1.0 canonical N-Quads)"
        ));
    }
    Ok(bytes)
}

/// The projection (or the neighbourhood of `--focus`) as one graph-tool file.
fn graph_tool(args: &Args, session: &Session, focus: Option<&NamedNode>) -> Result<Vec<u8>> {
    let view = view(args, session, focus)?;
    Ok(match args.format {
        ExportFormat::GraphMl => export::graphml(&view).into_bytes(),
        ExportFormat::Gexf => export::gexf(&view).into_bytes(),
        ExportFormat::Cytoscape => export::cytoscape(&view)?.into_bytes(),
        ExportFormat::Dot => picture::dot(&view).into_bytes(),
        ExportFormat::Turtle
        | ExportFormat::TriG
        | ExportFormat::NTriples
        | ExportFormat::NQuads
        | ExportFormat::RdfXml
        | ExportFormat::JsonLd
        | ExportFormat::Canonical
        | ExportFormat::Csv => {
            return Err(Error::Usage(format!(
                "{} is not a graph-tool format",
                args.format
            )))
        }
    })
}

/// Neo4j / Gephi CSV: a directory with nodes.csv and edges.csv.
fn csv(args: &Args, session: &Session, focus: Option<&NamedNode>) -> Result<()> {
    let view = view(args, session, focus)?;
    let dir = args.output.as_ref().ok_or_else(|| {
        Error::Usage("csv writes a directory (nodes.csv, edges.csv): give -o DIR".into())
    })?;
    let (nodes, edges) = export::neo4j_csv(&view)?;
    export::write_csv_dir(dir, &nodes, &edges)?;
    Terminal.message(&format!(
        "wrote {}/nodes.csv ({} nodes) and edges.csv ({} edges)",
        dir.display(),
        view.graph.node_count(),
        view.graph.edge_count()
    ));
    Ok(())
}

/// The part of the projection a graph-tool export holds; `--graph` belongs to the RDF formats.
fn view(
    args: &Args,
    session: &Session,
    focus: Option<&NamedNode>,
) -> Result<policykg::graph::projection::Projection> {
    if args.graph.is_some() {
        return Err(Error::Usage(
            "--graph applies to RDF formats; use --focus for graph-tool formats".into(),
        ));
    }
    session
        .projection()?
        .view(focus.map(|f| f.as_str()), args.depth, &[], true)
}
