//! SPARQL: parsing with the predeclared prefixes, evaluation with a hard time limit, and result output.
//!
//! The default graph of every query is the union of all named graphs (unless the query names its own dataset
//! with FROM / FROM NAMED): the bundle keeps each document's facts in its own graph, and a researcher asking
//! "which platforms does 省数据局 run?" wants the answer from all of them.

use std::io::Write;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use comfy_table::{presets, ContentArrangement, Table};
use oxigraph::io::{RdfFormat, RdfSerializer, WriterQuadSerializer};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{CancellationToken, QueryResults, QuerySolution, SparqlEvaluator, Variable};
use oxigraph::store::Store;
use spargebra::Query;

use crate::model::error::{one_line, Error, Result};
use crate::model::format::{Format, QueryFormat};
use crate::model::vocab;
use crate::read::matching;
use crate::read::service::{Federation, ServiceGate};

/// The evaluator every query runs with: predeclared prefixes, the function `pk:matches`, and SERVICE refused
/// (see [`evaluator_with`]).
pub fn evaluator() -> SparqlEvaluator {
    evaluator_with(ServiceGate::off())
}

/// The evaluator with predeclared prefixes and `pk:matches`, whose SERVICE calls go through `gate`.
#[allow(
    clippy::expect_used,
    reason = "the predeclared namespaces are constants, checked by a unit test"
)]
pub fn evaluator_with(gate: ServiceGate) -> SparqlEvaluator {
    let mut evaluator = SparqlEvaluator::new().with_default_service_handler(gate);
    for (prefix, namespace) in vocab::PREFIXES {
        evaluator = evaluator
            .with_prefix(*prefix, *namespace)
            .expect("the predeclared namespaces are valid IRIs");
    }
    evaluator.with_custom_function(vocab::pk("matches"), pk_matches)
}

/// `pk:matches(?text, "数据安全")`: true when the string form of the first argument contains the letters and
/// digits of the second as [`crate::read::search`] finds them (full-width and case folded, punctuation and
/// spaces between words ignored); false when it does not; an error (unbound) for a query without letters or
/// digits. Evaluated once per candidate row, without an index: put it after the patterns that narrow the rows.
fn pk_matches(arguments: &[Term]) -> Option<Term> {
    let [text, query] = arguments else {
        return None;
    };
    let value = |t: &Term| match t {
        Term::Literal(l) => Some(l.value().to_owned()),
        Term::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    };
    let runs = matching::query_runs(&value(query)?);
    if runs.is_empty() {
        return None;
    }
    let found = !matching::find(&value(text)?, &runs).is_empty();
    Some(Literal::from(found).into())
}

/// Parse a query; `place` names it in errors (`query`, a file path, `queries/NAME.rq`).
/// A syntax error reads `PLACE:LINE:COLUMN: message (at: the offending line)`.
pub fn parse(text: &str, place: &str) -> Result<Query> {
    check_nesting(text, place)?;
    parser()
        .parse_query(text)
        .map_err(|e| syntax_error(text, place, &e.to_string()))
}

/// Parse a SPARQL Update, with the same prefixes and limits as queries.
pub fn parse_update(text: &str, place: &str) -> Result<spargebra::Update> {
    check_nesting(text, place)?;
    parser()
        .parse_update(text)
        .map_err(|e| syntax_error(text, place, &e.to_string()))
}

/// The deepest nesting of `{`, `(` and `[` a query may have. The SPARQL parser recurses once or more per level
/// and overflows a thread's stack at a few thousand; no real query comes near this.
pub const MAX_NESTING: usize = 256;

