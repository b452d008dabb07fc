"""Built vocabularies kept between processes: read back as built, rebuilt when the code or
data changes or the file is damaged, and never in the way when the cache cannot be used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import SEEDS

from trialgraph.normalize import cache


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    return tmp_path / "cache"


def counted_builder() -> tuple[list[int], cache.Vocabulary[dict[str, tuple[str, ...]]]]:
    """A vocabulary whose builder counts its runs."""
    runs: list[int] = []

    def table() -> dict[str, tuple[str, ...]]:
        runs.append(1)
        return {"non small cell lung carcinoma": ("MONDO:0005233", "Σ")}

    return runs, cache.vocabulary(table)


def test_a_vocabulary_is_built_once_then_read_back(directory: Path) -> None:
    runs, table = counted_builder()
    built = table()
    assert runs == [1]
    (written,) = directory.glob("*.pickle")
    assert written.name.endswith(f"-{cache.fingerprint()}.pickle")
    table.cache_clear()  # as a new process would
    assert table() == built
    assert runs == [1]
    assert list(directory.glob("*.part")) == []


def test_other_code_or_data_builds_again_and_replaces_the_file(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs, table = counted_builder()
    table()
    (older,) = directory.glob("*.pickle")
    monkeypatch.setattr(cache, "fingerprint", lambda: "0" * 20)
    table.cache_clear()
    table()
    assert runs == [1, 1]
    (newer,) = directory.glob("*.pickle")
    assert newer != older and newer.name.endswith("-" + "0" * 20 + ".pickle")


def test_a_damaged_file_is_built_again(directory: Path) -> None:
    runs, table = counted_builder()
    built = table()
    (written,) = directory.glob("*.pickle")
    written.write_bytes(written.read_bytes()[:10])  # cut short, as by a full disk
    table.cache_clear()
    assert table() == built
    assert runs == [1, 1]
    table.cache_clear()
    assert table() == built
    assert runs == [1, 1]  # the file was written again


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_a_directory_that_cannot_be_written_leaves_each_process_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(locked / "cache"))
    runs, table = counted_builder()
    table()
    table.cache_clear()
    table()
    assert runs == [1, 1]


def test_a_directory_that_is_a_file_leaves_each_process_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a directory")
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(taken))
    runs, table = counted_builder()
    built = table()
    table.cache_clear()
    assert table() == built
    assert runs == [1, 1]
    assert taken.read_text() == "not a directory"


def test_an_empty_directory_setting_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, "")
    monkeypatch.chdir(tmp_path)
    assert cache.cache_dir() is None
    runs, table = counted_builder()
    table()
    table.cache_clear()
    table()
    assert runs == [1, 1]
    assert list(tmp_path.iterdir()) == []


def test_the_default_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/someone")
    assert cache.cache_dir() == Path("/var/cache/someone/trialgraph")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path.home() / ".cache" / "trialgraph"


#: Maps the seed records in a new process and prints each graph's quads as N-Quads lines.
MAP_SEEDS = """
import json, sys
from datetime import UTC, datetime
from pyoxigraph import RdfFormat, serialize
from trialgraph.pipeline import map_batch
from trialgraph.sources import read_sources
records = list(read_sources([sys.argv[1]]))
batch = map_batch(records, datetime(2026, 1, 1, tzinfo=UTC))
graphs = {
    t.graph.value: sorted(serialize([*t.quads, *t.concept_quads], format=RdfFormat.N_QUADS)
                          .decode().splitlines())
    for t in batch.mapped
}
print(json.dumps(graphs))
"""


def test_records_map_alike_with_the_vocabularies_built_or_read_back(directory: Path) -> None:
    def mapped() -> dict[str, list[str]]:
        out = subprocess.run(
            [sys.executable, "-c", MAP_SEEDS, str(SEEDS)],
            check=True,
            capture_output=True,
            env={**os.environ, cache.CACHE_DIR_VARIABLE: str(directory)},
        ).stdout
        graphs: dict[str, list[str]] = json.loads(out)
        return graphs

    built = mapped()
    kept = {p.name.split("-")[0] for p in directory.glob("*.pickle")}
    assert kept == {
        "trialgraph.normalize.conditions._lexicon",
        "trialgraph.normalize.drugs.drug_index",
        "trialgraph.normalize.targets.lexicon.lexicon",
    }
    files = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in directory.glob("*.pickle")}
    read_back = mapped()
    assert len(built) == 5 and all(built.values())
    assert read_back == built
    # read, not built and written again
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in directory.glob("*.pickle")} == files
