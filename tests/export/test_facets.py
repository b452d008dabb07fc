"""Landscape facets in the export: trials carry their phase, status, sponsor, dates,
enrollment, countries and sites in every format; sponsors and collaborators are
organization nodes, one per organization however its records spell it."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode

from tests.conftest import FIXED_TIME
from tests.export.conftest import CSV_TRIAL, JSON_TRIAL, SPONSOR_VARIANTS
from trialgraph.export import export, project
from trialgraph.export.projection import INTEGER_FIELDS, TRIAL_FIELDS, organization_attrs
from trialgraph.mapping import map_record
from trialgraph.queries import catalogue
from trialgraph.records import TrialRecord
from trialgraph.store import EmbeddedStore, SelectResult, open_store

#: What the corpus records of the two known trials say (tests/data).
KNOWN = {
    f"trial:{JSON_TRIAL}": {
        "phase": "PHASE2",
        "status": "ACTIVE_NOT_RECRUITING",
        "study_type": "INTERVENTIONAL",
        "sponsor": "European Organisation for Research and Treatment of Cancer - EORTC",
        "sponsor_class": "NETWORK",
        "start_date": "2017-10-10",
        "primary_completion_date": "2022-09-20",
        "completion_date": "2027-12",
        "enrollment": 156,
        "enrollment_type": "ACTUAL",
        "countries": "BE; ES; FR; JO; PL; SI",
        "sites": 23,
    },
    f"trial:{CSV_TRIAL}": {
        "phase": "PHASE1; PHASE2",
        "status": "TERMINATED",
        "study_type": "INTERVENTIONAL",
        "sponsor": "Pfizer",
        "sponsor_class": "INDUSTRY",
        "start_date": "2017-10-19",
        "primary_completion_date": "2022-02-22",
        "completion_date": "2023-01-04",
        "enrollment": 223,
        "countries": "AU; BE; CA; DK; GB; HU; KR; RU; US",
        "sites": 66,
    },
}
#: The facet attributes the known trials are checked on (absent where KNOWN has none).
FACET_KEYS = frozenset(k for facets in KNOWN.values() for k in facets)
PFIZER = "organization:pfizer"
ACME = "organization:acme_biotech"
EORTC = "organization:european_organisation_for_research_and_treatment_of_cancer_eortc"


@pytest.fixture(scope="module")
def graph(corpus_store: EmbeddedStore) -> nx.MultiDiGraph[str]:
    return project(corpus_store)


def _rows(store: EmbeddedStore, name: str) -> list[dict[str, str]]:
    result = store.query(catalogue()[name].text)
    assert isinstance(result, SelectResult)
    return [
        {
            v: t.value
            for v, t in zip(result.variables, row, strict=True)
            if isinstance(t, Literal | NamedNode)
        }
        for row in result.rows
    ]


def _trials(graph: nx.Graph[Any]) -> dict[str, dict[str, Any]]:
    return {n: d for n, d in graph.nodes(data=True) if d["kind"] == "trial"}


def _facets(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in FACET_KEYS if k in data}


# ---------------------------------------------------------------------------------------
# the projection


def test_known_trials_carry_their_records_facets(graph: nx.MultiDiGraph[str]) -> None:
    for node, expected in KNOWN.items():
        assert _facets(graph.nodes[node]) == expected, node


def test_trial_facets_agree_with_the_catalogue_query(
    corpus_store: EmbeddedStore, graph: nx.MultiDiGraph[str]
) -> None:
    """Every trial's facets are what ``trial-facets`` reports, with no empty values."""
    rows = _rows(corpus_store, "trial-facets")
    trials = _trials(graph)
    assert {f"trial:{r['trial']}" for r in rows} == set(trials)
    for row in rows:
        data = trials[f"trial:{row['trial']}"]
        for field in TRIAL_FIELDS.keys() & row.keys():
            value = row[field]
            if field == "countries":  # the query does not order them; the export sorts them
                value = "; ".join(sorted(value.split("; "))) if value else ""
            if not value:
                assert field not in data, (row["trial"], field)
            elif field in INTEGER_FIELDS:
                assert data[field] == int(value)
            else:
                assert data[field] == value, (row["trial"], field)
    # the corpus has what the comparison needs: several phases, enrollments of 0, no status
    phases = {d.get("phase") for d in trials.values()}
    assert {"PHASE1; PHASE2", "PHASE2; PHASE3", None} <= phases
    assert any(d.get("enrollment") == 0 for d in trials.values())


