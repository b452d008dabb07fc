"""Lookup benchmark: the catalogue's lookups on named values, against the 100 ms target.

Each lookup runs with pyoxigraph directly on the store (best of five, rows consumed) and
through ``trialgraph query`` in a fresh process (median of three, start-up included). The
values are names a user would type, in the corpus that ``bench/generate.py`` builds: a
condition as a record wrote it (in its own case and in capitals), a disease name, a
product as written and the most frequent one, a target, a trial, a sponsor, the landscape
of a target, condition and product, and names that match nothing.

Usage::

    python bench/lookups.py --n 100000 --workdir /tmp/trialgraph-bench

The store is the one ``bench/query.py`` builds (``query-store-N`` in the work directory;
built here if missing; delete it after a mapping change). Figures are printed and appended
to ``bench/results/lookups.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from pyoxigraph import Store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import TRIALGRAPH, machine  # noqa: E402
from bench.query import median_time, solutions, store_for  # noqa: E402
from trialgraph.queries import load_query  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "lookups.jsonl"

#: (query, parameters): values that exist in generated corpora, and two that do not.
CASES: list[tuple[str, dict[str, str]]] = [
    ("trials-by-condition", {"condition": "Nasopharynx Cancer"}),
    ("trials-by-condition", {"condition": "NASOPHARYNX CANCER"}),
    ("trials-by-condition", {"condition": "pancreatic cancer"}),
    ("trials-by-condition", {"condition": "no such disease"}),
    ("trials-by-product", {"product": "U87 CAR-T"}),
    ("trials-by-product", {"product": "docetaxel"}),
    ("trials-by-product", {"product": "no such product"}),
    ("trials-by-target", {"target": "BCMA"}),
    ("trials-by-target", {"target": "PD-1"}),
    # a target the drug table gives (pemetrexed) and one only record text names
    ("trials-by-target", {"target": "TYMS"}),
    ("trials-by-target", {"target": "CLDN18.2"}),
    ("trial-profile", {"trial_id": "NCT90092665"}),
    # the landscape facets: a sponsor of about 1,000 trials, written as a user might, the
    # most frequent one, a part of many names; the target above by phase and status
    ("trials-by-sponsor", {"sponsor": "hoffmann la roche"}),
    ("trials-by-sponsor", {"sponsor": "Pfizer Inc."}),
    ("trials-by-sponsor", {"sponsor": "no such sponsor"}),
    ("landscape", {"target": "BCMA"}),
    ("landscape", {"condition": "Nasopharynx Cancer"}),
    ("landscape", {"product": "docetaxel"}),
    ("sponsors-by-target", {"target": "BCMA"}),
    ("sponsors-by-target", {"target": "CLDN18.2"}),
    ("trials-by-target", {"target": "BCMA", "phase": "Phase 2", "status": "recruiting"}),
]


def direct(store: Store, sparql: str, runs: int = 5) -> tuple[int, float]:
    """Rows and best time of the query run in this process."""
    best, rows = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = len(solutions(store, sparql))
        best = min(best, time.perf_counter() - started)
    return rows, best


def through_cli(path: Path, name: str, params: dict[str, str], runs: int = 3) -> float:
    """Median time of ``trialgraph query`` in a fresh process, output discarded."""
    options = [f"--param={k}={v}" for k, v in params.items()]
    command = [str(TRIALGRAPH), "query", name, "--store", str(path), "--format", "csv"]
    run = partial(subprocess.run, [*command, *options], check=True, stdout=subprocess.DEVNULL)
    return median_time(run, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="trials in the store")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    args = parser.parse_args()
    path = store_for(args.workdir, args.n)
    about = {**machine(), "n": args.n}
    print(json.dumps(about))
    store = Store.read_only(str(path))
    figures = []
    for name, params in CASES:
        rows, seconds = direct(store, load_query(name).bind(params))
        figures.append({"query": name, **params, "rows": rows, "pyoxigraph_s": round(seconds, 4)})
    del store  # release the store before the CLI opens it
    for figure, (name, params) in zip(figures, CASES, strict=True):
        figure["cli_s"] = round(through_cli(path, name, params), 3)
        print(json.dumps(figure), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        for figure in figures:
            out.write(json.dumps({**about, **figure}) + "\n")


if __name__ == "__main__":
    main()
