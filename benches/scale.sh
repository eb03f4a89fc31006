#!/usr/bin/env bash
# Scale (issue 17, part 5): QUADS generated quads of realistic shape (Chinese and English labels, types, links, seven
# named graphs, from benches/generate.sh) loaded beside the bundled data. Records, in one run:
#   - `policykg load` time and peak RSS against pyoxigraph's `bulk_load` of the same file into a fresh store, and
#     against `bulk_load` followed by `optimize()` (RocksDB's compaction, which `policykg load` runs after a load of
#     over four million quads);
#   - the size of both stores;
#   - the first run of each command after the load (which derives what is kept beside the store);
#   - cold processes of every read command on the bundled-only store and on the loaded one (hyperfine), and the ratio;
#   - server throughput (wrk) for a simple and a lineage query on both stores.
# Usage: benches/scale.sh [QUADS] [PYTHON] [SECONDS]   (defaults 10000000, python3, 5)
# Needs: cargo build --release, hyperfine, wrk, /usr/bin/time, a Python with pyoxigraph, and disk for the file and
# two stores (about 0.5 GB per million quads). SCALE_WORK=DIR works there instead of a temporary folder, and
# SCALE_KEEP=1 leaves the stores there for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
quads=${1:-10000000}
python=${2:-python3}
seconds=${3:-5}
bin=${POLICYKG_BIN:-$PWD/target/release/policykg}
work=${SCALE_WORK:-$(mktemp -d)}
mkdir -p "$work"
port=7998
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null
  [ "${SCALE_KEEP:-}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
file=$work/generated.nq
benches/generate.sh "$quads" > "$file"
echo "## $quads generated quads ($(du -h "$file" | cut -f1)), $(date -u +%F) on $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"

measure() { # label, command… → prints a line, returns "seconds KB" on the last line
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs kb < "$work/time"
  printf '%-28s %8.2f s %8d MB\n' "$label" "$secs" "$((kb / 1024))" >&2
  echo "$secs $kb"
}
"$bin" --store "$work/bundle" stats >/dev/null 2>&1
cp -a "$work/bundle" "$work/loaded"
p=$(measure "policykg load" "$bin" --store "$work/loaded" load "$file" | tail -1)
o=$(measure "pyoxigraph bulk_load" "$python" -c "
import sys, pyoxigraph
s = pyoxigraph.Store(sys.argv[1])
s.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS)
s.flush()
" "$work/py" "$file" | tail -1)
rm -rf "$work/py"
c=$(measure "pyoxigraph bulk_load+optimize" "$python" -c "
import sys, pyoxigraph
s = pyoxigraph.Store(sys.argv[1])
s.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS)
s.optimize()
s.flush()
" "$work/py" "$file" | tail -1)
read -r ps pk <<< "$p"; read -r os ok <<< "$o"; read -r cs ck <<< "$c"
awk -v ps="$ps" -v os="$os" -v cs="$cs" -v pk="$pk" -v ok="$ok" -v ck="$ck" 'BEGIN {
  printf "\n| load | time | peak RSS |\n|---|---:|---:|\n| policykg load | %.1f s | %d MB |\n", ps, pk / 1024
  printf "| pyoxigraph bulk_load | %.1f s | %d MB |\n| pyoxigraph bulk_load + optimize() | %.1f s | %d MB |\n", os, ok / 1024, cs, ck / 1024
  printf "| ratio to bulk_load | %.2f× | %.2f× |\n| ratio to bulk_load + optimize() | %.2f× | %.2f× |\n", ps / os, pk / ok, ps / cs, pk / ck }'
rm -rf "$work/py" "$file"
printf '\nstore size: bundle only %s, with the generated quads %s\n' \
  "$(du -sh "$work/bundle" | cut -f1)" "$(du -sh "$work/loaded" | cut -f1)"

commands=(
  "query --name agency-succession"
  "describe 苏服办"
  "evidence 苏服办"
  "lineage 江苏省数据条例"
  "path 江苏省数据条例 苏服办"
  "neighbors 苏服办"
  "rank"
  "search 数据安全"
  "stats"
  "as-of 2023-06-01"
  "timeline 苏服办"
  "export --format graphml"
  "viz --output $work/picture.svg"
)
printf '\nfirst command after the load (derives what is kept beside the store):\n'
for c in "${commands[@]}"; do
  for store in bundle loaded; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "  %e s  $store: $c" "$bin" --store "$work/$store" $c >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
    [ "$store" = loaded ] && tail -1 "$work/err"
  done
done
printf '\n| command | bundle only | + %s quads | ratio |\n|---|---:|---:|---:|\n' "$quads"
for c in "${commands[@]}"; do
  hyperfine -N --warmup 2 --runs 10 --export-json "$work/h.json" \
    "$bin --store $work/bundle $c" "$bin --store $work/loaded $c" >/dev/null 2>&1
  "$python" -c "
import json, sys
r = json.load(open(sys.argv[1]))['results']
a, b = r[0]['mean'] * 1000, r[1]['mean'] * 1000
print(f'| \`{sys.argv[2]}\` | {a:.1f} ms | {b:.1f} ms | {b / a:.2f}× |')
" "$work/h.json" "$c"
done

enc() { "$python" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read()))'; }
simple=$(printf 'SELECT ?l WHERE { pkid:sufuban skos:prefLabel ?l }' | enc)
lineage=$(enc < queries/data-regulation-lineage.rq)
printf '\n| server, 8 connections, %s s | bundle only | + %s quads | ratio |\n|---|---:|---:|---:|\n' "$seconds" "$quads"
declare -A rps
for store in bundle loaded; do
  "$bin" --store "$work/$store" serve --bind 127.0.0.1:$port 2>"$work/serve.log" &
  server=$!
  for _ in $(seq 100); do grep -q serving "$work/serve.log" && break; sleep 0.2; done
  for name in simple lineage; do
    rps[$store.$name]=$(wrk -t2 -c8 -d"${seconds}"s "http://127.0.0.1:$port/sparql?query=${!name}" | awk '/Requests\/sec/ {print $2}')
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
for name in simple lineage; do
  awk -v n="$name" -v a="${rps[bundle.$name]}" -v b="${rps[loaded.$name]}" \
    'BEGIN { printf "| %s query | %.0f req/s | %.0f req/s | %.2f× |\n", n, a, b, b / a }'
done
