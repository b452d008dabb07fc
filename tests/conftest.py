"""Shared fixtures: the bundled corpus, read with the real readers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trialgraph.records import RecordError, TrialRecord
from trialgraph.sources import read_sources

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
CORPUS = [DATA / "seeds", DATA / "ctgov-json", DATA / "ctgov-csv"]
#: A fixed ingest time, so mapped graphs are identical from run to run.
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def read_records(paths: list[Path]) -> Iterator[TrialRecord]:
    """Records read from ``paths``, with ``source`` reduced to the file's base name."""
    for item in read_sources([str(p) for p in paths]):
        assert not isinstance(item, RecordError), str(item)
        yield dataclasses.replace(item, source=Path(item.source).name)


@pytest.fixture(scope="session")
def seed_records() -> dict[str, TrialRecord]:
    """The five seed records by their number ("000" ... "004")."""
    return {r.source[:3]: r for r in read_records([SEEDS])}


@pytest.fixture(scope="session")
def corpus_records() -> list[TrialRecord]:
    """Every record of the bundled corpus (5 plaintext, 100 JSON, 87 CSV)."""
    return list(read_records(CORPUS))
