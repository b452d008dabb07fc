"""Format detection from content, and path expansion."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from trialgraph.records import RecordError, TrialRecord
from trialgraph.sources import UnreadableContent, detect_format, iter_paths, read_sources

DATA = Path(__file__).resolve().parents[1] / "data"
STUDIES = json.loads((DATA / "ctgov-json" / "nsclc-studies.json").read_text("utf-8"))


def _records(*paths: Path) -> list[TrialRecord]:
    results = list(read_sources(str(p) for p in paths))
    assert all(isinstance(r, TrialRecord) for r in results), [str(r) for r in results]
    return [r for r in results if isinstance(r, TrialRecord)]


def test_json_page(tmp_path: Path) -> None:
    page = tmp_path / "page"
    page.write_text(json.dumps({"studies": STUDIES[:3], "nextPageToken": "abc"}, indent=1))
    assert detect_format(page.read_bytes()[:100]) == "ctgov-json"
    records = _records(page)
    assert [r.location for r in records] == ["index=0", "index=1", "index=2"]
    assert records[0].nct_id == STUDIES[0]["protocolSection"]["identificationModule"]["nctId"]


def test_json_page_with_token_first(tmp_path: Path) -> None:
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"totalCount": 2, "studies": STUDIES[:2]}))
    assert len(_records(page)) == 2


def test_json_list(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(json.dumps(STUDIES[:2]))
    assert [r.location for r in _records(path)] == ["index=0", "index=1"]


@pytest.mark.parametrize("indent", [None, 2])
def test_json_single_study(tmp_path: Path, indent: int | None) -> None:
    path = tmp_path / "one.dat"
    path.write_text(json.dumps(STUDIES[5], indent=indent))
    [record] = _records(path)
    assert record.location == ""
    assert record.format == "ctgov-json"


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "studies.json"
    path.write_text("".join(json.dumps(s) + "\n" for s in STUDIES[:3]) + "\n")
    assert detect_format(path.read_bytes()) == "ctgov-jsonl"
    assert [r.location for r in _records(path)] == ["line=1", "line=2", "line=3"]


def test_csv_subset_reordered(tmp_path: Path) -> None:
    path = tmp_path / "subset.txt"
    path.write_text(
        'Conditions,Study Title,NCT Number\n"Lung Cancer|NSCLC",A Trial,NCT00000001\n',
        encoding="utf-8",
    )
    assert detect_format(path.read_bytes()) == "ctgov-csv"
    [record] = _records(path)
    assert (record.nct_id, record.title, record.conditions) == (
        "NCT00000001",
        "A Trial",
        ("Lung Cancer", "NSCLC"),
    )


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text("NCT Number\tStudy Title\nNCT1\tA, B\n", encoding="utf-8")
    [record] = _records(path)
    assert record.title == "A, B"


def test_gzip_detected_by_content(tmp_path: Path) -> None:
    source = (DATA / "ctgov-csv" / "oncology-a.csv").read_bytes()
    path = tmp_path / "export.bin"  # no .gz suffix: the magic bytes decide
    path.write_bytes(gzip.compress(source))
    assert len(_records(path)) == 43


def test_plaintext_variants(tmp_path: Path) -> None:
    seed = (DATA / "seeds" / "002_b0b77b765d6c8f88.txt").read_text("utf-8")
    crlf_bom = tmp_path / "crlf.txt"
    crlf_bom.write_bytes(b"\xef\xbb\xbf" + seed.replace("\n", "\r\n").encode() + b"\r\n\r\n")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Étude café\nRésumé\n".encode("cp1252"))
    short = tmp_path / "short.txt"
    short.write_text("Only a title\n")
    a, b, c = _records(crlf_bom, latin1, short)
    [reference] = _records(DATA / "seeds" / "002_b0b77b765d6c8f88.txt")
    assert a.to_dict() | {"source": ""} == reference.to_dict() | {"source": ""}
    assert (b.title, b.brief_summary) == ("Étude café", "Résumé")
    assert (c.title, c.outcomes, c.location) == ("Only a title", (), "")


def test_empty_and_binary_are_unreadable() -> None:
    with pytest.raises(UnreadableContent, match="empty"):
        detect_format(b" \n\n")
    with pytest.raises(UnreadableContent, match="binary"):
        detect_format(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_directories_recurse_sorted_and_skip_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "2.txt").write_text("T2\n")
    (tmp_path / "1.txt").write_text("T1\n")
    (tmp_path / ".skip.txt").write_text("hidden\n")
    (tmp_path / ".hidden" / "x.txt").write_text("hidden\n")
    assert [r.title for r in _records(tmp_path)] == ["T1", "T2"]


def test_globs_and_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n")
    (tmp_path / "b.txt").write_text("B\n")
    found = list(iter_paths([str(tmp_path / "*.txt"), str(tmp_path / "none*"), "/no/such"]))
    assert found[:2] == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert [e.reason for e in found[2:] if isinstance(e, RecordError)] == [
        "no file matches this pattern",
        "no such file or directory",
    ]


def test_json_lines_with_a_first_line_longer_than_the_head(tmp_path: Path) -> None:
    big = dict(STUDIES[0])
    big["padding"] = "x" * 100_000
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps(big) + "\n" + json.dumps(STUDIES[1]) + "\n")
    assert [r.location for r in _records(path)] == ["line=1", "line=2"]


def test_minified_page_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"studies": STUDIES[:30], "nextPageToken": "x"}))
    assert len(_records(path)) == 30
