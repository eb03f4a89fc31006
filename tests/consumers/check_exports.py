"""Reads policykg's exports with the tools researchers use and compares them with what policykg says it wrote,
and recomputes rank's betweenness centrality with networkx.

Usage: python3 check_exports.py DIR   (DIR holds the exports and expected.json, written by tests/consumers.rs)
Prints one line per check and exits non-zero on the first mismatch.
"""
import json
import sys
from pathlib import Path

import networkx as nx
import rdflib

d = Path(sys.argv[1])
expected = json.loads((d / "expected.json").read_text(encoding="utf-8"))

for name, fmt, dataset in [("export.trig", "trig", True), ("export.nq", "nquads", True), ("export.jsonld", "json-ld", True),
                           ("export.ttl", "turtle", False), ("export.nt", "nt", False), ("export.rdf", "xml", False)]:
    if dataset:
        g = rdflib.Dataset()
        g.parse(d / name, format=fmt)
        count = sum(1 for _ in g.quads((None, None, None, None)))  # len(Dataset) merges graphs
        want = expected["quads"]
    else:
        g = rdflib.Graph()
        g.parse(d / name, format=fmt)
        count = len(g)
        want = expected["triples"]
    print(f"rdflib {name}: {count} (expected {want})")
    assert count == want, name

for name, reader in [("export.graphml", nx.read_graphml), ("export.gexf", nx.read_gexf)]:
    g = reader(d / name)
    print(f"networkx {name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    assert g.number_of_nodes() == expected["nodes"], name
    assert g.number_of_edges() == expected["edges"], name
    labels = {data.get("label_zh") for _, data in g.nodes(data=True)}
    assert "江苏省数据条例" in labels, name
    relations = {data.get("relation") for _, _, data in g.edges(data=True)}
    assert "draftOf" in relations, name
    # Every edge says where it comes from: status, and the IRI, title and date of its quote's document.
    for _, _, data in g.edges(data=True):
        assert data.get("status") in {"stated", "implied actor", "inferred", "loaded"}, (name, data)
        assert data.get("document", "").startswith("https://w3id.org/policykg/doc/"), (name, data)
        assert data.get("document_title"), (name, data)
        assert str(data.get("date", ""))[:4].isdigit(), (name, data)
    titles = {data["document_title"] for _, _, data in g.edges(data=True)}
    assert "省政务办2022年度法治政府建设情况报告" in titles, name
    print(f"networkx {name}: every edge has its status, document, title and date")
# rank's betweenness (Brandes, undirected, normalised) against networkx's on the GraphML export.
ours = json.loads((d / "betweenness.json").read_text(encoding="utf-8"))
theirs = nx.betweenness_centrality(nx.Graph(nx.read_graphml(d / "export.graphml").to_undirected()), normalized=True)
worst = max(abs(ours[n] - theirs[n]) for n in theirs)
print(f"networkx betweenness of {len(theirs)} nodes: largest difference {worst:.2e}")
assert set(ours) == set(theirs) and worst < 1e-9, worst
print("consumers OK")
