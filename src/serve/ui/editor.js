// The query editor: a textarea over a highlighted <pre> (same font, same wrapping), completion of prefixes,
// classes, properties and entity names from /api/terms, the server's parse error marked at its line and
// column, Ctrl+Enter to run. Hand-written, so the page needs nothing from outside the binary.
// Every piece of text reaches the page through textContent, never as HTML.

const KEYWORDS = new Set(("SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED AS FILTER " +
  "OPTIONAL UNION MINUS GRAPH SERVICE SILENT BIND VALUES GROUP BY HAVING ORDER ASC DESC LIMIT OFFSET NOT EXISTS IN " +
  "UNDEF COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE " +
  "RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER " +
  "YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF " +
  "STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE A INSERT DELETE " +
  "DATA WITH USING LOAD CLEAR DROP CREATE ADD MOVE COPY DEFAULT ALL LATERAL").split(" "));

// One token pattern, tried in order: comment, string, IRI, variable, prefixed name, word, number, other.
const TOKEN = new RegExp([
  "(#[^\\n]*)",
  "(\"\"\"[\\s\\S]*?(?:\"\"\"|$)|'''[\\s\\S]*?(?:'''|$)|\"(?:[^\"\\\\\\n]|\\\\.)*\"?|'(?:[^'\\\\\\n]|\\\\.)*'?)",
  "(<[^<>\"{}|^`\\\\\\s]*>)",
  "([?$][\\w\\u00B7\\u0300-\\u036F\\u203F-\\u2040\\u3400-\\u9FFF]+)",
  "((?:[A-Za-z][\\w.-]*)?:[\\w\\u3400-\\u9FFF.%-]*)",
  "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\\^\\^)",
  "([A-Za-z_]\\w*)",
  "([+-]?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",
].join("|"), "g");
const CLASSES = [null, "comment", "string", "iri", "variable", "pname", "lang", "word", "number"];

/** The tokens of a query text: [start, end, css class or ""] covering every character. */
export function tokens(text) {
  const out = [];
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m; (m = TOKEN.exec(text)); ) {
    if (m[0] === "") { TOKEN.lastIndex++; continue; }
    if (m.index > last) out.push([last, m.index, ""]);
    const group = m.findIndex((g, i) => i > 0 && g !== undefined);
    let cls = CLASSES[group];
    if (cls === "word") cls = KEYWORDS.has(m[0].toUpperCase()) ? "keyword" : "";
    out.push([m.index, m.index + m[0].length, cls]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push([last, text.length, ""]);
  return out;
}

/** The offset of a 1-based line and column (columns count characters) in a text. */
export function offsetOf(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const chars = Array.from(text.slice(offset).split("\n")[0]);
  return offset + chars.slice(0, Math.max(0, column - 1)).join("").length;
}

/** A server error `query:LINE:COLUMN: message` as {line, column, message}, or null. */
export function parseError(text) {
  const m = /(?:^|\s)[\w.<>-]*:(\d+):(\d+):\s*([\s\S]*)$/.exec(text.trim().split("\n")[0]);
  return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3] } : null;
}

/** The completions of a typed word: prefixes, then terms whose name or label holds it. */
export function complete(word, vocabulary) {
  if (!word) return [];
  const lower = word.toLowerCase();
  const out = [];
  if (!word.includes(":")) {
    for (const [prefix, namespace] of vocabulary.prefixes) {
      if (prefix.startsWith(lower)) out.push({ insert: prefix + ":", name: prefix + ":", detail: namespace, kind: "prefix" });
    }
  }
  const byName = [], byLabel = [];
  for (const t of vocabulary.terms) {
    if (t.name.startsWith("<")) continue;
    const name = t.name.toLowerCase();
    const item = { insert: t.name, name: t.name, detail: [t.zh, t.en].filter(Boolean).join(" · "), kind: t.kind };
    if (name.startsWith(lower) || (!word.includes(":") && name.split(":")[1].startsWith(lower))) byName.push(item);
    else if (word.length >= 2 && !word.includes(":") && (t.zh.includes(word) || t.en.toLowerCase().includes(lower))) byLabel.push(item);
  }
  return out.concat(byName, byLabel).slice(0, 50);
}

/** The word being typed before the caret: a prefixed name, a bare word, or Chinese characters. */
export function wordBefore(text, caret) {
  const m = /(?:[A-Za-z][\w.-]*)?:[\w.-]*$|[A-Za-z_][\w-]*$|[\u3400-\u9FFF\w“”《》（）()·-]+$/.exec(text.slice(0, caret));
  return m ? m[0] : "";
}

/** The editor over a container element. */
export class Editor {
  constructor(root, { onRun }) {
    this.onRun = onRun;
    this.vocabulary = { prefixes: [], terms: [] };
    this.error = null;
    root.classList.add("editor");
    this.highlight = root.appendChild(document.createElement("pre"));
    this.highlight.setAttribute("aria-hidden", "true");
    this.area = root.appendChild(document.createElement("textarea"));
    this.area.id = "editor";
    this.area.spellcheck = false;
    this.area.setAttribute("autocapitalize", "off");
    this.area.setAttribute("aria-label", "SPARQL query");
    this.menu = root.appendChild(document.createElement("ul"));
    this.menu.className = "completions";
    this.menu.setAttribute("role", "listbox");
    this.measure = root.appendChild(document.createElement("span"));
    this.measure.className = "measure";
    this.message = root.parentNode.insertBefore(document.createElement("div"), root.nextSibling);
    this.message.className = "editor-error";
    this.items = [];
    this.selected = 0;
    this.area.addEventListener("input", () => { this.error = null; this.render(); this.suggest(false); });
    this.area.addEventListener("scroll", () => this.syncScroll());
    this.area.addEventListener("keydown", e => this.key(e));
    this.area.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    this.render();
  }

