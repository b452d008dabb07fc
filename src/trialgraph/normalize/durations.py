"""Time-frame text to an ISO 8601 duration: how long after its anchor an outcome is assessed.

Registries write time frames freely ("28 days post administration", "Month 12", "up to 72
weeks", "Through study completion, an average of 2 years"). The duration is the length from
the anchor (infusion, randomization, enrolment): when a text states several lengths the
follow-up is the longest one, compared in days and written in its own unit. Ordinals count
too ("On the 5th day", "the third month"), and a length of treatment followed by one after
its end is their total ("8 weeks of treatment and 2 months after the end of treatment").

Not lengths: visit frequencies ("every 6 weeks", "twice a day"), cycle lengths ("21-day
cycles") and the day within a cycle ("Cycle 1 Day 1", "Day 8 of each cycle"), unless a cycle
length lets cycles be counted in days; weeks of gestation ("20 weeks gestation").
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
    # misspellings registries carry ("up to 27 mouths", "6 moths")
    "mounth": "M",
    "mounths": "M",
    "mouths": "M",
    "moths": "M",
    "momths": "M",
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
_LONG_UNIT = (
    r"years?|yrs?|months?|mos?|mths?|mounths?|mouths|moths|momths|weeks?|wks?|days?"
    r"|hours?|hrs?|minutes?|mins?"
)
# "12 months", "3-month", "12- month", "1-4 hours", "28-34 days", "12m" (a one-letter unit
# only when attached to its number; not one inside a name, "Sn-117m": see _lengths).
_AMOUNT_UNIT = re.compile(
    rf"(?<![\w.])(?P<a>{_NUM})(?:\s*(?:-|–|to)\s*(?P<b>{_NUM}))?"
    rf"(?:(?:\s*|\s*-\s*)(?P<unit>{_LONG_UNIT})|(?P<short>[ymwdh]))(?![a-z])",
    re.IGNORECASE,
)
_NAME_HYPHEN = re.compile(r"[^\W\d_]-$")
# "Month 12", "Day 28", "Week 12", "Year 2", "Month18", "days 28-34", "Days 9 and 10",
# "Weeks 2, 4, 8 and 12": the last of a list or range is the length.
_UNIT_AMOUNT = re.compile(
    rf"(?<![\w-])(?P<unit>years?|months?|weeks?|days?|hours?)\s*(?P<a>{_NUM}"
    rf"(?:(?:\s*\([^()]{{1,20}}\))?\s*(?:,\s*and|,\s*or|,|-|–|to|and|or|through|&)\s*{_NUM})*)"
    r"(?!\w|\.\d)",
    re.IGNORECASE,
)
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "twelfth": 12,
}
_ORD = r"(?:\d+\s?(?:st|nd|rd|th)|" + "|".join(_ORDINAL_WORDS) + ")"
# "On the 5th day", "the 4th week and the 8th week", "30th, 60th, 90th days", "the third
# month after treatment", "7th postoperative day": the last ordinal of a list is the length.
_ORDINAL_UNIT = re.compile(
    rf"(?<![\w-])(?P<list>{_ORD}(?:\s*(?:,\s*and|,|and|or|&|to|-)\s*(?:the\s+)?{_ORD})*)"
    r"\s*(?:(?:post-?operative|post-?surgical|treatment|study|intervention)\s+)?"
    r"(?P<unit>years?|months?|weeks?|days?|hours?|minutes?)\b",
    re.IGNORECASE,
)
_ORDINAL_NUMBER = re.compile(r"(\d+)|[a-z]+", re.IGNORECASE)
# A day counted within a cycle ("the 1st day of each cycle", "Day 8 of Cycle 2") is no
# length from the anchor; nor is a week of gestation ("28th week of pregnancy").
_WITHIN = re.compile(
    r"\s+of\s+(?:(?:each|every|a|any)\s+(?:treatment\s+)?cycle|cycle\s*(?:[2-9]|\d\d))"
    r"|\s*(?:of\s+)?(?:gestation|pregnancy|GA\b)",
    re.IGNORECASE,
)
# Frequencies and offsets before the anchor are not lengths of follow-up.
_FREQUENCY_BEFORE = re.compile(
    r"(?:\bevery|\beach|\bq|\bonce\s+a|\bper)\s*$",
    re.IGNORECASE,
)
_BEFORE_ANCHOR_AFTER = re.compile(r"\s*(?:prior|before|pre-?)\b", re.IGNORECASE)
# "Cycle 1 Day 1": the number of a cycle, and a day counted within a cycle.
_AFTER_CYCLE = re.compile(r"\bcycles?\s*$", re.IGNORECASE)
_IN_CYCLE = re.compile(r"\bcycles?\s+\d+\s*,?\s*$", re.IGNORECASE)
_CYCLE_NUMBER = re.compile(r"\bcycles?\s+(?P<n>\d+)(?:\s*(?:-|–|to|through)\s*(?P<m>\d+))?", re.I)
_CYCLE_LENGTH = re.compile(
    rf"(?:(?P<a>{_NUM})[\s-]*(?P<u1>days?|weeks?)[\s-]*(?:treatment\s+)?cycles?"
    rf"|cycles?\s+(?:is|are|=|of|lasts?|lasting)\s+(?P<b>{_NUM})\s*(?P<u2>days?|weeks?))",
    re.IGNORECASE,
)


_TREATED = r"(?:the\s+)?(?:study\s+)?(?:treatment|therapy|intervention)"
# "after 8 weeks of treatment", "the end of treatment at 8 months": how long treatment lasts.
_TREATMENT_LENGTH = re.compile(
    rf"(?<!within )(?<![\w.])(?P<a>{_NUM})\s*-?\s*(?P<unit>{_LONG_UNIT})\s+of\s+{_TREATED}\b"
    rf"|\bend\s+of\s+{_TREATED}\s+at\s+(?P<b>{_NUM})\s*-?\s*(?P<unit2>{_LONG_UNIT})\b",
    re.IGNORECASE,
)
# "2 months after the end of the treatment": a length counted from the end of treatment.
_AFTER_TREATMENT = re.compile(
    rf"(?<![\w.])(?P<a>{_NUM})\s*-?\s*(?P<unit>{_LONG_UNIT})\s+(?:after|following|post)\s+"
    rf"(?:the\s+)?(?:end|completion|cessation|discontinuation)\s+of\s+{_TREATED}\b",
    re.IGNORECASE,
)
# Visit frequencies: "twice a day" states no length of "1 day".
_FREQUENCY_A = re.compile(r"\b(?:once|twice|thrice|times|per)\s+$", re.IGNORECASE)
_A_UNIT = re.compile(r"\b(?:an?|one)\s+(?=(?:year|month|week|day|hour)\b)", re.IGNORECASE)
# A visit window after a number ("within 24 (± 4) hours") is no part of the length.
_TOLERANCE = re.compile(r"\s*\(\s*(?:±|\+/-|\+-)\s*\d+(?:\.\d+)?\s*\)")
_HALF_HOUR = re.compile(r"\bhalf\s+an?\s+hour\b", re.IGNORECASE)


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
    """NFKC, visit windows dropped, "a week" and spelled-out numbers as digits.

    >>> _clean("half an hour, a week, twice a day and 24 (± 4) hours")
    '30 minutes, 1 week, twice a day and 24 hours'
    """
    text = unicodedata.normalize("NFKC", text)
    if "(" in text:
        text = _TOLERANCE.sub("", text)
    text = _HALF_HOUR.sub("30 minutes", text)

    def one(m: re.Match[str]) -> str:
        return m.group() if _FREQUENCY_A.search(text[max(0, m.start() - 8) : m.start()]) else "1 "

    return _words_to_digits(_A_UNIT.sub(one, text))


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


def _largest(numbers: str) -> float:
    """The largest number in a list or range ("2, 4, 8 and 12" -> 12)."""
    return max(float(n) for n in re.findall(_NUM, numbers))


def _ordinal(word: str) -> int:
    """ "5th" -> 5, "third" -> 3."""
    m = _ORDINAL_NUMBER.match(word)
    assert m is not None  # _ORD matches a number or a word of _ORDINAL_WORDS
    return int(m.group(1)) if m.group(1) else _ORDINAL_WORDS[m.group().lower()]


def _treatment_total(text: str) -> _Length | None:
    """ "8 weeks of treatment and 2 months after the end of treatment": the two added, in
    their shared unit, else in days (a month is 30.4375 days, rounded to the nearest day)."""
    after = [
        _Length(float(m["a"]), _UNIT_WORDS[m["unit"].lower()], m.start())
        for m in _AFTER_TREATMENT.finditer(text)
    ]
    if not after:
        return None
    during = [
        _Length(float(m["a"] or m["b"]), _UNIT_WORDS[(m["unit"] or m["unit2"]).lower()], m.start())
        for m in _TREATMENT_LENGTH.finditer(text)
    ]
    if not during:
        return None
    first = max(during, key=lambda x: x.days)
    then = max(after, key=lambda x: x.days)
    start = min(first.start, then.start)
    if first.unit == then.unit:
        return _Length(first.amount + then.amount, first.unit, start)
    return _Length(float(round(first.days + then.days)), "D", start)


class _Scan:
    """The lengths one time frame states, with what excludes a number from being one."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cycle_length, self.excluded = _cycle_days(text)
        self.found: list[_Length] = []

    def usable(self, start: int, end: int) -> bool:
        """Not a cycle length, a frequency ("every 6 weeks"), an offset before the anchor, a
        day within a cycle or a week of gestation."""
        text = self.text
        if any(s <= start < e for s, e in self.excluded):
            return False
        if _FREQUENCY_BEFORE.search(text[max(0, start - 20) : start]):
            return False
        return not (_BEFORE_ANCHOR_AFTER.match(text, end) or _WITHIN.match(text, end))

    def add(self, amount: float, unit: str, start: int) -> None:
        self.found.append(_Length(amount, _UNIT_WORDS[unit.lower()], start))

    def amounts(self) -> None:
        """ "28 days", "3-month", "12m"."""
        text = self.text
        for m in _AMOUNT_UNIT.finditer(text):
            if not self.usable(m.start(), m.end()):
                continue
            before = text[max(0, m.start() - 8) : m.start()]
            if _AFTER_CYCLE.search(before) or (m["short"] and _NAME_HYPHEN.search(before)):
                continue
            self.add(max(float(m["a"]), float(m["b"] or 0)), m["unit"] or m["short"], m.start())

    def time_points(self) -> None:
        """ "Month 12", "Weeks 2, 4 and 8"; not "Cycle 1 Day 1", a day within a cycle."""
        text = self.text
        for m in _UNIT_AMOUNT.finditer(text):
            if not self.usable(m.start(), m.end()):
                continue
            if _IN_CYCLE.search(text[max(0, m.start() - 16) : m.start()]):
                continue
            self.add(_largest(m["a"]), m["unit"], m.start())

    def ordinals(self) -> None:
        """ "On the 5th day", "the 4th and 8th week"."""
        for m in _ORDINAL_UNIT.finditer(self.text):
            if not self.usable(m.start(), m.end()):
                continue
            amount = max(_ordinal(w) for w in re.findall(_ORD, m["list"], re.IGNORECASE))
            self.add(float(amount), m["unit"], m.start())

    def cycles(self) -> None:
        """ "Cycle 6" when a cycle length lets cycles be counted in days."""
        if self.cycle_length is None:
            return
        for m in _CYCLE_NUMBER.finditer(self.text):
            if any(s <= m.start() < e for s, e in self.excluded):
                continue
            cycles = max(int(m.group("n")), int(m.group("m") or 0))
            self.found.append(_Length(cycles * self.cycle_length, "D", m.start()))


def _lengths(text: str) -> list[_Length]:
    """Every length the text states, with frequencies, cycle days and cycle lengths removed."""
    scan = _Scan(text)
    scan.amounts()
    scan.time_points()
    scan.ordinals()
    scan.cycles()
    total = _treatment_total(text)
    if total is not None:
        scan.found.append(total)
    return scan.found


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
    >>> parse_duration("On the 5th day")
    'P5D'
    >>> parse_duration("after 8 weeks of treatment and 2 months after the end of treatment")
    'P117D'
    """
    if not text or not text.strip():
        return None
    lengths = _lengths(_clean(text))
    if not lengths:
        return None
    # The longest in days; among equal ones, the first written.
    best = max(lengths, key=lambda x: (x.days, -x.start))
    return best.iso()
