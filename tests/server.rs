//! `policykg serve` over real HTTP on loopback: the SPARQL 1.1 Protocol cases, updates, pages, federation between
//! two servers, and a runaway query that gets 503 in time while other requests are answered.

use std::time::{Duration, Instant};

use crate::common::*;

pub(crate) fn store_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kg");
    assert!(run(&store, &["stats"]).status.success());
    (dir, store)
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

pub(crate) fn body(mut r: ureq::http::Response<ureq::Body>) -> (u16, String, String) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = r
        .body_mut()
        .with_config()
        .limit(100 << 20)
        .read_to_string()
        .unwrap_or_default();
    (status, ct, text)
}

pub(crate) fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const LABELS: &str = "SELECT ?l WHERE { pkid:sufuban skos:prefLabel ?l } ORDER BY ?l";

#[test]
fn protocol_cases() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    let a = agent();
    let url = format!("{}/sparql", s.base);

    // GET ?query=, JSON by default.
    let (status, ct, text) = body(
        a.get(&format!("{url}?query={}", enc(LABELS)))
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(ct.starts_with("application/sparql-results+json"), "{ct}");
    assert!(text.contains("苏服办"));
    // POST application/sparql-query, CSV by Accept.
    let (status, ct, text) = body(
        a.post(&url)
            .header("Content-Type", "application/sparql-query")
            .header("Accept", "text/csv")
            .send(LABELS)
            .unwrap(),
    );
    assert_eq!((status, ct.starts_with("text/csv")), (200, true));
    assert!(text.starts_with("l\r\n"), "{text}");
    // POST form, XML and TSV.
    let (status, ct, _) = body(
        a.post(&url)
            .header("Accept", "application/sparql-results+xml")
            .send_form([("query", LABELS)])
            .unwrap(),
    );
    assert_eq!(
        (status, ct.as_str()),
        (200, "application/sparql-results+xml")
    );
    let (_, ct, _) = body(
        a.post(&url)
            .header("Accept", "text/tab-separated-values")
            .send_form([("query", LABELS)])
            .unwrap(),
    );
    assert!(ct.starts_with("text/tab-separated-values"));
    // CONSTRUCT in every graph format.
    let construct =
        "CONSTRUCT { pkid:sufuban skos:prefLabel ?l } WHERE { pkid:sufuban skos:prefLabel ?l }";
    for (accept, marker) in [
        ("text/turtle", "苏服办"),
        (
            "application/n-triples",
            "<https://w3id.org/policykg/id/sufuban>",
        ),
        ("application/ld+json", "@id"),
        ("application/rdf+xml", "rdf:RDF"),
    ] {
        let (status, ct, text) = body(
            a.get(&format!("{url}?query={}", enc(construct)))
                .header("Accept", accept)
                .call()
                .unwrap(),
        );
        assert_eq!(status, 200, "{accept}");
        assert!(ct.starts_with(accept), "{accept}: {ct}");
        assert!(text.contains(marker), "{accept}: {text}");
    }
    // default-graph-uri and named-graph-uri.
    let count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let (_, _, whole) = body(
        a.get(&format!("{url}?query={}", enc(count)))
            .header("Accept", "text/csv")
            .call()
            .unwrap(),
    );
    let (_, _, one) = body(
        a.get(&format!(
            "{url}?query={}&default-graph-uri={}",
            enc(count),
            enc("https://w3id.org/policykg/graph/ontology")
        ))
        .header("Accept", "text/csv")
        .call()
        .unwrap(),
    );
    let n = |t: &str| t.lines().nth(1).unwrap().trim().parse::<usize>().unwrap();
    assert!(n(&one) < n(&whole) && n(&one) > 100, "{one} vs {whole}");
    let graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }";
    let (_, _, named) = body(
        a.get(&format!(
            "{url}?query={}&named-graph-uri={}",
            enc(graphs),
            enc("https://w3id.org/policykg/graph/inferred")
        ))
        .header("Accept", "text/csv")
        .call()
        .unwrap(),
    );
    assert_eq!(named.lines().count(), 2, "{named}");
    // Errors that mean something.
    let (status, _, text) = body(
        a.get(&format!("{url}?query={}", enc("SELECT ?x WHERE {")))
            .call()
            .unwrap(),
    );
    assert_eq!(status, 400);
    assert!(text.starts_with("query:1:"), "{text}");
    let (status, _, _) = body(
        a.get(&format!("{url}?query={}", enc(LABELS)))
            .header("Accept", "image/png")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 406);
    // An oversized body is refused from its Content-Length, before it is read.
    {
        use std::io::{Read, Write};
        let host = s.base.trim_start_matches("http://");
        let mut tcp = std::net::TcpStream::connect(host).unwrap();
        write!(tcp, "POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", 2 << 20).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buffer = [0u8; 512];
        let n = tcp.read(&mut buffer).unwrap();
        let response = String::from_utf8_lossy(&buffer[..n]).into_owned();
        assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    }
    let (status, _, _) = body(
        a.post(&url)
            .header("Content-Type", "text/plain")
            .send(LABELS)
            .unwrap(),
    );
    assert_eq!(status, 415);
    // Service description and CORS.
    let (status, ct, text) = body(a.get(&url).call().unwrap());
    assert_eq!(status, 200);
    assert!(
        ct.starts_with("text/turtle")
            && text.contains("sd:Service")
            && text.contains(&format!("sd:endpoint <{url}>")),
        "{text}"
    );
    let r = a
        .get(&format!("{url}?query={}", enc(LABELS)))
        .header("Origin", "https://example.org")
        .call()
        .unwrap();
    // CORS is off unless --cors names origins.
    assert!(r.headers().get("access-control-allow-origin").is_none());
    // Updates are refused on a read-only server.
    let (status, _, _) = body(
        a.post(&url)
            .header("Content-Type", "application/sparql-update")
            .send("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
            .unwrap(),
    );
    assert_eq!(status, 403);
}

