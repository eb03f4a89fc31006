//! Reading RDF files: which files a path names, their format, the graph they go into, and parsing them with
//! `FILE:LINE:COLUMN` errors. Used by the store's `load` and by the seed compiler (the ontology files).

use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSyntaxError};
use oxigraph::model::{GraphName, NamedNode, Quad};

use crate::model::error::{one_line, Error, Result};
use crate::model::format::RdfInput;
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

/// Open a file that must be a regular file. It is opened without blocking, so a path swapped for a FIFO after it
/// was listed is refused instead of waiting for a writer that never comes.
fn open_regular_file(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_a_regular_file(path, &meta));
    }
    Ok(file)
}

/// How much of a file is read at a time: files are never held whole, so that a load's memory is bounded by the
/// bulk loader's batches, whatever the file's size.
const BLOCK: usize = 1 << 16;

/// A file's bytes as the parser gets them: a byte order mark at the start skipped, and checked to be UTF-8 as they
/// pass, a block at a time. Where they are not, reading stops with an I/O error and the place of the first bad byte
/// is kept in `invalid`, so that the load reports it as `FILE:LINE:COLUMN`.
struct Utf8Reader<R> {
    inner: R,
    /// Bytes read and checked, not yet handed on: `buffer[start..ready]`; `buffer[ready..]` is the start of a
    /// character cut by the end of a block.
    buffer: Vec<u8>,
    start: usize,
    ready: usize,
    /// The line and column (in characters) after the bytes checked so far.
    line: u64,
    column: u64,
    at_start: bool,
    invalid: std::rc::Rc<std::cell::Cell<Option<(u64, u64)>>>,
}

impl<R: std::io::Read> Utf8Reader<R> {
    fn new(inner: R) -> Self {
        Utf8Reader {
            inner,
            buffer: Vec::with_capacity(BLOCK + 4),
            start: 0,
            ready: 0,
            line: 1,
            column: 1,
            at_start: true,
            invalid: std::rc::Rc::default(),
        }
    }

    /// Read the next block and check it; false at the end of the file.
    fn fill(&mut self) -> std::io::Result<bool> {
        self.buffer.drain(..self.ready);
        let kept = self.buffer.len();
        self.buffer.resize(kept + BLOCK, 0);
        let n = loop {
            match self.inner.read(&mut self.buffer[kept..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.buffer.truncate(kept + n);
        if self.at_start && (self.buffer.len() >= 3 || n == 0) {
            self.at_start = false;
            if self.buffer.starts_with("\u{FEFF}".as_bytes()) {
                self.buffer.drain(..3);
            }
        }
        let (valid, end_of_file) = match std::str::from_utf8(&self.buffer) {
            Ok(_) => (self.buffer.len(), n == 0),
            // A character cut by the end of the block: the rest comes with the next one.
            Err(e) if e.error_len().is_none() && n > 0 => (e.valid_up_to(), false),
            Err(e) => (e.valid_up_to(), true),
        };
        self.advance(valid);
        self.start = 0;
        self.ready = valid;
        if valid < self.buffer.len() && end_of_file {
            self.invalid.set(Some((self.line, self.column)));
            if valid == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "invalid UTF-8",
                ));
            }
        }
        Ok(n > 0 || valid > 0)
    }

    /// Count lines and columns over the next `len` checked bytes.
    fn advance(&mut self, len: usize) {
        let text = std::str::from_utf8(&self.buffer[..len]).unwrap_or_default();
        match text.rfind('\n') {
            Some(last) => {
                self.line += text.matches('\n').count() as u64;
                self.column = text[last + 1..].chars().count() as u64 + 1;
            }
            None => self.column += text.chars().count() as u64,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Utf8Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.start == self.ready {
            if self.invalid.get().is_some() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "invalid UTF-8",
                ));
            }
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.ready - self.start);
        out[..n].copy_from_slice(&self.buffer[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
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

/// The RDF files that `paths` name (each file, or every RDF file under a directory); none is an error.
pub fn rdf_files(paths: &[PathBuf], format: Option<RdfInput>) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        collect_rdf_files(path, format.is_some(), &mut files)?;
    }
    if files.is_empty() {
        return Err(Error::Usage(
            "no RDF files to load (known extensions: .ttl .trig .nt .nq .rdf .owl .xml .jsonld)"
                .into(),
        ));
    }
    Ok(files)
}

