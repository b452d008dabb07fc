"""Store and orchestrated ingestion, end to end: the Prefect flow and the ``trialgraph``
command over real files, into a real on-disk Oxigraph store and a real ``oxigraph serve``.

Nothing is mocked. In-process flow runs share the session's Prefect test harness;
``trialgraph`` subprocesses talk to the same Prefect API (see ``conftest.py``).
Assertions compare sets of quads read straight from the store.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TypeAlias

import psutil
import pytest
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad
from tests.conftest import CORPUS, DATA, SEEDS, lock_held, remote_quads, timeless

from trialgraph import orchestration
from trialgraph.mapping import trial_graph
from trialgraph.namespaces import TG
from trialgraph.orchestration import ingest, task_runner
from trialgraph.pipeline import IngestResult
from trialgraph.prefect_server import LocalServer, use_api
from trialgraph.queries import load_query
from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources
from trialgraph.store import (
    CONCEPTS_GRAPH,
    MARKER_FILE,
    ONTOLOGY_GRAPH,
    STATUS_GRAPH,
    SUMMARY_GRAPH,
    EmbeddedStore,
    GraphStore,
    RemoteStore,
    SelectResult,
    open_store,
)

GraphName: TypeAlias = NamedNode | BlankNode | DefaultGraph
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SYSTEM_GRAPHS = {ONTOLOGY_GRAPH, CONCEPTS_GRAPH, STATUS_GRAPH, SUMMARY_GRAPH}
#: The queries of the interface contract (``docs/CONTRACT.md``).
CONTRACT_QUERIES = [
    "trials",
    "trial-targets",
    "trial-conditions",
    "trial-products",
    "trial-endpoints",
]
TRIALGRAPH = Path(sys.executable).with_name("trialgraph")


# ---------------------------------------------------------------------------------------
# helpers


def run_ingest(
    sources: Iterable[Path],
    quarantine: Path,
    *,
    store: Path | None = None,
    endpoint: str | None = None,
    batch_size: int = 5000,
) -> IngestResult:
    """Run the flow in this process; every run's counts must add up."""
    result = ingest(
        [str(s) for s in sources],
        store=None if store is None else str(store),
        endpoint=endpoint,
        batch_size=batch_size,
        quarantine_path=str(quarantine),
    )
    assert isinstance(result, IngestResult)
    assert result.read == result.loaded + result.unchanged + result.quarantined
    return result


def store_quads(path: Path) -> set[Quad]:
    """Every quad of an on-disk store (opened the safe way, and released again)."""
    with open_store(path, for_writing=False, wait=False) as store:
        assert isinstance(store, EmbeddedStore)
        return set(store.store)


def by_graph(quads: Iterable[Quad]) -> dict[GraphName, set[Quad]]:
    graphs: dict[GraphName, set[Quad]] = {}
    for q in quads:
        graphs.setdefault(q.graph_name, set()).add(q)
    return graphs


def own(quads: set[Quad], graph: GraphName, predicate: NamedNode) -> list[str]:
    """The values a graph states about its own node for ``predicate``."""
    return [
        q.object.value
        for q in quads
        if q.subject == graph
        and q.predicate == predicate
        and isinstance(q.object, NamedNode | Literal)
    ]


def trial_graphs(quads: Iterable[Quad]) -> dict[GraphName, set[Quad]]:
    return {g: qs for g, qs in by_graph(quads).items() if g not in SYSTEM_GRAPHS}


def incomplete(quads: Iterable[Quad]) -> list[str]:
    """Trial graphs that are not whole: untyped, without exactly one checksum, or holding
    a number of quads other than their ``tg:quadCount``."""
    broken = []
    for graph, qs in trial_graphs(quads).items():
        whole = (
            TG.TrialGraph.value in own(qs, graph, RDF_TYPE)
            and len(own(qs, graph, TG.checksum)) == 1
            and own(qs, graph, TG.quadCount) == [str(len(qs))]
        )
        if not whole:
            broken.append(str(graph))
    return sorted(broken)


def select(store: GraphStore, sparql: str) -> list[tuple[str, ...]]:
    """A SELECT's rows as text (unbound cells empty), in the query's own order."""
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return [tuple("" if t is None else str(t) for t in row) for row in result]


