//! The SPARQL 1.1 Protocol at `/sparql`: query and update parameters (GET, POST query, POST form), the
//! protocol dataset, queries under the deadline, updates with the bearer token, and the service description.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::errors::{blocking, error_response, from_error};
use super::negotiate::{accept, negotiate, GRAPH_TYPES, SOLUTION_TYPES};
use super::{worker, Shared};
use crate::graph::projection::Projection;
use crate::model::error::{one_line, Error, Result};
use crate::model::format::{Format, QueryFormat};
use crate::read::query::{self, DatasetSpec};
use crate::read::resolve::LabelIndex;

/// The parameters of a protocol request.
#[derive(Default)]
struct Params {
    query: Option<String>,
    update: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
}

fn parse_params(raw: &[u8], into: &mut Params) {
    for (k, v) in form_urlencoded::parse(raw) {
        match k.as_ref() {
            "query" => into.query = Some(v.into_owned()),
            "update" => into.update = Some(v.into_owned()),
            "default-graph-uri" => into.default_graphs.push(v.into_owned()),
            "named-graph-uri" => into.named_graphs.push(v.into_owned()),
            _ => {}
        }
    }
}

/// `GET /sparql`: a query, or the service description.
pub(super) async fn sparql_get(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut params = Params::default();
    parse_params(raw.unwrap_or_default().as_bytes(), &mut params);
    match params.query.take() {
        Some(q) => run_query(state, q, params, &headers).await,
        None if params.update.is_some() => error_response(
            StatusCode::BAD_REQUEST,
            "SPARQL Update must be sent with POST",
        ),
        None => service_description(&state),
    }
}

/// The media type of a request's body, lowercase, without parameters ("" when there is none).
fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// `POST /sparql`: a query or an update, directly or in a form.
pub(super) async fn sparql_post(
    State(state): State<Shared>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut params = Params::default();
    parse_params(raw.unwrap_or_default().as_bytes(), &mut params);
    let text = |body: &Bytes| String::from_utf8(body.to_vec());
    match content_type(&headers).as_str() {
        "application/sparql-query" => match text(&body) {
            Ok(q) => run_query(state, q, params, &headers).await,
            Err(_) => error_response(StatusCode::BAD_REQUEST, "the query is not valid UTF-8"),
        },
        "application/sparql-update" => match text(&body) {
            Ok(u) => run_update(state, u, &headers).await,
            Err(_) => error_response(StatusCode::BAD_REQUEST, "the update is not valid UTF-8"),
        },
        "application/x-www-form-urlencoded" => {
            parse_params(&body, &mut params);
            if let Some(q) = params.query.take() {
                run_query(state, q, params, &headers).await
            } else if let Some(u) = params.update.take() {
                run_update(state, u, &headers).await
            } else {
                error_response(StatusCode::BAD_REQUEST, "the form has neither query= nor update=")
            }
        }
        other => error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Type {other:?}: use application/sparql-query, application/sparql-update or application/x-www-form-urlencoded"),
        ),
    }
}

/// The protocol dataset (`default-graph-uri`, `named-graph-uri`), or None to keep the query's own.
fn dataset(params: &Params) -> Result<Option<DatasetSpec>> {
    DatasetSpec::from_iris(&params.default_graphs, &params.named_graphs)
}

/// The format of a query's answer, by its kind and the `Accept` header, or the 406 message.
fn answer_format(
    parsed: &spargebra::Query,
    headers: &HeaderMap,
) -> std::result::Result<QueryFormat, String> {
    let offers = match parsed {
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => GRAPH_TYPES,
        _ => SOLUTION_TYPES,
    };
    negotiate(accept(headers), offers).ok_or_else(|| {
        let offered: Vec<&str> = offers.iter().map(|(m, _)| *m).collect();
        format!(
            "cannot answer in the requested media type; available: {}",
            offered.join(", ")
        )
    })
}

/// A query's answer: its bytes (whole, or coming from a worker) and whether `max_rows` cut the solutions.
pub(super) struct Written {
    pub(super) body: Body,
    pub(super) truncated: bool,
}

