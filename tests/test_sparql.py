"""Binding values into SPARQL: the VALUES block opens the outermost WHERE group, hostile values
stay single terms, and the bound query finds exactly what the values say."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store

from trialgraph.sparql import BindingError, bind, where_group

HOSTILE = [
    'a"b',
    "a'b",
    "a\\",
    '\\\\"',
    "{ } }",
    'x" } UNION { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o }",
    "line one\nline two\r\n",
    '"""',
    "?o",
    "",
]
P = NamedNode("urn:p")


@pytest.fixture
def store() -> Store:
    store = Store()
    for n, text in enumerate(HOSTILE):
        store.add(Quad(NamedNode(f"urn:s{n}"), P, Literal(text)))
    store.add(Quad(NamedNode("urn:other"), P, Literal("other")))
    return store


def subjects(store: Store, sparql: str) -> list[str]:
    result = store.query(sparql)
    assert isinstance(result, QuerySolutions)
    return sorted(row[0].value for row in result if isinstance(row[0], NamedNode))


@pytest.mark.parametrize("n", range(len(HOSTILE)))
def test_a_hostile_value_finds_exactly_its_literal(store: Store, n: int) -> None:
    sparql = bind("SELECT ?s WHERE { ?s <urn:p> ?o }", ["o"], [(Literal(HOSTILE[n]),)])
    assert subjects(store, sparql) == [f"urn:s{n}"]


def test_several_rows_run_the_query_once_per_row(store: Store) -> None:
    rows = [(NamedNode("urn:s0"),), (NamedNode("urn:s3"),), (NamedNode("urn:nothing"),)]
    sparql = bind("SELECT ?s WHERE { ?s <urn:p> ?o }", ["s"], rows)
    assert subjects(store, sparql) == ["urn:s0", "urn:s3"]


def test_several_variables_bind_a_row_together(store: Store) -> None:
    rows = [(NamedNode("urn:s1"), Literal(HOSTILE[1])), (NamedNode("urn:s2"), Literal("no"))]
    sparql = bind("SELECT ?s WHERE { ?s <urn:p> ?o }", ["s", "o"], rows)
    assert subjects(store, sparql) == ["urn:s1"]


def test_no_rows_find_nothing(store: Store) -> None:
    assert subjects(store, bind("SELECT ?s WHERE { ?s <urn:p> ?o }", ["s"], [])) == []


def test_the_values_are_in_scope_for_filters_and_subqueries(store: Store) -> None:
    # a FILTER at the top level sees the bound value; a subquery that projects ?o is joined
    query = """
    SELECT ?s WHERE {
      { SELECT ?s ?o WHERE { ?s <urn:p> ?o } }
      FILTER(STR(?o) = STR(?want))
    }"""
    sparql = bind(query, ["want"], [(Literal(HOSTILE[5]),)])
    assert subjects(store, sparql) == ["urn:s5"]


@pytest.mark.parametrize(
    ("query", "rest"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o }", " ?s ?p ?o }"),
        ("select ?s where{?s ?p ?o}", "?s ?p ?o}"),
        ("# WHERE { ?x ?y ?z }\nSELECT ?s WHERE { ?s ?p ?o }", " ?s ?p ?o }"),
        ("PREFIX w: <urn:a#WHERE>\nSELECT ?s WHERE { ?s w:x ?o }", " ?s w:x ?o }"),
        ("PREFIX where: <urn:a>\nSELECT ?s WHERE { ?s where:x ?o }", " ?s where:x ?o }"),
        ('SELECT ?s (" WHERE {" AS ?w) WHERE { ?s ?p ?o }', " ?s ?p ?o }"),
        ("SELECT ?where WHERE { ?where ?p ?o }", " ?where ?p ?o }"),
        ("SELECT ?s WHERE # the group\n { ?s ?p ?o }", " ?s ?p ?o }"),
        (
            "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
            " { SELECT ?s WHERE { ?s ?p ?o } } }",
        ),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", " ?s ?p ?o }"),
        ("SELECT (EXISTS { ?s ?p 1 } AS ?e) WHERE { ?s ?p ?o }", " ?s ?p ?o }"),
    ],
)
def test_the_block_opens_the_outermost_where_group(query: str, rest: str) -> None:
    assert query[where_group(query) :] == rest
    bound = bind(query, ["o"], [(Literal("x"),)])
    assert bound.endswith(' VALUES ?o { "x" }' + rest)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s { ?s ?p ?o }",
        "ASK { ?s ?p ?o }",
        "SELECT ?s # WHERE { ?s ?p ?o }\n{ ?s ?p ?o }",
        "SELECT ?s WHERE ?s",
        "SELECT ?s WHERE x # c\n { ?s ?p ?o }",
        "",
    ],
)
def test_a_query_without_a_where_group_is_refused(query: str) -> None:
    with pytest.raises(BindingError, match="no WHERE"):
        bind(query, ["o"], [(Literal("x"),)])


@pytest.mark.parametrize("name", ["?o", "$o", "o }", "o o", "", "1o", "o-x", "o\n"])
def test_variable_names_are_checked(name: str) -> None:
    with pytest.raises(BindingError, match="not a variable name"):
        bind("SELECT ?s WHERE { ?s ?p ?o }", [name], [(Literal("x"),)])


def test_rows_must_match_the_variables_and_hold_bindable_terms() -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    with pytest.raises(BindingError, match="a row of 2 terms for 1 variables"):
        bind(query, ["o"], [(Literal("x"), Literal("y"))])
    with pytest.raises(BindingError, match="only IRIs and literals"):
        bind(query, ["o"], [(BlankNode("b"),)])  # type: ignore[list-item]
    with pytest.raises(BindingError, match="only IRIs and literals"):
        bind(query, ["o"], [("x",)])  # type: ignore[list-item]
    with pytest.raises(BindingError, match="no variables"):
        bind(query, [], [()])
