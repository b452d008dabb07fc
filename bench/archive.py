"""A first load from a zip archive against the same records unpacked in a folder.

The generated JSON Lines corpus (``bench/generate.py``) is written as one API v2 JSON file
per study, ``NCT........json``, as the registry's download holds them: once as the members
of a deflated zip, once as files in a folder. Each is ingested into an empty embedded
store with ``trialgraph ingest``, alternately, ``--repeat`` times; the best run of each
counts. ``zip_ratio = zip trials/s / folder trials/s``.

Usage::

    python bench/archive.py --n 10000 --workdir /tmp/trialgraph-bench

Figures are printed and appended as a JSON line to ``bench/results/archive.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import Run, corpus, ingest  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "archive.jsonl"


def unpacked(workdir: Path, n: int) -> tuple[Path, Path]:
    """The corpus of ``n`` studies as a zip and as a folder of one-study files (made once)."""
    archive = workdir / f"studies-{n}.json.zip"
    folder = workdir / f"studies-{n}"
    if archive.exists() and folder.exists():
        return archive, folder
    folder.mkdir(parents=True, exist_ok=True)
    with (
        corpus(workdir, n, "json").open("rb") as lines,
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z,
    ):
        for line in lines:
            study = json.loads(line)
            name = study["protocolSection"]["identificationModule"]["nctId"] + ".json"
            body = json.dumps(study, indent=2).encode()
            z.writestr(name, body)
            (folder / name).write_bytes(body)
    return archive, folder


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    archive, folder = unpacked(args.workdir, args.n)
    runs: dict[str, list[Run]] = {"folder": [], "zip": []}
    for _ in range(args.repeat):
        for kind, source in (("folder", folder), ("zip", archive)):
            store = args.workdir / f"archive-{kind}" / "store"
            shutil.rmtree(store.parent, ignore_errors=True)
            store.parent.mkdir(parents=True)
            run = ingest(source, store, [])
            if run.summary.get("loaded") != str(args.n):
                raise SystemExit(f"{kind}: loaded {run.summary.get('loaded')} of {args.n}")
            runs[kind].append(run)
            shutil.rmtree(store.parent)
    figures: dict[str, object] = {"n": args.n, "runs": args.repeat}
    for kind, kept in runs.items():
        figures[f"{kind}_s"] = [round(r.seconds, 1) for r in kept]
        figures[f"{kind}_trials_per_s"] = round(args.n / best(kept).seconds)
        figures[f"{kind}_peak_rss_mib"] = round(best(kept).peak_rss_mib)
    figures["zip_ratio"] = round(best(runs["folder"]).seconds / best(runs["zip"]).seconds, 3)
    print(json.dumps(figures))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as out:
        out.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
