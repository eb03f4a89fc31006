#!/usr/bin/env bash
# Load benchmark of `policykg serve` on loopback with wrk (Debian package `wrk`): requests/s and p50/p99 latency for
# a simple query and the lineage query at 1, 8 and 64 connections, 10 s each.
# Usage: benches/load.sh [SECONDS]   (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
bin=target/release/policykg
work=$(mktemp -d)
port=7999
$bin --store "$work/store" stats >/dev/null 2>&1
$bin --store "$work/store" serve --bind 127.0.0.1:$port 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q serving "$work/serve.log" && break; sleep 0.1; done
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read()))'; }
simple=$(printf 'SELECT ?l WHERE { pkid:sufuban skos:prefLabel ?l }' | enc)
lineage=$(enc < queries/data-regulation-lineage.rq)
printf '| query | connections | requests/s | p50 | p99 | errors |\n|---|---|---|---|---|---|\n'
for name in simple lineage; do
  url="http://127.0.0.1:$port/sparql?query=${!name}"
  for c in 1 8 64; do
    threads=$(( c < 2 ? 1 : 2 ))
    out=$(wrk -t$threads -c$c -d${seconds}s --latency "$url")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$( (grep -E "Non-2xx|Socket errors" <<<"$out" || true) | tr '\n' ' ')
    printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$c" "$rps" "$p50" "$p99" "${errors:-0}"
  done
done
