"""Condition recognition scored against a hand-annotated gold table.

A gold table (``tests/gold/conditions.tsv`` is the project's; its header explains the
columns) gives each sampled condition mention's right identifiers (any one of them is
right), its kind and its qualifiers. The conditions of each record are normalized as an
ingest normalizes them, and the figures are printed per set:

- *identified*: mentions given an identifier, of all mentions;
- *ids right*: identifiers given that the gold lists (the concept's own CURIE or one of its
  cross-references), of all identifiers given — an identifier for a mention the gold
  leaves empty is wrong;
- *recall*: mentions the gold identifies that get a right identifier;
- *kind*, *qualifiers*: equal to the gold's (qualifiers as a set).

The test suite holds the project's gold to fixed targets; the same command scores any other
annotated export::

    python -m bench.gold_conditions GOLD.tsv SOURCE... [--misses]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bench.gold import cells, run, share
from trialgraph.normalize.conditions import normalize_conditions
from trialgraph.normalize.lexicon import squash
from trialgraph.normalize.model import Condition
from trialgraph.records import TrialRecord

__all__ = ["ConditionScore", "score_conditions"]


@dataclass
class ConditionScore:
    """Counts behind the figures, for one group of condition mentions."""

    rows: int = 0
    identified: int = 0
    ids_right: int = 0
    gold_identified: int = 0
    recalled: int = 0
    kind_right: int = 0
    qualifiers_right: int = 0

    @property
    def coverage(self) -> float:
        return share(self.identified, self.rows)

    @property
    def precision(self) -> float:
        return share(self.ids_right, self.identified)

    @property
    def recall(self) -> float:
        return share(self.recalled, self.gold_identified)

    @property
    def kinds(self) -> float:
        return share(self.kind_right, self.rows)

    @property
    def qualifiers(self) -> float:
        return share(self.qualifiers_right, self.rows)

    def line(self, name: str) -> str:
        return (
            f"{name:<20} mentions {self.rows:>3}  identified {self.coverage:.2f}  ids right "
            f"{self.precision:.2f} ({self.ids_right}/{self.identified})  recall "
            f"{self.recall:.2f} of {self.gold_identified}  kind {self.kinds:.2f}  "
            f"qualifiers {self.qualifiers:.2f}"
        )


def _add(
    row: dict[str, str], condition: Condition, score: ConditionScore, misses: Counter[str]
) -> None:
    gold = set(cells(row["ids"]))
    where = f"<- {row['trial']} {condition.text[:90]!r}"
    score.rows += 1
    score.gold_identified += bool(gold)
    if condition.curie:
        score.identified += 1
        right = bool(gold.intersection((condition.curie, *condition.xrefs)))
        score.ids_right += right
        score.recalled += right
        if not right:
            wanted = "|".join(sorted(gold)) or "none"
            misses[f"id {condition.curie} {condition.label!r} != {wanted} {where}"] += 1
    elif gold:
        misses[f"id missed {'|'.join(sorted(gold))} {where}"] += 1
    if condition.kind == row["kind"]:
        score.kind_right += 1
    else:
        misses[f"kind {condition.kind} != {row['kind'] or '-'} {where}"] += 1
    if set(condition.qualifiers) == set(cells(row["qualifiers"])):
        score.qualifiers_right += 1
    else:
        given = "|".join(condition.qualifiers) or "-"
        misses[f"qualifiers {given} != {row['qualifiers'] or '-'} {where}"] += 1


def score_conditions(
    rows: Iterable[dict[str, str]], records: dict[str, TrialRecord], groups: dict[str, set[str]]
) -> tuple[dict[str, ConditionScore], Counter[str], int]:
    """Scores for all rows and each group (a name and the gold ``set`` values in it), every
    wrong or missed fact, and how many rows named no condition of a record read."""
    scores = {"all": ConditionScore(), **{name: ConditionScore() for name in groups}}
    misses: Counter[str] = Counter()
    normalized: dict[str, list[Condition]] = {}
    unmatched = 0
    for row in rows:
        record = records.get(row["trial"])
        n = int(row["n"]) if row["n"].isdigit() else 0
        if record is None or not 0 < n <= len(record.conditions):
            unmatched += 1
            continue
        if squash(record.conditions[n - 1]) != squash(row["text"]):
            unmatched += 1
            continue
        if row["trial"] not in normalized:
            normalized[row["trial"]] = normalize_conditions(record)
        condition = normalized[row["trial"]][n - 1]
        _add(row, condition, scores["all"], misses)
        for name, members in groups.items():
            if row["set"] in members:
                _add(row, condition, scores[name], Counter())
    return scores, misses, unmatched


if __name__ == "__main__":
    run((__doc__ or "").split("\n\n")[0], score_conditions)
