"""Condition mentions scored against the hand-annotated gold (``tests/gold/conditions.tsv``).

The scoring is :mod:`bench.gold_conditions`'s; the figures are printed (``pytest -s`` shows
them, and every wrong or missed fact) and held to the issue's targets below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.gold import gold_table, records_by_trial, report
from bench.gold_conditions import score_conditions

DATA = Path(__file__).parents[1] / "data"
GOLD = Path(__file__).parents[1] / "gold" / "conditions.tsv"
SOURCES = ("areas/ctgov-csv/cardiovascular-eye.csv", "ctgov-zip/urology-studies.json.zip", "seeds")
GROUPS = {"non-oncology": {"cardiovascular-eye", "urology"}, "seeds": {"seeds"}}

#: Shares an implementation must reach on the whole gold: mentions with an identifier, and
#: identifiers right.
IDENTIFIED, IDS_RIGHT = 0.85, 0.95


def test_gold_conditions(capsys: pytest.CaptureFixture[str]) -> None:
    rows = gold_table(GOLD)
    records = records_by_trial(str(DATA / s) for s in SOURCES)
    scores, misses, unmatched = score_conditions(rows, records, GROUPS)
    with capsys.disabled():
        print()
        print(report(scores, misses))
    total = scores["all"]
    assert unmatched == 0, "every gold row names a condition of its record"
    assert scores["non-oncology"].rows >= 100
    assert total.coverage >= IDENTIFIED, total.line("all")
    assert total.precision >= IDS_RIGHT, total.line("all")
