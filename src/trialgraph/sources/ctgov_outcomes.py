"""Outcome cells of the CSV export and of the plaintext layout (one encoding), read into
the three fields the API v2 JSON gives.

ClinicalTrials.gov writes each outcome as its non-empty fields joined by ``", "`` (measure,
description, time frame) and joins the outcomes of a cell by ``"|"``. No outcome field of
the JSON holds a ``|``, so every ``|`` ends an outcome, whatever brackets an author left
open; only a markdown-escaped ``\\|`` is a pipe in a field. Inside an outcome the fields
themselves hold commas, so the cuts are chosen by shape:

- The time frame is the last part, extended backwards over parts that read as time (time
  points, "Through study completion, an average of 2 years", "0 (Pre-dose), 15, 30 and 60
  minutes post dose") and over a part that a lowercase head continues; never over the end
  of a sentence. A lone last part that is a long sentence naming no time is a description.
- The measure is the first part, extended over the parts of a list it ends ("Time to First
  Stroke, Systemic Embolism, or All-Cause Mortality") and over short lowercase clauses
  ("ORR, as assessed by Investigators"); the description is what lies between, verbatim.
"""

from __future__ import annotations

import re

from trialgraph.normalize.durations import parse_duration
from trialgraph.records import Outcome, OutcomeRole
from trialgraph.text import clean_split

__all__ = ["read_outcome_cell", "split_fields"]

_SEPARATOR = re.compile(r",\s+")
# An outcome ends at a "|" the writer did not escape ("\|" is a pipe in a field).
_OUTCOME_END = re.compile(r"(?<!\\)\|")
# Brackets, and escaped characters that are none.
_BRACKET = re.compile(r"\\.|[()\[\]]")
_CLOSER_OF = {")": "(", "]": "["}
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?][)\]\"'”]?$")
_LIST_END = re.compile(r"(?:and|or|&|and/or)\s", re.IGNORECASE)
_LOWER_HEAD = re.compile(r"[a-z]")
_NUMBER_ONLY = re.compile(r"[~≥>< ]*\d+(?:\.\d+)?\s*(?:\([^()]*\))?$")
_TIME_POINT = (
    r"baseline|base line|screening|enrol{1,2}ment|randomi[sz]ation|registration|"
    r"(?:pre|post)-?(?:operative(?:ly)?|dose|treatment|procedure|intervention|surgery|implant)|"
    r"end of (?:the )?(?:study|treatment|trial|intervention|follow-?up)|"
    r"(?:cycle|day|week|month|year|hour|visit)s? ?-?\d+(?:\.\d+)?|"
    r"c\d+d\d+|[dwmvt]\d+|\d+(?:st|nd|rd|th)\b"
)
# The head of a part that reads as the start of a time frame.
_TIME_HEAD = re.compile(
    rf"(?:[~≥><]?\s*-?\d|(?:(?:performed|assessed|evaluated|measured|collected) )?"
    rf"(?:through(?:out)?|from|up to|until|till|every|each|at|within|during|after|"
    rf"prior to|approximately|time (?:zero|from|points?|\d)|{_TIME_POINT})\b)",
    re.IGNORECASE,
)
# The head of a part that continues a time frame begun before it.
_TIME_CONTINUED = re.compile(
    rf"(?:[~≥><]?\s*-?\d|(?:and|or|then|at|on|after|before|an average|average|assessed|"
    rf"evaluated|measured|up to|until|through|whichever|every|followed|approximately|"
    rf"(?:the )?(?:{_TIME_POINT}))\b)",
    re.IGNORECASE,
)
_OPENS = re.compile(r"(?:Through|From|Up to|Until|Till|Within|During|Assessed|Approximately)\b")
# "From randomization until ..., whichever came first": what may follow a long time frame.
_LONG_CONTINUED = re.compile(
    r"(?:whichever|an average|average|assessed|up to|approximately)\b", re.IGNORECASE
)
# Longest part, in words, that extends a time frame (a long one only before _LONG_CONTINUED).
_TIME_PART_WORDS = 12
_LONG_TIME_PART_WORDS = 40
_LONG_TIME_PARTS = 8
_MEASURE_CLAUSE_WORDS = 8
_LIST_ITEM_WORDS = 4
_LIST_TAIL_WORDS = 12


def _timed(part: str) -> bool:
    """Whether a part reads as a time frame: it starts like one, or states a length."""
    return bool(_TIME_HEAD.match(part)) or parse_duration(part) is not None


def _extends(head: str, before: str) -> bool:
    """Whether the time frame that starts with ``head`` began in the part ``before`` it."""
    if _SENTENCE_END.search(before) or not _TIME_CONTINUED.match(head):
        return False
    if _OPENS.match(head):
        return False  # "..., Up to 36 months": a capitalized opener starts the time frame
    if _NUMBER_ONLY.match(before):
        return True
    if head[:1].isdigit() and before[-1:].isdigit():
        return len(before.split()) <= _LONG_TIME_PART_WORDS  # "on Day 1 of Cycles 6, 9, 12"
    if len(before.split()) > _TIME_PART_WORDS:
        return False
    # A part that merely names a length ("2 years Overall Survival") is a description, unless
    # a lowercase clause continues it ("6 weeks after surgery, and then every 12 weeks").
    return bool(_TIME_HEAD.match(before)) or (head[:1].islower() and _timed(before))


