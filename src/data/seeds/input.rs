//! Where the inputs of a compilation come from: the bundle compiled into the binary, or a checkout on disk.

use std::path::{Path, PathBuf};

use super::SeedInput;
use crate::data::bundle;
use crate::model::error::{Error, Result};

impl SeedInput {
    /// The data compiled into the binary.
    pub fn bundled() -> Self {
        let documents = bundle::FILES
            .iter()
            .filter(|(p, _)| p.starts_with("seeds/documents/") && p.ends_with(".txt"))
            .map(|(p, t)| (file_name(p).to_owned(), (*t).to_owned()))
            .collect();
        SeedInput {
            ontology: bundle::ontology()
                .map(|f| (f.path.to_owned(), f.text.to_owned()))
                .collect(),
            seeds: bundle::seed_files()
                .map(|f| (f.path.to_owned(), f.text.to_owned()))
                .collect(),
            documents,
        }
    }

    /// The data of a project checkout on disk (`DIR/ontology`, `DIR/seeds`), for `policykg check-seeds`.
    pub fn from_dir(root: &Path) -> Result<Self> {
        let mut ontology = read_all(root, "ontology", "ttl")?;
        // The shapes describe the graph; they are not part of the vocabulary it is compiled with.
        ontology.retain(|(path, _)| path.replace('\\', "/") != bundle::SHAPES);
        let seeds = read_all(root, "seeds", "toml")?;
        let documents = read_all(root, "seeds/documents", "txt")?
            .into_iter()
            .map(|(p, t)| (file_name(&p).to_owned(), t))
            .collect();
        Ok(SeedInput {
            ontology,
            seeds,
            documents,
        })
    }
}

/// The last component of a path, which is how seeds name their document files (`file = "report.txt"`).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Every `*.EXT` file under `ROOT/DIR`, sorted by path so that messages come in a stable order.
fn read_all(root: &Path, dir: &str, ext: &str) -> Result<Vec<(String, String)>> {
    let mut paths = Vec::new();
    walk(&root.join(dir), ext, &mut paths)?;
    paths.sort();
    paths.iter().map(|p| read_text(root, p)).collect()
}

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            walk(&path, ext, out)?;
        } else if path.extension().and_then(|e| e.to_str()) == Some(ext) {
            out.push(path);
        }
    }
    Ok(())
}

/// A file as `(path relative to ROOT, for messages; its UTF-8 text)`.
fn read_text(root: &Path, path: &Path) -> Result<(String, String)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::invalid(
            path.display().to_string(),
            format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    let shown = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    Ok((shown, text))
}
