"""Listing rows: every trial graph states its rows of each contract listing, which give the
full scan's rows (tests/test_summaries.py compares them through sequences of ingests on both
backends); a store whose trials lack them answers listings from the full scan."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, QuerySolutions, Store

from tests.conftest import CORPUS, FIXED_TIME, read_records
from tests.test_summaries import cli
from trialgraph import listings, summaries
from trialgraph.cli import main
from trialgraph.namespaces import TG, prefixes
from trialgraph.pipeline import Loader, map_batch, map_encoded
from trialgraph.queries import catalogue
from trialgraph.records import TrialRecord
from trialgraph.store import EmbeddedStore, SelectResult, StoreError, with_quad_count

ROW_PROPERTIES = {x.property for x in listings.listings()}
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture(scope="module")
def records() -> list[TrialRecord]:
    return list(read_records(CORPUS))[:150]


def test_a_line_splits_back_into_its_values() -> None:
    values = ("NCT1", None, "a; b", "")
    text = listings.line(values, 2)
    assert listings.split(text) == values
    assert text.endswith(listings.SEPARATOR + "2")
    with pytest.raises(ValueError, match="U\\+001E or U\\+001F"):
        listings.line(("NCT1", "a\x1fb"), 0)


def test_every_listing_has_a_row_form_reading_its_own_property() -> None:
    queries = catalogue()
    assert {x.name for x in listings.listings()} == set(listings.NAMES)
    for x in listings.listings():
        form = queries[x.name].summary_text
        assert f"tg:{x.property.value.split('#')[1]} ?line" in form, x.name
        # the row's first columns are the full scan's ORDER BY, so ORDER BY ?line agrees
        order = next(line for line in x.text.splitlines() if line.startswith("ORDER BY"))
        keys = order.removeprefix("ORDER BY").split()
        assert [f"?{c}" for c in x.columns[: len(keys)]] == keys, x.name
    assert len(ROW_PROPERTIES) == len(listings.NAMES)


def batch_store(records: list[TrialRecord]) -> Store:
    """The in-memory store the rows of a batch of ``records`` are counted in."""
    mapped = map_batch(records, FIXED_TIME).mapped
    return listings.batch_store(
        (q for t in mapped for q in t.quads if listings.reads(q)),
        (q for t in mapped for q in t.concept_quads),
    )


def test_rows_are_the_lines_of_the_full_scans_solutions(records: list[TrialRecord]) -> None:
    # the rows' literals are joined in the query; line() is the layout they must have
    memory = batch_store(records)
    expected: dict[str, Counter[str]] = {}
    for listing in listings.listings():
        result = memory.query(listing.text, use_default_graph_as_union=True)
        assert isinstance(result, QuerySolutions)
        seen: Counter[tuple[str | None, ...]] = Counter()
        for solution in result:
            values = tuple(
                t.value if isinstance(t, Literal | NamedNode) else None
                for t in (solution[c] for c in listing.columns)
            )
            graph = prefixes()["graph"] + str(values[0])
            expected.setdefault(graph, Counter())[listings.line(values, seen[values])] += 1
            seen[values] += 1
    found = {
        graph: Counter(q.object.value for q in quads if isinstance(q.object, Literal))
        for graph, quads in listings.rows(memory).items()
    }
    assert found == expected
    assert sum(map(len, found.values())) > 10 * len(records)  # several listings, rows each
    unbound = [x for c in found.values() for x in c if listings.UNBOUND in x]
    assert unbound  # optional values left unbound are among them


@pytest.mark.parametrize("char", [listings.SEPARATOR, listings.UNBOUND])
def test_a_listing_value_holding_a_separator_is_refused(
    records: list[TrialRecord], char: str
) -> None:
    memory = batch_store(records[:3])
    trial = next(memory.quads_for_pattern(None, None, TG.Trial)).subject
    (title,) = memory.quads_for_pattern(trial, RDFS_LABEL, None)
    memory.add(Quad(title.subject, title.predicate, Literal(f"a{char}b"), title.graph_name))
    with pytest.raises(ValueError, match="U\\+001E or U\\+001F"):
        listings.rows(memory)


def test_both_mapping_paths_state_the_same_rows(records: list[TrialRecord]) -> None:
    batch = records[:60]
    mapped = {t.graph.value: set(t.quads) for t in map_batch(batch, FIXED_TIME).mapped}
    encoded = map_encoded(batch, FIXED_TIME)
    decoded = {t.graph.value: set(t.quads) for t in encoded.decode()}
    assert decoded == mapped
    stated = Counter(
        q.predicate for qs in mapped.values() for q in qs if q.predicate in ROW_PROPERTIES
    )
    assert set(stated) == ROW_PROPERTIES, stated
    # every graph states the listings' version, and counts its rows among its quads
    for quads in mapped.values():
        assert any(q.predicate == TG.listingVersion for q in quads)
        (count,) = [q.object for q in quads if q.predicate == TG.quadCount]
        assert isinstance(count, Literal) and int(count.value) == len(quads)


def test_a_trial_met_twice_in_a_batch_states_the_rows_of_its_later_record(
    records: list[TrialRecord],
) -> None:
    first = next(r for r in records if r.nct_id)  # the id stays when the title changes
    later = dataclasses.replace(first, title=first.title + " (amended)")
    for trials in (
        map_batch([first, later], FIXED_TIME).mapped,
        map_encoded([first, later], FIXED_TIME).decode(),
    ):
        rows = [
            listings.split(q.object.value)
            for t in trials
            for q in t.quads
            if q.predicate == listings.row_property("trials") and isinstance(q.object, Literal)
        ]
        assert [r[1] for r in rows] == [later.title]


def test_identical_rows_of_a_trial_stay_apart(records: list[TrialRecord]) -> None:
    # a trial testing the same product twice, with the same type: two equal rows
    record = next(r for r in records if r.interventions)
    twice = dataclasses.replace(record, interventions=(record.interventions[0],) * 2)
    (trial,) = map_batch([twice], FIXED_TIME).mapped
    prop = listings.row_property("trial-products")
    lines = [
        q.object.value for q in trial.quads if q.predicate == prop and isinstance(q.object, Literal)
    ]
    assert len({listings.split(x) for x in lines}) < len(lines)  # the same row twice
    assert len(set(lines)) == len(lines)  # ... as two literals


def test_trials_written_without_rows_answer_listings_from_the_full_scan(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    path = tmp_path / "store"
    with EmbeddedStore(path) as store:
        loader = Loader(store)
        # the trials as an earlier version wrote them: no rows, no listing version
        dropped = {*ROW_PROPERTIES, TG.listingVersion, TG.quadCount}
        older = [
            dataclasses.replace(
                t,
                quads=with_quad_count(t.graph, [q for q in t.quads if q.predicate not in dropped]),
            )
            for t in map_batch(records[:40], FIXED_TIME).mapped
        ]
        loader.load(map_batch(records[40:80], FIXED_TIME).mapped)
        loader.finish()
        found = summaries.status(store)
        assert found.current and found.listings_current
        Loader(store).load(older)
        assert summaries.rebuild(store).how == "rebuilt"
        found = summaries.status(store)
        assert found.current and not found.listings_current
        assert "another version" in found.explain_listings()
        full = store.query(catalogue()["trials"].text)
        assert isinstance(full, SelectResult)
        expected = len(list(full))
    out, err = cli("query", "trials", "--store", str(path), "--format", "csv")
    assert "answering trials from a full scan" in err
    assert len(out.splitlines()) == expected + 1 == 81
    out, err = cli("query", "trials-per-target", "--store", str(path), "--format", "csv")
    assert err == ""  # the summaries themselves are current


def csv_table(data: bytes) -> tuple[list[str], Counter[tuple[str, ...]]]:
    """A CSV's header and its rows as a multiset."""
    header, *body = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    return header, Counter(map(tuple, body))


