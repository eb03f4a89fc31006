//! Writing results to stdout: text as it is, values as pretty JSON, and atomic files for `-o`.

use std::io::{BufWriter, Write};

use policykg::{Error, Result};

/// Buffered, locked stdout.
pub(crate) fn stdout() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// Write bytes to stdout and flush.
pub(crate) fn write_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = stdout();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

/// Write text to stdout.
pub(crate) fn write_text(text: &str) -> Result<()> {
    write_bytes(text.as_bytes())
}

/// Write a value as pretty JSON and a newline.
pub(crate) fn write_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    write_text(&(to_json(value)? + "\n"))
}

/// A value as pretty JSON.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))
}
