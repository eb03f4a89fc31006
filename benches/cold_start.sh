#!/usr/bin/env bash
# Whole-process timings of the release binary: building a store from the bundle, then every command as a cold
# process on the built store (hyperfine, after two warm-up runs, so that what the first process derives and keeps
# beside the store, such as the projection and the counts of `stats`, is read back as every later process reads it).
# The target is 30 ms per command. On a shared machine read the CPU column (user + system): the wall time there
# includes waiting for a core.
# Usage: benches/cold_start.sh [RUNS]   (after `cargo build --release`; needs hyperfine)
source "$(dirname "$0")/setup.sh"
runs=${1:-20}
store=$work/store
ms() { date +%s%N; }
t0=$(ms); "$bin" --store "$store" stats >/dev/null 2>&1; t1=$(ms)
echo "store build (first command, incl. stats): $(( (t1 - t0) / 1000000 )) ms"
commands=(
  "query --name agency-succession"
  "queries"
  "prefixes"
  "describe 苏服办"
  "evidence 苏服办"
  "evidence 江苏省数据条例 江苏省数据局"
  "lineage 江苏省数据条例"
  "path 江苏省数据条例 苏服办"
  "neighbors 苏服办"
  "rank"
  "stats"
  "search 数据安全"
  "as-of 2023-06-01"
  "timeline 苏服办"
  "viz --output $work/picture.svg"
  "viz --view lineage 江苏省数据条例 --output $work/lineage.svg"
  "export --format graphml"
  "export --format cytoscape"
  "export --format nquads"
  "export --format turtle"
  "validate"
)
printf '\n| command | wall mean | wall min | CPU (user + system) |\n|---|---:|---:|---:|\n'
for c in "${commands[@]}"; do
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/h.json" "$bin --store $store $c" >/dev/null 2>&1 ||
    { echo "| \`$c\` | failed | | |"; continue; }
  python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['results'][0]
print(f\"| \`{sys.argv[2]}\` | {r['mean'] * 1000:.1f} ms | {r['min'] * 1000:.1f} ms | {(r['user'] + r['system']) * 1000:.1f} ms |\")
" "$work/h.json" "${c/$work\//}"
done
