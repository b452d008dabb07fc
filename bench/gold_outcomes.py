"""Outcome-measure recognition scored against a hand-annotated gold table.

A gold table (``tests/gold/outcomes.tsv`` is the project's; its header explains the columns)
gives each sampled outcome's specific endpoint codes, measure type, direction and duration.
Each outcome is classified as an ingest classifies it, and the figures are printed per set:

- *coded*: outcomes given a specific concept (:func:`~trialgraph.normalize.endpoints.is_specific`),
  of all outcomes;
- *codes right*: specific codes given that the gold names, of all specific codes given;
- *recall*: outcomes the gold codes that get at least one of the gold's codes;
- *measure type*, *direction*: equal to the gold's (empty cells included);
- *durations right*: the same length as the gold's (both empty counts as right; lengths
  compare in days, so ``P12W`` equals ``P84D``).

The test suite holds the project's gold to fixed targets; the same command scores any other
annotated export::

    python -m bench.gold_outcomes GOLD.tsv SOURCE... [--misses]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bench.gold import cells, run, share
from trialgraph.normalize.endpoints import CATCH_ALL, classify_outcome, is_specific
from trialgraph.normalize.lexicon import squash
from trialgraph.records import TrialRecord

__all__ = ["OutcomeScore", "days", "score_outcomes"]

_ISO = re.compile(r"P(?:(\d+(?:\.\d+)?)([YMWD]))?(?:T(\d+(?:\.\d+)?)([HM]))?")
_DAYS = {"Y": 365.25, "M": 30.4375, "W": 7.0, "D": 1.0}


def days(duration: str) -> float | None:
    """The length of an ISO 8601 duration as trialgraph writes them, in days.

    >>> days("P12W"), days("PT36H"), days("")
    (84.0, 1.5, None)
    """
    m = _ISO.fullmatch(duration)
    if not duration or not m:
        return None
    total = 0.0
    if m.group(1):
        total += float(m.group(1)) * _DAYS[m.group(2)]
    if m.group(3):
        total += float(m.group(3)) / (24.0 if m.group(4) == "H" else 1440.0)
    return total


def _same_length(given: str | None, gold: str) -> bool:
    if not given or not gold:
        return not given and not gold
    a, b = days(given), days(gold)
    return a is not None and b is not None and abs(a - b) <= max(1.0, 0.01 * b)


@dataclass
class OutcomeScore:
    """Counts behind the figures, for one group of outcomes."""

    rows: int = 0
    coded: int = 0
    codes_given: int = 0
    codes_right: int = 0
    gold_coded: int = 0
    recalled: int = 0
    measure_type_right: int = 0
    direction_right: int = 0
    durations_right: int = 0

    @property
    def coverage(self) -> float:
        return share(self.coded, self.rows)

    @property
    def precision(self) -> float:
        return share(self.codes_right, self.codes_given)

    @property
    def recall(self) -> float:
        return share(self.recalled, self.gold_coded)

    @property
    def durations(self) -> float:
        return share(self.durations_right, self.rows)

    @property
    def measure_types(self) -> float:
        return share(self.measure_type_right, self.rows)

    @property
    def directions(self) -> float:
        return share(self.direction_right, self.rows)

    def line(self, name: str) -> str:
        return (
            f"{name:<20} outcomes {self.rows:>3}  coded {self.coverage:.2f}  codes right "
            f"{self.precision:.2f} ({self.codes_right}/{self.codes_given})  recall "
            f"{self.recall:.2f} of {self.gold_coded}  measure type {self.measure_types:.2f}  "
            f"direction {self.directions:.2f}  durations right {self.durations:.2f}"
        )


def _add(
    row: dict[str, str], record: TrialRecord, score: OutcomeScore, misses: Counter[str]
) -> None:
    outcome = record.outcomes[int(row["n"]) - 1]
    endpoint = classify_outcome(outcome)
    gold = set(cells(row["codes"]))
    given = [c for c in endpoint.codes if c not in CATCH_ALL] if is_specific(endpoint.codes) else []
    where = f"<- {row['trial']} {outcome.measure[:90]}"
    score.rows += 1
    score.coded += bool(given)
    score.codes_given += len(given)
    score.codes_right += len(gold.intersection(given))
    score.gold_coded += bool(gold)
    score.recalled += bool(gold.intersection(given))
    for code in set(given) - gold:
        misses[f"code fp {code} {where}"] += 1
    if gold and not gold.intersection(given):
        misses[f"code fn {'|'.join(sorted(gold))} (gave {'|'.join(endpoint.codes)}) {where}"] += 1
    for name, value in (("measure_type", endpoint.measure_type), ("direction", endpoint.direction)):
        right = (value or "") == row[name]
        setattr(score, f"{name}_right", getattr(score, f"{name}_right") + right)
        if not right:
            misses[f"{name} {value or '-'} != {row[name] or '-'} {where}"] += 1
    if _same_length(endpoint.duration, row["duration"]):
        score.durations_right += 1
    else:
        frame = outcome.time_frame[:90]
        misses[f"duration {endpoint.duration or '-'} != {row['duration'] or '-'} <- {frame}"] += 1


def _matches(row: dict[str, str], record: TrialRecord | None) -> bool:
    if record is None or not row["n"].isdigit() or not 0 < int(row["n"]) <= len(record.outcomes):
        return False
    return squash(record.outcomes[int(row["n"]) - 1].measure) == squash(row["measure"])


def score_outcomes(
    rows: Iterable[dict[str, str]], records: dict[str, TrialRecord], groups: dict[str, set[str]]
) -> tuple[dict[str, OutcomeScore], Counter[str], int]:
    """Scores for all rows and each group (a name and the gold ``set`` values in it), every
    wrong or missed fact, and how many rows named no outcome of a record read."""
    scores = {"all": OutcomeScore(), **{name: OutcomeScore() for name in groups}}
    misses: Counter[str] = Counter()
    unmatched = 0
    for row in rows:
        record = records.get(row["trial"])
        if record is None or not _matches(row, record):
            unmatched += 1
            continue
        _add(row, record, scores["all"], misses)
        for name, members in groups.items():
            if row["set"] in members:
                _add(row, record, scores[name], Counter())
    return scores, misses, unmatched


if __name__ == "__main__":
    run((__doc__ or "").split("\n\n")[0], score_outcomes)
