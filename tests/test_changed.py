"""Records read again byte for byte are recognized by their raw digest, before parsing.

A rerun over a registry export compares each JSON line, CSV row or plaintext file with the
digests stored with the trials; only records that differ are parsed. These tests load a
real store, then read the same and edited files against its digests.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path
from typing import Any, cast

import pytest

from tests.conftest import FIXED_TIME
from trialgraph import records as records_module
from trialgraph.pipeline import Loader, map_batch
from trialgraph.records import KnownRecord, RawRecord, ReadResult, RecordError, TrialRecord
from trialgraph.sources import ctgov_csv, ctgov_json, plaintext, read_changed, read_sources
from trialgraph.store import EmbeddedStore

DATA = Path(__file__).parent / "data"


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """A JSON Lines file, a CSV export, one-study JSON files and the plaintext seeds."""
    studies = json.loads((DATA / "ctgov-json" / "nsclc-studies.json").read_text("utf-8"))
    jsonl = tmp_path / "studies.jsonl"
    jsonl.write_text("".join(json.dumps(s) + "\n" for s in studies[:-2]), "utf-8")
    csv = tmp_path / "export.csv"
    shutil.copy(DATA / "ctgov-csv" / "oncology-a.csv", csv)
    singles = []
    for n, study in enumerate(studies[-2:]):
        singles.append(tmp_path / f"study-{n}.json")
        singles[-1].write_text(json.dumps(study, indent=2), "utf-8")
    seeds = tmp_path / "seeds"
    shutil.copytree(DATA / "seeds", seeds)
    return [jsonl, csv, *singles, *sorted(seeds.iterdir())]


def load(store: EmbeddedStore, paths: list[Path]) -> list[TrialRecord]:
    records = [r for r in read_sources(str(p) for p in paths) if isinstance(r, TrialRecord)]
    batch = map_batch(records, FIXED_TIME)
    assert not batch.errors
    Loader(store).load(batch.mapped)
    return records


def test_every_record_read_again_is_known_and_not_parsed(files: list[Path], tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        records = load(store, files)
        known = store.source_digests()
    assert len(known) == len({r.raw_digest for r in records}) == len(records)
    again = list(read_changed([str(p) for p in files], known))
    assert all(isinstance(r, KnownRecord) for r in again)
    assert [(r.source, r.location) for r in again] == [(r.source, r.location) for r in records]
    by_place = {(r.source, r.location): r for r in records}
    for known_record in again:
        assert isinstance(known_record, KnownRecord)
        record = by_place[known_record.source, known_record.location]
        assert known_record.digest == record.raw_digest
        # parsed after all, it is the very record first read
        assert known_record.parse() == record
        assert known_record.parse().raw_digest == record.raw_digest  # type: ignore[union-attr]


def test_only_edited_records_are_parsed(files: list[Path], tmp_path: Path) -> None:
    jsonl, csv, single, seed = files[0], files[1], files[2], files[-1]
    with EmbeddedStore(tmp_path / "store") as store:
        load(store, files)
        known = store.source_digests()

    lines = jsonl.read_text("utf-8").splitlines(keepends=True)
    study = json.loads(lines[1])
    study["protocolSection"]["identificationModule"]["briefTitle"] += " (amended)"
    lines[1] = json.dumps(study) + "\n"
    jsonl.write_text("".join(lines), "utf-8")
    seed.write_bytes(seed.read_bytes() + b"\nA new paragraph.\n")

    again = list(read_changed([str(p) for p in (jsonl, csv, single, seed)], known))
    assert isinstance(again[-2], KnownRecord)
    changed = [r for r in again if not isinstance(r, KnownRecord)]
    assert [(Path(r.source).name, r.location) for r in changed] == [
        (jsonl.name, "line=2"),
        (seed.name, ""),
    ]
    raw = [r for r in changed if isinstance(r, RawRecord)]
    assert raw == changed  # parsed when the caller says
    amended = raw[0].parse()
    assert isinstance(amended, TrialRecord) and amended.title.endswith("(amended)")
    assert amended.raw_digest == raw[0].digest


def test_a_raw_record_pickles_and_parses_as_read(files: list[Path]) -> None:
    """First loads send raw records to the worker processes that map them."""
    records = list(read_sources(str(p) for p in files))
    items = list(read_changed([str(p) for p in files], set()))
    raw = [r for r in items if isinstance(r, RawRecord)]
    assert len(raw) == len(items) - 2  # the one-study JSON files come parsed
    copies = [pickle.loads(pickle.dumps(r)) for r in raw]
    parsed = [copies.pop(0).parse() if isinstance(r, RawRecord) else r for r in items]
    assert parsed == records
    assert [getattr(r, "raw_digest", None) for r in parsed] == [
        getattr(r, "raw_digest", None) for r in records
    ]


def test_studies_of_a_json_page_are_parsed(tmp_path: Path) -> None:
    page = DATA / "ctgov-json" / "nsclc-studies.json"
    with EmbeddedStore(tmp_path / "store") as store:
        records = load(store, [page])
        known = store.source_digests()
    assert known == set()
    assert not any(r.raw_digest for r in records)
    assert all(isinstance(r, TrialRecord) for r in read_changed([str(page)], known))


def test_a_csv_under_another_header_is_parsed(files: list[Path], tmp_path: Path) -> None:
    csv = files[1]
    with EmbeddedStore(tmp_path / "store") as store:
        load(store, [csv])
        known = store.source_digests()
    header, _, rest = csv.read_text("utf-8-sig").partition("\n")
    csv.write_text(header.replace("Study Title", "study title") + "\n" + rest, "utf-8")
    again = list(read_changed([str(csv)], known))
    assert again
    assert all(isinstance(r, RawRecord) for r in again)


def test_a_known_record_after_another_record_of_its_trial_is_written(
    files: list[Path], tmp_path: Path
) -> None:
    """The later record of a trial wins, even when it is the stored one."""
    jsonl = files[0]
    with EmbeddedStore(tmp_path / "store") as store:
        [first, *_] = load(store, [jsonl])
        loader = Loader(store)
        edited = json.loads(jsonl.read_text("utf-8").splitlines()[0])
        edited["protocolSection"]["identificationModule"]["briefTitle"] += " (amended)"
        other = tmp_path / "other.jsonl"
        other.write_text(json.dumps(edited) + "\n", "utf-8")
        items = list(read_changed([str(other), str(jsonl)], loader.known))
        amended = items[0]
        assert isinstance(amended, TrialRecord)  # a one-line file is a one-study document
        assert isinstance(items[1], KnownRecord)
        assert items[1].digest == first.raw_digest

        triage = loader.triage([r for r in items if not isinstance(r, RecordError)])
        todo = [r for r in triage.todo if isinstance(r, TrialRecord)]  # parsed in triage
        assert len(todo) == len(triage.todo)
        assert [r.checksum for r in todo[:2]] == [amended.checksum, first.checksum]
        assert triage.unchanged == len(items) - 2

        # read alone, the stored record is simply unchanged
        alone = Loader(store).triage(
            [r for r in read_changed([str(jsonl)], loader.known) if isinstance(r, KnownRecord)]
        )
        assert (alone.todo, alone.unchanged) == ([], len(items) - 1)


def test_a_known_record_after_its_trial_is_written_in_a_later_batch_wins(
    files: list[Path], tmp_path: Path
) -> None:
    """Batch by batch: the same study reformatted (unchanged), then amended (written), then
    as stored (written again: the later record wins), then as stored again (repeated)."""
    jsonl = files[0]
    study = json.loads(jsonl.read_text("utf-8").splitlines()[0])
    amended = json.loads(json.dumps(study))
    amended["protocolSection"]["identificationModule"]["briefTitle"] += " (amended)"
    versions = [json.dumps(study, indent=1), json.dumps(amended)]
    other = [tmp_path / "reformatted.json", tmp_path / "amended.json"]
    for path, text in zip(other, versions, strict=True):
        path.write_text(text, "utf-8")
    with EmbeddedStore(tmp_path / "store") as store:
        [first, *_] = load(store, [jsonl])
        loader = Loader(store)
        batches = [
            [r for r in read_changed([str(p)], loader.known) if not isinstance(r, RecordError)]
            for p in (*other, jsonl, jsonl)
        ]
        assert [type(b[0]) for b in batches] == [TrialRecord, TrialRecord, KnownRecord, KnownRecord]
        triages = [loader.triage(b[:1]) for b in batches]
    assert [(len(t.todo), t.unchanged, t.repeated) for t in triages] == [
        (0, 1, 0),  # the same content under other bytes
        (1, 0, 0),  # amended: written
        (1, 0, 0),  # the stored record again, after the amended one: written, it comes later
        (0, 0, 1),  # and once more: the same as the record this run writes
    ]
    rewritten = triages[2].todo[0]
    assert isinstance(rewritten, TrialRecord) and rewritten.checksum == first.checksum


def test_a_new_graph_version_remaps_every_record(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a change to what records map to, unchanged records are read and mapped again."""
    with EmbeddedStore(tmp_path / "store") as store:
        records = load(store, files)
        known = store.source_digests()
        assert all(isinstance(r, KnownRecord) for r in read_changed(map(str, files), known))

        monkeypatch.setattr(records_module, "_version_tag", lambda: b"another graph version\n")
        again = list(read_changed(map(str, files), known))
        assert not any(isinstance(r, KnownRecord) for r in again)
        triage = Loader(store).triage([r for r in again if not isinstance(r, RecordError)])
        assert (len(triage.todo), triage.unchanged) == (len(records), 0)


