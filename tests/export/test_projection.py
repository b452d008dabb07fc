"""The projection of the store to networkx: nodes and edges agree with the contract queries,
filters keep the right trials, and the number of queries does not grow with the data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import networkx as nx
import pytest
from pyoxigraph import Literal, NamedNode

from tests.conftest import FIXED_TIME
from tests.export.conftest import HOSTILE_NCT, HOSTILE_TITLE
from trialgraph.export import KINDS, ExportError, project
from trialgraph.export.projection import select_trials
from trialgraph.mapping import map_record
from trialgraph.queries import catalogue
from trialgraph.records import TrialRecord
from trialgraph.store import EmbeddedStore, RemoteStore, SelectResult


def table(store: EmbeddedStore, name: str) -> list[dict[str, str]]:
    result = store.query(catalogue()[name].text)
    assert isinstance(result, SelectResult)
    return [
        {
            v: (t.value if isinstance(t, Literal | NamedNode) else "")
            for v, t in zip(result.variables, row, strict=True)
        }
        for row in result.rows
    ]


def kinds_of(graph: nx.MultiDiGraph[str]) -> Counter[str]:
    return Counter(str(d["kind"]) for _, d in graph.nodes(data=True))


def relations(graph: nx.MultiDiGraph[str]) -> Counter[str]:
    return Counter(str(d["relation"]) for *_, d in graph.edges(data=True))


@pytest.fixture(scope="module")
def graph(seed_store: EmbeddedStore) -> nx.MultiDiGraph[str]:
    return project(seed_store)


def test_nodes_match_the_contract_queries(
    seed_store: EmbeddedStore, graph: nx.MultiDiGraph[str]
) -> None:
    trials = {r["trial"] for r in table(seed_store, "trials")}
    products = {r["product_id"] for r in table(seed_store, "trial-products")}
    targets = {r["target"] for r in table(seed_store, "trial-targets")}
    conditions = {r["condition"] for r in table(seed_store, "trial-conditions")}
    endpoints = {r["endpoint"] for r in table(seed_store, "trial-endpoints")}
    criteria = {
        c for r in table(seed_store, "trial-endpoints") for c in r["criteria"].split("; ") if c
    }
    by_kind: dict[str, set[str]] = {}
    for _, data in graph.nodes(data=True):
        by_kind.setdefault(data["kind"], set()).add(data["label"])
    assert {f"trial:{t}" for t in trials} == {
        n for n, d in graph.nodes(data=True) if d["kind"] == "trial"
    }
    assert len(by_kind["product"]) == len(products)
    assert by_kind["target"] == targets
    assert by_kind["condition"] == conditions
    assert {
        graph.nodes[n]["code"] for n, d in graph.nodes(data=True) if d["kind"] == "endpoint"
    } == endpoints
    assert by_kind["criteria"] == criteria
    assert set(kinds_of(graph)) == set(KINDS) - {"organization"}  # the seeds name no sponsor


def test_every_node_has_label_kind_curie_as_strings(graph: nx.MultiDiGraph[str]) -> None:
    for node, data in graph.nodes(data=True):
        assert {"label", "kind", "curie", "iri"} <= set(data), node
        assert all(isinstance(v, str) and v for v in data.values()), (node, data)  # no counts
    for *_, data in graph.edges(data=True):
        assert all(isinstance(v, str) and v for v in data.values()), data


def test_target_nodes_carry_hgnc_curies(graph: nx.MultiDiGraph[str]) -> None:
    assert graph.nodes["target:MSLN"]["curie"] == "HGNC:7371"
    assert graph.nodes["target:MSLN"]["url"] == "https://bioregistry.io/HGNC:7371"
    assert graph.nodes["target:CLDN18.2"]["target_type"] == "IsoformTarget"


def test_edges_match_the_contract_queries(
    seed_store: EmbeddedStore, graph: nx.MultiDiGraph[str]
) -> None:
    counts = relations(graph)
    tests = {(r["trial"], r["product_id"]) for r in table(seed_store, "trial-products")}
    studies = {(r["trial"], r["condition"]) for r in table(seed_store, "trial-conditions")}
    named = {(r["trial"], r["target"]) for r in table(seed_store, "trial-targets")}
    endpoints = table(seed_store, "trial-endpoints")
    assert counts["tests"] == len(tests)
    assert counts["studies"] == len(studies)
    assert counts["names_target"] == len(named)
    assert counts["measures"] == len(endpoints)
    # role and duration ride on the measures edges, as the endpoint query reports them
    expected = Counter(
        (f"trial:{r['trial']}", r["endpoint"], r["role"], r["duration"]) for r in endpoints
    )
    found = Counter(
        (u, graph.nodes[v]["code"], d["role"], d.get("duration", ""))
        for u, v, d in graph.edges(data=True)
        if d["relation"] == "measures"
    )
    assert found == expected


def test_products_aim_at_targets(graph: nx.MultiDiGraph[str]) -> None:
    aims = {
        (graph.nodes[u]["label"], graph.nodes[v]["label"])
        for u, v, d in graph.edges(data=True)
        if d["relation"] == "aims_at"
    }
    assert ("CLDN18.2 CAR-T", "CLDN18.2") in aims
    for u, v, d in graph.edges(data=True):
        if d["relation"] == "aims_at":
            assert graph.nodes[u]["kind"] == "product"
            assert graph.nodes[v]["kind"] == "target"


def test_kinds_keep_only_those_nodes(seed_store: EmbeddedStore) -> None:
    graph = project(seed_store, kinds={"trial", "target"})
    assert set(kinds_of(graph)) == {"trial", "target"}
    assert set(relations(graph)) == {"names_target"}
    with pytest.raises(ExportError, match="unknown node kind"):
        project(seed_store, kinds={"trial", "drug"})


@pytest.mark.parametrize("name", ["MSLN", "msln", "HGNC:7371", "target:MSLN", "mesothelin"])
def test_subgraph_by_target(seed_store: EmbeddedStore, name: str) -> None:
    graph = project(seed_store, target=name)
    trials = {n for n, d in graph.nodes(data=True) if d["kind"] == "trial"}
    assert trials
    assert all(graph.has_edge(t, "target:MSLN") for t in trials)
    # the whole neighbourhood of those trials comes along
    assert {"condition", "endpoint", "product"} <= set(kinds_of(graph))


@pytest.mark.parametrize(
    ("name", "node"),
    [
        ("PD-1", "target:PDCD1"),
        ("CD279", "target:PDCD1"),
        ("CLDN18", "target:CLDN18.2"),
        ("target:CLDN18", "target:CLDN18.2"),
        ("https://w3id.org/trialgraph/target/CLDN18", "target:CLDN18.2"),
    ],
)
def test_subgraph_by_target_synonym_or_parent_gene(
    seed_store: EmbeddedStore, name: str, node: str
) -> None:
    graph = project(seed_store, target=name)
    trials = {n for n, d in graph.nodes(data=True) if d["kind"] == "trial"}
    assert len(trials) == 1
    assert all(graph.has_edge(t, node) for t in trials)


def test_subgraph_by_condition(seed_store: EmbeddedStore, graph: nx.MultiDiGraph[str]) -> None:
    by_label = project(seed_store, condition="Pancreatic Cancer")
    by_curie = project(seed_store, condition="MONDO:0009831")
    assert set(by_label) == set(by_curie)
    trials = {n for n, d in by_label.nodes(data=True) if d["kind"] == "trial"}
    expected = {u for u, v in graph.edges() if v == "disease:MONDO_0009831"}
    assert trials == expected


def test_subgraph_by_trials(seed_store: EmbeddedStore, graph: nx.MultiDiGraph[str]) -> None:
    trials = sorted(n for n, d in graph.nodes(data=True) if d["kind"] == "trial")[:2]
    ids = [trials[0].removeprefix("trial:"), trials[1]]  # a bare id and a CURIE
    sub = project(seed_store, trials=ids)
    assert {n for n, d in sub.nodes(data=True) if d["kind"] == "trial"} == set(trials)
    expected = set(trials) | {v for t in trials for v in graph.successors(t)}
    assert set(sub) >= expected
    with pytest.raises(ExportError, match="no such trial"):
        project(seed_store, trials=["NCT00000000"])


def test_filters_that_match_nothing_say_so(seed_store: EmbeddedStore) -> None:
    with pytest.raises(ExportError, match="no trial matches target"):
        project(seed_store, target="NOSUCHGENE")
    with pytest.raises(ExportError, match="no trial matches condition"):
        project(seed_store, condition="no such disease")


def test_filter_text_is_bound_not_pasted(seed_store: EmbeddedStore) -> None:
    with pytest.raises(ExportError, match="no trial matches"):
        project(seed_store, target='x" ) } DROP ALL ; SELECT * { ?s ?p ?o FILTER("')


def test_filters_find_the_same_trials_on_a_served_store(
    seed_store: EmbeddedStore, seed_records: Mapping[str, TrialRecord], oxigraph_server: str
) -> None:
    remote = RemoteStore(oxigraph_server)
    remote._update("DROP ALL")
    remote.replace_trials([map_record(r, ingested_at=FIXED_TIME) for r in seed_records.values()])
    for target in ("PD-1", "target:MSLN", "CLDN18"):
        found = select_trials(remote, target=target)
        assert found and found == select_trials(seed_store, target=target), target
    for condition in ("Pancreatic Cancer", "MONDO:0009831"):
        found = select_trials(remote, condition=condition)
        assert found and found == select_trials(seed_store, condition=condition), condition


class SparqlOnlyStore:
    """A store that takes query text only, and keeps what it was sent."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.sent: list[str] = []

    def query(self, sparql: str) -> Any:
        self.sent.append(sparql)
        return self.store.query(sparql)


