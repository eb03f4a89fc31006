"""pySHACL's verdict on a graph (tests/standards.rs): the independent check of `policykg validate`.

Usage: pyshacl_validate.py DATA.nt SHAPES.ttl
Prints pySHACL's report and exits 0 when the data conform, 3 when they do not.

pySHACL evaluates a SHACL-SPARQL constraint with one rdflib query per batch of focus nodes, passing the same query
text each time, and rdflib parses the text again on every call: on the bundled graph 450 of 595 s went to
pyparsing, for about a thousand parses of the same few queries. The text is therefore parsed and translated once
and the prepared query reused (what rdflib's `prepareQuery` is for); the evaluation, and so the verdict, is
pySHACL's and rdflib's own.
"""

import sys

import pyshacl
import rdflib
from rdflib.plugins.sparql import processor


def prepare_once(query):
    prepared = {}

    def cached(self, str_or_query, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(str_or_query, str):
            key = (str_or_query, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in prepared:
                prepared[key] = processor.translateQuery(processor.parseQuery(str_or_query), base, initNs)
            str_or_query = prepared[key]
        return query(self, str_or_query, initBindings, initNs, base, DEBUG)

    return cached


processor.SPARQLProcessor.query = prepare_once(processor.SPARQLProcessor.query)

data = rdflib.Graph()
data.parse(sys.argv[1], format="nt")
shapes = rdflib.Graph()
shapes.parse(sys.argv[2], format="turtle")
conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
print(text)
sys.exit(0 if conforms else 3)