/// Refuse a query nested deeper than [`MAX_NESTING`] before the parser sees it. Brackets inside strings,
/// IRIs and comments do not count.
fn check_nesting(text: &str, place: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut rest = text.char_indices().peekable();
    while let Some((i, c)) = rest.next() {
        match c {
            '{' | '(' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Error::syntax_at(
                        place,
                        text,
                        i,
                        format!("the query nests brackets more than {MAX_NESTING} deep"),
                    ));
                }
            }
            '}' | ')' | ']' => depth = depth.saturating_sub(1),
            '#' => skip_comment(&mut rest),
            '"' | '\'' => skip_string(&mut rest, c),
            '<' => skip_iri(text, i, &mut rest),
            _ => {}
        }
    }
    Ok(())
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

fn skip_comment(rest: &mut Chars) {
    for (_, c) in rest.by_ref() {
        if c == '\n' {
            return;
        }
    }
}

/// Skip a string literal opened by `quote` (short or long form), honouring backslash escapes.
fn skip_string(rest: &mut Chars, quote: char) {
    let long = rest.next_if(|&(_, c)| c == quote).is_some();
    if long && rest.next_if(|&(_, c)| c == quote).is_none() {
        return; // an empty short string: "" or ''
    }
    let mut run = 0;
    while let Some((_, c)) = rest.next() {
        match c {
            '\\' => {
                rest.next();
                run = 0;
            }
            c if c == quote => {
                run += 1;
                if !long || run == 3 {
                    return;
                }
            }
            _ => run = 0,
        }
    }
}

/// Skip an IRI `<…>`; a `<` that opens no IRI (a comparison) is left alone.
fn skip_iri(text: &str, at: usize, rest: &mut Chars) {
    let after = &text[at + 1..];
    let end = after.find(|c: char| c == '>' || c.is_whitespace() || "{}()\"'<".contains(c));
    if let Some(end) = end.filter(|&e| after[e..].starts_with('>')) {
        let stop = at + 1 + end;
        while rest.next_if(|&(i, _)| i <= stop).is_some() {}
    }
}

/// The SPARQL parser with the predeclared prefixes (queries and updates).
#[allow(
    clippy::expect_used,
    reason = "the predeclared namespaces are constants, checked by a unit test"
)]
pub fn parser() -> spargebra::SparqlParser {
    let mut parser = spargebra::SparqlParser::new();
    for (prefix, namespace) in vocab::PREFIXES {
        parser = parser
            .with_prefix(*prefix, *namespace)
            .expect("the predeclared namespaces are valid IRIs");
    }
    parser
}

/// Turn a SPARQL parser message (`error at 2:15: expected …`) into a located one-line error.
pub fn syntax_error(text: &str, place: &str, message: &str) -> Error {
    let located = message.strip_prefix("error at ").and_then(|rest| {
        let (position, detail) = rest.split_once(": ")?;
        let (line, column) = position.split_once(':')?;
        Some((
            line.parse::<u64>().ok()?,
            column.parse::<u64>().ok()?,
            detail.to_owned(),
        ))
    });
    match located {
        Some((line, column, detail)) => {
            // `lines()` splits at `\n` only: a lone `\r` or a Unicode line separator in the client's text would
            // still break the message, so the quoted line is collapsed like the parser's message.
            let offending = one_line(
                text.lines()
                    .nth(line.saturating_sub(1) as usize)
                    .unwrap_or(""),
            );
            Error::Syntax {
                place: place.to_owned(),
                line,
                column,
                message: format!("{} (at: {offending})", one_line(&detail)),
            }
        }
        None => Error::invalid(place, one_line(message)),
    }
}

/// A query answer, fully evaluated.
pub enum Answer {
    /// The rows of a SELECT.
    Solutions {
        /// The projected variables, in order.
        variables: Arc<[Variable]>,
        /// The rows.
        solutions: Vec<QuerySolution>,
    },
    /// The answer of an ASK.
    Boolean(bool),
    /// The triples of a CONSTRUCT or DESCRIBE.
    Graph(Vec<Triple>),
}

impl Answer {
    /// Is this the answer of a CONSTRUCT or DESCRIBE?
    pub fn is_graph(&self) -> bool {
        matches!(self, Answer::Graph(_))
    }

