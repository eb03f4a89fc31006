#!/usr/bin/env bash
# Whole-process timings of the release binary: building a store from the bundle, and a named query on a built
# store (cold process start). Usage: benches/cold_start.sh [RUNS]   (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/policykg
runs=${1:-20}
store=$(mktemp -d)/store
ms() { date +%s%N; }
t0=$(ms); $bin --store "$store" stats >/dev/null 2>&1; t1=$(ms)
echo "store build (first command, incl. stats): $(( (t1 - t0) / 1000000 )) ms"
total=0
for _ in $(seq "$runs"); do
  t0=$(ms); $bin --store "$store" query --name agency-succession >/dev/null; t1=$(ms)
  total=$(( total + t1 - t0 ))
done
echo "cold process, query --name agency-succession: $(( total / runs / 1000000 )) ms mean over $runs runs"
total=0
for _ in $(seq "$runs"); do
  t0=$(ms); $bin --store "$store" lineage 江苏省数据条例 >/dev/null; t1=$(ms)
  total=$(( total + t1 - t0 ))
done
echo "cold process, lineage 江苏省数据条例: $(( total / runs / 1000000 )) ms mean over $runs runs"
rm -rf "$(dirname "$store")"
