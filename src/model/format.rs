//! Formats: [`Format`] knows every format's name, media type and file extension in one place; the typed subsets
//! below ([`QueryFormat`], [`RdfInput`], [`ExportFormat`], [`PictureFormat`]…) are what each command accepts, so
//! clap refuses a format a command cannot write and every `match` on them is exhaustive.

use std::fmt;

use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;

/// Every format policykg reads or writes.
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
    /// Turtle.
    Turtle,
    /// TriG (Turtle with named graphs).
    TriG,
    /// N-Triples.
    NTriples,
    /// N-Quads.
    NQuads,
    /// RDF/XML.
    RdfXml,
    /// JSON-LD.
    JsonLd,
    /// RDFC-1.0 canonical N-Quads.
    Canonical,
    /// GraphML (Gephi, yEd, networkx).
    GraphMl,
    /// GEXF (Gephi).
    Gexf,
    /// Cytoscape.js elements JSON.
    Cytoscape,
    /// Graphviz DOT.
    Dot,
    /// SVG picture.
    Svg,
    /// One offline HTML page.
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
    /// The name users type (`turtle`, `graphml`…).
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(f, _)| *f == self)
            .map_or("?", |(_, n)| *n)
    }

    /// The Oxigraph RDF format, for the RDF formats.
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

    /// The SPARQL results format, for JSON, XML, CSV and TSV.
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

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Declares a typed subset of [`Format`]: a clap `ValueEnum` with the names (and aliases) users type, and a
/// conversion into [`Format`] for media types and extensions.
macro_rules! subset {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal $([$($alias:literal),*])?),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
        pub enum $name {
            $($(#[$vdoc])* #[value(name = $text $($(, alias = $alias)*)?)] $variant),+
        }

        impl From<$name> for Format {
            fn from(f: $name) -> Format {
                match f {
                    $($name::$variant => Format::$variant),+
                }
            }
        }

        impl $name {
            /// Parse a name or alias (case-insensitive), for input that does not come through clap.
            pub fn parse(name: &str) -> Option<Self> {
                <Self as clap::ValueEnum>::from_str(name, true).ok()
            }

            /// The media type, for HTTP.
            pub fn media_type(self) -> &'static str {
                Format::from(self).media_type()
            }

            /// The usual file extension.
            pub fn extension(self) -> &'static str {
                Format::from(self).extension()
            }

            /// The names this subset accepts, for messages.
            pub fn names() -> String {
                <Self as clap::ValueEnum>::value_variants()
                    .iter()
                    .map(|v| Format::from(*v).name())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(Format::from(*self).name())
            }
        }
    };
}

subset! {
    /// What `policykg query` writes: tables and SPARQL results for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE.
    QueryFormat {
        /// An aligned table (CONSTRUCT results fall back to Turtle).
        Table = "table",
        /// SPARQL 1.1 Query Results JSON.
        Json = "json",
        /// SPARQL Query Results XML.
        Xml = "xml",
        /// SPARQL 1.1 Query Results CSV.
        Csv = "csv",
        /// SPARQL 1.1 Query Results TSV.
        Tsv = "tsv",
        /// Turtle (CONSTRUCT/DESCRIBE).
        Turtle = "turtle" ["ttl"],
        /// N-Triples (CONSTRUCT/DESCRIBE).
        NTriples = "ntriples" ["nt", "n-triples"],
        /// N-Quads (CONSTRUCT/DESCRIBE).
        NQuads = "nquads" ["nq", "n-quads"],
        /// JSON-LD (CONSTRUCT/DESCRIBE).
        JsonLd = "jsonld" ["json-ld"],
        /// RDF/XML (CONSTRUCT/DESCRIBE).
        RdfXml = "rdfxml" ["rdf", "rdf/xml", "rdf-xml"],
    }
}

subset! {
    /// The RDF syntaxes `policykg load` reads.
    RdfInput {
        /// Turtle.
        Turtle = "turtle" ["ttl"],
        /// TriG.
        TriG = "trig",
        /// N-Triples.
        NTriples = "ntriples" ["nt", "n-triples"],
        /// N-Quads.
        NQuads = "nquads" ["nq", "n-quads"],
        /// RDF/XML.
        RdfXml = "rdfxml" ["rdf", "rdf/xml", "rdf-xml"],
        /// JSON-LD.
        JsonLd = "jsonld" ["json-ld"],
    }
}