/// A query: parsed, negotiated, evaluated under the deadline.
async fn run_query(state: Shared, text: String, params: Params, headers: &HeaderMap) -> Response {
    let parsed = match query::parse(&text, "query") {
        Ok(q) => q,
        Err(e) => return from_error(e),
    };
    let format = match answer_format(&parsed, headers) {
        Ok(format) => format,
        Err(message) => return error_response(StatusCode::NOT_ACCEPTABLE, message),
    };
    let dataset = match dataset(&params) {
        Ok(dataset) => dataset,
        Err(e) => return from_error(e),
    };
    let answered = match &state.config.worker {
        Some(exe) => in_worker(&state, exe, text, params, format).await,
        None => {
            let store = state.store.clone();
            let max_rows = state.config.max_rows;
            let gate = state.service_gate();
            let work = move |token| -> Result<Written> {
                let bounded = query::Bounded {
                    query: parsed,
                    token: Some(token),
                    dataset,
                    gate,
                    max_rows,
                };
                let (mut bytes, mut truncated) = (Vec::new(), false);
                query::write_query(&store, bounded, format, &mut bytes, &mut |_, cut| {
                    truncated = cut;
                    Ok(())
                })?;
                Ok(Written {
                    body: Body::from(bytes),
                    truncated,
                })
            };
            blocking(Some(state.config.timeout), work).await
        }
    };
    match answered {
        Ok(written) => {
            let mut response = (
                [(header::CONTENT_TYPE, Format::from(format).media_type())],
                written.body,
            )
                .into_response();
            if written.truncated {
                response
                    .headers_mut()
                    .insert("x-policykg-truncated", HeaderValue::from_static("true"));
            }
            response
        }
        Err(response) => response,
    }
}

/// The credentials of an `Authorization: Bearer <token>` header (the scheme in any case), or None.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credentials) = value.split_once([' ', '\t'])?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
}

/// Compare two tokens in a time that does not depend on where they first differ.
fn same_token(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    let differ = a
        .iter()
        .zip(b)
        .fold(a.len() ^ b.len(), |acc, (x, y)| acc | usize::from(x ^ y));
    differ == 0
}

/// A query evaluated in a worker process, killed at the deadline.
async fn in_worker(
    state: &Shared,
    exe: &std::path::Path,
    query: String,
    params: Params,
    format: QueryFormat,
) -> std::result::Result<Written, Response> {
    let job = worker::Job {
        query,
        default_graphs: params.default_graphs,
        named_graphs: params.named_graphs,
        format: format.to_string(),
        max_rows: state.config.max_rows,
        federate: state.config.federate.clone(),
        timeout_ms: u64::try_from(state.config.timeout.as_millis()).unwrap_or(u64::MAX),
    };
    worker::run(exe, &state.store_path, &job, state.config.timeout).await
}

/// Whether the request carries the update token: None when it may update, else the refusal.
fn refuse_update(state: &Shared, headers: &HeaderMap) -> Option<Response> {
    let Some(expected) = state.config.update_token.as_deref() else {
        return Some(error_response(
            StatusCode::FORBIDDEN,
            "SPARQL Update is disabled on this server (start it with --allow-update --token T)",
        ));
    };
    match bearer(headers) {
        None => {
            let mut r = error_response(
                StatusCode::UNAUTHORIZED,
                "SPARQL Update needs Authorization: Bearer <token>",
            );
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            Some(r)
        }
        Some(t) if expected.is_empty() || !same_token(t, expected) => {
            Some(error_response(StatusCode::FORBIDDEN, "wrong update token"))
        }
        Some(_) => None,
    }
}

/// An update, with the token; the projection is rebuilt after it. An update has no deadline: cut short, it
/// could still commit after its client was told it failed.
async fn run_update(state: Shared, text: String, headers: &HeaderMap) -> Response {
    if let Some(refusal) = refuse_update(&state, headers) {
        return refusal;
    }
    let update = match query::parse_update(&text, "update") {
        Ok(u) => u,
        Err(e) => return from_error(e),
    };
    let work_state = state.clone();
    let gate = state.service_gate();
    let result = blocking(None, move |_| -> Result<()> {
        let done = query::evaluator_with(gate.clone())
            .for_update(update)
            .on_store(&work_state.store)
            .execute();
        if let Some(refusal) = gate.refusal() {
            return Err(refusal.into_error());
        }
        done.map_err(|e| Error::Evaluation(one_line(&e.to_string())))?;
        // The entailed graph follows the data, and the write-ahead log is flushed so that the next process to
        // open the store does not replay it.
        crate::data::entail::refresh(&work_state.store)?;
        work_state.store.flush().map_err(Error::storage)?;
        let folder = &work_state.store_path;
        let labels = crate::data::labels::refresh(&work_state.store, folder)?;
        let labels = LabelIndex::from_table(&work_state.store, labels);
        let time_facts = crate::read::time::Facts::read(&work_state.store)?;
        work_state.updated(Projection::build(&work_state.store)?, time_facts, labels);
        Ok(())
    })
    .await;
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(response) => response,
    }
}

