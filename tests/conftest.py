"""Shared fixtures: the bundled corpus, read with the real readers, and an Oxigraph server."""

from __future__ import annotations

import atexit
import contextlib
import csv
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode, Quad

from trialgraph.namespaces import STD, TG
from trialgraph.pipeline import Loader, map_batch
from trialgraph.records import RecordError, TrialRecord
from trialgraph.sources import read_sources
from trialgraph.store import EmbeddedStore, RemoteStore, SelectResult

# the tests' own vocabulary cache (trialgraph.normalize.cache), never the user's: built by
# the first process of the session that maps, read by the rest (the processes the tests
# start inherit it), deleted at exit
_CACHE = tempfile.mkdtemp(prefix="trialgraph-test-cache-")
os.environ["TRIALGRAPH_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

DATA = Path(__file__).parent / "data"
SEEDS = DATA / "seeds"
CORPUS = [DATA / "seeds", DATA / "ctgov-json", DATA / "ctgov-csv"]
#: A fixed ingest time, so mapped graphs are identical from run to run.
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
OXIGRAPH = Path(sys.executable).with_name("oxigraph")


def read_records(paths: list[Path]) -> Iterator[TrialRecord]:
    """Records read from ``paths``, with ``source`` reduced to the file's base name."""
    for item in read_sources([str(p) for p in paths]):
        assert not isinstance(item, RecordError), str(item)
        yield dataclasses.replace(item, source=Path(item.source).name)


def stored(path: Path, records: Iterable[TrialRecord]) -> str:
    """An on-disk store at ``path`` holding ``records``, loaded the way an ingest loads them
    (at :data:`FIXED_TIME`), summaries included; its directory."""
    store = EmbeddedStore(path)
    try:
        loader = Loader(store)
        loader.load(map_batch(list(records), FIXED_TIME).mapped)
        loader.finish()  # the summaries, as an ingest leaves them
    finally:
        store.close()
    return str(path)


def unordered(cell: str) -> str:
    """A multi-valued cell with its ``; ``-joined values sorted: the contract leaves their
    order open (SPARQL's GROUP_CONCAT has none)."""
    return "; ".join(sorted(cell.split("; "))) if "; " in cell else cell


#: Golden files are rewritten from what the code gives, for review, when this is set.
REGENERATE = os.environ.get("TRIALGRAPH_REGENERATE_GOLDEN") == "1"


def assert_golden_rows(path: Path, columns: tuple[str, ...], got: list[tuple[str, ...]]) -> None:
    """``got`` are the rows of the golden TSV at ``path`` (header ``columns``), in any order;
    with ``TRIALGRAPH_REGENERATE_GOLDEN=1`` the file is first written from them."""
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter="\t", lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(sorted(got))
    with path.open(encoding="utf-8", newline="") as golden:
        header, *expected = list(csv.reader(golden, delimiter="\t"))
    assert tuple(header) == columns
    assert Counter(got) == Counter(tuple(r) for r in expected)


@pytest.fixture(scope="session")
def seed_records() -> dict[str, TrialRecord]:
    """The five seed records by their number ("000" ... "004")."""
    return {r.source[:3]: r for r in read_records([SEEDS])}


@pytest.fixture(scope="session")
def corpus_records() -> list[TrialRecord]:
    """Every record of the bundled corpus (5 plaintext, 100 JSON, 87 CSV)."""
    return list(read_records(CORPUS))


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` on disk (union default graph) on a free port; its base URL.

    One per session, stopped at the end; tests that need it empty drop its graphs first.
    """
    binary = OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server (PyPI package `oxigraph`) is not installed")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    process = subprocess.Popen(
        [
            str(binary),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    assert process.stderr is not None
                    raise RuntimeError(
                        f"oxigraph serve did not start: {process.stderr.read()!r}"
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        stop(process, timeout=10)


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stop a background process: politely, then for good."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def remote_quads(store: RemoteStore) -> set[Quad]:
    """Every quad in a server's named graphs (trialgraph writes no others)."""
    result = store.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, SelectResult)
    quads = set()
    for s, p, o, g in result:
        assert isinstance(s, NamedNode | BlankNode) and isinstance(p, NamedNode)
        assert isinstance(g, NamedNode) and o is not None and not isinstance(o, tuple)
        quads.add(Quad(s, p, o, g))
    return quads


def timeless(quads: set[Quad]) -> set[Quad]:
    """The quads but for the time each run stamps on its graphs and the store generations
    (which count writes: a run in more batches makes more)."""
    return {q for q in quads if q.predicate not in (STD.generatedAtTime, TG.generation)}


_HOLD = """
import sys, time, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("ready", flush=True)
time.sleep(300)
"""


@contextlib.contextmanager
def lock_held(store: Path) -> Iterator[None]:
    """Another process holds the store open for writing (its lock) while the block runs."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.kill()
        holder.wait()