subset! {
    /// What `policykg export` writes: RDF for triple stores, graph formats for network tools.
    ExportFormat {
        /// Turtle.
        Turtle = "turtle" ["ttl"],
        /// TriG, every named graph.
        TriG = "trig",
        /// N-Triples.
        NTriples = "ntriples" ["nt", "n-triples"],
        /// N-Quads, every named graph.
        NQuads = "nquads" ["nq", "n-quads"],
        /// RDF/XML.
        RdfXml = "rdfxml" ["rdf", "rdf/xml", "rdf-xml"],
        /// JSON-LD compacted with the policykg context.
        JsonLd = "jsonld" ["json-ld"],
        /// RDFC-1.0 canonical N-Quads, with its SHA-256.
        Canonical = "canonical",
        /// GraphML.
        GraphMl = "graphml",
        /// GEXF.
        Gexf = "gexf",
        /// Neo4j / Gephi CSV (a directory).
        Csv = "csv",
        /// Cytoscape.js JSON.
        Cytoscape = "cytoscape",
        /// Graphviz DOT.
        Dot = "dot",
    }
}

subset! {
    /// The pictures `policykg viz` draws.
    PictureFormat {
        /// Graphviz DOT.
        Dot = "dot" ["gv"],
        /// A laid-out SVG.
        Svg = "svg",
        /// One offline interactive HTML page.
        Html = "html" ["htm"],
    }
}

subset! {
    /// Text for people or JSON for programs (`describe`, `evidence`, `path`).
    TextFormat {
        /// Text for people.
        Text = "text" ["txt"],
        /// Pretty JSON.
        Json = "json",
    }
}

subset! {
    /// A table for people or JSON for programs (`stats`, `neighbors`, `rank`).
    TableFormat {
        /// An aligned table.
        Table = "table",
        /// Pretty JSON.
        Json = "json",
    }
}

subset! {
    /// A table for people, JSON or CSV for programs (`as-of`, `timeline`, `search`).
    ListFormat {
        /// An aligned table.
        Table = "table",
        /// Pretty JSON.
        Json = "json",
        /// CSV with a header row.
        Csv = "csv",
    }
}

subset! {
    /// What `policykg validate` writes: the SHACL validation report.
    ValidateFormat {
        /// A table for people.
        Text = "text" ["txt"],
        /// Pretty JSON.
        Json = "json",
        /// The W3C SHACL validation report in Turtle.
        Turtle = "turtle" ["ttl"],
    }
}

subset! {
    /// What `policykg lineage` writes.
    LineageFormat {
        /// An indented tree.
        Text = "text" ["txt"],
        /// Pretty JSON.
        Json = "json",
        /// Graphviz DOT, earlier to later.
        Dot = "dot",
    }
}

impl ExportFormat {
    /// The RDF syntax of the RDF exports; None for the graph-tool formats.
    pub fn rdf_format(self) -> Option<RdfFormat> {
        Format::from(self).rdf_format()
    }
}

impl RdfInput {
    /// The Oxigraph parser format.
    pub fn rdf_format(self) -> RdfFormat {
        match self {
            RdfInput::Turtle => RdfFormat::Turtle,
            RdfInput::TriG => RdfFormat::TriG,
            RdfInput::NTriples => RdfFormat::NTriples,
            RdfInput::NQuads => RdfFormat::NQuads,
            RdfInput::RdfXml => RdfFormat::RdfXml,
            RdfInput::JsonLd => RdfFormat::JsonLd {
                profile: oxigraph::io::JsonLdProfileSet::empty(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_keep_the_names_and_aliases_users_type() {
        assert_eq!(QueryFormat::parse("ttl"), Some(QueryFormat::Turtle));
        assert_eq!(QueryFormat::parse("RDF/XML"), Some(QueryFormat::RdfXml));
        assert_eq!(ExportFormat::parse("graphml"), Some(ExportFormat::GraphMl));
        assert_eq!(ExportFormat::parse("svg"), None);
        assert_eq!(TableFormat::names(), "table, json");
        assert_eq!(
            Format::from(ExportFormat::Canonical).media_type(),
            "application/n-quads"
        );
    }
}