/// Every RDF file under `paths`, parsed whole (its format from `format` or its extension): for the callers that
/// must hold the quads before writing them (`load --strict`, `load --fresh FILES`).
pub fn parse_files(
    paths: &[PathBuf],
    format: Option<RdfInput>,
) -> Result<Vec<(PathBuf, Vec<Quad>)>> {
    let mut parsed = Vec::new();
    for file in rdf_files(paths, format)? {
        let rdf_format = match format {
            Some(f) => f.rdf_format(),
            None => format_from_extension(&file)?,
        };
        let quads = parse_file(&file, rdf_format)?;
        parsed.push((file, quads));
    }
    Ok(parsed)
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

/// An RDF file checked up to parsing (a regular file; for RDF/XML no entity bombs and no truncation, read a block at
/// a time), with the parser that puts its triples into the graph named after the file. Its quads are read from the
/// file as they are parsed (UTF-8 checked and a byte order mark skipped on the way), and can be read more than once
/// (a check, then a load) without keeping them, or the file, in memory.
pub(crate) struct RdfSource {
    place: String,
    path: PathBuf,
    parser: RdfParser,
}

impl RdfSource {
    /// Open `path` and check what can be checked before parsing.
    pub(crate) fn open(path: &Path, format: RdfFormat) -> Result<Self> {
        let place = path.display().to_string();
        let file = open_regular_file(path)?;
        if format == RdfFormat::RdfXml {
            check_xml_file(&place, path, file)?;
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
            path: path.to_path_buf(),
            parser,
        })
    }

    /// The file's quads, each a `FILE:LINE:COLUMN` error where the syntax or the UTF-8 is wrong.
    pub(crate) fn quads(&self) -> Box<dyn Iterator<Item = Result<Quad>> + '_> {
        let file = match open_regular_file(&self.path) {
            Ok(file) => file,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        let reader = Utf8Reader::new(file);
        let invalid = reader.invalid.clone();
        let mut failed = false;
        let quads = self
            .parser
            .clone()
            .rename_blank_nodes()
            .for_reader(std::io::BufReader::with_capacity(BLOCK, reader))
            .map_while(move |quad| {
                // The first error ends the file: the parser may not go on after a bad byte.
                if failed {
                    return None;
                }
                let quad = quad.map_err(|e| match invalid.get() {
                    Some((line, column)) => Error::Syntax {
                        place: self.place.clone(),
                        line,
                        column,
                        message: "invalid UTF-8: RDF files must be UTF-8".into(),
                    },
                    None => match e {
                        RdfParseError::Syntax(e) => parse_error(&self.place, e),
                        RdfParseError::Io(e) => Error::io(&self.path, e),
                    },
                });
                failed = quad.is_err();
                Some(quad.and_then(|quad| {
                    refuse_reserved_graph(&self.place, &quad)?;
                    Ok(quad)
                }))
            });
        Box::new(quads)
    }

    /// The checks that need the whole file parsed: it held `count` quads.
    pub(crate) fn finish(&self, count: usize) -> Result<()> {
        if count == 0 {
            return Err(Error::invalid(
                &self.place,
                "contains no triples (an empty file, or only prefixes and comments)",
            ));
        }
        Ok(())
    }
}