def test_attributes_are_typed_and_never_empty(graph: nx.MultiDiGraph[str]) -> None:
    for node, data in graph.nodes(data=True):
        for key, value in data.items():
            if key in INTEGER_FIELDS and data["kind"] == "trial":
                assert type(value) is int, (node, key, value)
            else:
                assert isinstance(value, str) and value, (node, key, value)
    for *_, data in graph.edges(data=True):
        assert all(isinstance(v, str) and v for v in data.values()), data


def test_a_trial_without_facets_has_none(graph: nx.MultiDiGraph[str]) -> None:
    seeds = [d for n, d in _trials(graph).items() if not d.get("nct_id")]
    assert len(seeds) == 5
    for data in seeds:
        assert not set(data) & (TRIAL_FIELDS.keys() - {"title"}), data


# ---------------------------------------------------------------------------------------
# organizations


def test_sponsors_and_collaborators_are_organization_nodes(
    corpus_store: EmbeddedStore, graph: nx.MultiDiGraph[str]
) -> None:
    trials = _trials(graph)
    leads = {(u, v) for u, v, d in graph.edges(data=True) if d["relation"] == "lead_sponsor"}
    # one lead sponsor per trial whose record names one, and it is an organization
    assert len(leads) == sum(1 for d in trials.values() if "sponsor" in d)
    assert len({u for u, _ in leads}) == len(leads)
    for u, v in leads:
        assert graph.nodes[v]["kind"] == "organization"
        edge = next(iter(graph.get_edge_data(u, v).values()))
        assert edge["label"] == "lead sponsor" and edge["predicate"] == "tg:leadSponsor"
    json_trial = f"trial:{JSON_TRIAL}"
    assert (json_trial, EORTC) in leads
    assert graph.nodes[EORTC]["label"] == KNOWN[json_trial]["sponsor"]
    assert graph.nodes[EORTC]["organization_class"] == "NETWORK"
    collaborators = {
        v for _, v, d in graph.out_edges(json_trial, data=True) if d["relation"] == "collaborator"
    }
    assert collaborators == {"organization:astrazeneca"}
    assert graph.nodes["organization:astrazeneca"]["label"] == "AstraZeneca"
    # the organization nodes are exactly those the trials link to
    linked = {
        v for _, v, d in graph.edges(data=True) if d["relation"] in ("lead_sponsor", "collaborator")
    }
    assert linked == {n for n, d in graph.nodes(data=True) if d["kind"] == "organization"}
    result = corpus_store.query(
        "SELECT ?o WHERE { ?o a <https://w3id.org/trialgraph/ontology#Organization> }"
    )
    assert isinstance(result, SelectResult)
    every = {r[0].value for r in result.rows if isinstance(r[0], NamedNode)}
    assert {graph.nodes[n]["iri"] for n in linked} == every


def test_spellings_of_one_organization_are_one_node(graph: nx.MultiDiGraph[str]) -> None:
    """Names that differ in case, punctuation or legal form are one node; its label is the
    name most records write, ties going to the smallest in code-point order."""
    sponsors = {
        nct: v
        for nct, *_ in SPONSOR_VARIANTS
        for _, v, d in graph.out_edges(f"trial:{nct}", data=True)
        if d["relation"] == "lead_sponsor"
    }
    assert sponsors == {
        "NCT90000001": PFIZER,
        "NCT90000002": PFIZER,
        "NCT90000003": ACME,
        "NCT90000004": ACME,
    }
    pfizer = graph.nodes[PFIZER]
    assert pfizer["label"] == pfizer["name"] == "Pfizer"  # seven records write it so
    assert pfizer["names"] == "Pfizer; PFIZER INC.; Pfizer, Inc"
    acme = graph.nodes[ACME]
    assert acme["label"] == "ACME BIOTECH"  # a tie: "ACME" sorts before "Acme"
    assert acme["names"] == "ACME BIOTECH; Acme Biotech GmbH"
    assert acme["organization_class"] == "INDUSTRY; OTHER"
    # a trial's sponsor class is the one its own record gives, not the organization's others
    assert graph.nodes["trial:NCT90000003"]["sponsor_class"] == "INDUSTRY"
    assert graph.nodes["trial:NCT90000004"]["sponsor_class"] == "OTHER"
    assert graph.nodes["trial:NCT90000004"]["sponsor"] == "ACME BIOTECH"


def test_an_organization_has_the_same_label_in_any_subgraph(
    corpus_store: EmbeddedStore, graph: nx.MultiDiGraph[str]
) -> None:
    sub = project(corpus_store, trials=["NCT90000001"])
    organizations = {n: d for n, d in sub.nodes(data=True) if d["kind"] == "organization"}
    assert set(organizations) == {PFIZER, "organization:astrazeneca"}
    assert organizations[PFIZER] == graph.nodes[PFIZER]
    assert sub.nodes["trial:NCT90000001"]["sponsor"] == "PFIZER INC."


