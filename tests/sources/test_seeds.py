"""The five seed records parse to their checked golden records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialgraph.records import TrialRecord
from trialgraph.sources import read_file

CASES = Path(__file__).resolve().parents[1] / "cases" / "seeds"
SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


@pytest.mark.parametrize("case", sorted(CASES.iterdir()), ids=lambda p: p.name)
def test_seed_matches_golden(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    [record] = list(read_file(str(SEEDS / f"{case.name}.txt")))
    assert isinstance(record, TrialRecord)
    parsed = json.loads(json.dumps(record.to_dict(), ensure_ascii=False))
    assert parsed.pop("source").endswith(f"{case.name}.txt")
    assert parsed == expected


def test_every_seed_has_a_case() -> None:
    assert sorted(p.stem for p in SEEDS.glob("*.txt")) == sorted(p.name for p in CASES.iterdir())
