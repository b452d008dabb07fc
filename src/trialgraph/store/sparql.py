"""The SPARQL text both backends send, and the decoding of what comes back.

Updates are built from pyoxigraph terms (``str(term)`` is N-Triples syntax, also valid
SPARQL, so literals are escaped by pyoxigraph, never by hand); lookups are constant
queries or take only IRIs trialgraph made.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TypeAlias

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, QuerySolutions, Triple

from trialgraph.namespaces import (
    CONCEPTS_GRAPH,
    ONTOLOGY_GRAPH,
    PULLS_GRAPH,
    STATUS_GRAPH,
    STD,
    SUMMARY_GRAPH,
    TG,
    prefixes,
)
from trialgraph.store.trial import TrialGraph

#: An RDF term a query can return or a parameter can be bound to.
Term: TypeAlias = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True, slots=True)
class SelectResult:
    """The answer to a SELECT query: variable names and rows of terms (``None`` if unbound)."""

    variables: list[str]
    rows: Iterator[tuple[Term | None, ...]]

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return self.rows


#: SELECT gives a :class:`SelectResult`, ASK a ``bool``, CONSTRUCT and DESCRIBE triples.
QueryResult: TypeAlias = SelectResult | bool | Iterator[Triple]


def select_rows(solutions: QuerySolutions) -> SelectResult:
    """pyoxigraph's solutions as a :class:`SelectResult`, read lazily."""
    variables = [v.value for v in solutions.variables]

    def rows() -> Iterator[tuple[Term | None, ...]]:
        for solution in solutions:
            yield tuple(solution[v] for v in variables)

    return SelectResult(variables, rows())


def scalar(result: QueryResult) -> int:
    """The integer in the first cell of a SELECT's first row (0 if there is none)."""
    assert isinstance(result, SelectResult)
    row = next(iter(result), None)
    value = row[0] if row else None
    return int(value.value) if isinstance(value, Literal) else 0


def iri(node: NamedNode) -> str:
    """A node as SPARQL: pyoxigraph writes N-Triples syntax, ``<iri>``."""
    return str(node)


# ---------------------------------------------------------------------------------------
# updates


