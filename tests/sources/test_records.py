"""Records are immutable; their checksum is computed once, and never outlives their content."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from trialgraph import records
from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def record() -> TrialRecord:
    found = next(r for r in read_sources([str(DATA / "seeds")]) if isinstance(r, TrialRecord))
    return found


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[TrialRecord]:
    """The records whose checksum is computed, in order."""
    seen: list[TrialRecord] = []
    compute = records._content_checksum

    def counting(record: TrialRecord) -> str:
        seen.append(record)
        return compute(record)

    monkeypatch.setattr(records, "_content_checksum", counting)
    return seen


def test_a_checksum_is_computed_once(record: TrialRecord, computed: list[TrialRecord]) -> None:
    first = record.checksum
    assert record.checksum == first
    assert computed == [record]
    copy = pickle.loads(pickle.dumps(record))  # as sent to a worker process
    assert copy.checksum == first
    assert computed == [record]


def test_a_changed_copy_has_its_own_checksum(record: TrialRecord) -> None:
    original = record.checksum
    renamed = dataclasses.replace(record, source="elsewhere.txt", location="x")
    retitled = dataclasses.replace(record, title=record.title + " (amended)")
    assert renamed.checksum == original  # where it was read from is not content
    assert retitled.checksum != original
    assert record.checksum == original


def test_records_stay_frozen_and_comparable(record: TrialRecord) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.title = "other"  # type: ignore[misc]
    fresh = next(r for r in read_sources([record.source]) if isinstance(r, TrialRecord))
    record.checksum  # noqa: B018 (one of the two has its checksum computed)
    assert fresh == record and hash(fresh) == hash(record)
    assert "_memo" not in record.to_dict()