    /// The number of rows, triples, or 1 for a boolean.
    pub fn len(&self) -> usize {
        match self {
            Answer::Solutions { solutions, .. } => solutions.len(),
            Answer::Boolean(_) => 1,
            Answer::Graph(triples) => triples.len(),
        }
    }

    /// No rows or triples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows of a SELECT as plain strings (see [`term_value`]; unbound as ""), or None for ASK and graphs.
    pub fn rows(&self) -> Option<Vec<Row>> {
        let Answer::Solutions {
            variables,
            solutions,
        } = self
        else {
            return None;
        };
        let names: Arc<[String]> = variables.iter().map(|v| v.as_str().to_owned()).collect();
        Some(
            solutions
                .iter()
                .map(|s| Row {
                    names: names.clone(),
                    values: variables
                        .iter()
                        .map(|v| s.get(v).map(term_value).unwrap_or_default())
                        .collect(),
                })
                .collect(),
        )
    }
}

/// One row of a SELECT answer as plain strings, read by variable name (`row.get("label")`), so that a query
/// can add or reorder its variables without breaking the code that reads it.
#[derive(Debug, Clone)]
pub struct Row {
    names: Arc<[String]>,
    values: Vec<String>,
}

impl Row {
    /// The value of `?variable`: an IRI, a literal's lexical form, or "" when unbound.
    ///
    /// Asking for a variable the query does not select is a bug in the calling code: it is caught in debug
    /// builds and reads as unbound in release builds.
    pub fn get(&self, variable: &str) -> &str {
        let found = self.names.iter().position(|n| n == variable);
        debug_assert!(found.is_some(), "the query selects no ?{variable}");
        found.map_or("", |i| self.values[i].as_str())
    }

    /// Every value, in the order of the query's projection (for generic tables and tests).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// The value of `?variable` as an owned string.
    pub fn string(&self, variable: &str) -> String {
        self.get(variable).to_owned()
    }

    /// The value of `?variable`, or None when it is unbound or empty.
    pub fn opt(&self, variable: &str) -> Option<&str> {
        Some(self.get(variable)).filter(|v| !v.is_empty())
    }
}

/// Evaluate a query on the store in a worker thread, giving up after `timeout`.
///
/// Oxigraph's cancellation is cooperative and can come many seconds late on CPU-bound joins, so the caller is
/// not made to wait for it: on timeout this returns [`Error::Timeout`] at once and cancels the worker, which
/// stops at its next check (a CLI process simply exits).
///
/// SERVICE may call any http or https endpoint (the user running the query is the one asking), within the
/// time limit.
pub fn evaluate(store: &Store, query: Query, timeout: Option<Duration>) -> Result<Answer> {
    let deadline = timeout.and_then(|t| std::time::Instant::now().checked_add(t));
    let gate = ServiceGate::new(Arc::new(Federation::AnyHttp), deadline);
    let token = CancellationToken::new();
    let worker_token = token.clone();
    let store = store.clone();
    let (sender, receiver) = mpsc::channel();
    let worker = std::thread::Builder::new()
        .name("policykg-query".into())
        .spawn(move || {
            let _ = sender.send(evaluate_with(&store, query, Some(worker_token), None, gate));
            // The worker's store handle is dropped here, before the caller can see the answer finished: a
            // process must not exit while another thread is still closing RocksDB.
        })
        .map_err(|e| Error::Evaluation(e.to_string()))?;
    let received = match timeout {
        Some(limit) => receiver.recv_timeout(limit).map_err(|e| match e {
            mpsc::RecvTimeoutError::Timeout => {
                token.cancel();
                Error::Timeout {
                    seconds: limit.as_secs_f64(),
                }
            }
            mpsc::RecvTimeoutError::Disconnected => {
                Error::Evaluation("the query worker stopped".into())
            }
        }),
        None => receiver
            .recv()
            .map_err(|_| Error::Evaluation("the query worker stopped".into())),
    };
    // On timeout the worker is left to notice its cancellation; otherwise it has finished and is joined.
    if received.is_ok() {
        let _ = worker.join();
    }
    received?
}

