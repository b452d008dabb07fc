"""Listing rows: each contract listing's rows kept in the trial's own graph, one literal a row.

A listing (``trials``, ``trial-endpoints``, ...) returns a row or more for every trial, and
its full scan joins a handful of properties per row across the whole store: at the
registry's size that is several index lookups and decoded strings per row in a store the
page cache does not hold. So each trial graph also states its rows of every listing, each
as one literal under that listing's property (:attr:`Listing.property`, e.g.
``tg:trialEndpointsRow``): the row's values joined by :data:`SEPARATOR`, an unbound value
written as :data:`UNBOUND`, and last the number of identical rows before it in the same
trial (``0`` for nearly all), so that repeated rows stay apart. The listing's summary form
(``queries/summary/NAME.rq``) scans that one property and splits the literals.

A row is the listing's own query evaluated on the batch the trial was mapped in: its
trials' quads that the listing reads and the concepts they name (:func:`with_rows`), so the
rows are what the full scan returns for them. The query joins each row's values itself
(:attr:`Listing.row_query`), so that a row comes back as one term rather than one a column.
The rows are replaced with their trial and need no upkeep. Each trial graph written with
them states the version of the listings' definitions (``tg:listingVersion``,
:func:`version`); the summaries' header states it too when every trial graph does
(:func:`missing_query` finds one that does not), and otherwise the listings answer from
their full scans.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import IO, BinaryIO, TypeVar, cast

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store

from trialgraph.fingerprint import LISTING_QUERIES
from trialgraph.namespaces import STD, TG, prefixes
from trialgraph.store import GraphStore, SelectResult, StoreError, TrialGraph
from trialgraph.store.sparql import iri

#: The contract's listings, by query name (a trial graph is made from their queries too).
NAMES = LISTING_QUERIES
#: Joins a row's values (a C0 control character, which text read from a record never
#: holds: :mod:`trialgraph.text` removes them; the same as the summaries' lines).
SEPARATOR = "\x1f"
#: Stands for a value the row leaves unbound (another C0 control character).
UNBOUND = "\x1e"
# the two as SPARQL string escapes
_SPARQL_SEP = "\\u001F"
_SPARQL_UNBOUND = "\\u001E"

_TRIAL = prefixes()["trial"]
_GRAPH = prefixes()["graph"]


def row_property(name: str) -> NamedNode:
    """The property under which a trial graph states its rows of listing ``name``.

    >>> row_property("trial-endpoints").value
    'https://w3id.org/trialgraph/ontology#trialEndpointsRow'
    """
    first, *rest = name.split("-")
    term: NamedNode = getattr(TG, first + "".join(w.capitalize() for w in rest) + "Row")
    return term


@dataclass(frozen=True, slots=True)
class Listing:
    """One contract listing: its columns and the text of its full scan."""

    name: str
    columns: tuple[str, ...]
    text: str

    @property
    def row_query(self) -> str:
        """The listing's query with each row's values joined into one literal, as
        :func:`line` joins them but for the repeat count (so that the values need not come
        back one term each): the query as a sub-select, without its ORDER BY."""
        return _row_query(self.text, self.columns)

    @property
    def property(self) -> NamedNode:
        return row_property(self.name)


_ORDER = re.compile(r"\nORDER BY [^\n]*\s*$")


@cache
def _row_query(text: str, columns: tuple[str, ...]) -> str:
    """:attr:`Listing.row_query` of a listing query ``text`` selecting ``columns``."""
    head, select, body = text.partition("\nSELECT ")
    if not select or not _ORDER.search(body):
        raise ValueError(f"a listing query is not one SELECT ending in ORDER BY: {text!r}")
    cells = f', "{_SPARQL_SEP}", '.join(
        f'COALESCE(STR(?{c}), "{_SPARQL_UNBOUND}")' for c in columns
    )
    inner = "SELECT " + _ORDER.sub("", body)
    return f"{head}\nSELECT ?line WHERE {{\n{{ {inner} }}\nBIND(CONCAT({cells}) AS ?line)\n}}"


@cache
def listings() -> tuple[Listing, ...]:
    """The contract listings, as the query catalogue defines them."""
    from trialgraph.queries import catalogue

    queries = catalogue()
    return tuple(Listing(n, queries[n].columns, queries[n].bind({})) for n in NAMES)


@cache
def version() -> str:
    """A digest of the listings' queries and of the rows' layout: rows made by other
    definitions are not read."""
    spec = "\n".join([SEPARATOR, UNBOUND, *(f"{x.name}\n{x.text}" for x in listings())])
    return hashlib.sha256(spec.encode("utf-8")).hexdigest()[:16]


@cache
def read_predicates() -> frozenset[NamedNode]:
    """Every property the listings' queries name (``a`` is ``rdf:type``)."""
    spaces = prefixes()
    named = {
        NamedNode(spaces[prefix] + local)
        for listing in listings()
        for prefix, local in re.findall(r"\b(tg|rdfs|skos):([A-Za-z]\w*)", listing.text)
    }
    return frozenset(named | {STD.rdf_type})


