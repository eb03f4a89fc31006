#!/usr/bin/env bash
# SHACL validation timings (issue 12): `validate` on the bundled store as a whole cold process against `query ASK {}`
# in the same run (the process floor), and `validate --graph G` over one million generated quads of policykg's own
# shape (250,000 agencies, each typed, with zh and en labels and an rdfs:label), loaded beside the bundle, with its
# time and peak memory.
# Usage: benches/validate.sh [QUADS]   (after `cargo build --release`; needs hyperfine and GNU time)
source "$(dirname "$0")/setup.sh"
quads=${1:-1000000}
store=$work/store
"$bin" --store "$store" stats >/dev/null 2>&1
hyperfine -N --warmup 2 -r 10 --export-markdown "$work/bundle.md" \
  "$bin --store $store query 'ASK {}'" \
  "$bin --store $store validate"
cat "$work/bundle.md"
awk -v n="$quads" 'BEGIN {
  for (i = 0; i < n; i++) {
    e = "<https://w3id.org/policykg/id/generated-agency-" int(i / 4) ">"; k = i % 4;
    if (k == 0) print e " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policykg/ontology#Agency> .";
    else if (k == 1) print e " <http://www.w3.org/2004/02/skos/core#prefLabel> \"生成机构" i "号\"@zh .";
    else if (k == 2) print e " <http://www.w3.org/2004/02/skos/core#prefLabel> \"Generated agency " i "\"@en .";
    else print e " <http://www.w3.org/2000/01/rdf-schema#label> \"生成机构" i "号\"@zh .";
  }
}' > "$work/generated.nt"
"$bin" --store "$store" load "$work/generated.nt" 2>&1 | tail -2
graph="file://$work/generated.nt"
/usr/bin/time -f "validate --graph (${quads} quads): %e s wall, %U s user, %M KB peak" \
  "$bin" --store "$store" validate --graph "$graph" --format json > "$work/report.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('conforms:', r['conforms'], 'results:', len(r['results']))" "$work/report.json"
/usr/bin/time -f "validate (everything, ${quads} quads beside the bundle): %e s wall, %U s user, %M KB peak" \
  "$bin" --store "$store" validate --format json > /dev/null
