#!/usr/bin/env bash
# N-Quads of realistic shape for the load and scale benchmarks, on stdout: entities with Chinese and English labels,
# typed, linked to each other, spread over seven named graphs of their own vocabulary.
# Usage: benches/generate.sh QUADS > FILE
set -euo pipefail
awk -v n="${1:?how many quads}" 'BEGIN {
  for (i = 0; i < n; i++) {
    e = "<https://example.org/e/" int(i / 4) ">"; g = "<https://example.org/g/" (i % 7) ">";
    k = i % 4;
    if (k == 0) print e " <http://www.w3.org/2004/02/skos/core#prefLabel> \"数据治理条目" i "号\"@zh " g " .";
    else if (k == 1) print e " <http://www.w3.org/2000/01/rdf-schema#label> \"Generated entity " i "\"@en " g " .";
    else if (k == 2) print e " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/Class" (i % 13) "> " g " .";
    else print e " <https://example.org/linkedTo> <https://example.org/e/" int(i * 7 % n / 4) "> " g " .";
  }
}'
