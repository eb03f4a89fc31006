// Result views, hand-drawn in SVG: a timeline for rows with dates (a year, a month or a day drawn as what it
// is), line and bar charts for numbers by date, and a graph for CONSTRUCT answers and entity-to-entity rows,
// with labels rather than ids. The view is chosen from the answer, or by a `#defaultView:NAME` comment as on
// WDQS. Every label is set with textContent.

import { isNumeric } from "./results.js";

export const VIEWS = ["Table", "Timeline", "LineChart", "BarChart", "Graph"];
const SVG = "http://www.w3.org/2000/svg";
const XSD = "http://www.w3.org/2001/XMLSchema#";
const PRECISION = { [XSD + "gYear"]: "year", [XSD + "gYearMonth"]: "month", [XSD + "date"]: "day", [XSD + "dateTime"]: "day" };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
const LABELS = ["http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label"];

/** A date term as {text, precision, at (a fractional year), end}, or null for anything else. */
export function dateOf(term) {
  if (!term || term.type !== "literal") return null;
  const m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(term.value);
  const precision = PRECISION[term.datatype] || (m && /^\d{4}(-\d{2}){0,2}$/.test(term.value) && ["year", "month", "day"][term.value.split("-").length - 1]);
  if (!m || !precision) return null;
  const year = Number(m[1]), month = Number(m[2] || 1), day = Number(m[3] || 1);
  const at = year + (month - 1) / 12 + (day - 1) / 365;
  const end = precision === "year" ? year + 1 : precision === "month" ? at + 1 / 12 : at;
  const text = precision === "year" ? m[1] : precision === "month" ? `${m[1]}-${m[2]}` : `${m[1]}-${m[2]}-${m[3]}`;
  return { text, precision, at, end };
}

/** Which columns hold dates, numbers, and entities (IRIs), by their first bound values. */
export function columns(answer) {
  const kinds = answer.vars.map((_, c) => {
    const seen = [];
    for (let i = 0; i < Math.min(200, answer.count); i++) if (answer.row(i)[c]) seen.push(answer.row(i)[c]);
    if (!seen.length) return "empty";
    if (seen.every(t => dateOf(t))) return "date";
    if (seen.every(isNumeric)) return "number";
    if (seen.every(t => t.type === "uri" || t.type === "bnode")) return "entity";
    return "text";
  });
  const of = kind => kinds.flatMap((k, i) => (k === kind ? [i] : []));
  return { kinds, dates: of("date"), numbers: of("number"), entities: of("entity") };
}

/** The views an answer can be shown in, and the one to show: `#defaultView:` when it names one it can,
 *  else a chart for numbers by date, a timeline for dates, a graph for RDF answers, the table otherwise. */
export function chooseView(answer, queryText) {
  const cols = columns(answer);
  const possible = ["Table"];
  if (answer.kind === "graph" || cols.entities.length >= 2) possible.push("Graph");
  if (cols.dates.length) possible.push("Timeline");
  if (cols.numbers.length && answer.count) possible.push("LineChart", "BarChart");
  const asked = /#\s*defaultView\s*:\s*(\w+)/i.exec(queryText);
  const named = asked && VIEWS.find(v => v.toLowerCase() === asked[1].toLowerCase());
  let chosen = "Table";
  if (named && possible.includes(named)) chosen = named;
  else if (answer.kind === "graph") chosen = "Graph";
  else if (cols.dates.length && cols.numbers.length) chosen = "LineChart";
  else if (cols.dates.length) chosen = "Timeline";
  return { possible: VIEWS.filter(v => possible.includes(v)), chosen, columns: cols };
}