  get value() { return this.area.value; }
  set value(text) { this.area.value = text; this.error = null; this.render(); this.close(); }

  /** Redraw the highlighted copy of the text, with the error mark if there is one. */
  render() {
    const text = this.area.value;
    const spans = document.createDocumentFragment();
    const mark = this.error ? offsetOf(text, this.error.line, this.error.column) : -1;
    for (const [start, end, cls] of tokens(text)) {
      if (mark >= start && mark < end) {
        this.piece(spans, text.slice(start, mark), cls);
        const at = Array.from(text.slice(mark, end))[0];
        this.piece(spans, at, (cls + " error-mark").trim());
        this.piece(spans, text.slice(mark + at.length, end), cls);
      } else this.piece(spans, text.slice(start, end), cls);
    }
    if (mark >= text.length) this.piece(spans, " ", "error-mark");
    spans.appendChild(document.createTextNode("\n"));
    this.highlight.replaceChildren(spans);
    this.message.textContent = this.error ? `line ${this.error.line}, column ${this.error.column}: ${this.error.message}` : "";
    this.syncScroll();
  }

  piece(parent, text, cls) {
    if (!text) return;
    if (!cls) { parent.appendChild(document.createTextNode(text)); return; }
    const span = parent.appendChild(document.createElement("span"));
    span.className = cls;
    span.textContent = text;
  }

  syncScroll() {
    this.highlight.scrollTop = this.area.scrollTop;
    this.highlight.scrollLeft = this.area.scrollLeft;
  }

  /** Show the server's error: marked in the text when it names a line and column, else as a message. */
  showError(serverText) {
    const parsed = parseError(serverText);
    this.error = parsed;
    this.render();
    if (parsed) {
      const at = offsetOf(this.area.value, parsed.line, parsed.column);
      this.area.setSelectionRange(at, at);
    }
    return parsed;
  }

  clearError() { this.error = null; this.render(); }

  key(e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.close(); this.onRun(); return; }
    if (e.key === " " && e.ctrlKey) { e.preventDefault(); this.suggest(true); return; }
    if (!this.items.length) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      this.selected = (this.selected + (e.key === "ArrowDown" ? 1 : this.items.length - 1)) % this.items.length;
      this.paintMenu();
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      this.accept(this.items[this.selected]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.close();
    }
  }

  /** Open the completion list for the word before the caret (on input: only from two characters or a colon). */
  suggest(asked) {
    const caret = this.area.selectionStart;
    const word = wordBefore(this.area.value, caret);
    const worth = asked || word.includes(":") || word.length >= 2;
    this.items = worth ? complete(word, this.vocabulary) : [];
    this.word = word;
    this.selected = 0;
    if (!this.items.length) { this.close(); return; }
    this.paintMenu();
    this.place(caret);
  }

  paintMenu() {
    const rows = this.items.map((item, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.className = i === this.selected ? "selected" : "";
      li.dataset.insert = item.insert;
      const name = li.appendChild(document.createElement("b"));
      name.textContent = item.name;
      const kind = li.appendChild(document.createElement("i"));
      kind.textContent = item.kind;
      const detail = li.appendChild(document.createElement("span"));
      detail.textContent = item.detail;
      li.addEventListener("mousedown", e => { e.preventDefault(); this.accept(item); });
      return li;
    });
    this.menu.replaceChildren(...rows);
    this.menu.style.display = "block";
    const chosen = this.menu.children[this.selected];
    if (chosen) chosen.scrollIntoView({ block: "nearest" });
  }

  /** Put the list under the caret: measure the caret's line up to the caret in the editor's font. */
  place(caret) {
    const before = this.area.value.slice(0, caret);
    const lines = before.split("\n");
    this.measure.textContent = lines[lines.length - 1];
    const style = getComputedStyle(this.area);
    const lineHeight = parseFloat(style.lineHeight) || 18;
    const left = Math.min(this.measure.offsetWidth + parseFloat(style.paddingLeft), this.area.clientWidth - 200);
    const top = lines.length * lineHeight + parseFloat(style.paddingTop) - this.area.scrollTop + 2;
    this.menu.style.left = `${Math.max(0, left)}px`;
    this.menu.style.top = `${Math.min(top, this.area.clientHeight)}px`;
  }

  accept(item) {
    const caret = this.area.selectionStart;
    const text = this.area.value;
    const start = caret - this.word.length;
    this.area.value = text.slice(0, start) + item.insert + text.slice(caret);
    const at = start + item.insert.length;
    this.area.setSelectionRange(at, at);
    this.close();
    this.render();
    this.area.focus();
  }

  close() { this.items = []; this.menu.style.display = "none"; }
}