/// The dataset of a protocol request (`default-graph-uri`, `named-graph-uri`), replacing the query's own.
#[derive(Debug, Clone, Default)]
pub struct DatasetSpec {
    /// The graphs whose union is the default graph (empty: the union of all named graphs).
    pub default: Vec<NamedNode>,
    /// The named graphs GRAPH may see (empty: all).
    pub named: Vec<NamedNode>,
}

impl DatasetSpec {
    /// The dataset of a protocol request's `default-graph-uri` and `named-graph-uri` values, or None (keep the
    /// query's own) when there are none; a value that is not an IRI is a usage error naming its parameter.
    pub fn from_iris(default: &[String], named: &[String]) -> Result<Option<DatasetSpec>> {
        if default.is_empty() && named.is_empty() {
            return Ok(None);
        }
        let iris = |list: &[String], what: &str| -> Result<Vec<NamedNode>> {
            list.iter()
                .map(|g| {
                    NamedNode::new(g.as_str()).map_err(|e| {
                        Error::Usage(format!(
                            "{what} {g:?} is not an IRI: {}",
                            one_line(&e.to_string())
                        ))
                    })
                })
                .collect()
        };
        Ok(Some(DatasetSpec {
            default: iris(default, "default-graph-uri")?,
            named: iris(named, "named-graph-uri")?,
        }))
    }
}

/// Evaluate a query on the calling thread (no time limit but the token; SERVICE refused).
pub fn evaluate_now(
    store: &Store,
    query: Query,
    token: Option<CancellationToken>,
) -> Result<Answer> {
    evaluate_with(store, query, token, None, ServiceGate::off())
}

/// Evaluate a query on the calling thread with an explicit dataset, if any, and SERVICE calls through `gate`.
/// A SERVICE the gate refused fails the query with the refusal, even under SILENT.
pub fn evaluate_with(
    store: &Store,
    query: Query,
    token: Option<CancellationToken>,
    dataset: Option<DatasetSpec>,
    gate: ServiceGate,
) -> Result<Answer> {
    evaluate_bounded(store, query, token, dataset, gate, None)
}

/// [`evaluate_with`], keeping at most `max_rows + 1` rows of a SELECT (the extra row tells that there were
/// more): the rest are never held in memory.
pub fn evaluate_bounded(
    store: &Store,
    query: Query,
    token: Option<CancellationToken>,
    dataset: Option<DatasetSpec>,
    gate: ServiceGate,
    max_rows: Option<usize>,
) -> Result<Answer> {
    let answer = evaluate_gated(store, query, token, dataset, gate.clone(), max_rows);
    match gate.refusal() {
        Some(refusal) => Err(refusal.into_error()),
        None => answer,
    }
}

fn evaluate_gated(
    store: &Store,
    query: Query,
    token: Option<CancellationToken>,
    dataset: Option<DatasetSpec>,
    gate: ServiceGate,
    max_rows: Option<usize>,
) -> Result<Answer> {
    match execute(store, query, token, dataset, gate)? {
        QueryResults::Solutions(iter) => {
            let variables: Arc<[Variable]> = iter.variables().to_vec().into();
            let kept = max_rows.map_or(usize::MAX, |max| max.saturating_add(1));
            let solutions = iter
                .take(kept)
                .collect::<Result<Vec<_>, _>>()
                .map_err(eval_error)?;
            Ok(Answer::Solutions {
                variables,
                solutions,
            })
        }
        QueryResults::Boolean(b) => Ok(Answer::Boolean(b)),
        QueryResults::Graph(iter) => Ok(Answer::Graph(
            iter.collect::<Result<Vec<_>, _>>().map_err(eval_error)?,
        )),
    }
}