function el(parent, name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function svgOf(root, width, height, id) {
  const svg = el(null, "svg", { width, height, viewBox: `0 0 ${width} ${height}`, id, class: "view" });
  root.replaceChildren(svg);
  return svg;
}

const clip = (s, n) => (Array.from(s).length > n ? Array.from(s).slice(0, n - 1).join("") + "…" : s);

/** The text of a row for a label: every column but the ones given, IRIs by label, blanks skipped. */
function rowLabel(row, skip, names) {
  return row.filter((t, i) => t && !skip.includes(i)).map(t => names.text(t)).filter((s, i, all) => s && all.indexOf(s) === i).join(" · ");
}

/** Round tick values covering [low, high]. */
function ticks(low, high, count) {
  const span = high - low || 1;
  const step = Math.pow(10, Math.floor(Math.log10(span / count)));
  const unit = [1, 2, 5, 10].map(f => f * step).find(s => span / s <= count) || step * 10;
  const out = [];
  for (let v = Math.ceil(low / unit) * unit; v <= high + unit * 1e-9; v += unit) out.push(Number(v.toPrecision(12)));
  return out;
}

const compact = new Intl.NumberFormat("zh-CN", { notation: "compact", maximumFractionDigits: 2 });

/** Years axis across the top or bottom of a plot, with grid lines. */
function yearAxis(svg, x, from, to, top, bottom, labelY) {
  const first = Math.floor(from), last = Math.ceil(to);
  const every = Math.max(1, Math.ceil((last - first) / 15));
  for (let year = first; year <= last; year += every) {
    const px = x(year);
    el(svg, "line", { x1: px, x2: px, y1: top, y2: bottom, class: "grid" });
    el(svg, "text", { x: px + 3, y: labelY, class: "tick" }, String(year));
  }
}

/** The timeline: one line per dated row in date order; a year or a month drawn as a span, a day as a point. */
export function drawTimeline(root, answer, cols, names) {
  const dc = cols.dates[0];
  const items = answer.rows.map((row, i) => ({ row, i, date: dateOf(row[dc]) })).filter(it => it.date)
    .sort((a, b) => a.date.at - b.date.at || a.i - b.i).slice(0, 1000);
  const undated = answer.rows.length - answer.rows.filter(r => dateOf(r[dc])).length;
  const width = Math.max(900, root.clientWidth || 1000), rowHeight = 24, top = 34;
  const height = top + items.length * rowHeight + 20;
  const svg = svgOf(root, width, height, "timeline");
  if (!items.length) return svg;
  const from = Math.floor(items[0].date.at), to = Math.ceil(Math.max(...items.map(it => it.date.end), items[0].date.at + 1));
  const left = 20, right = width * 0.45;
  const x = v => left + (v - from) / (to - from) * (right - left);
  yearAxis(svg, x, from, to, top - 8, height - 10, 16);
  items.forEach((it, k) => {
    const y = top + k * rowHeight;
    const g = el(svg, "g", { class: `item ${it.date.precision}`, "data-date": it.date.text, "data-precision": it.date.precision });
    const x0 = x(it.date.at), x1 = x(it.date.end);
    if (it.date.precision === "day") el(g, "circle", { cx: x0, cy: y + 8, r: 5, class: "mark" });
    else el(g, "rect", { x: x0, y: y + 2, width: Math.max(4, x1 - x0), height: 12, rx: 3, class: "mark" });
    const label = rowLabel(it.row, [dc], names);
    el(g, "text", { x: right + 12, y: y + 13, class: "date" }, it.date.text);
    el(g, "text", { x: right + 100, y: y + 13, class: "label" }, clip(label, 60));
    el(g, "title", {}, `${it.date.text} (${it.date.precision}) ${label}`);
  });
  if (undated) el(svg, "text", { x: right + 12, y: 16, class: "note" }, `${undated} rows without a date not shown`);
  return svg;
}

/** The series of a chart: x from a date (or the first) column, y from a number column, one series per value of
 *  a text column (one named like measure/series/indicator, else the first text or entity column with at most
 *  twelve values). */
export function series(answer, cols, names) {
  const xc = cols.dates.length ? cols.dates[0] : 0;
  const yc = cols.numbers.find(c => c !== xc);
  if (yc === undefined) return { xc, yc, groups: new Map() };
  const candidates = cols.kinds.flatMap((k, i) => ((k === "text" || k === "entity") && i !== xc ? [i] : []));
  const distinct = c => new Set(answer.rows.map(r => names.text(r[c]))).size;
  const sc = candidates.find(c => /measure|series|indicator|metric|系列|指标/i.test(answer.vars[c]))
    ?? candidates.find(c => distinct(c) <= 12);
  const groups = new Map();
  for (const row of answer.rows) {
    const y = row[yc], date = dateOf(row[xc]);
    if (!isNumeric(y)) continue;
    const key = sc === undefined ? answer.vars[yc] : names.text(row[sc]);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ x: date ? date.at : null, xText: date ? date.text : names.text(row[xc]), y: Number(y.value), row });
  }
  return { xc, yc, sc, groups };
}

