#!/usr/bin/env bash
# Name resolution with many loaded labels (issue 15, defect 4): `describe` and `lineage` on a store holding the
# bundle only, and on one holding QUADS extra loaded quads that carry SKOS labels sharing characters with the
# bundle's names (a third each skos:prefLabel@zh, skos:altLabel@zh, rdfs:label@en).
# Usage: benches/labels.sh [QUADS]   (after `cargo build --release`; needs hyperfine)
source "$(dirname "$0")/setup.sh"
quads=${1:-1000000}
"$bin" --store "$work/bundle" stats >/dev/null 2>&1
cp -a "$work/bundle" "$work/loaded"
awk -v n="$quads" 'BEGIN {
  for (i = 0; i < n / 3; i++) {
    s = "<https://example.org/label-bench/e" i ">";
    printf "%s <http://www.w3.org/2004/02/skos/core#prefLabel> \"苏服办数据平台%d\"@zh .\n", s, i;
    printf "%s <http://www.w3.org/2004/02/skos/core#altLabel> \"省数据局分支%d\"@zh .\n", s, i;
    printf "%s <http://www.w3.org/2000/01/rdf-schema#label> \"Data Bureau branch %d\"@en .\n", s, i;
  }
}' > "$work/labels.nt"
/usr/bin/time -f "load: %e s, peak RSS %M KB" "$bin" --store "$work/loaded" load "$work/labels.nt" >/dev/null
# The first command after a load and the second (issue 15, defect 3: the load flushes its write-ahead log, so
# the first pays nothing extra).
/usr/bin/time -f "first command after the load (describe): %e s" "$bin" --store "$work/loaded" describe 苏服办 >/dev/null
/usr/bin/time -f "second command (describe): %e s" "$bin" --store "$work/loaded" describe 苏服办 >/dev/null
hyperfine --warmup 2 --runs 10 -N --export-markdown "$work/result.md" \
  -n "describe 苏服办, bundle only" "$bin --store $work/bundle describe 苏服办" \
  -n "describe 苏服办, +$quads labelled quads" "$bin --store $work/loaded describe 苏服办" \
  -n "lineage 江苏省数据条例, bundle only" "$bin --store $work/bundle lineage 江苏省数据条例" \
  -n "lineage 江苏省数据条例, +$quads labelled quads" "$bin --store $work/loaded lineage 江苏省数据条例" \
  -n "describe a loaded entity by label, +$quads" "$bin --store $work/loaded describe 苏服办数据平台12345" >/dev/null
cat "$work/result.md"
