"""The mapping of records to quads: seed facts through the contract queries, golden graphs,
SHACL conformance of every corpus graph, determinism."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pytest
from pyoxigraph import Literal, Quad, RdfFormat, Store, serialize
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from tests.conftest import FIXED_TIME
from trialgraph.mapping import MappedTrial, map_record
from trialgraph.namespaces import TG, resource_dir
from trialgraph.queries import catalogue
from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources

CASES = Path(__file__).parent / "cases" / "mapping"


def _mapped(records: Iterable[TrialRecord]) -> list[MappedTrial]:
    return [map_record(r, ingested_at=FIXED_TIME) for r in records]


def _store(mapped: Iterable[MappedTrial]) -> Store:
    store = Store()
    for m in mapped:
        store.extend(m.quads)
        store.extend(m.concept_quads)
    return store


@pytest.fixture(scope="module")
def seeds(seed_records: dict[str, TrialRecord]) -> dict[str, str]:
    """Seed number -> trial id."""
    return {n: r.trial_id for n, r in seed_records.items()}


@pytest.fixture(scope="module")
def seed_store(seed_records: dict[str, TrialRecord]) -> Store:
    return _store(_mapped(seed_records.values()))


def rows(store: Store, name: str) -> list[dict[str, str]]:
    query = catalogue()[name]
    result = store.query(query.text, use_default_graph_as_union=True)
    variables = [v.value for v in result.variables]  # type: ignore[union-attr]
    assert tuple(variables) == query.columns
    return [
        {v: (s[v].value if s[v] is not None else "") for v in variables}
        for s in result  # type: ignore[union-attr]
    ]


def _by_trial(table: list[dict[str, str]], seeds: dict[str, str], key: str) -> dict[str, set[str]]:
    ids = {t: n for n, t in seeds.items()}
    found: dict[str, set[str]] = {n: set() for n in seeds}
    for row in table:
        found[ids[row["trial"]]].add(row[key])
    return found


# ------------------------------------------------------------------ seed facts


def test_trials_have_titles_and_sources(seed_store: Store, seeds: dict[str, str]) -> None:
    table = {r["trial"]: r for r in rows(seed_store, "trials")}
    assert set(table) == set(seeds.values())
    assert table[seeds["000"]]["title"] == "U87 CART in Treatment of Advanced Solid Tumor"
    assert table[seeds["000"]]["source"] == "000_476f412b69e9b7b0.txt"


def test_conditions(seed_store: Store, seeds: dict[str, str]) -> None:
    table = rows(seed_store, "trial-conditions")
    found = _by_trial(table, seeds, "condition")
    assert found["000"] == {"pancreatic cancer", "solid tumor"}
    assert found["001"] == {"nasopharyngeal carcinoma", "head and neck cancer"}
    assert found["002"] == found["003"] == {"solid tumor"}
    assert found["004"] == {"pancreatic cancer"}
    ids = {(r["condition"], r["condition_id"]) for r in table}
    assert len({i for c, i in ids if c == "pancreatic cancer"}) == 1  # one disease node
    assert all(r["condition_id"] for r in table)
    texts = {r["text"] for r in table if r["trial"] == seeds["004"]}
    assert texts == {"Advanced Pancreatic Cancer"}


def test_products(seed_store: Store, seeds: dict[str, str]) -> None:
    table = rows(seed_store, "trial-products")
    by = {(r["trial"], r["product"]): r for r in table}
    u87 = [r for r in table if r["product"] == "U87 CAR-T"]
    assert {r["trial"] for r in u87} == {seeds["000"], seeds["001"]}
    assert len({r["product_id"] for r in u87}) == 1  # one product node, two trials
    assert all(r["modality"] == "CAR-T" and r["intervention_type"] == "DRUG" for r in u87)
    assert by[(seeds["002"], "Fast CAR-T")]["intervention_type"] == "BIOLOGICAL"
    modalities = {r["product"]: r["modality"] for r in table if r["trial"] == seeds["003"]}
    assert modalities == {
        "CLDN18.2 CAR-T": "CAR-T",
        "PD-1 monoclonal antibody": "monoclonal antibody",
        "Chemotherapy": "chemotherapy",
    }
    assert {r["modality"] for r in table if r["trial"] == seeds["004"]} == {"TIL"}


def test_autologous_where_stated(seed_store: Store) -> None:
    result = seed_store.query(
        "PREFIX tg: <https://w3id.org/trialgraph/ontology#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?label ?origin WHERE { ?i tg:product ?p ; tg:origin ?origin . "
        "?p rdfs:label ?label }",
        use_default_graph_as_union=True,
    )
    origins = {s["label"].value: s["origin"].value for s in result}  # type: ignore[union-attr]
    assert origins == {"U87 CAR-T": "autologous", "CLDN18.2 CAR-T": "autologous"}


def test_targets_and_nothing_invented(seed_store: Store, seeds: dict[str, str]) -> None:
    table = rows(seed_store, "trial-targets")
    found = _by_trial(table, seeds, "target")
    assert found["000"] == found["001"] == found["004"] == set()
    assert found["002"] == {"MSLN", "MUC1"}
    assert found["003"] == {"CLDN18.2", "PDCD1"}
    by = {(r["trial"], r["target"]): r for r in table}
    assert by[(seeds["003"], "CLDN18.2")]["product"] == "CLDN18.2 CAR-T"
    assert by[(seeds["003"], "PDCD1")]["product"] == "PD-1 monoclonal antibody"
    assert by[(seeds["003"], "PDCD1")]["target_id"] == "HGNC:8760"
    assert by[(seeds["002"], "MSLN")]["target_id"].startswith("HGNC:")


def _endpoints(store: Store, seeds: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    ids = {t: n for n, t in seeds.items()}
    out: dict[str, list[dict[str, str]]] = {n: [] for n in seeds}
    for row in rows(store, "trial-endpoints"):
        out[ids[row["trial"]]].append(row)
    return out


def _codes(table: list[dict[str, str]], role: str | None = None) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    for r in table:
        if role is None or r["role"] == role:
            codes.setdefault(r["endpoint"], set()).add(r["duration"])
    return codes


def test_endpoints_000(seed_store: Store, seeds: dict[str, str]) -> None:
    table = _endpoints(seed_store, seeds)["000"]
    primary = _codes(table, "primary")
    assert primary["AE"] == {"P28D"}
    assert set(primary) <= {"AE", "DLT"}
    secondary = _codes(table, "secondary")
    for code in ("DCR", "ORR", "DOR", "PFS", "OS", "CMAX", "AUC", "TMAX", "CYTOKINES"):
        assert secondary[code] == {"P2Y"}, code
    ae = next(r for r in table if r["endpoint"] == "AE")
    assert ae["criteria"] == "CTCAE v5.0"
    for code in ("DCR", "ORR", "PFS"):
        assert "RECIST 1.1" in next(r for r in table if r["endpoint"] == code)["criteria"]
    cytokines = next(r for r in table if r["endpoint"] == "CYTOKINES")
    assert set(cytokines["analytes"].split("; ")) == {
        "IL-6",
        "IFN-γ",
        "IL-2",
        "TNF-α",
        "ferritin",
        "CRP",
    }


def test_endpoints_001(seed_store: Store, seeds: dict[str, str]) -> None:
    table = _endpoints(seed_store, seeds)["001"]
    assert _codes(table, "primary") == {"AE": {"P28D"}}
    ae = next(r for r in table if r["endpoint"] == "AE")
    assert ae["criteria"] == "CTCAE"
    secondary = _codes(table, "secondary")
    for code in ("TMAX", "AUC", "CMAX", "CYTOKINES", "ORR", "DOR", "OS", "PFS", "DCR"):
        assert secondary[code] == {"P2Y"}, code
    cytokines = next(r for r in table if r["endpoint"] == "CYTOKINES")
    assert set(cytokines["analytes"].split("; ")) == {"IL-6", "IFN-γ", "ferritin", "CRP"}


def test_endpoints_002(seed_store: Store, seeds: dict[str, str]) -> None:
    table = _endpoints(seed_store, seeds)["002"]
    assert _codes(table, "primary") == {"DLT": {"P28D"}}
    secondary = _codes(table, "secondary")
    expected = {
        "MTD": "P28D",
        "ORR": "P12M",
        "PFS": "P12M",
        "OS": "P12M",
        "CMAX": "P12M",
        "AUC": "P28D",
        "CYTOKINES": "P28D",
    }
    for code, duration in expected.items():
        assert secondary[code] == {duration}, code
    orr = next(r for r in table if r["endpoint"] == "ORR")
    assert orr["criteria"] == "RECIST 1.1"
    cytokines = next(r for r in table if r["endpoint"] == "CYTOKINES")
    assert set(cytokines["analytes"].split("; ")) == {
        "IL-2",
        "IL-4",
        "IL-6",
        "IL-8",
        "IL-10",
        "IL-15",
        "IFN-γ",
        "TNF-α",
        "MCP-1",
    }


def test_endpoints_003(seed_store: Store, seeds: dict[str, str]) -> None:
    table = _endpoints(seed_store, seeds)["003"]
    assert _codes(table, "primary") == {"DLT": {"P28D"}, "MTD": {"P28D"}}
    secondary = _codes(table, "secondary")
    assert secondary["CELL_KINETICS"] == {"P26W"}
    for code in ("AE", "PFS", "DOR", "DDC", "ORR", "DCR"):
        assert secondary[code] == {"P1Y"}, code
    assert secondary["OS"] >= {"P1Y"} and secondary["OS"] <= {"P1Y", "P15Y"}
    assert not any("RECIST" in r["criteria"] for r in table)
    assert next(r for r in table if r["endpoint"] == "AE")["criteria"] == "CTCAE v5.0"


def test_endpoints_004(seed_store: Store, seeds: dict[str, str]) -> None:
    table = _endpoints(seed_store, seeds)["004"]
    assert _codes(table, "primary") == {
        "DLT": {"P28D"},
        "MTD": {"P28D"},
        "AE": {"P72W"},
        "SAE": {"P72W"},
    }
    assert _codes(table, "secondary") == {"ORR": {"P18M"}, "DOR": {"P18M"}, "PFS": {"P18M"}}
    assert next(r for r in table if r["endpoint"] == "SAE")["criteria"] == "CTCAE v5.0"
    for code in ("ORR", "DOR"):
        assert next(r for r in table if r["endpoint"] == code)["criteria"] == "RECIST 1.1"


def test_across_the_five(seed_store: Store, seeds: dict[str, str]) -> None:
    per_trial = _endpoints(seed_store, seeds)

    def having(code: str) -> set[str]:
        return {n for n, table in per_trial.items() if any(r["endpoint"] == code for r in table)}

    assert having("ORR") == having("PFS") == {"000", "001", "002", "003", "004"}
    assert having("OS") == {"000", "001", "002", "003"}
    assert having("DOR") == {"000", "001", "003", "004"}
    assert having("DCR") == {"000", "001", "003"}
    assert having("MTD") == {"002", "003", "004"}
    assert {"002", "003", "004"} <= having("DLT")
    assert having("CMAX") == having("AUC") == {"000", "001", "002"}
    assert having("TMAX") == {"000", "001"}

    def criteria(text: str) -> set[str]:
        return {n for n, t in per_trial.items() if any(text in r["criteria"] for r in t)}

    assert criteria("RECIST 1.1") == {"000", "001", "002", "004"}
    assert criteria("CTCAE") == {"000", "001", "003", "004"}
    assert criteria("CTCAE v5.0") == {"000", "003", "004"}

    def analyte(name: str) -> set[str]:
        return {n for n, t in per_trial.items() if any(name in r["analytes"] for r in t)}

    assert analyte("IL-6") == analyte("IFN-γ") == {"000", "001", "002"}


# ------------------------------------------------------------------ golden graphs


def _graph(mapped: MappedTrial) -> Graph:
    """The trial graph and its concept descriptions as one rdflib graph."""
    triples = [
        Quad(q.subject, q.predicate, q.object) for q in (*mapped.quads, *mapped.concept_quads)
    ]
    data = serialize([q.triple for q in triples], format=RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


#: Literals that fold in the graph version, which digests the package's code and tables
#: (trialgraph.fingerprint) and so changes with every edit: checked against the record,
#: then left out of the golden comparison.
VERSIONED = (TG.checksum, TG.sourceDigest)


def _without_versioned(mapped: MappedTrial, record: TrialRecord) -> Graph:
    """The mapped graph without :data:`VERSIONED` literals, once they are the record's."""
    declared = {q.predicate: q.object for q in mapped.quads if q.predicate in VERSIONED}
    assert declared == {
        TG.checksum: Literal(record.checksum),
        TG.sourceDigest: Literal(record.raw_digest),
    }
    graph = _graph(mapped)
    for predicate in VERSIONED:
        graph.remove((None, URIRef(predicate.value), None))
    return graph


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_golden_graph(number: str, seed_records: dict[str, TrialRecord]) -> None:
    mapped = map_record(seed_records[number], ingested_at=FIXED_TIME)
    actual = _without_versioned(mapped, seed_records[number])
    expected_file = CASES / f"seed-{number}" / "expected.ttl"
    if os.environ.get("TRIALGRAPH_REGENERATE_GOLDEN"):
        expected_file.parent.mkdir(parents=True, exist_ok=True)
        actual.serialize(expected_file, format="turtle")
    expected = Graph().parse(expected_file, format="turtle")
    if not isomorphic(actual, expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            "mapped graph differs from the golden file\n--- missing:\n"
            + missing.serialize(format="nt")
            + "\n+++ unexpected:\n"
            + extra.serialize(format="nt")
        )


