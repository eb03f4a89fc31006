// The bundle's fingerprint, in one place for the two that compute it: `build.rs`, which embeds it in the binary, and
// the test in `bundle.rs` that checks the embedded value against the embedded files. Both `include!` this file.

/// SHA-256 over the crate version and each bundled file but the queries (which are read from the binary, never
/// stored) as path, NUL, text, NUL; the first 12 bytes in hexadecimal.
fn bundle_hash<'a>(version: &str, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(version);
    for (path, text) in files {
        if path.starts_with("queries/") {
            continue;
        }
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
