"""Query benchmark: every catalogue query through ``trialgraph query``, against pyoxigraph
run directly on the same store, and against rdflib holding the same quads.

For each query: the median wall time of ``trialgraph query NAME --format csv`` (a fresh
process each time, so start-up is included), the median time of the same SPARQL run in
this process with pyoxigraph (rows consumed), and their ratio; then, on a corpus small
enough for rdflib to hold (``--rdflib-n``), the same query in pyoxigraph and in rdflib's
``Dataset`` (union default graph), and their ratio. Parameters take values that exist in
the store: its most frequent target, disease, product and a trial that names a target.

rdflib parses SPARQL 1.1 only, so a query it cannot parse (the lookups, which use SPARQL
1.2's ``LATERAL``) is reported as not comparable rather than timed; the comparison is meant
for the analytic queries.

Usage::

    python bench/query.py --n 100000 --rdflib-n 10000 --workdir /tmp/trialgraph-bench
    python bench/query.py --only cli --served --runs 3    # and against trialgraph serve
    python bench/query.py --only rdflib --rdflib-n 10000 --runs 3   # rdflib's half alone
    python bench/query.py --only rdflib --query-dir OLD/queries    # other versions of the queries

The stores are built with ``trialgraph ingest`` from ``bench/generate.py`` corpora (kept in
the work directory). Figures are printed and appended to ``bench/results/query.jsonl``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from types import FrameType

import rdflib
from pyoxigraph import QuerySolution, QuerySolutions, RdfFormat, Store
from rdflib.plugins.sparql import prepareQuery

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.ingest import TRIALGRAPH, corpus, machine  # noqa: E402
from trialgraph.listings import NAMES as LISTINGS  # noqa: E402
from trialgraph.queries import NamedQuery, catalogue  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "query.jsonl"


def store_for(workdir: Path, n: int) -> Path:
    """An embedded store of ``n`` generated trials (built once, then reused)."""
    path = workdir / f"query-store-{n}"
    if not (path / "CURRENT").exists():
        env = dict(os.environ, PREFECT_HOME=str(workdir / "prefect-home"))
        source = corpus(workdir, n, "json")
        command = [str(TRIALGRAPH), "ingest", str(source), "--store", str(path), "--no-progress"]
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return path


def solutions(store: Store, sparql: str) -> list[QuerySolution]:
    """Every row of a SELECT over the union of the store's graphs."""
    result = store.query(sparql, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    return list(result)


def _first(store: Store, sparql: str) -> str:
    rows = solutions(store, sparql)
    term = rows[0][0] if rows else None
    return str(term.value) if term is not None else ""


def parameters(store: Store) -> dict[str, str]:
    """Values for every catalogue parameter, chosen from what the store holds."""
    prologue = "PREFIX tg: <https://w3id.org/trialgraph/ontology#> "
    prologue += "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    most = "GROUP BY ?x ORDER BY DESC(COUNT(*)) LIMIT 1"
    return {
        "target": _first(store, prologue + f"SELECT ?x {{ ?t tg:hasTarget/tg:symbol ?x }} {most}"),
        "condition": _first(
            store, prologue + f"SELECT ?x {{ ?t tg:studiesDisease/rdfs:label ?x }} {most}"
        ),
        "product": _first(
            store, prologue + f"SELECT ?x {{ ?t tg:testsProduct/rdfs:label ?x }} {most}"
        ),
        "trial_id": _first(
            store,
            prologue + "SELECT (STRAFTER(STR(?t), '/trial/') AS ?x) { ?t tg:hasTarget ?g } LIMIT 1",
        ),
    }


def given(query: NamedQuery, values: dict[str, str]) -> dict[str, str]:
    """The values of a query's parameters (of those only one of which may be given, the
    first)."""
    out = {p.name: values[p.name] for p in query.params if p.name in values}
    for other in query.one_of[1:]:
        out.pop(other, None)
    return out


def bound(query: NamedQuery, values: dict[str, str]) -> tuple[str, list[str]]:
    """A query's text with its parameters bound, and the same as ``--param`` options."""
    chosen = given(query, values)
    options = [a for k, v in chosen.items() for a in ("--param", f"{k}={v}")]
    return query.bind(chosen), options


def median_time(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def timed_rows(store: Store, sparql: str, runs: int) -> tuple[float, int]:
    """Median seconds to get every row of a SELECT with pyoxigraph, and the row count."""
    times, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        rows = len(solutions(store, sparql))
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def cli_and_direct(
    path: Path,
    runs: int,
    served: bool = False,
    only: list[str] | None = None,
    scan: bool = True,
) -> list[dict[str, object]]:
    """``trialgraph query`` against pyoxigraph in this process, per catalogue query.

    ``cli_s`` is what a user waits for: a summarized query reads its summary (the store's
    summaries are current after an ingest), a listing its rows (``rows_per_s``, start-up
    included). ``pyoxigraph_s`` is the full scan run directly,
    and for a summarized query ``summary_s`` its summary form, directly. With ``served``,
    ``served_s`` is ``trialgraph query --endpoint`` against ``trialgraph serve`` on the
    same store, and ``served_over_cli`` its ratio to ``cli_s``. Without ``scan`` a
    summarized query's full scan is not timed (at the registry's size a scan takes up to a
    minute, and answers only when the summary is stale).

    The direct timings open the store read-only after each query's CLI runs: a CLI run
    opens it for writing, and the compactions RocksDB then runs delete files that an
    older read-only handle still reads.
    """
    values = parameters(Store.read_only(str(path)))
    figures = []
    cli_times: list[float] = []
    commands: dict[str, list[str]] = {}
    listed: dict[str, int] = {}  # the listings' row counts
    for name, query in catalogue().items():
        if only and name not in only:
            continue
        text, options = bound(query, values)
        command = [str(TRIALGRAPH), "query", name, "--format", "csv", *options]
        commands[name] = command
        cli = partial(
            subprocess.run, [*command, "--store", str(path)], check=True, stdout=subprocess.DEVNULL
        )
        cli_s = median_time(cli, runs)
        cli_times.append(cli_s)
        store = Store.read_only(str(path))
        row: dict[str, object] = {"query": name, "cli_s": round(cli_s, 3)}
        if scan or not query.summary_text:
            direct_s, rows = timed_rows(store, text, runs)
            row["rows"] = rows
            row["pyoxigraph_s"] = round(direct_s, 3)
            row["cli_over_pyoxigraph"] = round(cli_s / direct_s, 2) if direct_s else None
        if query.summary_text:
            summary_text = query.bind(given(query, values), summary=True)
            summary_s, rows = timed_rows(store, summary_text, runs)
            row.setdefault("rows", rows)
            row["summary_s"] = round(summary_s, 4)
        if name in LISTINGS:
            listed[name] = rows
            row["rows_per_s"] = round(rows / cli_s)
        print(json.dumps(row), flush=True)
        figures.append(row)
        del store  # before the next CLI run, and the server, take the store's lock
    if served:
        with serving(path) as url:
            for row, embedded_s in zip(figures, cli_times, strict=True):
                command = [*commands[str(row["query"])], "--endpoint", url]
                cli = partial(subprocess.run, command, check=True, stdout=subprocess.DEVNULL)
                served_s = median_time(cli, runs)
                row["served_s"] = round(served_s, 3)
                row["served_over_cli"] = round(served_s / embedded_s, 2)
                if row["query"] in listed:
                    row["served_rows_per_s"] = round(listed[str(row["query"])] / served_s)
                print(json.dumps(row), flush=True)
    return figures


@contextlib.contextmanager
def serving(path: Path) -> Iterator[str]:
    """``trialgraph serve`` on the store, on a free loopback port, until the block ends."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [str(TRIALGRAPH), "serve", "--store", str(path), "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def _rdflib_rows(dataset: rdflib.Dataset, sparql: str) -> int:
    return len(list(dataset.query(sparql)))


def rdflib_cannot_run(sparql: str) -> str | None:
    """Why rdflib cannot run a query (``None`` when its SPARQL 1.1 parser accepts it)."""
    try:
        prepareQuery(sparql)
    except Exception as error:  # rdflib raises pyparsing's errors, among others
        if re.search(r"^[^#]*\bLATERAL\b", sparql, re.MULTILINE):
            return "not comparable (LATERAL)"
        return f"not comparable (rdflib: {type(error).__name__})"
    return None


def against_rdflib(
    path: Path, runs: int, timeout: int, queries: dict[str, NamedQuery]
) -> list[dict[str, object]]:
    """pyoxigraph against rdflib on the same quads, per query."""
    store = Store.read_only(str(path))
    values = parameters(store)
    dump = path.parent / f"{path.name}.nq"
    store.dump(str(dump), format=RdfFormat.N_QUADS)
    dataset = rdflib.Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(str(dump), format="nquads")
    load_s = time.perf_counter() - started
    dump.unlink()
    figures: list[dict[str, object]] = [{"rdflib_load_s": round(load_s, 1)}]
    print(json.dumps(figures[0]), flush=True)
    signal.signal(signal.SIGALRM, _alarm)
    for name, query in queries.items():
        text, _ = bound(query, values)
        oxigraph_s, _ = timed_rows(store, text, runs)
        reason = rdflib_cannot_run(text)
        row: dict[str, object]
        if reason is not None:
            row = {"query": name, "pyoxigraph_s": round(oxigraph_s, 4), "rdflib_s": reason}
            print(json.dumps(row), flush=True)
            figures.append(row)
            continue
        signal.alarm(timeout)
        try:
            rdflib_s: float | None = median_time(partial(_rdflib_rows, dataset, text), 1)
        except _Timeout:
            rdflib_s = None
        except Exception as error:  # rdflib fails on some valid queries (unbound aggregates)
            reason = f"rdflib failed ({type(error).__name__}: {error})"
            row = {"query": name, "pyoxigraph_s": round(oxigraph_s, 4), "rdflib_s": reason}
            print(json.dumps(row), flush=True)
            figures.append(row)
            continue
        finally:
            signal.alarm(0)
        row = {
            "query": name,
            "pyoxigraph_s": round(oxigraph_s, 4),
            "rdflib_s": round(rdflib_s, 3) if rdflib_s is not None else f">{timeout}",
            "rdflib_over_pyoxigraph": round(rdflib_s / oxigraph_s)
            if rdflib_s is not None and oxigraph_s
            else f">{round(timeout / oxigraph_s) if oxigraph_s else '?'}",
        }
        print(json.dumps(row), flush=True)
        figures.append(row)
    return figures


def startup(workdir: Path, runs: int) -> dict[str, float]:
    """Seconds for ``trialgraph query`` on an empty store: the command's own start-up."""
    empty = workdir / "empty-store"
    Store(str(empty)).flush()
    command = [str(TRIALGRAPH), "query", "trials", "--store", str(empty), "--format", "csv"]
    query_s = median_time(lambda: subprocess.run(command, check=True, capture_output=True), runs)
    python_s = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), runs)
    return {"query_startup_s": round(query_s, 3), "python_startup_s": round(python_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="trials for the CLI figures")
    parser.add_argument("--rdflib-n", type=int, default=10_000, help="trials for rdflib")
    parser.add_argument("--runs", type=int, default=5, help="runs per median")
    parser.add_argument("--rdflib-timeout", type=int, default=600, help="seconds per query")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    parser.add_argument(
        "--only", choices=("cli", "rdflib"), help="run one half: the CLI figures or rdflib's"
    )
    parser.add_argument(
        "--served", action="store_true", help="also time each query against trialgraph serve"
    )
    parser.add_argument(
        "--store", type=Path, help="time the CLI figures on this store instead of building one"
    )
    parser.add_argument(
        "--query", action="append", default=[], help="only this catalogue query (repeatable)"
    )
    parser.add_argument(
        "--no-scan",
        action="store_true",
        help="do not time the full scans of summarized queries (their summary forms are)",
    )
    parser.add_argument(
        "--query-dir",
        type=Path,
        help="compare these .rq files with rdflib instead of the catalogue (with --only rdflib)",
    )
    args = parser.parse_args()
    if args.query_dir and args.only != "rdflib":
        parser.error("--query-dir needs --only rdflib")
    queries = catalogue(args.query_dir)
    args.workdir.mkdir(parents=True, exist_ok=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {**machine(), "n": args.n, "rdflib_n": args.rdflib_n}
    report.update(startup(args.workdir, args.runs))
    print(json.dumps(report), flush=True)
    if args.only != "rdflib":
        path = args.store or store_for(args.workdir, args.n)
        report["cli"] = cli_and_direct(
            path, args.runs, args.served, args.query, scan=not args.no_scan
        )
    if args.only != "cli":
        store = store_for(args.workdir, args.rdflib_n)
        report["rdflib"] = against_rdflib(store, args.runs, args.rdflib_timeout, queries)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
