//! Content negotiation: the media types each kind of answer is offered in, and the choice by `Accept`.

use axum::http::{header, HeaderMap};

use crate::model::format::{ExportFormat, Format, QueryFormat};

/// What the answer of a SELECT or ASK can be written in, best first.
pub(super) const SOLUTION_TYPES: &[(&str, QueryFormat)] = &[
    ("application/sparql-results+json", QueryFormat::Json),
    ("application/json", QueryFormat::Json),
    ("application/sparql-results+xml", QueryFormat::Xml),
    ("application/xml", QueryFormat::Xml),
    ("text/csv", QueryFormat::Csv),
    ("text/tab-separated-values", QueryFormat::Tsv),
];

/// What the answer of a CONSTRUCT or DESCRIBE can be written in, best first.
pub(super) const GRAPH_TYPES: &[(&str, QueryFormat)] = &[
    ("text/turtle", QueryFormat::Turtle),
    ("application/n-triples", QueryFormat::NTriples),
    ("application/ld+json", QueryFormat::JsonLd),
    ("application/rdf+xml", QueryFormat::RdfXml),
    ("application/n-quads", QueryFormat::NQuads),
];

/// What a resource page (entity, evidence) can be served as.
pub(super) const RESOURCE_TYPES: &[(&str, Page)] = &[
    ("text/html", Page::Html),
    ("text/turtle", Page::Rdf(ExportFormat::Turtle)),
    ("application/ld+json", Page::Rdf(ExportFormat::JsonLd)),
    ("application/n-triples", Page::Rdf(ExportFormat::NTriples)),
    ("application/rdf+xml", Page::Rdf(ExportFormat::RdfXml)),
];

/// The 406 message of a resource page.
pub(super) const RESOURCE_TYPES_TEXT: &str =
    "available: text/html, text/turtle, application/ld+json, application/n-triples, application/rdf+xml";

/// What a listing (the index pages `/id/`, `/doc/`, and `/search`) can be served as.
pub(super) const INDEX_TYPES: &[(&str, Listing)] = &[
    ("text/html", Listing::Html),
    ("application/json", Listing::Json),
];

/// What a listing is served as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Listing {
    /// The HTML page.
    Html,
    /// The list as JSON.
    Json,
}

/// The 406 message of a listing.
pub(super) const INDEX_TYPES_TEXT: &str = "available: text/html, application/json";

/// What a resource is served as: a page for people, or its RDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Page {
    /// The HTML page.
    Html,
    /// The resource's quads in an RDF format.
    Rdf(ExportFormat),
}

impl Page {
    /// The `Content-Type` of the page.
    pub(super) fn media_type(self) -> &'static str {
        match self {
            Page::Html => Format::Html.media_type(),
            Page::Rdf(f) => Format::from(f).media_type(),
        }
    }
}

/// The request's `Accept` header, if it is text.
pub(super) fn accept(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok())
}

/// The best offered format the `Accept` header allows (the first offer without one), or None (406).
pub(super) fn negotiate<F: Copy>(accept: Option<&str>, offers: &[(&str, F)]) -> Option<F> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return offers.first().map(|(_, format)| *format);
    };
    let mut best: Option<(f32, usize, F)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        for (i, (offer, format)) in offers.iter().enumerate() {
            let matches = media == *offer
                || media == "*/*"
                || (media.ends_with("/*") && offer.starts_with(media.trim_end_matches('*')));
            if matches && best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
                best = Some((q, i, *format));
            }
        }
    }
    best.map(|(_, _, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_quality_and_order() {
        assert_eq!(negotiate(None, SOLUTION_TYPES), Some(QueryFormat::Json));
        assert_eq!(
            negotiate(Some("text/csv"), SOLUTION_TYPES),
            Some(QueryFormat::Csv)
        );
        assert_eq!(
            negotiate(
                Some("text/csv;q=0.5, application/sparql-results+xml"),
                SOLUTION_TYPES
            ),
            Some(QueryFormat::Xml)
        );
        assert_eq!(
            negotiate(Some("*/*"), GRAPH_TYPES),
            Some(QueryFormat::Turtle)
        );
        assert_eq!(negotiate(Some("image/png"), SOLUTION_TYPES), None);
    }

    #[test]
    fn resources_default_to_html_and_offer_rdf() {
        assert_eq!(negotiate(Some(""), RESOURCE_TYPES), Some(Page::Html));
        assert_eq!(
            negotiate(Some("text/turtle"), RESOURCE_TYPES),
            Some(Page::Rdf(ExportFormat::Turtle))
        );
        assert_eq!(negotiate(Some("text/*;q=0"), RESOURCE_TYPES), None);
        let empty: &[(&str, Page)] = &[];
        assert_eq!(negotiate(None, empty), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// An `Accept` header: arbitrary text, or media ranges with parameters and odd quality values.
        fn accept_header() -> impl Strategy<Value = String> {
            let range = "(\\*|text|application|image|[a-z+.-]{0,6})/(\\*|csv|turtle|html|json|[a-z+.-]{0,12})";
            let parameter =
                "(;q=(0|1|0\\.[0-9]{1,3}|-1|NaN|inf|1e9|)|;charset=utf-8|;level=1|;|;q)?";
            let ranges = proptest::collection::vec((range, parameter), 0..5).prop_map(|r| {
                r.iter()
                    .map(|(m, p)| format!("{m}{p}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            prop_oneof![any::<String>(), ranges]
        }

        /// Whether `found` is one of the offers' formats.
        fn offered<F: PartialEq>(found: &F, offers: &[(&str, F)]) -> bool {
            offers.iter().any(|(_, f)| f == found)
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

            #[test]
            fn any_accept_header_gives_an_offer_or_none(accept in accept_header()) {
                let solutions = negotiate(Some(&accept), SOLUTION_TYPES);
                prop_assert!(solutions.is_none_or(|f| offered(&f, SOLUTION_TYPES)));
                let graphs = negotiate(Some(&accept), GRAPH_TYPES);
                prop_assert!(graphs.is_none_or(|f| offered(&f, GRAPH_TYPES)));
                let page = negotiate(Some(&accept), RESOURCE_TYPES);
                prop_assert!(page.is_none_or(|f| offered(&f, RESOURCE_TYPES)));
                // Whatever comes first, a client that also takes anything gets an answer.
                let anything = format!("{accept},*/*");
                prop_assert!(negotiate(Some(&anything), SOLUTION_TYPES).is_some());
            }

            #[test]
            fn an_exact_offer_is_chosen_over_lower_quality_others(i in 0usize..6, q in 0.01f32..0.99) {
                let (media, format) = SOLUTION_TYPES[i];
                let accept = format!("image/png, */*;q={q:.2}, {media}");
                let chosen = negotiate(Some(&accept), SOLUTION_TYPES);
                prop_assert_eq!(chosen, Some(format));
            }
        }
    }
}
