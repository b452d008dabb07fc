"""The Prefect ingest flow: discover sources, map and load in batches, report.

The flow is thin: reading, mapping and loading are library functions
(:mod:`trialgraph.sources`, :mod:`trialgraph.pipeline`, :mod:`trialgraph.store`). The flow
reads and triages records; one ``map batch`` task per batch of thousands of records (never
per record) maps them on the task runner's workers; a loading thread writes the mapped
batches in order (docs/decisions/0004). Orchestration stays a small fraction of the work
and the ephemeral API is never flooded with task runs. Discovery retries on I/O errors; a
remote store retries its own requests. ``flows/ingest.py`` is the deployment entrypoint.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner
from pyoxigraph import Quad, RdfFormat, parse

from trialgraph import __version__, defaults
from trialgraph.coverage import Coverage
from trialgraph.namespaces import ONTOLOGY_GRAPH, resource_dir
from trialgraph.pipeline import (
    EncodedBatch,
    IngestResult,
    Loader,
    MappedBatch,
    Quarantine,
    map_batch,
    map_encoded,
)
from trialgraph.records import KnownRecord, RawRecord, RecordError, TrialRecord
from trialgraph.sources import iter_paths, read_changed
from trialgraph.store import GraphStore, StoreLockedError, open_store

T = TypeVar("T")
_END: Any = object()
#: a batch being mapped on a worker, or mapped in the flow's process
_Mapped = PrefectFuture[EncodedBatch] | EncodedBatch | MappedBatch


def _io_only(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a task only when it failed on I/O (not on a lock or a bug)."""
    try:
        state.result()
    except (StoreLockedError, FileNotFoundError):
        return False
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(
    name="discover sources",
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_io_only,
    cache_policy=NONE,
)
def discover(sources: list[str]) -> list[str]:
    """The files the sources name (directories walked, globs expanded).

    A source that names nothing stops the run before anything is written: a mistyped path
    in a nightly job must fail loudly, not ingest nothing.
    """
    files: list[str] = []
    for path in iter_paths(sources):
        if isinstance(path, RecordError):
            raise FileNotFoundError(f"{path.source}: {path.reason}")
        files.append(path)
    return files


class Records:
    """A batch of records as one opaque task argument.

    Prefect walks list, tuple and dataclass arguments looking for futures; a plain object
    is passed as it is, which spares it thousands of nested dataclasses per batch.
    """

    __slots__ = ("records",)

    def __init__(self, records: list[TrialRecord | RawRecord]) -> None:
        self.records = records


@task(name="map batch", cache_policy=NONE)
def map_records(
    batch: Records, ingested_at: datetime, spool: str | None = None, summarize: bool = False
) -> EncodedBatch:
    """Map one batch (on a worker process when the task runner has them).

    With ``spool``, a directory on this machine, the batch's N-Quads are left in a file
    there for the loading thread; with ``summarize`` (a first load) the batch's summary
    groups come too (see :func:`~trialgraph.pipeline.map_encoded`).
    """
    return map_encoded(batch.records, ingested_at, spool, summarize)


@task(name="map batch", cache_policy=NONE)
def map_here(batch: Records, ingested_at: datetime) -> MappedBatch:
    """Map a rerun's only batch in the flow's own process.

    Its trials go to :meth:`~trialgraph.pipeline.Loader.load` as they were mapped, with no
    trip through N-Quads: a rerun replaces trials, which it reads and compares as quads.
    """
    return map_batch(batch.records, ingested_at)


