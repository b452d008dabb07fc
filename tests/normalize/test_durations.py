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
    # Ordinal days, weeks, months, hours and minutes; the last of a list is the length.
    ("On the 5th day", "P5D"),
    ("On the 5th day or before hospital discharge after surgery.", "P5D"),
    ("the 4th week and the 8th week", "P8W"),
    ("30th, 60th, 90th days", "P90D"),
    ("6th and 12 th months.", "P12M"),
    ("and 7th postoperative days.", "P7D"),
    ("at baseline, 1st month, and 3rd month", "P3M"),
    ("follow-up until the third month after treatment", "P3M"),
    ("During the first year of the trial", "P1Y"),
    ("2nd hour post-surgery", "PT2H"),
    ("0th minute,20th minute,45th minute", "PT45M"),
    ("every 2nd week", None),
    ("the 1st day of each cycle", None),
    # "N of treatment and M after the end of treatment": the total, in the shared unit, else
    # in days (a month is 30.4375 days).
    ("after 8 weeks of treatment and 4 weeks after the end of treatment", "P12W"),
    (
        "The test is administered before the treatment, then after eight weeks of treatment, "
        "and finally two months after the end of the treatment",
        "P117D",
    ),
    ("the end of treatment at 8 months. At baseline and 4 months after end of treatment.", "P12M"),
    ("3 months after the end of the treatment", "P3M"),
    ("at 6-month after treatment initiation (3 months after the end of treatment)", "P6M"),
    ("within 30 days of treatment and 30 days after end of treatment", "P30D"),
    # Lists and ranges after a unit, a unit written onto its number.
    ("Weeks 4, 8 and 12", "P12W"),
    ("Baseline and at months 4, 12, 18 (optional), and 24", "P24M"),
    ("months 1, 3, 6, 12, 24, 36, 48 and 60", "P60M"),
    ("week2, 4, 8, 12, 16, 56.", "P56W"),
    ("Month18", "P18M"),
    ("From baseline to week 20.", "P20W"),
    ("Week12-52", "P52W"),
    ("Basal-52 weeks", "P52W"),
    ("from index date to 6- to-12-month follow-up", "P12M"),
    ("12- month from baseline", "P12M"),
    # A visit window, half an hour, misspelled months.
    ("Within 24 (± 4) hours post injection", "PT24H"),
    ("Day 28 (± 3 days)", "P28D"),
    ("Change from baseline to half an hour", "PT30M"),
    ("up to 27 mouths", "P27M"),
    ("Baseline and 6 moths", "P6M"),
    # Frequencies, days within a later cycle, weeks of gestation: no length.
    ("twice a day", None),
    ("2 times a day for 5 days", "P5D"),
    ("a week after surgery", "P1W"),
    ("Day 1 of Cycle 2", None),
    ("Day 8 of each cycle", None),
    ("from 20 weeks gestation to delivery", None),
    ('"Baseline (28th week of pregnancy)"', None),
    ("After 20 weeks of GA till 6 weeks postpartum", "P6W"),
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
