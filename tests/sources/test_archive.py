"""Zip archives read like folders: every member streamed, detected by its content, and
placed by its name in the records' locations; bad members and bad archives quarantined."""

from __future__ import annotations

import gzip
import io
import json
import pickle
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from trialgraph.records import KnownRecord, RawRecord, ReadResult, RecordError, TrialRecord
from trialgraph.sources import (
    archive,
    ctgov_csv,
    ctgov_json,
    detect_format,
    plaintext,
    read_changed,
    read_sources,
)

from .conftest import DATA

UROLOGY = DATA / "ctgov-zip" / "urology-studies.json.zip"
CSV = DATA / "ctgov-csv" / "oncology-a.csv"
NSCLC = DATA / "ctgov-json" / "nsclc-studies.json"
SEED = sorted((DATA / "seeds").glob("*.txt"))[0]


def _studies() -> list[dict[str, object]]:
    return list(json.loads(NSCLC.read_bytes()))


def _keys(results: list[ReadResult]) -> Counter[tuple[str, str]]:
    return Counter((r.trial_id, r.checksum) for r in results if isinstance(r, TrialRecord))


def _never(*args: object) -> ReadResult:
    raise AssertionError(f"parsed a record whose raw digest is known: {args[1:3]}")


def test_the_registry_download_reads_every_member_as_a_record() -> None:
    assert detect_format(UROLOGY.read_bytes()[:4096]) == "ctgov-zip"
    results = list(read_sources([str(UROLOGY)]))
    with zipfile.ZipFile(UROLOGY) as z:
        names = sorted(z.namelist())
    assert len(names) == 633
    records = [r for r in results if isinstance(r, TrialRecord)]
    assert records == results
    assert [r.location for r in records] == [f"member={n}" for n in names]
    assert {r.source for r in records} == {str(UROLOGY)}
    assert [r.format for r in records] == ["ctgov-json"] * 633
    assert [f"{r.nct_id}.json" for r in records] == names
    assert all(r.raw_digest for r in records)


def test_the_archive_reads_as_its_members_unpacked(tmp_path: Path) -> None:
    with zipfile.ZipFile(UROLOGY) as z:
        z.extractall(tmp_path)
    unpacked = list(read_sources([str(tmp_path)]))
    packed = list(read_sources([str(UROLOGY)]))
    assert len(_keys(packed)) == 633
    assert _keys(packed) == _keys(unpacked)
    digests = [r.raw_digest for r in packed]  # type: ignore[union-attr]
    assert digests == [r.raw_digest for r in unpacked]  # type: ignore[union-attr]


def _members() -> dict[str, bytes]:
    """Every kind of member, in nested folders, by name."""
    studies = _studies()
    lines = b"".join(json.dumps(s).encode() + b"\n" for s in studies[:3])
    return {
        "b/nested/deeper/one.json": json.dumps(studies[3]).encode(),
        "a/export.csv": CSV.read_bytes(),
        "a/lines.jsonl": lines,
        "b/page.json": json.dumps({"studies": studies[4:6]}).encode(),
        "c/gzipped.json.gz": gzip.compress(json.dumps(studies[6]).encode()),
        "c/seed.txt": SEED.read_bytes(),
        "d/truncated.json": json.dumps(studies[7]).encode()[:500],
        "d/not-a-study.json": b'{"hello": "world"}',
        "d/binary.bin": bytes(range(256)) * 4,
        "d/semi;colon%.json": json.dumps(studies[8]).encode(),
        ".hidden.json": json.dumps(studies[9]).encode(),
        "e/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "__MACOSX/b/._one.json": b"\x00\x05\x16\x07",
    }


