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

/// Write text for people to stdout, with control characters made visible (see [`visible`]).
pub(crate) fn write_text(text: &str) -> Result<()> {
    write_bytes(visible(text).as_bytes())
}

/// Text as a terminal should show it: control characters other than line breaks and tabs, and the Unicode
/// bidirectional overrides, become `\u{…}` escapes, so that a label in loaded data cannot move the cursor,
/// recolour the terminal or reverse the text around it.
pub(crate) fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    };
    if !text.chars().any(hidden) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if hidden(c) {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Write a value as pretty JSON and a newline.
pub(crate) fn write_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    write_text(&(to_json(value)? + "\n"))
}

/// A value as pretty JSON.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Usage(format!("cannot write JSON: {e}")))
}

/// Records as CSV with a header row, as text.
pub(crate) fn to_csv<R: AsRef<[String]>>(header: &[&str], records: &[R]) -> Result<String> {
    let bad = |e: &dyn std::fmt::Display| Error::Usage(format!("cannot write CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header).map_err(|e| bad(&e))?;
    for r in records {
        out.write_record(r.as_ref()).map_err(|e| bad(&e))?;
    }
    let bytes = out.into_inner().map_err(|e| bad(&e))?;
    String::from_utf8(bytes).map_err(|e| bad(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_are_made_visible() {
        assert_eq!(visible("苏服办\n\tx"), "苏服办\n\tx");
        assert_eq!(visible("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(visible("\u{202E}abc"), "\\u{202e}abc");
        assert_eq!(visible("x\u{7}\r"), "x\\u{7}\\u{d}");
    }
}
