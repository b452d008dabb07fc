"""Worker benchmark: a mapping worker's CPU per record, in one process, by stage.

An ingest's workers map batches with ``map_encoded``; this maps the same generated records
(``bench/generate.py``) the same way, batch by batch in one process, after one batch to
load the vocabularies, and reports CPU milliseconds a record (best of ``--repeat``):

- ``map_encoded``: a whole batch, as a first load maps it (summary groups included);
- ``listing_rows`` and ``summary_groups``: counting the listing rows
  (:func:`trialgraph.listings.rows`) and the summary groups
  (:func:`trialgraph.summaries.counted`) in a batch's in-memory store, which is filled
  beforehand with what they read of the batch.

Usage::

    python bench/worker.py --n 6000 --workdir /tmp/trialgraph-bench

Run it from two checkouts (``PYTHONPATH=CHECKOUT/src``) to compare a change. The figures
are printed and appended to ``bench/results/worker.jsonl``. A run in a real ingest costs
more a record: there the bulk loader shares the cores (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import corpus, machine  # noqa: E402
from trialgraph import listings, summaries  # noqa: E402
from trialgraph.pipeline import map_batch, map_encoded  # noqa: E402
from trialgraph.records import RecordError, TrialRecord  # noqa: E402
from trialgraph.sources import read_sources  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "worker.jsonl"
INGESTED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def batch_store(batch: Sequence[TrialRecord]) -> Store:
    """The in-memory store a worker counts a batch's listing rows and summary groups in."""
    wanted = listings.read_predicates() | summaries.read_predicates()
    mapped = map_batch(batch, INGESTED_AT).mapped
    return listings.batch_store(
        (q for t in mapped for q in t.quads if q.predicate in wanted),
        (q for t in mapped for q in t.concept_quads),
    )


def best_ms(work: Callable[[], object], records: int, repeat: int) -> float:
    """The least CPU milliseconds a record that ``work`` took in ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return round(1000 * min(times) / records, 3)


def revision() -> str:
    """The commit of the code measured (the trialgraph package's checkout), if it has one."""
    import trialgraph

    found = subprocess.run(
        ["git", "-C", str(Path(trialgraph.__file__).parent), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=6000, help="records to map")
    parser.add_argument("--batch", type=int, default=2000, help="records a batch")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each stage; best taken")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = corpus(args.workdir, args.n, "json")
    records = [r for r in read_sources([str(path)]) if not isinstance(r, RecordError)]
    batches = [records[i : i + args.batch] for i in range(0, len(records), args.batch)]
    map_encoded(batches[0], INGESTED_AT)  # the vocabularies load once, as in a worker
    n = len(records)

    def map_all() -> None:
        for batch in batches:
            map_encoded(batch, INGESTED_AT, summarize=True)

    stores = [batch_store(b) for b in batches]
    figures: dict[str, object] = {
        **machine(),
        "code": revision(),
        "n": n,
        "batch": args.batch,
        "map_encoded_ms": best_ms(map_all, n, args.repeat),
        "listing_rows_ms": best_ms(lambda: [listings.rows(s) for s in stores], n, args.repeat),
        "summary_groups_ms": best_ms(
            lambda: [summaries.counted(s) for s in stores], n, args.repeat
        ),
    }
    line = json.dumps(figures)
    print(line)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(line + "\n")


if __name__ == "__main__":
    main()
