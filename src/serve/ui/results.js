// Query answers: run a query on /sparql, read SELECT/ASK answers (SPARQL JSON) and CONSTRUCT/DESCRIBE answers
// (N-Triples) into one term model ({type: uri|literal|bnode, value, datatype, xml:lang}), and show a table that
// sorts, filters and renders one page of 1,000 rows at a time however many rows arrived. IRIs show their labels
// and link to the entity pages. Every value is inserted as text.

export const PAGE = 1000;
const BASE = "https://w3id.org/policykg/";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "long", "int", "short", "byte", "nonNegativeInteger",
  "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt"].map(t => XSD + t));

/** Names and labels of IRIs: prefixed names from the prefixes, labels from /api/terms. */
export class Names {
  constructor(vocabulary) {
    this.prefixes = vocabulary.prefixes.slice().sort((a, b) => b[1].length - a[1].length);
    this.labels = new Map(vocabulary.terms.map(t => [t.iri, t]));
  }
  short(iri) {
    for (const [prefix, namespace] of this.prefixes) {
      if (iri.startsWith(namespace) && /^[\w\u3400-\u9FFF.-]*$/.test(iri.slice(namespace.length))) return prefix + ":" + iri.slice(namespace.length);
    }
    return iri;
  }
  /** The zh label, else the en label, else the prefixed name. */
  label(iri) {
    const t = this.labels.get(iri);
    return (t && (t.zh || t.en)) || this.short(iri);
  }
  /** The text a term is shown, sorted and filtered by. */
  text(term) {
    if (!term) return "";
    if (term.type === "uri") return this.label(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    return term.value;
  }
}

/** Where a link to an IRI goes: the entity, document or evidence page here, another http(s) IRI as it is;
 *  null for any other scheme (a `javascript:` IRI in loaded data stays text). */
export function href(iri) {
  if (iri.startsWith(BASE)) {
    const path = iri.slice(BASE.length);
    if (/^(id|doc|evidence)\//.test(path)) return "/" + path;
  }
  return /^https?:\/\//i.test(iri) ? iri : null;
}

export const isNumeric = term => term && term.type === "literal" && NUMERIC.has(term.datatype) && term.value.trim() !== "" && !isNaN(Number(term.value));

// N-Triples: one triple a line, terms as <iri>, _:b, "lexical"(@lang|^^<dt>)?.
const NT_TERM = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?/g;
const ESCAPES = { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" };
const unescape = s => s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e) =>
  e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e));

/** The triples of an N-Triples text, as {s, p, o} terms. */
export function parseNTriples(text) {
  const triples = [];
  for (const line of text.split("\n")) {
    const terms = [];
    NT_TERM.lastIndex = 0;
    for (let m; terms.length < 3 && (m = NT_TERM.exec(line)); ) {
      if (m[1] !== undefined) terms.push({ type: "uri", value: unescape(m[1]) });
      else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
      else {
        const t = { type: "literal", value: unescape(m[3]) };
        if (m[4]) t["xml:lang"] = m[4];
        else t.datatype = m[5] || XSD + "string";
        terms.push(t);
      }
    }
    if (terms.length === 3) triples.push({ s: terms[0], p: terms[1], o: terms[2] });
  }
  return triples;
}

/** One term of a SPARQL TSV answer (Turtle syntax: <iri>, _:b, "lexical"@lang or ^^<dt>, bare numbers and
 *  booleans); undefined for an empty field (unbound). */
export function parseTsvTerm(field, iris) {
  if (field === "") return undefined;
  const first = field[0];
  if (first === "<") {
    let term = iris.get(field);
    if (!term) iris.set(field, (term = { type: "uri", value: unescape(field.slice(1, -1)) }));
    return term;
  }
  if (first === "_") return { type: "bnode", value: field.slice(2) };
  if (first === '"') {
    const end = field.lastIndexOf('"');
    const term = { type: "literal", value: unescape(field.slice(1, end)) };
    const rest = field.slice(end + 1);
    if (rest.startsWith("@")) term["xml:lang"] = rest.slice(1);
    else term.datatype = rest.startsWith("^^<") ? rest.slice(3, -1) : XSD + "string";
    return term;
  }
  const datatype = field === "true" || field === "false" ? "boolean"
    : /^[+-]?\d+$/.test(field) ? "integer" : /[eE]/.test(field) ? "double" : "decimal";
  return { type: "literal", value: field, datatype: XSD + datatype };
}

