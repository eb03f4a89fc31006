//! The one enumeration of output (and RDF input) formats, shared by `query`, `load`, `export` and the server.

use std::fmt;
use std::str::FromStr;

use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A table for people: columns aligned by display width, IRIs shortened.
    Table,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// SPARQL 1.1 Query Results CSV; for `export`, a directory of Neo4j-style nodes.csv and edges.csv.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    Turtle,
    TriG,
    NTriples,
    NQuads,
    RdfXml,
    JsonLd,
    /// RDFC-1.0 canonical N-Quads.
    Canonical,
    GraphMl,
    Gexf,
    Cytoscape,
    Dot,
    Svg,
    Html,
    /// Plain indented text (lineage trees).
    Text,
}

const ALL: &[(Format, &str)] = &[
    (Format::Table, "table"),
    (Format::Json, "json"),
    (Format::Xml, "xml"),
    (Format::Csv, "csv"),
    (Format::Tsv, "tsv"),
    (Format::Turtle, "turtle"),
    (Format::TriG, "trig"),
    (Format::NTriples, "ntriples"),
    (Format::NQuads, "nquads"),
    (Format::RdfXml, "rdfxml"),
    (Format::JsonLd, "jsonld"),
    (Format::Canonical, "canonical"),
    (Format::GraphMl, "graphml"),
    (Format::Gexf, "gexf"),
    (Format::Cytoscape, "cytoscape"),
    (Format::Dot, "dot"),
    (Format::Svg, "svg"),
    (Format::Html, "html"),
    (Format::Text, "text"),
];

impl Format {
    pub const RDF_INPUTS: &'static str = "turtle, trig, ntriples, nquads, rdfxml, jsonld";
    /// Formats for SELECT and ASK results.
    pub const SOLUTIONS: &'static [Format] = &[
        Format::Table,
        Format::Json,
        Format::Xml,
        Format::Csv,
        Format::Tsv,
    ];
    /// Formats for CONSTRUCT and DESCRIBE results.
    pub const GRAPHS: &'static [Format] = &[
        Format::Turtle,
        Format::NTriples,
        Format::NQuads,
        Format::JsonLd,
        Format::RdfXml,
    ];
    /// Formats of `policykg export`.
    pub const EXPORTS: &'static [Format] = &[
        Format::Turtle,
        Format::TriG,
        Format::NTriples,
        Format::NQuads,
        Format::RdfXml,
        Format::JsonLd,
        Format::Canonical,
        Format::GraphMl,
        Format::Gexf,
        Format::Csv,
        Format::Cytoscape,
        Format::Dot,
    ];

    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(f, _)| *f == self)
            .map(|(_, n)| *n)
            .unwrap()
    }

    /// Parse a name, accepting only `allowed`; the error lists them.
    pub fn parse_among(name: &str, allowed: &[Format], what: &str) -> Result<Format, Error> {
        let found = Format::from_str(name).ok().filter(|f| allowed.contains(f));
        found.ok_or_else(|| {
            Error::Usage(format!(
                "unknown {what} format {name:?}; valid formats: {}",
                allowed
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    pub fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            Format::Turtle => RdfFormat::Turtle,
            Format::TriG => RdfFormat::TriG,
            Format::NTriples => RdfFormat::NTriples,
            Format::NQuads | Format::Canonical => RdfFormat::NQuads,
            Format::RdfXml => RdfFormat::RdfXml,
            Format::JsonLd => RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
            _ => return None,
        })
    }

    pub fn results_format(self) -> Option<QueryResultsFormat> {
        Some(match self {
            Format::Json => QueryResultsFormat::Json,
            Format::Xml => QueryResultsFormat::Xml,
            Format::Csv => QueryResultsFormat::Csv,
            Format::Tsv => QueryResultsFormat::Tsv,
            _ => return None,
        })
    }

    /// The media type, for HTTP and for messages.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Table | Format::Text => "text/plain; charset=utf-8",
            Format::Json => "application/sparql-results+json",
            Format::Xml => "application/sparql-results+xml",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Tsv => "text/tab-separated-values; charset=utf-8",
            Format::Turtle => "text/turtle",
            Format::TriG => "application/trig",
            Format::NTriples => "application/n-triples",
            Format::NQuads | Format::Canonical => "application/n-quads",
            Format::RdfXml => "application/rdf+xml",
            Format::JsonLd => "application/ld+json",
            Format::GraphMl => "application/graphml+xml",
            Format::Gexf => "application/gexf+xml",
            Format::Cytoscape => "application/json",
            Format::Dot => "text/vnd.graphviz",
            Format::Svg => "image/svg+xml",
            Format::Html => "text/html; charset=utf-8",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table | Format::Text => "txt",
            Format::Json | Format::Cytoscape => "json",
            Format::Xml => "srx",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Turtle => "ttl",
            Format::TriG => "trig",
            Format::NTriples => "nt",
            Format::NQuads | Format::Canonical => "nq",
            Format::RdfXml => "rdf",
            Format::JsonLd => "jsonld",
            Format::GraphMl => "graphml",
            Format::Gexf => "gexf",
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Html => "html",
        }
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(name: &str) -> Result<Self, Error> {
        let lower = name.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "ttl" => "turtle",
            "nt" | "n-triples" => "ntriples",
            "nq" | "n-quads" => "nquads",
            "rdf" | "rdf/xml" | "rdf-xml" => "rdfxml",
            "json-ld" => "jsonld",
            "txt" => "text",
            other => other,
        };
        ALL.iter()
            .find(|(_, n)| *n == alias)
            .map(|(f, _)| *f)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unknown format {name:?}; valid formats: {}",
                    ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", ")
                ))
            })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
