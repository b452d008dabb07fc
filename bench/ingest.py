"""End-to-end ingest benchmark against the store's own limit.

For each N: generate a synthetic corpus (``bench/generate.py``), run ``trialgraph ingest``
into an empty embedded store and measure wall time, trials/s, quads/s and the peak resident
memory of the whole process tree (the flow and its worker processes). Then, in the same run,
the limit: the store's quads dumped as N-Quads and bulk-loaded into another empty store
with pyoxigraph's bulk loader. ``efficiency = bulk-load time / ingest time``. Then an
unchanged rerun and a rerun with 1% of the records changed, each as a fraction of the first
ingest.

Usage::

    python bench/ingest.py --n 10000 100000 500000 --workdir /tmp/trialgraph-bench

Figures are printed as a table and appended as JSON lines to ``bench/results/ingest.jsonl``.
The corpus files are kept in the work directory and reused by later runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from pyoxigraph import RdfFormat, Store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "ingest.jsonl"
TRIALGRAPH = Path(sys.executable).with_name("trialgraph")


@dataclass
class Run:
    """One ``trialgraph ingest`` run: wall seconds, peak RSS of the process tree, output.

    ``peak_parts_mib``: the tree's RSS at its peak, by part (flow, Prefect server, workers);
    ``cpu_s``: CPU seconds (user and system, every thread) by part, as last sampled before
    each process ended.
    """

    seconds: float
    peak_rss_mib: float
    peak_parts_mib: dict[str, int]
    summary: dict[str, str]
    cpu_s: dict[str, float]


def corpus(workdir: Path, n: int, fmt: str, change: float = 0.0) -> Path:
    """The generated corpus file for ``n`` records (generated once, then reused)."""
    suffix = {"json": "jsonl", "csv": "csv"}[fmt]
    name = f"corpus-{n}" + (f"-changed-{change:g}" if change else "") + f".{suffix}"
    path = workdir / name
    if not path.exists():
        command = [sys.executable, str(ROOT / "bench" / "generate.py"), "--n", str(n)]
        command += ["--format", fmt, "--seed", "1", "--out", str(path)]
        if change:
            command += ["--change-fraction", str(change), "--change-seed", "2"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return path


def _role(process: psutil.Process, root: psutil.Process) -> str | None:
    """Which part of an ingest a process is: the flow, Prefect's API server, or a worker;
    ``None`` when its command line cannot tell (a process that has exited shows none)."""
    if process.pid == root.pid:
        return "flow"
    command = " ".join(process.cmdline())
    if not command:
        return None
    return "prefect_server" if "prefect.server" in command else "workers"


def _sample_tree(process: psutil.Process, cpu: dict[int, tuple[str, float]]) -> dict[str, int]:
    """Resident bytes, now, of a process and its descendants, by :func:`_role`; each one's
    role and CPU seconds so far go into ``cpu``, by process id."""
    rss = {"flow": 0, "prefect_server": 0, "workers": 0}
    for p in [process, *process.children(recursive=True)]:
        try:
            # a process keeps the role it last showed: an exiting server shows no command
            role = _role(p, process) or cpu.get(p.pid, ("workers", 0.0))[0]
            with p.oneshot():
                rss[role] += p.memory_info().rss
                times = p.cpu_times()
            cpu[p.pid] = (role, times.user + times.system)
        except psutil.Error:
            continue
    return rss


def ingest(source: Path, store: Path, extra: list[str]) -> Run:
    """Run ``trialgraph ingest`` and sample the memory of its process tree."""
    env = dict(os.environ)
    env.setdefault("PREFECT_HOME", str(store.parent / "prefect-home"))
    command = [str(TRIALGRAPH), "ingest", str(source), "--store", str(store), "--no-progress"]
    command += ["--quarantine", str(store.parent / "quarantine.jsonl"), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    watched = psutil.Process(process.pid)
    peak: dict[str, int] = {}
    cpu: dict[int, tuple[str, float]] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                now = _sample_tree(watched, cpu)
                if sum(now.values()) > sum(peak.values()):
                    peak = now
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"ingest failed ({process.returncode}):\n{err.decode()}")
    summary = {}
    for line in out.decode().splitlines():
        key, sep, value = line.partition(":")
        if sep:
            summary[key.strip()] = value.strip()
    parts = {part: round(rss / 2**20) for part, rss in peak.items()}
    by_part = {"flow": 0.0, "prefect_server": 0.0, "workers": 0.0}
    for role, seconds_used in cpu.values():
        by_part[role] += seconds_used
    cpu_s = {part: round(used, 1) for part, used in by_part.items()}
    return Run(seconds, sum(peak.values()) / 2**20, parts, summary, cpu_s)


def bulk_limit(store: Path, scratch: Path, keep: bool) -> tuple[float, float, int]:
    """Seconds, and CPU seconds (its threads', in this process), for pyoxigraph's bulk
    loader to load the store's quads into an empty store; and how many quads.

    Unless ``keep``, the store is deleted once dumped: at 500k records the store, the
    dump and the copy would need 65 GB at once.
    """
    dump = scratch / "dump.nq"
    source = Store.read_only(str(store))
    source.dump(str(dump), format=RdfFormat.N_QUADS)
    quads = len(source)
    del source
    if not keep:
        shutil.rmtree(store)
    target = scratch / "limit-store"
    shutil.rmtree(target, ignore_errors=True)
    loaded = Store(str(target))
    started, cpu_started = time.perf_counter(), time.process_time()
    loaded.bulk_load(path=str(dump), format=RdfFormat.N_QUADS, lenient=True)  # as ingest loads
    loaded.flush()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    del loaded
    shutil.rmtree(target)
    dump.unlink()
    return seconds, cpu, quads


def bench(
    n: int,
    workdir: Path,
    fmt: str,
    extra: list[str],
    reruns: bool,
    limit: bool = True,
    keep: bool = False,
) -> dict[str, object]:
    here = workdir / f"n{n}"
    shutil.rmtree(here, ignore_errors=True)
    here.mkdir(parents=True)
    source = corpus(workdir, n, fmt)
    first = ingest(source, here / "store", extra)
    figures: dict[str, object] = {
        "n": n,
        "format": fmt,
        "options": " ".join(extra),
        "ingest_s": round(first.seconds, 1),
        "trials_per_s": round(n / first.seconds),
        "peak_rss_mib": round(first.peak_rss_mib),
        "peak_rss_parts_mib": first.peak_parts_mib,
        "cpu_s": first.cpu_s,
        "cpu_ms_per_record": round(sum(first.cpu_s.values()) / n * 1000, 2),
        "loaded": first.summary.get("loaded"),
        "quarantined": first.summary.get("quarantined"),
    }
    print(json.dumps(figures), file=sys.stderr, flush=True)  # kept should the limit fail
    if limit:  # the store outlives the limit's dump when it is needed after it
        _measure_limit(figures, here, first.seconds, keep=reruns or keep)
    if reruns:
        again = ingest(source, here / "store", extra)
        figures["unchanged_rerun_s"] = round(again.seconds, 1)
        figures["unchanged_fraction"] = round(again.seconds / first.seconds, 3)
        changed = ingest(corpus(workdir, n, fmt, change=0.01), here / "store", extra)
        figures["changed_1pct_s"] = round(changed.seconds, 1)
        figures["changed_1pct_fraction"] = round(changed.seconds / first.seconds, 3)
        figures["changed_1pct_loaded"] = changed.summary.get("loaded")
    figures["summaries"] = first.summary.get("summaries")
    if keep:  # for the query benchmarks: bench/query.py --store
        (here / "store").rename(workdir / f"ingested-store-{n}")
    shutil.rmtree(here / "store", ignore_errors=True)
    return figures


def _measure_limit(figures: dict[str, object], here: Path, ingest_s: float, keep: bool) -> None:
    """Add the store's bulk-load limit and the efficiency to ``figures``."""
    try:
        seconds, cpu, quads = bulk_limit(here / "store", here, keep=keep)
    except OSError as error:  # the dump and the copy need about twice the store's space
        figures["bulk_load_s"] = f"not measured: {error}"
    else:
        figures["quads"] = quads
        figures["quads_per_s"] = round(quads / ingest_s)
        figures["bulk_load_s"] = round(seconds, 1)
        figures["bulk_load_cpu_s"] = round(cpu, 1)
        figures["efficiency"] = round(seconds / ingest_s, 2)
    finally:
        (here / "dump.nq").unlink(missing_ok=True)
        shutil.rmtree(here / "limit-store", ignore_errors=True)


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000], help="corpus sizes")
    parser.add_argument("--format", choices=["json", "csv"], default="json")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    parser.add_argument("--no-reruns", action="store_true", help="no reruns after the first ingest")
    parser.add_argument(
        "--no-limit", action="store_true", help="skip the bulk-load limit and the efficiency"
    )
    parser.add_argument(
        "--keep-store",
        action="store_true",
        help="keep the store (after the reruns, if any) as WORKDIR/ingested-store-N",
    )
    parser.add_argument(
        "--ingest-option",
        action="append",
        default=[],
        metavar="OPT",
        help="extra option for trialgraph ingest (repeatable), e.g. --ingest-option=--workers=2",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    about = machine()
    print(json.dumps(about))
    for n in args.n:
        figures = bench(
            n,
            args.workdir,
            args.format,
            args.ingest_option,
            not args.no_reruns,
            not args.no_limit,
            args.keep_store,
        )
        print(json.dumps(figures), flush=True)
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(json.dumps({**about, **figures}) + "\n")


if __name__ == "__main__":
    main()
