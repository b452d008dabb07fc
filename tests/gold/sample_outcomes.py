"""Print the outcome measures sampled for the hand-annotated gold set (``outcomes.tsv``).

Each set's trial ids are sorted and shuffled with a fixed seed; trials are taken in that order,
each with all its outcomes (primary, secondary, other) in record order, until the set's quota
is reached. The output, one ``set<TAB>trial<TAB>role<TAB>n<TAB>measure<TAB>time_frame`` line
per sampled outcome, is the row order of the gold table. Run from the repository root:
``PYTHONPATH=src python tests/gold/sample_outcomes.py``; ``--check`` instead compares the
sample with ``outcomes.tsv``: the row keys (set, trial, role, n) must be equal; a measure or
time frame that the reader now reads differently is reported but does not fail the check (a
CSV cell the reader splits at a wrong comma changes the text, not which outcome a row is).
``--heldout DIR`` samples the held-out exports in ``DIR/records`` instead and checks against
``DIR/gold-outcomes.tsv``.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources

SEED = 20240601
HERE = Path(__file__).resolve().parent
GOLD = HERE / "outcomes.tsv"
# Where corpus files are looked for: the project's test data, then the shared corpus.
CORPUS_DIRS = tuple(HERE.parents[1] / d for d in ("tests/data", "tests/data/areas"))
CORPUS_DIRS += (HERE.parents[2] / "shared" / "corpus",)

# set name -> (corpus file or directory, minimum number of sampled outcomes; None: all)
SETS: dict[str, tuple[str, int | None]] = {
    "cardiovascular-eye": ("ctgov-csv/cardiovascular-eye.csv", 100),
    "urology": ("ctgov-zip/urology-studies.json.zip", 100),
    "seeds": ("seeds", None),
}

# The held-out exports (not shipped), relative to DIR/records.
HELDOUT: dict[str, tuple[str, int | None]] = {
    "mixed": ("mixed__Anand21J-V_Clinical-Trial-Semantic-Model-Query__ctg-studies.csv", 60),
    "psoriasis": ("psoriasis__vikassharma58_kinchabot-monitor__ctg-studies.csv", 40),
}


def corpus_file(relative: str) -> Path:
    """The first copy of a corpus file found under ``CORPUS_DIRS``."""
    found = [base / relative for base in CORPUS_DIRS if (base / relative).exists()]
    if not found:
        raise SystemExit(f"sample_outcomes: {relative} not found under {CORPUS_DIRS}")
    return found[0]


def flat(text: str) -> str:
    """``text`` on one line: tabs and line ends become spaces."""
    return " ".join(text.replace("\t", " ").splitlines()).strip()


def sample_set(path: Path, quota: int | None) -> list[tuple[str, str, int, str, str]]:
    """(trial, role, n, measure, time frame) of one set's sampled outcomes, in sampled order.

    ``n`` is the outcome's 1-based index among its trial's outcomes in record order.
    """
    items = read_sources([str(path)])
    records = {r.trial_id: r for r in items if isinstance(r, TrialRecord)}
    order = sorted(records)
    random.Random(SEED).shuffle(order)
    rows: list[tuple[str, str, int, str, str]] = []
    for trial in order:
        if quota is not None and len(rows) >= quota:
            break
        for n, out in enumerate(records[trial].outcomes, 1):
            rows.append((trial, out.role, n, flat(out.measure), flat(out.time_frame)))
    return rows


def sample(sets: dict[str, tuple[Path, int | None]]) -> list[str]:
    """The sampled rows of every set as tab-separated key lines."""
    return [
        f"{name}\t{trial}\t{role}\t{n}\t{measure}\t{frame}"
        for name, (path, quota) in sets.items()
        for trial, role, n, measure, frame in sample_set(path, quota)
    ]


def gold_rows(gold: Path) -> list[list[str]]:
    """The first six columns of each data row of a gold table."""
    lines = gold.read_text("utf-8").splitlines()
    rows = [line for line in lines if line and not line.startswith("#")]
    return [row.split("\t")[:6] for row in rows[1:]]


def check(rows: list[str], gold: Path) -> None:
    """Exit 1 unless the sampled row keys equal the table's; report changed texts."""
    sampled = [row.split("\t") for row in rows]
    table = gold_rows(gold)
    if [r[:4] for r in sampled] != [r[:4] for r in table]:
        raise SystemExit(f"sample_outcomes: the sample and {gold.name} differ")
    changed = [s for s, t in zip(sampled, table, strict=True) if s[4:] != t[4:]]
    for row in changed:
        sys.stdout.write(f"text differs: {' '.join(row[:4])}\n")
    summary = f"{len(rows)} rows match {gold.name} ({len(changed)} texts differ)"
    sys.stdout.write(f"sample_outcomes: {summary}\n")


def chosen_sets(args: list[str]) -> tuple[dict[str, tuple[Path, int | None]], Path]:
    """The sets to sample and the gold table to check: shipped, or ``--heldout DIR``'s."""
    if "--heldout" not in args:
        return {k: (corpus_file(f), q) for k, (f, q) in SETS.items()}, GOLD
    base = Path(args[args.index("--heldout") + 1])
    sets = {k: (base / "records" / f, q) for k, (f, q) in HELDOUT.items()}
    return sets, base / "gold-outcomes.tsv"


def main() -> None:
    """Print the sample, or with ``--check`` exit 1 unless it matches the gold table's rows."""
    args = sys.argv[1:]
    sets, gold = chosen_sets(args)
    rows = sample(sets)
    if "--check" not in args:
        sys.stdout.write("".join(f"{row}\n" for row in rows))
        return
    check(rows, gold)


if __name__ == "__main__":
    main()
