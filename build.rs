//! Embeds the bundled data (ontology, seed files, source documents, named queries) into the binary, so that
//! `policykg` works from any directory. The list is generated from the folders, so adding a seed file or a
//! query needs no code change. The bundle's fingerprint is hashed here too: hashing a megabyte and a half of text
//! cost every cold process 35 M instructions (a third of a `describe`).

#![allow(
    clippy::unwrap_used,
    reason = "a build script that cannot read the bundled files must stop the build"
)]

use std::fs;
use std::path::{Path, PathBuf};

include!("src/data/bundle_hash.rs");

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut files = Vec::new();
    for dir in ["ontology", "seeds", "queries"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(&root.join(dir), &mut files);
    }
    files.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("ttl" | "toml" | "txt" | "rq" | "jsonld")
        )
    });
    files.sort();
    let mut code = String::from("/// Every bundled data file: (path relative to the crate root, contents).\npub static FILES: &[(&str, &str)] = &[\n");
    let mut texts: Vec<(String, String)> = Vec::new();
    for path in &files {
        let relative = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            path.to_string_lossy()
        ));
        texts.push((relative, fs::read_to_string(path).unwrap()));
    }
    code.push_str("];\n");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap();
    let digest = bundle_hash(
        &version,
        texts.iter().map(|(p, t)| (p.as_str(), t.as_str())),
    );
    code.push_str(&format!(
        "/// The fingerprint of the files above (see `fingerprint`).\nconst FINGERPRINT: &str = {digest:?};\n"
    ));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("bundle_files.rs");
    fs::write(out, code).unwrap();
}
