"""Print the interventions sampled for the hand-annotated gold set (``interventions.tsv``).

Each corpus set's trial ids are sorted and shuffled with a fixed seed; trials are taken in that
order, each with all its drug-like interventions, until the set's quota is reached. The output,
one ``set<TAB>trial<TAB>intervention`` line per sampled intervention, is the row order of the
gold table. Run from the repository root: ``PYTHONPATH=src python tests/gold/sample.py``;
``--check`` instead compares the sample with the first three columns of ``interventions.tsv``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources

SEED = 20240601
DRUG_TYPES = frozenset({"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "DIETARY_SUPPLEMENT"})
ROOT = Path(__file__).resolve().parents[2]
GOLD = Path(__file__).resolve().with_name("interventions.tsv")
CORPUS_DIRS = (
    ROOT / "tests" / "data",
    ROOT / "tests" / "data" / "areas",
    ROOT.parent / "shared" / "corpus",
)

# set name -> (corpus file, minimum number of sampled interventions)
SETS: dict[str, tuple[str, int]] = {
    "cardiovascular-eye": ("ctgov-csv/cardiovascular-eye.csv", 85),
    "urology": ("ctgov-zip/urology-studies.json.zip", 85),
    "oncology-a": ("ctgov-csv/oncology-a.csv", 20),
    "oncology-b": ("ctgov-csv/oncology-b.csv", 20),
    "nsclc": ("ctgov-json/nsclc-studies.json", 20),
}

# Interventions the record types otherwise (OTHER, DEVICE, ...) that combine a drug with
# something else, found by reading every intervention of the sampled trials.
EXTRA: frozenset[tuple[str, str]] = frozenset(
    {("NCT04623840", "Tadalafil 5Mg Tab + continuous and interval exercise")}
)


def corpus_file(relative: str) -> Path:
    """The first copy of a corpus file found in the project's test data or the shared corpus."""
    for base in CORPUS_DIRS:
        if (base / relative).exists():
            return base / relative
    raise SystemExit(f"sample: {relative} not found under {', '.join(map(str, CORPUS_DIRS))}")


def sample_set(relative: str, quota: int) -> list[tuple[str, str]]:
    """(trial id, intervention name) pairs of one set, in sampled order, duplicates dropped."""
    items = read_sources([str(corpus_file(relative))])
    records = {r.trial_id: r for r in items if isinstance(r, TrialRecord)}
    order = sorted(records)
    random.Random(SEED).shuffle(order)
    rows: list[tuple[str, str]] = []
    for trial in order:
        if len(rows) >= quota:
            break
        for item in records[trial].interventions:
            row = (trial, item.name)
            wanted = item.type in DRUG_TYPES or row in EXTRA
            if wanted and row not in rows:
                rows.append(row)
    return rows


def sample() -> list[str]:
    """The sampled rows of every set as ``set<TAB>trial<TAB>intervention`` lines."""
    return [
        f"{name}\t{trial}\t{intervention}"
        for name, (relative, quota) in SETS.items()
        for trial, intervention in sample_set(relative, quota)
    ]


def gold_keys() -> list[str]:
    """The first three columns of each data row of the gold table."""
    lines = GOLD.read_text("utf-8").splitlines()
    rows = [line for line in lines if line and not line.startswith("#")]
    return ["\t".join(row.split("\t")[:3]) for row in rows[1:]]


def main() -> None:
    """Print the sample, or with ``--check`` exit 1 unless it matches the gold table's rows."""
    rows = sample()
    if "--check" not in sys.argv[1:]:
        sys.stdout.write("".join(f"{row}\n" for row in rows))
        return
    if rows != gold_keys():
        raise SystemExit("sample: the sample and interventions.tsv differ")
    sys.stdout.write(f"sample: {len(rows)} rows match interventions.tsv\n")


if __name__ == "__main__":
    main()
