//! Reading RDF files: which files a path names, their format, the graph they go into, and parsing them with
//! `FILE:LINE:COLUMN` errors. Used by the store's `load` and by the seed compiler (the ontology files).

use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser, RdfSyntaxError};
use oxigraph::model::{GraphName, NamedNode, Quad};

use crate::model::error::{one_line, Error, Result};
use crate::model::vocab;

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

/// The RDF files a path names, in order: the file itself, or every file with a known RDF extension under a
/// directory (every file with `explicit_format`). Symbolic links are followed, but a directory reached twice (a
/// link loop such as `dir/self -> ..`) is refused, and so is anything that is not a regular file or a directory
/// (a FIFO would block the load for ever, a device would never end).
pub fn collect_rdf_files(path: &Path, explicit_format: bool, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut visited = Vec::new();
    collect(path, explicit_format, out, &mut visited)
}

/// A directory's identity, to recognise it when a link leads back to it.
#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn collect(
    path: &Path,
    explicit_format: bool,
    out: &mut Vec<PathBuf>,
    visited: &mut Vec<((u64, u64), PathBuf)>,
) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let id = identity(&meta);
        if cfg!(unix) {
            if let Some((_, first)) = visited.iter().find(|(seen, _)| *seen == id) {
                return Err(Error::invalid(
                    path.display().to_string(),
                    format!(
                        "leads back to {} (a symbolic link loop or a second link to it); remove the link or load the folders separately",
                        first.display()
                    ),
                ));
            }
        }
        visited.push((id, path.to_path_buf()));
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || explicit_format || format_from_extension(&entry).is_ok() {
                collect(&entry, explicit_format, out, visited)?;
            }
        }
    } else if meta.is_file() {
        out.push(path.to_path_buf());
    } else {
        return Err(not_a_regular_file(path, &meta));
    }
    Ok(())
}

fn not_a_regular_file(path: &Path, meta: &std::fs::Metadata) -> Error {
    Error::invalid(
        path.display().to_string(),
        format!(
            "is {}, not a regular file; load reads regular files and folders only",
            kind_of(meta)
        ),
    )
}

/// What kind of special file this is, for messages.
pub(crate) fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.file_type().is_symlink() {
        return "a symbolic link";
    }
    if meta.is_dir() {
        return "a directory";
    }
    "a special file"
}

/// Read a file that must be a regular file. It is opened without blocking, so a path swapped for a FIFO after it
/// was listed is refused instead of waiting for a writer that never comes.
fn read_regular_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_a_regular_file(path, &meta));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or("")
}

/// The RDF format a file's extension names (`.ttl`, `.trig`, `.nt`, `.nq`, `.rdf`/`.owl`/`.xml`, `.jsonld`/`.json`).
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
    // Characters an IRI cannot hold (spaces, control characters such as a newline in a file name) and those
    // with a meaning in a URL are percent-encoded, byte by byte.
    for c in absolute.to_string_lossy().chars() {
        if c.is_control() || " %#?<>\"{}|\\^`".contains(c) {
            for byte in c.to_string().bytes() {
                url.push_str(&format!("%{byte:02X}"));
            }
        } else {
            url.push(c);
        }
    }
    NamedNode::new(url).map_err(|e| Error::invalid(path.display().to_string(), e.to_string()))
}

/// Parse a whole RDF file into quads, with `FILE:LINE:COLUMN` errors.
pub fn parse_file(path: &Path, format: RdfFormat) -> Result<Vec<Quad>> {
    let source = RdfSource::open(path, format)?;
    let quads = source.quads().collect::<Result<Vec<_>>>()?;
    source.finish(quads.len())?;
    Ok(quads)
}

