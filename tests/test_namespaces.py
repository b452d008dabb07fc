"""The ontology's terms, the Python names for them, and the prefix map agree."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, Graph, URIRef

from trialgraph.namespaces import TG, compress, expand, prefixes, resource_dir


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(resource_dir("ontology") / "trialgraph.ttl")


def _declared(ontology: Graph) -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {
        str(s)
        for kind in kinds
        for s in ontology.subjects(RDF.type, kind)
        if str(s).startswith(TG.NS)
    }


def test_every_python_name_is_declared_and_every_term_has_a_name(ontology: Graph) -> None:
    named = {
        node.value for name, node in vars(TG).items() if not name.startswith("_") and name != "NS"
    }
    assert named == _declared(ontology)


def test_every_term_has_a_label_and_a_definition(ontology: Graph) -> None:
    skos_definition = URIRef("http://www.w3.org/2004/02/skos/core#definition")
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    for term in _declared(ontology):
        assert ontology.value(URIRef(term), label), term
        assert ontology.value(URIRef(term), skos_definition), term


def test_misspelt_term_raises() -> None:
    with pytest.raises(AttributeError, match="not a term"):
        _ = TG.hasOutcomes


def test_ontology_prefixes_agree_with_the_prefix_map(ontology: Graph) -> None:
    for prefix, namespace in ontology.namespaces():
        if prefix in prefixes():
            assert str(namespace) == prefixes()[prefix], prefix


@pytest.mark.parametrize("curie", ["HGNC:2043", "MONDO:0005192", "NCIT:C9292", "MESH:D010190"])
def test_expand_then_compress_round_trips(curie: str) -> None:
    assert compress(expand(curie)) == curie
