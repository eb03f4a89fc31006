#!/usr/bin/env bash
# Runs every README example and every command in every format on a fresh store, and records what each printed
# (stdout, stderr, exit status) under OUT/. Run it with the binary before and after a refactor, then `diff -r`
# the two folders: a behaviour-preserving change prints the same bytes.
#
#   scripts/same-output.sh target/release/policykg /tmp/before
#   ... change the code, rebuild ...
#   scripts/same-output.sh target/release/policykg /tmp/after && diff -r /tmp/before /tmp/after
set -uo pipefail
bin=$(realpath "$1"); out=$(realpath -m "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# SAME_OUTPUT_STORE: another store path, so that two runs at once (two worktrees) do not share one store.
export POLICYKG_STORE=${SAME_OUTPUT_STORE:-/tmp/policykg-same-output-store}
rm -rf "$POLICYKG_STORE"
cd "$work" || exit 1
n=0
run() {
  n=$((n + 1))
  local name; name=$(printf '%03d' "$n")
  printf '%s\n' "$*" > "$out/$name.cmd"
  "$bin" "$@" > "$out/$name.out" 2> "$out/$name.err"
  echo "exit $?" >> "$out/$name.err"
}
# The README, in order.
run query --name data-regulation-lineage
run lineage 江苏省数据条例
run evidence 省政务办 省数据局
run query --name hotline-legislation-timeline
# Every named query in every solutions format.
for q in $("$bin" queries | awk -F'│|┆' 'NR>3 && NF>2 {gsub(/ /,"",$2); print $2}'); do
  for f in table json xml csv tsv; do run query --name "$q" --format "$f"; done
done
run queries
run prefixes
run query 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = pkid:sufuban) }'
for f in turtle ntriples nquads jsonld rdfxml ttl nt; do
  run query --format "$f" 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = pkid:sufuban) }'
done
run query 'ASK { pkid:sufuban ?p ?o }'
for e in 苏服办 省数据局 江苏省数据条例 pkid:sufuban sufuban "Jiangsu Provincial Data Bureau"; do
  run describe "$e"; run describe "$e" --format json
  run evidence "$e"; run evidence "$e" --format json
done
run stats; run stats --format json
for d in "" --up --down --both; do
  for f in text json dot; do run lineage 江苏省数据条例 $d --format "$f"; done
done
run lineage 苏服办
run path 省数据局 苏服办; run path 省数据局 苏服办 --format json; run path 江苏省数据条例 苏服办 --max-hops 3
run neighbors 苏服办; run neighbors 苏服办 --depth 2 --format json
run rank; run rank --class platform --top 5; run rank --class agency --format json
for f in dot svg html; do
  run viz --format "$f" -o "viz.$f"; cp "viz.$f" "$out/viz.$f"
  run viz --format "$f" --focus 苏服办 --depth 1 -o "focus.$f"; cp "focus.$f" "$out/focus.$f"
done
run viz --format svg --class platform --class regulation -o cls.svg; cp cls.svg "$out/cls.svg"
for f in turtle trig ntriples nquads rdfxml jsonld canonical graphml gexf cytoscape dot; do
  run export --format "$f" -o "export.$f"; cp "export.$f" "$out/export.$f"
  run export --format "$f" --focus 苏服办
done
run export --format turtle --graph https://w3id.org/policykg/graph/catalogue
run export --format csv -o csvdir; cp -r csvdir "$out/csvdir"
run check-seeds "$root"
# Time: as-of on days around the texts' dates, in every format, narrowed to classes; timelines of entities and classes.
for d in 2015-01-01 2021-06-01 2022-01-01 2022-06-30 2023-06-01 2024-12-31 2025-01-01 2025-12-31; do
  for f in table json csv; do run as-of "$d" --all --format "$f"; done
  run as-of "$d"
done
for c in Agency Platform LocalRegulation PolicyInstrument 机构; do run as-of 2023-06-01 --class "$c" --all --format json; done
for e in 苏服办 江苏省数据条例 省数据局 12345 pkid:sufuban; do
  for f in table json csv; do run timeline "$e" --format "$f"; done
done
for c in PolicyInstrument Platform Agency Initiative LocalRegulation; do run timeline --class "$c" --format json; done
run as-of 2023-13-01; run as-of 2023-06-01 --class Initiative; run as-of 2023-06-01 --class Nothing; run timeline
# Errors, each one line.
run describe nothing-here; run describe 办; run query 'SELEC'; run query --name nope
run lineage 苏服办 --format svg; run stats --format xml; run viz --format png -o x.png
run path 苏服办 苏服办; run rank --class nonsense; run export --format csv
run query --timeout 0 'ASK {}'; run load; run load nothing.ttl
printf '@prefix : <http://e/> .\n:a :b :c .\n' > ok.ttl; printf ':a :b' > bad.ttl
run load bad.ttl; run load ok.ttl; run stats; run describe http://e/a
run load --fresh; run stats
rm -rf "$POLICYKG_STORE"
# The store path and temp folders differ between runs; make them stable.
sed -i -e "s#$work#WORK#g" "$out"/*.err "$out"/*.out 2>/dev/null
echo "recorded $n commands in $out"