def test_the_target_filter_binds_the_catalogue_lookup(seed_store: EmbeddedStore) -> None:
    store = SparqlOnlyStore(seed_store)
    assert select_trials(store, target="target:MSLN") == select_trials(seed_store, target="MSLN")
    lookup = catalogue()["trials-by-target"].text
    body = lookup[lookup.index("WHERE {") + len("WHERE {") :]
    (sent,) = store.sent
    assert sent.endswith(body)
    # the phase and status filters are bound too, to "" (any)
    assert (
        ' VALUES (?target ?phase ?status) { ("target:MSLN" "" "")'
        ' (<https://w3id.org/trialgraph/target/MSLN> "" "") }'
    ) in sent
    # the catalogue's own parameter is a text, which never takes the IRI route
    text = catalogue()["trials-by-target"].bind(
        {"target": "https://w3id.org/trialgraph/target/MSLN"}
    )
    result = seed_store.query(text)
    assert isinstance(result, SelectResult) and not list(result.rows)


def test_every_filter_binds_before_it_queries(seed_store: EmbeddedStore) -> None:
    store = SparqlOnlyStore(seed_store)
    trials = select_trials(seed_store, condition="Pancreatic Cancer")
    assert trials
    graph = project(store, condition="pancreatic cancer", trials=trials, kinds={"trial"})
    assert sorted(graph.nodes[n]["iri"] for n in graph) == trials
    assert not any("%" in sent for sent in store.sent)


