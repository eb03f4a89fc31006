//! Reading RDF files: which files a path names, their format, the graph they go into, and parsing them with
//! `FILE:LINE:COLUMN` errors. Used by the store's `load` and by the seed compiler (the ontology files).

use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser, RdfSyntaxError};
use oxigraph::model::{NamedNode, Quad};

use crate::model::error::{one_line, Error, Result};

/// A parser error as `FILE:LINE:COLUMN: message`.
pub fn parse_error(place: &str, e: RdfSyntaxError) -> Error {
    let message = e.to_string();
    // Oxigraph's messages start with "Parser error at line L column C: …"; the place says that already.
    let message = match message.split_once(": ") {
        Some((head, rest)) if head.starts_with("Parser error") => rest.to_owned(),
        _ => message,
    };
    match e.location() {
        Some(range) => Error::Syntax {
            place: place.to_owned(),
            line: range.start.line + 1,
            column: range.start.column + 1,
            message: one_line(&message),
        },
        None => Error::invalid(place, one_line(&message)),
    }
}

pub fn collect_rdf_files(path: &Path, explicit_format: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || explicit_format || format_from_extension(&entry).is_ok() {
                collect_rdf_files(&entry, explicit_format, out)?;
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

pub fn format_from_extension(path: &Path) -> Result<RdfFormat> {
    let format = match extension(path).to_ascii_lowercase().as_str() {
        "ttl" => RdfFormat::Turtle,
        "trig" => RdfFormat::TriG,
        "nt" => RdfFormat::NTriples,
        "nq" => RdfFormat::NQuads,
        "rdf" | "owl" | "xml" => RdfFormat::RdfXml,
        "jsonld" | "json" => RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        },
        _ => {
            return Err(Error::invalid(
                path.display().to_string(),
                "unknown RDF file extension; use .ttl .trig .nt .nq .rdf .owl .xml .jsonld .json or pass --format",
            ))
        }
    };
    Ok(format)
}

/// The `file://` URL naming a loaded file's graph.
pub fn file_graph_name(path: &Path) -> Result<NamedNode> {
    let absolute = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    let mut url = String::from("file://");
    for c in absolute.to_string_lossy().chars() {
        match c {
            ' ' => url.push_str("%20"),
            '%' => url.push_str("%25"),
            '#' => url.push_str("%23"),
            '?' => url.push_str("%3F"),
            '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`' => {
                url.push_str(&format!("%{:02X}", c as u32))
            }
            c => url.push(c),
        }
    }
    NamedNode::new(url).map_err(|e| Error::invalid(path.display().to_string(), e.to_string()))
}

/// Parse a whole RDF file into quads, with `FILE:LINE:COLUMN` errors.
pub fn parse_file(path: &Path, format: RdfFormat) -> Result<Vec<Quad>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let place = path.display().to_string();
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let valid = std::str::from_utf8(valid).expect("prefix is valid");
            return Err(Error::syntax_at(
                place,
                valid,
                valid.len(),
                "invalid UTF-8: RDF files must be UTF-8",
            ));
        }
    };
    let graph = file_graph_name(path)?;
    // The file's default graph becomes a named graph named after the file (queries see the union of named
    // graphs); the named graphs of TriG, N-Quads and JSON-LD files keep their names.
    let parser = RdfParser::from_format(format)
        .with_base_iri(graph.as_str())
        .map_err(|e| Error::invalid(&place, e.to_string()))?
        .with_default_graph(graph);
    let mut quads = Vec::new();
    for quad in parser.rename_blank_nodes().for_slice(text.as_bytes()) {
        quads.push(quad.map_err(|e| parse_error(&place, e))?);
    }
    Ok(quads)
}
