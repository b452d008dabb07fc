"""The landscape queries, on trials with facets: golden rows, the same rows from a served
store, and counts that add up to what the lookups list.

The store holds the NSCLC API v2 JSON set and the cardiovascular/eye CSV export (the seeds,
which the other query tests use, have no sponsors, phases or places). Golden rows live in
``tests/cases/queries/facets-CASE.tsv``, multi-valued cells sorted; regenerate them after a
deliberate change with ``TRIALGRAPH_REGENERATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import DATA, FIXED_TIME, assert_golden_rows, read_records, stored, unordered
from trialgraph.cli import main
from trialgraph.pipeline import map_batch
from trialgraph.queries import load_query
from trialgraph.store import RemoteStore

GOLDEN = Path(__file__).parent / "cases" / "queries"
SOURCES = [DATA / "ctgov-json", DATA / "areas" / "ctgov-csv" / "cardiovascular-eye.csv"]

#: case name -> (query, parameters)
FACET_CASES: dict[str, tuple[str, dict[str, str]]] = {
    "trial-facets": ("trial-facets", {}),
    "trials-by-sponsor": ("trials-by-sponsor", {"sponsor": "pfizer"}),
    "trials-by-sponsor-part": ("trials-by-sponsor", {"sponsor": "University"}),
    "landscape-target": ("landscape", {"target": "EGFR"}),
    "landscape-condition": ("landscape", {"condition": "hypertension"}),
    "landscape-product": ("landscape", {"product": "latanoprost"}),
    "sponsors-by-target": ("sponsors-by-target", {"target": "EGFR"}),
    "trials-by-target-phase": ("trials-by-target", {"target": "EGFR", "phase": "Phase 3"}),
    "trials-by-condition-status": (
        "trials-by-condition",
        {"condition": "glaucoma", "status": "completed"},
    ),
}


@pytest.fixture(scope="module")
def facet_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return stored(tmp_path_factory.mktemp("facets") / "store", read_records(SOURCES))


@pytest.fixture(scope="module")
def served(oxigraph_server: str) -> str:
    """The same trials on a real ``oxigraph serve``."""
    remote = RemoteStore(oxigraph_server)
    remote._update("DROP ALL")
    remote.replace_trials(map_batch(list(read_records(SOURCES)), FIXED_TIME).mapped)
    return oxigraph_server


def rows(where: list[str], query: str, params: dict[str, str]) -> list[dict[str, str]]:
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    result = CliRunner().invoke(main, ["query", query, *where, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def normalized(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(unordered(v) for v in row.values())


def trial_set(cells: Iterator[str]) -> set[str]:
    return {t for cell in cells for t in cell.split("; ") if t}


@pytest.mark.parametrize("case", sorted(FACET_CASES))
def test_landscape_query_gives_the_expected_rows(case: str, facet_store: str) -> None:
    name, params = FACET_CASES[case]
    got = [normalized(r) for r in rows(["--store", facet_store], name, params)]
    assert got, "every case has rows to compare"
    assert_golden_rows(GOLDEN / f"facets-{case}.tsv", load_query(name).columns, got)


@pytest.mark.parametrize("case", sorted(FACET_CASES))
def test_a_served_store_gives_the_same_rows(case: str, facet_store: str, served: str) -> None:
    name, params = FACET_CASES[case]
    embedded = Counter(normalized(r) for r in rows(["--store", facet_store], name, params))
    remote = Counter(normalized(r) for r in rows(["--endpoint", served], name, params))
    assert embedded == remote


@pytest.mark.parametrize(
    ("lookup", "param", "value"),
    [
        ("trials-by-target", "target", "EGFR"),
        ("trials-by-target", "target", "pd-1"),
        ("trials-by-condition", "condition", "Hypertension"),
        ("trials-by-condition", "condition", "GLAUCOMA"),
        ("trials-by-product", "product", "latanoprost"),
        ("trials-by-product", "product", "osimertinib"),
    ],
)
def test_landscape_counts_add_up_to_the_trials_the_lookup_lists(
    facet_store: str, lookup: str, param: str, value: str
) -> None:
    where = ["--store", facet_store]
    listed = {r["trial"] for r in rows(where, lookup, {param: value})}
    landscape = rows(where, "landscape", {param: value})
    assert listed
    assert sum(int(r["trials"]) for r in landscape) == len(listed)
    assert trial_set(r["trial_ids"] for r in landscape) == listed
    # each trial once: a multi-phase trial sits under all of its phases together
    facets = {r["trial"]: r for r in rows(where, "trial-facets", {})}
    for row in landscape:
        for trial in row["trial_ids"].split("; "):
            assert (facets[trial]["phase"], facets[trial]["status"]) == (
                row["phase"],
                row["status"],
            )


def test_sponsors_by_target_counts_each_lead_sponsors_trials(facet_store: str) -> None:
    where = ["--store", facet_store]
    listed = {r["trial"] for r in rows(where, "trials-by-target", {"target": "EGFR"})}
    facets = {r["trial"]: r for r in rows(where, "trial-facets", {})}
    sponsors = rows(where, "sponsors-by-target", {"target": "EGFR"})
    assert sum(int(r["trials"]) for r in sponsors) == sum(1 for t in listed if facets[t]["sponsor"])
    by_name = Counter(facets[t]["sponsor"] for t in listed if facets[t]["sponsor"])
    assert {r["sponsor"]: int(r["trials"]) for r in sponsors} == dict(by_name)


def test_a_sponsor_is_found_in_any_case_punctuation_and_legal_form(facet_store: str) -> None:
    where = ["--store", facet_store]
    found = [rows(where, "trials-by-sponsor", {"sponsor": s}) for s in ("pfizer", "PFIZER, INC.")]
    assert found[0] and found[0] == found[1]
    assert {r["role"] for r in rows(where, "trials-by-sponsor", {"sponsor": "university"})} == {
        "lead",
        "collaborator",
    }


def test_phase_and_status_filters_narrow_a_lookup(facet_store: str) -> None:
    where = ["--store", facet_store]
    facets = {r["trial"]: r for r in rows(where, "trial-facets", {})}
    every = {r["trial"] for r in rows(where, "trials-by-target", {"target": "EGFR"})}
    phase3 = {
        r["trial"] for r in rows(where, "trials-by-target", {"target": "EGFR", "phase": "phase3"})
    }
    assert phase3 == {t for t in every if "PHASE3" in facets[t]["phase"].split("; ")}
    assert phase3 and phase3 < every
    glaucoma = {r["trial"] for r in rows(where, "trials-by-condition", {"condition": "glaucoma"})}
    done = {
        r["trial"]
        for r in rows(
            where, "trials-by-condition", {"condition": "glaucoma", "status": "Completed"}
        )
    }
    assert done == {t for t in glaucoma if facets[t]["status"] == "COMPLETED"}
    assert done and done < glaucoma


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ("landscape", {}, "exactly one of"),
        ("landscape", {"target": "EGFR", "product": "osimertinib"}, "given: target, product"),
        ("trials-by-target", {"target": "EGFR", "phase": "Phase 7"}, "takes one of"),
        ("trials-by-condition", {"condition": "x", "status": "halted"}, "takes one of"),
        ("trials-by-sponsor", {"sponsor": "..."}, "takes a name"),
    ],
)
def test_bad_parameters_get_a_clear_error(
    facet_store: str, query: str, params: dict[str, str], message: str
) -> None:
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    result = CliRunner().invoke(main, ["query", query, "--store", facet_store, *args])
    assert result.exit_code != 0
    assert message in result.output
