#!/usr/bin/env bash
# `policykg load` against pyoxigraph's `bulk_load` (the same engine) on the same generated N-Quads file, in the
# same run, so that the ratio survives a noisy machine. Records wall time, peak RSS and CPU time (GNU time).
#
# Usage: benches/load_vs_pyoxigraph.sh [QUADS] [PYTHON] [RUNS]
#   QUADS  how many quads to generate (default 1000000)
#   PYTHON a Python with pyoxigraph installed (default python3; `python3 -m venv v && v/bin/pip install pyoxigraph`)
#   RUNS   how many pairs of loads (default 3). The two loaders take turns going first, each pair into fresh
#          stores, and the median of the pairs' ratios is the figure: on a shared machine one pair can be off by
#          15 % either way.
# Needs: cargo build --release, /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
quads=${1:-1000000}
python=${2:-python3}
runs=${3:-3}
bin=$PWD/target/release/policykg
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
file=$work/generated.nq
benches/generate.sh "$quads" > "$file"
echo "file: $quads quads, $(du -h "$file" | cut -f1)"
measure() { # label, command…
  local label=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  read -r secs kb user sys < "$work/time"
  local cpu; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '%-28s %8.2f s %8d MB   CPU %6.2f s\n' "$label" "$secs" "$((kb / 1024))" "$cpu"
  echo "$secs $kb $cpu"
}
"$bin" --store "$work/base" stats >/dev/null 2>&1 # the bundled store, built outside the measurement
policykg() { measure "policykg load" "$bin" --store "$work/pk" load "$file"; }
pyoxigraph() {
  measure "pyoxigraph bulk_load" "$python" -c "
import sys, pyoxigraph
s = pyoxigraph.Store(sys.argv[1])
s.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS)
s.flush()
" "$work/py" "$file"
}
ratios=()
for run in $(seq "$runs"); do
  rm -rf "$work/pk" "$work/py"; cp -r "$work/base" "$work/pk"
  if (( run % 2 )); then
    p=$(policykg | tee /dev/stderr | tail -1); o=$(pyoxigraph | tee /dev/stderr | tail -1)
  else
    o=$(pyoxigraph | tee /dev/stderr | tail -1); p=$(policykg | tee /dev/stderr | tail -1)
  fi
  read -r ps pk pc <<< "$p"; read -r os ok oc <<< "$o"
  ratio=$(awk -v ps="$ps" -v os="$os" -v pk="$pk" -v ok="$ok" -v pc="$pc" -v oc="$oc" \
    'BEGIN { printf "%.2f %.2f %.2f", ps / os, pk / ok, pc / oc }')
  read -r rt rm rc <<< "$ratio"
  echo "run $run: time ${rt}×, peak RSS ${rm}×, CPU ${rc}×"
  ratios+=("$ratio")
done
median() { printf '%s\n' "${ratios[@]}" | cut -d' ' -f"$1" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "median of $runs runs, policykg / pyoxigraph: time $(median 1)×, peak RSS $(median 2)×, CPU $(median 3)×"
