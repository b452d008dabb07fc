"""Outcome measures scored against the hand-annotated gold (``tests/gold/outcomes.tsv``).

The scoring is :mod:`bench.gold_outcomes`'s; the figures are printed (``pytest -s`` shows
them, and every wrong or missed fact) and held to the issue's targets below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.gold import gold_table, records_by_trial, report
from bench.gold_outcomes import score_outcomes

DATA = Path(__file__).parents[1] / "data"
GOLD = Path(__file__).parents[1] / "gold" / "outcomes.tsv"
SOURCES = ("areas/ctgov-csv/cardiovascular-eye.csv", "ctgov-zip/urology-studies.json.zip", "seeds")
GROUPS = {"non-oncology": {"cardiovascular-eye", "urology"}, "seeds": {"seeds"}}

#: Shares an implementation must reach on the whole gold: outcomes with a specific concept,
#: specific codes right, durations right.
CODED, CODES_RIGHT, DURATIONS = 0.75, 0.95, 0.95


def test_gold_outcomes(capsys: pytest.CaptureFixture[str]) -> None:
    rows = gold_table(GOLD)
    records = records_by_trial(str(DATA / s) for s in SOURCES)
    scores, misses, unmatched = score_outcomes(rows, records, GROUPS)
    with capsys.disabled():
        print()
        print(report(scores, misses))
    total = scores["all"]
    assert unmatched == 0, "every gold row names an outcome of its record"
    assert scores["non-oncology"].rows >= 200
    assert total.coverage >= CODED, total.line("all")
    assert total.precision >= CODES_RIGHT, total.line("all")
    assert total.durations >= DURATIONS, total.line("all")
