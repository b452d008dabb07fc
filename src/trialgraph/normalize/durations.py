"""Time-frame text to an ISO 8601 duration: how long after its anchor an outcome is assessed.

Registries write time frames freely ("28 days post administration", "Month 12", "up to 72
weeks", "Through study completion, an average of 2 years"). The duration is the length from
the anchor (infusion, randomization, enrolment): when a text states several lengths the
follow-up is the longest one, compared in days and written in its own unit.

Not lengths: visit frequencies ("every 6 weeks"), cycle lengths ("21-day cycles") and the day
within a cycle ("Cycle 1 Day 1"), unless a cycle length lets cycles be counted in days.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["parse_duration"]

# Unit letter -> length in days (the ISO 8601 designator; "h" and "min" are time parts).
_DAYS_PER_UNIT: dict[str, float] = {
    "Y": 365.25,
    "M": 30.4375,
    "W": 7.0,
    "D": 1.0,
    "H": 1.0 / 24.0,
    "MIN": 1.0 / 1440.0,
}

_UNIT_WORDS: dict[str, str] = {
    "year": "Y",
    "years": "Y",
    "yr": "Y",
    "yrs": "Y",
    "y": "Y",
    "month": "M",
    "months": "M",
    "mo": "M",
    "mos": "M",
    "mth": "M",
    "mths": "M",
    "m": "M",
    "week": "W",
    "weeks": "W",
    "wk": "W",
    "wks": "W",
    "w": "W",
    "day": "D",
    "days": "D",
    "d": "D",
    "hour": "H",
    "hours": "H",
    "hr": "H",
    "hrs": "H",
    "h": "H",
    "minute": "MIN",
    "minutes": "MIN",
    "min": "MIN",
    "mins": "MIN",
}

_ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD_NUMBER = re.compile(
    r"\b(?:(?P<tens>"
    + "|".join(_TENS)
    + r")(?:[\s-]+(?P<unit>"
    + "|".join(k for k in _ONES if 0 < _ONES[k] < 10)
    + r"))?|(?P<ones>"
    + "|".join(_ONES)
    + r"))\b",
    re.IGNORECASE,
)

_NUM = r"\d+(?:\.\d+)?"
_LONG_UNIT = r"years?|yrs?|months?|mos?|mths?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?"
# "12 months", "3-month", "1-4 hours", "28-34 days", "12m" (a one-letter unit only when
# attached to its number); not a number inside a name ("Sn-117m", "U87").
_AMOUNT_UNIT = re.compile(
    rf"(?<![\w.])(?<![^\W\d_]-)(?P<a>{_NUM})(?:\s*(?:-|–|to)\s*(?P<b>{_NUM}))?"
    rf"(?:(?:\s*|-)(?P<unit>{_LONG_UNIT})|(?P<short>[ymwdh]))(?![a-z])",
    re.IGNORECASE,
)
# "Month 12", "Day 28", "Week 12", "Year 2", "days 28-34", "Days 9 and 10".
_UNIT_AMOUNT = re.compile(
    rf"(?<![\w-])(?P<unit>years?|months?|weeks?|days?|hours?)\s+(?P<a>{_NUM})"
    rf"(?:\s*(?:-|–|to|and|or|through)\s*(?P<b>{_NUM}))?(?![\w.])",
    re.IGNORECASE,
)
# Frequencies and offsets before the anchor are not lengths of follow-up.
_FREQUENCY_BEFORE = re.compile(
    r"(?:\bevery|\beach|\bq|\bonce\s+a|\bper)\s*$",
    re.IGNORECASE,
)
_BEFORE_ANCHOR_AFTER = re.compile(r"^\s*(?:prior|before|pre-?)\b", re.IGNORECASE)
# "Cycle 1 Day 1": the number of a cycle, and a day counted within a cycle.
_AFTER_CYCLE = re.compile(r"\bcycles?\s*$", re.IGNORECASE)
_IN_CYCLE = re.compile(r"\bcycles?\s+\d+\s*,?\s*$", re.IGNORECASE)
_CYCLE_NUMBER = re.compile(r"\bcycles?\s+(?P<n>\d+)(?:\s*(?:-|–|to|through)\s*(?P<m>\d+))?", re.I)
_CYCLE_LENGTH = re.compile(
    rf"(?:(?P<a>{_NUM})[\s-]*(?P<u1>days?|weeks?)[\s-]*(?:treatment\s+)?cycles?"
    rf"|cycles?\s+(?:is|are|=|of|lasts?|lasting)\s+(?P<b>{_NUM})\s*(?P<u2>days?|weeks?))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Length:
    amount: float
    unit: str  # a key of _DAYS_PER_UNIT
    start: int  # position in the text, to keep the first of equal lengths

    @property
    def days(self) -> float:
        return self.amount * _DAYS_PER_UNIT[self.unit]

    def iso(self) -> str:
        number = f"{self.amount:g}" if self.amount != int(self.amount) else str(int(self.amount))
        if self.unit == "H":
            return f"PT{number}H"
        if self.unit == "MIN":
            return f"PT{number}M"
        return f"P{number}{self.unit}"


def _words_to_digits(text: str) -> str:
    """Spell-out numbers to digits, so "two years" reads like "2 years".

    >>> _words_to_digits("Twenty-four weeks or six months")
    '24 weeks or 6 months'
    """

    def replace(m: re.Match[str]) -> str:
        if m.group("ones"):
            return str(_ONES[m.group("ones").lower()])
        value = _TENS[m.group("tens").lower()]
        if m.group("unit"):
            value += _ONES[m.group("unit").lower()]
        return str(value)

    return _WORD_NUMBER.sub(replace, text)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\b(?:a|one)\s+(?=(?:year|month|week|day)\b)", "1 ", text, flags=re.I)
    return _words_to_digits(text)


def _cycle_days(text: str) -> tuple[float | None, list[tuple[int, int]]]:
    """The stated cycle length in days (if any) and the spans that state it."""
    length: float | None = None
    spans: list[tuple[int, int]] = []
    for m in _CYCLE_LENGTH.finditer(text):
        amount = float(m.group("a") or m.group("b"))
        unit = (m.group("u1") or m.group("u2")).lower()
        days = amount * (7.0 if unit.startswith("week") else 1.0)
        length = days if length is None else max(length, days)
        spans.append(m.span())
    return length, spans


def _lengths(text: str) -> list[_Length]:
    """Every length the text states, with frequencies, cycle days and cycle lengths removed."""
    cycle_length, excluded = _cycle_days(text)
    found: list[_Length] = []

    def usable(start: int, end: int) -> bool:
        if any(s <= start < e for s, e in excluded):
            return False
        if _FREQUENCY_BEFORE.search(text[max(0, start - 20) : start]):
            return False
        return not _BEFORE_ANCHOR_AFTER.match(text[end : end + 12])

    for m in _AMOUNT_UNIT.finditer(text):
        if not usable(m.start(), m.end()) or _AFTER_CYCLE.search(
            text[max(0, m.start() - 8) : m.start()]
        ):
            continue
        unit = _UNIT_WORDS[(m.group("unit") or m.group("short")).lower()]
        amount = max(float(m.group("a")), float(m.group("b") or 0))
        found.append(_Length(amount, unit, m.start()))
    for m in _UNIT_AMOUNT.finditer(text):
        if not usable(m.start(), m.end()):
            continue
        # "Cycle 1 Day 1": a day within a cycle is no length from the anchor.
        if _IN_CYCLE.search(text[max(0, m.start() - 16) : m.start()]):
            continue
        unit = _UNIT_WORDS[m.group("unit").lower()]
        amount = max(float(m.group("a")), float(m.group("b") or 0))
        found.append(_Length(amount, unit, m.start()))
    if cycle_length is not None:
        for m in _CYCLE_NUMBER.finditer(text):
            if any(s <= m.start() < e for s, e in excluded):
                continue
            cycles = max(int(m.group("n")), int(m.group("m") or 0))
            found.append(_Length(cycles * cycle_length, "D", m.start()))
    return found


@lru_cache(maxsize=65536)  # time frames repeat across outcomes and records
def parse_duration(text: str) -> str | None:
    """The time frame's length from its anchor as an ISO 8601 duration, or ``None``.

    >>> parse_duration("28 days post administration of CAR-T-cells")
    'P28D'
    >>> parse_duration("Through study completion, an average of 2 years")
    'P2Y'
    >>> parse_duration("Month 12")
    'P12M'
    >>> parse_duration("26 weeks and 12 months")
    'P12M'
    >>> parse_duration("Day 0 (1-4 hours) post injection")
    'PT4H'
    >>> parse_duration("Cycle 1 Day 1") is None
    True
    """
    if not text or not text.strip():
        return None
    lengths = _lengths(_clean(text))
    if not lengths:
        return None
    # The longest in days; among equal ones, the first written.
    best = max(lengths, key=lambda x: (x.days, -x.start))
    return best.iso()
