"""Summaries: the catalogue's whole-graph questions answered from a graph that ingest keeps current.

A whole-graph question (trials per target, follow-up per endpoint, ...) scans every trial
when asked. Its summary holds the answer's aggregates instead, one node per group, in the
named graph :data:`SUMMARY_GRAPH`, so the question reads a few hundred nodes.

Each summarized query is a :class:`Kind`. Its *contributions* are a SELECT giving, for
each stored trial ``?t``, the rows its aggregation reads: the group's key variables and the
values aggregated. A group's state is made of counts that a whole trial's rows add to or
take away from (trials, rows, a tally of each listed value, the trial ids), so when a run
replaces trials, the summary changes by their old rows out and their new rows in: a lookup
of the trials the run wrote, never a scan (:class:`Tracker`). A first load adds up the
groups its workers count for each batch they map (:func:`counted`, :func:`merge`,
:func:`write`). :func:`rebuild` computes every group from a scan, for ``trialgraph
summarize`` and whenever a run cannot apply its changes (the summary was behind the store,
or the run rewrote a large part of it).

The summary states the store generation it reflects (``tg:generation``, see
:meth:`~trialgraph.store.GraphStore.generation`) and the version of these definitions
(``tg:summaryVersion``); :func:`status` compares them with the store's, and a query whose
summary is behind answers from its full scan instead (``trialgraph query`` says so).
Shortest, median and longest durations are computed by Oxigraph itself from a group's
tally of durations, with the comparison the full scan uses (``xsd:duration``'s partial
order), so the summary gives the rows the scan gives.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store

from trialgraph import listings
from trialgraph.namespaces import CONCEPTS_GRAPH, STATUS_GRAPH, STD, SUMMARY_GRAPH, TG, prefixes
from trialgraph.store import GraphStore, SelectResult, TrialGraph
from trialgraph.store.sparql import Term, iri

log = logging.getLogger(__name__)

_TRIAL = prefixes()["trial"]
_GRAPH = prefixes()["graph"]
_SUMMARY = prefixes()["summary"]
#: The prefixes the contributions use.
_NAMESPACES = {p: prefixes()[p] for p in ("tg", "modality", "target", "rdfs", "skos")}
_PREFIXES = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in _NAMESPACES.items())
#: Joins the values of a group's ``line`` (a C0 control character, which text read from a
#: record never holds: :mod:`trialgraph.text` removes them).
SEPARATOR = "\x1f"
#: Trial graphs (or summary nodes) per lookup (``VALUES ?g { ... }``).
LOOKUP_BATCH = 1000
#: A run that rewrites more than this share of the stored trials rebuilds the summary
#: instead of applying its changes (a scan is then cheaper than the lookups).
REBUILD_SHARE = 0.2
#: ... but a run may always rewrite this many trials and keep applying its changes.
REBUILD_MIN = 1000
#: The trials whose quads an ingest run keeps for its summary update (:meth:`Tracker.wrote`);
#: the update reads any others back from the store.
KEPT_TRIALS = 20_000


@dataclass(frozen=True, slots=True)
class Kind:
    """One summarized catalogue query: how its groups are found and what they keep.

    ``contributions`` selects ``?t`` (the trial), the ``keys`` and the variables the
    aggregates read, exactly as the query's full scan joins them. Every group keeps its
    number of trials (column ``trials``); ``ids`` keeps their ids too (``trial_ids``);
    ``rows`` names a column counting the group's rows (``outcomes``); ``listed`` maps
    variables to columns listing their distinct values (``; ``-joined, sorted);
    ``durations`` names a variable whose shortest, median and longest are kept.
    ``whole`` is the same SELECT written for every trial at once, its joins as sub-selects
    that Oxigraph hashes (docs/decisions/0005), where that differs. ``line`` names a column
    keeping a group's key as one literal too (the values joined by :data:`SEPARATOR`), a
    property only this kind's groups state: a summary form that reads thousands of groups
    then scans one property and decodes one string per group.
    """

    name: str
    contributions: str
    keys: tuple[str, ...]
    ids: bool = False
    rows: str = ""
    listed: tuple[tuple[str, str], ...] = ()
    durations: str = ""
    whole: str = ""
    line: str = ""


#: The target's symbol and the product's label and modality, for ``modality-by-target``.
_AIMED = (
    "?x tg:symbol ?target . "
    "?p a tg:Product ; rdfs:label ?product . "
    'OPTIONAL { ?p tg:modality/rdfs:label ?m } BIND(COALESCE(?m, "unknown") AS ?modality) }'
)
#: The cell-therapy modalities and the checkpoints of ``combination-regimens``, by
#: variable, as ``queries/combination-regimens.rq`` lists them (``tests/test_summaries.py``
#: compares).
COMBINATION_LISTS: dict[str, tuple[str, ...]] = {
    "cell_kind": (
        "modality:CAR-T",
        "modality:CAR-NK",
        "modality:CAR-M",
        "modality:TCR-T",
        "modality:TIL",
        "modality:NK",
        "modality:CIK",
        "modality:dendritic_cell_vaccine",
        "modality:cell_therapy",
    ),
    "inhibited": (
        "target:PDCD1",
        "target:CD274",
        "target:PDCD1LG2",
        "target:CTLA4",
        "target:LAG3",
        "target:HAVCR2",
        "target:TIGIT",
    ),
}


#: The columns of ``combination-regimens`` and how its full scan finds them.
_COMBINATION_COLUMNS = "?trial ?cell_product ?cell_modality ?partner ?checkpoint ?title"
_COMBINATION_LABELS = (
    "?t rdfs:label ?title . ?cell rdfs:label ?cell_product . "
    "?cell_kind rdfs:label ?cell_modality . ?p rdfs:label ?partner . "
    f'?inhibited tg:symbol ?checkpoint . BIND(STRAFTER(STR(?t), "{_TRIAL}") AS ?trial) }}'
)


def _values(var: str) -> str:
    """A :data:`COMBINATION_LISTS` list as ``VALUES ?var { ... }``."""
    return f"VALUES ?{var} {{ {' '.join(COMBINATION_LISTS[var])} }}"


def _among(var: str) -> str:
    """A :data:`COMBINATION_LISTS` list as the expression ``?var IN (...)``."""
    return f"?{var} IN ({', '.join(COMBINATION_LISTS[var])})"


#: Every summarized query. The contributions repeat the joins of ``queries/NAME.rq``;
#: ``tests/test_summaries.py`` checks that the summary's rows equal the full scan's.
KINDS: tuple[Kind, ...] = (
    Kind(
        "trials-per-target",
        "SELECT ?t ?node WHERE { ?t tg:hasTarget ?node }",
        ("node",),
        ids=True,
    ),
    Kind(
        "trials-per-condition",
        "SELECT ?t ?d WHERE { ?t tg:studiesDisease ?d }",
        ("d",),
        ids=True,
    ),
    Kind(
        "products-in-several-trials",
        "SELECT ?t ?p WHERE { ?t tg:testsProduct ?p }",
        ("p",),
        ids=True,
    ),
    Kind(
        "targets-per-condition",
        "SELECT ?t ?d ?x WHERE { ?t tg:studiesDisease ?d . ?t tg:hasTarget ?x }",
        ("d", "x"),
        ids=True,
        whole="SELECT ?t ?d ?x WHERE { { SELECT ?t ?d { ?t tg:studiesDisease ?d } } "
        "{ SELECT ?t ?x { ?t tg:hasTarget ?x } } }",
    ),
    Kind(
        "trials-per-endpoint",
        "SELECT ?t ?concept WHERE { ?t tg:hasOutcome ?outcome . ?outcome tg:endpoint ?concept }",
        ("concept",),
        ids=True,
        whole="SELECT ?t ?concept WHERE { { SELECT ?t ?outcome { ?t tg:hasOutcome ?outcome } } "
        "{ SELECT ?outcome ?concept { ?outcome tg:endpoint ?concept } } }",
    ),
    Kind(
        "endpoint-follow-up",
        "SELECT ?t ?concept ?d WHERE { ?t tg:hasOutcome ?outcome . "
        "?outcome tg:endpoint ?concept . ?outcome tg:duration ?d }",
        ("concept",),
        rows="outcomes",
        durations="d",
        whole="SELECT ?t ?concept ?d WHERE { { SELECT ?t ?outcome { ?t tg:hasOutcome ?outcome } } "
        "{ SELECT ?outcome ?concept { ?outcome tg:endpoint ?concept } } "
        "{ SELECT ?outcome ?d { ?outcome tg:duration ?d } } }",
    ),
    Kind(
        "endpoints-by-role",
        "SELECT DISTINCT ?t ?outcome ?concept ?role WHERE { ?t tg:hasOutcome ?outcome . "
        "?outcome tg:role ?role . ?outcome tg:endpoint ?concept }",
        ("concept", "role"),
        rows="outcomes",
        whole="SELECT DISTINCT ?t ?outcome ?concept ?role WHERE { "
        "{ SELECT ?t ?outcome { ?t tg:hasOutcome ?outcome } } "
        "{ SELECT ?outcome ?role { ?outcome tg:role ?role } } "
        "{ SELECT ?outcome ?concept { ?outcome tg:endpoint ?concept } } }",
    ),
    Kind(
        "analytes-across-trials",
        "SELECT ?t ?a ?endpoint WHERE { ?t tg:hasOutcome ?outcome . ?outcome tg:analyte ?a . "
        "?outcome tg:endpoint ?e . ?e skos:notation ?endpoint }",
        ("a",),
        ids=True,
        listed=(("endpoint", "endpoints"),),
    ),
    Kind(
        # of a combination, the component that the trial's own graph says is aimed at the
        # target (GRAPH ?g): what one trial contributes never depends on another's record
        "modality-by-target",
        "SELECT DISTINCT ?t ?target ?modality ?product WHERE { GRAPH ?g { "
        "?t tg:hasIntervention ?use . ?use tg:aimsAt ?x ; tg:product ?p . ?p tg:aimsAt ?x } "
        + _AIMED,
        ("target", "modality"),
        listed=(("product", "products"),),
        whole="SELECT ?t ?target ?modality ?product WHERE { { SELECT DISTINCT ?t ?x ?p WHERE { "
        "{ SELECT ?t ?use { ?t tg:hasIntervention ?use } } "
        "{ SELECT ?use ?p ?x { GRAPH ?g { "
        "?use tg:product ?p ; tg:aimsAt ?x . ?p tg:aimsAt ?x } } } "
        "} } " + _AIMED,
    ),
    Kind(
        # one group per result row, as its line: the trial, its cell product and that
        # use's modality, the partner product, the checkpoint it is aimed at, the title
        "combination-regimens",
        "SELECT DISTINCT ?t " + _COMBINATION_COLUMNS + " WHERE { "
        # the lists as filters, as evaluated over a few trials' quads (counted); the
        # whole scan starts from the listed modalities and checkpoints instead
        "?t tg:hasIntervention ?cell_use, ?partner_use . "
        "?cell_use tg:product ?cell ; tg:modality ?cell_kind . "
        "?partner_use tg:aimsAt ?inhibited ; tg:product ?p . "
        f"FILTER({_among('cell_kind')} && {_among('inhibited')}) "
        "FILTER(?p != ?cell) " + _COMBINATION_LABELS,
        tuple(_COMBINATION_COLUMNS.replace("?", "").split()),
        line="regimen_row",
        whole="SELECT DISTINCT ?t " + _COMBINATION_COLUMNS + " WHERE { "
        f"{{ SELECT ?t ?cell ?cell_kind {{ {_values('cell_kind')} "
        "?cell_use tg:modality ?cell_kind ; tg:product ?cell . ?t tg:hasIntervention ?cell_use } } "
        f"{{ SELECT ?t ?p ?inhibited {{ {_values('inhibited')} "
        "?partner_use tg:aimsAt ?inhibited ; tg:product ?p . "
        "?t tg:hasIntervention ?partner_use } } "
        "FILTER(?p != ?cell) " + _COMBINATION_LABELS,
    ),
)
BY_NAME = {kind.name: kind for kind in KINDS}

#: The predicates the contributions read in trial graphs: every ``tg:`` property they name
#: but a target's symbol, which only the concepts graph holds (``tg:modality`` is a
#: product's there, and an intervention's in its trial's graph).
_TRIAL_PREDICATES = sorted(
    {
        name
        for kind in KINDS
        for name in re.findall(r"\btg:([a-z]\w*)", kind.contributions + kind.whole)
    }
    - {"symbol"}
)
_TRIAL_PREDICATE_NODES = frozenset(NamedNode(TG.NS + name) for name in _TRIAL_PREDICATES)
#: What the contributions read of the trial itself but of nothing else in its graph: its
#: title (``rdfs:label``; the other labels there are long texts no summary reads).
_TITLE = STD.label
#: The predicates the contributions may read in the concepts graph: every property they
#: name (``a`` is ``rdf:type``).
_CONCEPT_PREDICATE_NODES = frozenset(
    {
        NamedNode(_NAMESPACES[prefix] + name)
        for kind in KINDS
        for prefix, name in re.findall(
            r"\b(tg|rdfs|skos):([a-z]\w*)", kind.contributions + kind.whole
        )
    }
    | {STD.rdf_type}
)


def version() -> str:
    """A digest of the definitions: a summary made by other definitions is not used."""
    spec = json.dumps([dataclasses.astuple(kind) for kind in KINDS])
    return hashlib.sha256(spec.encode("utf-8")).hexdigest()[:16]


def column(name: str) -> NamedNode:
    """The property of a summary node stating one of its columns or keys."""
    return NamedNode(_SUMMARY + name)


_TRIALS = column("trials")
_TRIAL_IDS = column("trial_ids")
_KIND_NAME = TG.summarizes
_STATE = TG.summaryState


# ---------------------------------------------------------------------------------------
# groups


Key = tuple[NamedNode | Literal, ...]


@dataclass(slots=True)
class Group:
    """What a summary keeps of one group: counts a trial's rows add to or take from.

    ``tallies`` count, per listed value, the group's trials that have it, and per duration
    the group's rows that have it.
    """

    trials: int = 0
    rows: int = 0
    tallies: dict[str, Counter[str]] = field(default_factory=dict)
    ids: set[str] | None = None
    #: the ids as stored (sorted, ``; ``-joined), for a group read from a scan, not changed
    ids_text: str | None = None

    def combine(self, other: Group, sign: int) -> None:
        """Count in (``sign`` 1) or out (-1) the counts of other trials' rows of this group.

        ``other`` was counted from a scan of those trials (:func:`_scanned`); this group
        keeps its ids as a set (:meth:`from_state`) when its kind lists them.
        """
        self.trials += sign * other.trials
        self.rows += sign * other.rows
        for var, tally in other.tallies.items():
            mine = self.tallies.setdefault(var, Counter())
            for value, n in tally.items():
                mine[value] += sign * n
            for value in [v for v, n in mine.items() if n <= 0]:
                del mine[value]
        if self.ids is not None and other.ids_text:
            members = other.ids_text.split("; ")
            if sign > 0:
                self.ids.update(members)
            else:
                self.ids.difference_update(members)

    def same(self, other: Group) -> bool:
        """Whether two groups counted from scans (:func:`_scanned`) hold the same counts."""
        return (
            self.trials == other.trials
            and self.rows == other.rows
            and self.tallies == other.tallies
            and set((self.ids_text or "").split("; ")) == set((other.ids_text or "").split("; "))
        )

    def state(self) -> str:
        """The counts as the JSON text a summary node keeps (its ids are a column)."""
        tallies = {var: dict(sorted(t.items())) for var, t in sorted(self.tallies.items())}
        return json.dumps({"trials": self.trials, "rows": self.rows, "tallies": tallies})

    @classmethod
    def from_state(cls, text: str, ids: str | None) -> Group:
        data = json.loads(text)
        tallies = {var: Counter(t) for var, t in data["tallies"].items()}
        members = None if ids is None else set(ids.split("; ")) if ids else set()
        return cls(data["trials"], data["rows"], tallies, members)


class _Queryable(Protocol):
    def query(self, sparql: str, /) -> object: ...


def _select(store: _Queryable, text: str) -> SelectResult:
    result = store.query(text)
    assert isinstance(result, SelectResult)
    return result


def _rows(
    store: _Queryable,
    variables: str,
    bindings: Sequence[tuple[NamedNode, ...]],
    select: str,
    pattern: str,
) -> Iterator[tuple[Term | None, ...]]:
    """``SELECT select`` of ``pattern`` evaluated once for each of ``bindings`` of
    ``variables`` (``LATERAL``: as index lookups), in batches of :data:`LOOKUP_BATCH`."""
    for start in range(0, len(bindings), LOOKUP_BATCH):
        values = " ".join(
            "(" + " ".join(iri(n) for n in row) + ")"
            for row in bindings[start : start + LOOKUP_BATCH]
        )
        text = (
            f"SELECT {select} WHERE {{ VALUES ({variables}) {{ {values} }} "
            f"LATERAL {{ {pattern} }} }}"
        )
        yield from _select(store, text)


def _one_of(predicates: Iterable[NamedNode]) -> str:
    return f"?p IN ({', '.join(sorted(iri(p) for p in predicates))})"


_IN_TRIAL = (
    f"GRAPH ?g {{ ?s ?p ?o }} FILTER({_one_of(_TRIAL_PREDICATE_NODES)} "
    f"|| ?p = {iri(_TITLE)} && ?s = ?t)"
)
_IN_CONCEPTS = (
    f"GRAPH {iri(CONCEPTS_GRAPH)} {{ ?s ?p ?o }} FILTER({_one_of(_CONCEPT_PREDICATE_NODES)})"
)


def _trial_of(graph: NamedNode) -> NamedNode:
    """The trial a trial graph describes (both are named by the trial's id)."""
    return NamedNode(_TRIAL + graph.value.removeprefix(_GRAPH))


def _read_quads(store: GraphStore, graphs: Sequence[NamedNode]) -> Iterator[Quad]:
    """What the contributions read of the trial graphs ``graphs`` as stored (one read of
    the graph-first index each)."""
    pairs = [(g, _trial_of(g)) for g in graphs]
    for g, s, p, o in _rows(store, "?g ?t", pairs, "?g ?s ?p ?o", _IN_TRIAL):
        assert isinstance(g, NamedNode) and isinstance(s, NamedNode | BlankNode)
        assert isinstance(p, NamedNode) and isinstance(o, NamedNode | BlankNode | Literal)
        yield Quad(s, p, o, g)


def _add_concepts(store: GraphStore, memory: Store) -> None:
    """Add to ``memory``, which holds what the contributions read of some trial graphs, the
    stored descriptions of the concepts those name, and in turn of those the descriptions
    name (read by subject in the concepts graph)."""
    objects = memory.query("SELECT DISTINCT ?o { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o)) }")
    assert isinstance(objects, QuerySolutions)
    named = {o for (o,) in objects if isinstance(o, NamedNode)}
    seen: set[NamedNode] = set()
    while named - seen:
        todo = sorted(named - seen, key=str)
        seen.update(todo)
        found: list[Quad] = []
        for s, p, o in _rows(store, "?s", [(c,) for c in todo], "?s ?p ?o", _IN_CONCEPTS):
            assert isinstance(s, NamedNode) and isinstance(p, NamedNode)
            assert isinstance(o, NamedNode | BlankNode | Literal)
            found.append(Quad(s, p, o, CONCEPTS_GRAPH))
            if isinstance(o, NamedNode):
                named.add(o)
        memory.extend(found)


def _groups_of(store: GraphStore, memory: Store) -> Partial:
    """The groups of the trials ``memory`` holds what the contributions read of, with the
    concepts they name as stored now (:func:`_add_concepts`)."""
    _add_concepts(store, memory)
    return counted(memory)


def stored_groups(
    store: GraphStore,
    graphs: Sequence[NamedNode],
    read: Mapping[NamedNode, Iterable[Quad]] | None = None,
) -> Partial:
    """The groups, of every kind, of the trials ``graphs`` describe, as stored now.

    What the contributions read of their graphs is copied into memory and counted there
    with the queries a rebuild runs (:func:`counted`): a few reads per trial, whatever the
    number of kinds. ``read`` holds the stored quads of some of the graphs, for a caller
    that has read them already (:meth:`~trialgraph.store.GraphStore.stored_quads`); the
    others are read here, as are the concepts all of them name.
    """
    given = read or {}
    memory = Store()
    memory.extend(q for g in graphs if g in given for q in given[g] if reads(q))
    memory.extend(_read_quads(store, [g for g in graphs if g not in given]))
    return _groups_of(store, memory)


# ---------------------------------------------------------------------------------------
# writing


def node(kind: Kind, key: Key) -> NamedNode:
    """The summary node of one group: a digest of its kind and key terms."""
    digest = hashlib.sha1(" ".join(map(str, key)).encode("utf-8")).hexdigest()[:20]
    return NamedNode(f"{_SUMMARY}{kind.name}/{digest}")


def _quads(kind: Kind, key: Key, group: Group, durations: tuple[Literal, ...] | None) -> list[Quad]:
    """A group's node as stored: its kind, keys, columns and state."""
    s, g = node(kind, key), SUMMARY_GRAPH
    quads = [
        Quad(s, STD.rdf_type, TG.SummaryRow, g),
        Quad(s, _KIND_NAME, Literal(kind.name), g),
        Quad(s, _TRIALS, Literal(str(group.trials), datatype=STD.xsd_integer), g),
        Quad(s, _STATE, Literal(group.state()), g),
    ]
    quads.extend(Quad(s, column(var), term, g) for var, term in zip(kind.keys, key, strict=True))
    if kind.line:
        values = [term.value for term in key]
        if any(SEPARATOR in value for value in values):  # the line could not be split
            raise ValueError(f"{kind.name}: a key holds U+001F, which joins a line: {values}")
        quads.append(Quad(s, column(kind.line), Literal(SEPARATOR.join(values)), g))
    if kind.ids:
        ids = group.ids_text if group.ids is None else "; ".join(sorted(group.ids))
        quads.append(Quad(s, _TRIAL_IDS, Literal(ids or ""), g))
    if kind.rows:
        quads.append(
            Quad(s, column(kind.rows), Literal(str(group.rows), datatype=STD.xsd_integer), g)
        )
    for var, name in kind.listed:
        listed = "; ".join(sorted(group.tallies.get(var, ())))
        quads.append(Quad(s, column(name), Literal(listed), g))
    if durations is not None:
        for name, value in zip(("shortest", "median", "longest"), durations, strict=True):
            quads.append(Quad(s, column(name), value, g))
    return quads


_FOLLOW_UP = """
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?g ?shortest ?median ?longest WHERE {
  { SELECT ?g (MIN(?d) AS ?shortest) (MAX(?d) AS ?longest) WHERE { %(tally)s } GROUP BY ?g }
  {
    # the smallest duration whose cumulative count reaches half the group's rows, as the
    # full scan (queries/endpoint-follow-up.rq) finds it
    SELECT ?g (MIN(?d) AS ?median) WHERE {
      { SELECT ?g ?d (SUM(?below_n) AS ?at_or_below)
        WHERE { %(tally)s %(below)s FILTER(?below <= ?d) } GROUP BY ?g ?d }
      %(totals)s
      FILTER(2 * ?at_or_below >= ?total)
    } GROUP BY ?g
  }
}
"""


def _durations(groups: Sequence[tuple[int, Counter[str]]]) -> dict[int, tuple[Literal, ...]]:
    """Shortest, median and longest of each group's tally of durations, by Oxigraph."""
    if not groups:
        return {}
    tally, below, totals = [], [], []
    for index, counts in groups:
        total = 0
        for value, n in counts.items():
            d = Literal(value, datatype=STD.xsd_duration)
            tally.append(f"({index} {d} {n})")
            below.append(f"({index} {d} {n})")
            total += n
        totals.append(f"({index} {total})")
    text = _FOLLOW_UP % {
        "tally": "VALUES (?g ?d ?n) { " + " ".join(tally) + " }",
        "below": "VALUES (?g ?below ?below_n) { " + " ".join(below) + " }",
        "totals": "VALUES (?g ?total) { " + " ".join(totals) + " }",
    }
    out: dict[int, tuple[Literal, ...]] = {}
    for solution in Store().query(text):  # type: ignore[union-attr]
        g, *values = (solution[v] for v in ("g", "shortest", "median", "longest"))
        spans = tuple(v for v in values if isinstance(v, Literal))
        if isinstance(g, Literal) and len(spans) == 3:
            out[int(g.value)] = spans
    return out


def _group_quads(kind: Kind, groups: dict[Key, Group]) -> Iterator[Quad]:
    """The nodes of ``groups`` that still count a trial."""
    live = [(key, group) for key, group in groups.items() if group.trials > 0]
    spans: dict[int, tuple[Literal, ...]] = {}
    if kind.durations:
        tallies = [(i, g.tallies.get(kind.durations, Counter())) for i, (_, g) in enumerate(live)]
        spans = _durations([(i, t) for i, t in tallies if t])
    for i, (key, group) in enumerate(live):
        if kind.durations and i not in spans:
            continue  # no duration at all: the full scan has no row either
        yield from _quads(kind, key, group, spans.get(i) if kind.durations else None)


def _header(generation: int, listed: str | None) -> list[Quad]:
    """The summaries graph's own statements: the generation it reflects, its version and
    ``listed``, the listings' version that every trial graph states, if they all do."""
    g = SUMMARY_GRAPH
    quads = [
        Quad(g, TG.generation, Literal(str(generation), datatype=STD.xsd_integer), g),
        Quad(g, TG.summaryVersion, Literal(version()), g),
    ]
    if listed is not None:
        quads.append(Quad(g, TG.listingVersion, Literal(listed), g))
    return quads


# ---------------------------------------------------------------------------------------
# status


@dataclass(frozen=True, slots=True)
class Status:
    """Whether the summary can answer: the generations and versions compared."""

    store: int
    summary: int | None
    version: str | None
    writing: bool
    #: the listings' version every trial graph states, if the summary found they all do
    listed: str | None = None

    @property
    def current(self) -> bool:
        return (
            not self.writing
            and self.summary is not None
            and self.summary == self.store
            and self.version == version()
        )

    @property
    def listings_current(self) -> bool:
        """Whether every trial graph states its listing rows, as this version makes them."""
        return self.current and self.listed == listings.version()

    def explain_listings(self) -> str:
        """Why the listing rows cannot answer, for a user (empty when they can)."""
        if not self.current or self.listings_current:
            return self.explain()
        return (
            "some trial graphs were written by another version of trialgraph, without "
            "these listing rows (a run over their records writes them)"
        )

    def explain(self) -> str:
        """Why the summary cannot answer, for a user (empty when it can)."""
        if self.current:
            return ""
        if self.summary is None:
            return "the store has no summary"
        if self.version != version():
            return "the summary was made by another version of trialgraph"
        if self.writing:
            return "a write to the store is in progress"
        return (
            f"the summary reflects store generation {self.summary}, the store is at "
            f"{self.store} (another writer changed it)"
        )


_S, _G = iri(STATUS_GRAPH), iri(SUMMARY_GRAPH)
_STATUS_QUERY = (
    f"SELECT ?store ?summary ?version ?marker ?listed WHERE {{ "
    f"OPTIONAL {{ GRAPH {_S} {{ {_S} {iri(TG.generation)} ?store }} }} "
    f"OPTIONAL {{ GRAPH {_G} {{ {_G} {iri(TG.generation)} ?summary ; "
    f"{iri(TG.summaryVersion)} ?version }} }} "
    f"OPTIONAL {{ GRAPH {_G} {{ {_G} {iri(TG.listingVersion)} ?listed }} }} "
    f"OPTIONAL {{ GRAPH {_S} {{ {_S} {iri(TG.writeInProgress)} ?marker }} }} }}"
)


def status(store: GraphStore) -> Status:
    """The summary's status against the store's generation (one small query)."""
    row = next(iter(_select(store, _STATUS_QUERY)), (None, None, None, None, None))
    gen, summary, ver, marker, listed = row

    def number(term: object) -> int | None:
        return int(term.value) if isinstance(term, Literal) else None

    writing = marker is not None or store.write_marker() is not None
    text = ver.value if isinstance(ver, Literal) else None
    rows = listed.value if isinstance(listed, Literal) else None
    return Status(number(gen) or 0, number(summary), text, writing, rows)


# ---------------------------------------------------------------------------------------
# rebuilding and applying changes


@dataclass
class Report:
    """What a summary write did: groups written per kind, and how."""

    how: str  # "built" (from a first load's batches), "rebuilt", "updated" or "unchanged"
    groups: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        """One line for a user: ``rebuilt: 1,234 groups of 9 queries in 3.2 s``."""
        total = sum(self.groups.values())
        return f"{self.how}: {total:,} groups of {len(self.groups)} queries in {self.seconds:.1f} s"


def _scanned(store: _Queryable, kind: Kind) -> dict[Key, Group]:
    """Every group of a kind, counted by Oxigraph from a scan of its contributions.

    The counts are those a :class:`Group` keeps: trials, rows, ids, the trials with each
    listed value and the rows with each duration; only the groups come back to Python.
    """
    keys = " ".join("?" + k for k in kind.keys)
    inner = "{ " + (kind.whole or kind.contributions) + " }"
    ids = ' (GROUP_CONCAT(DISTINCT ?id; separator="; ") AS ?ids)' if kind.ids else ""
    trial_id = f' BIND(STRAFTER(STR(?t), "{_TRIAL}") AS ?id)' if kind.ids else ""
    n = len(kind.keys)
    groups: dict[Key, Group] = {}
    totals = (
        f"{_PREFIXES}SELECT {keys} (COUNT(DISTINCT ?t) AS ?trials) (COUNT(*) AS ?rows){ids} "
        f"WHERE {{ {inner}{trial_id} }} GROUP BY {keys}"
    )
    for row in _select(store, totals):
        key = tuple(t for t in row[:n] if isinstance(t, NamedNode | Literal))
        in_group, rows, *listed = row[n:]
        if len(key) == n and isinstance(in_group, Literal) and isinstance(rows, Literal):
            text = listed[0].value if listed and isinstance(listed[0], Literal) else None
            ordered = "; ".join(sorted(text.split("; "))) if text else ""
            groups[key] = Group(int(in_group.value), int(rows.value), ids_text=ordered)
    tallied = [(v, "COUNT(DISTINCT ?t)") for v, _ in kind.listed]
    if kind.durations:
        tallied.append((kind.durations, "COUNT(*)"))
    for var, count in tallied:
        text = (
            f"{_PREFIXES}SELECT {keys} ?{var} ({count} AS ?n) WHERE {{ {inner} }} "
            f"GROUP BY {keys} ?{var}"
        )
        for row in _select(store, text):
            key = tuple(t for t in row[:n] if isinstance(t, NamedNode | Literal))
            value, number = row[n:]
            group = groups.get(key)
            if group is not None and isinstance(value, Literal) and isinstance(number, Literal):
                group.tallies.setdefault(var, Counter())[value.value] = int(number.value)
    return groups


def rebuild(store: GraphStore) -> Report:
    """Compute every summary from a scan of the stored trials and replace the summary graph."""
    started = time.perf_counter()
    with store.writing():
        groups = {kind.name: _scanned(store, kind) for kind in KINDS}
        listed = None if store.query(listings.missing_query()) else listings.version()
        report = _replace(store, groups, "rebuilt", listed)
    report.seconds = time.perf_counter() - started
    return report


def _replace(store: GraphStore, groups: Partial, how: str, listed: str | None) -> Report:
    """Replace the summary graph with ``groups``, stating the store's generation and the
    listings' version ``listed`` (see :func:`_header`)."""
    report = Report(how)
    with store.writing():
        generation = store.generation()
        store.drop_graph(SUMMARY_GRAPH)
        for kind in KINDS:
            quads = list(_group_quads(kind, groups.get(kind.name, {})))
            report.groups[kind.name] = sum(1 for q in quads if q.predicate == _KIND_NAME)
            store.add_quads(quads)
        store.add_quads(_header(generation, listed))
    return report


#: Groups of every kind, by kind name.
Partial = dict[str, dict[Key, Group]]


def reads(quad: Quad) -> bool:
    """Whether a trial graph's quad is one the contributions read (about a quarter)."""
    if quad.predicate == _TITLE:
        graph = quad.graph_name
        return isinstance(graph, NamedNode) and quad.subject == _trial_of(graph)
    return quad.predicate in _TRIAL_PREDICATE_NODES


def counted(memory: Store) -> Partial:
    """The groups of the trials in ``memory``, an in-memory store of (at least) what the
    contributions read of their graphs (:func:`reads`), and of the concepts they name,
    counted with the very queries a rebuild runs.

    A worker counts them for the batch it mapped, on the batch's own store; a first load
    adds up its batches' groups (:func:`merge`) and writes them (:func:`write`) instead of
    scanning the loaded store. A rerun counts those of the trials it replaces, and of
    those it wrote (:func:`stored_groups`, :class:`Tracker`).
    """
    view = _MemoryView(memory)
    return {kind.name: _scanned(view, kind) for kind in KINDS}


def read_predicates() -> frozenset[NamedNode]:
    """Every predicate :func:`reads` may keep of a trial graph."""
    return _TRIAL_PREDICATE_NODES | {_TITLE}


def merge(total: Partial, part: Partial) -> None:
    """Add the groups of a batch of other trials to ``total``."""
    for name, groups in part.items():
        _add(total.setdefault(name, {}), groups)


def _add(into: dict[Key, Group], groups: dict[Key, Group]) -> None:
    """Add scanned groups of other trials to ``into``'s (their id lists join unsorted)."""
    for key, group in groups.items():
        have = into.get(key)
        if have is None:
            into[key] = group
            continue
        have.combine(group, 1)
        if have.ids is None and group.ids_text:
            joined = f"{have.ids_text}; {group.ids_text}" if have.ids_text else group.ids_text
            have.ids_text = joined


def write(store: GraphStore, groups: Partial) -> Report:
    """Replace the summaries with ``groups``: every stored trial's, added up by :func:`merge`."""
    started = time.perf_counter()
    for by_key in groups.values():
        for group in by_key.values():
            if group.ids_text:
                group.ids_text = "; ".join(sorted(group.ids_text.split("; ")))
    report = _replace(store, groups, "built", listings.version())  # all written by this run
    report.seconds = time.perf_counter() - started
    return report


class _MemoryView:
    """A pyoxigraph in-memory store as :func:`_scanned` reads a store: union queries."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def query(self, text: str) -> SelectResult:
        from trialgraph.store.sparql import select_rows

        result = self._store.query(text, use_default_graph_as_union=True)
        assert isinstance(result, QuerySolutions)
        return select_rows(result)


class Tracker:
    """Keeps a store's summary current through one ingest run.

    Built when the run starts: if the summary reflects the store then, the run's changes
    can be applied to it. :meth:`before` is called with the trial graphs a batch replaces,
    before they are written, and counts their stored groups (:func:`stored_groups`);
    :meth:`wrote` with the trials written. :meth:`finish` counts the groups of every trial
    the run wrote and applies the difference, or rebuilds the summary when it was behind,
    when the run wrote more than :data:`REBUILD_SHARE` of the store, or when another writer
    changed the store meanwhile.
    """

    def __init__(self, store: GraphStore, stored_trials: int) -> None:
        self.store = store
        found = status(store)
        self.start = found.store
        self._bumps = store.bumps
        self.usable = found.current and stored_trials > 0
        # the run's trial graphs state this version's listing rows: the others stay as found
        self._listed = found.listed
        self.reason = found.explain() if not self.usable else ""
        self.limit = max(REBUILD_MIN, int(stored_trials * REBUILD_SHARE))
        self._seen: set[NamedNode] = set()
        self._old: Partial = {k.name: {} for k in KINDS}  # the replaced trials' groups
        # what the contributions read of the trials the run wrote, as written (see wrote)
        self._written = Store()
        self._kept: set[NamedNode] = set()  # the trial graphs _written holds

    def before(
        self,
        graphs: Sequence[NamedNode],
        stored: Mapping[NamedNode, Iterable[Quad]] | None = None,
    ) -> None:
        """Count the stored groups of the trials ``graphs`` describe, about to be replaced;
        ``stored`` may hold their stored quads, read already (see :func:`stored_groups`)."""
        fresh = [g for g in dict.fromkeys(graphs) if g not in self._seen]
        self._seen.update(fresh)
        if not self.usable or not fresh:
            return
        if len(self._seen) > self.limit:
            self.usable = False
            self.reason = "the run rewrote a large part of the store"
            self._old = {}
            self._written, self._kept = Store(), set()
            return
        merge(self._old, stored_groups(self.store, fresh, stored))

    def wrote(self, trials: Iterable[TrialGraph]) -> None:
        """Keep what the contributions read of ``trials``, just written (a trial written
        again is kept as written last), for :meth:`finish` to count the run's new groups
        without reading the trials back; at most :data:`KEPT_TRIALS` of them, for memory's
        sake (finish reads the others)."""
        if not self.usable:
            return
        for trial in trials:
            if trial.graph in self._kept:
                self._written.remove_graph(trial.graph)
            elif len(self._kept) >= KEPT_TRIALS:
                continue
            self._kept.add(trial.graph)
            self._written.extend(q for q in trial.quads if reads(q))

    def finish(self, written: Iterable[NamedNode]) -> Report:
        """Bring the summary up to date with the run, whose trial graphs were ``written``
        (see the class)."""
        ours = self.store.bumps - self._bumps
        if not self.usable or self.store.generation() != self.start + ours:
            return rebuild(self.store)  # behind, too much changed, or another writer wrote
        started = time.perf_counter()
        graphs = sorted(set(written) | self._seen, key=lambda n: n.value)
        report = Report("updated" if graphs else "unchanged")
        if not graphs:
            return report
        with self.store.writing():
            for graph in self._kept.difference(graphs):  # kept, but not the run's to count
                self._written.remove_graph(graph)
            unkept = [g for g in graphs if g not in self._kept]
            self._written.extend(_read_quads(self.store, unkept))
            now = _groups_of(self.store, self._written)
            for kind in KINDS:
                new = now[kind.name]
                old = self._old[kind.name]
                # a group the run's trials left as they found it keeps its stored node:
                # most changes to a record leave most of its groups alone
                touched = {
                    key
                    for key in old.keys() | new.keys()
                    if key not in old or key not in new or not old[key].same(new[key])
                }
                groups = self._stored_groups(kind, touched)
                for key, group in groups.items():
                    if key in old:
                        group.combine(old[key], -1)
                    if key in new:
                        group.combine(new[key], 1)
                quads = list(_group_quads(kind, groups))
                self.store.remove_subjects(SUMMARY_GRAPH, [node(kind, key) for key in touched])
                self.store.add_quads(quads)
                report.groups[kind.name] = len(touched)
            header = _header(self.store.generation(), self._listed)
            self.store.restate(SUMMARY_GRAPH, SUMMARY_GRAPH, header)
        report.seconds = time.perf_counter() - started
        return report

    def _stored_groups(self, kind: Kind, keys: Iterable[Key]) -> dict[Key, Group]:
        """The stored state of the groups ``keys`` name (new groups start empty)."""
        by_node = {node(kind, key): key for key in keys}
        groups = {key: Group(ids=set() if kind.ids else None) for key in by_node.values()}
        pattern = (
            f"GRAPH {iri(SUMMARY_GRAPH)} {{ ?row {iri(_STATE)} ?state "
            f"OPTIONAL {{ ?row {iri(_TRIAL_IDS)} ?ids }} }}"
        )
        rows = [(n,) for n in by_node]
        for row, state, ids in _rows(self.store, "?row", rows, "?row ?state ?ids", pattern):
            if isinstance(row, NamedNode) and isinstance(state, Literal):
                listed = ids.value if isinstance(ids, Literal) else None
                group = Group.from_state(state.value, listed if kind.ids else None)
                if kind.ids and group.ids is None:
                    group.ids = set()
                groups[by_node[row]] = group
        return groups


__all__ = [
    "BY_NAME",
    "KINDS",
    "Group",
    "Kind",
    "Report",
    "Status",
    "Tracker",
    "column",
    "node",
    "rebuild",
    "status",
    "stored_groups",
    "version",
]