/** Rows read when first asked for: `row(i)` parses one line of a TSV answer, `rows` all of them. A page of a
 *  large answer is shown after parsing only that page; sorting, filtering and the views read them all. */
function lazyRows(answer, lines, width) {
  const cache = new Array(lines.length), iris = new Map();
  let all = null;
  answer.count = lines.length;
  answer.row = i => cache[i] || (cache[i] = rowOf(lines[i], width, iris));
  Object.defineProperty(answer, "rows", { get: () => all || (all = lines.map((_, i) => answer.row(i))) });
  return answer;
}

function rowOf(line, width, iris) {
  const fields = line.split("\t");
  const row = new Array(width);
  for (let c = 0; c < width; c++) row[c] = parseTsvTerm(fields[c] || "", iris);
  return row;
}

/** Rows already in memory, with the same interface. */
function eagerRows(answer, rows) {
  answer.count = rows.length;
  answer.row = i => rows[i];
  answer.rows = rows;
  return answer;
}

/** The variables and rows of a SPARQL TSV answer, as {kind: "rows", vars, count, row(i), rows}. */
export function parseTsv(text) {
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  const header = lines.shift();
  const vars = header ? header.split("\t").map(v => v.slice(1)) : [];
  return lazyRows({ kind: "rows", vars }, lines, vars.length);
}

/** The form of a query: "graph" (CONSTRUCT, DESCRIBE), "ask" or "select". */
export function queryForm(text) {
  const body = text.replace(/#[^\n]*/g, " ").replace(/\b(PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)/gi, " ");
  const m = /^\s*(CONSTRUCT|DESCRIBE|ASK)\b/i.exec(body);
  return !m ? "select" : m[1].toUpperCase() === "ASK" ? "ask" : "graph";
}

const ACCEPT = { graph: "application/n-triples", ask: "application/sparql-results+json", select: "text/tab-separated-values" };

/** Run a query: the answer as {kind: "rows"|"boolean"|"graph", vars, count, row(i), rows, boolean, triples,
 *  truncated, fetchMs, parseMs}, or throw an Error whose message is the server's. SELECT answers come as TSV, the
 *  smallest of the result formats that keeps every term's kind, language and datatype. */
export async function runQuery(text) {
  const form = queryForm(text);
  const started = performance.now();
  const response = await fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", "Accept": ACCEPT[form] },
    body: text,
  });
  const body = await response.text();
  if (!response.ok) throw new Error(body.trim() || `${response.status} ${response.statusText}`);
  const fetched = performance.now();
  const truncated = response.headers.get("x-policykg-truncated") === "true";
  let answer;
  if (form === "graph") {
    const triples = parseNTriples(body);
    answer = eagerRows({ kind: "graph", vars: ["subject", "predicate", "object"], triples }, triples.map(t => [t.s, t.p, t.o]));
  } else if (form === "ask") answer = eagerRows({ kind: "boolean", boolean: JSON.parse(body).boolean, vars: [] }, []);
  else answer = parseTsv(body);
  answer.truncated = truncated;
  answer.fetchMs = fetched - started;
  answer.parseMs = performance.now() - fetched;
  return answer;
}