def test_mapping_is_deterministic(seed_records: dict[str, TrialRecord]) -> None:
    record = seed_records["003"]
    assert map_record(record, ingested_at=FIXED_TIME) == map_record(record, ingested_at=FIXED_TIME)


# ------------------------------------------------------------------ SHACL


def test_every_corpus_graph_conforms_to_the_shapes(corpus_records: list[TrialRecord]) -> None:
    shapes = Graph().parse(resource_dir("ontology") / "shapes.ttl")
    ontology = Graph().parse(resource_dir("ontology") / "trialgraph.ttl")
    failures = []
    for mapped in _mapped(corpus_records):
        conforms, _, text = validate(_graph(mapped), shacl_graph=shapes, ont_graph=ontology)
        if not conforms:
            failures.append(f"{mapped.trial_id}:\n{text}")
    assert not failures, "\n".join(failures[:3])


DATA = Path(__file__).parent / "data"
#: Every corpus set, each read whole: the concepts graph of a set is what all its trials
#: say about the shared nodes, so contradictions between trials show up there.
AREA_SETS = (
    "seeds",
    "ctgov-json/nsclc-studies.json",
    "ctgov-csv",
    "areas/ctgov-csv/cardiovascular-eye.csv",
    "ctgov-zip/urology-studies.json.zip",
)


@pytest.mark.parametrize("source", AREA_SETS)
def test_the_shared_concepts_of_every_set_conform_with_its_trial_graphs(source: str) -> None:
    records = {
        r.trial_id: r for r in read_sources([str(DATA / source)]) if isinstance(r, TrialRecord)
    }
    mapped = _mapped(records.values())  # a trial in two files of a set is stored once
    concepts = {(q.subject, q.predicate, q.object) for m in mapped for q in m.concept_quads}
    # every trial's graph would make the check slow; every seventh one, with all concepts
    sample = {(q.subject, q.predicate, q.object) for m in mapped[::7] for q in m.quads}
    data = serialize(
        [Quad(s, p, o).triple for s, p, o in concepts | sample], format=RdfFormat.N_TRIPLES
    )
    shapes = Graph().parse(resource_dir("ontology") / "shapes.ttl")
    ontology = Graph().parse(resource_dir("ontology") / "trialgraph.ttl")
    conforms, _, text = validate(
        Graph().parse(data=data, format="nt"), shacl_graph=shapes, ont_graph=ontology
    )
    assert conforms, text[:3000]
