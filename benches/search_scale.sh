#!/usr/bin/env bash
# Full-text search over many loaded literals (issue 11): LITERALS generated string literals (as in
# `cargo bench --bench search`: "第N条:" and twelve words of the texts' vocabulary, every thousandth with 数据安全)
# loaded into one named graph of a copy of the bundled store; then the first search, which builds the index over
# them (time, CPU, peak RSS, index size on disk), and cold searches on the built index against a plain query.
# Usage: benches/search_scale.sh [LITERALS] [RUNS]   (after `cargo build --release`; needs hyperfine, /usr/bin/time)
# SEARCH_WORK=DIR works there instead of a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${POLICYKG_BIN:-$PWD/target/release/policykg}
n=${1:-1000000}
runs=${2:-10}
work=${SEARCH_WORK:-$(mktemp -d)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
"$bin" --store "$work/store" stats >/dev/null 2>&1
awk -v n="$n" 'BEGIN {
  split("数据 公共 政务 服务 平台 共享 开放 授权 运营 管理 条例 规定 安全 治理 一件事 热线 企业 群众 办事", w, " ");
  seed = 42;
  for (i = 0; i < n; i++) {
    t = "第" i "条:";
    for (j = 0; j < 12; j++) { seed = (seed * 1103515245 + 12345) % 2147483648; t = t w[int(seed / 65536) % 19 + 1]; }
    if (i % 1000 == 0) t = t "数据安全";
    printf "<http://example.org/item/%d> <http://example.org/note> \"%s。\"@zh <http://example.org/generated> .\n", i, t;
  }
}' > "$work/literals.nq"
echo "## $n generated literals ($(du -h "$work/literals.nq" | cut -f1)), $(date -u '+%F %H:%M') UTC on $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
/usr/bin/time -f "load: %e s wall, %U s user + %S s system, peak RSS %M KB" \
  "$bin" --store "$work/store" load "$work/literals.nq" 2>&1 >/dev/null | tail -1
/usr/bin/time -f "first search (builds the index): %e s wall, %U s user + %S s system, peak RSS %M KB" \
  "$bin" --store "$work/store" search 数据安全 2>&1 >/dev/null | tail -1
echo "index size on disk: $(du -sh "$work/store.search" | cut -f1); store: $(du -sh "$work/store" | cut -f1)"
hyperfine -N --warmup 2 --runs "$runs" \
  "$bin --store $work/store search 数据安全 --format json" \
  "$bin --store $work/store search 第123456条" \
  "$bin --store $work/store query --name agency-succession" 2>&1 | grep -E "Benchmark|Time|User"
