"""Bad input never stops a batch: exactly the bad records become errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from trialgraph.records import ReadResult, RecordError, TrialRecord
from trialgraph.sources import read_sources
from trialgraph.text import MAX_FIELD_CHARS

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"
STUDIES = json.loads((DATA / "ctgov-json" / "nsclc-studies.json").read_text("utf-8"))
HUGE = "x" * (10 * 1024 * 1024)  # 10 MB, beyond MAX_FIELD_CHARS


def _read(*paths: Path | str) -> list[ReadResult]:
    return list(read_sources(str(p) for p in paths))


def _good(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(f"Good {name}\nsummary\n")
    return path


def _shape(results: list[ReadResult]) -> list[str]:
    return [
        f"error {Path(r.source).name}#{r.location}" if isinstance(r, RecordError) else r.title
        for r in results
    ]


def test_empty_file(tmp_path: Path) -> None:
    results = _read(_good(tmp_path, "a"), BAD / "empty.txt", _good(tmp_path, "b"))
    assert _shape(results) == ["Good a", "error empty.txt#", "Good b"]
    assert isinstance(results[1], RecordError)
    assert "empty" in results[1].reason


def test_binary_file(tmp_path: Path) -> None:
    results = _read(_good(tmp_path, "a"), BAD / "binary.bin", _good(tmp_path, "b"))
    assert _shape(results) == ["Good a", "error binary.bin#", "Good b"]
    assert isinstance(results[1], RecordError)
    assert "binary" in results[1].reason


def test_truncated_json_keeps_studies_before_the_break() -> None:
    results = _read(BAD / "truncated.json")
    assert [r.location for r in results] == ["index=0", "index=1", "index=2"]
    assert all(isinstance(r, TrialRecord) for r in results[:2])
    error = results[2]
    assert isinstance(error, RecordError)
    assert "breaks off" in error.reason and "2 studies before it were read" in error.reason


def test_truncated_single_study(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(STUDIES[0], indent=1)[:500])
    [error] = _read(path)
    assert isinstance(error, RecordError)
    assert error.location == ""


def test_csv_row_with_wrong_cell_count() -> None:
    results = _read(BAD / "ragged.csv")
    assert _shape(results) == ["First", "error ragged.csv#row=2", "Third"]
    assert isinstance(results[1], RecordError)
    assert "3 cells but the header has 4 columns" in results[1].reason
    assert [r.location for r in results] == ["row=1", "row=2", "row=3"]


def test_record_without_title(tmp_path: Path) -> None:
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("NCT Number,Study Title\nNCT1,One\nNCT2,\nNCT3,Three\n")
    results = _read(_good(tmp_path, "a"), BAD / "no-title.txt", csv_path)
    assert _shape(results) == ["Good a", "error no-title.txt#", "One", "error t.csv#row=2", "Three"]
    assert all("title" in r.reason.lower() for r in results if isinstance(r, RecordError))


def test_10_mb_line_in_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(f"Title\n{HUGE}\n")
    results = _read(_good(tmp_path, "a"), path, _good(tmp_path, "b"))
    assert _shape(results) == ["Good a", "error huge.txt#", "Good b"]
    assert isinstance(results[1], RecordError)
    assert f"{MAX_FIELD_CHARS:,} bytes" in results[1].reason
    assert len(results[1].excerpt) <= 201


def test_10_mb_cell_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(f'NCT Number,Study Title\nNCT1,One\nNCT2,"{HUGE}"\nNCT3,Three\n')
    assert _shape(_read(path)) == ["One", "error huge.csv#row=2", "Three"]


def test_10_mb_line_in_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    lines = [json.dumps(STUDIES[0]), json.dumps({"x": HUGE}), json.dumps(STUDIES[1])]
    path.write_text("\n".join(lines) + "\n")
    results = _read(path)
    assert [type(r).__name__ for r in results] == ["TrialRecord", "RecordError", "TrialRecord"]
    assert [r.location for r in results] == ["line=1", "line=2", "line=3"]


def test_bad_json_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(STUDIES[0]) + "\n{not json\n" + json.dumps(STUDIES[1]) + "\n")
    assert [type(r).__name__ for r in _read(path)] == ["TrialRecord", "RecordError", "TrialRecord"]


def test_unreadable_broken_symlink(tmp_path: Path) -> None:
    """A dangling symlink cannot be opened by anyone, root included."""
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "gone.txt")
    results = _read(_good(tmp_path, "a"), link, _good(tmp_path, "b"))
    assert _shape(results) == ["Good a", "error dangling.txt#", "Good b"]
    assert isinstance(results[1], RecordError)
    assert "cannot be read" in results[1].reason


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads files whatever their mode; the dangling-symlink test covers root",
)
def test_unreadable_permissions(tmp_path: Path) -> None:
    path = _good(tmp_path, "locked")
    path.chmod(0)
    try:
        results = _read(_good(tmp_path, "a"), path, _good(tmp_path, "b"))
    finally:
        path.chmod(0o644)
    assert _shape(results) == ["Good a", "error locked#", "Good b"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    results = _read(_good(tmp_path, "a"), fifo, _good(tmp_path, "b"))
    assert _shape(results) == ["Good a", "error pipe#", "Good b"]


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "broken.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    results = _read(path, _good(tmp_path, "b"))
    assert _shape(results) == ["error broken.gz#", "Good b"]