def task_runner(spec: str = "process", workers: int | None = None) -> TaskRunner[Any]:
    """The task runner that maps batches: ``process``, ``serial``, ``dask`` or ``dask=ADDRESS``.

    ``process`` maps on ``workers`` local processes (all cores by default), ``serial`` in
    the flow's own process, ``dask`` on a new ``distributed.LocalCluster`` of ``workers``
    processes, and ``dask=tcp://HOST:8786`` on an existing Dask cluster (the extra
    ``trialgraph[dask]`` installs prefect-dask). Loading always happens in the flow's
    process, on a thread of its own: an embedded store has one writer, and a remote one
    is written in order.

    >>> type(task_runner("serial")).__name__
    'ThreadPoolTaskRunner'
    >>> task_runner("yarn")
    Traceback (most recent call last):
    ...
    ValueError: unknown task runner 'yarn': use process, serial, dask or dask=ADDRESS
    """
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    workers = workers or os.cpu_count() or 1
    kind, _, address = spec.partition("=")
    if kind == "process":
        return ProcessPoolTaskRunner(max_workers=workers)
    if kind == "serial":
        return ThreadPoolTaskRunner(max_workers=1)
    if kind == "dask":
        try:
            from prefect_dask.task_runners import DaskTaskRunner
        except ImportError:
            raise ValueError(
                "the dask task runner needs prefect-dask: pip install 'trialgraph[dask]'"
            ) from None
        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(
            cluster_class=_local_cluster,
            cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True},
        )
    raise ValueError(f"unknown task runner {spec!r}: use process, serial, dask or dask=ADDRESS")


def _batches(
    items: Iterator[TrialRecord | KnownRecord | RawRecord | RecordError],
    size: int,
    quarantine: Quarantine,
) -> Iterator[tuple[list[TrialRecord | KnownRecord | RawRecord], int]]:
    """Batches of records; read errors go straight to the quarantine."""
    while True:
        chunk = list(itertools.islice(items, size))
        if not chunk:
            return
        quarantine.add([i for i in chunk if isinstance(i, RecordError)])
        yield [i for i in chunk if not isinstance(i, RecordError)], len(chunk)


class _Progress:
    """Records and records/s: a live bar on a terminal, a log line per batch otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.started = time.perf_counter()
        self.done = 0
        self._bar: Any = None
        if enabled and sys.stderr.isatty():
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("ingesting: {task.completed:,} records ({task.fields[rate]}/s)"),
                TimeElapsedColumn(),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("ingest", total=None, rate="-")
        self._log = enabled and self._bar is None

    def advance(self, n: int) -> None:
        self.done += n
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, rate=f"{rate:,.0f}")
        elif self._log:
            print(f"ingest: {self.done:,} records ({rate:,.0f}/s)", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def ontology_quads() -> tuple[list[Quad], str]:
    """The ontology's quads in its own graph, and a version that changes with the file."""
    path = resource_dir("ontology") / "trialgraph.ttl"
    data = path.read_bytes()
    quads = [
        Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH)
        for t in parse(data, format=RdfFormat.TURTLE)
    ]
    return quads, f"{__version__}+{hashlib.sha256(data).hexdigest()[:12]}"


_shared_api: list[str] = []  # the API address _share_api put into the environment


def _share_api() -> None:
    """Let worker processes started from now on report to this run's Prefect API.

    In Prefect's ephemeral mode the API server belongs to this process, and a worker that
    does not know its address would start a server of its own, seconds and memory each.
    The address goes into ``PREFECT_API_URL`` until :func:`_unshare_api`.
    """
    if os.environ.get("PREFECT_API_URL"):
        return
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        url = str(client.api_url)
    os.environ["PREFECT_API_URL"] = url
    _shared_api.append(url)


def _unshare_api() -> None:
    """Undo :func:`_share_api`: the next run's ephemeral server has another address."""
    while _shared_api:
        if os.environ.get("PREFECT_API_URL") == _shared_api.pop():
            del os.environ["PREFECT_API_URL"]


def _local_cluster(**kwargs: Any) -> Any:
    """A ``distributed.LocalCluster`` whose workers report to this run's Prefect API."""
    from distributed import LocalCluster

    _share_api()
    return LocalCluster(**kwargs)  # type: ignore[no-untyped-call]


