"""One interface over the embedded Oxigraph store and a remote SPARQL 1.1 server.

:class:`GraphStore` is what the rest of trialgraph writes and queries through;
:class:`EmbeddedStore` wraps a pyoxigraph :class:`~pyoxigraph.Store` (on disk, or in memory
for tests) and :class:`RemoteStore` speaks the SPARQL 1.1 Query, Update and Graph Store
protocols to a server such as ``oxigraph serve``. :func:`open_store` picks one from the
command line's ``--store`` / ``--endpoint``.

Guarantees, and why they hold:

* **Atomic replace.** :meth:`GraphStore.replace_trials` sends one SPARQL UPDATE per batch
  (``DELETE DATA`` of the quads stored graphs lose, then ``INSERT DATA`` of those they
  gain; a graph the backend does not read first is dropped and inserted whole). Oxigraph
  applies a whole update request in one transaction ("either the full operation succeeds,
  or nothing is written", ``Store.update``'s docstring; the server's ``/update`` runs the
  same code) and queries read from a snapshot, so a reader sees a trial graph before or
  after, never half of it. ``tests/test_store.py`` checks this with a concurrent reader.
* **Skip unchanged.** Every trial graph carries ``<graph> tg:checksum "..."``;
  :meth:`GraphStore.checksums` fetches them for a batch in one query.
* **Recoverable bulk loads.** :meth:`GraphStore.bulk_load` is the fast, non-transactional
  path for first loads. Around every write the store records a *write in progress* marker
  (a ``trialgraph-writing.json`` file in the store directory, or a triple in the
  ``graph:status`` graph of a remote store), removed after a clean finish. If a marker is
  found, the previous writer died: :meth:`GraphStore.recover` drops every trial graph that
  fails verification (typed ``tg:TrialGraph``, has a ``tg:checksum``, and holds exactly
  ``tg:quadCount`` quads), so the next ingest reloads it.
* **Readers never open an Oxigraph store read-only** while another process may write it
  (pyoxigraph calls that undefined behaviour): :func:`open_read_only` takes the normal
  write lock and waits for it, or fails with :class:`StoreLockedError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self, TypeAlias, runtime_checkable

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from trialgraph.namespaces import TG, prefixes

if TYPE_CHECKING:
    from types import TracebackType

log = logging.getLogger(__name__)

#: An RDF term a query can return or a parameter can be bound to.
Term: TypeAlias = NamedNode | BlankNode | Literal | Triple

#: The default embedded store directory, unless ``TRIALGRAPH_STORE`` says otherwise.
DEFAULT_STORE_DIR = "trialgraph-store"
#: The file that marks an embedded store as being written.
MARKER_FILE = "trialgraph-writing.json"
#: The graph holding a remote store's write-in-progress marker.
STATUS_GRAPH = NamedNode(prefixes()["graph"] + "status")
#: The ontology's named graph (the same IRI as ``mapping.ONTOLOGY_GRAPH``).
ONTOLOGY_GRAPH = NamedNode(prefixes()["graph"] + "ontology")
#: The shared concepts graph (the same IRI as ``mapping.CONCEPTS_GRAPH``).
CONCEPTS_GRAPH = NamedNode(prefixes()["graph"] + "concepts")
#: ``<graph> tg:quadCount N``: the number of quads in a trial graph, this one included.
QUAD_COUNT = NamedNode(TG.NS + "quadCount")
#: ``<graph:status> tg:writeInProgress "{json}"``: a remote store's crash marker.
WRITE_IN_PROGRESS = NamedNode(TG.NS + "writeInProgress")
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_VERSION_INFO = NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
_XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")

#: Graphs per ``VALUES`` block when looking up checksums.
CHECKSUM_BATCH = 1000
#: Quads per ``bulk_extend`` call on an embedded bulk load.
EMBEDDED_BULK_CHUNK = 500_000
#: Quads per HTTP request on a remote bulk load.
REMOTE_BULK_CHUNK = 200_000


class StoreError(Exception):
    """A store could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another process holds an embedded store's directory for writing."""


class StoreNotFoundError(StoreError):
    """A reader asked for a store directory that does not exist."""


class RemoteStoreError(StoreError):
    """A SPARQL server refused a request or could not be reached."""

    def __init__(self, url: str, status: int | None, message: str) -> None:
        self.url = url
        self.status = status
        self.message = message
        where = f"HTTP {status} from {url}" if status is not None else f"cannot reach {url}"
        super().__init__(f"{where}: {message}")