def _never(*args: object) -> ReadResult:
    raise AssertionError(f"parsed a record whose raw digest is known: {args[1:3]}")


PARSERS = [(ctgov_json, "study_record"), (ctgov_csv, "_record"), (plaintext, "parse")]


def test_no_reader_parses_a_known_record(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON Lines, CSV rows, plaintext files and one-study documents: none is parsed."""
    with EmbeddedStore(tmp_path / "store") as store:
        load(store, files)
        known = store.source_digests()
    for module, name in PARSERS:
        monkeypatch.setattr(module, name, _never)
    again = list(read_changed([str(p) for p in files], known))
    assert {r.source for r in again} == {str(p) for p in files}
    assert all(isinstance(r, KnownRecord) for r in again)


def test_a_first_load_parses_only_documents_where_it_reads(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines, rows and plaintext files are split and hashed; their parsing is left to the
    workers. A document is parsed, as only then is it known how many studies it holds."""
    calls: list[str] = []
    for module, name in PARSERS:
        parser = getattr(module, name)

        def counting(*args: Any, _parser: Any = parser, _name: str = name) -> ReadResult:
            calls.append(_name)
            return cast("ReadResult", _parser(*args))

        monkeypatch.setattr(module, name, counting)
    items = list(read_changed([str(p) for p in files], frozenset()))
    documents = [r for r in items if isinstance(r, TrialRecord)]
    assert [Path(r.source).name for r in documents] == ["study-0.json", "study-1.json"]
    assert calls == ["study_record", "study_record"]  # the two documents, nothing else
    assert all(isinstance(r, RawRecord) for r in items if not isinstance(r, TrialRecord))
