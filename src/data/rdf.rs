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
    let bytes = read_regular_file(path)?;
    let place = path.display().to_string();
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

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
