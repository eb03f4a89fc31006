//! Dates at the precision a text gives them (2025, 2025-09, 2025-09-28) and the days they can stand for: the
//! seed compiler writes the bounds into the graph, and time questions compare days with them, so that a year-only
//! date is neither dropped nor read as 1 January.

/// How much of a date the text gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// `2025`: somewhere in that year.
    Year,
    /// `2025-09`: somewhere in that month.
    Month,
    /// `2025-09-28`: that day.
    Day,
}

impl Precision {
    /// The word tables show.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Month => "month",
            Precision::Day => "day",
        }
    }
}

/// A date as written, with the first and last day it can be (`YYYY-MM-DD`, which sort as they compare).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DateSpan {
    /// The date as written.
    pub written: String,
    /// How precise it is.
    pub precision: Precision,
    /// The first day it can be.
    pub earliest: String,
    /// The last day it can be.
    pub latest: String,
}

impl DateSpan {
    /// The span of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; None for anything else or a day the month does not have.
    pub fn parse(text: &str) -> Option<DateSpan> {
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, len: usize| {
            (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let (precision, y, first, last) = match parts.as_slice() {
            [y] => (Precision::Year, number(y, 4)?, (1, 1), (12, 31)),
            [y, m] => {
                let (y, m) = (number(y, 4)?, number(m, 2)?);
                (Precision::Month, y, (m, 1), (m, month_days(y, m)?))
            }
            [y, m, d] => {
                let (y, m, d) = (number(y, 4)?, number(m, 2)?, number(d, 2)?);
                (d >= 1 && d <= month_days(y, m)?).then_some(())?;
                (Precision::Day, y, (m, d), (m, d))
            }
            _ => return None,
        };
        Some(DateSpan {
            written: text.to_owned(),
            precision,
            earliest: format!("{y:04}-{:02}-{:02}", first.0, first.1),
            latest: format!("{y:04}-{:02}-{:02}", last.0, last.1),
        })
    }

    /// A single day (`YYYY-MM-DD`), as a time question takes it.
    pub fn day(text: &str) -> Option<DateSpan> {
        Self::parse(text).filter(|s| s.precision == Precision::Day)
    }
}

/// How many days month `m` of year `y` has; None when `m` is not a month.
fn month_days(y: u32, m: u32) -> Option<u32> {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_spans_the_whole_year() {
        let s = DateSpan::parse("2025").unwrap();
        assert_eq!(
            (s.earliest.as_str(), s.latest.as_str()),
            ("2025-01-01", "2025-12-31")
        );
        assert_eq!(s.precision, Precision::Year);
    }

    #[test]
    fn a_month_ends_on_its_last_day() {
        assert_eq!(DateSpan::parse("2024-02").unwrap().latest, "2024-02-29");
        assert_eq!(DateSpan::parse("2025-02").unwrap().latest, "2025-02-28");
        assert_eq!(DateSpan::parse("1900-02").unwrap().latest, "1900-02-28");
        assert_eq!(DateSpan::parse("2025-09").unwrap().earliest, "2025-09-01");
    }

    #[test]
    fn a_day_is_its_own_span_and_must_exist() {
        let s = DateSpan::parse("2025-09-28").unwrap();
        assert_eq!(
            (s.earliest.as_str(), s.latest.as_str()),
            ("2025-09-28", "2025-09-28")
        );
        assert!(DateSpan::parse("2025-02-30").is_none());
        assert!(DateSpan::parse("2025-13").is_none());
        assert!(DateSpan::parse("25-01-01").is_none());
        assert!(DateSpan::day("2025").is_none());
    }
}