/** A download of the same query in another format, through the server's writers. */
export async function download(text, format) {
  const type = { csv: "text/csv", tsv: "text/tab-separated-values", json: "application/sparql-results+json", ttl: "text/turtle", nt: "application/n-triples" }[format];
  const response = await fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/sparql-query", "Accept": type }, body: text });
  if (!response.ok) throw new Error((await response.text()).trim());
  const blob = await response.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `query.${format}`;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/** The results table: sorting, filtering and paging over rows held in memory. */
export class Table {
  constructor(root, names) {
    this.root = root;
    this.names = names;
  }

  show(answer) {
    this.answer = answer;
    this.vars = answer.vars;
    this.order = null;
    this.view = null;
    this.sortColumn = -1;
    this.descending = false;
    this.filter = "";
    this.page = 0;
    this.texts = null;
    this.build();
    this.paint();
  }

  /** How many rows are shown (after the filter), and the answer's index of the k-th. */
  get shown() { return this.view ? this.view.length : this.answer.count; }
  at(k) { return this.view ? this.view[k] : k; }

  build() {
    const bar = document.createElement("div");
    bar.className = "table-bar";
    this.filterBox = bar.appendChild(document.createElement("input"));
    this.filterBox.id = "filter";
    this.filterBox.placeholder = "filter 筛选";
    this.filterBox.addEventListener("input", () => { this.filter = this.filterBox.value; this.refilter(); });
    this.pager = bar.appendChild(document.createElement("span"));
    this.pager.id = "pager";
    const table = document.createElement("table");
    table.id = "results-table";
    const head = table.appendChild(document.createElement("thead")).appendChild(document.createElement("tr"));
    this.vars.forEach((v, i) => {
      const th = head.appendChild(document.createElement("th"));
      th.textContent = v;
      th.dataset.column = String(i);
      th.title = "sort 排序";
      th.addEventListener("click", () => this.sortBy(i));
    });
    this.body = table.appendChild(document.createElement("tbody"));
    this.heads = head;
    this.root.replaceChildren(bar, table);
  }

  /** The shown text of every row, lowercased, built on the first filter only. */
  rowText(i) {
    if (!this.texts) this.texts = this.answer.rows.map(r => r.map(t => this.names.text(t)).join("\t").toLowerCase());
    return this.texts[i];
  }

  refilter() {
    const wanted = this.filter.trim().toLowerCase();
    const order = this.order || this.answer.rows.map((_, i) => i);
    this.view = wanted ? order.filter(i => this.rowText(i).includes(wanted)) : this.order;
    this.page = 0;
    this.paint();
  }

  /** Sort by a column (again: the other way): numbers as numbers, the rest by their shown text. */
  sortBy(column) {
    this.descending = this.sortColumn === column ? !this.descending : false;
    this.sortColumn = column;
    const keys = this.answer.rows.map(r => {
      const t = r[column];
      return isNumeric(t) ? Number(t.value) : this.names.text(t);
    });
    const direction = this.descending ? -1 : 1;
    const compare = (a, b) => {
      const x = keys[a], y = keys[b];
      if (typeof x !== typeof y) return (typeof x === "number" ? -1 : 1) * direction;
      return (x < y ? -1 : x > y ? 1 : a - b) * direction;
    };
    this.order = this.answer.rows.map((_, i) => i).sort(compare);
    [...this.heads.children].forEach((th, i) => { th.className = i === column ? (this.descending ? "desc" : "asc") : ""; });
    this.refilter();
  }

  paint() {
    const pages = Math.max(1, Math.ceil(this.shown / PAGE));
    this.page = Math.min(this.page, pages - 1);
    const from = this.page * PAGE, to = Math.min(this.shown, from + PAGE);
    const fragment = document.createDocumentFragment();
    for (let k = from; k < to; k++) {
      const tr = fragment.appendChild(document.createElement("tr"));
      for (const term of this.answer.row(this.at(k))) tr.appendChild(this.cell(term));
    }
    this.body.replaceChildren(fragment);
    this.paintPager(from, to, pages);
  }

  paintPager(from, to, pages) {
    const button = (label, page, name) => {
      const b = document.createElement("button");
      b.textContent = label;
      b.className = name;
      b.disabled = page < 0 || page >= pages || page === this.page;
      b.addEventListener("click", () => { this.page = page; this.paint(); });
      return b;
    };
    const info = document.createElement("span");
    info.className = "page-info";
    const filtered = this.shown === this.answer.count ? "" : ` (filtered from ${this.answer.count.toLocaleString("en")})`;
    info.textContent = this.shown
      ? `rows ${(from + 1).toLocaleString("en")}–${to.toLocaleString("en")} of ${this.shown.toLocaleString("en")}${filtered} · page ${this.page + 1}/${pages}`
      : `no rows${filtered}`;
    this.pager.replaceChildren(button("«", 0, "first"), button("‹", this.page - 1, "previous"), info,
      button("›", this.page + 1, "next"), button("»", pages - 1, "last"));
  }

  cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const target = href(term.value);
      const node = td.appendChild(document.createElement(target ? "a" : "span"));
      if (target) node.href = target;
      node.textContent = this.names.label(term.value);
      node.title = this.names.short(term.value);
      return td;
    }
    td.textContent = this.names.text(term);
    if (term.type === "literal") {
      if (term["xml:lang"]) td.appendChild(document.createElement("small")).textContent = " @" + term["xml:lang"];
      else if (term.datatype && term.datatype !== XSD + "string") td.title = this.names.short(term.datatype);
      if (isNumeric(term)) td.className = "number";
    }
    return td;
  }
}