/** A line chart (points joined in date order) or a bar chart (bars grouped by date), with a legend. */
export function drawChart(root, answer, cols, names, kind) {
  const { yc, groups } = series(answer, cols, names);
  const width = Math.max(900, root.clientWidth || 1000), height = 440;
  const svg = svgOf(root, width, height, kind === "BarChart" ? "bar-chart" : "line-chart");
  const points = [...groups.values()].flat();
  if (!points.length) return svg;
  const m = { left: 80, right: 300, top: 20, bottom: 40 };
  const ys = points.map(p => p.y), low = Math.min(0, ...ys), high = Math.max(...ys);
  const yTicks = ticks(low, high, 6);
  const yMax = Math.max(high, yTicks[yTicks.length - 1]), yMin = Math.min(low, yTicks[0]);
  const y = v => height - m.bottom - (v - yMin) / (yMax - yMin || 1) * (height - m.top - m.bottom);
  for (const t of yTicks) {
    el(svg, "line", { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t), class: "grid" });
    el(svg, "text", { x: m.left - 6, y: y(t) + 4, class: "tick y" }, compact.format(t));
  }
  el(svg, "text", { x: m.left, y: 12, class: "axis-name" }, answer.vars[yc]);
  const categories = [...new Set(points.map(p => p.xText))].sort((a, b) => (points.find(p => p.xText === a).x ?? 0) - (points.find(p => p.xText === b).x ?? 0) || (a < b ? -1 : 1));
  const dated = points.every(p => p.x !== null) && kind === "LineChart";
  const plotWidth = width - m.left - m.right;
  let x;
  if (dated) {
    const xs = points.map(p => p.x);
    const from = Math.floor(Math.min(...xs)) - 0.25, to = Math.ceil(Math.max(...xs)) + 0.25;
    x = p => m.left + (p.x - from) / (to - from) * plotWidth;
    yearAxis(svg, v => m.left + (v - from) / (to - from) * plotWidth, Math.ceil(from), Math.floor(to), m.top, height - m.bottom, height - m.bottom + 18);
  } else {
    const band = plotWidth / categories.length;
    x = p => m.left + band * (categories.indexOf(p.xText) + 0.5);
    categories.forEach((c, i) => el(svg, "text", { x: m.left + band * (i + 0.5), y: height - m.bottom + 18, class: "tick x", "text-anchor": "middle" }, clip(c, 14)));
  }
  const keys = [...groups.keys()];
  const band = plotWidth / Math.max(1, categories.length), barWidth = Math.max(2, band * 0.8 / keys.length);
  keys.forEach((key, s) => {
    const colour = COLOURS[s % COLOURS.length];
    const list = groups.get(key).slice().sort((a, b) => (a.x ?? 0) - (b.x ?? 0));
    const g = el(svg, "g", { class: "series", "data-series": key });
    if (kind === "LineChart" && list.length > 1) el(g, "polyline", { points: list.map(p => `${x(p)},${y(p.y)}`).join(" "), stroke: colour, class: "line" });
    for (const p of list) {
      const attrs = { class: kind === "LineChart" ? "point" : "bar", fill: colour, "data-date": p.xText, "data-value": p.y };
      const mark = kind === "LineChart"
        ? el(g, "circle", { ...attrs, cx: x(p), cy: y(p.y), r: 5 })
        : el(g, "rect", { ...attrs, x: x(p) - band * 0.4 + s * barWidth, y: y(Math.max(0, p.y)), width: barWidth, height: Math.abs(y(p.y) - y(0)) });
      el(mark, "title", {}, `${key} · ${p.xText}: ${p.y.toLocaleString("en")}`);
    }
    const ly = m.top + 8 + s * 20;
    el(svg, "rect", { x: width - m.right + 16, y: ly - 9, width: 12, height: 12, fill: colour });
    el(svg, "text", { x: width - m.right + 34, y: ly + 2, class: "legend" }, clip(key, 24));
  });
  return svg;
}