def reads(quad: Quad) -> bool:
    """Whether a trial graph's quad is one a listing's query may read."""
    return quad.predicate in read_predicates()


def line(values: Sequence[str | None], repeat: int) -> str:
    """A row as its literal: the values joined, unbound ones as :data:`UNBOUND`, then
    ``repeat``, the number of identical rows of the same trial before it (the layout that
    :attr:`Listing.row_query` builds in SPARQL and :func:`rows` completes).

    >>> line(["NCT1", None, "x"], 0).split(SEPARATOR)
    ['NCT1', '\\x1e', 'x', '0']
    """
    if any(v is not None and (SEPARATOR in v or UNBOUND in v) for v in values):
        raise ValueError(f"a listing value holds U+001E or U+001F: {values}")  # unsplittable
    return SEPARATOR.join([*(UNBOUND if v is None else v for v in values), str(repeat)])


def split(text: str) -> tuple[str | None, ...]:
    """The values of a row's literal (:func:`line`), without its repeat count."""
    *cells, _ = text.split(SEPARATOR)
    return tuple(None if c == UNBOUND else c for c in cells)


def rows(memory: Store) -> dict[str, list[Quad]]:
    """Every listing's rows of the trials in ``memory`` (an in-memory store of their quads
    that the listings read, and of the concepts they name), as quads by trial graph IRI."""
    out: dict[str, list[Quad]] = {}
    nodes: dict[str, tuple[NamedNode, NamedNode, list[Quad]]] = {}  # by trial id
    for listing in listings():
        result = memory.query(listing.row_query, use_default_graph_as_union=True)
        assert isinstance(result, QuerySolutions)
        seen: Counter[str] = Counter()
        prop = listing.property
        width = len(listing.columns) - 1  # separators in a row's values
        for (term,) in result:
            text = term.value
            trial, _, rest = text.partition(SEPARATOR)
            if trial == UNBOUND:
                continue
            if text.count(SEPARATOR) != width or (UNBOUND in rest and not _unbound_cells(text)):
                raise ValueError(f"a listing value holds U+001E or U+001F: {text!r}")
            if trial not in nodes:
                graph = _GRAPH + trial
                nodes[trial] = (NamedNode(_TRIAL + trial), NamedNode(graph), [])
                out[graph] = nodes[trial][2]
            subject, graph_node, found = nodes[trial]
            found.append(Quad(subject, prop, Literal(f"{text}{SEPARATOR}{seen[text]}"), graph_node))
            seen[text] += 1
    return out


def _unbound_cells(text: str) -> bool:
    """Whether every :data:`UNBOUND` in a row's values is a whole cell of its own."""
    return all(c == UNBOUND or UNBOUND not in c for c in text.split(SEPARATOR))


def batch_store(read: Iterable[Quad], concepts: Iterable[Quad]) -> Store:
    """The in-memory store a batch's rows are counted in (:func:`rows`): the quads of its
    trials that the listings read (:func:`reads`; of each trial's latest record only) and
    the concepts the batch names."""
    memory = Store()
    memory.extend(read)
    memory.extend(concepts)
    return memory


def batch_rows(read: Iterable[Quad], concepts: Iterable[Quad]) -> dict[str, list[Quad]]:
    """The listing rows of a batch's trials, by trial graph IRI (:func:`batch_store`)."""
    return rows(batch_store(read, concepts))


def ending(graph: NamedNode, before: int, added: Iterable[Quad]) -> list[Quad]:
    """What follows a trial graph's ``before`` quads (all of them but their count): its
    listing rows ``added``, the listing version they were made with, and the graph's count
    (as :func:`~trialgraph.store.with_quad_count` states it)."""
    tail = [*added, Quad(graph, TG.listingVersion, Literal(version()), graph)]
    count = Literal(str(before + len(tail) + 1), datatype=STD.xsd_integer)
    return [*tail, Quad(graph, TG.quadCount, count, graph)]


T = TypeVar("T", bound=TrialGraph)


def with_rows(trials: Sequence[T]) -> list[T]:
    """``trials`` (one batch, in order) with their listing rows added to their graphs.

    The rows are counted from each trial's latest record in the batch (a trial met twice is
    stored from its later record), with the concept quads of the whole batch (a batch
    describes each concept once, with the first trial that names it).
    """
    latest = {t.graph.value: t for t in trials}
    found = batch_rows(
        (q for t in latest.values() for q in t.quads if reads(q)),
        (q for t in trials for q in t.concept_quads),
    )
    out: list[T] = []
    for trial in trials:
        if latest[trial.graph.value] is trial:
            body = trial.quads[:-1]
            tail = ending(trial.graph, len(body), found.get(trial.graph.value, ()))
            trial = dataclasses.replace(trial, quads=(*body, *tail))
        out.append(trial)
    return out


