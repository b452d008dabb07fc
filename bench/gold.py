"""Intervention recognition scored against a hand-annotated gold table.

A gold table (``tests/gold/interventions.tsv`` is the project's; its header explains the
columns) names records' interventions with their expected ingredients, modalities and
targets. The recognizers run over each whole record, as an ingest does, and the figures
(target recall and precision, modality, combinations split, ingredients) are printed per
group of rows: the test suite holds the project's gold to fixed targets, and the same
command scores any other annotated export::

    python -m bench.gold GOLD.tsv SOURCE... [--misses]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from trialgraph.normalize.lexicon import squash
from trialgraph.normalize.trial import NormalizedTrial, normalize_record
from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources

_NOT_INGREDIENTS = frozenset({"procedure", "device", "behavioral", "radiation", "diagnostic"})

__all__ = [
    "Row",
    "Score",
    "cells",
    "gold_rows",
    "gold_table",
    "records_by_trial",
    "report",
    "run",
    "score",
    "score_row",
    "share",
]


@dataclass(frozen=True)
class Row:
    set: str
    trial: str
    intervention: str
    ingredients: tuple[str, ...]
    modalities: tuple[str, ...]
    targets: frozenset[str]


def cells(value: str) -> tuple[str, ...]:
    """The ``|``-separated values of a gold cell."""
    return tuple(v.strip() for v in value.split("|") if v.strip())


def gold_table(path: Path) -> list[dict[str, str]]:
    """The rows of a gold table as dicts (``#`` lines are comments; the first other line is
    the header; missing trailing cells are empty)."""
    rows = []
    header: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if header is None:
            header = parts
            continue
        rows.append(dict(zip(header, parts + [""] * (len(header) - len(parts)), strict=True)))
    return rows


def _row(row: dict[str, str]) -> Row:
    return Row(
        set=row["set"],
        trial=row["trial"],
        intervention=row["intervention"],
        ingredients=cells(row["ingredients"]),
        modalities=cells(row["modalities"]),
        targets=frozenset(cells(row["targets"])),
    )


def gold_rows(path: Path) -> list[Row]:
    """The rows of an intervention gold table."""
    return [_row(row) for row in gold_table(path)]


@dataclass
class Score:
    """Counts behind the figures, for one group of rows."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    modality_right: int = 0
    modality_rows: int = 0
    combos: int = 0
    combos_split: int = 0
    ingredients_right: int = 0
    rows: int = 0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def modality(self) -> float:
        return self.modality_right / self.modality_rows if self.modality_rows else 1.0

    @property
    def split(self) -> float:
        return self.combos_split / self.combos if self.combos else 1.0

    def line(self, name: str) -> str:
        return (
            f"{name:<22} rows {self.rows:>3}  target recall {self.recall:.2f} precision "
            f"{self.precision:.2f} (tp {self.tp}, fp {self.fp}, fn {self.fn})  modality "
            f"{self.modality:.2f} of {self.modality_rows}  combinations split {self.split:.2f} "
            f"of {self.combos}  ingredients {self.ingredients_right}/{self.rows}"
        )


@cache
def _normalized(record: TrialRecord) -> NormalizedTrial:
    return normalize_record(record)


