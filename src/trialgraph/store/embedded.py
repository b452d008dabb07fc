"""The embedded backend: an Oxigraph store in this process, and opening one safely.

Readers never open an Oxigraph store read-only while another process may write it
(pyoxigraph calls that undefined behaviour): :func:`open_read_only` takes the normal
write lock and waits for it, or fails with :class:`StoreLockedError`.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
)

from trialgraph.store import recovery
from trialgraph.store.interface import GraphStore, StoreError, StoreLockedError, StoreNotFoundError
from trialgraph.store.sparql import QueryResult, select_rows
from trialgraph.store.trial import TrialGraph

log = logging.getLogger(__name__)

#: Quads per ``bulk_extend`` call on an embedded bulk load.
EMBEDDED_BULK_CHUNK = 500_000
#: N-Quads bytes per ``bulk_load`` call on an embedded bulk load (whole lines). Oxigraph's
#: bulk loader holds about five times what it is given while it sorts and writes it: a
#: 2,000-record batch (about 80 MiB) loaded whole adds about 400 MiB to the loading
#: process for a moment, and about 110 MiB in pieces of this size (BENCHMARKS.md).
NQUADS_CHUNK_BYTES = 16 * 2**20


class EmbeddedStore(GraphStore):
    """An Oxigraph store in this process: a directory on disk, or in memory (``None``).

    Opening a directory takes Oxigraph's exclusive lock; if another process holds it,
    :class:`StoreLockedError` is raised. Query rows are read lazily from pyoxigraph, whose
    results must be consumed (and dropped) in the thread that made them, and keep the
    store, and so its lock, alive until they are.
    """

    def __init__(self, path: str | Path | None = None, *, writable: bool = True) -> None:
        self.path = None if path is None else Path(path)
        self.writable = writable
        self._memory_marker: dict[str, object] | None = None
        self._handle: Store | None = None
        if self.path is not None and writable and recovery.served(self.path):
            raise StoreLockedError(
                f"store {self.path} is being served read-only by 'trialgraph serve'; stop "
                "the server, or serve it with --allow-updates and ingest with --endpoint"
            )
        try:
            if self.path is not None and writable:
                self.path.mkdir(parents=True, exist_ok=True)  # Oxigraph makes only the leaf
            self._handle = Store(None if self.path is None else str(self.path))
        except OSError as error:
            if self.path is not None and recovery.is_lock_error(error):
                raise StoreLockedError(recovery.locked_message(self.path)) from None
            raise StoreError(f"cannot open store {self.path}: {error}") from error

    @property
    def _store(self) -> Store:
        if self._handle is None:
            raise StoreError(f"store {self.path or '(in memory)'} is closed")
        return self._handle

    @property
    def store(self) -> Store:
        """The underlying pyoxigraph store, for what the interface does not cover."""
        return self._store

    def _check_writable(self) -> None:
        if not self.writable:
            raise StoreError(f"store {self.path} was opened for reading")

    def _query(self, sparql: str) -> QueryResult:
        result = self._store.query(sparql, use_default_graph_as_union=True)
        if isinstance(result, QuerySolutions):
            return select_rows(result)
        if isinstance(result, QueryBoolean):
            return bool(result)
        triples: Iterator[Triple] = iter(result)
        return triples

    def write_csv(self, sparql: str, out: BinaryIO) -> bool:
        result = self._store.query(sparql, use_default_graph_as_union=True)
        if not isinstance(result, QuerySolutions):
            return False
        result.serialize(out, format=QueryResultsFormat.CSV)
        return True

    def _update(self, sparql: str) -> None:
        self._check_writable()
        self._store.update(sparql)

    def stored_quads(self, graphs: Sequence[NamedNode]) -> dict[NamedNode, set[Quad]]:
        """The stored quads of every one of ``graphs``, read in-process from the graphs'
        index (an empty set for a graph not stored).

        Cheap enough to turn a replace into the quads it changes. Sound because this
        process is the store's only writer (it holds the lock).
        """
        return {g: set(self._store.quads_for_pattern(None, None, None, g)) for g in graphs}

    def _set_marker(self, payload: dict[str, object] | None) -> None:
        """The marker is a file in the store directory (an attribute, in memory)."""
        self._check_writable()
        if self.path is None:
            self._memory_marker = payload
        else:
            recovery.write_marker_file(self.path, payload)

    def write_marker(self) -> dict[str, object] | None:
        if self.path is None:
            return self._memory_marker
        return recovery.read_marker_file(self.path)

    def bulk_load(self, batches: Iterable[Sequence[TrialGraph]]) -> None:
        """Load trials with ``Store.bulk_extend``, in chunks of :data:`EMBEDDED_BULK_CHUNK`.

        Each ``bulk_extend`` call writes new files, and no other write may run inside
        one, so replaces of trials already stored happen between chunks.
        """
        self._check_writable()
        self._bulk_load(batches, EMBEDDED_BULK_CHUNK)
        self._store.flush()

    def _bulk_send(self, quads: list[Quad]) -> None:
        self._store.bulk_extend(quads)

    def _bulk_send_nquads(self, nquads: bytes | Path) -> None:
        for chunk in nquads_chunks(nquads, NQUADS_CHUNK_BYTES):
            # lenient: our own N-Quads, from pyoxigraph's serializer, need no second check
            self._store.bulk_load(chunk, format=RdfFormat.N_QUADS, lenient=True)

    def is_empty(self) -> bool:
        return next(self._store.quads_for_pattern(None, None, None, None), None) is None

    def close(self) -> None:
        """Flush and release the store and its lock (pyoxigraph frees it with the object)."""
        if self._handle is not None:
            if self.writable and self.path is not None:
                self._handle.flush()
            self._handle = None


def nquads_chunks(nquads: bytes | Path, size: int) -> Iterator[bytes]:
    """N-Quads (bytes, or a file of them) in pieces of about ``size`` bytes, each ending
    at a line's end: a quad is one line, so each piece is N-Quads of whole quads.

    >>> list(nquads_chunks(b"a .\\nb .\\nc .\\n", 3))
    [b'a .\\n', b'b .\\n', b'c .\\n']
    >>> list(nquads_chunks(b"a .\\nb .\\n", 100)), list(nquads_chunks(b"", 100))
    ([b'a .\\nb .\\n'], [])
    """
    with nquads.open("rb") if isinstance(nquads, Path) else io.BytesIO(nquads) as stream:
        while piece := stream.read(size):
            yield piece if piece.endswith(b"\n") else piece + stream.readline()


def open_read_only(
    path: str | Path,
    *,
    wait: bool = True,
    timeout: float = 600.0,
    poll: float = 0.5,
    on_wait: Callable[[str], None] | None = None,
) -> EmbeddedStore:
    """Open an existing store directory to read it, safely.

    Oxigraph's ``Store.read_only`` while another process writes is undefined behaviour, so
    this takes the normal (exclusive) handle instead. If a writer holds the lock, either wait
    for it, polling every ``poll`` seconds and reporting once through ``on_wait`` (a logging
    warning by default), or, with ``wait=False`` or after ``timeout`` seconds, raise
    :class:`StoreLockedError`. A missing directory is :class:`StoreNotFoundError`; it is
    never created. The returned store refuses writes.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise StoreNotFoundError(
            f"no trialgraph store at {directory}: run `trialgraph ingest` first, "
            "or give --store / TRIALGRAPH_STORE"
        )
    return open_waiting(
        directory, writable=False, wait=wait, timeout=timeout, poll=poll, on_wait=on_wait
    )


def open_waiting(
    directory: Path,
    *,
    writable: bool,
    wait: bool,
    timeout: float,
    poll: float,
    on_wait: Callable[[str], None] | None,
) -> EmbeddedStore:
    """Open a store directory, waiting up to ``timeout`` seconds for another's lock."""
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            return EmbeddedStore(directory, writable=writable)
        except StoreLockedError as error:
            if not wait or time.monotonic() >= deadline:
                raise
            if not told:
                (on_wait or log.warning)(f"{error}; waiting up to {timeout:.0f} s")
                told = True
            time.sleep(poll)
