"""Summaries answer exactly as the full scans do, through sequences of ingests, on both
backends; a summary behind the store is noticed, and rebuilt by ``trialgraph summarize``."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, Triple

from tests.conftest import CORPUS, FIXED_TIME, read_records, unordered
from trialgraph import summaries
from trialgraph.cli import main
from trialgraph.mapping import trial_graph
from trialgraph.namespaces import SUMMARY_GRAPH, TG
from trialgraph.pipeline import Loader, map_batch, map_encoded
from trialgraph.queries import NamedQuery, catalogue
from trialgraph.records import TrialRecord
from trialgraph.store import EmbeddedStore, GraphStore, RemoteStore, SelectResult

ALL_CORPUS = [*CORPUS, CORPUS[0].parent / "ctgov-zip", CORPUS[0].parent / "areas"]
SUMMARIZED = {name: q for name, q in catalogue().items() if q.summary_text}


@pytest.fixture(scope="module")
def records() -> list[TrialRecord]:
    return list(read_records(ALL_CORPUS))


def table(store: GraphStore, query: NamedQuery, *, summary: bool) -> Counter[tuple[str, ...]]:
    """A query's rows as text, each multi-valued cell's values sorted (cells are unordered)."""
    result = store.query(query.bind({}, summary=summary))
    assert isinstance(result, SelectResult)
    assert result.variables == list(query.columns)
    out: Counter[tuple[str, ...]] = Counter()
    for row in result:
        cells = ("" if t is None else str(t) if isinstance(t, Triple) else t.value for t in row)
        out[tuple(unordered(c) for c in cells)] += 1
    return out


def assert_summaries_answer(store: GraphStore) -> dict[str, int]:
    """Every summarized query gives the full scan's rows; the row counts by query."""
    assert summaries.status(store).current
    counts = {}
    for name, query in SUMMARIZED.items():
        full = table(store, query, summary=False)
        assert table(store, query, summary=True) == full, name
        counts[name] = sum(full.values())
    return counts


def summary_quads(store: GraphStore) -> set[Quad]:
    result = store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{SUMMARY_GRAPH.value}> {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, SelectResult)
    return {Quad(s, p, o, SUMMARY_GRAPH) for s, p, o in result}  # type: ignore[arg-type]


def changed(records: Sequence[TrialRecord]) -> Iterator[TrialRecord]:
    """New versions of ``records``: each takes its neighbour's conditions, interventions and
    outcomes (its targets, products, endpoints and follow-up change); every fifth loses its
    outcomes and interventions altogether."""
    for i, record in enumerate(records):
        other = records[(i + 7) % len(records)]
        if i % 5 == 4:
            yield dataclasses.replace(record, outcomes=(), interventions=())
        else:
            yield dataclasses.replace(
                record,
                conditions=other.conditions,
                mesh_conditions=other.mesh_conditions,
                interventions=other.interventions,
                outcomes=other.outcomes,
            )


def run(store: GraphStore, batches: Sequence[Sequence[TrialRecord]]) -> summaries.Report:
    """One ingest run's loads and its summary upkeep, as the flow does them."""
    loader = Loader(store)
    for batch in batches:
        todo = loader.triage(list(batch)).todo  # unchanged records are left alone
        if todo:
            loader.load(map_batch(todo, FIXED_TIME).mapped)
    report = loader.finish()
    assert report is not None
    return report


def sequence(store: GraphStore, records: list[TrialRecord]) -> None:
    """A first load, then runs of new, changed, unchanged and reverted records."""
    first, rest = records[:300], records[300:]
    assert run(store, [first[:150], first[150:]]).how == "rebuilt"
    counts = assert_summaries_answer(store)
    assert all(counts.values()), counts  # the corpus has rows for every summarized query
    edited = list(changed(first[:60]))
    report = run(store, [rest[:100], edited, rest[100:], first[60:80]])
    assert report.how == "updated"
    assert_summaries_answer(store)
    # the same trial changed twice in one run, and reverted in the next
    report = run(store, [edited[:10], list(changed(edited[:10])), first[20:40]])
    assert report.how == "updated"
    assert_summaries_answer(store)
    assert run(store, [first[:60]]).how == "updated"
    assert_summaries_answer(store)
    # new titles change the trials but none of their groups outside combination-regimens,
    # whose rows show the title: those groups' nodes are left as they are
    retitled = [
        dataclasses.replace(r, title=r.title + " (revised)") for r in first[80:140] if r.nct_id
    ]
    before = {q for q in summary_quads(store) if "combination-regimens" not in str(q.subject)}
    report = run(store, [retitled])
    assert report.how == "updated" and report.groups["trials-per-target"] == 0, report
    assert_summaries_answer(store)
    after = {q for q in summary_quads(store) if "combination-regimens" not in str(q.subject)}
    assert {q for q in before ^ after if q.subject != SUMMARY_GRAPH} == set()


