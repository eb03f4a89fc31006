#!/usr/bin/env bash
# The bundled graph in another engine: Virtuoso (Debian's virtuoso-opensource 7.2). The script exports the store
# as N-Quads (with the entailed graph, which policykg's queries see), starts a Virtuoso of its own in a temporary
# folder, bulk-loads the file with ld_dir/rdf_loader_run, runs every named query (queries/*.rq) through
# Virtuoso's SPARQL endpoint and through policykg, compares the answers as sets of rows (numbers and literal forms
# normalised), prints load and query times, and stops Virtuoso at the end. docs/scale-out.md explains the
# differences it finds.
# Usage: benches/scale-out.sh   (after `cargo build --release`; installs virtuoso-opensource when missing, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${POLICYKG_BIN:-$PWD/target/release/policykg}
sql_port=${VIRTUOSO_SQL_PORT:-21111}
http_port=${VIRTUOSO_HTTP_PORT:-28890}

if ! command -v virtuoso-t >/dev/null || ! command -v isql-vt >/dev/null; then
  echo "installing virtuoso-opensource (Debian package)" >&2
  printf '%s\n' \
    'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba' \
    'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba' | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends virtuoso-opensource >/dev/null
fi

work=$(mktemp -d)
virtuoso=""
stop() {
  if [ -n "$virtuoso" ]; then
    isql-vt "$sql_port" dba dba exec="shutdown;" >/dev/null 2>&1 || kill "$virtuoso" 2>/dev/null || true
    wait "$virtuoso" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT
mkdir -p "$work/db" "$work/data"

ms() { date +%s%N; }
"$bin" --store "$work/store" stats >/dev/null 2>&1
"$bin" --store "$work/store" export --format nquads --entailed -o "$work/data/policykg.nq" 2>/dev/null
echo "export: $(wc -l < "$work/data/policykg.nq") quads (with pkg:entailed)"

# A fresh database in the temporary folder; a new database's dba password is "dba".
sed -e "s|/var/lib/virtuoso-opensource-7/db|$work/db|g" \
    -e "s|^ServerPort *= *1111|ServerPort = $sql_port|" \
    -e "s|^ServerPort *= *8890|ServerPort = $http_port|" \
    -e "s|^DirsAllowed *=.*|DirsAllowed = ., $work/data, /usr/share/virtuoso-opensource-7/vad|" \
    -e "s|^DefaultHost *=.*|DefaultHost = localhost:$http_port|" \
    /etc/virtuoso-opensource-7/virtuoso.ini > "$work/virtuoso.ini"
t0=$(ms)
(cd "$work/db" && exec virtuoso-t +configfile "$work/virtuoso.ini" +foreground) >"$work/virtuoso.out" 2>&1 &
virtuoso=$!
for _ in $(seq 120); do
  isql-vt "$sql_port" dba dba exec="status();" >/dev/null 2>&1 && break
  sleep 0.5
done
t1=$(ms)
echo "virtuoso start: $(( (t1 - t0) / 1000000 )) ms"

t0=$(ms)
isql-vt "$sql_port" dba dba exec="ld_dir('$work/data', '*.nq', 'urn:policykg:unused'); rdf_loader_run(); checkpoint;" >"$work/load.log"
t1=$(ms)
loaded=$(isql-vt "$sql_port" dba dba exec="SPARQL SELECT COUNT(*) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://w3id.org/policykg/graph/')) };" \
  | awk '/^[0-9]+ *$/ { print $1; exit }')
errors=$(isql-vt "$sql_port" dba dba exec="SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;" \
  | awk '/^[0-9]+ *$/ { print $1; exit }')
echo "virtuoso load (ld_dir + rdf_loader_run + checkpoint): $(( (t1 - t0) / 1000000 )) ms, $loaded quads in policykg's graphs, $errors file errors"

python3 - "$bin" "$work/store" "http://127.0.0.1:$http_port/sparql" queries <<'PY'
"""Run every named query in policykg and in Virtuoso, and compare the answers as sets of rows."""
import json, subprocess, sys, time, urllib.parse, urllib.request
from decimal import Decimal, InvalidOperation
from pathlib import Path

bin, store, endpoint, folder = sys.argv[1:5]
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "unsignedInt")}

def norm(term):
    """One comparable form of a SPARQL JSON term: numbers by value, xsd:string as a plain literal, blank nodes alike."""
    if term is None:
        return None
    kind, value = term["type"], term["value"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("uri", value)
    datatype, lang = term.get("datatype"), term.get("xml:lang", "").lower()
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(value).normalize())
        except InvalidOperation:
            pass
    if datatype == XSD + "string":
        datatype = None
    return ("literal", value, datatype, lang)

def rows(answer):
    """The answer as a set of rows (a query without DISTINCT may repeat a row; the engines need not agree how often)."""
    names = answer["head"]["vars"]
    return sorted({tuple(norm(b.get(v)) for v in names) for b in answer["results"]["bindings"]}, key=repr)

print("| query | distinct rows, policykg | distinct rows, Virtuoso | same set | policykg ms | Virtuoso ms |")
print("|---|---|---|---|---|---|")
differ = 0
for path in sorted(Path(folder).glob("*.rq")):
    name = path.stem
    started = time.perf_counter()
    ours = subprocess.run([bin, "--store", store, "query", "--name", name, "--format", "json"],
                          capture_output=True, text=True, check=True).stdout
    ours_ms = (time.perf_counter() - started) * 1000
    text = path.read_text(encoding="utf-8")  # every query declares its prefixes
    request = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": text}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            theirs = json.loads(response.read().decode("utf-8"))
        error = None
    except urllib.error.HTTPError as e:
        theirs, error = None, e.read().decode("utf-8", "replace").strip().splitlines()[0:3]
    their_ms = (time.perf_counter() - started) * 1000
    a = rows(json.loads(ours))
    if theirs is None:
        differ += 1
        print(f"| {name} | {len(a)} | error | no | {ours_ms:.0f} | {their_ms:.0f} |")
        print(f"  Virtuoso: {' / '.join(error)}", file=sys.stderr)
        continue
    b = rows(theirs)
    same = a == b
    differ += not same
    print(f"| {name} | {len(a)} | {len(b)} | {'yes' if same else 'no'} | {ours_ms:.0f} | {their_ms:.0f} |")
    if not same:
        only_ours = [r for r in a if r not in b][:3]
        only_theirs = [r for r in b if r not in a][:3]
        print(f"  {name}: only policykg {only_ours}\n  {name}: only Virtuoso {only_theirs}", file=sys.stderr)
print(f"{differ} of {len(list(Path(folder).glob('*.rq')))} queries answer differently", file=sys.stderr)
PY