#[test]
fn updates_need_the_token() {
    let (_dir, store) = store_copy();
    let s = start(&store, &["--allow-update", "--token", "s3cret"]);
    let a = agent();
    let url = format!("{}/sparql", s.base);
    let update = "INSERT DATA { GRAPH <urn:notes> { pkid:sufuban rdfs:comment \"研究笔记\"@zh } }";
    let (status, _, _) = body(
        a.post(&url)
            .header("Content-Type", "application/sparql-update")
            .send(update)
            .unwrap(),
    );
    assert_eq!(status, 401);
    let (status, _, _) = body(
        a.post(&url)
            .header("Content-Type", "application/sparql-update")
            .header("Authorization", "Bearer wrong")
            .send(update)
            .unwrap(),
    );
    assert_eq!(status, 403);
    let (status, _, _) = body(
        a.post(&url)
            .header("Authorization", "Bearer s3cret")
            .send_form([("update", update)])
            .unwrap(),
    );
    assert_eq!(status, 204);
    let ask = "ASK { pkid:sufuban rdfs:comment \"研究笔记\"@zh }";
    let (_, _, text) = body(a.get(&format!("{url}?query={}", enc(ask))).call().unwrap());
    assert!(text.contains("true"), "{text}");
}

#[test]
fn a_runaway_query_gets_503_in_time_while_others_are_answered() {
    let (_dir, store) = store_copy();
    let s = start(&store, &["--timeout", "2"]);
    let url = format!("{}/sparql", s.base);
    let slow_url = url.clone();
    let started = Instant::now();
    let slow = std::thread::spawn(move || {
        let q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
        let (status, _, text) = body(
            agent()
                .get(&format!("{slow_url}?query={}", enc(q)))
                .call()
                .unwrap(),
        );
        (status, text, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    let a = agent();
    let mut answered = 0;
    while started.elapsed() < Duration::from_millis(1800) {
        let t = Instant::now();
        let (status, _, _) = body(
            a.get(&format!("{url}?query={}", enc(LABELS)))
                .call()
                .unwrap(),
        );
        assert_eq!(status, 200);
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "a simple query waited {:?}",
            t.elapsed()
        );
        answered += 1;
    }
    let (status, text, elapsed) = slow.join().unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("timed out after 2 s"));
    assert!(
        elapsed < Duration::from_secs(4),
        "503 came after {elapsed:?}"
    );
    assert!(answered >= 3, "only {answered} requests answered meanwhile");
}

#[test]
fn entity_and_document_pages_dereference() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    let a = agent();
    let (status, ct, html) = body(
        a.get(&format!("{}/id/jiangsu-12345-hotline-regulation", s.base))
            .header("Accept", "text/html")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"));
    assert!(html.contains("<h1>江苏省12345政务服务便民热线条例</h1>"));
    assert!(
        html.contains("条例已于9月28日经省人大常委会第一次审议通过"),
        "evidence quote"
    );
    assert!(
        html.contains("/doc/jsdb-2025-rule-of-law-report?hl="),
        "links to the highlighted source"
    );
    let (_, ct, ttl) = body(
        a.get(&format!("{}/id/jiangsu-12345-hotline-regulation", s.base))
            .header("Accept", "text/turtle")
            .call()
            .unwrap(),
    );
    assert!(ct.starts_with("text/turtle") && ttl.contains("江苏省12345政务服务便民热线条例"));
    let (_, ct, json) = body(
        a.get(&format!("{}/id/sufuban", s.base))
            .header("Accept", "application/ld+json")
            .call()
            .unwrap(),
    );
    assert!(ct.starts_with("application/ld+json"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["@context"]["pkid"].is_string());
    let start_end = html
        .split("/doc/jsdb-2025-rule-of-law-report?hl=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    let (status, _, doc) = body(
        a.get(&format!(
            "{}/doc/jsdb-2025-rule-of-law-report?hl={start_end}",
            s.base
        ))
        .call()
        .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(doc.contains("<mark id=\"hl\">"), "highlighted span");
    let (status, _, _) = body(
        a.get(&format!("{}/id/no-such-entity", s.base))
            .call()
            .unwrap(),
    );
    assert_eq!(status, 404);
    let (status, _, ui) = body(a.get(&format!("{}/", s.base)).call().unwrap());
    assert_eq!(status, 200);
    assert!(
        ui.contains("/api/queries") && !ui.contains("http://cdn") && !ui.contains("https://cdn")
    );
    let (_, _, list) = body(a.get(&format!("{}/api/queries", s.base)).call().unwrap());
    assert!(list.contains("data-regulation-lineage"));
}

#[test]
fn federation_between_two_servers() {
    let (_dir_a, store_a) = store_copy();
    let (_dir_b, store_b) = store_copy();
    let b_server = start(&store_b, &["--allow-update", "--token", "t"]);
    let a_server = start(
        &store_a,
        &["--federate", &format!("{}/sparql", b_server.base)],
    );
    let a = agent();
    let only_b = "INSERT DATA { GRAPH <urn:b> { <urn:x> skos:prefLabel \"只在乙\"@zh } }";
    let (status, _, _) = body(
        a.post(&format!("{}/sparql", b_server.base))
            .header("Authorization", "Bearer t")
            .send_form([("update", only_b)])
            .unwrap(),
    );
    assert_eq!(status, 204);
    let q = format!(
        "SELECT ?l ?sufu WHERE {{ SERVICE <{}/sparql> {{ <urn:x> skos:prefLabel ?l }} pkid:sufuban skos:prefLabel ?sufu FILTER(LANG(?sufu) = \"zh\") }}",
        b_server.base
    );
    let (status, _, text) = body(
        a.get(&format!("{}/sparql?query={}", a_server.base, enc(&q)))
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("只在乙") && text.contains("苏服办"), "{text}");
}

#[test]
fn the_cli_still_queries_while_the_server_holds_the_store() {
    let (_dir, store) = store_copy();
    let _s = start(&store, &[]);
    let out = run(
        &store,
        &["query", "--name", "agency-succession", "--format", "csv"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("江苏省数据局"));
    let out = run(&store, &["load", "--fresh"]);
    assert_eq!(out.status.code(), Some(1));
    // The message names the process that holds the store, and what it is.
    let holder = format!("(pid {}: policykg serve)", _s.child.id());
    assert!(
        stderr(&out).contains("in use") && stderr(&out).contains(&holder),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).trim_end().lines().count(), 1);
}

#[test]
fn max_rows_and_graceful_shutdown() {
    let (_dir, store) = store_copy();
    let mut s = start(&store, &["--max-rows", "2"]);
    let a = agent();
    let q = "SELECT ?e WHERE { ?e a pk:Agency } LIMIT 10";
    let r = a
        .get(&format!("{}/sparql?query={}", s.base, enc(q)))
        .call()
        .unwrap();
    assert_eq!(r.headers().get("x-policykg-truncated").unwrap(), "true");
    let (_, _, text) = body(r);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["results"]["bindings"].as_array().unwrap().len(), 2);
    let pid = s.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = s.child.wait().unwrap();
    assert!(status.success(), "exits cleanly on SIGTERM: {status:?}");
}

#[test]
fn evidence_and_the_ontology_dereference() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    let a = agent();
    let (_, _, html) = body(
        a.get(&format!("{}/id/jiangsu-government-service-office", s.base))
            .header("Accept", "text/html")
            .call()
            .unwrap(),
    );
    let evidence = html
        .split("href=\"/evidence/")
        .nth(1)
        .expect("evidence links")
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, ct, page) = body(
        a.get(&format!("{}/evidence/{evidence}", s.base))
            .header("Accept", "text/html")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(
        ct.starts_with("text/html")
            && page.contains("<h1>Evidence 证据</h1>")
            && page.contains("?hl="),
        "{page}"
    );
    let (status, ct, ttl) = body(
        a.get(&format!("{}/evidence/{evidence}", s.base))
            .header("Accept", "text/turtle")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(
        ct.starts_with("text/turtle")
            && ttl.contains("oa:TextQuoteSelector")
            && ttl.contains("oa:exact"),
        "{ttl}"
    );
    let (status, _, _) = body(a.get(&format!("{}/evidence/nope", s.base)).call().unwrap());
    assert_eq!(status, 404);
    let (status, ct, ontology) = body(a.get(&format!("{}/ontology", s.base)).call().unwrap());
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/turtle"));
    let parsed = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(ontology.as_bytes())
        .count();
    assert!(parsed > 500, "{parsed}");
}

#[test]
fn injected_ids_get_404_at_once_and_the_server_keeps_answering() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    let a = agent();
    let injections = [
        "/doc/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo%20.%20%3Fs2%20%3Fp2%20%3Fo2%20%7D%20%7D%23",
        "/doc/jsdb-2025-rule-of-law-report%3E%20%3Fp%20%3Fo%20%7D%23",
        "/evidence/x%3E%20a%20pk%3AEvidence%20%7D%20UNION%20%7B%20%3Fa%20%3Fb%20%3Fc%20.%20%3Fd%20%3Fe%20%3Ff%20%7D%20%7D%23",
        "/evidence/jsdb-2025-rule-of-law-report-ff2812d1ebbe%3E%20%3Fp%20%3Fo%20%7D%23",
        "/id/x%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D%23",
        // Not an id (ids are lower case) and no name either once normalised.
        "/id/SUFUBAN-X",
    ];
    for path in injections {
        let started = Instant::now();
        let (status, ct, page) = body(a.get(&format!("{}{path}", s.base)).call().unwrap());
        assert_eq!(status, 404, "{path}: {page}");
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        assert!(
            !page.contains("UNION") && !page.contains("?p"),
            "the reply does not echo the request: {page}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    let (status, _, html) = body(
        a.get(&format!(
            "{}/doc/jsdb-2025-rule-of-law-report?hl=10-20",
            s.base
        ))
        .call()
        .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(html.contains("<mark id=\"hl\">"));
    let (status, _, csv) = body(
        a.get(&format!("{}/sparql?query={}", s.base, enc(LABELS)))
            .header("Accept", "text/csv")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(csv.starts_with("l\r\n"), "{csv}");
}

/// Run a query on a server: (status, body).
fn ask(server: &Server, query: &str) -> (u16, String) {
    let (status, _, text) = body(
        agent()
            .get(&format!("{}/sparql?query={}", server.base, enc(query)))
            .call()
            .unwrap(),
    );
    (status, text)
}

#[test]
fn service_is_refused_unless_federated_and_the_target_hears_nothing() {
    let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    target.set_nonblocking(true).unwrap();
    let unlisted = format!("http://{}/sparql", target.local_addr().unwrap());
    let (_dir, store) = store_copy();
    let (_dir_b, store_b) = store_copy();
    let b_server = start(&store_b, &[]);
    let listed = format!("{}/sparql", b_server.base);
    let s = start(&store, &["--federate", &listed]);
    // Its own store: a server holds its store's lock, and other tests start servers too.

    let (_store_dir1, own_store1) = store_copy();

    let plain = start(&own_store1, &[]);
    for (server, endpoint, expected) in [
        (&plain, &unlisted, 403),
        (&s, &unlisted, 403),
        (&plain, &listed, 403),
    ] {
        for silent in ["", "SILENT"] {
            let q = format!("SELECT * WHERE {{ SERVICE {silent} <{endpoint}> {{ ?s ?p ?o }} }}");
            let (status, text) = ask(server, &q);
            assert_eq!(status, expected, "{q}: {text}");
            assert_eq!(text.trim_end().lines().count(), 1, "{text}");
        }
    }
    let (status, text) = ask(
        &s,
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    );
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("only http and https SERVICE endpoints"),
        "{text}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        target.accept().is_err(),
        "a refused SERVICE endpoint was connected to"
    );
    let q =
        format!("SELECT ?l WHERE {{ SERVICE <{listed}> {{ pkid:sufuban skos:prefLabel ?l }} }}");
    let (status, text) = ask(&s, &q);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("苏服办"), "{text}");
}

#[test]
fn cors_only_for_listed_origins_and_no_host_reflection() {
    // Its own store: a server holds its store's lock, and other tests start servers too.

    let (_store_dir2, own_store2) = store_copy();

    let plain = start(&own_store2, &[]);
    let (_dir, store) = store_copy();
    let listed = start(&store, &["--cors", "https://ok.example"]);
    let a = agent();
    let ask_url = |s: &Server| format!("{}/sparql?query={}", s.base, enc("ASK {}"));
    let allowed = |s: &Server, origin: &str| {
        a.get(&ask_url(s))
            .header("Origin", origin)
            .call()
            .unwrap()
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap_or("").to_owned())
    };
    assert_eq!(allowed(&plain, "https://ok.example"), None);
    assert_eq!(allowed(&listed, "https://evil.example"), None);
    assert_eq!(
        allowed(&listed, "https://ok.example").as_deref(),
        Some("https://ok.example")
    );
    let (status, _, description) = body(
        a.get(&format!("{}/sparql", plain.base))
            .header("Host", "evil.example")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(!description.contains("evil.example"), "{description}");
    assert!(
        description.contains(&format!("<{}/sparql>", plain.base)),
        "{description}"
    );
    assert!(
        !description.contains("BasicFederatedQuery"),
        "{description}"
    );
    let refused = run(
        built_store(),
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--cors",
            "*",
            "--federate",
            "http://127.0.0.1:1/",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("cannot be combined"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn the_token_is_never_empty_and_bearer_is_matched_in_any_case() {
    for args in [&["--token", ""][..], &["--token", "  "][..]] {
        let mut all = vec!["serve", "--bind", "127.0.0.1:0", "--allow-update"];
        all.extend_from_slice(args);
        let refused = run(built_store(), &all);
        assert!(!refused.status.success());
        assert!(
            stderr(&refused).contains("must not be empty"),
            "{}",
            stderr(&refused)
        );
    }
    let (_dir, store) = store_copy();
    let s = start(&store, &["--allow-update", "--token", "t0k"]);
    let a = agent();
    let update = "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }";
    for (authorization, expected) in [
        ("bearer t0k", 204),
        ("BEARER t0k", 204),
        ("Bearer t0", 403),
        ("Bearer ", 401),
        ("Basic t0k", 401),
    ] {
        let (status, _, text) = body(
            a.post(&format!("{}/sparql", s.base))
                .header("Authorization", authorization)
                .send_form([("update", update)])
                .unwrap(),
        );
        assert_eq!(status, expected, "{authorization}: {text}");
    }
}

#[test]
fn pages_link_only_http_iris() {
    let (_dir, store) = store_copy();
    let s = start(&store, &["--allow-update", "--token", "t"]);
    let a = agent();
    let update = "INSERT DATA { GRAPH <urn:g> { pkid:sufuban <urn:p> <javascript:alert(1)//://x> ; <urn:q> \"see http://example.org/x\" } }";
    let (status, _, _) = body(
        a.post(&format!("{}/sparql", s.base))
            .header("Authorization", "Bearer t")
            .send_form([("update", update)])
            .unwrap(),
    );
    assert_eq!(status, 204);
    let (status, _, page) = body(a.get(&format!("{}/id/sufuban", s.base)).call().unwrap());
    assert_eq!(status, 200);
    assert!(page.contains("javascript:alert(1)"), "the IRI is shown");
    assert!(!page.contains("href=\"javascript"), "{page}");
    assert!(!page.contains("href=\"see http"), "{page}");
}

#[test]
fn slow_header_senders_do_not_stop_other_clients() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    // Its own store: a server holds its store's lock, and other tests start servers too.

    let (_store_dir3, own_store3) = store_copy();

    let s = start(&own_store3, &[]);
    let address = s.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..1024 {
        if started.elapsed() > Duration::from_secs(20) {
            break;
        }
        let Ok(mut c) =
            TcpStream::connect_timeout(&address.parse().unwrap(), Duration::from_secs(2))
        else {
            break;
        };
        let _ = c.write_all(b"G");
        slow.push(c);
    }
    assert_eq!(slow.len(), 1024, "opening the slow connections");
    let header = b"ET /sparql HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa";
    let probe = format!("{}/sparql?query={}", s.base, enc("ASK {}"));
    let a = agent();
    for byte in header.iter().take(6) {
        for c in &mut slow {
            let _ = c.write_all(&[*byte]);
        }
        let asked = Instant::now();
        let (status, _, _) = body(a.get(&probe).call().unwrap());
        assert_eq!(status, 200);
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "the probe took {:?}",
            asked.elapsed()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    // Past the header timeout (10 s) the slow connections are closed by the server.
    std::thread::sleep(Duration::from_secs(9));
    let c = &mut slow[0];
    c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut rest = Vec::new();
    let closed = c.read_to_end(&mut rest).is_ok();
    assert!(
        closed,
        "a slow connection is still open after the header timeout"
    );
}

/// A GET from a chosen loopback source address (another client, as the server sees it): (status, seconds).
fn get_from(source: &str, base: &str, query: &str) -> (u16, f64) {
    use std::io::{Read, Write};
    let address: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let local: std::net::SocketAddr = format!("{source}:0").parse().unwrap();
    socket.bind(&local.into()).unwrap();
    let started = Instant::now();
    socket
        .connect_timeout(&address.into(), Duration::from_secs(3))
        .unwrap();
    let mut stream: std::net::TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        enc(query)
    )
    .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed().as_secs_f64())
}

/// CPU ticks (user + system) the process has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    tick(11) + tick(12)
}

#[test]
fn bomb_queries_from_ten_addresses_stop_at_their_deadline_and_others_are_answered() {
    const BOMB: &str =
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }";
    // Its own store: a server holds its store's lock, and other tests start servers too.

    let (_store_dir4, own_store4) = store_copy();

    let mut s = start(&own_store4, &["--timeout", "2"]);
    let (status, seconds) = get_from("127.0.0.1", &s.base, BOMB);
    assert_eq!(status, 503);
    assert!(seconds < 3.0, "a single bomb took {seconds} s");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A simple query from another address every 100 ms, while the bombs run.
    let probe = {
        let (base, stop) = (s.base.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut times = Vec::new();
            for _ in 0..100 {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let (status, seconds) = get_from("127.0.0.12", &base, "ASK {}");
                assert_eq!(status, 200, "a simple query under the bombs");
                times.push(seconds);
                std::thread::sleep(Duration::from_millis(100));
            }
            times
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    // 20 bombs at once from ten addresses (127.0.0.2 … 127.0.0.11), two each: the per-address limit leaves
    // them all room, so only the server's policy keeps a place for the probe.
    let bombs: Vec<_> = (0..20)
        .map(|i| {
            let base = s.base.clone();
            std::thread::spawn(move || get_from(&format!("127.0.0.{}", 2 + i / 2), &base, BOMB))
        })
        .collect();
    for bomb in bombs {
        let (status, seconds) = bomb.join().unwrap();
        assert!(status == 503 || status == 429, "a bomb got {status}");
        assert!(seconds < 3.0, "a bomb took {seconds} s (status {status})");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let times = probe.join().unwrap();
    let worst = times.iter().copied().fold(0.0, f64::max);
    assert!(times.len() >= 2, "{} probes", times.len());
    assert!(worst < 1.0, "a simple query took {worst} s");
    std::thread::sleep(Duration::from_secs(2));
    let before = cpu_ticks(s.child.id());
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks(s.child.id()) - before;
    assert!(used < 20, "the server still uses {used} ticks a second");
    let asked = Instant::now();
    sigterm(s.child.id());
    let mut exited = false;
    while asked.elapsed() < Duration::from_secs(2) {
        if s.child.try_wait().unwrap().is_some() {
            exited = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(exited, "SIGTERM did not stop the server within 2 s");
}

#[test]
fn a_large_answer_streams_and_one_cut_at_the_deadline_never_looks_whole() {
    use std::io::{Read, Write};
    let (_dir, store) = store_copy();
    let s = start(&store, &["--timeout", "2"]);
    let host = s.base.trim_start_matches("http://").to_owned();
    // Every quad twenty times over: rows come at once, and more of them than the deadline (or the size cap) lets
    // through.
    let endless = "SELECT * WHERE { ?s ?p ?o . VALUES ?x { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 } }";
    let mut tcp = std::net::TcpStream::connect(&host).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let asked = Instant::now();
    write!(
        tcp,
        "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\nAccept: text/tab-separated-values\r\nConnection: close\r\n\r\n",
        enc(endless)
    )
    .unwrap();
    let mut reply = vec![0u8; 1 << 16];
    let n = tcp.read(&mut reply).unwrap();
    let first_byte = asked.elapsed();
    reply.truncate(n);
    let _ = tcp.read_to_end(&mut reply);
    let whole = asked.elapsed();
    let text = String::from_utf8_lossy(&reply[..reply.len().min(4096)]).to_ascii_lowercase();
    assert!(text.starts_with("http/1.1 200"), "{text}");
    assert!(text.contains("transfer-encoding: chunked"), "{text}");
    assert!(
        first_byte < Duration::from_secs(1),
        "first byte after {first_byte:?}"
    );
    assert!(
        whole < Duration::from_secs(4),
        "the answer ended after {whole:?}"
    );
    assert!(reply.len() > 1 << 20, "{} bytes streamed", reply.len());
    assert!(
        !reply.ends_with(b"0\r\n\r\n"),
        "a cut answer ended as if whole"
    );
    // A complete answer ends whole.
    let (status, _, text) = body(
        agent()
            .get(&format!("{}/sparql?query={}", s.base, enc(LABELS)))
            .header("Accept", "text/csv")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(
        text.starts_with("l\r\n") && text.contains("苏服办"),
        "{text}"
    );
}

/// Send SIGTERM with the `kill` command (no unsafe code in tests).
fn sigterm(pid: u32) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn an_entity_page_by_name_redirects_and_an_unknown_name_suggests() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let get = |path: &str| a.get(&format!("{}{path}", s.base)).call().unwrap();
    for (name, id) in [
        ("%E8%8B%8F%E6%9C%8D%E5%8A%9E", "sufuban"), // 苏服办
        ("12345%20%E7%83%AD%E7%BA%BF", "jiangsu-12345-hotline"), // 12345 热线
        ("SUFUBAN", "sufuban"), // not an id, but the alias Su Fu Ban, without case or spaces
    ] {
        let r = get(&format!("/id/{name}"));
        assert_eq!(r.status().as_u16(), 303, "{name}");
        assert_eq!(
            r.headers().get("location").unwrap().to_str().unwrap(),
            format!("/id/{id}")
        );
    }
    // 苏服务 names nothing; the page links the nearest names, escaped.
    let (status, ct, page) = body(get("/id/%E8%8B%8F%E6%9C%8D%E5%8A%A1"));
    assert_eq!(status, 404);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(page.contains(">苏服办</a>"), "{page}");
    let (status, _, page) = body(get("/id/a%3Cscript%3E"));
    assert_eq!(status, 404);
    assert!(!page.contains("<script>"), "{page}");
}

#[test]
fn index_pages_list_entities_by_class_and_the_documents() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    let a = agent();
    let (status, _, home) = body(a.get(&format!("{}/", s.base)).call().unwrap());
    assert_eq!(status, 200);
    assert!(
        home.contains("href=\"/id/\"") && home.contains("href=\"/doc/\""),
        "the home page links both indexes"
    );
    let (status, ct, page) = body(a.get(&format!("{}/id/", s.base)).call().unwrap());
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(
        page.contains("<a href=\"/id/jiangsu-data-bureau\">江苏省数据局</a>"),
        "an entity with its link"
    );
    assert!(page.contains("<code>pk:Agency</code>"), "grouped by class");
    let (status, ct, json) = body(
        a.get(&format!("{}/id/", s.base))
            .header("Accept", "application/json")
            .call()
            .unwrap(),
    );
    assert_eq!((status, ct.as_str()), (200, "application/json"));
    let classes: serde_json::Value = serde_json::from_str(&json).unwrap();
    let classes = classes.as_array().unwrap();
    let agency = classes.iter().find(|c| c["name"] == "pk:Agency").unwrap();
    assert!(agency["zh"].as_str().is_some_and(|l| !l.is_empty()));
    assert!(agency["entities"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["zh"] == "江苏省数据局" && e["en"].as_str().is_some_and(|l| !l.is_empty())));
    // The same entities the named query lists, every one linked to a page that exists.
    let listed: usize = classes
        .iter()
        .map(|c| c["entities"].as_array().unwrap().len())
        .sum();
    let named = run(&store, &["query", "--name", "entities", "--format", "csv"]);
    assert_eq!(listed, stdout(&named).lines().count() - 1);
    for class in classes.iter().step_by(7) {
        let page = class["entities"][0]["page"].as_str().unwrap();
        let (status, _, _) = body(a.get(&format!("{}{page}", s.base)).call().unwrap());
        assert_eq!(status, 200, "{page}");
    }
    let (status, _, docs) = body(a.get(&format!("{}/doc/", s.base)).call().unwrap());
    assert_eq!(status, 200);
    assert!(docs.contains("<a href=\"/doc/jsdb-2024-key-tasks\">省数据局2024年重点工作任务</a>"));
    assert!(docs.contains("2023-01-05"), "dates of issue");
    let (_, _, json) = body(
        a.get(&format!("{}/doc/", s.base))
            .header("Accept", "application/json")
            .call()
            .unwrap(),
    );
    let documents: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(documents.as_array().unwrap().len(), 5);
    for d in documents.as_array().unwrap() {
        let (status, _, text) = body(
            a.get(&format!("{}{}", s.base, d["page"].as_str().unwrap()))
                .call()
                .unwrap(),
        );
        assert_eq!(status, 200);
        assert!(text.contains(d["title"].as_str().unwrap()));
    }
    let (status, _, _) = body(
        a.get(&format!("{}/doc/", s.base))
            .header("Accept", "image/png")
            .call()
            .unwrap(),
    );
    assert_eq!(status, 406);
}

/// A request line sent as it is (no client normalises the path): the status and the whole reply.
fn raw_get(base: &str, target: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://");
    let mut tcp = std::net::TcpStream::connect(host).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut request = b"GET ".to_vec();
    request.extend_from_slice(target);
    request.extend_from_slice(
        format!(" HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    // A server that refuses a request early may close before all of it is sent.
    let _ = tcp.write_all(&request);
    let mut reply = Vec::new();
    let _ = tcp.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, reply)
}

#[test]
fn traversal_paths_never_leave_the_store_documents() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    // What a way out would show: a system file, the project's sources, the store's own files.
    let secret = std::fs::read_dir(&store)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("CURRENT") || n.starts_with("OPTIONS"))
        .unwrap();
    let outside = [
        "root:x:0",
        "[package]",
        "manifest-",
        "RocksDB",
        "//! ",
        "fn main",
    ];
    let targets: &[&[u8]] = &[
        b"/doc/../../../../etc/passwd",
        b"/doc/..%2f..%2f..%2f..%2fetc%2fpasswd",
        b"/doc/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        b"/doc/%2e%2e%2f%2e%2e%2fCargo.toml",
        b"/doc/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        b"/doc/..%5c..%5c..%5cetc%5cpasswd",
        b"/doc/..\\..\\..\\etc\\passwd",
        b"/doc/%2fetc%2fpasswd",
        b"/doc//etc/passwd",
        b"/doc/jsdb-2024-key-tasks%00.txt",
        b"/doc/jsdb-2024-key-tasks%00/../../../etc/passwd",
        b"/doc/%00",
        b"/doc/.",
        b"/doc/..",
        b"/doc/%2e",
        b"/doc/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
        b"/id/..%2f..%2f..%2fetc%2fpasswd",
        b"/id/%2e%2e%2f%2e%2e%2fCargo.toml",
        b"/evidence/..%2f..%2fCURRENT",
        b"/ui/..%2fui.rs",
        b"/ui/../../src/main.rs",
        b"/ui/%2e%2e%2f%2e%2e%2fCargo.toml",
        b"/ui/editor.js%00.rs",
        b"/viz/lineage/..%2f..%2fetc%2fpasswd",
        b"/etc/passwd",
        b"//etc/passwd",
        b"/../../etc/passwd",
        b"http://127.0.0.1/../../etc/passwd",
        b"/Cargo.toml",
        b"/src/main.rs",
    ];
    for target in targets {
        let shown = String::from_utf8_lossy(target).into_owned();
        let started = Instant::now();
        let (status, reply) = raw_get(&s.base, target);
        assert!(status == 400 || status == 404, "{shown}: {status} {reply}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{shown} took {:?}",
            started.elapsed()
        );
        for marker in outside.iter().chain([&secret.as_str()]) {
            assert!(!reply.contains(marker), "{shown} shows {marker}: {reply}");
        }
    }
    // The documents themselves are still served, and the server still answers.
    let (status, reply) = raw_get(&s.base, b"/doc/jsdb-2024-key-tasks");
    assert_eq!(status, 200);
    assert!(reply.contains("省数据局2024年重点工作任务"));
    let (status, _) = raw_get(&s.base, b"/ui/editor.js");
    assert_eq!(status, 200);
}

#[test]
fn request_limits_are_answered_414_431_and_413() {
    let (_dir, store) = store_copy();
    let s = start(&store, &[]);
    // A URL up to 64 KiB is read (a GET query that long is answered) …
    let long = format!("/sparql?query=ASK%7B%7D&pad={}", "a".repeat(65_000));
    assert_eq!(raw_get(&s.base, long.as_bytes()).0, 200);
    // … a longer one is refused before any handler.
    let longer = format!("/sparql?query=ASK%7B%7D&pad={}", "a".repeat(70_000));
    let (status, reply) = raw_get(&s.base, longer.as_bytes());
    assert_eq!(status, 414, "{reply}");
    let (status, _) = raw_get(
        &s.base,
        format!(
            "/sparql HTTP/1.1\r\nX-Big: {}\r\nX-End: x",
            "b".repeat(1 << 20)
        )
        .as_bytes(),
    );
    assert_eq!(status, 431);
    // The 1 MiB body limit holds without a Content-Length too (a chunked body).
    {
        use std::io::{Read, Write};
        let host = s.base.trim_start_matches("http://");
        let mut tcp = std::net::TcpStream::connect(host).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(tcp, "POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").unwrap();
        let chunk = vec![b' '; 64 << 10];
        for _ in 0..20 {
            if write!(tcp, "{:x}\r\n", chunk.len()).is_err()
                || tcp.write_all(&chunk).is_err()
                || tcp.write_all(b"\r\n").is_err()
            {
                break;
            }
        }
        let _ = tcp.write_all(b"0\r\n\r\n");
        let mut reply = Vec::new();
        let _ = tcp.read_to_end(&mut reply);
        let reply = String::from_utf8_lossy(&reply).into_owned();
        assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    }
}

#[test]
fn the_validation_report_is_served_as_html_and_json() {
    let (_dir, store) = store_copy();
    let a = agent();
    let json_report = |base: &str| -> serde_json::Value {
        let (status, ct, text) = body(
            a.get(&format!("{base}/validate"))
                .header("Accept", "application/json")
                .call()
                .unwrap(),
        );
        assert_eq!((status, ct.as_str()), (200, "application/json"));
        serde_json::from_str(&text).unwrap()
    };
    {
        let s = start(&store, &[]);
        assert_eq!(json_report(&s.base)["conforms"], true);
        let (status, ct, page) = body(a.get(&format!("{}/validate", s.base)).call().unwrap());
        assert_eq!(status, 200);
        assert!(ct.starts_with("text/html"), "{ct}");
        assert!(page.contains("no violations"), "{page}");
    }
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shacl-violations.ttl");
    assert!(run(&store, &["load", file.to_str().unwrap()])
        .status
        .success());
    let s = start(&store, &[]);
    let report = json_report(&s.base);
    assert_eq!(report["conforms"], false);
    let results = report["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["focusNode"]
        == "https://w3id.org/policykg/id/test-unitless-observation"
        && r["sourceShape"] == "https://w3id.org/policykg/shapes#IndicatorObservation"));
    let (_, _, page) = body(a.get(&format!("{}/validate", s.base)).call().unwrap());
    assert!(page.contains("test-unitless-observation") && page.contains("violation(s)"));
}