def _scan(name: str) -> str:
    """The one-pattern scan of listing ``name``'s row literals."""
    return f"SELECT ?line WHERE {{ ?t {iri(row_property(name))} ?line }}"


def lines(store: GraphStore, name: str) -> Iterator[str]:
    """Every row literal of listing ``name`` in ``store``, in the store's order (the
    contract leaves the order of a listing's rows open): one scan of one property."""
    result = store.query(_scan(name))
    assert isinstance(result, SelectResult)
    return (t.value for (t,) in result if isinstance(t, Literal))


class CsvRows:
    """Takes Oxigraph's CSV of a listing's scan (one ``line`` column, which it writes as
    the bytes come) and writes the listing's own CSV to ``out``: header ``columns``, CRLF
    line ends, each row's values as its literal holds them, an unbound value empty.

    A literal without ``,``, ``"`` or a line break comes unquoted, and so do its values:
    the separators become commas. One with them comes quoted, its quotes doubled: the
    separators become ``","``, so that every value of that row is quoted. Either way the
    bytes are rewritten a row at a time by a few ``bytes`` calls, not decoded; a quoted
    value that holds a line break spans lines, and the row is whole when its quotes pair up.
    """

    def __init__(self, columns: Sequence[str], out: IO[bytes]) -> None:
        self._out = out
        self._rest = b""  # the unfinished last row of the bytes so far
        self._header = True  # Oxigraph's header row is still to come
        self.rows = 0
        out.write(",".join(columns).encode("utf-8") + b"\r\n")

    def write(self, chunk: bytes) -> int:
        pieces = (self._rest + chunk).split(b"\r\n")
        self._rest = pieces.pop()
        if self._header and pieces:
            del pieces[0]
            self._header = False
        found: list[bytes] = []
        open_row = b""
        sep, unbound = _SEP, _UNBOUND
        for piece in pieces:
            if open_row:
                piece = open_row + b"\r\n" + piece
                open_row = b""
            if piece[:1] != b'"':
                found.append(piece[: piece.rfind(sep)].replace(sep, b",").replace(unbound, b""))
            elif piece.count(b'"') % 2:  # a quoted value goes on past a line break
                open_row = piece
            else:
                body = piece[: piece.rfind(sep)].replace(sep, b'","').replace(unbound, b"")
                found.append(body + b'"')
        if open_row:
            self._rest = open_row + b"\r\n" + self._rest
        if found:
            found.append(b"")
            self._out.write(b"\r\n".join(found))
            self.rows += len(found) - 1
        return len(chunk)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        """The end of Oxigraph's bytes: the last row, if they did not end with a line end."""
        if self._rest:
            self.write(b"\r\n")
        if self._rest:
            raise StoreError(f"unterminated quoted value in a listing row: {self._rest[:80]!r}")


_SEP = SEPARATOR.encode("ascii")
_UNBOUND = UNBOUND.encode("ascii")


def write_csv(store: GraphStore, name: str, columns: Sequence[str], out: IO[bytes]) -> int:
    """Listing ``name`` from its row literals in ``store``, to ``out`` as CSV (:class:`CsvRows`:
    Oxigraph serializes the scan, on either backend); returns the row count."""
    rows = CsvRows(columns, out)
    # both backends only write and flush what they are given, which is all CsvRows does
    if not store.write_csv(_scan(name), cast("BinaryIO", rows)):
        raise AssertionError("a listing's scan is a SELECT")
    rows.close()
    return rows.rows


def terms(found: Iterable[str]) -> Iterator[tuple[Literal | None, ...]]:
    """Rows given as their literals, as the terms a SELECT gives (unbound: ``None``)."""
    for text in found:
        yield tuple(None if v is None else Literal(v) for v in split(text))


def missing_query() -> str:
    """An ASK: is there a trial graph whose listing rows are missing, or were made by other
    definitions (it does not state this :func:`version`)?"""
    return (
        f"ASK {{ GRAPH ?g {{ ?g a {iri(TG.TrialGraph)} }} FILTER NOT EXISTS {{ GRAPH ?g "
        f"{{ ?g {iri(TG.listingVersion)} {Literal(version())} }} }} }}"
    )


__all__ = [
    "NAMES",
    "SEPARATOR",
    "UNBOUND",
    "Listing",
    "batch_rows",
    "batch_store",
    "ending",
    "line",
    "lines",
    "listings",
    "missing_query",
    "read_predicates",
    "reads",
    "row_property",
    "rows",
    "split",
    "terms",
    "version",
    "with_rows",
    "write_csv",
]