@runtime_checkable
class TrialQuads(Protocol):
    """What the store needs of a mapped trial (``mapping.MappedTrial`` has it).

    ``quads`` all sit in ``graph``; ``concept_quads`` in the shared concepts graph.
    """

    @property
    def graph(self) -> NamedNode: ...
    @property
    def checksum(self) -> str: ...
    @property
    def quads(self) -> Sequence[Quad]: ...
    @property
    def concept_quads(self) -> Sequence[Quad]: ...


@dataclass(frozen=True, slots=True)
class SelectResult:
    """The answer to a SELECT query: variable names and rows of terms (``None`` if unbound)."""

    variables: list[str]
    rows: Iterator[tuple[Term | None, ...]]

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return self.rows


#: SELECT gives a :class:`SelectResult`, ASK a ``bool``, CONSTRUCT and DESCRIBE triples.
QueryResult: TypeAlias = SelectResult | bool | Iterator[Triple]


class GraphStore(Protocol):
    """The operations trialgraph needs of a store, embedded or remote."""

    def checksums(self, graphs: Sequence[NamedNode]) -> dict[str, str]:
        """Graph IRI → stored ``tg:checksum``, for those of ``graphs`` that exist."""
        ...

    def digests(self, graphs: Sequence[NamedNode]) -> dict[str, str]:
        """Graph IRI → stored ``tg:sourceDigest``, for those of ``graphs`` that have one."""
        ...

    def source_digests(self) -> set[str]:
        """The raw digests of every stored trial's record (``tg:sourceDigest``)."""
        ...

    def replace_trials(self, batch: Sequence[TrialQuads]) -> None:
        """Replace each trial's named graph atomically and add its concept quads."""
        ...

    def bulk_load(self, batches: Iterable[Sequence[TrialQuads]]) -> None:
        """Load trials fast, without transactions (a first load into an empty store)."""
        ...

    def bulk_load_nquads(self, concepts: Sequence[Quad], nquads: bytes | Path) -> None:
        """Bulk-load concept quads, then trial graphs given as N-Quads (none stored yet)."""
        ...

    def recover(self) -> list[str]:
        """After a crashed write, drop the trial graphs that fail verification."""
        ...

    def write_marker(self) -> dict[str, object] | None:
        """The write-in-progress marker, if one is recorded."""
        ...

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Record a write in progress for the duration of the block (re-entrant)."""
        ...

    def ensure_ontology(
        self, quads: Iterable[Quad], version: str, graph: NamedNode = ONTOLOGY_GRAPH
    ) -> bool:
        """Load the ontology graph unless this version is stored; ``True`` if loaded."""
        ...

    def query(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a query over the union of all graphs."""
        ...

    def count_quads(self) -> int:
        """The number of quads in the store's trial and system graphs."""
        ...

    def trial_count(self) -> int:
        """The number of trial graphs (graphs typed ``tg:TrialGraph``)."""
        ...

    def is_empty(self) -> bool:
        """Whether the store holds no quads at all."""
        ...

    def close(self) -> None:
        """Release the store (its lock, for an embedded store)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


# ---------------------------------------------------------------------------------------
# SPARQL text shared by both backends


def _iri(node: NamedNode) -> str:
    return str(node)  # pyoxigraph writes N-Triples syntax: ``<iri>``


def _quads_block(quads: Iterable[Quad]) -> str:
    """Quads as the body of ``INSERT DATA { ... }`` or ``DELETE DATA { ... }``, by graph.

    Terms are written by pyoxigraph (``str(term)``), whose N-Triples form is also valid
    SPARQL, so literals with quotes, backslashes, newlines or braces are escaped correctly.
    """
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        triple = f"{q.subject} {q.predicate} {q.object} ."
        key = "" if isinstance(q.graph_name, DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(key, []).append(triple)
    parts = []
    for graph, triples in by_graph.items():
        body = "\n".join(triples)
        parts.append(f"GRAPH {graph} {{\n{body}\n}}" if graph else body)
    return "\n".join(parts)


def replace_update(
    batch: Sequence[TrialQuads], stored: Mapping[NamedNode, AbstractSet[Quad]] = {}
) -> str:
    """The single SPARQL UPDATE that replaces every trial graph of a batch.

    ``stored`` holds the current quads of the graphs a backend could read cheaply: those
    change by the quads they lose and gain (a changed record usually changes a few quads
    of its graph, and Oxigraph writes about 40k quads/s in a transaction). Other graphs,
    and graphs holding blank nodes (which ``DELETE DATA`` cannot name), are dropped and
    inserted whole. A trial twice in the batch is written from its last record. Concept
    quads of the whole batch are deduplicated and inserted once.

    Deletions come first: Oxigraph stores some literals in a canonical form (``"P12M"``
    of ``xsd:duration`` reads back as ``"P1Y"``), so a quad read back may differ from the
    same quad as mapped; it is deleted and inserted again, and the other order would lose it.
    """
    latest = {trial.graph: trial for trial in batch}
    drops: list[str] = []
    deletes: list[Quad] = []
    inserts: list[Quad] = []
    for graph, trial in latest.items():
        old = stored.get(graph)
        if old is None or any(_has_blank_node(q) for q in old):
            drops.append(f"DROP SILENT GRAPH {_iri(graph)}")
            inserts.extend(trial.quads)
        else:
            new = set(trial.quads)
            deletes.extend(q for q in old if q not in new)
            inserts.extend(q for q in new if q not in old)
    inserts.extend(dict.fromkeys(q for trial in batch for q in trial.concept_quads))
    ops = drops
    if deletes:
        ops.append(f"DELETE DATA {{\n{_quads_block(deletes)}\n}}")
    if inserts:
        ops.append(f"INSERT DATA {{\n{_quads_block(inserts)}\n}}")
    return " ;\n".join(ops)


def _has_blank_node(quad: Quad) -> bool:
    return isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode)


def _graph_value_query(predicate: NamedNode, graphs: Sequence[NamedNode]) -> str:
    values = " ".join(_iri(g) for g in graphs)
    return (
        f"SELECT ?g ?v WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?g {_iri(predicate)} ?v }} }}"
    )


_TRIAL_COUNT_QUERY = (
    f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?g {_iri(_RDF_TYPE)} "
    f"{_iri(TG.TrialGraph)} }} }}"
)
_SYSTEM = (STATUS_GRAPH, ONTOLOGY_GRAPH, CONCEPTS_GRAPH)
_SYSTEM_GRAPHS = ", ".join(_iri(g) for g in _SYSTEM)  # for IN ( )
_SYSTEM_VALUES = " ".join(_iri(g) for g in _SYSTEM)  # for VALUES { }
#: The trial graphs' declared sizes plus the system graphs' quads, counted.
_QUAD_COUNT_QUERY = (
    f"SELECT (SUM(?n) AS ?quads) WHERE {{ "
    f"{{ GRAPH ?g {{ ?g {_iri(QUAD_COUNT)} ?n }} }} UNION "
    f"{{ SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {_SYSTEM_VALUES} }} "
    f"GRAPH ?s {{ ?x ?p ?o }} }} }} }}"
)
_GRAPH_FILTER = (
    f"FILTER(STRSTARTS(STR(?g), {json.dumps(prefixes()['graph'])}) && ?g NOT IN ({_SYSTEM_GRAPHS}))"
)
#: Quads per graph in trialgraph's ``graph:`` namespace, system graphs left out.
_SIZES_QUERY = (
    f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_GRAPH_FILTER} }} GROUP BY ?g"
)
#: What each such graph says about itself: its type, checksum and declared quad count.
_SELF_QUERY = (
    f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ ?g ?p ?o "
    f"FILTER(?p IN ({_iri(_RDF_TYPE)}, {_iri(TG.checksum)}, {_iri(QUAD_COUNT)})) }} "
    f"{_GRAPH_FILTER} }}"
)


def _incomplete(
    sizes: Iterable[tuple[Term | None, ...]], facts: Iterable[tuple[Term | None, ...]]
) -> list[str]:
    """Graphs that fail verification, from :data:`_SIZES_QUERY` and :data:`_SELF_QUERY` rows.

    A complete trial graph is typed ``tg:TrialGraph`` and has exactly one ``tg:checksum``
    and exactly one ``tg:quadCount``, equal to the number of quads it holds.
    """
    actual: dict[str, int] = {}
    for g, n in sizes:
        if isinstance(g, NamedNode) and isinstance(n, Literal):
            actual[g.value] = int(n.value)
    typed: set[str] = set()
    checksums: dict[str, int] = {}
    counts: dict[str, list[str]] = {}
    for g, p, o in facts:
        if not isinstance(g, NamedNode):
            continue
        if p == _RDF_TYPE and o == TG.TrialGraph:
            typed.add(g.value)
        elif p == TG.checksum:
            checksums[g.value] = checksums.get(g.value, 0) + 1
        elif p == QUAD_COUNT and isinstance(o, Literal):
            counts.setdefault(g.value, []).append(o.value)

    def complete(g: str, n: int) -> bool:
        declared = counts.get(g, [])
        return g in typed and checksums.get(g) == 1 and len(declared) == 1 and declared[0] == str(n)

    return sorted(g for g, n in actual.items() if not complete(g, n))


def _with_values(sparql: str, substitutions: Mapping[str, Term]) -> str:
    """Bind variables by appending a trailing ``VALUES`` clause to the query.

    SPARQL 1.1 allows one ``VALUES`` block after the solution modifiers of any query
    (``Query ::= Prologue ( SelectQuery | ... ) ValuesClause``); it joins with the
    query's solutions, which restricts each variable to its bound term. The terms are
    written by pyoxigraph (N-Triples syntax, escaped), so no user text is ever pasted into
    the query as syntax. A newline goes first in case the query ends in a ``#`` comment.
    Limits: the query must not have its own trailing ``VALUES`` block, and (as for
    pyoxigraph's substitutions) the variable should be in the projection.
    """
    names = []
    for name in substitutions:
        bare = name.lstrip("?$")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", bare):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
        names.append(bare)
    variables = " ".join(f"?{n}" for n in names)
    terms = " ".join(str(t) for t in substitutions.values())
    return f"{sparql}\nVALUES ({variables}) {{ ({terms}) }}\n"


def _select_rows(solutions: QuerySolutions) -> SelectResult:
    variables = [v.value for v in solutions.variables]

    def rows() -> Iterator[tuple[Term | None, ...]]:
        for solution in solutions:
            yield tuple(solution[v] for v in variables)

    return SelectResult(variables, rows())


def _marker_payload() -> dict[str, object]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _scalar(result: QueryResult) -> int:
    assert isinstance(result, SelectResult)
    row = next(iter(result), None)
    value = row[0] if row else None
    return int(value.value) if isinstance(value, Literal) else 0


def _verified_trials(batch: Sequence[TrialQuads]) -> Iterator[Quad]:
    """A batch's quads for a bulk load: each trial's concept quads, then its graph.

    Concepts go first so that a trial graph found complete after a crash implies its
    concept descriptions were written too (both loaders write in stream order).
    """
    for trial in batch:
        yield from trial.concept_quads
        yield from trial.quads


class _Base:
    """What both backends share: queries built from the primitives each one implements."""

    _depth: int = 0

    # primitives -------------------------------------------------------------------------
    def query(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> QueryResult:
        raise NotImplementedError

    def _update(self, sparql: str) -> None:
        raise NotImplementedError

    def _bulk_send(self, quads: list[Quad]) -> None:
        """Write quads on the backend's non-transactional fast path."""
        raise NotImplementedError

    def _bulk_send_nquads(self, nquads: bytes | Path) -> None:
        """Write N-Quads (bytes, or a file of them) on the backend's non-transactional fast path."""
        raise NotImplementedError

    def bulk_load_nquads(self, concepts: Sequence[Quad], nquads: bytes | Path) -> None:
        """Bulk-load concept quads, then trial graphs given as N-Quads (bytes or a file).

        The fast path of a first load: the trials' graphs must not be stored yet (the
        caller knows, having started on an empty store). Concepts go first, as in
        :meth:`bulk_load`, so that a complete trial graph implies its concepts. The
        embedded backend parses and writes in Rust without holding the GIL, so a loading
        thread overlaps with reading and mapping.
        """
        with self.writing():
            if concepts:
                self._bulk_send(list(concepts))
            if nquads:
                self._bulk_send_nquads(nquads)

    def _bulk_load(self, batches: Iterable[Sequence[TrialQuads]], chunk_size: int) -> None:
        """Bulk-load verified trials in chunks; trials already stored are replaced instead."""
        chunk: list[Quad] = []
        with self.writing():
            for batch in batches:
                existing = self.checksums([t.graph for t in batch])
                if existing:
                    self.replace_trials([t for t in batch if t.graph.value in existing])
                chunk.extend(_verified_trials([t for t in batch if t.graph.value not in existing]))
                if len(chunk) >= chunk_size:
                    self._bulk_send(chunk)
                    chunk = []
            if chunk:
                self._bulk_send(chunk)

    def _set_marker(self, payload: dict[str, object] | None) -> None:
        raise NotImplementedError

    def write_marker(self) -> dict[str, object] | None:
        """The write-in-progress marker, if one is recorded."""
        raise NotImplementedError

    # shared -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Record a write in progress for the duration of the block.

        Re-entrant: a flow can wrap a whole ingest in one ``with store.writing():`` and pay
        for the marker once; the marker stays behind if the block raises, so that the next
        writer runs :meth:`recover`.
        """
        if self._depth == 0:
            self._set_marker(_marker_payload())
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        # reached only on a clean exit
        if self._depth == 0:
            self._set_marker(None)

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
            result = self.query(_graph_value_query(predicate, chunk))
            assert isinstance(result, SelectResult)
            for g, v in result:
                if isinstance(g, NamedNode) and isinstance(v, Literal):
                    found[g.value] = v.value
        return found

    def source_digests(self) -> set[str]:
        """The raw digests of every stored trial's record (``tg:sourceDigest``).

        A run compares the records it reads against these before parsing them. Only the
        digests: decoding each trial's graph IRI as well would take Oxigraph twice as long
        (1.3 s against 0.64 s at 100,000 trials).
        """
        result = self.query(f"SELECT ?v WHERE {{ GRAPH ?g {{ ?g {_iri(TG.sourceDigest)} ?v }} }}")
        assert isinstance(result, SelectResult)
        return {v.value for (v,) in result if isinstance(v, Literal)}

    def replace_trials(self, batch: Sequence[TrialQuads]) -> None:
        """Replace each trial's named graph atomically, in one update for the batch."""
        if not batch:
            return
        with self.writing():
            self._update(replace_update(batch, self._stored_quads([t.graph for t in batch])))

    def _stored_quads(self, graphs: Sequence[NamedNode]) -> dict[NamedNode, set[Quad]]:
        """The stored quads of those of ``graphs`` this backend reads cheaply (here: none)."""
        return {}

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
        sizes = self.query(_SIZES_QUERY)
        facts = self.query(_SELF_QUERY)
        assert isinstance(sizes, SelectResult)
        assert isinstance(facts, SelectResult)
        broken = _incomplete(sizes, facts)
        if broken:
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in broken))
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
        stored = self.query(
            f"SELECT ?v WHERE {{ GRAPH {_iri(graph)} "
            f"{{ {_iri(graph)} {_iri(_VERSION_INFO)} ?v }} }}"
        )
        assert isinstance(stored, SelectResult)
        if any(isinstance(v, Literal) and v.value == version for (v,) in stored):
            return False
        moved = [Quad(q.subject, q.predicate, q.object, graph) for q in quads]
        moved.append(Quad(graph, _VERSION_INFO, Literal(version), graph))
        with self.writing():
            self._update(
                f"DROP SILENT GRAPH {_iri(graph)} ;\nINSERT DATA {{\n{_quads_block(moved)}\n}}"
            )
        return True

    def trial_count(self) -> int:
        """The number of trial graphs (graphs whose node is typed ``tg:TrialGraph``)."""
        return _scalar(self.query(_TRIAL_COUNT_QUERY))

    def count_quads(self) -> int:
        """The number of quads trialgraph wrote: its trial graphs' and system graphs'.

        A complete trial graph declares its size (``tg:quadCount``, which :meth:`recover`
        checks after a crash), so the count adds those up and counts only the few system
        graphs' quads: counting every quad would scan the store, about 3 s at 100,000
        trials. While a write is marked in progress (or crashed, not yet recovered), some
        graphs may not hold what they declare, and every quad is counted. Graphs that
        other writers add to the store are not counted.
        """
        if self.write_marker() is not None:
            return _scalar(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return _scalar(self.query(_QUAD_COUNT_QUERY))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------
# embedded


def _is_lock_error(error: OSError) -> bool:
    text = str(error)
    return "LOCK" in text or "lock hold" in text or "Resource temporarily unavailable" in text


def _locked_message(path: Path) -> str:
    return (
        f"store {path} is locked: another trialgraph process (probably an ingest) is "
        "writing it; wait for it to finish, or serve the store and use --endpoint"
    )


#: The file ``trialgraph serve`` holds a shared lock on while it serves a store read-only.
SERVE_LOCK = "trialgraph-serve.lock"


def hold_serve_lock(path: Path) -> int:
    """Take a shared lock that keeps writers out of a store while a server reads it.

    Returns the inheritable descriptor that holds it: a server process started with
    ``os.exec*`` keeps the lock for its lifetime. Read-only servers share the lock; a
    writer (:class:`EmbeddedStore`) is refused while any holds it, because the Oxigraph
    server opens a store read-only without a lock of its own.
    """
    fd = os.open(path / SERVE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_SH)
    os.set_inheritable(fd, True)
    return fd


def _served(path: Path) -> bool:
    """Whether a read-only server holds :func:`hold_serve_lock` on the store."""
    try:
        fd = os.open(path / SERVE_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock if it was taken
    return False


class EmbeddedStore(_Base):
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
        if self.path is not None and writable and _served(self.path):
            raise StoreLockedError(
                f"store {self.path} is being served read-only by 'trialgraph serve'; stop "
                "the server, or serve it with --allow-updates and ingest with --endpoint"
            )
        try:
            if self.path is not None and writable:
                self.path.mkdir(parents=True, exist_ok=True)  # Oxigraph makes only the leaf
            self._handle = Store(None if self.path is None else str(self.path))
        except OSError as error:
            if self.path is not None and _is_lock_error(error):
                raise StoreLockedError(_locked_message(self.path)) from None
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

    def query(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a query with the union of all graphs as its default graph.

        ``substitutions`` (variable name → term) go through pyoxigraph's substitutions;
        the variable must be in the SELECT projection.
        """
        subs = {Variable(k.lstrip("?$")): v for k, v in (substitutions or {}).items()}
        result = self._store.query(
            sparql, use_default_graph_as_union=True, substitutions=subs or None
        )
        if isinstance(result, QuerySolutions):
            return _select_rows(result)
        if isinstance(result, QueryBoolean):
            return bool(result)
        triples: Iterator[Triple] = iter(result)
        return triples

    def _update(self, sparql: str) -> None:
        self._check_writable()
        self._store.update(sparql)

    def _stored_quads(self, graphs: Sequence[NamedNode]) -> dict[NamedNode, set[Quad]]:
        """The stored quads of ``graphs``, read in-process from the graphs' index.

        About 1 s for the 1,000 graphs of a 1% change at 100,000 trials. Sound because this
        process is the store's only writer (it holds the lock).
        """
        stored = {g: set(self._store.quads_for_pattern(None, None, None, g)) for g in graphs}
        return {g: quads for g, quads in stored.items() if quads}

    def _marker_path(self) -> Path | None:
        return None if self.path is None else self.path / MARKER_FILE

    def _set_marker(self, payload: dict[str, object] | None) -> None:
        self._check_writable()
        marker = self._marker_path()
        if marker is None:
            self._memory_marker = payload
        elif payload is None:
            marker.unlink(missing_ok=True)
        else:
            tmp = marker.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload), "utf-8")
            tmp.replace(marker)  # atomic: the marker is whole or absent

    def write_marker(self) -> dict[str, object] | None:
        """The write-in-progress marker (pid, host, start time), if one is recorded."""
        marker = self._marker_path()
        if marker is None:
            return self._memory_marker
        try:
            data: dict[str, object] = json.loads(marker.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            return {"unreadable": True}  # a torn marker still means a write died
        return data

    def bulk_load(self, batches: Iterable[Sequence[TrialQuads]]) -> None:
        """Load trials with ``Store.bulk_extend``: fast, not transactional.

        Meant for a first load into an empty store. Trials whose graph already exists are
        replaced transactionally instead, so a bulk load never merges into an old graph.
        Quads are gathered into chunks of about :data:`EMBEDDED_BULK_CHUNK` (each
        ``bulk_extend`` call writes new files; and no other write may run inside one, so
        the replaces happen between chunks).
        """
        self._check_writable()
        self._bulk_load(batches, EMBEDDED_BULK_CHUNK)
        self._store.flush()

    def _bulk_send(self, quads: list[Quad]) -> None:
        self._store.bulk_extend(quads)

    def _bulk_send_nquads(self, nquads: bytes | Path) -> None:
        # lenient: our own N-Quads, from pyoxigraph's serializer, need no second validation
        if isinstance(nquads, Path):
            self._store.bulk_load(path=nquads, format=RdfFormat.N_QUADS, lenient=True)
        else:
            self._store.bulk_load(nquads, format=RdfFormat.N_QUADS, lenient=True)

    def is_empty(self) -> bool:
        """Whether the store holds no quads."""
        return next(self._store.quads_for_pattern(None, None, None, None), None) is None

    def close(self) -> None:
        """Flush and release the store and its lock (pyoxigraph frees it with the object)."""
        if self._handle is not None:
            if self.writable and self.path is not None:
                self._handle.flush()
            self._handle = None


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
    return _open_waiting(
        directory, writable=False, wait=wait, timeout=timeout, poll=poll, on_wait=on_wait
    )


def _open_waiting(
    directory: Path,
    *,
    writable: bool,
    wait: bool,
    timeout: float,
    poll: float,
    on_wait: Callable[[str], None] | None,
) -> EmbeddedStore:
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


# ---------------------------------------------------------------------------------------
# remote


def derive_endpoints(url: str) -> tuple[str, str, str]:
    """Query, update and graph-store URLs of an Oxigraph-style server.

    >>> derive_endpoints("http://127.0.0.1:7878")
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    >>> derive_endpoints("http://h:7878/query")[2]
    'http://h:7878/store'
    """
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    for tail in ("/query", "/sparql"):
        if path.endswith(tail):
            path = path[: -len(tail)]
            break

    def at(name: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"{path}/{name}", "", ""))

    return at("query"), at("update"), at("store")


class RemoteStore(_Base):
    """A SPARQL 1.1 server (Query, Update and Graph Store protocols), over ``urllib``.

    ``query_url`` may be a server's base URL (``http://host:7878``) or its query endpoint;
    missing update and store URLs are derived the way ``oxigraph serve`` lays them out.
    Queries expect the server's default graph to be the union of all graphs: run
    ``oxigraph serve --union-default-graph``. Requests that fail to connect or get a 5xx
    answer are retried with exponential backoff; every write trialgraph sends is
    idempotent (``DROP`` + ``INSERT DATA``, or adding quads without blank nodes), so a
    retried write cannot double anything.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        *,
        timeout: float = 300.0,
        retries: int = 4,
        backoff: float = 0.5,
    ) -> None:
        derived = derive_endpoints(query_url)
        path = urllib.parse.urlsplit(query_url).path.rstrip("/")
        self.query_url = query_url if path.endswith(("/query", "/sparql")) else derived[0]
        self.update_url = update_url or derived[1]
        self.store_url = store_url or derived[2]
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def _request(
        self, url: str, body: bytes, content_type: str, accept: str | None = None
    ) -> tuple[str, bytes]:
        """POST ``body``; the response's content type and bytes. Retries transient failures."""
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.headers.get("Content-Type", ""), response.read()
            except urllib.error.HTTPError as error:
                message = error.read().decode("utf-8", "replace").strip()[:2000]
                if error.code < 500 or attempt >= self.retries:
                    raise RemoteStoreError(url, error.code, message or error.reason) from None
                failure: Exception = RemoteStoreError(url, error.code, message)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                reason = getattr(error, "reason", error)
                if attempt >= self.retries:
                    raise RemoteStoreError(url, None, str(reason)) from None
                failure = error
            delay = self.backoff * 2**attempt
            log.info("retrying %s in %.1f s after: %s", url, delay, failure)
            time.sleep(delay)
            attempt += 1

    def query(self, sparql: str, substitutions: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a query on the server (whose default graph should be the union of graphs).

        ``substitutions`` are bound with a trailing ``VALUES`` clause (see
        :func:`_with_values`). SELECT and ASK come back as SPARQL JSON results, parsed
        into pyoxigraph terms; CONSTRUCT and DESCRIBE as N-Triples.
        """
        if substitutions:
            sparql = _with_values(sparql, substitutions)
        content_type, body = self._request(
            self.query_url,
            sparql.encode("utf-8"),
            "application/sparql-query",
            "application/sparql-results+json, application/n-triples;q=0.9",
        )
        if content_type.startswith("application/sparql-results+json"):
            parsed = parse_query_results(body, QueryResultsFormat.JSON)
            if isinstance(parsed, QueryBoolean):
                return bool(parsed)
            return _select_rows(parsed)
        if content_type.startswith("application/n-triples"):
            return (q.triple for q in parse(body, RdfFormat.N_TRIPLES))
        raise RemoteStoreError(self.query_url, 200, f"unexpected content type {content_type!r}")

    def _update(self, sparql: str) -> None:
        self._request(self.update_url, sparql.encode("utf-8"), "application/sparql-update")

    def _set_marker(self, payload: dict[str, object] | None) -> None:
        update = f"DROP SILENT GRAPH {_iri(STATUS_GRAPH)}"
        if payload is not None:
            marker = Literal(json.dumps(payload))
            update += (
                f" ;\nINSERT DATA {{ GRAPH {_iri(STATUS_GRAPH)} "
                f"{{ {_iri(STATUS_GRAPH)} {_iri(WRITE_IN_PROGRESS)} {marker} }} }}"
            )
        self._update(update)

    def write_marker(self) -> dict[str, object] | None:
        """The write-in-progress marker recorded in ``graph:status``, if any."""
        result = self.query(
            f"SELECT ?m WHERE {{ GRAPH {_iri(STATUS_GRAPH)} "
            f"{{ {_iri(STATUS_GRAPH)} {_iri(WRITE_IN_PROGRESS)} ?m }} }}"
        )
        assert isinstance(result, SelectResult)
        for (value,) in result:
            if isinstance(value, Literal):
                try:
                    data: dict[str, object] = json.loads(value.value)
                except ValueError:
                    return {"unreadable": True}
                return data
        return None

    def bulk_load(self, batches: Iterable[Sequence[TrialQuads]]) -> None:
        """Load trials with ``POST /store?no_transaction`` (Oxigraph's bulk path), in chunks.

        Chunks of about :data:`REMOTE_BULK_CHUNK` quads as N-Quads. Trials whose graph
        already exists are replaced transactionally instead. A server without the
        ``no_transaction`` option would still load the data, transactionally.
        """
        self._bulk_load(batches, REMOTE_BULK_CHUNK)

    def _bulk_send(self, quads: list[Quad]) -> None:
        body = serialize(quads, format=RdfFormat.N_QUADS)
        assert body is not None
        self._bulk_send_nquads(body)

    def _bulk_send_nquads(self, nquads: bytes | Path) -> None:
        url = self.store_url + ("&" if "?" in self.store_url else "?") + "no_transaction"
        body = nquads.read_bytes() if isinstance(nquads, Path) else nquads
        self._request(url, body, "application/n-quads")

    def is_empty(self) -> bool:
        """Whether the server's named graphs hold no quads."""
        return not self.query("ASK { GRAPH ?g { ?s ?p ?o } }")

    def close(self) -> None:
        """Nothing to release: every request opens its own connection."""


# ---------------------------------------------------------------------------------------
# factory


def default_store_dir() -> Path:
    """``$TRIALGRAPH_STORE``, else ``./trialgraph-store``."""
    return Path(os.environ.get("TRIALGRAPH_STORE") or DEFAULT_STORE_DIR)


def open_store(
    store: str | Path | None = None,
    endpoint: str | None = None,
    *,
    for_writing: bool,
    wait: bool = True,
    timeout: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
) -> EmbeddedStore | RemoteStore:
    """The store the command line asked for: ``--endpoint``, else ``--store``, else default.

    A writer creates the directory if needed; a reader requires it to exist. Either waits
    for another process's lock (``wait=True``, up to ``timeout`` seconds) or raises
    :class:`StoreLockedError`.
    """
    if store is not None and endpoint is not None:
        raise ValueError("give a store directory or an endpoint, not both")
    if endpoint is not None:
        return RemoteStore(endpoint)
    directory = Path(store) if store is not None else default_store_dir()
    if not for_writing:
        return open_read_only(directory, wait=wait, timeout=timeout, on_wait=on_wait)
    return _open_waiting(
        directory, writable=True, wait=wait, timeout=timeout, poll=0.5, on_wait=on_wait
    )
