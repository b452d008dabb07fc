"""Time frames to ISO 8601 durations: the length from the anchor, the longest when several."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialgraph.normalize.durations import parse_duration

CASES: list[tuple[str, str | None]] = [
    ("28 days post administration of CAR-T-cells", "P28D"),
    ("2 years post CAR T cell infusion", "P2Y"),
    ("Month 12", "P12M"),
    ("Day 28", "P28D"),
    ("Week 12", "P12W"),
    ("up to 72 weeks", "P72W"),
    ("up to 72 weeks after TIL-TCM cells infusion", "P72W"),
    ("Baseline up to 28 days after TIL-TCM cells infusion", "P28D"),
    ("Through study completion, an average of 2 years", "P2Y"),
    ("Every 6 weeks up to 1 year", "P1Y"),
    ("1 years", "P1Y"),
    ("1 year", "P1Y"),
    ("26 weeks", "P26W"),
    ("After 28 days of infusion", "P28D"),
    ("28 days of single infusion", "P28D"),
    ("up to 18 months", "P18M"),
    ("18 months", "P18M"),
    ("15 years", "P15Y"),
    ("3-month follow-up", "P3M"),
    ("24 months", "P24M"),
    ("up to approximately 5 years", "P5Y"),
    # Day 0 is the anchor itself; the hours after it are the length (the maximum stated).
    ("Day 0 (1-4 hours) post injection", "PT4H"),
    ("Day 0 (1- 4 hours) post injection", "PT4H"),
    # A day within a cycle has no calendar length unless the cycle length is stated.
    ("Cycle 1 Day 1", None),
    ("C3D1: Pre dose", None),
    ("Cycle 1 Day 1 through Cycle 6 (each cycle is 21 days)", "P126D"),
    ("From randomization until disease progression or death, assessed up to 60 months", "P60M"),
    ("two years", "P2Y"),
    ("six months", "P6M"),
    ("Twenty-four weeks", "P24W"),
    ("one year", "P1Y"),
    # Several lengths: the longest in days, written in its own unit.
    ("26 weeks and 12 months", "P12M"),
    ("At 6 months, 12 months", "P12M"),
    ("Days 9 and 10", "P10D"),
    ("12 months (1 year)", "P12M"),
    ("Pre-dose and 30 minutes post-dose", "PT30M"),
    ("1.5 years", "P1.5Y"),
    ("Every 6-8 weeks through study completion, an average of 2 years", "P2Y"),
    # Not lengths: frequencies, dates, numbers inside names, offsets before the anchor.
    ("Every 8 weeks", None),
    ("Baseline", None),
    ("Up to August 1, 2022", None),
    ("2019.7-2022.7", None),
    ("Up to 28 days prior to cycle 1", None),
    ("Up to 4 weeks after the first Sn-117m-DTPA administration", "P4W"),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_duration(text: str, expected: str | None) -> None:
    assert parse_duration(text) == expected


@given(st.text(max_size=200))
def test_never_raises_and_is_iso(text: str) -> None:
    result = parse_duration(text)
    assert result is None or result.startswith("P")


@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from([("days", "D"), ("weeks", "W"), ("months", "M"), ("years", "Y")]),
)
def test_amount_and_unit(amount: int, unit: tuple[str, str]) -> None:
    assert parse_duration(f"up to {amount} {unit[0]} after infusion") == f"P{amount}{unit[1]}"
