//! SPARQL SERVICE (federated query) under a policy: which endpoints a query may call, with what time limits.
//!
//! A query evaluated here never reaches a SERVICE endpoint the policy does not allow:
//!
//! - only `http` and `https` IRIs are ever called (anything else, `file:` included, is refused);
//! - [`Federation::Off`] refuses every SERVICE (the server's default);
//! - [`Federation::Prefixes`] allows the listed endpoint prefixes only (the server's `--federate`), and even then
//!   refuses a host that resolves to a loopback, link-local, private or otherwise local address unless the
//!   prefix names that host itself;
//! - [`Federation::AnyHttp`] allows any http(s) endpoint (the CLI: the user running it is the one asking).
//!
//! Every call has its own connect and read timeout ([`SERVICE_TIMEOUT`]), cut to what is left of the query's
//! deadline, follows no redirects, and reads at most [`MAX_SERVICE_BYTES`] of answer.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use oxhttp::model::header::{ACCEPT, CONTENT_TYPE};
use oxhttp::model::{Method, Request};
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{DefaultServiceHandler, QueryEvaluationError, QuerySolutionIter};
use oxiri::Iri;
use spargebra::algebra::GraphPattern;

use crate::model::error::{one_line, Error};

/// The connect and read timeout of one SERVICE call (less when the query's deadline is nearer).
pub const SERVICE_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes read from one SERVICE answer.
pub const MAX_SERVICE_BYTES: u64 = 64 << 20;

/// Which SERVICE endpoints a query may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Federation {
    /// None.
    Off,
    /// Endpoints whose IRI starts with one of these prefixes (at a boundary: `/`, `?`, `#` or the end).
    Prefixes(Vec<String>),
    /// Any http or https endpoint.
    AnyHttp,
}

/// Why a SERVICE call was refused before any connection was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The IRI is not http or https (a client error: 400).
    NotHttp(String),
    /// The policy does not allow the endpoint (403).
    NotAllowed(String),
}

impl Refusal {
    /// The error a query refused this way fails with.
    pub fn into_error(self) -> Error {
        match self {
            Refusal::NotHttp(m) => Error::Usage(m),
            Refusal::NotAllowed(m) => Error::Refused(m),
        }
    }
}

/// The scheme, authority (`host[:port]`, lowercase, without user info) and host of an http(s) IRI.
struct Endpoint {
    authority: String,
    host: String,
    port: u16,
}

fn endpoint(iri: &str) -> Option<Endpoint> {
    let (scheme, rest) = iri.split_once("://")?;
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, a)| a)
        .to_ascii_lowercase();
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        (host.to_owned(), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (authority.clone(), None),
        }
    };
    let port = match port {
        Some("") | None => default_port,
        Some(p) => p.parse().ok()?,
    };
    (!host.is_empty()).then_some(Endpoint {
        authority,
        host,
        port,
    })
}

/// Does `iri` start with `prefix` at a boundary (the prefix ends in `/`, or the IRI goes on with `/`, `?`, `#`
/// or not at all)? `http://a.example` must not match `http://a.example.evil/`.
fn has_prefix(iri: &str, prefix: &str) -> bool {
    iri.starts_with(prefix)
        && (prefix.ends_with('/')
            || iri[prefix.len()..].is_empty()
            || iri[prefix.len()..].starts_with(['/', '?', '#']))
}

/// A local address: loopback, private, link-local, unspecified, shared (CGNAT), multicast, documentation or
/// broadcast; for IPv6 also unique-local and the IPv4-mapped forms of these.
pub fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_local_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local_v4(v4),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                    || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                    || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                    || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1)
            }
        },
    }
}

fn is_local_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64.0.0/10
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18.0.0/15
        || a >= 240
}

/// Check an endpoint against a policy, resolving its host when the policy restricts addresses.
pub fn check(iri: &str, policy: &Federation) -> Result<(), Refusal> {
    let Some(target) = endpoint(iri) else {
        return Err(Refusal::NotHttp(format!(
            "SERVICE <{}>: only http and https SERVICE endpoints can be queried",
            one_line(iri)
        )));
    };
    let prefixes = match policy {
        Federation::AnyHttp => return Ok(()),
        Federation::Off => {
            return Err(Refusal::NotAllowed(
                "SERVICE (federated query) is disabled on this server; its operator can allow endpoints with --federate URL-PREFIX".into(),
            ))
        }
        Federation::Prefixes(prefixes) => prefixes,
    };
    let Some(prefix) = prefixes.iter().find(|p| has_prefix(iri, p)) else {
        return Err(Refusal::NotAllowed(format!(
            "SERVICE <{}> is not an endpoint this server may query (see its --federate list)",
            one_line(iri)
        )));
    };
    let named = endpoint(prefix).is_some_and(|p| p.authority == target.authority);
    if named {
        return Ok(());
    }
    let literal = target.host.parse::<IpAddr>().ok();
    let resolved: Vec<IpAddr> = match literal {
        Some(ip) => vec![ip],
        None => (target.host.as_str(), target.port)
            .to_socket_addrs()
            .map(|a| a.map(|s| s.ip()).collect())
            .unwrap_or_default(),
    };
    if resolved.iter().any(|ip| is_local(*ip)) {
        return Err(Refusal::NotAllowed(format!(
            "SERVICE <{}> resolves to a local or private address; list that host itself in --federate to allow it",
            one_line(iri)
        )));
    }
    Ok(())
}

