"""``trialgraph serve``, end to end: the real command over real on-disk stores, asked by a
real SPARQL client (rdflib's ``SPARQLStore``) and written through by ``trialgraph ingest
--endpoint``.

Nothing is mocked. Every server is a ``trialgraph serve`` subprocess on a free loopback
port, stopped by the fixture or ``with`` block that started it. ``trialgraph ingest``
subprocesses share one Prefect server started for this module, instead of each starting an
ephemeral one (20-25 s apiece).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import ResultRow

from tests.conftest import (
    DATA,
    SEEDS,
    free_port,
    lock_held,
    remote_quads,
    stop,
    timeless,
    unordered,
)
from trialgraph import listings
from trialgraph.namespaces import TG
from trialgraph.queries import load_query
from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources
from trialgraph.store import EmbeddedStore, RemoteStore, open_store

BIN = Path(sys.executable).parent
TRIALGRAPH = BIN / "trialgraph"
#: The queries of the interface contract (``docs/CONTRACT.md``).
CONTRACT_QUERIES = [
    "trials",
    "trial-targets",
    "trial-conditions",
    "trial-products",
    "trial-endpoints",
]
#: Lookups with the seed records' names, as a user might type them (any case).
LOOKUPS = {
    "trials-by-condition": {"condition": "PANCREATIC CANCER"},
    "trials-by-product": {"product": "u87 car-t"},
    "trials-by-target": {"target": "cldn18"},
    "primary-endpoint-landscape": {"condition": "pancreatic cancer"},
}
COUNT_TRIALS = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?t a <{TG.Trial.value}> }}"
#: Prefect settings for an offline test run.
PREFECT_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
}
#: Holds a store's lock, as a running ingest does, until killed.
Row = dict[str, str]


# ---------------------------------------------------------------------------------------
# helpers


def command_env(path: str | None = None) -> dict[str, str]:
    """The environment for a ``trialgraph`` subprocess: no Prefect or store settings of the
    caller's, and ``PATH`` leading to this interpreter's scripts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRIALGRAPH_"))}
    env["PATH"] = path if path is not None else os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"
    return env


def trialgraph(
    *args: str | Path, env: Mapping[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRIALGRAPH), *map(str, args)],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ingest(
    sources: Iterable[Path], env: Mapping[str, str], cwd: Path, *target: str | Path
) -> subprocess.CompletedProcess[str]:
    done = trialgraph("ingest", *sources, *target, "--no-progress", env=env, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The error of a command that must fail with a single line and print nothing else."""
    assert done.returncode != 0, done.stdout + done.stderr
    assert done.stdout == ""
    error = done.stderr.strip()
    assert "\n" not in error and error.startswith("trialgraph: error: "), error
    return error


def wait_until_answering(url: str, process: subprocess.Popen[str], log: Path) -> None:
    """Poll ``url`` until it answers; fail with the process's output if it exits first."""
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{process.args!r} did not start: {log.read_text('utf-8')!r}"
                ) from None
            time.sleep(0.1)


@contextmanager
def started(args: list[str], env: Mapping[str, str], probe: str) -> Iterator[None]:
    """Run ``args`` in the background until the block ends; ``probe`` answers once it is up."""
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "output.log"
        with log.open("w", encoding="utf-8") as out:
            process = subprocess.Popen(
                args, env=dict(env), stdout=out, stderr=subprocess.STDOUT, text=True
            )
            try:
                wait_until_answering(probe, process, log)
                yield
            finally:
                stop(process)


@contextmanager
def serving(store: Path, env: Mapping[str, str], *options: str) -> Iterator[str]:
    """``trialgraph serve`` over ``store`` on a free loopback port; its base URL."""
    url = f"http://127.0.0.1:{free_port()}"
    bind = url.removeprefix("http://")
    args = [str(TRIALGRAPH), "serve", "--store", str(store), "--bind", bind, *options]
    with started(args, env, f"{url}/query?query=ASK%7B%7D"):
        yield url