def _build(path: Path, members: dict[str, bytes] | None = None) -> None:
    """A zip of ``members`` (else :func:`_members`) and a directory entry."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("b/", b"")  # a directory entry
        for name, data in (members or _members()).items():
            z.writestr(name, data)


def test_each_member_ends_up_as_records_or_errors(tmp_path: Path) -> None:
    path = tmp_path / "mixed.zip"
    _build(path)
    results = list(read_sources([str(path)]))
    where = Counter(r.location.partition(";")[0] for r in results)
    assert where == {
        "member=a/export.csv": 43,
        "member=a/lines.jsonl": 3,
        "member=b/nested/deeper/one.json": 1,
        "member=b/page.json": 2,
        "member=c/gzipped.json.gz": 1,
        "member=c/seed.txt": 1,
        "member=d/binary.bin": 1,
        "member=d/not-a-study.json": 1,
        "member=d/semi%3Bcolon%25.json": 1,
        "member=d/truncated.json": 1,
    }  # hidden members and the directory entry are skipped
    assert {r.source for r in results} == {str(path)}
    errors = {r.location: r.reason for r in results if isinstance(r, RecordError)}
    assert set(errors) == {
        "member=d/binary.bin",
        "member=d/not-a-study.json",
        "member=d/truncated.json",
    }
    assert "binary" in errors["member=d/binary.bin"]
    assert "protocolSection" in errors["member=d/not-a-study.json"]
    assert "breaks off" in errors["member=d/truncated.json"]
    assert all(reason.startswith(loc.removeprefix("member=")) for loc, reason in errors.items())
    records = {r.location: r for r in results if isinstance(r, TrialRecord)}
    assert records["member=a/export.csv;row=3"].format == "ctgov-csv"
    assert records["member=a/lines.jsonl;line=2"].format == "ctgov-json"
    assert records["member=b/page.json;index=1"].format == "ctgov-json"
    assert records["member=c/seed.txt"].format == "plaintext"
    assert records["member=b/nested/deeper/one.json"].raw_digest
    assert _keys(list(results)) >= _keys(list(read_sources([str(CSV)])))


def test_a_corrupt_member_is_one_error_and_the_rest_loads(tmp_path: Path) -> None:
    studies = _studies()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"s{i}.json", json.dumps(studies[i]).encode())
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("s1.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 40] = b"\xff" * 30  # the member's deflate stream, broken
    path = tmp_path / "corrupt-member.zip"
    path.write_bytes(bytes(data))
    results = list(read_sources([str(path)]))
    assert [r.location for r in results] == ["member=s0.json", "member=s1.json", "member=s2.json"]
    error = results[1]
    assert isinstance(error, RecordError) and error.source == str(path)
    assert error.reason.startswith("s1.json: the member cannot be read")
    assert all(isinstance(r, TrialRecord) for r in (results[0], results[2]))


@pytest.mark.parametrize("cut", [0.5, 0.98], ids=["half", "its end record"])
def test_a_corrupt_archive_is_one_error(tmp_path: Path, cut: float) -> None:
    data = UROLOGY.read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(data[: int(len(data) * cut)])
    [error] = read_sources([str(path)])
    assert isinstance(error, RecordError)
    assert (error.source, error.location) == (str(path), "")
    assert "zip archive cannot be read" in error.reason


def test_an_empty_archive_holds_no_records(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    zipfile.ZipFile(path, "w").close()
    assert path.read_bytes().startswith(b"PK\x05\x06")
    assert detect_format(path.read_bytes()) == "ctgov-zip"
    assert list(read_sources([str(path)])) == []


def test_known_members_are_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every one-record member and every row and line of the others comes back known."""
    path = tmp_path / "good.zip"
    unparsed = {"b/page.json", "d/truncated.json", "d/not-a-study.json"}  # parsed to split
    _build(path, {k: v for k, v in _members().items() if k not in unparsed})
    first = list(read_sources([str(path)]))
    known = {r.raw_digest for r in first if isinstance(r, TrialRecord)}
    for module, name in [(ctgov_json, "study_record"), (ctgov_csv, "_record")]:
        monkeypatch.setattr(module, name, _never)
    monkeypatch.setattr(plaintext, "parse", _never)
    again = list(read_changed([str(path)], known))
    assert Counter(type(r) for r in again) == {KnownRecord: 50, RecordError: 1}  # binary
    assert [r.location for r in again] == [r.location for r in first]
    assert {r.source for r in again} == {str(path)}


def test_a_changed_member_is_the_only_one_parsed(tmp_path: Path) -> None:
    with zipfile.ZipFile(UROLOGY) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    known = {r.raw_digest for r in read_sources([str(UROLOGY)])}  # type: ignore[union-attr]
    name, data = members[5]
    study = json.loads(data)
    study["protocolSection"]["identificationModule"]["briefTitle"] += " (amended)"
    path = tmp_path / "changed.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, body in members:
            z.writestr(member, json.dumps(study).encode() if member == name else body)
    again = list(read_changed([str(path)], known))
    parsed = [r for r in again if not isinstance(r, KnownRecord)]
    assert len(again) == 633 and len(parsed) == 1
    assert isinstance(parsed[0], TrialRecord) and parsed[0].location == f"member={name}"
    assert parsed[0].title.endswith("(amended)")


def test_raw_records_from_an_archive_pickle_with_their_location(tmp_path: Path) -> None:
    path = tmp_path / "mixed.zip"
    _build(path)
    raws = [r for r in read_changed([str(path)], set()) if isinstance(r, RawRecord)]
    assert {r.location.partition(";")[0] for r in raws} == {
        "member=a/export.csv",
        "member=a/lines.jsonl",
        "member=c/seed.txt",
    }
    for raw in raws:
        copy = pickle.loads(pickle.dumps(raw))
        parsed = copy.parse()
        assert isinstance(parsed, TrialRecord)
        assert (parsed.source, parsed.location) == (raw.source, raw.location)
        assert parsed.raw_digest == raw.digest
    known = {r.digest for r in raws}
    again = [r for r in read_changed([str(path)], known) if isinstance(r, KnownRecord)]
    assert {k.parse().location for k in again} >= {r.location for r in raws}


def test_member_locations_are_parseable() -> None:
    assert archive.member_location("35/NCT02252835.json") == "member=35/NCT02252835.json"
    location = archive.member_location("a/x;y%.csv", "row=3")
    member, _, inner = location.partition(";")
    assert (member, inner) == ("member=a/x%3By%25.csv", "row=3")
