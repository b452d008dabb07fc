"""Print the condition mentions sampled for the hand-annotated gold set (``conditions.tsv``).

Each set's trial ids are sorted and shuffled with a fixed seed; trials are taken in that order,
each with every condition text it lists, in record order, until the set's quota is reached (a
trial is always taken whole). The output, one ``set<TAB>trial<TAB>n<TAB>text`` line per mention
(``n`` is the 1-based position of the condition in the trial's list), is the row order of the
gold table. It shares the seed and the corpus look-up of ``tests/gold/sample.py``. Run from the
repository root: ``PYTHONPATH=src python -m tests.gold.sample_conditions``; ``--check`` instead
compares the sample with the first four columns of ``conditions.tsv``. ``--heldout`` does the
same for the held-out exports that are not shipped (under ``/work/heldout``, or the directory
given as ``--heldout=DIR``) and their table ``gold-conditions.tsv`` there.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from tests.gold.sample import SEED, corpus_file

from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources

GOLD = Path(__file__).resolve().with_name("conditions.tsv")
HELDOUT_DIR = Path("/work/heldout")
HELDOUT_GOLD = "gold-conditions.tsv"

# set name -> (file or directory, minimum number of sampled mentions; None takes every trial)
SETS: dict[str, tuple[str, int | None]] = {
    "cardiovascular-eye": ("ctgov-csv/cardiovascular-eye.csv", 50),
    "urology": ("ctgov-zip/urology-studies.json.zip", 50),
    "seeds": ("seeds", None),
}
HELDOUT_SETS: dict[str, tuple[str, int | None]] = {
    "mixed": ("records/mixed__Anand21J-V_Clinical-Trial-Semantic-Model-Query__ctg-studies.csv", 40),
    "mixed-digital": ("records/mixed-digital__UserZetsu_dtx-analysis__ctg-studies.json", 20),
}


def sample_set(path: Path, quota: int | None) -> list[tuple[str, int, str]]:
    """(trial id, position, condition text) triples of one set, in sampled order."""
    items = read_sources([str(path)])
    records = {r.trial_id: r for r in items if isinstance(r, TrialRecord)}
    order = sorted(records)
    random.Random(SEED).shuffle(order)
    rows: list[tuple[str, int, str]] = []
    for trial in order:
        if quota is not None and len(rows) >= quota:
            break
        rows.extend((trial, n, text) for n, text in enumerate(records[trial].conditions, 1))
    return rows


def sample(sets: dict[str, tuple[str, int | None]], locate: Path | None) -> list[str]:
    """The sampled mentions of every set as ``set<TAB>trial<TAB>n<TAB>text`` lines.

    ``locate`` is the directory the set paths are relative to; ``None`` looks them up in the
    project's corpus directories.
    """
    rows: list[str] = []
    for name, (relative, quota) in sets.items():
        path = corpus_file(relative) if locate is None else locate / relative
        rows.extend(f"{name}\t{t}\t{n}\t{text}" for t, n, text in sample_set(path, quota))
    return rows


def gold_keys(gold: Path) -> list[str]:
    """The first four columns of each data row of a gold table."""
    lines = gold.read_text("utf-8").splitlines()
    rows = [line for line in lines if line and not line.startswith("#")]
    return ["\t".join(row.split("\t")[:4]) for row in rows[1:]]


def main() -> None:
    """Print the sample, or with ``--check`` exit 1 unless it matches the gold table's rows."""
    args = sys.argv[1:]
    heldout = [a for a in args if a == "--heldout" or a.startswith("--heldout=")]
    if heldout:
        base = Path(heldout[0].partition("=")[2] or HELDOUT_DIR)
        rows, gold = sample(HELDOUT_SETS, base), base / HELDOUT_GOLD
    else:
        rows, gold = sample(SETS, None), GOLD
    if "--check" not in args:
        sys.stdout.write("".join(f"{row}\n" for row in rows))
        return
    if rows != gold_keys(gold):
        raise SystemExit(f"sample_conditions: the sample and {gold.name} differ")
    sys.stdout.write(f"sample_conditions: {len(rows)} rows match {gold.name}\n")


if __name__ == "__main__":
    main()