/// The SERVICE handler of one query: checks each endpoint against the policy, then calls it over HTTP with
/// the SPARQL 1.1 Protocol (POST `application/sparql-query`, answers in SPARQL JSON or XML).
///
/// A refusal is remembered ([`ServiceGate::refusal`]), so that the query fails with it even when the
/// SERVICE is SILENT or the evaluator rewords the error.
#[derive(Clone)]
pub struct ServiceGate {
    policy: Arc<Federation>,
    deadline: Option<Instant>,
    refused: Arc<Mutex<Option<Refusal>>>,
}

impl ServiceGate {
    /// A gate for one query under `policy`, whose calls must end by `deadline`.
    pub fn new(policy: Arc<Federation>, deadline: Option<Instant>) -> Self {
        ServiceGate {
            policy,
            deadline,
            refused: Arc::new(Mutex::new(None)),
        }
    }

    /// A gate that refuses every SERVICE (for the queries policykg builds itself).
    pub fn off() -> Self {
        ServiceGate::new(Arc::new(Federation::Off), None)
    }

    /// The first refusal of this query's SERVICE calls, if any.
    pub fn refusal(&self) -> Option<Refusal> {
        self.refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The timeout of a call starting now, or None when the deadline has passed.
    fn call_timeout(&self) -> Option<Duration> {
        match self.deadline {
            None => Some(SERVICE_TIMEOUT),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                (!left.is_zero()).then(|| left.min(SERVICE_TIMEOUT))
            }
        }
    }
}

fn service_error(message: String) -> QueryEvaluationError {
    QueryEvaluationError::Service(message.into())
}

impl DefaultServiceHandler for ServiceGate {
    type Error = QueryEvaluationError;