def quads_block(quads: Iterable[Quad]) -> str:
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
    batch: Sequence[TrialGraph], stored: Mapping[NamedNode, AbstractSet[Quad]] = {}
) -> str:
    """The single SPARQL UPDATE that replaces every trial graph of a batch.

    ``stored`` holds the current quads of the graphs a backend could read cheaply: those
    change by the quads they lose and gain (a changed record usually changes a few quads
    of its graph, and a transaction writes far fewer quads per second than a bulk load).
    Other graphs, and graphs holding blank nodes (which ``DELETE DATA`` cannot name), are
    dropped and inserted whole. A trial twice in the batch is written from its last
    record. Concept quads of the whole batch are deduplicated and inserted once.

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
            drops.append(f"DROP SILENT GRAPH {iri(graph)}")
            inserts.extend(trial.quads)
        else:
            new = set(trial.quads)
            deletes.extend(q for q in old if q not in new)
            inserts.extend(q for q in new if q not in old)
    inserts.extend(dict.fromkeys(q for trial in batch for q in trial.concept_quads))
    ops = drops
    if deletes:
        ops.append(f"DELETE DATA {{\n{quads_block(deletes)}\n}}")
    if inserts:
        ops.append(f"INSERT DATA {{\n{quads_block(inserts)}\n}}")
    return " ;\n".join(ops)


def _has_blank_node(quad: Quad) -> bool:
    return isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode)


def ontology_update(graph: NamedNode, quads: Iterable[Quad], version: str) -> str:
    """Replace ``graph`` with ``quads`` moved into it, stating ``owl:versionInfo version``."""
    moved = [Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    moved.append(Quad(graph, STD.versionInfo, Literal(version), graph))
    return f"DROP SILENT GRAPH {iri(graph)} ;\nINSERT DATA {{\n{quads_block(moved)}\n}}"


def drop_graphs(graphs: Iterable[str]) -> str:
    """Drop each graph (IRIs as text)."""
    return " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)


def status_update(marker: str | None) -> str:
    """Remove the status graph's marker, then state ``marker`` (a JSON text), if given.

    The rest of the status graph (the store's generation) stays.
    """
    update = (
        f"DELETE WHERE {{ GRAPH {iri(STATUS_GRAPH)} "
        f"{{ {iri(STATUS_GRAPH)} {iri(TG.writeInProgress)} ?m }} }}"
    )
    if marker is not None:
        update += (
            f" ;\nINSERT DATA {{ GRAPH {iri(STATUS_GRAPH)} "
            f"{{ {iri(STATUS_GRAPH)} {iri(TG.writeInProgress)} {Literal(marker)} }} }}"
        )
    return update


#: Advance the store's generation by one (from 0 when it has none), in one update.
GENERATION_UPDATE = (
    f"DELETE {{ GRAPH {iri(STATUS_GRAPH)} {{ {iri(STATUS_GRAPH)} {iri(TG.generation)} ?old }} }} "
    f"INSERT {{ GRAPH {iri(STATUS_GRAPH)} {{ {iri(STATUS_GRAPH)} {iri(TG.generation)} ?new }} }} "
    f"WHERE {{ OPTIONAL {{ GRAPH {iri(STATUS_GRAPH)} "
    f"{{ {iri(STATUS_GRAPH)} {iri(TG.generation)} ?old }} }} "
    f"BIND(COALESCE(?old, 0) + 1 AS ?new) }}"
)
#: The store's generation.
GENERATION_QUERY = (
    f"SELECT ?g WHERE {{ GRAPH {iri(STATUS_GRAPH)} "
    f"{{ {iri(STATUS_GRAPH)} {iri(TG.generation)} ?g }} }}"
)


def subjects_update(graph: NamedNode, subjects: Sequence[NamedNode]) -> str:
    """Delete everything ``subjects`` state in ``graph``."""
    values = " ".join(iri(s) for s in subjects)
    return (
        f"DELETE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }} "
        f"WHERE {{ VALUES ?s {{ {values} }} GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"
    )


def subject_update(graph: NamedNode, subject: NamedNode, quads: Iterable[Quad]) -> str:
    """Delete what ``subject`` states in ``graph``, then insert ``quads``."""
    update = f"DELETE WHERE {{ GRAPH {iri(graph)} {{ {iri(subject)} ?p ?o }} }}"
    block = quads_block(quads)
    return update + (f" ;\nINSERT DATA {{\n{block}\n}}" if block else "")


# ---------------------------------------------------------------------------------------
# lookups


def graph_value_query(predicate: NamedNode, graphs: Sequence[NamedNode]) -> str:
    """``?g ?v`` for each of ``graphs`` that states ``<g> predicate ?v`` about itself."""
    values = " ".join(iri(g) for g in graphs)
    return (
        f"SELECT ?g ?v WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?g {iri(predicate)} ?v }} }}"
    )


def version_query(graph: NamedNode) -> str:
    """The ``owl:versionInfo`` a graph states about itself."""
    return f"SELECT ?v WHERE {{ GRAPH {iri(graph)} {{ {iri(graph)} {iri(STD.versionInfo)} ?v }} }}"


#: Every stored trial's record digest.
SOURCE_DIGESTS_QUERY = f"SELECT ?v WHERE {{ GRAPH ?g {{ ?g {iri(TG.sourceDigest)} ?v }} }}"
#: The write-in-progress marker a remote store's status graph states.
STATUS_QUERY = (
    f"SELECT ?m WHERE {{ GRAPH {iri(STATUS_GRAPH)} "
    f"{{ {iri(STATUS_GRAPH)} {iri(TG.writeInProgress)} ?m }} }}"
)
TRIAL_COUNT_QUERY = (
    f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?g {iri(STD.rdf_type)} "
    f"{iri(TG.TrialGraph)} }} }}"
)
#: Every quad in the named graphs, counted one by one.
ALL_QUADS_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
_SYSTEM = (STATUS_GRAPH, ONTOLOGY_GRAPH, CONCEPTS_GRAPH, PULLS_GRAPH, SUMMARY_GRAPH)
_SYSTEM_GRAPHS = ", ".join(iri(g) for g in _SYSTEM)  # for IN ( )
_SYSTEM_VALUES = " ".join(iri(g) for g in _SYSTEM)  # for VALUES { }
#: The trial graphs' declared sizes plus the system graphs' quads, counted.
QUAD_COUNT_QUERY = (
    f"SELECT (SUM(?n) AS ?quads) WHERE {{ "
    f"{{ GRAPH ?g {{ ?g {iri(TG.quadCount)} ?n }} }} UNION "
    f"{{ SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {_SYSTEM_VALUES} }} "
    f"GRAPH ?s {{ ?x ?p ?o }} }} }} }}"
)
_GRAPH_FILTER = (
    f"FILTER(STRSTARTS(STR(?g), {json.dumps(prefixes()['graph'])}) && ?g NOT IN ({_SYSTEM_GRAPHS}))"
)
#: Quads per graph in trialgraph's ``graph:`` namespace, system graphs left out.
SIZES_QUERY = (
    f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_GRAPH_FILTER} }} GROUP BY ?g"
)
#: What each such graph says about itself: its type, checksum and declared quad count.
SELF_QUERY = (
    f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ ?g ?p ?o "
    f"FILTER(?p IN ({iri(STD.rdf_type)}, {iri(TG.checksum)}, {iri(TG.quadCount)})) }} "
    f"{_GRAPH_FILTER} }}"
)
