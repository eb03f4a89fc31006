#!/usr/bin/env bash
# Whole-process timings of `policykg search` on a built store: the first search (builds the index beside the
# store) and cold processes on a current index, with a plain query for comparison.
# Usage: benches/search_cold.sh [RUNS]   (after `cargo build --release`; uses hyperfine when installed)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/target/release/policykg
runs=${1:-20}
store=$(mktemp -d)/store
ms() { date +%s%N; }
$bin --store "$store" stats >/dev/null 2>&1
t0=$(ms); $bin --store "$store" search 数据安全 >/dev/null 2>&1; t1=$(ms)
echo "first search (builds the index at $store.search): $(( (t1 - t0) / 1000000 )) ms"
echo "index size: $(du -sk "$store.search" | cut -f1) KiB"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 3 --runs "$runs" \
    "$bin --store $store search 数据安全 --format json" \
    "$bin --store $store search 苏服办" \
    "$bin --store $store query --name agency-succession"
else
  for args in "search 数据安全 --format json" "search 苏服办" "query --name agency-succession"; do
    total=0
    for _ in $(seq "$runs"); do
      # shellcheck disable=SC2086
      t0=$(ms); $bin --store "$store" $args >/dev/null; t1=$(ms)
      total=$(( total + t1 - t0 ))
    done
    echo "cold process, $args: $(( total / runs / 1000000 )) ms mean over $runs runs"
  done
fi
rm -rf "$(dirname "$store")"