def contract_rows(store: GraphStore, name: str) -> list[tuple[str, ...]]:
    return select(store, load_query(name).bind({}))


def stored_trial_ids(store: GraphStore) -> set[str]:
    """The trial ids the ``trials`` contract query lists."""
    return {row[0].strip('"') for row in contract_rows(store, "trials")}


def read_ids(paths: Iterable[Path]) -> set[str]:
    return {r.trial_id for r in read_sources([str(p) for p in paths]) if isinstance(r, TrialRecord)}


def counts(result: IngestResult) -> tuple[int, int, int, int]:
    return result.read, result.loaded, result.unchanged, result.quarantined


def trialgraph_command() -> list[str]:
    found = TRIALGRAPH if TRIALGRAPH.exists() else shutil.which("trialgraph")
    assert found, "the trialgraph command is not installed"
    return [str(found)]


def run_trialgraph(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the ``trialgraph`` command in ``cwd`` and capture its output as text."""
    command = [*trialgraph_command(), *args]
    return subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


# ---------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def corpus_ids() -> set[str]:
    """The distinct trials of the bundled corpus (nine trials come in both JSON and CSV)."""
    return read_ids(CORPUS)


@pytest.fixture(scope="module")
def corpus_store(
    prefect_api: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, IngestResult]:
    """The whole corpus ingested once into an on-disk store: its directory and the result."""
    root = tmp_path_factory.mktemp("corpus")
    result = run_ingest(CORPUS, root / "quarantine.jsonl", store=root / "store")
    return root / "store", result


# ---------------------------------------------------------------------------------------
# idempotence and updates


def test_the_corpus_loads_whole(
    corpus_store: tuple[Path, IngestResult], corpus_ids: set[str]
) -> None:
    path, first = corpus_store
    assert counts(first) == (192, 192, 0, 0)
    assert first.trials_in_store == len(corpus_ids) == 183
    assert first.quarantine_path is None
    quads = store_quads(path)
    assert first.quads == len(quads)
    assert incomplete(quads) == []
    assert len(trial_graphs(quads)) == len(corpus_ids)
    assert not (path / MARKER_FILE).exists()
    with open_store(path, for_writing=False) as store:
        assert stored_trial_ids(store) == corpus_ids


def test_a_second_run_writes_nothing(
    corpus_store: tuple[Path, IngestResult], tmp_path: Path
) -> None:
    path, first = corpus_store
    before = store_quads(path)
    again = run_ingest(CORPUS, tmp_path / "quarantine.jsonl", store=path)
    assert counts(again) == (first.read, 0, first.read, 0)
    # exactly the same quads, provenance times included: nothing was rewritten
    assert store_quads(path) == before
    assert (again.quads, again.trials_in_store) == (len(before), first.trials_in_store)
    assert again.recovered == []


def test_a_second_run_in_small_batches_writes_nothing(
    corpus_store: tuple[Path, IngestResult], tmp_path: Path
) -> None:
    """Nine CSV records appear in both exports; in small batches the copies meet in
    different batches, and (being identical) still write nothing."""
    path, first = corpus_store
    copy = tmp_path / "store"
    shutil.copytree(path, copy)
    before = store_quads(copy)
    again = run_ingest(CORPUS, tmp_path / "quarantine.jsonl", store=copy, batch_size=50)
    assert counts(again) == (first.read, 0, first.read, 0)
    assert store_quads(copy) == before


def amend(path: Path, sentence: str) -> None:
    """Add a sentence to a plaintext record's detailed description (its 7th line)."""
    lines = path.read_text("utf-8").split("\n")
    assert len(lines) >= 7 and lines[0].strip()
    lines[6] = f"{lines[6]} {sentence}"
    path.write_text("\n".join(lines), "utf-8")


@pytest.mark.xfail(
    strict=True,
    reason="known limitation: two different records of one trial that land in different "
    "batches are both rewritten on every run (each differs from the other's checksum)",
)
def test_conflicting_records_of_one_trial_write_nothing_on_a_rerun(
    prefect_api: str, tmp_path: Path
) -> None:
    seed = next(SEEDS.glob("002_*.txt"))
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(seed, tmp_path / folder / seed.name)
    amend(tmp_path / "b" / seed.name, "A later export of the same trial.")
    sources, store = [tmp_path / "a", tmp_path / "b"], tmp_path / "store"
    assert counts(run_ingest(sources, tmp_path / "q1.jsonl", store=store, batch_size=1)) == (
        2,
        2,
        0,
        0,
    )
    before = store_quads(store)
    again = run_ingest(sources, tmp_path / "q2.jsonl", store=store, batch_size=1)
    assert counts(again) == (2, 0, 2, 0)
    assert store_quads(store) == before


def test_a_changed_record_replaces_exactly_its_graph(
    prefect_api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources, store = tmp_path / "seeds", tmp_path / "store"
    shutil.copytree(SEEDS, sources)
    assert counts(run_ingest([sources], tmp_path / "q1.jsonl", store=store)) == (5, 5, 0, 0)
    before = store_quads(store)

    def encoded(*args: object) -> object:
        raise AssertionError("a rerun's only batch went through N-Quads")

    # the rerun maps its one batch in the flow, handing the loader its trials as mapped
    monkeypatch.setattr(orchestration, "map_encoded", encoded)

    changed = next(sources.glob("002_*.txt"))
    added = "An amended protocol added a second dose level."
    amend(changed, added)
    record = next(r for r in read_sources([str(changed)]) if isinstance(r, TrialRecord))
    graph = trial_graph(record.trial_id)  # the title is unchanged, so is the trial id

    result = run_ingest([sources], tmp_path / "q2.jsonl", store=store)
    assert counts(result) == (5, 1, 4, 0)
    after = store_quads(store)
    old, new = by_graph(before), by_graph(after)
    assert set(old) == set(new)
    assert old[graph] != new[graph]
    assert own(old[graph], graph, TG.checksum) != own(new[graph], graph, TG.checksum)
    assert own(new[graph], graph, TG.checksum) == [record.checksum]
    assert any(isinstance(q.object, Literal) and added in q.object.value for q in new[graph])
    assert not any(isinstance(q.object, Literal) and added in q.object.value for q in old[graph])
    # the store's generation and the summaries follow the change (tests/test_summaries.py)
    for name in old.keys() - {graph, STATUS_GRAPH, SUMMARY_GRAPH}:
        assert old[name] == new[name], f"{name} changed"
    assert incomplete(after) == []


# ---------------------------------------------------------------------------------------
# accounting and quarantine


#: What ``tests/data/bad`` holds that cannot be loaded: (file, location, words of the reason).
BAD_RECORDS = {
    ("binary.bin", "", "binary"),
    ("empty.txt", "", "empty"),
    ("no-title.txt", "", "no title"),
    ("ragged.csv", "row=2", "3 cells"),
    ("truncated.json", "index=2", "breaks off"),
}
#: The good records among them: two CSV rows around the bad one, two studies before the break.
GOOD_IN_BAD = {"NCT00000001", "NCT00000003", "NCT06576635", "NCT07247227"}


@pytest.mark.parametrize("batch_size", [5000, 2], ids=["in the flow", "on workers"])
def test_bad_records_are_quarantined_and_the_rest_loads(
    prefect_api: str, tmp_path: Path, batch_size: int
) -> None:
    """In one batch the flow parses and maps the records itself; in batches of two, worker
    processes parse them (a first load sends records unparsed) and report what failed."""
    store, quarantine = tmp_path / "store", tmp_path / "quarantine.jsonl"
    result = run_ingest([DATA / "bad", SEEDS], quarantine, store=store, batch_size=batch_size)
    assert counts(result) == (14, 9, 0, len(BAD_RECORDS))
    assert result.quarantine_path == str(quarantine)

    entries = [json.loads(line) for line in quarantine.read_text("utf-8").splitlines()]
    assert len(entries) == len(BAD_RECORDS)
    for entry in entries:
        assert set(entry) >= {"source", "location", "reason", "excerpt"}
        assert isinstance(entry["excerpt"], str) and len(entry["excerpt"]) <= 300
    found = set()
    for entry in entries:
        name = Path(entry["source"]).name
        words = next(w for f, loc, w in BAD_RECORDS if (f, loc) == (name, entry["location"]))
        assert words in entry["reason"], entry
        found.add((name, entry["location"], words))
    assert found == BAD_RECORDS
    excerpts = {Path(e["source"]).name: e["excerpt"] for e in entries}
    assert excerpts["ragged.csv"] == "NCT00000002,Second,Lung Cancer"  # the bad row itself
    assert excerpts["no-title.txt"].startswith("A summary with no title line")
    assert excerpts["empty.txt"] == ""

    seeds = read_ids([SEEDS])
    with open_store(store, for_writing=False) as opened:
        assert stored_trial_ids(opened) == GOOD_IN_BAD | seeds
    assert incomplete(store_quads(store)) == []


# ---------------------------------------------------------------------------------------
# crashes and locks


def write_replicas(path: Path, copies: int) -> set[str]:
    """The JSON corpus ``copies`` times over as JSON Lines, each study under a new NCT id."""
    studies = json.loads((DATA / "ctgov-json" / "nsclc-studies.json").read_text("utf-8"))
    ids = set()
    with path.open("w", encoding="utf-8") as out:
        for n in range(copies * len(studies)):
            study = studies[n % len(studies)]
            nct = f"NCT9{n:07d}"
            study["protocolSection"]["identificationModule"]["nctId"] = nct
            out.write(json.dumps(study) + "\n")
            ids.add(nct)
    return ids


def _lines(stream: Iterable[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


@pytest.mark.slow  # about 35 s: 3000 records, 2500 of them replaced one graph at a time
def test_a_killed_ingest_leaves_whole_graphs_and_a_rerun_finishes(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    source, store = tmp_path / "studies.jsonl", tmp_path / "store"
    ids = write_replicas(source, copies=30)
    assert len(ids) == 3000
    process = subprocess.Popen(
        [
            *trialgraph_command(),
            *("ingest", str(source), "--store", str(store), "--batch-size", "100"),
            *("--quarantine", str(tmp_path / "q1.jsonl")),
        ],
        env=cli_env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the flow and its workers
    )
    assert process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stderr, lines), daemon=True).start()
    # wait until a few batches are in (progress lines go to stderr off a terminal) ...
    done, deadline = 0, time.monotonic() + 240
    seen: list[str] = []
    while done < 500:
        line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
        assert line is not None, f"ingest ended before it was killed: {''.join(seen)}"
        seen.append(line)
        if line.startswith("ingest: "):
            done = int(line.split()[1].replace(",", ""))
    # ... then kill it in the middle of a write, when the store marks one in progress
    marker = store / MARKER_FILE
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    assert process.poll() is None, "ingest finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # as a crash would: workers die too
    assert process.wait(timeout=30) == -signal.SIGKILL

    # the lock died with the process; every trial graph in the store is whole
    quads = store_quads(store)
    graphs = trial_graphs(quads)
    assert 0 < len(graphs) < len(ids)
    assert incomplete(quads) == []

    result = run_ingest([source], tmp_path / "q2.jsonl", store=store, batch_size=1000)
    assert counts(result) == (3000, 3000 - len(graphs), len(graphs), 0)
    assert result.trials_in_store == 3000
    assert result.recovered == []  # nothing found incomplete above, so nothing dropped
    quads = store_quads(store)
    assert incomplete(quads) == []
    assert set(trial_graphs(quads)) == {trial_graph(i) for i in ids}
    assert result.quads == len(quads)
    assert not marker.exists()


def test_a_locked_store_fails_fast_with_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    store = tmp_path / "store"
    EmbeddedStore(store).close()
    with lock_held(store):
        commands = {
            "ingest": ["ingest", str(SEEDS), "--store", str(store), "--no-progress"],
            "stats": ["stats", "--store", str(store), "--no-wait"],
        }
        for name, args in commands.items():
            done = subprocess.run(
                trialgraph_command() + args,
                env=cli_env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode != 0, name
            error = done.stderr.strip()
            assert error.count("\n") == 0 and "Traceback" not in error, (name, error)
            assert error.startswith("trialgraph: error: "), (name, error)
            assert str(store) in error and "locked" in error, (name, error)
            assert done.stdout == "", name


# ---------------------------------------------------------------------------------------
# remote store


@pytest.mark.parametrize(
    "runner",
    [
        "process",
        pytest.param(
            "dask",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("prefect_dask") is None,
                reason="prefect-dask not installed",
            ),
        ),
    ],
)
def test_batches_mapped_on_workers_make_the_same_graph(
    runner: str, corpus_store: tuple[Path, IngestResult], tmp_path: Path
) -> None:
    """Small batches mapped on two worker processes (a local process pool, or a real
    ``distributed.LocalCluster``) and loaded in order give the graph of a one-batch run."""
    path, first = corpus_store
    flow = ingest.with_options(task_runner=task_runner(runner, workers=2))
    result = flow(
        [str(s) for s in CORPUS],
        store=str(tmp_path / "store"),
        batch_size=40,
        quarantine_path=str(tmp_path / "quarantine.jsonl"),
        in_flight=3,
    )
    assert counts(result) == counts(first)
    assert timeless(store_quads(tmp_path / "store")) == timeless(store_quads(path))


def test_a_served_store_answers_like_the_embedded_one(
    corpus_store: tuple[Path, IngestResult], oxigraph_server: str, tmp_path: Path
) -> None:
    path, embedded_run = corpus_store
    remote = RemoteStore(oxigraph_server)
    drop_all = urllib.request.Request(
        remote.update_url, b"DROP ALL", {"Content-Type": "application/sparql-update"}
    )
    urllib.request.urlopen(drop_all, timeout=30).close()  # the server is shared: start empty
    result = run_ingest(CORPUS, tmp_path / "quarantine.jsonl", endpoint=oxigraph_server)
    assert counts(result) == counts(embedded_run)
    assert (result.trials_in_store, result.quads) == (
        embedded_run.trials_in_store,
        embedded_run.quads,
    )
    with open_store(path, for_writing=False) as embedded:
        for name in CONTRACT_QUERIES:
            rows = contract_rows(embedded, name)
            assert rows, name
            assert contract_rows(remote, name) == rows, name
    local, served = store_quads(path), remote_quads(remote)
    assert timeless(served) == timeless(local)
    assert len(served) == len(local)
    assert remote.write_marker() is None

    again = run_ingest(CORPUS, tmp_path / "quarantine2.jsonl", endpoint=oxigraph_server)
    assert counts(again) == (result.read, 0, result.read, 0)
    assert remote_quads(remote) == served


# ---------------------------------------------------------------------------------------
# the command line


def summary_fields(stdout: str) -> dict[str, str]:
    fields = {}
    for line in stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def test_the_ingest_command_prints_its_summary(cli_env: dict[str, str], tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = run_trialgraph(
        "ingest", str(SEEDS), "--store", str(store), "--no-progress", env=cli_env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    fields = summary_fields(done.stdout)
    quads = store_quads(store)
    assert {k: fields.get(k) for k in ("records read", "loaded", "unchanged", "quarantined")} == {
        "records read": "5",
        "loaded": "5",
        "unchanged": "0",
        "quarantined": "0",
    }
    assert fields["trials in store"] == "5"
    assert fields["quads in store"] == str(len(quads))
    assert "quarantine report" not in fields
    assert not (tmp_path / "trialgraph-quarantine").exists()


def _summary(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert done.returncode == 0, done.stderr
    fields = summary_fields(done.stdout)
    return {k: fields[k] for k in ("records read", "loaded", "unchanged", "quarantined")}


def test_the_registry_download_zip_is_ingested_and_rerun_by_member(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """The registry's zip loads whole; a rerun parses nothing; a changed member and a
    truncated one are the only records a third run loads or quarantines."""
    download = DATA / "ctgov-zip" / "urology-studies.json.zip"
    store, quarantine = tmp_path / "store", tmp_path / "quarantine.jsonl"
    options = ["--store", str(store), "--quarantine", str(quarantine), "--no-progress"]

    def entries() -> list[dict[str, str]]:
        if not quarantine.exists():
            return []
        return [json.loads(line) for line in quarantine.read_text("utf-8").splitlines()]

    first = _summary(run_trialgraph("ingest", str(download), *options, env=cli_env, cwd=tmp_path))
    assert entries() == []
    assert first == {"records read": "633", "loaded": "633", "unchanged": "0", "quarantined": "0"}
    again = run_trialgraph("ingest", str(download), *options, env=cli_env, cwd=tmp_path)
    assert _summary(again) == {
        "records read": "633",
        "loaded": "0",
        "unchanged": "633",
        "quarantined": "0",
    }

    with zipfile.ZipFile(download) as z:
        members = sorted((i.filename, z.read(i)) for i in z.infolist())
    (changed, body), (truncated, _) = members[10:12]
    study = json.loads(body)
    study["protocolSection"]["identificationModule"]["briefTitle"] += " (amended)"
    edits = {changed: json.dumps(study).encode(), truncated: b'{"protocolSection": {'}
    edited = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, edits.get(name, data))
    third = run_trialgraph("ingest", str(edited), *options, env=cli_env, cwd=tmp_path)
    assert _summary(third) == {
        "records read": "633",
        "loaded": "1",
        "unchanged": "631",
        "quarantined": "1",
    }
    [entry] = [e for e in entries() if e["location"] == f"member={truncated}"]
    assert entry["source"] == str(edited)
    assert entry["reason"].startswith(f"{truncated}: the JSON document is malformed")


def _processes_with(home: Path) -> list[psutil.Process]:
    """Processes of this user whose environment names ``home`` as ``PREFECT_HOME``."""
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if process.environ().get("PREFECT_HOME") == str(home):
                found.append(process)
    return found


@pytest.mark.parametrize(
    "options",
    [[], ["--batch-size", "2", "--workers", "1"]],
    ids=["one batch, in the flow", "batches on a worker process"],
)
def test_the_ingest_command_runs_and_stops_a_prefect_api_of_its_own(
    cli_env: dict[str, str], tmp_path: Path, options: list[str]
) -> None:
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in cli_env.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_LOGGING_LEVEL"] = "INFO"  # Prefect names the API it runs against
    store = tmp_path / "store"
    done = run_trialgraph(
        *["ingest", str(SEEDS), "--store", str(store), "--no-progress"],
        *["--task-runner", "process", *options],
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert summary_fields(done.stdout)["loaded"] == "5"
    logs = done.stdout + done.stderr
    # neither the flow nor a thread of Prefect's (events from workers) started a server
    assert "Starting temporary server" not in logs
    assert re.search(r"View at http://127\.0\.0\.1:\d+/", logs), logs
    assert _processes_with(home) == []  # and the command's own server is gone


def test_a_temporary_api_that_fails_to_start_leaves_the_run_to_prefect(prefect_api: str) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    failing = subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"])
    server = LocalServer(failing, "http://127.0.0.1:9/api")
    said: list[str] = []
    with temporary_settings(restore_defaults={PREFECT_API_URL}), use_api(server, said.append):
        assert not PREFECT_API_URL.value()  # Prefect starts its own, as without trialgraph's
    assert said == ["the Prefect API server exited with code 3; Prefect will start its own"]


def test_a_configured_api_wins_over_the_temporary_one(prefect_api: str) -> None:
    from prefect.settings import PREFECT_API_URL

    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    server = LocalServer(idle, "http://127.0.0.1:9/api")
    with use_api(server, pytest.fail):
        assert PREFECT_API_URL.value() == prefect_api
        assert idle.poll() is not None  # stopped unused


def test_the_ingest_command_names_a_missing_source(cli_env: dict[str, str], tmp_path: Path) -> None:
    store, missing = tmp_path / "store", tmp_path / "no-such-dir"
    done = subprocess.run(
        [*trialgraph_command(), "ingest", str(missing), "--store", str(store), "--no-progress"],
        env=cli_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"trialgraph: error: {missing}: no such file or directory"
    assert not store.exists()  # nothing was written, not even an empty store


def test_an_unknown_task_runner_gets_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *trialgraph_command(),
            "ingest",
            str(SEEDS),
            "--store",
            str(tmp_path / "s"),
            "--task-runner",
            "yarn",
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "trialgraph: error: unknown task runner 'yarn': use process, serial, dask or dask=ADDRESS"
    ]
    assert not (tmp_path / "s").exists()