def score_row(row: Row, record: TrialRecord, score: Score, misses: Counter[str]) -> None:
    """Add one gold row to ``score``; each wrong or missed fact to ``misses``."""
    normalized = _normalized(record)
    index = next(i for i, iv in enumerate(record.interventions) if iv.name == row.intervention)
    found = normalized.interventions[index]
    predicted = {
        m.target.symbol for m in normalized.mentions if m.intervention == index and not m.population
    }
    score.rows += 1
    score.tp += len(predicted & row.targets)
    score.fp += len(predicted - row.targets)
    score.fn += len(row.targets - predicted)
    for symbol in predicted - row.targets:
        misses[f"fp {symbol} <- {row.intervention}"] += 1
    for symbol in row.targets - predicted:
        misses[f"fn {symbol} <- {row.intervention}"] += 1
    # the gold's ingredients are drugs: a procedure, device or behavioural part given with
    # one ("Tadalafil + interval exercise") is no ingredient
    products = [p for p in found.products if p.modality not in _NOT_INGREDIENTS]
    products = products or list(found.products)
    names = tuple(squash(p.label) for p in products)
    if row.ingredients and names == tuple(squash(i) for i in row.ingredients):
        score.ingredients_right += 1
    if len(row.ingredients) > 1:
        score.combos += 1
        split = len(products) == len(row.ingredients)
        score.combos_split += split
        if not split:
            parts = [p.label for p in products]
            misses[f"split {parts} != {list(row.ingredients)} <- {row.intervention}"] += 1
    if row.modalities and len(row.modalities) == len(row.ingredients or row.modalities):
        score.modality_rows += 1
        if len(products) == 1:
            predicted_modalities = [products[0].modality or found.modality]
        else:
            predicted_modalities = [p.modality or found.modality for p in products]
        if sorted(map(str, predicted_modalities)) == sorted(row.modalities):
            score.modality_right += 1
        else:
            wrong = f"modality {predicted_modalities} != {list(row.modalities)}"
            misses[f"{wrong} <- {row.intervention}"] += 1


def records_by_trial(sources: Iterable[str]) -> dict[str, TrialRecord]:
    """The records of the sources by trial id (the NCT id where the record has one)."""
    return {r.trial_id: r for r in read_sources(list(sources)) if isinstance(r, TrialRecord)}


def score(
    rows: Iterable[Row], records: dict[str, TrialRecord], groups: dict[str, set[str]]
) -> tuple[dict[str, Score], Counter[str]]:
    """Scores for all rows and for each group (a name and the gold ``set`` values in it);
    rows whose record is missing are skipped."""
    scores = {"all": Score(), **{name: Score() for name in groups}}
    misses: Counter[str] = Counter()
    for row in rows:
        record = records.get(row.trial)
        if record is None or not any(iv.name == row.intervention for iv in record.interventions):
            continue
        score_row(row, record, scores["all"], misses)
        for name, members in groups.items():
            if row.set in members:
                score_row(row, record, scores[name], Counter())
    return scores, misses


class _Scored(Protocol):
    def line(self, name: str) -> str: ...


ScoreFunction = Callable[
    [list[dict[str, str]], dict[str, TrialRecord], dict[str, set[str]]],
    tuple[Mapping[str, _Scored], Counter[str], int],
]


def share(part: int, whole: int) -> float:
    """``part / whole``, or 1.0 when there is nothing to count."""
    return part / whole if whole else 1.0


def report(scores: Mapping[str, _Scored], misses: Counter[str], unmatched: int = 0) -> str:
    """The scores, one line per group, then every wrong or missed fact."""
    lines = [result.line(name) for name, result in scores.items()]
    if unmatched:
        lines.append(f"{unmatched} gold rows name nothing in the records read")
    return "\n".join(lines + [f"    {text}" for text in sorted(misses)])


def run(description: str, score_table: ScoreFunction, argv: list[str] | None = None) -> None:
    """The command line of a gold scorer: score a gold table against the records of some
    sources, one line per set, then (``--misses``) every wrong or missed fact."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("gold", type=Path, help="the gold table (TSV)")
    parser.add_argument("sources", nargs="+", help="files or folders holding the records")
    parser.add_argument("--misses", action="store_true", help="list every wrong or missed fact")
    args = parser.parse_args(argv)
    rows = gold_table(args.gold)
    sets = {row["set"]: {row["set"]} for row in rows}
    scores, misses, unmatched = score_table(rows, records_by_trial(args.sources), sets)
    print(report(scores, misses if args.misses else Counter(), unmatched))


def _score_interventions(
    rows: list[dict[str, str]], records: dict[str, TrialRecord], groups: dict[str, set[str]]
) -> tuple[dict[str, Score], Counter[str], int]:
    gold = [_row(row) for row in rows]
    scores, misses = score(gold, records, groups)
    return scores, misses, len(gold) - scores["all"].rows


if __name__ == "__main__":
    run((__doc__ or "").split("\n\n")[0], _score_interventions)
