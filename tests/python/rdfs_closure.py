"""owlrl's RDFS closure against policykg's entailed graph (tests/standards.rs).

Usage: rdfs_closure.py DATA.nt ENTAILED.nt

DATA is the stored graph (export without pkg:entailed), ENTAILED the graph pkg:entailed. policykg's reasoner is
OWL 2 RL, and ontology/rules/ adds ELI metadata, so some entailed triples are beyond RDFS by design: those of
properties declared owl:inverseOf, owl:SymmetricProperty or owl:TransitiveProperty, and those the rules build.
They are given to owlrl as input; every other entailed triple must then be in owlrl's RDFS closure. Exit 0 when
it is, 3 with the missing triples listed when not.

owlrl is given the schema and the facts it can reason from: every rdf:/rdfs:/owl: statement, every rdf:type, and
every fact whose predicate the schema mentions. A fact with another predicate has no RDFS consequence but that
the predicate is a property and its terms resources. The closure of a subset is part of the closure of the whole
(RDFS is monotonic), so this check is the stricter one, and owlrl's passes over the quotes and texts, most of the
data, are saved (13 minutes of CI under load).
"""

import sys

import owlrl
import rdflib
from rdflib.namespace import OWL, RDF

ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")

# What ontology/rules/*.rq construct (re-expressions of stated facts, not RDFS consequences).
RULE_PREDICATES = {
    ELI.type_document, ELI.is_realized_by, ELI.realizes, ELI.title, ELI.language, ELI.date_document,
    ELI.first_date_entry_in_force, SCHEMA.legislationType, SCHEMA.legislationDate,
}


def beyond_rdfs(data):
    """Properties whose consequences are OWL RL, not RDFS."""
    props = set()
    for s, o in data.subject_objects(OWL.inverseOf):
        props.update([s, o])
    for kind in (OWL.SymmetricProperty, OWL.TransitiveProperty):
        props.update(data.subjects(RDF.type, kind))
    return props | RULE_PREDICATES


def reasoned_from(data):
    """The part of `data` owlrl needs (see the module's text)."""
    vocab = (str(RDF), str(rdflib.RDFS), str(OWL))
    schema = set()
    for s, p, o in data:
        if p != RDF.type and str(p).startswith(vocab):
            schema.update([s, o])
    part = rdflib.Graph()
    for t in data:
        if t[1] == RDF.type or str(t[1]).startswith(vocab) or t[1] in schema:
            part.add(t)
    return part


def main():
    data = rdflib.Graph()
    data.parse(sys.argv[1], format="nt")
    entailed = rdflib.Graph()
    entailed.parse(sys.argv[2], format="nt")
    owl_only = beyond_rdfs(data)
    whole = len(data)
    data = reasoned_from(data)
    given = [t for t in entailed if t[1] in owl_only or (t[1] == RDF.type and t[2] == ELI.LegalExpression)]
    for t in given:
        data.add(t)
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(data)
    missing = [t for t in entailed if t not in data]
    print(f"data {whole} triples, {len(data)} after the closure; entailed {len(entailed)}, beyond RDFS {len(given)}, "
          f"missing from the RDFS closure {len(missing)}")
    for t in missing[:20]:
        print(" ".join(x.n3() for x in t))
    sys.exit(3 if missing else 0)


main()