/// The RDF/XML checks, each reading the file a block at a time before the parser does: no DOCTYPE entity that
/// expands to a bomb, and no element left open at the end.
fn check_xml_file(place: &str, path: &Path, file: std::fs::File) -> Result<()> {
    use std::io::{Read, Seek};
    let mut reader = std::io::BufReader::with_capacity(BLOCK, file);
    let prologue = read_prologue(&mut reader).map_err(|e| Error::io(path, e))?;
    let Ok(prologue) = std::str::from_utf8(&prologue) else {
        // Not UTF-8: the parse reports where.
        return Ok(());
    };
    check_xml_entities(place, prologue, &mut reader).map_err(|e| match e {
        XmlCheck::Io(e) => Error::io(path, e),
        XmlCheck::Refused(e) => e,
    })?;
    let mut file = reader.into_inner();
    file.rewind().map_err(|e| Error::io(path, e))?;
    check_xml_closed(
        place,
        path,
        std::io::BufReader::with_capacity(BLOCK, file.by_ref()),
    )
}

/// The start of an RDF/XML file up to the end of its DOCTYPE's internal subset (`]>`), or up to the first element
/// when it has no DOCTYPE: the part that declares entities.
fn read_prologue(reader: &mut impl std::io::BufRead) -> std::io::Result<Vec<u8>> {
    let mut prologue = Vec::new();
    loop {
        let block = reader.fill_buf()?;
        if block.is_empty() {
            return Ok(prologue);
        }
        let n = block.len();
        prologue.extend_from_slice(block);
        reader.consume(n);
        let text = String::from_utf8_lossy(&prologue);
        match text.find("<!DOCTYPE") {
            Some(at) if text[at..].contains("]>") => return Ok(prologue),
            Some(_) => {}
            // No DOCTYPE before the first element: no entities.
            None if text.contains("<rdf:RDF") || text.len() > BLOCK => return Ok(prologue),
            None => {}
        }
    }
}

/// Why the entity check stopped.
enum XmlCheck {
    Io(std::io::Error),
    Refused(Error),
}

/// The most text one entity of an RDF/XML DOCTYPE may stand for.
const MAX_ENTITY_BYTES: u64 = 64 * 1024;

/// Refuse RDF/XML whose DOCTYPE entities would expand to far more text than the file holds ("billion laughs":
/// entities defined as ten copies of the previous one). Oxigraph's parser expands every entity when it reads its
/// declaration, so this runs before: it computes the expanded size of each declared entity without expanding it,
/// refuses any entity that stands for more than 64 KiB, and refuses a document whose entity references add up to
/// more than 16 MiB plus four times the file's own size.
fn check_xml_entities(
    place: &str,
    text: &str,
    body: &mut impl std::io::Read,
) -> std::result::Result<(), XmlCheck> {
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
        let size = expanded_size(value.as_bytes(), &sizes);
        if size > MAX_ENTITY_BYTES {
            return Err(XmlCheck::Refused(Error::syntax_at(
                place,
                text,
                at,
                format!(
                    "the DOCTYPE entity {name:?} stands for more than 64 KiB of text (entities nested in entities, \"billion laughs\"); refused before expanding it"
                ),
            )));
        }
        sizes.push((name, size));
    }
    if sizes.is_empty() {
        return Ok(());
    }
    // The rest of the file, a block at a time; a reference cut by the end of a block is counted with the next.
    let mut total = expanded_size(&text.as_bytes()[end..], &sizes);
    let mut length = text.len() as u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut block = vec![0; BLOCK];
    loop {
        let n = body.read(&mut block).map_err(XmlCheck::Io)?;
        if n == 0 {
            break;
        }
        length += n as u64;
        carry.extend_from_slice(&block[..n]);
        let cut = match carry.iter().rposition(|&b| b == b'&') {
            Some(i) if carry.len() - i <= 258 && !carry[i..].contains(&b';') => i,
            _ => carry.len(),
        };
        total = total.saturating_add(expanded_size(&carry[..cut], &sizes));
        carry.drain(..cut);
    }
    total = total.saturating_add(expanded_size(&carry, &sizes));
    let allowed = 16 * 1024 * 1024 + 4 * length;
    if total > allowed {
        return Err(XmlCheck::Refused(Error::syntax_at(
            place,
            text,
            doctype,
            "the document's entity references stand for far more text than the file holds (\"billion laughs\"); refused before expanding them",
        )));
    }
    Ok(())
}