def test_subgraph_by_construct(seed_store: EmbeddedStore) -> None:
    query = """
    PREFIX tg: <https://w3id.org/trialgraph/ontology#>
    CONSTRUCT { ?t tg:hasTarget ?x } WHERE { ?t tg:hasTarget ?x }
    """
    graph = project(seed_store, construct=query)
    assert set(kinds_of(graph)) == {"trial", "target"}
    assert set(relations(graph)) == {"names_target"}
    with pytest.raises(ExportError, match="CONSTRUCT"):
        project(seed_store, construct="SELECT * WHERE { ?s ?p ?o }")


def test_hostile_text_is_kept_verbatim(hostile_store: EmbeddedStore) -> None:
    graph = project(hostile_store, trials=[HOSTILE_NCT])
    node = graph.nodes[f"trial:{HOSTILE_NCT}"]
    assert node["title"] == HOSTILE_TITLE
    assert node["label"] == HOSTILE_NCT
    assert node["url"] == f"https://clinicaltrials.gov/study/{HOSTILE_NCT}"


class CountingStore:
    """A store that counts the queries sent to it."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.queries = 0

    def query(self, sparql: str, substitutions: Mapping[str, Any] | None = None) -> Any:
        self.queries += 1
        return self.store.query(sparql, substitutions)


def test_a_few_queries_whatever_the_size(
    seed_store: EmbeddedStore, hostile_store: EmbeddedStore
) -> None:
    small, large = CountingStore(seed_store), CountingStore(hostile_store)
    project(small)
    project(large)
    assert small.queries == large.queries <= 7