/** Nodes and labelled edges of an answer: triples of a graph answer, or entity columns of rows. */
export function graphOf(answer, cols, names) {
  const nodes = new Map(), edges = [];
  const node = term => {
    const key = term.type + " " + term.value;
    if (!nodes.has(key)) nodes.set(key, { key, term, label: term.type === "uri" ? names.label(term.value) : "_:" + term.value, own: null, notes: [] });
    return nodes.get(key);
  };
  if (answer.kind === "graph") {
    for (const { s, p, o } of answer.triples) {
      const from = node(s);
      if (o.type === "literal") {
        if (LABELS.includes(p.value) && (!from.own || o["xml:lang"] === "zh")) from.own = o.value;
        else from.notes.push(`${names.label(p.value)}: ${o.value}`);
      } else edges.push({ from, to: node(o), label: names.label(p.value) });
    }
    for (const n of nodes.values()) if (n.own && n.label === names.short(n.term.value)) n.label = n.own;
  } else {
    const ec = cols.entities;
    const property = c => answer.rows.every(r => !r[c] || (names.labels.get(r[c].value) || {}).kind === "property");
    for (const row of answer.rows) {
      for (let k = 0; k + 1 < ec.length; k++) {
        const a = row[ec[k]], b = row[ec[k + 1]];
        if (!a || !b) continue;
        if (property(ec[k + 1]) && k + 2 < ec.length && row[ec[k + 2]]) {
          edges.push({ from: node(a), to: node(row[ec[k + 2]]), label: names.label(b.value) });
          k++;
        } else edges.push({ from: node(a), to: node(b), label: answer.vars[ec[k + 1]] });
      }
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** Force-directed positions in the unit square (a fixed start, so the same answer draws the same way). */
function layout(nodes, edges) {
  const n = nodes.length;
  nodes.forEach((v, i) => { const a = i * 2.39996; const r = Math.sqrt((i + 0.5) / n) * 0.5; v.x = 0.5 + r * Math.cos(a); v.y = 0.5 + r * Math.sin(a); });
  const k = Math.sqrt(1 / Math.max(n, 1)) * 1.2, gravity = 4 * k;
  for (let step = 0, t = 0.1; step < 250; step++, t *= 0.985) {
    for (const v of nodes) { v.dx = 0; v.dy = 0; }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const a = nodes[i], b = nodes[j];
      let dx = a.x - b.x, dy = a.y - b.y; const d2 = dx * dx + dy * dy || 1e-6; const f = k * k / d2;
      a.dx += dx * f; a.dy += dy * f; b.dx -= dx * f; b.dy -= dy * f;
    }
    for (const e of edges) {
      const dx = e.from.x - e.to.x, dy = e.from.y - e.to.y, d = Math.sqrt(dx * dx + dy * dy) || 1e-6, f = d / k;
      e.from.dx -= dx * f; e.from.dy -= dy * f; e.to.dx += dx * f; e.to.dy += dy * f;
    }
    for (const v of nodes) {
      // Gravity towards the centre keeps separate components from drifting to the corners.
      v.dx += (0.5 - v.x) * gravity; v.dy += (0.5 - v.y) * gravity;
      const d = Math.sqrt(v.dx * v.dx + v.dy * v.dy) || 1e-6, move = Math.min(d, t);
      v.x += v.dx / d * move; v.y += v.dy / d * move;
    }
  }
}

/** The graph view: nodes with labels, arrows with relation labels, at most 300 nodes. */
export function drawGraph(root, answer, cols, names) {
  const whole = graphOf(answer, cols, names);
  const nodes = whole.nodes.slice(0, 300), kept = new Set(nodes);
  const edges = whole.edges.filter(e => kept.has(e.from) && kept.has(e.to));
  layout(nodes, edges);
  const width = Math.max(900, root.clientWidth || 1000), height = 620, pad = 70;
  const xs = nodes.map(v => v.x), ys = nodes.map(v => v.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const px = v => pad / 2 + (v.x - x0) / (x1 - x0 || 1) * (width - pad - 200);
  const py = v => pad / 2 + (v.y - y0) / (y1 - y0 || 1) * (height - pad);
  const svg = svgOf(root, width, height, "graph");
  const marker = el(el(svg, "defs"), "marker", { id: "arrow", viewBox: "0 0 10 10", refX: 16, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" });
  el(marker, "path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" });
  const showEdgeLabels = edges.length <= 120;
  for (const e of edges) {
    const g = el(svg, "g", { class: "edge" });
    el(g, "line", { x1: px(e.from), y1: py(e.from), x2: px(e.to), y2: py(e.to), "marker-end": "url(#arrow)" });
    if (showEdgeLabels) el(g, "text", { x: (px(e.from) + px(e.to)) / 2, y: (py(e.from) + py(e.to)) / 2 - 3, class: "edge-label" }, clip(e.label, 20));
    el(g, "title", {}, `${e.from.label} → ${e.label} → ${e.to.label}`);
  }
  for (const v of nodes) {
    const g = el(svg, "g", { class: "node" });
    el(g, "circle", { cx: px(v), cy: py(v), r: 6 });
    const text = el(g, "text", { x: px(v) + 9, y: py(v) + 4, class: "node-label" }, clip(v.label, 22));
    el(g, "title", {}, [v.label, v.term.value, ...v.notes.slice(0, 8)].join("\n"));
    const target = v.term.type === "uri" && /^https:\/\/w3id\.org\/policykg\/(id|doc)\//.test(v.term.value) ? "/" + v.term.value.slice("https://w3id.org/policykg/".length) : null;
    if (target) { text.classList.add("link"); g.addEventListener("click", () => { location.href = target; }); }
  }
  if (whole.nodes.length > nodes.length) el(svg, "text", { x: 10, y: height - 8, class: "note" }, `showing ${nodes.length} of ${whole.nodes.length} nodes`);
  return svg;
}

/** Draw a view into a container. */
export function drawView(root, name, answer, cols, names) {
  if (name === "Timeline") return drawTimeline(root, answer, cols, names);
  if (name === "LineChart" || name === "BarChart") return drawChart(root, answer, cols, names, name);
  if (name === "Graph") return drawGraph(root, answer, cols, names);
  return null;
}
