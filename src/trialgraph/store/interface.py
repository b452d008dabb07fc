"""What trialgraph needs of a store, declared once: :class:`GraphStore`.

The abstract methods are the primitives a backend implements (query, update, bulk
writes, the write marker); the concrete ones are the operations built on them, the same
for every backend.
"""

from __future__ import annotations

import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Self

from pyoxigraph import Literal, NamedNode, Quad

from trialgraph.namespaces import ONTOLOGY_GRAPH, TG
from trialgraph.sparql import BindTerm, bind
from trialgraph.store import recovery, sparql
from trialgraph.store.sparql import QueryResult, SelectResult
from trialgraph.store.trial import TrialGraph

if TYPE_CHECKING:
    from types import TracebackType

log = logging.getLogger(__name__)

#: Graphs per ``VALUES`` block when looking up checksums.
CHECKSUM_BATCH = 1000


class StoreError(Exception):
    """A store could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds an embedded store's directory for writing."""


class StoreNotFoundError(StoreError):
    """A reader asked for a store directory that does not exist."""


class GraphStore(ABC):
    """The operations trialgraph needs of a store, embedded or remote."""

    _depth: int = 0  # nesting of writing() blocks
    _changed: bool = False  # whether the current writing() block changed trial graphs
    #: how many times this object advanced the store's generation
    bumps: int = 0

    # primitives -------------------------------------------------------------------------
    def query(
        self, sparql: str, substitutions: Mapping[str, BindTerm] | None = None
    ) -> QueryResult:
        """Run a query over the union of all graphs, binding ``substitutions`` (name → term)
        the one way queries are bound (:func:`trialgraph.sparql.bind`)."""
        if substitutions:
            names = [name.lstrip("?$") for name in substitutions]
            sparql = bind(sparql, names, [tuple(substitutions.values())])
        return self._query(sparql)

    @abstractmethod
    def _query(self, sparql: str) -> QueryResult:
        """Run a query text as it is, with the union of all graphs as its default graph."""

    @abstractmethod
    def write_csv(self, sparql: str, out: BinaryIO) -> bool:
        """Run a SELECT and write its rows to ``out`` as SPARQL 1.1 CSV results (RFC 4180:
        a header of the variable names, values as plain text, CRLF line ends); ``False``,
        with nothing written, for another kind of query.

        The rows are serialized by Oxigraph as they come, without becoming Python objects.
        """

    @abstractmethod
    def _update(self, sparql: str) -> None:
        """Run a SPARQL update in one transaction."""

    @abstractmethod
    def _bulk_send(self, quads: list[Quad]) -> None:
        """Write quads on the backend's non-transactional fast path."""

    @abstractmethod
    def _bulk_send_nquads(self, nquads: bytes | Path) -> None:
        """Write N-Quads (bytes, or a file of them) on the backend's non-transactional fast path."""

    @abstractmethod
    def bulk_load(self, batches: Iterable[Sequence[TrialGraph]]) -> None:
        """Load trials fast, without transactions (a first load into an empty store).

        Trials whose graph already exists are replaced transactionally instead, so a bulk
        load never merges into an old graph.
        """

    @abstractmethod
    def _set_marker(self, payload: dict[str, object] | None) -> None:
        """Record the write-in-progress marker, or remove it (``None``)."""

    @abstractmethod
    def write_marker(self) -> dict[str, object] | None:
        """The write-in-progress marker (pid, host, start time), if one is recorded."""

    @abstractmethod
    def is_empty(self) -> bool:
        """Whether the store holds no quads."""

    @abstractmethod
    def close(self) -> None:
        """Release the store (its lock, for an embedded store)."""

    def stored_quads(self, graphs: Sequence[NamedNode]) -> dict[NamedNode, set[Quad]]:
        """The stored quads of those of ``graphs`` this backend reads cheaply (here: none;
        an embedded store reads every graph's, empty for one not stored).

        :meth:`replace_trials` changes those graphs by the quads they lose and gain, and
        drops and inserts the others whole.
        """
        return {}

    # shared -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Record a write in progress for the duration of the block.

        Re-entrant: a flow can wrap a whole ingest in one ``with store.writing():`` and pay
        for the marker once; the marker stays behind if the block raises, so that the next
        writer runs :meth:`recover`. A block that changed trial graphs advances the store's
        :meth:`generation` when it ends, raised or not.
        """
        if self._depth == 0:
            self._set_marker(recovery.marker_payload())
            self._changed = False
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._changed:
                self._update(sparql.GENERATION_UPDATE)
                self.bumps += 1
                self._changed = False
        # reached only on a clean exit
        if self._depth == 0:
            self._set_marker(None)

    def generation(self) -> int:
        """How many writes have changed the store's trial graphs (0 for a new store).

        Every trialgraph write that adds, replaces or drops trial graphs advances it by one
        (``tg:generation`` in the status graph); a summary states the generation it reflects.
        """
        return sparql.scalar(self.query(sparql.GENERATION_QUERY))

    def drop_graph(self, graph: NamedNode) -> None:
        """Remove a graph of trialgraph's own (not a trial graph) and everything in it."""
        with self.writing():
            self._update(f"DROP SILENT GRAPH {sparql.iri(graph)}")

    def add_quads(self, quads: Sequence[Quad]) -> None:
        """Add quads to trialgraph's own graphs on the fast path (no trial graph's)."""
        if quads:
            with self.writing():
                self._bulk_send(list(quads))

    def remove_subjects(self, graph: NamedNode, subjects: Sequence[NamedNode]) -> None:
        """Remove what ``subjects`` state in ``graph``, one of trialgraph's own graphs."""
        with self.writing():
            for start in range(0, len(subjects), CHECKSUM_BATCH):
                chunk = subjects[start : start + CHECKSUM_BATCH]
                self._update(sparql.subjects_update(graph, chunk))

    def checksums(self, graphs: Sequence[NamedNode]) -> dict[str, str]:
        """Graph IRI → stored ``tg:checksum``, for those of ``graphs`` that exist.

        One query per :data:`CHECKSUM_BATCH` graphs, with the graphs in a ``VALUES`` block.
        """
        return self._graph_values(TG.checksum, graphs)

    def digests(self, graphs: Sequence[NamedNode]) -> dict[str, str]:
        """Graph IRI → stored ``tg:sourceDigest``, for those of ``graphs`` that have one."""
        return self._graph_values(TG.sourceDigest, graphs)

    def _graph_values(self, predicate: NamedNode, graphs: Sequence[NamedNode]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(graphs), CHECKSUM_BATCH):
            chunk = graphs[start : start + CHECKSUM_BATCH]
            result = self.query(sparql.graph_value_query(predicate, chunk))
            assert isinstance(result, SelectResult)
            for g, v in result:
                if isinstance(g, NamedNode) and isinstance(v, Literal):
                    found[g.value] = v.value
        return found

    def source_digests(self) -> set[str]:
        """The raw digests of every stored trial's record (``tg:sourceDigest``).

        A run compares the records it reads against these before parsing them. Only the
        digests: decoding each trial's graph IRI as well would take Oxigraph about twice
        as long.
        """
        result = self.query(sparql.SOURCE_DIGESTS_QUERY)
        assert isinstance(result, SelectResult)
        return {v.value for (v,) in result if isinstance(v, Literal)}

    def replace_trials(
        self,
        batch: Sequence[TrialGraph],
        stored: Mapping[NamedNode, AbstractSet[Quad]] | None = None,
    ) -> None:
        """Replace each trial's named graph atomically and add its concept quads.

        One update for the whole batch (see :func:`~trialgraph.store.sparql.replace_update`).
        ``stored`` is what :meth:`stored_quads` returned for the batch's graphs, for a
        caller that read them already; by default they are read here.
        """
        if not batch:
            return
        with self.writing():
            self._changed = True
            if stored is None:
                stored = self.stored_quads([t.graph for t in batch])
            self._update(sparql.replace_update(batch, stored))

    def bulk_load_nquads(self, concepts: Sequence[Quad], nquads: bytes | Path) -> None:
        """Bulk-load concept quads, then trial graphs given as N-Quads (bytes or a file).

        The fast path of a first load: the trials' graphs must not be stored yet (the
        caller knows, having started on an empty store). Concepts go first, as in
        :meth:`bulk_load`, so that a complete trial graph implies its concepts. The
        embedded backend parses and writes in Rust without holding the GIL, so a loading
        thread overlaps with reading and mapping.
        """
        with self.writing():
            self._changed = True
            if concepts:
                self._bulk_send(list(concepts))
            if nquads:
                self._bulk_send_nquads(nquads)

    def _bulk_load(self, batches: Iterable[Sequence[TrialGraph]], chunk_size: int) -> None:
        """Bulk-load verified trials in chunks; trials already stored are replaced instead."""
        chunk: list[Quad] = []
        with self.writing():
            self._changed = True
            for batch in batches:
                existing = self.checksums([t.graph for t in batch])
                if existing:
                    self.replace_trials([t for t in batch if t.graph.value in existing])
                chunk.extend(_concepts_first([t for t in batch if t.graph.value not in existing]))
                if len(chunk) >= chunk_size:
                    self._bulk_send(chunk)
                    chunk = []
            if chunk:
                self._bulk_send(chunk)

    def recover(self) -> list[str]:
        """If a write-in-progress marker is present, drop incomplete trial graphs.

        A trial graph is complete when it is typed ``tg:TrialGraph``, has a
        ``tg:checksum``, and holds exactly its ``tg:quadCount`` quads. Dropped graphs lose
        their checksum, so the next ingest loads them again. Returns the dropped graph IRIs
        (nothing when there is no marker); the marker is cleared afterwards. Call it when a
        writer starts, before it writes: an embedded store's lock guarantees no other writer
        is running then, but a remote server has no lock, so a marker there may also belong
        to a live ingest elsewhere (its ``pid``, ``host`` and ``started`` tell which).
        """
        if self.write_marker() is None:
            return []
        sizes = self.query(sparql.SIZES_QUERY)
        facts = self.query(sparql.SELF_QUERY)
        assert isinstance(sizes, SelectResult)
        assert isinstance(facts, SelectResult)
        broken = recovery.incomplete(sizes, facts)
        if broken:
            with self.writing():
                self._changed = True
                self._update(sparql.drop_graphs(broken))
            log.warning("dropped %d incomplete trial graph(s) after a crashed write", len(broken))
        self._set_marker(None)
        return broken

    def ensure_ontology(
        self, quads: Iterable[Quad], version: str, graph: NamedNode = ONTOLOGY_GRAPH
    ) -> bool:
        """Load the ontology graph unless this version of it is already stored.

        The store records ``<graph> owl:versionInfo "version"`` inside the graph and
        compares it first, so an unchanged ontology costs one small query. Returns whether
        the graph was (re)loaded.
        """
        stored = self.query(sparql.version_query(graph))
        assert isinstance(stored, SelectResult)
        if any(isinstance(v, Literal) and v.value == version for (v,) in stored):
            return False
        with self.writing():
            self._update(sparql.ontology_update(graph, quads, version))
        return True

    def restate(self, graph: NamedNode, subject: NamedNode, quads: Sequence[Quad]) -> None:
        """Replace what ``subject`` states in ``graph``, one of trialgraph's own graphs, with
        ``quads``, in one update (so a reader sees the old statements or the new)."""
        self._update(sparql.subject_update(graph, subject, quads))

    def trial_count(self) -> int:
        """The number of trial graphs (graphs whose node is typed ``tg:TrialGraph``)."""
        return sparql.scalar(self.query(sparql.TRIAL_COUNT_QUERY))

    def count_quads(self) -> int:
        """The number of quads trialgraph wrote: its trial graphs' and system graphs'.

        A complete trial graph declares its size (``tg:quadCount``, which :meth:`recover`
        checks after a crash), so the count adds those up and counts only the few system
        graphs' quads instead of scanning the store. While a write is marked in progress
        (or crashed, not yet recovered), some graphs may not hold what they declare, and
        every quad is counted. Graphs that other writers add to the store are not counted.
        """
        if self.write_marker() is not None:
            return sparql.scalar(self.query(sparql.ALL_QUADS_QUERY))
        return sparql.scalar(self.query(sparql.QUAD_COUNT_QUERY))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _concepts_first(batch: Sequence[TrialGraph]) -> Iterator[Quad]:
    """A batch's quads for a bulk load: each trial's concept quads, then its graph.

    Concepts go first so that a trial graph found complete after a crash implies its
    concept descriptions were written too (both loaders write in stream order).
    """
    for trial in batch:
        yield from trial.concept_quads
        yield from trial.quads