def _long_start(parts: list[str], k: int) -> int:
    """ "From randomization until progression, or death, whichever came first": the part
    that opens the long time frame that ``parts[k]`` continues (a lowercase clause or
    "whichever ...", "assessed up to ..."), else ``k``."""
    head = parts[k]
    if _OPENS.match(head) or not (_LONG_CONTINUED.match(head) or _LOWER_HEAD.match(head)):
        return k
    words = 0
    for j in range(k - 1, max(0, k - _LONG_TIME_PARTS - 1), -1):
        part = parts[j]
        words += len(part.split())
        if _SENTENCE_END.search(part) or words > _LONG_TIME_PART_WORDS:
            break
        if _TIME_HEAD.match(part) and not part[:1].isdigit():
            return j
        if not (_LOWER_HEAD.match(part) or _TIME_CONTINUED.match(part)):
            break
    return k


def _time_frame_start(parts: list[str]) -> int:
    """Index of the time frame's first part; ``len(parts)`` when the outcome has none."""
    last = len(parts) - 1
    tail = parts[last]
    if len(tail.split()) > _LONG_TIME_PART_WORDS and not _timed(tail):
        return len(parts)  # a description, and no time frame
    k = last
    while k > 1:
        if _extends(parts[k], parts[k - 1]):
            k -= 1
        elif (j := _long_start(parts, k)) < k:
            k = j
        else:
            break
    return max(k, 1)


def _list_tail(parts: list[str], start: int, stop: int) -> int | None:
    """ "Stroke, Systemic Embolism, or All-Cause Mortality": the index of the part that
    ends a list of short items begun before ``start`` ("or ..."), if one does."""
    for j in range(start, stop):
        words = len(parts[j].split())
        if _LIST_END.match(parts[j]):
            return j if words <= _LIST_TAIL_WORDS else None
        if words > _LIST_ITEM_WORDS or _SENTENCE_END.search(parts[j]):
            return None
    return None


def _measure_end(parts: list[str], stop: int) -> int:
    """Index of the measure's last part, before ``stop`` (the time frame's first part)."""
    end = 0
    while end + 1 < stop and not _SENTENCE_END.search(parts[end]):
        part = parts[end + 1]
        words = len(part.split())
        tail = _list_tail(parts, end + 1, stop)
        if tail is not None:
            end = tail
        elif part[:1].isdigit() and parts[end][-1:].isdigit() and words <= _LIST_ITEM_WORDS:
            end += 1  # "questions 2, 3, 4 and 5"
        elif _LOWER_HEAD.match(part) and words <= _MEASURE_CLAUSE_WORDS and end + 2 < stop:
            end += 1  # "ORR, as assessed by Investigators"
        else:
            break
    return end


def split_fields(text: str) -> tuple[str, str, str]:
    """Split one cleaned outcome, ``measure, description, time frame``, into its fields.

    >>> split_fields("Time to First Stroke, Systemic Embolism, or All-Cause Mortality, 3 years")
    ('Time to First Stroke, Systemic Embolism, or All-Cause Mortality', '', '3 years')
    >>> split_fields("ORR, Percentage of CR, PR, Through study completion, an average of 2 years")
    ('ORR', 'Percentage of CR, PR', 'Through study completion, an average of 2 years')
    >>> split_fields("Vd, Volume, 0 (Pre-dose), 15, 30 and 60 minutes post dose")
    ('Vd', 'Volume', '0 (Pre-dose), 15, 30 and 60 minutes post dose')
    """
    spans = _protected(text, _BRACKET) if "(" in text or "[" in text else []
    cuts = [m for m in _SEPARATOR.finditer(text) if not any(a < m.start() < b for a, b in spans)]
    if not cuts:
        return _fold(text), "", ""
    bounds = [0, *(pos for m in cuts for pos in (m.start(), m.end())), len(text)]
    parts = [text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    tf = _time_frame_start(parts)
    measure_end = _measure_end(parts, tf)

    def join(first: int, last: int) -> str:
        return text[bounds[2 * first] : bounds[2 * last + 1]] if first <= last else ""

    return (
        _fold(join(0, measure_end)),
        join(measure_end + 1, tf - 1).strip(),
        _fold(join(tf, len(parts) - 1)),
    )


def _protected(text: str, tokens: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of matched ``()`` / ``[]`` pairs; unmatched brackets protect nothing."""
    stack: list[tuple[str, int]] = []
    spans: list[tuple[int, int]] = []
    for m in tokens.finditer(text):
        tok = m.group()
        if tok in "([":
            stack.append((tok, m.start()))
        elif tok in ")]":
            opener = _CLOSER_OF[tok]
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == opener:
                    spans.append((stack[depth][1], m.end()))
                    del stack[depth:]
                    break
    return spans


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def read_outcome_cell(cell: str, role: OutcomeRole) -> list[Outcome]:
    """The outcomes of one cell of the CSV export or the plaintext layout (outcomes joined by
    ``|``), each field as the JSON's.

    >>> [o.measure for o in read_outcome_cell("OS (overall, 2 years|PFS, 1 year", "primary")]
    ['OS (overall', 'PFS']
    >>> [o.measure for o in read_outcome_cell(r"ORR \\| DCR, Rates, 2 years", "primary")]
    ['ORR | DCR']
    """
    outcomes: list[Outcome] = []
    for text in clean_split(cell, _OUTCOME_END):
        if text:
            outcomes.append(Outcome(role, *split_fields(text)))
    return outcomes