def test_the_label_rule() -> None:
    names = {"Pfizer Inc.": 2, "PFIZER": 2, "Pfizer": 1}
    attrs = organization_attrs("urn:x", "organization:x", names, {"OTHER": 1, "INDUSTRY": 1})
    assert attrs["label"] == "PFIZER"
    assert attrs["names"] == "PFIZER; Pfizer Inc.; Pfizer"
    assert attrs["organization_class"] == "INDUSTRY; OTHER"
    bare = organization_attrs("urn:x", "organization:x", {}, {})
    assert bare["label"] == "organization:x" and "names" not in bare and "name" not in bare


def test_the_kind_filter_knows_organizations(corpus_store: EmbeddedStore) -> None:
    sub = project(corpus_store, kinds={"trial", "organization"})
    assert {d["kind"] for _, d in sub.nodes(data=True)} == {"trial", "organization"}
    assert {d["relation"] for *_, d in sub.edges(data=True)} == {"lead_sponsor", "collaborator"}
    only = project(corpus_store, kinds={"organization"})
    assert only.number_of_edges() == 0
    assert PFIZER in only and only.nodes[PFIZER]["label"] == "Pfizer"


def test_the_command_line_exports_organizations(
    corpus_records: list[TrialRecord], tmp_path: Path
) -> None:
    from trialgraph.cli import main

    json_records = [r for r in corpus_records if r.source.endswith(".json")]
    with open_store(tmp_path / "store", for_writing=True) as store:
        store.replace_trials([map_record(r, ingested_at=FIXED_TIME) for r in json_records])
    out = tmp_path / "g.cyjs"
    store_dir = str(tmp_path / "store")
    args = ["export", "--format", "cytoscape", "--out", str(out), "--store", store_dir]
    done = CliRunner().invoke(main, [*args, "--kind", "trial,organization"])
    assert done.exit_code == 0, done.output
    nodes = {e["data"]["id"]: e["data"] for e in json.loads(out.read_text())["elements"]["nodes"]}
    assert {d["kind"] for d in nodes.values()} == {"trial", "organization"}
    assert nodes[EORTC]["organization_class"] == "NETWORK"
    assert nodes[f"trial:{JSON_TRIAL}"]["enrollment"] == 156


