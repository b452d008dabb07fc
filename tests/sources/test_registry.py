"""The format registry: every format one entry, detected in order and read by its reader;
and :func:`~trialgraph.sources.base.resolve`, the one place digests decide what is parsed."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import BinaryIO

import pytest

from trialgraph.records import (
    KnownRecord,
    RawRecord,
    ReadResult,
    RecordError,
    TrialRecord,
    raw_digest,
)
from trialgraph.sources import FORMATS, detect_format, read_changed, read_sources, registry
from trialgraph.sources.base import Document, Format, Piece, resolve

DATA = Path(__file__).resolve().parents[1] / "data"
TAG = b"%tagged\n"
ARC_MAGIC = b"\x89ARC\x00"  # a binary format of the tests only


def _tagged_record(data: bytes, source: str, digest: str) -> ReadResult:
    title = data.removeprefix(TAG).decode().strip()
    return TrialRecord(source, "", "tagged", title, raw_digest=digest)


def _read_tagged(stream: BinaryIO, source: str, head: bytes) -> Iterator[Piece]:
    data = stream.read()
    yield RawRecord(source, "", raw_digest(data), partial(_tagged_record, data, source))


def _read_archive(stream: BinaryIO, source: str, head: bytes) -> Iterator[Piece]:
    yield TrialRecord(source, "member=1", "archive", f"{len(stream.read())} bytes")


TAGGED = Format("tagged", lambda body: body.startswith(TAG), _read_tagged)
ARCHIVE = Format("archive", lambda head: head.startswith(ARC_MAGIC), _read_archive, text=False)


@pytest.fixture
def extended(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry with a binary format first and a text format before plaintext."""
    *known, last = registry.REGISTRY
    monkeypatch.setattr(registry, "REGISTRY", (ARCHIVE, *known, TAGGED, last))


def test_formats_are_the_registry_entries_in_detection_order() -> None:
    assert tuple(f.name for f in registry.REGISTRY) == FORMATS
    assert set(FORMATS) == {"plaintext", "ctgov-csv", "ctgov-json", "ctgov-jsonl", "ctgov-zip"}
    assert FORMATS[-1] == "plaintext"  # it takes any text, so it comes last


@pytest.mark.usefixtures("extended")
def test_a_new_text_format_is_detected_and_read_by_its_entry(tmp_path: Path) -> None:
    path = tmp_path / "trial.dat"
    path.write_bytes(TAG + b"A tagged trial\n")
    assert detect_format(path.read_bytes()) == "tagged"
    [record] = read_sources([str(path)])
    assert isinstance(record, TrialRecord)
    assert (record.format, record.title) == ("tagged", "A tagged trial")
    assert record.raw_digest == raw_digest(path.read_bytes())

    [raw] = read_changed([str(path)], set())  # split and hashed, parsed elsewhere
    assert isinstance(raw, RawRecord)
    assert pickle.loads(pickle.dumps(raw)).parse() == record
    [known] = read_changed([str(path)], {record.raw_digest})
    assert isinstance(known, KnownRecord) and known.parse() == record


@pytest.mark.usefixtures("extended")
def test_the_other_formats_are_detected_as_before() -> None:
    assert detect_format(b"A trial title\nIts summary\n") == "plaintext"
    assert detect_format(b"Study Title,NCT Number\nA,NCT1\n") == "ctgov-csv"
    assert detect_format(b'{"studies": [') == "ctgov-json"
    seeds = list(read_sources([str(DATA / "seeds")]))
    assert [getattr(r, "format", None) for r in seeds] == ["plaintext"] * 5


def test_a_binary_input_is_unreadable_without_a_binary_format(tmp_path: Path) -> None:
    path = tmp_path / "studies.arc"
    path.write_bytes(ARC_MAGIC + b"\x00\x01\x02" * 50)
    [error] = read_sources([str(path)])
    assert isinstance(error, RecordError) and "binary" in error.reason


@pytest.mark.usefixtures("extended")
def test_a_binary_format_is_tried_before_text_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "studies.arc"
    path.write_bytes(ARC_MAGIC + b"\x00\x01\x02" * 50)
    assert detect_format(path.read_bytes()) == "archive"
    [record] = read_sources([str(path)])
    assert isinstance(record, TrialRecord)
    assert (record.format, record.title) == ("archive", f"{len(path.read_bytes())} bytes")


def _counting_parser(calls: list[str]) -> partial[ReadResult]:
    return partial(_counted, calls)


def _counted(calls: list[str], digest: str) -> ReadResult:
    calls.append(digest)
    return TrialRecord("s", "line=1", "f", "T", raw_digest=digest)


def _document(calls: list[str], digest: str) -> Iterator[ReadResult]:
    calls.append(digest)
    yield TrialRecord("d", "", "f", "D", raw_digest=digest)


def test_resolve_parses_nothing_whose_digest_is_known() -> None:
    calls: list[str] = []
    error = RecordError("e", "", "unreadable")
    pieces: list[Piece] = [
        RawRecord("s", "line=1", "r1", _counting_parser(calls)),
        Document("d", "d1", partial(_document, calls)),
        error,
    ]
    known = list(resolve(pieces, {"r1", "d1"}))
    assert calls == []
    assert [type(k) for k in known] == [KnownRecord, KnownRecord, RecordError]
    assert isinstance(known[0], KnownRecord) and isinstance(known[1], KnownRecord)
    assert [known[0].parse().raw_digest, known[1].parse().raw_digest] == ["r1", "d1"]  # type: ignore[union-attr]

    calls.clear()
    changed = list(resolve(pieces, set()))  # raw records stay raw; documents are parsed
    assert calls == ["d1"]
    assert changed[0] is pieces[0]
    assert isinstance(changed[1], TrialRecord) and changed[1].raw_digest == "d1"
    assert changed[2] is error

    calls.clear()
    parsed = list(resolve(pieces, None))  # without digests, everything is parsed
    assert calls == ["r1", "d1"]
    assert [getattr(p, "raw_digest", None) for p in parsed] == ["r1", "d1", None]
