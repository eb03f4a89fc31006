"""A real SPARQL client: SPARQLWrapper runs bundled queries against `policykg serve` and compares the answers with
the CLI's (JSON files written by tests/consumers.rs).

Usage: python3 sparqlwrapper_check.py ENDPOINT DIR NAME...   (DIR holds NAME.rq and NAME.cli.json)
"""
import json
import sys
from pathlib import Path

from SPARQLWrapper import JSON, SPARQLWrapper

endpoint, directory, names = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]


def rows(results):
    variables = results["head"]["vars"]
    return sorted(tuple((b.get(v) or {}).get("value", "") for v in variables) for b in results["results"]["bindings"])


for name in names:
    client = SPARQLWrapper(endpoint)
    client.setQuery((directory / f"{name}.rq").read_text(encoding="utf-8"))
    client.setReturnFormat(JSON)
    client.setMethod("POST")
    served = client.query().convert()
    cli = json.loads((directory / f"{name}.cli.json").read_text(encoding="utf-8"))
    a, b = rows(served), rows(cli)
    print(f"{name}: {len(a)} rows from the server, {len(b)} from the CLI")
    assert a == b, name
print("SPARQLWrapper OK")
