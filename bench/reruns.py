"""Reruns that change 1% of the records, on a kept store, timed as ``bench/ingest.py`` times
an ingest.

The store must hold the generated corpus of N records, or its 1%-changed copy, mapped by
the code being measured: ``bench/ingest.py --n N --keep-store`` leaves one at
``WORKDIR/ingested-store-N``. Each run ingests the other of the two corpora, so every run
replaces the same 1% of the trials and updates the summaries; a run that finds its
corpus stored already (the first, at times) is an unchanged rerun and is reported as one.

Usage::

    python bench/reruns.py --n 100000 --runs 3 --workdir /tmp/trialgraph-bench

Prints each run (wall seconds of the whole command, the flow's own time, peak RSS) and the
median of the 1% runs; appends one JSON line to ``bench/results/reruns.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import corpus, ingest, machine  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "reruns.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="the kept store's corpus size")
    parser.add_argument("--runs", type=int, default=3, help="1%% reruns to time")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    parser.add_argument("--store", type=Path, help="default: WORKDIR/ingested-store-N")
    args = parser.parse_args()
    store = args.store or args.workdir / f"ingested-store-{args.n}"
    if not store.is_dir():
        parser.error(f"no store at {store}: bench/ingest.py --keep-store leaves one")
    sources = [corpus(args.workdir, args.n, "json"), corpus(args.workdir, args.n, "json", 0.01)]
    about = machine()
    print(json.dumps(about))
    changed: list[dict[str, object]] = []
    turn = 0
    while len(changed) < args.runs:
        source = sources[turn % 2]
        turn += 1
        run = ingest(source, store, [])
        figures: dict[str, object] = {
            "corpus": source.name,
            "seconds": round(run.seconds, 1),
            "flow": run.summary.get("time"),
            "peak_rss_mib": round(run.peak_rss_mib),
            "loaded": run.summary.get("loaded"),
            "summaries": run.summary.get("summaries"),
        }
        print(json.dumps(figures), flush=True)
        loaded = int(run.summary.get("loaded") or 0)
        if loaded == 0:
            if turn > 2:  # neither corpus changes anything: not the store this needs
                raise SystemExit(f"{store} holds neither corpus of {args.n} records")
            continue
        if loaded > args.n // 50:
            raise SystemExit(
                f"the run loaded {loaded} records: {store} was not built from these corpora "
                "by this code (another graph version maps every record again)"
            )
        changed.append(figures)
    seconds = [float(str(f["seconds"])) for f in changed]
    median = round(statistics.median(seconds), 1)
    summary = {"n": args.n, "changed_1pct_runs_s": seconds, "median_s": median}
    print(json.dumps(summary))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps({**about, **summary, "runs": changed}) + "\n")


if __name__ == "__main__":
    main()