/// The length of `text` once the references to the entities in `sizes` are replaced by their text.
fn expanded_size(text: &[u8], sizes: &[(&str, u64)]) -> u64 {
    let mut size = text.len() as u64;
    let mut rest = text;
    while let Some(i) = rest.iter().position(|&b| b == b'&') {
        rest = &rest[i + 1..];
        let Some(j) = rest.iter().position(|&b| b == b';').filter(|j| *j <= 256) else {
            continue;
        };
        let name = &rest[..j];
        // The last declaration wins in the parser (it keeps the latest value in a map).
        if let Some((_, n)) = sizes
            .iter()
            .rev()
            .find(|(declared, _)| declared.as_bytes() == name)
        {
            size = size.saturating_add(*n);
        }
        rest = &rest[j + 1..];
    }
    size
}

/// Refuse an RDF/XML document that ends before its elements are closed. Oxigraph's parser stops quietly at the
/// end of the input and keeps the triples it read, so a truncated download would load partially.
fn check_xml_closed(place: &str, path: &Path, file: impl std::io::BufRead) -> Result<()> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(file);
    reader.config_mut().check_end_names = true;
    let mut open: Vec<String> = Vec::new();
    let mut event = Vec::new();
    loop {
        event.clear();
        match reader.read_event_into(&mut event) {
            Ok(Event::Start(e)) => {
                open.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let (line, column) = place_in_file(path, reader.buffer_position())?;
                return Err(Error::Syntax {
                    place: place.to_owned(),
                    line,
                    column,
                    message: crate::model::error::one_line(&e.to_string()),
                });
            }
        }
    }
    match open.last() {
        Some(name) => {
            let (line, column) = place_in_file(path, u64::MAX)?;
            Err(Error::Syntax {
                place: place.to_owned(),
                line,
                column,
                message: format!(
                    "the file ends before <{name}> is closed (a truncated file?); nothing was loaded"
                ),
            })
        }
        None => Ok(()),
    }
}

/// The 1-based line and column (in characters) of a byte offset in a file (its end, for an offset past it), read
/// a block at a time.
fn place_in_file(path: &Path, offset: u64) -> Result<(u64, u64)> {
    use std::io::Read;
    let file = open_regular_file(path)?;
    let mut bytes = Vec::new();
    let mut line_start = 0u64;
    let (mut line, mut read) = (1u64, 0u64);
    let mut block = vec![0; BLOCK];
    let mut file = file.take(offset);
    loop {
        let n = file.read(&mut block).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        for (i, &b) in block[..n].iter().enumerate() {
            if b == b'\n' {
                line += 1;
                line_start = read + i as u64 + 1;
                bytes.clear();
            }
        }
        let from = usize::try_from(line_start.saturating_sub(read))
            .unwrap_or(n)
            .min(n);
        bytes.extend_from_slice(&block[from..n]);
        read += n as u64;
    }
    let column = String::from_utf8_lossy(&bytes)
        .trim_start_matches('\u{FEFF}')
        .chars()
        .count() as u64
        + 1;
    Ok((line, column))
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
    fn a_large_file_streams_and_bad_utf8_is_placed_across_blocks() {
        // Chinese literals put three-byte characters across the 64 KiB block boundaries.
        let line = "<http://e/a> <http://e/b> \"数据治理条目\" .\n";
        let lines = 3 * BLOCK / line.len();
        let text = line.repeat(lines);
        assert_eq!(parse("big.nt", &text).unwrap().len(), lines);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.nt");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"<http://e/a> <http://e/b> \"ab\xff\" .\n");
        std::fs::write(&path, &bytes).unwrap();
        let err = parse_file(&path, RdfFormat::NTriples)
            .unwrap_err()
            .to_string();
        let place = format!("bad.nt:{}:30: invalid UTF-8", lines + 1);
        assert!(err.contains(&place), "{err}");
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