def test_summaries_equal_full_scans_through_a_sequence_of_ingests(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    assert len(records) > 600
    with EmbeddedStore(tmp_path / "store") as store:
        sequence(store, records)


def test_summaries_equal_full_scans_on_a_served_store(
    records: list[TrialRecord], oxigraph_server: str
) -> None:
    remote = RemoteStore(oxigraph_server)
    remote._update("DROP ALL")
    sequence(remote, records[:450])


def test_a_large_rewrite_rebuilds_the_summary(
    records: list[TrialRecord], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        run(store, [records[:200]])
        monkeypatch.setattr(summaries, "REBUILD_SHARE", 0.1)
        monkeypatch.setattr(summaries, "REBUILD_MIN", 0)
        report = run(store, [list(changed(records[:30]))])
        assert report.how == "rebuilt"
        assert_summaries_answer(store)


def test_an_unchanged_rerun_leaves_the_summary_and_the_generation(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        run(store, [records[:100]])
        generation = store.generation()
        assert generation > 0
        before = {q for q in store.store if q.graph_name == SUMMARY_GRAPH}
        assert run(store, [records[:100]]).how == "unchanged"
        assert store.generation() == generation
        assert {q for q in store.store if q.graph_name == SUMMARY_GRAPH} == before


def test_a_group_keeps_its_counts_through_its_state() -> None:
    # what a scan counts of trial NCT1 (two rows, CYTOKINES) and of NCT2 (one row, PK)
    first = summaries.Group(1, 2, {"endpoint": Counter({"CYTOKINES": 1})}, ids_text="NCT1")
    second = summaries.Group(1, 1, {"endpoint": Counter({"PK": 1})}, ids_text="NCT2")
    group = summaries.Group(ids=set())
    group.combine(first, 1)
    group.combine(second, 1)
    assert (group.trials, group.rows, group.ids) == (2, 3, {"NCT1", "NCT2"})
    again = summaries.Group.from_state(group.state(), "; ".join(sorted(group.ids or ())))
    again.combine(first, -1)
    assert (again.trials, again.rows, again.ids) == (1, 1, {"NCT2"})
    assert again.tallies == {"endpoint": Counter({"PK": 1})}


def cli(*args: str) -> tuple[str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_a_summary_behind_the_store_is_noticed_and_rebuilt(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    path = tmp_path / "store"
    with EmbeddedStore(path) as store:
        run(store, [records[:120]])
        # another writer: trials replaced without the summary's upkeep
        Loader(store, summarize=False).load(
            map_batch(list(changed(records[:40])), FIXED_TIME).mapped
        )
        found = summaries.status(store)
        assert not found.current and "another writer" in found.explain()
        stale = {q for q in store.store if q.graph_name == SUMMARY_GRAPH}
        query = SUMMARIZED["trials-per-target"]
        full = table(store, query, summary=False)
        assert table(store, query, summary=True) != full  # what the note protects from
    out, err = cli("query", "trials-per-target", "--store", str(path), "--format", "csv")
    assert "answering trials-per-target from a full scan" in err
    assert "trialgraph summarize" in err
    assert len(out.splitlines()) == sum(full.values()) + 1
    out, _ = cli("summarize", "--store", str(path))
    assert "summaries rebuilt" in out and "trials-per-target" in out
    with EmbeddedStore(path) as store:
        assert {q for q in store.store if q.graph_name == SUMMARY_GRAPH} != stale
        assert_summaries_answer(store)
    out, err = cli("query", "trials-per-target", "--store", str(path), "--format", "csv")
    assert err == "" and len(out.splitlines()) == sum(full.values()) + 1


def test_a_summary_of_other_definitions_is_not_used(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        run(store, [records[:50]])
        store.restate(
            SUMMARY_GRAPH,
            SUMMARY_GRAPH,
            [
                q
                if q.predicate != TG.summaryVersion
                else type(q)(q.subject, q.predicate, Literal("older"), q.graph_name)
                for q in store.store.quads_for_pattern(SUMMARY_GRAPH, None, None, SUMMARY_GRAPH)
            ],
        )
        assert "another version" in summaries.status(store).explain()


def test_a_first_load_adds_up_its_batches_groups_to_what_a_rebuild_finds(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    distinct = list({r.trial_id: r for r in records}.values())  # each trial in one batch
    with EmbeddedStore(tmp_path / "store") as store:
        loader = Loader(store)
        # small batches: a group's count must not depend on which trials share a batch
        for start in range(0, len(distinct), 10):
            chunk = distinct[start : start + 10]
            spooled = str(spool) if start % 20 else None
            batch = map_encoded(chunk, FIXED_TIME, spooled, summarize=True)
            assert batch.summaries is not None
            loader.load_encoded(batch)
        report = loader.finish()
        assert report is not None and report.how == "built"
        built = {q for q in store.store if q.graph_name == SUMMARY_GRAPH}
        assert_summaries_answer(store)
        assert summaries.rebuild(store).how == "rebuilt"
        assert {q for q in store.store if q.graph_name == SUMMARY_GRAPH} == built


def test_the_combination_summary_lists_the_modalities_and_checkpoints_of_its_query() -> None:
    text = catalogue()["combination-regimens"].text
    listed = {
        var: set(terms.split()) for var, terms in re.findall(r"VALUES \?(\w+) \{([^}]*)\}", text)
    }
    assert listed == {var: set(terms) for var, terms in summaries.COMBINATION_LISTS.items()}
    assert set(listed) == {"cell_kind", "inhibited"}


def test_stored_groups_read_the_concepts_descriptions_as_far_as_they_lead(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    # with the interventions' own modality gone from the trial graphs, modality-by-target
    # reaches a modality's label only through its product's description in the concepts
    # graph: two steps from the trial graph
    loaded = records[:200]
    with EmbeddedStore(tmp_path / "store") as store:
        run(store, [loaded])
        store._update(
            "PREFIX tg: <https://w3id.org/trialgraph/ontology#> "
            "DELETE { GRAPH ?g { ?use tg:modality ?m } } WHERE { GRAPH ?g { "
            "?t tg:hasIntervention ?use . ?use tg:modality ?m } }"
        )
        graphs = sorted({trial_graph(r.trial_id) for r in loaded}, key=str)
        stored = summaries.stored_groups(store, graphs)
        scanned = {kind.name: summaries._scanned(store, kind) for kind in summaries.KINDS}
        assert stored["modality-by-target"]
        assert stored == scanned


def test_stored_groups_count_quads_read_already_as_the_store_would(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        run(store, [records[:120]])
        graphs = sorted({trial_graph(r.trial_id) for r in records[:60]}, key=str)
        read = store.stored_quads(graphs[:40])  # the rest are read by stored_groups
        assert all(read.values())
        given = summaries.stored_groups(store, graphs, read)
        assert given == summaries.stored_groups(store, graphs)
        assert given["trials-per-target"]


def test_a_run_counts_its_new_groups_from_the_trials_it_kept(
    records: list[TrialRecord], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary upkeep reads back from the store none of the trials a run replaced
    (their stored quads were read for the replace) nor of those it wrote, unless past
    :data:`~trialgraph.summaries.KEPT_TRIALS`; the summary is right either way."""
    read_back: list[int] = []
    read_quads = summaries._read_quads

    def counting(store: GraphStore, graphs: Sequence[NamedNode]) -> Iterator[Quad]:
        read_back.append(len(graphs))
        return read_quads(store, graphs)

    with EmbeddedStore(tmp_path / "store") as store:
        run(store, [records[:200]])
        monkeypatch.setattr(summaries, "_read_quads", counting)
        assert run(store, [list(changed(records[:30]))]).how == "updated"
        assert read_back == [0, 0]  # before the replace, then the new groups
        assert_summaries_answer(store)
        read_back.clear()
        monkeypatch.setattr(summaries, "KEPT_TRIALS", 10)
        assert run(store, [list(changed(records[30:60]))]).how == "updated"
        assert read_back == [0, 20]
        assert_summaries_answer(store)


def test_a_line_column_is_stated_by_one_summary_alone() -> None:
    lines = [kind.line for kind in summaries.KINDS if kind.line]
    assert lines and len(set(lines)) == len(lines)
    other = {name for kind in summaries.KINDS for name in kind.keys} | {"trials", "trial_ids"}
    other |= {kind.rows for kind in summaries.KINDS} | {
        name for kind in summaries.KINDS for _, name in kind.listed
    }
    assert not set(lines) & other