def client_rows(url: str, sparql: str) -> tuple[list[str], list[Row]]:
    """A SELECT's variables and rows as rdflib's SPARQL client gets them from a server."""
    result = SPARQLStore(f"{url}/query").query(sparql)
    variables = [str(v) for v in result.vars or []]
    rows = []
    for row in result:
        assert isinstance(row, ResultRow)
        rows.append({v: "" if t is None else str(t) for v, t in zip(variables, row, strict=True)})
    return variables, rows


def cli_rows(
    store: Path | str, name: str, cwd: Path, params: Mapping[str, str] | None = None
) -> list[Row]:
    """``trialgraph query NAME --format json`` over an embedded store, or a server's URL."""
    where = ["--endpoint", store] if isinstance(store, str) else ["--store", store, "--no-wait"]
    options = [f"--param={k}={v}" for k, v in (params or {}).items()]
    done = trialgraph(
        "query", name, *where, *options, "--format", "json", env=command_env(), cwd=cwd
    )
    assert done.returncode == 0, done.stderr
    rows: list[Row] = [json.loads(line) for line in done.stdout.splitlines()]
    return rows


def multiset(rows: Iterable[Row]) -> Counter[str]:
    """Rows as a multiset, multi-valued cells compared as sets of values."""
    return Counter(
        json.dumps({k: unordered(v) for k, v in row.items()}, sort_keys=True, ensure_ascii=False)
        for row in rows
    )


def stored_quads(path: Path) -> set[Quad]:
    """Every quad of an on-disk store (opened the safe way, and released again)."""
    with open_store(path, for_writing=False, wait=False) as store:
        assert isinstance(store, EmbeddedStore)
        return set(store.store)


def status_of(request: urllib.request.Request) -> int:
    """The HTTP status a server answers ``request`` with, error or not."""
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def trial_ids(sources: Iterable[Path]) -> set[str]:
    return {
        r.trial_id for r in read_sources([str(p) for p in sources]) if isinstance(r, TrialRecord)
    }


@dataclass
class TrialCounter:
    """Asks a server for its number of trials, over and over, in a thread of its own."""

    url: str
    counts: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _done: threading.Event = field(default_factory=threading.Event)
    _answered: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def ask(self) -> None:
        try:
            _, rows = client_rows(self.url, COUNT_TRIALS)
            self.counts.append(int(rows[0]["n"]))
        except Exception as error:
            self.errors.append(repr(error))
        self._answered.set()

    def _loop(self) -> None:
        while not self._done.is_set():
            self.ask()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        assert self._answered.wait(timeout=60), "the server never answered"

    def stop(self) -> None:
        self._done.set()
        assert self._thread is not None
        self._thread.join(timeout=60)
        self.ask()  # and once more, after whatever the thread was waiting for