/// The error of an evaluation.
fn eval_error(e: oxigraph::sparql::QueryEvaluationError) -> Error {
    match e {
        oxigraph::sparql::QueryEvaluationError::Cancelled => {
            Error::Evaluation("the query was cancelled".into())
        }
        source => Error::Query { source },
    }
}

/// Start evaluating a query: its dataset (the protocol's, else the query's own, else the union of the named
/// graphs), the token, the SERVICE gate; the answer comes as it is iterated.
fn execute(
    store: &Store,
    query: Query,
    token: Option<CancellationToken>,
    dataset: Option<DatasetSpec>,
    gate: ServiceGate,
) -> Result<QueryResults<'static>> {
    let mut evaluator = evaluator_with(gate);
    if let Some(token) = token {
        evaluator = evaluator.with_cancellation_token(token);
    }
    let mut prepared = evaluator.for_query(query);
    match dataset {
        Some(spec) => {
            let d = prepared.dataset_mut();
            if spec.default.is_empty() {
                d.set_default_graph_as_union();
            } else {
                d.set_default_graph(spec.default.into_iter().map(GraphName::NamedNode).collect());
            }
            if !spec.named.is_empty() {
                d.set_available_named_graphs(
                    spec.named
                        .into_iter()
                        .map(NamedOrBlankNode::NamedNode)
                        .collect(),
                );
            }
        }
        None if prepared.dataset().is_default_dataset() => {
            prepared.dataset_mut().set_default_graph_as_union()
        }
        None => {}
    }
    prepared.on_store(store).execute().map_err(eval_error)
}

/// A query and how it is evaluated for a client: its protocol dataset, its SERVICE gate, its cancellation, and
/// the most rows of a SELECT it answers.
pub struct Bounded {
    /// The parsed query.
    pub query: Query,
    /// Cancels the evaluation.
    pub token: Option<CancellationToken>,
    /// The protocol dataset, replacing the query's own.
    pub dataset: Option<DatasetSpec>,
    /// Which SERVICE calls the query may make, and until when.
    pub gate: ServiceGate,
    /// At most this many rows of a SELECT.
    pub max_rows: Option<usize>,
}

/// Evaluate a query and write its answer in `format` as it comes, so that a large answer's first bytes leave
/// before its last row is found. `start(out, truncated)` runs once, before the answer's first byte, as soon as
/// it is known whether `max_rows` cuts the rows: at once without `max_rows`; with it, after `max_rows + 1` rows
/// or the end (so no more rows than that are held). A query that names SERVICE, and the table format, are
/// evaluated whole first: a SERVICE the gate refused fails the query even under SILENT, which is known only at
/// its end. An error after `start` leaves the answer cut short: the caller must not pass it on as whole.
pub fn write_query(
    store: &Store,
    bounded: Bounded,
    format: QueryFormat,
    out: &mut dyn Write,
    start: &mut dyn FnMut(&mut dyn Write, bool) -> Result<()>,
) -> Result<()> {
    let Bounded {
        query,
        token,
        dataset,
        gate,
        max_rows,
    } = bounded;
    // Conservative: the text SERVICE anywhere in the query (a literal too) means evaluating it whole.
    if format == QueryFormat::Table || query.to_string().contains("SERVICE") {
        let mut answer = evaluate_bounded(store, query, token, dataset, gate, max_rows)?;
        let mut truncated = false;
        if let (Some(max), Answer::Solutions { solutions, .. }) = (max_rows, &mut answer) {
            truncated = solutions.len() > max;
            solutions.truncate(max);
        }
        start(out, truncated)?;
        return write_answer(&answer, format, out);
    }
    let written = match execute(store, query, token, dataset, gate.clone())? {
        QueryResults::Solutions(mut iter) => {
            let variables = iter.variables().to_vec();
            let results_format = Format::from(format)
                .results_format()
                .ok_or_else(|| wrong_format(format, &SOLUTIONS, "SELECT"))?;
            let mut held = Vec::new();
            let mut truncated = false;
            if let Some(max) = max_rows {
                for solution in iter.by_ref().take(max.saturating_add(1)) {
                    held.push(solution.map_err(eval_error)?);
                }
                truncated = held.len() > max;
                held.truncate(max);
            }
            start(out, truncated)?;
            let mut serializer = QueryResultsSerializer::from_format(results_format)
                .serialize_solutions_to_writer(out, variables)
                .map_err(io_error)?;
            for s in &held {
                serializer.serialize(s).map_err(io_error)?;
            }
            if max_rows.is_none() {
                for s in iter {
                    serializer
                        .serialize(&s.map_err(eval_error)?)
                        .map_err(io_error)?;
                }
            }
            serializer.finish().map_err(io_error).map(|_| ())
        }
        QueryResults::Boolean(value) => {
            start(out, false)?;
            write_boolean(value, format, out)
        }
        QueryResults::Graph(iter) => {
            let rdf_format = graph_format(format)?;
            start(out, false)?;
            let mut writer = graph_writer(rdf_format, out)?;
            for t in iter {
                writer
                    .serialize_triple(&t.map_err(eval_error)?)
                    .map_err(io_error)?;
            }
            writer.finish().map_err(io_error).map(|_| ())
        }
    };
    match gate.refusal() {
        Some(refusal) => Err(refusal.into_error()),
        None => written,
    }
}

