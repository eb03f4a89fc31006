//! What is derived from the whole store and too slow to derive in every process (the graph projection, the
//! counts of `stats`, the size of the loaded graphs the search index was built from, the facts `as-of` and `timeline`
//! read), kept as files in the store's
//! folder under the store's state.
//!
//! A cold command should cost what opening the store costs (about 20 ms), whatever else is stored; deriving the
//! projection from RocksDB costs 100 ms on the bundle alone. So the first process after a change derives it and
//! writes it beside the store, keyed by [`KgStore::state`] (which every write changes) and by the binary that
//! wrote it (whose code decides what is derived); every later process reads it back while both still match. A
//! stale file is never read: a load, a server update or a rebuild changes the state, and the next reader derives
//! afresh.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::data::output::{write_atomically, write_atomically_from};
use crate::data::store::KgStore;
use crate::model::error::{Error, Result};

/// `name`'s value for the store as it is now: read from `policykg-NAME.json` in the store's folder when that was
/// written for this state of the store by this binary, else `build()` (and written there for the next process, if
/// the folder lets us). An in-memory store always builds.
pub fn cached<T: Serialize + DeserializeOwned>(
    kg: &KgStore,
    name: &str,
    build: impl FnOnce() -> Result<T>,
) -> Result<T> {
    kept(
        kg,
        &format!("policykg-{name}.json"),
        build,
        |value| serde_json::to_vec(value).ok().map(Cow::Owned),
        |bytes| serde_json::from_slice(&bytes).ok(),
    )
}

/// Bytes derived from the whole store (a whole-store export), kept as they are in `policykg-NAME` under the same
/// rule as [`cached`]: written by the first process after a change, read back by later ones. Bytes over
/// [`MAX_KEPT_BYTES`] are not kept. Kept bytes come back as the open file, so that they are copied to their
/// destination by the kernel rather than read into memory (the bundle's N-Quads are 26 MB).
pub fn cached_bytes(
    kg: &KgStore,
    name: &str,
    build: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<DerivedBytes> {
    let (Some(folder), Some(key)) = (kg.folder(), key(kg)) else {
        return build().map(DerivedBytes::Built);
    };
    let path = folder.join(format!("policykg-{name}"));
    if let Some((file, len)) = open(&path, &key) {
        return Ok(DerivedBytes::Kept(file, len));
    }
    let bytes = build()?;
    if bytes.len() <= MAX_KEPT_BYTES {
        // A read-only folder only costs the next process the build again.
        let _ = keep(&path, &key, &bytes);
    }
    Ok(DerivedBytes::Built(bytes))
}

/// What [`cached_bytes`] gives: bytes built by this process, or a kept file positioned after its key line, with
/// the length of what follows.
pub enum DerivedBytes {
    /// Built now.
    Built(Vec<u8>),
    /// Kept by an earlier process.
    Kept(File, u64),
}

impl DerivedBytes {
    /// How many bytes there are.
    pub fn len(&self) -> u64 {
        match self {
            DerivedBytes::Built(bytes) => bytes.len() as u64,
            DerivedBytes::Kept(_, len) => *len,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Write them to `path` atomically (`-` for standard output).
    pub fn write_to(self, path: &Path) -> Result<()> {
        match self {
            DerivedBytes::Built(bytes) => write_atomically(path, &bytes),
            DerivedBytes::Kept(mut file, _) => write_atomically_from(path, &mut file),
        }
    }

    /// All of them in memory.
    pub fn into_vec(self) -> Result<Vec<u8>> {
        match self {
            DerivedBytes::Built(bytes) => Ok(bytes),
            DerivedBytes::Kept(mut file, len) => {
                let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
                file.read_to_end(&mut bytes)
                    .map_err(|e| Error::io("<kept export>", e))?;
                Ok(bytes)
            }
        }
    }
}

/// The largest bytes [`cached_bytes`] keeps: a copy beside the store costs its size on disk, and deriving bytes
/// this large costs seconds either way (the bundle's exports are a few MiB).
pub const MAX_KEPT_BYTES: usize = 64 << 20;

/// The value kept in `file_name` in the store's folder for this state and binary, else `build()`, written there
/// (as `encode` gives it) for the next process.
fn kept<T>(
    kg: &KgStore,
    file_name: &str,
    build: impl FnOnce() -> Result<T>,
    encode: fn(&T) -> Option<Cow<'_, [u8]>>,
    decode: impl FnOnce(Vec<u8>) -> Option<T>,
) -> Result<T> {
    let (Some(folder), Some(key)) = (kg.folder(), key(kg)) else {
        return build();
    };
    let path = folder.join(file_name);
    if let Some(value) = read(&path, &key).and_then(decode) {
        return Ok(value);
    }
    let value = build()?;
    // A read-only folder only costs the next process the build again.
    if let Some(bytes) = encode(&value) {
        let _ = keep(&path, &key, &bytes);
    }
    Ok(value)
}

/// What a file must have been written for: this state of the store, by this binary.
fn key(kg: &KgStore) -> Option<String> {
    Some(format!("{} {}", kg.state()?, binary()?))
}

/// The running binary, by size and modification time: a rebuilt binary may derive things differently.
fn binary() -> Option<String> {
    let meta = std::env::current_exe().ok()?.metadata().ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{}.{}", meta.len(), modified.as_nanos()))
}

/// What `path` holds after its first line, if that line is `key`; a missing or stale file holds nothing.
fn read(path: &Path, key: &str) -> Option<Vec<u8>> {
    let (mut file, len) = open(path, key)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).ok()?);
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// `path` opened and read past its first line, if that line is `key`, with the length of the rest.
fn open(path: &Path, key: &str) -> Option<(File, u64)> {
    let mut file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let mut line = vec![0; key.len() + 1];
    file.read_exact(&mut line).ok()?;
    (line[..key.len()] == *key.as_bytes() && line[key.len()] == b'\n')
        .then_some((file, size - line.len() as u64))
}

/// Write `key`, a newline, and the value's bytes, atomically.
fn keep(path: &Path, key: &str, value: &[u8]) -> Result<()> {
    let mut bytes = Vec::with_capacity(key.len() + 1 + value.len());
    bytes.extend_from_slice(key.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(value);
    write_atomically(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::Silent;

    #[test]
    fn a_value_is_kept_for_its_state_and_derived_again_after_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let kg = KgStore::open(&dir.path().join("store"), false, &Silent).unwrap();
        let count = |kg: &KgStore| kg.store().len().unwrap();
        let first = cached(&kg, "count", || Ok(count(&kg))).unwrap();
        // Kept: the next call reads the file, not the store.
        let again: usize = cached(&kg, "count", || panic!("derived again")).unwrap();
        assert_eq!(again, first);
        // A write changes the state: the kept value is not read.
        let data = dir.path().join("one.nt");
        std::fs::write(&data, "<http://e/a> <http://e/p> \"x\" .\n").unwrap();
        kg.load(&[data], None, &Silent).unwrap();
        let after = cached(&kg, "count", || Ok(count(&kg))).unwrap();
        assert!(after > first, "{after} after {first}");
        // A file for another state or binary is not trusted either.
        let path = kg.folder().unwrap().join("policykg-count.json");
        std::fs::write(&path, "another-state\n1").unwrap();
        assert_eq!(cached(&kg, "count", || Ok(count(&kg))).unwrap(), after);
        // In memory, nothing is kept.
        let memory = KgStore::in_memory().unwrap();
        assert_eq!(cached(&memory, "count", || Ok(7)).unwrap(), 7);
        assert_eq!(cached(&memory, "count", || Ok(8)).unwrap(), 8);
    }
}