@flow(
    name="trialgraph-ingest",
    log_prints=False,
    validate_parameters=False,
    task_runner=task_runner(os.environ.get("TRIALGRAPH_TASK_RUNNER", "process")),
)
def ingest(
    sources: list[str],
    store: str | None = None,
    endpoint: str | None = None,
    batch_size: int = defaults.BATCH_SIZE,
    quarantine_path: str | None = None,
    progress: bool = False,
    in_flight: int | None = None,
) -> IngestResult:
    """Ingest registry records from ``sources`` into the store; bad records are quarantined.

    ``store`` is an embedded store directory, ``endpoint`` a SPARQL server (one of the two,
    or neither for the default directory). Records are read here, batches are mapped on
    the flow's task runner (:func:`task_runner`), at most ``in_flight`` at a time (default:
    one more than the cores), and loaded here in the order they were read. Records that
    need mapping are gathered into batches of ``batch_size`` (a rerun that changes a few
    records here and there maps them together); a run with a single batch to map maps it
    in this process: starting workers would cost more than it saves.
    Returns the run's counts, which always satisfy ``read == loaded + unchanged +
    quarantined``.
    """
    logger = get_run_logger()
    started = time.perf_counter()
    ingested_at = datetime.now(UTC)
    files = discover(sources)
    logger.info("ingesting %d files", len(files))
    stamp = ingested_at.strftime("%Y%m%dT%H%M%SZ")
    quarantine = Quarantine(Path(quarantine_path or f"trialgraph-quarantine/ingest-{stamp}.jsonl"))
    run = _Run(quarantine, ingested_at, batch_size, in_flight, _Progress(progress))
    target: GraphStore = open_store(store, endpoint, for_writing=True)
    spool = _spool_dir()
    try:
        _share_api()
        run.result.recovered = target.recover()
        target.ensure_ontology(*ontology_quads())
        loader = Loader(target)
        run.feed(loader, files, spool)
        summary = loader.finish()
        if summary is not None:
            run.result.summaries = summary.line()
            logger.info("summaries %s", run.result.summaries)
        run.result.quads = target.count_quads()
        run.result.trials_in_store = target.trial_count()
    finally:
        run.close()  # a load in progress finishes before the store closes
        if spool:
            shutil.rmtree(spool, ignore_errors=True)
        _unshare_api()
        quarantine.close()
        target.close()
    result = run.result
    result.quarantined = quarantine.count
    result.quarantine_path = str(quarantine.path) if quarantine.count else None
    result.coverage = run.coverage.figures()
    result.seconds = time.perf_counter() - started
    _artifact(result, run.coverage, quarantine)
    return result


class _Run:
    """One ingest's batches in flight: mapped on the task runner, loaded on a thread.

    At most ``in_flight`` batches (default: one more than the cores) are mapped at a time;
    mapped batches are handed to the loading thread in the order they were read, and one
    batch loads while the next is read and mapped.
    """

    def __init__(
        self,
        quarantine: Quarantine,
        ingested_at: datetime,
        batch_size: int,
        in_flight: int | None,
        bar: _Progress,
    ) -> None:
        self.quarantine = quarantine
        self.ingested_at = ingested_at
        self.batch_size = batch_size
        self.limit = max(1, in_flight or (os.cpu_count() or 1) + 1)
        self.bar = bar
        self.result = IngestResult()
        self.coverage = Coverage()
        self.pending: deque[tuple[_Mapped | None, int]] = deque()
        self.loading = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trialgraph-load")
        self.loads: deque[Future[int]] = deque()

    def feed(self, loader: Loader, files: list[str], spool: str | None) -> None:
        """Read, triage, map and load every record of ``files``.

        Records that need mapping are gathered into batches of ``batch_size`` (a rerun
        that changes a few records here and there maps them together); a run with a single
        batch to map maps it in this process: starting workers would cost more than it
        saves.
        """
        batches = _batches(read_changed(files, loader.known), self.batch_size, self.quarantine)
        todo: list[TrialRecord | RawRecord] = []
        submitted = False
        for (records, n_read), last in _lookahead(batches):
            self.result.read += n_read
            triage = loader.triage(records)
            self.quarantine.add(triage.errors)
            self.result.unchanged += triage.unchanged
            self.result.loaded += triage.repeated
            todo.extend(triage.todo)
            mapped: _Mapped | None = None
            if todo and (last or len(todo) >= self.batch_size):
                first = loader.first_load
                if last and not submitted:  # the only batch to map: map it here
                    if first:  # for the bulk path, as N-Quads
                        mapped = map_records(Records(todo), self.ingested_at, None, True)
                    else:
                        mapped = map_here(Records(todo), self.ingested_at)
                else:
                    mapped = map_records.submit(Records(todo), self.ingested_at, spool, first)
                    submitted = True
                todo = []
            self.pending.append((mapped, n_read))
            while len(self.pending) > self.limit or (last and self.pending):
                self._finish(loader)
        while self.loads:
            self.result.loaded += self.loads.popleft().result()

    def _finish(self, loader: Loader) -> None:
        """Take the oldest mapped batch and hand it to the loading thread."""
        mapped, n_read = self.pending.popleft()
        if mapped is not None:
            batch = mapped if isinstance(mapped, EncodedBatch | MappedBatch) else mapped.result()
            self.quarantine.add(batch.errors)
            self.coverage.merge(batch.coverage)
            if isinstance(batch, MappedBatch):
                self.loads.append(self.loading.submit(loader.load, batch.mapped))
            else:
                self.loads.append(self.loading.submit(loader.load_encoded, batch))
        while len(self.loads) > 1:  # one batch loads while the next is read and mapped
            self.result.loaded += self.loads.popleft().result()
        self.bar.advance(n_read)

    def close(self) -> None:
        """Wait for the load in progress, and stop the progress display."""
        self.loading.shutdown(wait=True)
        self.bar.close()


