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
benches/generate.sh "$quads" > "$file"
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
