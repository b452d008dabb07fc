"""Interventions scored against the hand-annotated gold (``tests/gold/interventions.tsv``).

The scoring is :mod:`bench.gold`'s; the figures are printed (``pytest -s`` shows them, and
every wrong or missed fact) and held to the targets below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.gold import gold_rows, records_by_trial, report, score

DATA = Path(__file__).parents[1] / "data"
GOLD = Path(__file__).parents[1] / "gold" / "interventions.tsv"
SOURCES = (
    "areas/ctgov-csv/cardiovascular-eye.csv",
    "ctgov-zip/urology-studies.json.zip",
    "ctgov-csv/oncology-a.csv",
    "ctgov-csv/oncology-b.csv",
    "ctgov-json/nsclc-studies.json",
)
GROUPS = {
    "non-oncology": {"cardiovascular-eye", "urology"},
    "oncology": {"oncology-a", "oncology-b", "nsclc"},
}

#: The figures an implementation must reach on the whole gold.
TARGET_RECALL, TARGET_PRECISION, MODALITY, SPLIT = 0.85, 0.95, 0.90, 0.90


def test_gold_interventions(capsys: pytest.CaptureFixture[str]) -> None:
    rows = gold_rows(GOLD)
    scores, misses = score(rows, records_by_trial(str(DATA / s) for s in SOURCES), GROUPS)
    with capsys.disabled():
        print()
        print(report(scores, misses))
    total = scores["all"]
    assert total.rows == len(rows), "every gold row names an intervention of its record"
    assert scores["non-oncology"].rows >= 150 and scores["oncology"].rows >= 50
    assert total.precision >= TARGET_PRECISION, total.line("all")
    assert total.recall >= TARGET_RECALL, total.line("all")
    assert total.modality >= MODALITY, total.line("all")
    assert total.split >= SPLIT, total.line("all")
