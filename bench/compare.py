"""Two checkouts of trialgraph on the same store, query by query, run alternately.

Timings on a shared machine drift over minutes; running each query through ``trialgraph
query`` from one checkout, then the other, and the other way round on the next round,
spreads the drift over both. Parameters are chosen as ``bench/query.py`` chooses them.

Usage::

    python bench/compare.py OLD_CHECKOUT NEW_CHECKOUT trial-products trials-by-condition \\
        --n 100000 --runs 5 --workdir /tmp/trialgraph-bench

Each checkout runs with its own ``src`` first on ``PYTHONPATH`` and this interpreter's
``trialgraph`` command. Prints a markdown row per query: medians before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pyoxigraph import Store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import TRIALGRAPH  # noqa: E402
from bench.query import parameters, store_for  # noqa: E402
from trialgraph.queries import catalogue  # noqa: E402


def timed(checkout: Path, name: str, options: list[str], store: Path) -> float:
    """Seconds of one ``trialgraph query NAME`` run from ``checkout``, output discarded."""
    command = [str(TRIALGRAPH), "query", name, "--store", str(store), "--format", "csv"]
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    started = time.perf_counter()
    subprocess.run(
        [*command, *options], cwd=checkout, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the checkout measured first ('before')")
    parser.add_argument("new", type=Path, help="the other checkout ('after')")
    parser.add_argument("queries", nargs="+", help="catalogue query names")
    parser.add_argument("--n", type=int, default=100_000, help="trials in the store")
    parser.add_argument("--runs", type=int, default=5, help="runs per query and checkout")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    args = parser.parse_args()
    store = store_for(args.workdir, args.n)
    opened = Store.read_only(str(store))
    values = parameters(opened)
    del opened
    queries = catalogue()
    times: dict[tuple[Path, str], list[float]] = {}
    for run in range(args.runs):
        order = (args.old, args.new) if run % 2 == 0 else (args.new, args.old)
        for name in args.queries:
            params = [p for p in queries[name].params if p.name in values]
            options = [f"--param={p.name}={values[p.name]}" for p in params]
            for checkout in order:
                seconds = timed(checkout, name, options, store)
                times.setdefault((checkout, name), []).append(seconds)
    print("| query | before | after | after / before |\n|---|---|---|---|")
    for name in args.queries:
        before = statistics.median(times[(args.old, name)])
        after = statistics.median(times[(args.new, name)])
        print(f"| {name} | {before:.2f} s | {after:.2f} s | {after / before:.2f} |")


if __name__ == "__main__":
    main()
