//! HTML helpers of the pages: escaping, links to local pages, the shared style, the 404 page.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::model::vocab;

/// Text escaped for HTML content and attribute values.
pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Is this an http or https IRI, the only kind a page links to (a `javascript:` or `data:` IRI in loaded
/// data is shown as text)?
pub(super) fn is_web_iri(iri: &str) -> bool {
    let scheme = iri.split_once("://").map_or("", |(scheme, _)| scheme);
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// A link to the page of a project IRI on this server, a link to another http(s) IRI, or else the label as
/// text. Call it for IRIs only: a literal is never a link.
pub(super) fn local_link(iri: &str, label: &str) -> String {
    match iri.strip_prefix(vocab::BASE) {
        Some(path) if path.starts_with("id/") || path.starts_with("doc/") => {
            format!("<a href=\"/{}\">{}</a>", esc(path), esc(label))
        }
        _ if is_web_iri(iri) => format!("<a href=\"{}\">{}</a>", esc(iri), esc(label)),
        _ => esc(label),
    }
}

/// The path of a project IRI on this server (without the leading `/`), or the IRI itself.
pub(super) fn local_path(iri: &str) -> &str {
    iri.strip_prefix(vocab::BASE).unwrap_or(iri)
}

/// The icon and style every page carries in its `<head>`.
pub(super) const PAGE_STYLE: &str = "<link rel=\"icon\" href=\"data:,\"><style>body{font-family:'Noto Sans CJK SC','Noto Sans SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}.quote{background:#fff6dc}.inferred{color:#8a4baf}mark{background:#ffd54f}pre.text{white-space:pre-wrap;line-height:1.7}</style>";

/// The 404 page of a path that names nothing here; it does not repeat the path.
pub(super) fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(format!(
            "<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>Not found · policykg</title>{PAGE_STYLE}</head><body>\
             <p><a href=\"/\">policykg</a></p><h1>Not found 未找到</h1><p>No resource has this address.</p></body></html>"
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_links() {
        assert_eq!(esc("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
        assert_eq!(
            local_link("https://w3id.org/policykg/id/sufuban", "省政务办"),
            "<a href=\"/id/sufuban\">省政务办</a>"
        );
        assert_eq!(
            local_link("https://example.org/x", "x"),
            "<a href=\"https://example.org/x\">x</a>"
        );
        assert_eq!(local_link("2024", "2024"), "2024");
        for hostile in [
            "javascript:alert(1)//://x",
            "JavaScript://%0aalert(1)",
            "data:text/html,<b>://</b>",
            "file:///etc/passwd",
        ] {
            assert!(!local_link(hostile, hostile).contains("<a"), "{hostile}");
            assert!(!local_link(hostile, hostile).contains("<b>"), "{hostile}");
        }
        assert!(local_link("HTTP://example.org/", "e").starts_with("<a href"));
        assert_eq!(local_path("https://w3id.org/policykg/doc/d"), "doc/d");
    }
}