/// Convenience for library users and tests: parse and evaluate a SELECT, returning rows of strings
/// (IRIs as full IRIs, literals as their lexical value, unbound as "").
pub fn select_strings(store: &Store, text: &str) -> Result<Vec<Row>> {
    evaluate_now(store, parse(text, "query")?, None)?
        .rows()
        .ok_or_else(|| Error::Usage("expected a SELECT query".into()))
}

/// The plain value of a term: an IRI, a literal's lexical form, a blank node's id.
pub fn term_value(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => n.as_str().to_owned(),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => l.value().to_owned(),
    }
}

/// How a term reads in a table: prefixed names for IRIs, literal values as written.
pub fn term_display(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => vocab::shorten(n.as_str()),
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => l.value().to_owned(),
    }
}

/// The formats of SELECT and ASK answers.
const SOLUTIONS: [QueryFormat; 5] = [
    QueryFormat::Table,
    QueryFormat::Json,
    QueryFormat::Xml,
    QueryFormat::Csv,
    QueryFormat::Tsv,
];
/// The formats of CONSTRUCT and DESCRIBE answers.
const GRAPHS: [QueryFormat; 5] = [
    QueryFormat::Turtle,
    QueryFormat::NTriples,
    QueryFormat::NQuads,
    QueryFormat::JsonLd,
    QueryFormat::RdfXml,
];