/// Loaded data may never pass as the bundle's: a dataset that names one of the bundle's graphs (a source
/// document's, `inferred`, `entailed`, `catalogue`, `ontology`, `meta`) is refused, so that no loaded triple is
/// ever shown as stated by an official report.
fn refuse_reserved_graph(place: &str, quad: &Quad) -> Result<()> {
    match &quad.graph_name {
        GraphName::NamedNode(g) if vocab::is_bundled_graph(g.as_str()) => Err(Error::invalid(
            place,
            format!(
                "names the graph <{}>, which belongs to the bundled data; load your data into graphs of its own (another graph name, or triples without one)",
                g.as_str()
            ),
        )),
        _ => Ok(()),
    }
}

/// An RDF file read and checked up to parsing (regular file, UTF-8, byte order mark skipped, no entity bombs), with
/// the parser that puts its triples into the graph named after the file. Its quads can be read more than once
/// (a check, then a load) without keeping them in memory.
pub(crate) struct RdfSource {
    place: String,
    text: String,
    format: RdfFormat,
    parser: RdfParser,
}

impl RdfSource {
    /// Read `path` and check what can be checked before parsing.
    pub(crate) fn open(path: &Path, format: RdfFormat) -> Result<Self> {
        let bytes = read_regular_file(path)?;
        let place = path.display().to_string();
        let mut text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let bytes = e.as_bytes();
                let valid = &bytes[..e.utf8_error().valid_up_to()];
                let valid = std::str::from_utf8(valid).unwrap_or_default();
                return Err(Error::syntax_at(
                    place,
                    valid,
                    valid.len(),
                    "invalid UTF-8: RDF files must be UTF-8",
                ));
            }
        };
        // A byte order mark is allowed at the start of a UTF-8 file and means nothing.
        if text.starts_with('\u{FEFF}') {
            text.drain(..'\u{FEFF}'.len_utf8());
        }
        if format == RdfFormat::RdfXml {
            check_xml_entities(&place, &text)?;
        }
        let graph = file_graph_name(path)?;
        // The file's default graph becomes a named graph named after the file (queries see the union of named
        // graphs); the named graphs of TriG, N-Quads and JSON-LD files keep their names.
        let parser = RdfParser::from_format(format)
            .with_base_iri(graph.as_str())
            .map_err(|e| Error::invalid(&place, e.to_string()))?
            .with_default_graph(graph);
        Ok(RdfSource {
            place,
            text,
            format,
            parser,
        })
    }

    /// The file's quads, each a `FILE:LINE:COLUMN` error where the syntax is wrong.
    pub(crate) fn quads(&self) -> impl Iterator<Item = Result<Quad>> + '_ {
        self.parser
            .clone()
            .rename_blank_nodes()
            .for_slice(self.text.as_bytes())
            .map(|quad| {
                let quad = quad.map_err(|e| parse_error(&self.place, e))?;
                refuse_reserved_graph(&self.place, &quad)?;
                Ok(quad)
            })
    }

    /// The checks that need the whole file parsed: it held `count` quads, and an RDF/XML file was not cut short.
    pub(crate) fn finish(&self, count: usize) -> Result<()> {
        if self.format == RdfFormat::RdfXml {
            check_xml_closed(&self.place, &self.text)?;
        }
        if count == 0 {
            return Err(Error::invalid(
                &self.place,
                "contains no triples (an empty file, or only prefixes and comments)",
            ));
        }
        Ok(())
    }
}

/// The most text one entity of an RDF/XML DOCTYPE may stand for.
const MAX_ENTITY_BYTES: u64 = 64 * 1024;