/// The service description (Turtle), for `GET /sparql` without a query.
///
/// Its IRIs name the server by `--public-url`, or else by the address it is bound to: never by the request's
/// `Host` header, which the client chooses.
fn service_description(state: &Shared) -> Response {
    let base = state.base_url.as_str();
    let update = if state.config.update_token.is_some() {
        ", sd:SPARQL11Update"
    } else {
        ""
    };
    let federated = if state.config.federate.is_empty() {
        ""
    } else {
        ", sd:BasicFederatedQuery"
    };
    let body = format!(
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\
         @prefix dcterms: <http://purl.org/dc/terms/> .\n\n\
         <{base}/sparql#service> a sd:Service ;\n  sd:endpoint <{base}/sparql> ;\n  \
         dcterms:title \"policykg: Jiangsu data-governance policy knowledge graph\"@en, \"江苏数据治理政策知识图谱\"@zh ;\n  \
         sd:supportedLanguage sd:SPARQL11Query{update} ;\n  sd:feature sd:UnionDefaultGraph{federated} ;\n  \
         sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,\n    \
         <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,\n    \
         <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/JSON-LD>, <http://www.w3.org/ns/formats/RDF_XML> .\n"
    );
    ([(header::CONTENT_TYPE, "text/turtle; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_dataset() {
        let mut params = Params::default();
        parse_params(
            b"query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fa&named-graph-uri=http://b&x=1",
            &mut params,
        );
        assert_eq!(params.query.as_deref(), Some("ASK{}"));
        let spec = dataset(&params).unwrap().unwrap();
        assert_eq!(spec.default[0].as_str(), "http://a");
        assert_eq!(spec.named[0].as_str(), "http://b");
        params.named_graphs.push("not an iri".into());
        assert!(dataset(&params)
            .unwrap_err()
            .to_string()
            .contains("named-graph-uri"));
        assert!(dataset(&Params::default()).unwrap().is_none());
    }

    #[test]
    fn bearer_scheme_in_any_case_and_tokens_compared_whole() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), None);
        for (value, expected) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearerabc", None),
        ] {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            assert_eq!(bearer(&headers), expected, "{value}");
        }
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd") && !same_token("ab", "abc") && !same_token("", "a"));
    }

    #[test]
    fn content_type_is_the_bare_media_type() {
        let mut headers = HeaderMap::new();
        assert_eq!(content_type(&headers), "");
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/SPARQL-Query; charset=utf-8"),
        );
        assert_eq!(content_type(&headers), "application/sparql-query");
    }

    mod properties {
        use super::*;
        use crate::model::error::is_one_line;
        use proptest::prelude::*;

        /// A query string or form body: arbitrary bytes, or `key=value` pairs of the protocol's keys with
        /// percent-escapes, `+`, stray `%` and `&`.
        fn raw() -> impl Strategy<Value = Vec<u8>> {
            let key = prop_oneof![
                Just("query".to_owned()),
                Just("update".to_owned()),
                Just("default-graph-uri".to_owned()),
                Just("named-graph-uri".to_owned()),
                "[a-z%=&+]{0,8}",
            ];
            let value = "([^&]|%[0-9A-Fa-f]{2}|%|\\+|%0A|%0D|%E2%80%A8|%00){0,24}";
            let pairs = proptest::collection::vec((key, value), 0..6).prop_map(|pairs| {
                pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("&")
                    .into_bytes()
            });
            prop_oneof![proptest::collection::vec(any::<u8>(), 0..200), pairs]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

            #[test]
            fn any_parameters_parse_and_a_bad_dataset_fails_in_one_line(raw in raw()) {
                let mut params = Params::default();
                parse_params(&raw, &mut params);
                if let Err(e) = dataset(&params) {
                    prop_assert!(is_one_line(&e.to_string()), "{:?}", e.to_string());
                }
                if let Some(q) = &params.query {
                    if let Err(e) = query::parse(q, "query") {
                        prop_assert!(is_one_line(&e.to_string()), "{:?}", e.to_string());
                    }
                }
            }

            #[test]
            fn any_header_value_gives_a_bare_type_and_a_token_or_none(value in proptest::collection::vec(any::<u8>(), 0..80)) {
                let Ok(value) = HeaderValue::from_bytes(&value) else {
                    return Ok(()); // hyper refuses such a header before any handler sees it
                };
                let mut headers = HeaderMap::new();
                headers.insert(header::CONTENT_TYPE, value.clone());
                headers.insert(header::AUTHORIZATION, value);
                let media = content_type(&headers);
                prop_assert!(!media.contains(';') && media.trim() == media);
                if let Some(token) = bearer(&headers) {
                    prop_assert!(token.trim() == token);
                }
            }
        }
    }
}