# ---------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment for ``trialgraph`` subprocesses that run the Prefect flow: offline
    settings and a Prefect server of this module's own."""
    env = command_env()
    env.update(PREFECT_ENV)
    env["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    api = f"http://127.0.0.1:{free_port()}/api"
    host, port = api.removeprefix("http://").removesuffix("/api").split(":")
    server = [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", port]
    with started(server, env, f"{api}/health"):
        yield {**env, "PREFECT_API_URL": api}


@dataclass(frozen=True)
class SeedStore:
    """The seed records ingested into an on-disk store, and what the store holds."""

    path: Path
    quads: frozenset[Quad]
    rows: dict[str, list[Row]]  # each contract query's and lookup's rows from `trialgraph query`


@pytest.fixture(scope="module")
def seed_store(cli_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> SeedStore:
    """Ingested with ``trialgraph ingest``, and queried with ``trialgraph query`` before any
    server opens it."""
    root = tmp_path_factory.mktemp("seeds")
    ingest([SEEDS], cli_env, root, "--store", root / "store")
    rows = {name: cli_rows(root / "store", name, root) for name in CONTRACT_QUERIES}
    rows |= {name: cli_rows(root / "store", name, root, p) for name, p in LOOKUPS.items()}
    return SeedStore(root / "store", frozenset(stored_quads(root / "store")), rows)


@pytest.fixture(scope="module")
def read_only_server(seed_store: SeedStore) -> Iterator[str]:
    """``trialgraph serve`` (read-only) over the seed store; its base URL."""
    with serving(seed_store.path, command_env()) as url:
        yield url


# ---------------------------------------------------------------------------------------
# a SPARQL client gets what `trialgraph query` gets


@pytest.mark.parametrize("name", CONTRACT_QUERIES)
def test_a_sparql_client_gets_the_rows_of_trialgraph_query(
    name: str, seed_store: SeedStore, read_only_server: str
) -> None:
    expected = seed_store.rows[name]
    assert expected, f"{name} has no rows on the seed records"
    variables, rows = client_rows(read_only_server, load_query(name).bind({}))
    assert variables == list(expected[0])
    assert multiset(rows) == multiset(expected)


@pytest.mark.parametrize("name", listings.NAMES)
def test_a_listing_from_a_served_store_is_written_from_its_rows(
    name: str, seed_store: SeedStore, read_only_server: str, tmp_path: Path
) -> None:
    """The server serializes the scan of the rows' property, and the CLI splits it."""
    done = trialgraph(
        "query", name, "--endpoint", read_only_server, "--format", "csv",
        env=command_env(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr  # no full-scan note
    header, *body = csv.reader(io.StringIO(done.stdout, newline=""))
    assert multiset(dict(zip(header, row, strict=True)) for row in body) == multiset(
        seed_store.rows[name]
    )


@pytest.mark.parametrize("name", LOOKUPS)
def test_lookups_through_a_server_answer_like_the_embedded_store(
    name: str, seed_store: SeedStore, read_only_server: str, tmp_path: Path
) -> None:
    """The lookups' LATERAL blocks (SPARQL 1.2) run on the server as they do embedded."""
    expected = seed_store.rows[name]
    assert expected, f"{name} finds nothing on the seed records"
    served = cli_rows(read_only_server, name, tmp_path, LOOKUPS[name])
    assert multiset(served) == multiset(expected)


def test_the_read_only_server_serves_exactly_the_store(
    seed_store: SeedStore, read_only_server: str
) -> None:
    assert remote_quads(RemoteStore(read_only_server)) == seed_store.quads
    _, rows = client_rows(read_only_server, COUNT_TRIALS)
    assert rows == [{"n": str(len(trial_ids([SEEDS])))}]


# ---------------------------------------------------------------------------------------
# read-only by default


def write_requests(url: str, graph: str) -> dict[str, urllib.request.Request]:
    """One of each way the SPARQL 1.1 protocols write to a server; ``graph`` is one it has."""
    triple = b"<urn:a> <urn:b> <urn:c> ."

    def post(path: str, body: bytes, content_type: str) -> urllib.request.Request:
        return urllib.request.Request(url + path, body, {"Content-Type": content_type})

    return {
        "update": post(
            "/update", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"
        ),
        "update form": post(
            "/update",
            urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
            "application/x-www-form-urlencoded",
        ),
        "store POST": post("/store?default", triple, "application/n-triples"),
        "store POST quads": post("/store", triple[:-1] + b"<urn:g> .", "application/n-quads"),
        "store PUT": urllib.request.Request(
            f"{url}/store?default", triple, {"Content-Type": "application/n-triples"}, method="PUT"
        ),
        "store DELETE": urllib.request.Request(
            f"{url}/store?graph={urllib.parse.quote(graph, safe='')}", method="DELETE"
        ),
    }


def test_the_default_server_refuses_every_write(seed_store: SeedStore, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(seed_store.path, store)
    graph = next(q.graph_name for q in seed_store.quads if isinstance(q.graph_name, NamedNode))
    with serving(store, command_env()) as url:
        requests = write_requests(url, graph.value)
        statuses = {name: status_of(request) for name, request in requests.items()}
        served = remote_quads(RemoteStore(url))
    assert all(status >= 400 for status in statuses.values()), statuses
    assert served == seed_store.quads
    assert stored_quads(store) == seed_store.quads  # nothing reached the disk either


# ---------------------------------------------------------------------------------------
# what serve refuses to do


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (
            ["--allow-updates", "--bind", "0.0.0.0:{port}"],
            "--i-understand-updates-are-unauthenticated",
        ),
        (
            ["--allow-updates", "--bind", "[::]:{port}"],
            "--i-understand-updates-are-unauthenticated",
        ),
        (
            ["--allow-updates", "--bind", "192.0.2.1:{port}"],
            "--i-understand-updates-are-unauthenticated",
        ),
        (["--endpoint", "http://127.0.0.1:{port}"], "--endpoint"),
        (["--store", "{tmp}/missing"], "no trialgraph store at"),
    ],
    ids=["all-ipv4", "all-ipv6", "remote-address", "endpoint", "missing-store"],
)
def test_serve_refuses_with_one_line(options: list[str], words: str, tmp_path: Path) -> None:
    """And starts nothing and creates nothing (not even the default store directory)."""
    args = [o.format(port=free_port(), tmp=tmp_path) for o in options]
    done = trialgraph("serve", *args, env=command_env(), cwd=tmp_path, timeout=60)
    assert words in one_line_error(done)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options", [[], ["--allow-updates"]], ids=["read-only", "read-write"])
def test_serve_no_wait_refuses_a_store_being_written(options: list[str], tmp_path: Path) -> None:
    store = tmp_path / "store"
    EmbeddedStore(store).close()
    with lock_held(store):
        bind = f"127.0.0.1:{free_port()}"
        done = trialgraph(
            "serve",
            "--store",
            store,
            "--bind",
            bind,
            "--no-wait",
            *options,
            env=command_env(),
            cwd=tmp_path,
            timeout=60,
        )
    error = one_line_error(done)
    assert str(store) in error and "locked" in error


def test_serve_finds_the_oxigraph_server_installed_with_it(
    seed_store: SeedStore, tmp_path: Path
) -> None:
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != BIN
    )
    if shutil.which("oxigraph", path=path):
        pytest.skip("another oxigraph binary is on PATH")
    store = tmp_path / "store"
    shutil.copytree(seed_store.path, store)
    with serving(store, command_env(path=path)) as url:
        assert remote_quads(RemoteStore(url)) == seed_store.quads


def test_an_ingest_into_a_served_store_is_refused(
    seed_store: SeedStore, cli_env: dict[str, str], tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(seed_store.path, store)
    with serving(store, command_env()):
        done = trialgraph(
            "ingest",
            SEEDS,
            "--store",
            store,
            "--no-progress",
            env=cli_env,
            cwd=tmp_path,
        )
    error = one_line_error(done)
    assert str(store) in error
    assert stored_quads(store) == seed_store.quads


# ---------------------------------------------------------------------------------------
# ingest through --allow-updates while others query


@pytest.mark.slow  # two ingests of 105 records, one of them in eleven batches
def test_an_ingest_through_the_server_is_queryable_throughout(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    sources = [SEEDS, DATA / "ctgov-json"]
    expected = len(trial_ids(sources))
    reference = tmp_path / "reference"
    ingest(sources, cli_env, tmp_path, "--store", reference)
    embedded = stored_quads(reference)

    store = tmp_path / "served"  # does not exist: serve --allow-updates creates it
    with serving(store, command_env(), "--allow-updates") as url:
        counter = TrialCounter(url)
        counter.start()
        before = len(counter.counts)
        # in batches of ten: eleven bulk loads, each visible to the queries as it lands
        ingest(sources, cli_env, tmp_path, "--endpoint", url, "--batch-size", "10")
        during = len(counter.counts) - before
        counter.stop()
        served = remote_quads(RemoteStore(url))

    assert counter.errors == []
    assert during > 0, "no query was answered while the ingest ran"
    assert counter.counts == sorted(counter.counts)
    assert (counter.counts[0], counter.counts[-1]) == (0, expected)
    # the same quads as an embedded ingest of the same records, but for the ingest times
    assert len(served) == len(embedded)
    assert timeless(served) == timeless(embedded)
    # and the server wrote them to the directory it was given
    assert stored_quads(store) == served