/// Refuse RDF/XML whose DOCTYPE entities would expand to far more text than the file holds ("billion laughs":
/// entities defined as ten copies of the previous one). Oxigraph's parser expands every entity when it reads its
/// declaration, so this runs before: it computes the expanded size of each declared entity without expanding it,
/// refuses any entity that stands for more than 64 KiB, and refuses a document whose entity references add up to
/// more than 16 MiB plus four times the file's own size.
fn check_xml_entities(place: &str, text: &str) -> Result<()> {
    let Some(doctype) = text.find("<!DOCTYPE") else {
        return Ok(());
    };
    // The internal subset ends at the first `]>` (an entity value containing `]>` would end it early, which only
    // makes the check see fewer declarations than the parser; such a value is not valid XML anyway).
    let end = text[doctype..]
        .find("]>")
        .or_else(|| text[doctype..].find('>'))
        .map_or(text.len(), |i| doctype + i);
    let mut sizes: Vec<(&str, u64)> = Vec::new();
    let mut cursor = doctype;
    while let Some(i) = text[cursor..end].find("<!ENTITY") {
        let at = cursor + i;
        cursor = at + "<!ENTITY".len();
        let rest = text[cursor..end].trim_start();
        let rest = rest.strip_prefix('%').unwrap_or(rest).trim_start();
        let Some((name, rest)) = rest.split_once(|c: char| c.is_ascii_whitespace()) else {
            break;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue; // SYSTEM or PUBLIC: the parser refuses those itself.
        };
        let Some((value, _)) = rest[1..].split_once(quote) else {
            break;
        };
        let size = expanded_size(value, &sizes);
        if size > MAX_ENTITY_BYTES {
            return Err(Error::syntax_at(
                place,
                text,
                at,
                format!(
                    "the DOCTYPE entity {name:?} stands for more than 64 KiB of text (entities nested in entities, \"billion laughs\"); refused before expanding it"
                ),
            ));
        }
        sizes.push((name, size));
    }
    if sizes.is_empty() {
        return Ok(());
    }
    let total = expanded_size(&text[end..], &sizes);
    let allowed = 16 * 1024 * 1024 + 4 * text.len() as u64;
    if total > allowed {
        return Err(Error::syntax_at(
            place,
            text,
            doctype,
            "the document's entity references stand for far more text than the file holds (\"billion laughs\"); refused before expanding them",
        ));
    }
    Ok(())
}

/// The length of `text` once the references to the entities in `sizes` are replaced by their text.
fn expanded_size(text: &str, sizes: &[(&str, u64)]) -> u64 {
    let mut size = text.len() as u64;
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        rest = &rest[i + 1..];
        let Some(j) = rest.find(';').filter(|j| *j <= 256) else {
            continue;
        };
        let name = &rest[..j];
        // The last declaration wins in the parser (it keeps the latest value in a map).
        if let Some((_, n)) = sizes.iter().rev().find(|(declared, _)| *declared == name) {
            size = size.saturating_add(*n);
        }
        rest = &rest[j + 1..];
    }
    size
}