fn io_error(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// Write an answer in a format; the format must suit the answer (solutions vs graph).
pub fn write_answer(answer: &Answer, format: QueryFormat, out: &mut dyn Write) -> Result<()> {
    match answer {
        Answer::Solutions {
            variables,
            solutions,
        } => write_solutions(variables, solutions, format, out),
        Answer::Boolean(value) => write_boolean(*value, format, out),
        Answer::Graph(triples) => write_graph(triples, format, out),
    }
}

fn write_solutions(
    variables: &[Variable],
    solutions: &[QuerySolution],
    format: QueryFormat,
    out: &mut dyn Write,
) -> Result<()> {
    if format == QueryFormat::Table {
        let mut table = new_table(variables.iter().map(|v| v.as_str().to_owned()).collect());
        for s in solutions {
            table.add_row(
                variables
                    .iter()
                    .map(|v| s.get(v).map(term_display).unwrap_or_default()),
            );
        }
        let n = solutions.len();
        writeln!(out, "{table}").map_err(io_error)?;
        return writeln!(out, "{n} row{}", if n == 1 { "" } else { "s" }).map_err(io_error);
    }
    let results_format = Format::from(format)
        .results_format()
        .ok_or_else(|| wrong_format(format, &SOLUTIONS, "SELECT"))?;
    let mut serializer = QueryResultsSerializer::from_format(results_format)
        .serialize_solutions_to_writer(out, variables.to_vec())
        .map_err(io_error)?;
    for s in solutions {
        serializer.serialize(s).map_err(io_error)?;
    }
    serializer.finish().map_err(io_error)?;
    Ok(())
}

fn write_boolean(value: bool, format: QueryFormat, out: &mut dyn Write) -> Result<()> {
    if format == QueryFormat::Table {
        return writeln!(out, "{value}").map_err(io_error);
    }
    let results_format = Format::from(format)
        .results_format()
        .ok_or_else(|| wrong_format(format, &SOLUTIONS, "ASK"))?;
    QueryResultsSerializer::from_format(results_format)
        .serialize_boolean_to_writer(out, value)
        .map_err(io_error)?;
    Ok(())
}

fn write_graph(triples: &[Triple], format: QueryFormat, out: &mut dyn Write) -> Result<()> {
    let mut writer = graph_writer(graph_format(format)?, out)?;
    for t in triples {
        writer.serialize_triple(t).map_err(io_error)?;
    }
    writer.finish().map_err(io_error)?;
    Ok(())
}

/// The RDF format of a CONSTRUCT or DESCRIBE answer in `format`, or the error naming the formats that can.
fn graph_format(format: QueryFormat) -> Result<RdfFormat> {
    Format::from(format)
        .rdf_format()
        .filter(|_| GRAPHS.contains(&format))
        .ok_or_else(|| wrong_format(format, &GRAPHS, "CONSTRUCT/DESCRIBE"))
}

/// A writer of triples in `format`, with the project's prefixes.
fn graph_writer(
    format: RdfFormat,
    out: &mut dyn Write,
) -> Result<WriterQuadSerializer<&mut dyn Write>> {
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, namespace) in vocab::PREFIXES {
        serializer = serializer
            .with_prefix(*prefix, *namespace)
            .map_err(|e| Error::Usage(format!("bad prefix {prefix}: {e}")))?;
    }
    Ok(serializer.for_writer(out))
}