def _spool_dir() -> str | None:
    """A new directory for mapped batches, when the task runner's workers run on this
    machine (``process``, ``serial``); ``None`` for a Dask cluster, which may be elsewhere.

    The system's temporary directory holds it (``TMPDIR`` chooses another); each file
    lives from the end of its batch's mapping to the end of its load.
    """
    from prefect.context import FlowRunContext
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    if not isinstance(runner, ProcessPoolTaskRunner | ThreadPoolTaskRunner):
        return None
    return tempfile.mkdtemp(prefix="trialgraph-spool-")


def _lookahead(items: Iterator[T]) -> Iterator[tuple[T, bool]]:
    """Each item with whether it is the last.

    >>> list(_lookahead(iter("ab")))
    [('a', False), ('b', True)]
    """
    previous = next(items, _END)
    while previous is not _END:
        current = next(items, _END)
        yield previous, current is _END
        previous = current


def _artifact(result: IngestResult, coverage: Coverage, quarantine: Quarantine) -> None:
    """A markdown summary of the run, kept by Prefect with the flow run."""
    reasons = "\n".join(f"- {n} × {kind}" for kind, n in sorted(quarantine.reasons.items()))
    markdown = (
        "# trialgraph ingest\n\n```\n"
        + result.summary()
        + "\n```\n\n## Coverage\n\n"
        + coverage.report()
        + ("\n\n## Quarantine\n\n" + reasons if reasons else "")
    )
    create_markdown_artifact(markdown, key="trialgraph-ingest", description="ingest summary")


@flow(name="trialgraph-pull", log_prints=False, validate_parameters=False)
def pull(
    query: dict[str, str | None],
    store: str | None = None,
    endpoint: str | None = None,
    landing: str | None = None,
    request_interval: float = defaults.PULL_INTERVAL,
) -> str:
    """Pull what changed in a registry query since its watermark and ingest it.

    ``query`` holds :class:`~trialgraph.sources.api.ApiQuery`'s fields (``api`` and the
    query options). The fetched pages land in ``landing`` and are ingested by the ingest
    flow, run as this flow's subflow; the watermark moves once they are loaded. Returns
    the pull's summary.
    """
    from trialgraph.pull import run_pull
    from trialgraph.sources.api import ApiQuery

    def load(paths: list[str]) -> IngestResult:
        return ingest(paths, store=store, endpoint=endpoint)

    fields = {k: v for k, v in query.items() if v}
    result = run_pull(
        ApiQuery(**fields),
        lambda: open_store(store, endpoint, for_writing=True),
        load,
        landing=Path(landing) if landing else None,
        interval=request_interval,
        progress=False,
    )
    summary = result.summary()
    get_run_logger().info("%s", summary)
    return summary