/// Refuse an RDF/XML document that ends before its elements are closed. Oxigraph's parser stops quietly at the
/// end of the input and keeps the triples it read, so a truncated download would load partially.
fn check_xml_closed(place: &str, text: &str) -> Result<()> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut open: Vec<String> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                open.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let offset = usize::try_from(reader.buffer_position()).unwrap_or(text.len());
                return Err(Error::syntax_at(
                    place,
                    text,
                    offset,
                    crate::model::error::one_line(&e.to_string()),
                ));
            }
        }
    }
    match open.last() {
        Some(name) => Err(Error::syntax_at(
            place,
            text,
            text.len(),
            format!(
                "the file ends before <{name}> is closed (a truncated file?); nothing was loaded"
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    use crate::data::test_support::mkfifo;

    #[test]
    fn a_fifo_is_refused_at_once_given_directly_or_in_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.ttl");
        mkfifo(&fifo);
        let started = Instant::now();
        let err = collect_rdf_files(&fifo, false, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("pipe.ttl") && err.contains("FIFO"), "{err}");
        let err = collect_rdf_files(dir.path(), false, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("FIFO"), "{err}");
        let err = parse_file(&fifo, RdfFormat::Turtle)
            .unwrap_err()
            .to_string();
        assert!(err.contains("FIFO"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    fn parse(name: &str, text: &str) -> Result<Vec<Quad>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        parse_file(&path, format_from_extension(&path).unwrap())
    }

    const RDF_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">
  <rdf:Description rdf:about="http://e/a"><e:p>one</e:p></rdf:Description>
  <rdf:Description rdf:about="http://e/b"><e:p>two</e:p></rdf:Description>
</rdf:RDF>
"#;

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let triple = "<http://e/a> <http://e/b> \"c\" .\n";
        for name in ["a.nt", "a.ttl", "a.nq", "a.trig"] {
            assert_eq!(
                parse(name, &format!("\u{FEFF}{triple}")).unwrap().len(),
                1,
                "{name}"
            );
        }
        assert_eq!(
            parse("a.rdf", &format!("\u{FEFF}{RDF_XML}")).unwrap().len(),
            2
        );
    }

    #[test]
    fn an_empty_file_is_a_clear_error() {
        for (name, text) in [
            ("e.ttl", ""),
            ("e.nt", "\u{FEFF}"),
            ("p.ttl", "@prefix e: <http://e/> .\n"),
        ] {
            let err = parse(name, text).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains("no triples"), "{err}");
        }
    }

    #[test]
    fn a_truncated_rdf_xml_file_is_an_error() {
        assert_eq!(parse("full.rdf", RDF_XML).unwrap().len(), 2);
        let cut = RDF_XML
            .find("<rdf:Description rdf:about=\"http://e/b\"")
            .unwrap();
        for end in [cut, cut + 10, RDF_XML.len() - 12] {
            let err = parse("cut.rdf", &RDF_XML[..end]).unwrap_err().to_string();
            assert!(
                err.contains("cut.rdf:") && err.lines().count() == 1,
                "{end}: {err}"
            );
        }
    }

    #[test]
    fn billion_laughs_is_refused_before_expansion() {
        let mut doctype = String::from("<!DOCTYPE rdf:RDF [\n<!ENTITY lol0 \"lol\">\n");
        for i in 1..10 {
            let refs = format!("&lol{};", i - 1).repeat(10);
            doctype.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
        }
        doctype.push_str("]>\n");
        let body = RDF_XML.replace("one", "&lol9;");
        let text = body.replacen("<rdf:RDF", &format!("{doctype}<rdf:RDF"), 1);
        let started = std::time::Instant::now();
        let err = parse("lol.rdf", &text).unwrap_err().to_string();
        assert!(
            err.contains("lol.rdf:") && err.contains("billion laughs"),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
        // Many references to a small entity: the expanded document is too large.
        let many = RDF_XML.replace("one", &"&lol4;".repeat(2000));
        let text = many.replacen("<rdf:RDF", &format!("{doctype}<rdf:RDF"), 1);
        let text = text
            .replace("<!ENTITY lol9", "<!ENTITY unused9")
            .replace("&lol8;", "x");
        let err = parse("many.rdf", &text).unwrap_err().to_string();
        assert!(err.contains("billion laughs"), "{err}");
        // Ordinary entities (namespace abbreviations) still work.
        let ok = RDF_XML
            .replacen(
                "<rdf:RDF",
                "<!DOCTYPE rdf:RDF [<!ENTITY e \"http://e/\">]>\n<rdf:RDF",
                1,
            )
            .replace("rdf:about=\"http://e/a\"", "rdf:about=\"&e;a\"");
        assert_eq!(parse("ok.rdf", &ok).unwrap().len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.ttl"),
            "<http://e/a> <http://e/b> <http://e/c> .",
        )
        .unwrap();
        std::os::unix::fs::symlink(".", dir.path().join("self")).unwrap();
        std::os::unix::fs::symlink("loop.ttl", dir.path().join("loop.ttl")).unwrap();
        let started = Instant::now();
        let err = collect_rdf_files(dir.path(), false, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.lines().count() == 1, "{err}");
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(err.contains("loop.ttl"), "{err}");
        std::fs::remove_file(dir.path().join("loop.ttl")).unwrap();
        let err = collect_rdf_files(&dir.path().join("self"), false, &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("leads back"), "{err}");
    }
}