class CountingStore:
    """A store that counts the queries sent to it."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.queries = 0

    def query(self, sparql: str) -> Any:
        self.queries += 1
        return self.store.query(sparql)


def test_facets_and_organizations_take_a_fixed_number_of_queries(
    corpus_store: EmbeddedStore, corpus_records: list[TrialRecord]
) -> None:
    half = EmbeddedStore()
    some = [r for r in corpus_records if r.source.endswith(".json")][:20]
    half.replace_trials([map_record(r, ingested_at=FIXED_TIME) for r in some])
    small, large = CountingStore(half), CountingStore(corpus_store)
    assert project(small).number_of_nodes() < project(large).number_of_nodes()
    assert small.queries == large.queries <= 7
    # a subgraph's trials and organizations are looked up in VALUES blocks, a block a query
    small.queries = large.queries = 0
    few = [r.nct_id or "" for r in some[:3]]
    project(small, trials=few)
    project(large, trials=few)
    assert small.queries == large.queries <= 8


# ---------------------------------------------------------------------------------------
# every format


def _graphml(path: Path) -> nx.Graph[Any]:
    return nx.read_graphml(path, force_multigraph=True)


def _gexf(path: Path) -> nx.Graph[Any]:
    return nx.read_gexf(path)


def _cytoscape(path: Path) -> nx.Graph[Any]:
    doc = json.loads(path.read_text("utf-8"))
    read: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for element in doc["elements"]["nodes"]:
        read.add_node(element["data"]["id"], **element["data"])
    for element in doc["elements"]["edges"]:
        data = element["data"]
        read.add_edge(data["source"], data["target"], **data)
    return read


def _nodelink(path: Path) -> nx.Graph[Any]:
    return nx.node_link_graph(json.loads(path.read_text("utf-8")), edges="edges")


READERS: dict[str, Callable[[Path], nx.Graph[Any]]] = {
    "graphml": _graphml,
    "gexf": _gexf,
    "cytoscape": _cytoscape,
    "nodelink": _nodelink,
}


@pytest.fixture(scope="module")
def written(corpus_store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("facets")
    for fmt in (*READERS, "kgx"):
        export(corpus_store, fmt, out / fmt)
    return out


@pytest.mark.parametrize("fmt", list(READERS))
def test_facets_and_organizations_in_each_format(
    fmt: str, written: Path, graph: nx.MultiDiGraph[str]
) -> None:
    read = READERS[fmt](written / fmt)
    for node, expected in KNOWN.items():
        assert _facets(read.nodes[node]) == expected, (fmt, node)
    assert read.nodes[PFIZER]["kind"] == "organization"
    assert read.nodes[PFIZER]["label"] == "Pfizer"
    assert read.nodes[ACME]["organization_class"] == "INDUSTRY; OTHER"
    leads = {(u, v) for u, v, d in read.edges(data=True) if d["relation"] == "lead_sponsor"}
    assert leads == {
        (u, v) for u, v, d in graph.edges(data=True) if d["relation"] == "lead_sponsor"
    }
    assert (f"trial:{CSV_TRIAL}", PFIZER) in leads
    # no attribute was written empty, and the counts are integers
    for node, data in read.nodes(data=True):
        assert all(v != "" for v in data.values()), (fmt, node)
        for key in INTEGER_FIELDS & data.keys():
            assert type(data[key]) is int, (fmt, node, key)


def test_graphml_and_gexf_declare_the_counts_as_integers(written: Path) -> None:
    keys = (
        ET.parse(written / "graphml").getroot().iter("{http://graphml.graphdrawing.org/xmlns}key")
    )
    types = {k.get("attr.name"): k.get("attr.type") for k in keys if k.get("for") == "node"}
    assert types["enrollment"] == types["sites"] == "long"
    assert types["phase"] == types["countries"] == types["organization_class"] == "string"
    ns = "{http://www.gexf.net/1.2draft}"
    root = ET.parse(written / "gexf").getroot()
    declared = {
        a.get("title"): a.get("type")
        for group in root.iter(f"{ns}attributes")
        if group.get("class") == "node"
        for a in group.iter(f"{ns}attribute")
    }
    assert declared["enrollment"] == declared["sites"] == "long"
    assert all(v.get("value") != "" for v in root.iter(f"{ns}attvalue"))


def test_kgx_facets_and_organizations(written: Path) -> None:
    with (written / "kgx" / "nodes.tsv").open(encoding="utf-8", newline="") as handle:
        nodes = {r["id"]: r for r in csv.DictReader(handle, delimiter="\t")}
    with (written / "kgx" / "edges.tsv").open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle, delimiter="\t"))
    csv_trial = nodes[f"trial:{CSV_TRIAL}"]
    assert csv_trial["phase"] == "PHASE1|PHASE2"  # a KGX list
    assert csv_trial["clinical_trial_overall_status"] == "TERMINATED"
    assert csv_trial["clinical_trial_enrollment"] == "223"
    assert csv_trial["clinical_trial_start_date"] == "2017-10-19"
    assert csv_trial["countries"] == "AU|BE|CA|DK|GB|HU|KR|RU|US"
    assert csv_trial["sites"] == "66"
    assert csv_trial["clinical_trial_enrollment_type"] == ""  # the CSV record gives none
    json_trial = nodes[f"trial:{JSON_TRIAL}"]
    assert json_trial["clinical_trial_enrollment_type"] == "ACTUAL"
    assert json_trial["completion_date"] == "2027-12"
    assert json_trial["sponsor_class"] == "NETWORK"
    assert nodes[PFIZER]["category"] == "biolink:Agent"
    assert nodes[PFIZER]["name"] == "Pfizer"
    assert nodes[ACME]["organization_class"] == "INDUSTRY|OTHER"
    assert nodes[PFIZER]["phase"] == nodes[PFIZER]["clinical_trial_enrollment"] == ""
    leads = [e for e in edges if e["relation"] == "lead_sponsor"]
    assert {e["predicate"] for e in leads} == {"biolink:related_to"}
    assert {e["original_predicate"] for e in leads} == {"tg:leadSponsor"}
    assert any(e["subject"] == f"trial:{CSV_TRIAL}" and e["object"] == PFIZER for e in leads)
    collaborators = [e for e in edges if e["relation"] == "collaborator"]
    assert collaborators and {e["original_predicate"] for e in collaborators} == {"tg:collaborator"}


def test_trial_facets_query_sees_the_sponsor_variants(corpus_store: EmbeddedStore) -> None:
    """The store itself holds what the projection reads: two spellings under one key."""
    result = corpus_store.query(
        "SELECT ?l WHERE { GRAPH ?g { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
        "VALUES ?o { <https://w3id.org/trialgraph/organization/acme_biotech> } }"
    )
    assert isinstance(result, SelectResult)
    labels = sorted(r[0].value for r in result.rows if isinstance(r[0], Literal))
    assert labels == ["ACME BIOTECH", "Acme Biotech GmbH"]