    fn handle(
        &self,
        service_name: &NamedNode,
        pattern: &GraphPattern,
        base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, QueryEvaluationError> {
        if let Err(refusal) = check(service_name.as_str(), &self.policy) {
            let message = match &refusal {
                Refusal::NotHttp(m) | Refusal::NotAllowed(m) => m.clone(),
            };
            self.refused
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert(refusal);
            return Err(service_error(message));
        }
        let timeout = self.call_timeout().ok_or_else(|| {
            service_error("the query's deadline passed before a SERVICE call".into())
        })?;
        let query = spargebra::Query::Select {
            dataset: None,
            pattern: pattern.clone(),
            base_iri: base_iri.cloned(),
        };
        call(service_name.as_str(), query.to_string(), timeout)
    }
}

/// POST a query to an endpoint and read its solutions.
fn call(
    url: &str,
    query: String,
    timeout: Duration,
) -> Result<QuerySolutionIter<'static>, QueryEvaluationError> {
    let failed = |e: &dyn std::fmt::Display| service_error(format!("SERVICE <{url}>: {e}"));
    let client = oxhttp::Client::new().with_global_timeout(timeout);
    let request = Request::builder()
        .method(Method::POST)
        .uri(url)
        .header(
            ACCEPT,
            "application/sparql-results+json, application/sparql-results+xml",
        )
        .header(CONTENT_TYPE, "application/sparql-query")
        .body(query.into_bytes())
        .map_err(|e| failed(&e))?;
    let response = client.request(request).map_err(|e| failed(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(&format!("the endpoint answered {status}")));
    }
    let media_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let format = QueryResultsFormat::from_media_type(&media_type)
        .ok_or_else(|| failed(&format!("unsupported answer type {media_type:?}")))?;
    let body = response.into_body().take(MAX_SERVICE_BYTES);
    let ReaderQueryResultsParserOutput::Solutions(reader) = QueryResultsParser::from_format(format)
        .for_reader(body)
        .map_err(|e| failed(&e))?
    else {
        return Err(failed(&"the endpoint answered a boolean, not solutions"));
    };
    let url = url.to_owned();
    Ok(QuerySolutionIter::new(
        reader.variables().into(),
        reader.map(move |s| s.map_err(|e| service_error(format!("SERVICE <{url}>: {e}")))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes(list: &[&str]) -> Federation {
        Federation::Prefixes(list.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn only_http_and_https_are_ever_called() {
        for iri in [
            "file:///etc/passwd",
            "ftp://a/",
            "gopher://x",
            "urn:x",
            "http:/x",
            "http://",
        ] {
            for policy in [
                Federation::AnyHttp,
                Federation::Off,
                prefixes(&["file:///"]),
            ] {
                let refusal = check(iri, &policy).unwrap_err();
                assert!(
                    matches!(refusal, Refusal::NotHttp(ref m) if m.contains("only http and https"))
                );
            }
        }
        assert_eq!(
            check("HTTPS://example.org/sparql", &Federation::AnyHttp),
            Ok(())
        );
    }

    #[test]
    fn off_refuses_and_prefixes_match_at_a_boundary() {
        assert!(matches!(
            check("http://example.org/sparql", &Federation::Off),
            Err(Refusal::NotAllowed(_))
        ));
        let allowed = prefixes(&["http://127.0.0.1:9/sparql", "http://10.1.2.3"]);
        assert_eq!(check("http://127.0.0.1:9/sparql", &allowed), Ok(()));
        assert_eq!(check("http://127.0.0.1:9/sparql?x", &allowed), Ok(()));
        assert_eq!(check("http://10.1.2.3/q", &allowed), Ok(()));
        for refused in [
            "http://127.0.0.1:9/sparqlx",
            "http://127.0.0.1:99/sparql",
            "http://10.1.2.3.evil.example/q",
            "http://10.1.2.30/q",
        ] {
            assert!(
                matches!(check(refused, &allowed), Err(Refusal::NotAllowed(_))),
                "{refused}"
            );
        }
    }

    #[test]
    fn local_addresses_need_their_host_listed() {
        let broad = prefixes(&["http://"]);
        for local in [
            "http://127.0.0.1/",
            "http://localhost:7878/sparql",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://192.168.1.1/",
            "http://10.0.0.1/",
            "http://172.16.0.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00::1]/",
            "http://0.0.0.0/",
            "http://user@127.0.0.1/",
        ] {
            let refusal = check(local, &broad).unwrap_err();
            assert!(
                matches!(refusal, Refusal::NotAllowed(ref m) if m.contains("local")),
                "{local}"
            );
        }
        assert_eq!(check("http://93.184.215.14/sparql", &broad), Ok(()));
        assert!(is_local("100.64.0.1".parse().unwrap()));
        assert!(!is_local("8.8.8.8".parse().unwrap()));
        assert!(!is_local("2001:4860::8888".parse().unwrap()));
    }

    /// A one-shot SPARQL endpoint on loopback answering one fixed JSON solution; the count of connections.
    fn fake_endpoint() -> (String, std::sync::mpsc::Receiver<String>) {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/sparql", listener.local_addr().unwrap());
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            while reader.read_line(&mut head).is_ok_and(|n| n > 2) {}
            let _ = sender.send(head);
            let body = r#"{"head":{"vars":["v"]},"results":{"bindings":[{"v":{"type":"literal","value":"far"}}]}}"#;
            let _ = write!(
                &stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        });
        (url, receiver)
    }

    fn run(url: &str, policy: Federation) -> crate::model::error::Result<Vec<String>> {
        let store = oxigraph::store::Store::new().unwrap();
        let query = crate::read::query::parse(
            &format!("SELECT ?v WHERE {{ SERVICE <{url}> {{ ?s ?p ?v }} }}"),
            "q",
        )?;
        let deadline = Instant::now() + Duration::from_secs(5);
        let gate = ServiceGate::new(Arc::new(policy), Some(deadline));
        let answer = crate::read::query::evaluate_with(&store, query, None, None, gate)?;
        Ok(answer
            .rows()
            .unwrap()
            .iter()
            .map(|r| r.string("v"))
            .collect())
    }

    #[test]
    fn a_refused_endpoint_receives_nothing_and_an_allowed_one_answers() {
        let (url, connections) = fake_endpoint();
        for policy in [
            Federation::Off,
            prefixes(&["http://127.0.0.1:1/"]),
            prefixes(&["http://"]),
        ] {
            let e = run(&url, policy).unwrap_err();
            assert!(matches!(e, Error::Refused(_)), "{e}");
        }
        assert!(connections
            .recv_timeout(Duration::from_millis(200))
            .is_err());
        assert_eq!(run(&url, prefixes(&[&url])).unwrap(), ["far"]);
        let head = connections.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(head.starts_with("POST /sparql HTTP/1.1"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/sparql-query"),
            "{head}"
        );
        assert!(matches!(
            run("file:///etc/passwd", Federation::AnyHttp),
            Err(Error::Usage(_))
        ));
    }
}