def test_the_cli_writes_each_listing_as_its_row_form_answers(
    records: list[TrialRecord], tmp_path: Path
) -> None:
    path = tmp_path / "store"
    queries = catalogue()
    expected: dict[str, bytes] = {}
    with EmbeddedStore(path) as store:
        loader = Loader(store)
        loader.load(map_batch(records[:80], FIXED_TIME).mapped)
        loader.finish()
        assert summaries.status(store).listings_current
        for name in listings.NAMES:
            buffer = io.BytesIO()
            assert store.write_csv(queries[name].summary_text, buffer)
            expected[name] = buffer.getvalue()
    for name in listings.NAMES:
        result = CliRunner().invoke(main, ["query", name, "--store", str(path), "--format", "csv"])
        assert result.exit_code == 0 and result.stderr == "", result.output
        assert csv_table(result.stdout_bytes) == csv_table(expected[name]), name
        assert result.stdout_bytes.count(b"\n") == result.stdout_bytes.count(b"\r\n")  # CRLF
        out = result.stdout
        assert len(out.splitlines()) > 80 if name != "trials" else len(out.splitlines()) == 81
        out, _ = cli("query", name, "--store", str(path), "--format", "json")
        assert len(out.splitlines()) == len(expected[name].splitlines()) - 1


#: Values a CSV must quote (comma, quote, line breaks), and ones it need not.
AWKWARD = ["plain", "a, b", 'say "x"', "two\nlines", "cr\r\nlf", '"', ",", "", "; é"]


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_csv_rows_are_the_values_of_the_literals_however_the_bytes_come(chunk: int) -> None:
    store = Store()
    prop = listings.row_property("trials")
    expected: Counter[tuple[str, ...]] = Counter()
    for i, (a, b) in enumerate((a, b) for a in AWKWARD for b in [*AWKWARD, None]):
        values = (f"NCT{i:08d}", a, b)
        expected[tuple("" if v is None else v for v in values)] += 1
        literal = Literal(listings.line(values, 0))
        store.add(Quad(NamedNode(f"https://example.org/{i}"), prop, literal))
    solutions = store.query(f"SELECT ?line {{ ?t <{prop.value}> ?line }}")
    assert isinstance(solutions, QuerySolutions)
    serialized = io.BytesIO()
    solutions.serialize(serialized, format=QueryResultsFormat.CSV)
    data = serialized.getvalue()
    assert b'"' in data and b"\n" in data.replace(b"\r\n", b"")  # quoted, values with breaks
    out = io.BytesIO()
    rows = listings.CsvRows(("trial", "title", "source"), out)
    for start in range(0, len(data), chunk):
        rows.write(data[start : start + chunk])
    rows.close()
    assert rows.rows == sum(expected.values())
    assert csv_table(out.getvalue()) == (["trial", "title", "source"], expected)


def test_csv_rows_refuse_bytes_that_end_inside_a_quoted_value() -> None:
    rows = listings.CsvRows(("trial", "title"), io.BytesIO())
    rows.write(b'line\r\n"NCT1\x1fan open ""quote\x1f0"\r\n"NCT2\x1fcut')
    with pytest.raises(StoreError, match="unterminated quoted value"):
        rows.close()
