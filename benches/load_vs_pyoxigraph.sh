#!/usr/bin/env bash
# `policykg load` against pyoxigraph's `bulk_load` (the same engine) on the same generated N-Quads file, in the
# same run, so that the ratio survives a noisy machine. Records wall time and peak RSS (GNU time).
#
# Usage: benches/load_vs_pyoxigraph.sh [QUADS] [PYTHON]
#   QUADS  how many quads to generate (default 1000000)
#   PYTHON a Python with pyoxigraph installed (default python3; `python3 -m venv v && v/bin/pip install pyoxigraph`)
# Needs: cargo build --release, /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
quads=${1:-1000000}
python=${2:-python3}
bin=$PWD/target/release/policykg
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
file=$work/generated.nq
# Realistic shape: entities with Chinese and English labels, typed, linked, in a few named graphs.
awk -v n="$quads" 'BEGIN {
  for (i = 0; i < n; i++) {
    e = "<https://example.org/e/" int(i / 4) ">"; g = "<https://example.org/g/" (i % 7) ">";
    k = i % 4;
    if (k == 0) print e " <http://www.w3.org/2004/02/skos/core#prefLabel> \"数据治理条目" i "号\"@zh " g " .";
    else if (k == 1) print e " <http://www.w3.org/2000/01/rdf-schema#label> \"Generated entity " i "\"@en " g " .";
    else if (k == 2) print e " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/Class" (i % 13) "> " g " .";
    else print e " <https://example.org/linkedTo> <https://example.org/e/" int(i * 7 % n / 4) "> " g " .";
  }
}' > "$file"
echo "file: $quads quads, $(du -h "$file" | cut -f1)"
measure() { # label, command…
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kb < "$work/time"
  printf '%-28s %8.2f s %8d MB\n' "$label" "$secs" "$((kb / 1024))"
  echo "$secs $kb"
}
"$bin" --store "$work/base" stats >/dev/null 2>&1 # the bundled store, built outside the measurement
cp -r "$work/base" "$work/pk"
p=$(measure "policykg load" "$bin" --store "$work/pk" load "$file" | tee /dev/stderr | tail -1)
o=$(measure "pyoxigraph bulk_load" "$python" -c "
import sys, pyoxigraph
s = pyoxigraph.Store(sys.argv[1])
s.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS)
s.flush()
" "$work/py" "$file" | tee /dev/stderr | tail -1)
read -r ps pk <<< "$p"; read -r os ok <<< "$o"
awk -v ps="$ps" -v os="$os" -v pk="$pk" -v ok="$ok" 'BEGIN { printf "ratio policykg / pyoxigraph: time %.2f×, peak RSS %.2f×\n", ps / os, pk / ok }'