fn wrong_format(format: QueryFormat, allowed: &[QueryFormat], kind: &str) -> Error {
    Error::Usage(format!(
        "{format} cannot hold {kind} results; use {}",
        allowed
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// A table with the house style: UTF-8 rules, columns aligned by display width (Chinese is two columns wide),
/// no wrapping (rows stay on one line, so `grep` and `less -S` work).
pub fn new_table(header: Vec<String>) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predeclared_prefixes_are_valid() {
        let _ = evaluator();
        let _ = parser();
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing_in_one_line() {
        for (open, close) in [("{", "}"), ("(", ")"), ("[", "]")] {
            let text = format!(
                "SELECT * WHERE {}{}",
                open.repeat(100_000),
                close.repeat(100_000)
            );
            let e = parse(&text, "query")
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.starts_with("query:1:"), "{e}");
            assert!(e.contains("more than 256 deep"), "{e}");
            assert!(!e.contains('\n'));
        }
        let calls = format!(
            "SELECT (STR({}1{}) AS ?x) {{}}",
            "STR(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert!(parse(&calls, "query").is_err());
    }

    #[test]
    fn brackets_in_strings_iris_and_comments_do_not_count() {
        let deep = "{".repeat(300);
        let text = format!(
            "SELECT ?x WHERE {{ ?x ?p \"{deep}\" . ?x ?q '''{deep}''' . ?x ?r <http://e/a#x> # {deep}\n FILTER(1 < 2) }}"
        );
        assert!(
            parse(&text, "query").is_ok(),
            "{:?}",
            parse(&text, "query").err()
        );
        // A `#` inside an IRI starts no comment: the brackets after it on the same line still count.
        let hidden = format!("SELECT * WHERE {{ ?x ?r <http://e/a#x> . {deep} }}");
        assert!(parse(&hidden, "query").is_err_and(|e| e.to_string().contains("256 deep")));
    }

    #[test]
    fn pk_matches_finds_words_in_literals() {
        let store = Store::new().unwrap();
        let rows = select_strings(
            &store,
            "SELECT ?a ?b ?c WHERE { BIND(pk:matches(\"加强数据安全管理\", \"数据安全\") AS ?a)
               BIND(pk:matches(\"数据。安全\", \"数据安全\") AS ?b) BIND(pk:matches(\"x\", \"。\") AS ?c) }",
        )
        .unwrap();
        assert_eq!((rows[0].get("a"), rows[0].get("b")), ("true", "false"));
        assert_eq!(rows[0].opt("c"), None);
    }

    #[test]
    fn rows_are_read_by_variable_name() {
        let store = Store::new().unwrap();
        let rows =
            select_strings(&store, "SELECT ?b ?a WHERE { BIND(1 AS ?a) BIND(2 AS ?b) }").unwrap();
        assert_eq!((rows[0].get("a"), rows[0].get("b")), ("1", "2"));
        assert_eq!(rows[0].values(), ["2", "1"]);
    }

    mod properties {
        use super::*;
        use crate::model::error::is_one_line;
        use proptest::prelude::*;

        /// Pieces of SPARQL, brackets, quotes, comments and line breaks of every kind: joined at random they
        /// reach the parser's deeper states (strings, IRIs, nested groups) that arbitrary text rarely does.
        const PIECES: &[&str] = &[
            "SELECT",
            "ASK",
            "CONSTRUCT",
            "DESCRIBE",
            "WHERE",
            "*",
            "?x",
            "$y",
            "{",
            "}",
            "(",
            ")",
            "[",
            "]",
            "<",
            ">",
            "<http://e/a#b>",
            "pk:Regulation",
            "\"",
            "'",
            "\"\"\"",
            "'''",
            "\\",
            "#",
            ".",
            ";",
            ",",
            "FILTER",
            "OPTIONAL",
            "UNION",
            "SERVICE",
            "GRAPH",
            "VALUES",
            "BIND",
            "AS",
            "COUNT",
            "LIMIT",
            "9999999999999999999999",
            "苏服办",
            "@zh",
            "^^xsd:date",
            "\n",
            "\r",
            "\r\n",
            "\u{2028}",
            "\u{85}",
            "\u{b}",
            "\u{0}",
            " ",
            "\t",
            "INSERT DATA",
            "DELETE",
            "PREFIX p: <x:>",
            "BASE <a>",
        ];

        /// SPARQL pieces joined at random.
        fn soup() -> impl Strategy<Value = String> {
            proptest::collection::vec(proptest::sample::select(PIECES), 0..60)
                .prop_map(|p| p.join(""))
        }

        /// A query or update text: arbitrary characters, or SPARQL pieces.
        fn text() -> impl Strategy<Value = String> {
            prop_oneof![any::<String>(), soup()]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

            #[test]
            fn any_query_text_parses_or_fails_in_one_line(text in text()) {
                if let Err(e) = parse(&text, "query") {
                    let message = e.to_string();
                    prop_assert!(is_one_line(&message), "{:?}", message);
                    prop_assert!(message.starts_with("query"), "{:?}", message);
                }
                if let Err(e) = parse_update(&text, "update") {
                    prop_assert!(is_one_line(&e.to_string()), "{:?}", e.to_string());
                }
            }

            #[test]
            fn any_nesting_is_refused_or_parsed_without_overflow(depth in 0usize..3000, open in "[{(\\[]") {
                let close = match open.as_str() { "{" => "}", "(" => ")", _ => "]" };
                let text = format!("SELECT * WHERE {{ {}{} }}", open.repeat(depth), close.repeat(depth));
                if let Err(e) = parse(&text, "query") {
                    prop_assert!(is_one_line(&e.to_string()));
                    prop_assert!(depth < MAX_NESTING || e.to_string().contains("deep"), "{}", e);
                }
            }
        }
    }
}
