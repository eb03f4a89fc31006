//! Literals from seed values: dates at the precision written, decimals, and text tagged by its script.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, Quad, Term};
use toml::Spanned;

use crate::model::dates::DateSpan;
use crate::model::vocab;

/// A date as `xsd:gYear`, `xsd:gYearMonth` or `xsd:date`: a report that says "2025" must not become 1 January.
pub(super) fn date_literal(value: &str) -> Option<Literal> {
    let parts: Vec<&str> = value.split('-').collect();
    let numeric = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] if numeric(y, 4) => Some(Literal::new_typed_literal(value, xsd::G_YEAR)),
        [y, m] if numeric(y, 4) && numeric(m, 2) && (1..=12).contains(&m.parse::<u8>().ok()?) => {
            Some(Literal::new_typed_literal(value, xsd::G_YEAR_MONTH))
        }
        [y, m, d]
            if numeric(y, 4)
                && numeric(m, 2)
                && numeric(d, 2)
                && (1..=12).contains(&m.parse::<u8>().ok()?)
                && (1..=31).contains(&d.parse::<u8>().ok()?) =>
        {
            Some(Literal::new_typed_literal(value, xsd::DATE))
        }
        _ => None,
    }
}

/// `pk:earliest` and `pk:latest` (`xsd:date`) for every dated subject: the first and last day its date can be, so
/// that `FILTER(?latest <= "2023-06-01"^^xsd:date)` keeps year-only dates. A document's `pk:yearCovered` is the
/// period it reports on, not when anything happened, and gets none.
pub(super) fn date_bounds(quads: &[Quad]) -> Vec<Quad> {
    let covered = vocab::pk("yearCovered");
    let mut out = Vec::new();
    for q in quads.iter().filter(|q| q.predicate != covered) {
        let Term::Literal(l) = &q.object else {
            continue;
        };
        if ![xsd::G_YEAR, xsd::G_YEAR_MONTH, xsd::DATE].contains(&l.datatype()) {
            continue;
        }
        let Some(span) = DateSpan::parse(l.value()) else {
            continue;
        };
        for (p, day) in [("earliest", span.earliest), ("latest", span.latest)] {
            let bound = Literal::new_typed_literal(day, xsd::DATE);
            out.push(Quad::new(
                q.subject.clone(),
                vocab::pk(p),
                bound,
                q.graph_name.clone(),
            ));
        }
    }
    out
}

/// The message for a value that is not a date.
pub(super) fn not_a_date(value: &str) -> String {
    format!("{value:?} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
}

/// A number as `xsd:decimal`, which keeps what was written (no binary floating point in the graph).
pub(super) fn decimal_literal(value: &toml::Value) -> Result<Literal, String> {
    match value {
        toml::Value::Integer(i) => Ok(Literal::new_typed_literal(i.to_string(), xsd::DECIMAL)),
        toml::Value::Float(f) if f.is_finite() => {
            let mut s = format!("{f}");
            if !s.contains('.') {
                s.push_str(".0");
            }
            Ok(Literal::new_typed_literal(s, xsd::DECIMAL))
        }
        other => Err(format!("expected a number, not {}", other.type_str())),
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

/// Text tagged `@zh` when it has Chinese characters, plain otherwise (units like "%", codes like "12345").
pub(super) fn text_literal(value: &str) -> Literal {
    if has_cjk(value) {
        zh(value)
    } else {
        Literal::new_simple_literal(value)
    }
}

/// Chinese text.
pub(super) fn zh(value: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(value, "zh")
}

/// English text.
pub(super) fn en(value: &str) -> Literal {
    Literal::new_language_tagged_literal_unchecked(value, "en")
}

/// The literal for `value` of a datatype `property` with `range`: the range decides, except for the date
/// properties, whose precision is the curator's.
pub(super) fn typed_literal(
    property: &str,
    range: Option<&str>,
    value: &Spanned<toml::Value>,
) -> Result<Literal, String> {
    let is_date = matches!(property, "date" | "inForceFrom");
    match value.get_ref() {
        toml::Value::String(s) if is_date => date_literal(s).ok_or_else(|| not_a_date(s)),
        toml::Value::Integer(i) if range == Some(xsd::INTEGER.as_str()) => Ok(Literal::from(*i)),
        toml::Value::Integer(_) | toml::Value::Float(_) if range == Some(xsd::DECIMAL.as_str()) => {
            decimal_literal(value.get_ref())
        }
        // Text: tagged @zh when Chinese (a place name as written), so `rdf:langString` takes strings too.
        toml::Value::String(s)
            if range.is_none()
                || range == Some(xsd::STRING.as_str())
                || range == Some(rdf::LANG_STRING.as_str()) =>
        {
            Ok(text_literal(s))
        }
        other => Err(format!(
            "{property} expects {}, not {}",
            range
                .map(vocab::shorten)
                .unwrap_or_else(|| "a string".into()),
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(date_literal("2025").unwrap().datatype(), xsd::G_YEAR);
        assert_eq!(
            date_literal("2025-09").unwrap().datatype(),
            xsd::G_YEAR_MONTH
        );
        assert_eq!(date_literal("2025-09-28").unwrap().datatype(), xsd::DATE);
        assert!(date_literal("2025-13").is_none());
        assert!(date_literal("9月28日").is_none());
    }
}
