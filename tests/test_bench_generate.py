"""The benchmark corpus generator (bench/generate.py): deterministic output that the
project's readers parse in full, unique ids and titles, and exact partial changes."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING

import pytest
from bench import generate

from trialgraph.records import RecordError, TrialRecord
from trialgraph.sources import read_sources

if TYPE_CHECKING:
    from pathlib import Path

N = 300
#: (format, output name): JSON Lines, a JSON page, CSV, gzipped CSV, plaintext files.
CASES = [
    ("json", "corpus.jsonl"),
    ("json", "corpus.json"),
    ("csv", "corpus.csv"),
    ("csv", "corpus.csv.gz"),
    ("plaintext", "corpus"),
]
READER_FORMAT = {"json": "ctgov-json", "csv": "ctgov-csv", "plaintext": "plaintext"}


@pytest.fixture(scope="module")
def corpus() -> generate.Corpus:
    return generate.load_corpus()


def _digest(path: Path) -> str:
    """SHA-256 of a file, or of a directory tree's names and contents."""
    digest = hashlib.sha256()
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read(path: Path) -> list[TrialRecord]:
    results = list(read_sources([str(path)]))
    errors = [r for r in results if isinstance(r, RecordError)]
    assert not errors, [str(e) for e in errors[:3]]
    return [r for r in results if isinstance(r, TrialRecord)]


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_same_seed_gives_the_same_bytes(
    tmp_path: Path, corpus: generate.Corpus, fmt: generate.Format, name: str
) -> None:
    first, again, other = (tmp_path / run / name for run in ("first", "again", "other"))
    written = generate.write_corpus(first, N, 5, fmt, corpus=corpus)
    generate.write_corpus(again, N, 5, fmt, corpus=corpus)
    generate.write_corpus(other, N, 6, fmt, corpus=corpus)
    assert written.records == N
    assert _digest(first) == _digest(again)
    assert _digest(first) != _digest(other)


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_every_record_reads_with_unique_ids(
    tmp_path: Path, corpus: generate.Corpus, fmt: generate.Format, name: str
) -> None:
    out = tmp_path / name
    generate.write_corpus(out, N, 1, fmt, corpus=corpus)
    records = _read(out)
    assert len(records) == N
    assert {r.format for r in records} == {READER_FORMAT[fmt]}
    assert len({r.trial_id for r in records}) == N
    assert len({r.title.casefold() for r in records}) == N
    if fmt != "plaintext":  # the plaintext layout has no id: its ids derive from the title
        assert sorted(r.trial_id for r in records) == [generate.nct_id(i) for i in range(N)]
    assert all(r.conditions for r in records)
    assert sum(bool(r.outcomes) for r in records) > 0.9 * N
    assert sum(bool(r.interventions) for r in records) > 0.8 * N


@pytest.mark.parametrize(("fmt", "name"), [CASES[0], CASES[2], CASES[4]])
def test_change_fraction_changes_exactly_that_many_records(
    tmp_path: Path, corpus: generate.Corpus, fmt: generate.Format, name: str
) -> None:
    base, edited = tmp_path / "base" / name, tmp_path / "edited" / name
    generate.write_corpus(base, N, 2, fmt, corpus=corpus)
    written = generate.write_corpus(
        edited, N, 2, fmt, change_fraction=0.05, change_seed=9, corpus=corpus
    )
    assert written.changed == 15
    before = {r.trial_id: r for r in _read(base)}
    after = {r.trial_id: r for r in _read(edited)}
    assert before.keys() == after.keys()
    changed = {k for k in before if before[k].checksum != after[k].checksum}
    assert len(changed) == 15
    assert all(before[k].title == after[k].title for k in before)
    if fmt != "plaintext":
        picked = generate.changed_indices(N, 0.05, 9)
        assert changed == {generate.nct_id(i) for i in range(N) if picked(i)}


def test_changed_indices_picks_exactly_round_fraction_n() -> None:
    for n in (1, 2, 3, 10, 999, 1000):
        for fraction in (0.0, 0.01, 0.5, 1.0):
            picked = generate.changed_indices(n, fraction, 4)
            assert sum(picked(i) for i in range(n)) == round(fraction * n)


def test_titles_are_unique_and_carry_one_acronym(corpus: generate.Corpus) -> None:
    titles = [generate.generate(corpus, 3, i).title for i in range(3000)]
    assert len({" ".join(t.split()).casefold() for t in titles}) == len(titles)
    assert all(len(generate.CODE_PATTERN.findall(t)) == 1 for t in titles)
    title_parts = (
        part if isinstance(part, str) else part.original
        for template in corpus.templates
        for part in template.title
    )
    fills = (
        *corpus.targets,
        *(c.name for c in corpus.conditions),
        *(i.name for i in corpus.interventions),
    )
    texts = [*title_parts, *fills]
    assert not any(generate.CODE_PATTERN.search(text) for text in texts)
    # a plaintext record starting with "[" or "{" would be taken for JSON
    assert not any(text.startswith(("[", "{")) for text in texts)
    assert len({generate.acronym(3, i) for i in range(0, generate.MAX_N, 997)}) == len(
        range(0, generate.MAX_N, 997)
    )


def test_csv_header_is_the_exports(corpus: generate.Corpus) -> None:
    real = generate.DATA_DIR / "ctgov-csv" / "oncology-a.csv"
    with real.open(encoding="utf-8-sig", newline="") as stream:
        assert tuple(next(csv.reader(stream))) == generate.CSV_HEADER


def test_json_lines_are_the_study_objects(tmp_path: Path, corpus: generate.Corpus) -> None:
    out = tmp_path / "c.jsonl"
    generate.write_corpus(out, 50, 8, "json", corpus=corpus)
    lines = out.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        study = generate.study_json(generate.generate(corpus, 8, index), corpus)
        assert line == json.dumps(study, ensure_ascii=False, separators=(",", ":"))


def test_cli_reports_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.jsonl.gz"
    argv = ["--n", "20", "--seed", "1", "--out", str(out), "--change-fraction", "0.1"]
    assert generate.main(argv) == 0
    report = capsys.readouterr().out
    assert "wrote 20 json records (2 changed)" in report
    assert f"{out.stat().st_size:,} bytes" in report
    assert len(_read(out)) == 20


def test_refuses_what_it_cannot_write(tmp_path: Path, corpus: generate.Corpus) -> None:
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError):
        generate.write_corpus(tmp_path, 1, fmt="plaintext", corpus=corpus)
    with pytest.raises(ValueError, match="between 0 and"):
        generate.write_corpus(tmp_path / "c.jsonl", generate.MAX_N + 1, corpus=corpus)


def test_an_interrupted_run_leaves_no_file(tmp_path: Path, corpus: generate.Corpus) -> None:
    out = tmp_path / "c.jsonl"
    broken = dataclasses.replace(corpus, statuses=())  # generation fails part-way
    with pytest.raises(IndexError):
        generate.write_corpus(out, 10, corpus=broken)
    assert list(tmp_path.iterdir()) == []
