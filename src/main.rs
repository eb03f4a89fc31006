//! The `policykg` command: a thin layer over the library. Parsing arguments, opening the store, printing.
//! Results go to stdout; messages and errors go to stderr, one line each, and errors exit with status 1.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use petgraph::graph::NodeIndex;
use policykg::error::{Error, Result};
use policykg::format::Format;
use policykg::graph::Projection;
use policykg::resolve::Resolver;
use policykg::store::{default_store_path, KgStore};
use policykg::{
    catalog, describe, evidence, export, lineage, output, query, seeds, stats, viz, vocab,
};

#[derive(Parser)]
#[command(
    name = "policykg",
    version,
    about = "A knowledge graph of Jiangsu data-governance policy (江苏数据治理政策知识图谱)",
    long_about = "Regulations, agencies, platforms and initiatives from five official Jiangsu reports (2022–2025), \
every fact traced to a verbatim quote, in an embedded Oxigraph store built on first use."
)]
struct Cli {
    /// The store directory [default: $XDG_DATA_HOME/policykg/store or ~/.local/share/policykg/store]
    #[arg(long, global = true, env = "POLICYKG_STORE", value_name = "DIR")]
    store: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a SPARQL query: inline, from a file (-f) or a bundled query (--name)
    Query {
        /// The SPARQL text
        sparql: Option<String>,
        /// Read the query from a file
        #[arg(short = 'f', long = "file", value_name = "FILE", conflicts_with_all = ["sparql", "name"])]
        file: Option<PathBuf>,
        /// Run a bundled query (see `policykg queries`)
        #[arg(long, value_name = "NAME", conflicts_with = "sparql")]
        name: Option<String>,
        /// table, json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, nquads, jsonld, rdfxml (CONSTRUCT/DESCRIBE)
        #[arg(long, default_value = "table")]
        format: String,
        /// Give up after this many seconds
        #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = parse_seconds)]
        timeout: Duration,
    },
    /// List the bundled queries
    Queries,
    /// List the prefixes every query may use without declaring them
    Prefixes,
    /// Show an entity: labels, types, relations both ways, sources
    Describe {
        /// An IRI, prefixed name, id, or Chinese or English label or alias
        entity: String,
        /// text or json
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Show the quotes that support an entity, or the facts linking two entities
    Evidence {
        entity: String,
        /// A second entity: show only the facts that link the two
        other: Option<String>,
        /// text or json
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Count triples per named graph and entities per class
    Stats {
        /// table or json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Add RDF files (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD) to the store, atomically
    Load {
        /// Files or directories
        paths: Vec<PathBuf>,
        /// Force the format instead of guessing it from the extension
        #[arg(long)]
        format: Option<String>,
        /// Rebuild the store from the bundled data first, dropping graphs loaded earlier
        #[arg(long)]
        fresh: bool,
    },
    /// Predecessors and successors through lineage relations (draft of, raised to, supersedes, upgraded to…)
    Lineage {
        entity: String,
        /// Only predecessors
        #[arg(long, conflicts_with_all = ["down", "both"])]
        up: bool,
        /// Only successors
        #[arg(long, conflicts_with = "both")]
        down: bool,
        /// Both directions (the default)
        #[arg(long)]
        both: bool,
        /// text, json or dot
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// The shortest connections between two entities, each hop with its relation and evidence
    Path {
        from: String,
        to: String,
        #[arg(long, default_value_t = 6)]
        max_hops: usize,
        /// text or json
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Entities within N hops of an entity
    Neighbors {
        entity: String,
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// table or json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// The most central entities (betweenness and degree)
    Rank {
        /// Only these classes or bands (regulation, agency, platform, initiative), repeatable
        #[arg(long = "class")]
        classes: Vec<String>,
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// table or json
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Draw the regulation → agency → platform / initiative network as DOT, SVG or HTML
    Viz {
        /// Draw only the neighbourhood of this entity
        #[arg(long)]
        focus: Option<String>,
        #[arg(long, default_value_t = 2)]
        depth: usize,
        /// Only these classes or bands, repeatable
        #[arg(long = "class")]
        classes: Vec<String>,
        /// dot, svg or html
        #[arg(long, default_value = "html")]
        format: String,
        /// The output file
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Export the graph for other tools (RDF formats, GraphML, GEXF, Neo4j CSV, Cytoscape.js, DOT)
    Export {
        /// turtle, trig, ntriples, nquads, rdfxml, jsonld, canonical, graphml, gexf, csv, cytoscape, dot
        #[arg(long)]
        format: String,
        /// The output file (a directory for csv); stdout when left out
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Only this named graph (RDF formats)
        #[arg(long)]
        graph: Option<String>,
        /// Only the neighbourhood of this entity
        #[arg(long)]
        focus: Option<String>,
        #[arg(long, default_value_t = 1)]
        depth: usize,
    },
    /// Serve a SPARQL 1.1 endpoint (/sparql), a browser UI (/) and entity pages (/id/…, /doc/…)
    Serve {
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// Answer 503 to a query that runs longer than this many seconds
        #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = parse_seconds)]
        timeout: Duration,
        /// Return at most this many rows of a SELECT (header X-PolicyKG-Truncated when cut)
        #[arg(long)]
        max_rows: Option<usize>,
        /// Accept SPARQL Update (requires --token)
        #[arg(long, requires = "token")]
        allow_update: bool,
        /// The bearer token updates must carry
        #[arg(long, env = "POLICYKG_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Check the seed files of a project checkout (ontology/, seeds/) and report every error
    CheckSeeds {
        /// The project directory
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

/// `--timeout SECONDS`: a positive, finite number of seconds that fits a `Duration`.
fn parse_seconds(text: &str) -> std::result::Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err("the timeout must be a positive number of seconds".into());
    }
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("{text} seconds is too long a timeout"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Io { ref source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(e @ Error::Timeout { .. }) => {
            eprintln!("policykg: error: {e}");
            // The cancelled query may still be running inside RocksDB on its worker thread; leave at once,
            // without running exit handlers that would tear RocksDB down under it.
            let _ = std::io::stdout().flush();
            // SAFETY: _exit ends the process immediately; nothing is written after this point.
            unsafe { libc::_exit(1) }
        }
        Err(e) => {
            eprintln!("policykg: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn store_path(cli: &Option<PathBuf>) -> PathBuf {
    cli.clone().unwrap_or_else(default_store_path)
}

fn stdout() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// Print a value as pretty JSON (`--format json`) or as the text a person reads.
fn emit<T: serde::Serialize>(
    format: Format,
    value: &T,
    text: impl FnOnce() -> String,
) -> Result<()> {
    match format {
        Format::Json => {
            write_out(&(serde_json::to_string_pretty(value).expect("serialisable") + "\n"))
        }
        _ => write_out(&text()),
    }
}

fn write_out(text: &str) -> Result<()> {
    let mut out = stdout();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

/// Open the store, project it, and resolve one entity.
/// Open the store, project it, and find the entities named in the projection (one label index for all names).
fn open_graph<const N: usize>(
    path: &std::path::Path,
    names: [&str; N],
) -> Result<(Projection, [NodeIndex; N])> {
    let kg = KgStore::open(path, true)?;
    let resolver = Resolver::new(kg.store())?;
    let iris = names.map(|name| resolver.resolve(name));
    let projection = Projection::build(kg.store())?;
    let mut nodes = [NodeIndex::new(0); N];
    for (node, iri) in nodes.iter_mut().zip(iris) {
        *node = projection.node(iri?.as_str())?;
    }
    Ok((projection, nodes))
}

fn run(cli: Cli) -> Result<()> {
    let path = store_path(&cli.store);
    match cli.command {
        Command::Query {
            sparql,
            file,
            name,
            format,
            timeout,
        } => {
            let (text, place): (String, String) = match (sparql, file, name) {
                (Some(text), None, None) => (text, "query".into()),
                (None, Some(file), None) => {
                    let bytes = std::fs::read(&file).map_err(|e| Error::io(&file, e))?;
                    let text = String::from_utf8(bytes).map_err(|e| {
                        Error::invalid(
                            file.display().to_string(),
                            format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                        )
                    })?;
                    (text, file.display().to_string())
                }
                (None, None, Some(name)) => {
                    let q = catalog::get(&name)?;
                    (q.text.to_owned(), q.path.to_owned())
                }
                _ => {
                    return Err(Error::Usage(
                        "give the query inline, with -f FILE, or with --name NAME".into(),
                    ))
                }
            };
            let format: Format = format.parse()?;
            let parsed = query::parse(&text, &place)?;
            let kg = KgStore::open(&path, true)?;
            let answer = query::evaluate(kg.store(), parsed, Some(timeout))?;
            let format = if answer.is_graph() && format == Format::Table {
                Format::Turtle
            } else {
                format
            };
            let mut out = stdout();
            query::write_answer(&answer, format, &mut out)?;
            out.flush().map_err(|e| Error::io("<stdout>", e))
        }
        Command::Queries => {
            let mut table =
                query::new_table(vec!["name".into(), "title".into(), "description".into()]);
            for q in catalog::all() {
                table.add_row(vec![q.name, q.title, q.description]);
            }
            write_out(&format!("{table}\n"))
        }
        Command::Prefixes => {
            let mut table = query::new_table(vec!["prefix".into(), "namespace".into()]);
            for (p, ns) in vocab::PREFIXES {
                table.add_row(vec![format!("{p}:"), ns.to_string()]);
            }
            write_out(&format!("{table}\n"))
        }
        Command::Describe { entity, format } => {
            let format = Format::parse_among(&format, &[Format::Text, Format::Json], "describe")?;
            let kg = KgStore::open(&path, true)?;
            let resolver = Resolver::new(kg.store())?;
            let iri = resolver.resolve(&entity)?;
            let d = describe::describe(kg.store(), &iri, &resolver.labels)?;
            emit(format, &d, || describe::render_text(&d, &resolver.labels))
        }
        Command::Evidence {
            entity,
            other,
            format,
        } => {
            let format = Format::parse_among(&format, &[Format::Text, Format::Json], "evidence")?;
            let kg = KgStore::open(&path, true)?;
            let resolver = Resolver::new(kg.store())?;
            let a = resolver.resolve(&entity)?;
            let b = other.as_deref().map(|o| resolver.resolve(o)).transpose()?;
            let quotes = evidence::quotes(kg.store(), &resolver.labels, &a, b.as_ref())?;
            if let (Some(b), true) = (&b, quotes.is_empty()) {
                return Err(Error::Usage(format!(
                    "no fact links {} and {} directly; `policykg path` finds longer connections",
                    resolver.labels.display(a.as_str()),
                    resolver.labels.display(b.as_str())
                )));
            }
            match format {
                Format::Json => write_out(
                    &(serde_json::to_string_pretty(&quotes).expect("serialisable") + "\n"),
                ),
                _ => {
                    let heading = match &b {
                        Some(b) => format!(
                            "{} ↔ {}",
                            resolver.labels.display(a.as_str()),
                            resolver.labels.display(b.as_str())
                        ),
                        None => format!(
                            "{} ({})",
                            resolver.labels.display(a.as_str()),
                            vocab::shorten(a.as_str())
                        ),
                    };
                    write_out(&evidence::render_text(&quotes, &resolver.labels, &heading))
                }
            }
        }
        Command::Stats { format } => {
            let format = Format::parse_among(&format, &[Format::Table, Format::Json], "stats")?;
            let kg = KgStore::open(&path, true)?;
            let s = stats::stats(kg.store())?;
            match format {
                Format::Json => {
                    write_out(&(serde_json::to_string_pretty(&s).expect("serialisable") + "\n"))
                }
                _ => {
                    let mut graphs = query::new_table(vec!["named graph".into(), "triples".into()]);
                    for (g, n) in &s.graphs {
                        graphs.add_row(vec![vocab::shorten(g), n.to_string()]);
                    }
                    let mut classes = query::new_table(vec![
                        "class".into(),
                        "中文".into(),
                        "English".into(),
                        "entities".into(),
                    ]);
                    for (c, zh, en, n) in &s.classes {
                        classes.add_row(vec![
                            vocab::shorten(c),
                            zh.clone(),
                            en.clone(),
                            n.to_string(),
                        ]);
                    }
                    write_out(&format!(
                        "{graphs}\n{} quads in all\n\n{classes}\n",
                        s.total_quads
                    ))
                }
            }
        }
        Command::Load {
            paths,
            format,
            fresh,
        } => {
            let format = format
                .map(|f| {
                    Format::parse_among(
                        &f,
                        &[
                            Format::Turtle,
                            Format::TriG,
                            Format::NTriples,
                            Format::NQuads,
                            Format::RdfXml,
                            Format::JsonLd,
                        ],
                        "RDF input",
                    )
                })
                .transpose()?;
            if paths.is_empty() && !fresh {
                return Err(Error::Usage(
                    "give files or directories to load (or --fresh to rebuild)".into(),
                ));
            }
            let kg = KgStore::open(&path, false)?;
            if fresh {
                let dropped = kg.user_graphs()?;
                let report = kg.rebuild_bundle(true)?;
                eprintln!(
                    "policykg: rebuilt {} from the bundled data ({} quads){}",
                    path.display(),
                    report.quads,
                    if dropped.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; dropped {} loaded graph(s): {}",
                            dropped.len(),
                            dropped.join(", ")
                        )
                    }
                );
            }
            if !paths.is_empty() {
                let report = kg.load(&paths, format)?;
                for (file, n) in &report.files {
                    eprintln!("policykg: loaded {n} quads from {file}");
                }
                eprintln!(
                    "policykg: {} quads added to {}",
                    report.quads,
                    path.display()
                );
            }
            Ok(())
        }
        Command::Lineage {
            entity,
            up,
            down,
            both,
            format,
        } => {
            let format = Format::parse_among(
                &format,
                &[Format::Text, Format::Json, Format::Dot],
                "lineage",
            )?;
            let (projection, [root]) = open_graph(&path, [&entity])?;
            let (up, down) = if both || (!up && !down) {
                (true, true)
            } else {
                (up, down)
            };
            let l = lineage::lineage(&projection, root, up, down);
            match format {
                Format::Json => {
                    write_out(&(serde_json::to_string_pretty(&l).expect("serialisable") + "\n"))
                }
                Format::Dot => write_out(&lineage::lineage_dot(&projection, root, &l)),
                _ => write_out(&lineage::lineage_text(&l)),
            }
        }
        Command::Path {
            from,
            to,
            max_hops,
            format,
        } => {
            let format = Format::parse_among(&format, &[Format::Text, Format::Json], "path")?;
            let (projection, [na, nb]) = open_graph(&path, [&from, &to])?;
            if na == nb {
                return Err(Error::Usage(format!(
                    "{from:?} and {to:?} name the same entity ({}); give two different entities",
                    projection.graph[na].label()
                )));
            }
            let paths = lineage::paths(&projection, na, nb, max_hops);
            if paths.is_empty() {
                return Err(Error::Usage(format!(
                    "no connection of at most {max_hops} hops between {} and {} (raise --max-hops to look further)",
                    projection.graph[na].label(),
                    projection.graph[nb].label()
                )));
            }
            emit(format, &paths, || lineage::paths_text(&paths))
        }
        Command::Neighbors {
            entity,
            depth,
            format,
        } => {
            let format = Format::parse_among(&format, &[Format::Table, Format::Json], "neighbors")?;
            let (projection, [root]) = open_graph(&path, [&entity])?;
            let list = lineage::neighbours(&projection, root, depth);
            emit(format, &list, || {
                lineage::neighbours_text(projection.graph[root].label(), &list)
            })
        }
        Command::Rank {
            classes,
            top,
            format,
        } => {
            let format = Format::parse_among(&format, &[Format::Table, Format::Json], "rank")?;
            let kg = KgStore::open(&path, true)?;
            let projection = Projection::build(kg.store())?;
            lineage::class_filter_ok(&projection, &classes).map_err(Error::Usage)?;
            let list = lineage::rank(&projection, &classes, top);
            emit(format, &list, || lineage::rank_text(&list))
        }
        Command::Viz {
            focus,
            depth,
            classes,
            format,
            output,
        } => {
            let format =
                Format::parse_among(&format, &[Format::Dot, Format::Svg, Format::Html], "viz")?;
            let kg = KgStore::open(&path, true)?;
            let projection = Projection::build(kg.store())?;
            let focus = focus
                .map(|f| Resolver::new(kg.store())?.resolve(&f))
                .transpose()?;
            let picture =
                projection.view(focus.as_ref().map(|f| f.as_str()), depth, &classes, false)?;
            let text = match format {
                Format::Dot => viz::dot(&picture),
                Format::Svg => viz::svg(&picture),
                _ => viz::html(&picture),
            };
            output::write_atomically(&output, text.as_bytes())?;
            eprintln!(
                "policykg: wrote {} ({} nodes, {} edges) to {}",
                format,
                picture.graph.node_count(),
                picture.graph.edge_count(),
                output.display()
            );
            Ok(())
        }
        Command::Export {
            format,
            output,
            graph,
            focus,
            depth,
        } => {
            let format = Format::parse_among(&format, Format::EXPORTS, "export")?;
            let kg = KgStore::open(&path, true)?;
            let focus = focus
                .map(|f| Resolver::new(kg.store())?.resolve(&f))
                .transpose()?;
            let mut bytes: Vec<u8> = Vec::new();
            if format.rdf_format().is_some() {
                let selection = match (&graph, &focus) {
                    (Some(_), Some(_)) => {
                        return Err(Error::Usage("give --graph or --focus, not both".into()))
                    }
                    (Some(g), None) => export::Selection::Graph(g.clone()),
                    (None, Some(f)) => {
                        let projection = Projection::build(kg.store())?;
                        let view = projection.view(Some(f.as_str()), depth, &[], true)?;
                        export::Selection::Entities(
                            view.graph.node_weights().map(|n| n.iri.clone()).collect(),
                        )
                    }
                    (None, None) => export::Selection::All,
                };
                let quads = export::select_quads(kg.store(), &selection)?;
                if let Some(sha) = export::write_rdf(&quads, format, &mut bytes)? {
                    eprintln!(
                        "policykg: SHA-256 {sha} ({} quads, RDFC-1.0 canonical N-Quads)",
                        quads.len()
                    );
                }
            } else {
                if graph.is_some() {
                    return Err(Error::Usage(
                        "--graph applies to RDF formats; use --focus for graph-tool formats".into(),
                    ));
                }
                let projection = Projection::build(kg.store())?;
                let view = projection.view(focus.as_ref().map(|f| f.as_str()), depth, &[], true)?;
                match format {
                    Format::Csv => {
                        let dir = output.ok_or_else(|| {
                            Error::Usage(
                                "csv writes a directory (nodes.csv, edges.csv): give -o DIR".into(),
                            )
                        })?;
                        let (nodes, edges) = export::neo4j_csv(&view)?;
                        export::write_csv_dir(&dir, &nodes, &edges)?;
                        eprintln!(
                            "policykg: wrote {}/nodes.csv ({} nodes) and edges.csv ({} edges)",
                            dir.display(),
                            view.graph.node_count(),
                            view.graph.edge_count()
                        );
                        return Ok(());
                    }
                    Format::GraphMl => bytes = export::graphml(&view).into_bytes(),
                    Format::Gexf => bytes = export::gexf(&view).into_bytes(),
                    Format::Cytoscape => {
                        bytes = (serde_json::to_string_pretty(&export::cytoscape(&view))
                            .expect("serialisable")
                            + "\n")
                            .into_bytes()
                    }
                    _ => bytes = viz::dot(&view).into_bytes(),
                }
            }
            match output {
                Some(file) => {
                    output::write_atomically(&file, &bytes)?;
                    eprintln!(
                        "policykg: wrote {} ({} bytes) to {}",
                        format,
                        bytes.len(),
                        file.display()
                    );
                    Ok(())
                }
                None => {
                    let mut out = stdout();
                    out.write_all(&bytes)
                        .and_then(|_| out.flush())
                        .map_err(|e| Error::io("<stdout>", e))
                }
            }
        }
        Command::Serve {
            bind,
            timeout,
            max_rows,
            allow_update,
            token,
        } => {
            let kg = KgStore::open(&path, false)?;
            policykg::server::serve(
                kg,
                policykg::server::ServerConfig {
                    bind,
                    timeout,
                    max_rows,
                    update_token: if allow_update { token } else { None },
                },
            )
        }
        Command::CheckSeeds { dir } => {
            let input = seeds::SeedInput::from_dir(&dir)?;
            match seeds::compile(&input) {
                Ok(c) => {
                    let n = c.counts;
                    eprintln!(
                        "policykg: seeds OK: {} documents, {} entities, {} stated facts, {} inferred facts, {} events, {} indicators, {} mentions, {} exclusions, {} quads",
                        c.documents.len(), n.entities, n.facts, n.inferred_facts, n.events, n.indicators, n.mentions, n.exclusions, c.quads.len()
                    );
                    Ok(())
                }
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{e}");
                    }
                    Err(Error::Usage(format!(
                        "{} error(s) in the seed files",
                        errors.len()
                    )))
                }
            }
        }
    }
}
