"""A trial graph as the store takes it, and the rule that lets a store verify one.

Every trial graph declares its own size: ``<graph> tg:quadCount N``, N counting the
graph's quads, this one included. After a crashed write a graph holding a different
number was cut short (see :mod:`trialgraph.store.recovery`). :func:`with_quad_count` is
the one place that statement is made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad

from trialgraph.namespaces import STD, TG


@dataclass(frozen=True, slots=True)
class TrialGraph:
    """One trial's named graph: its quads, its record's checksum and its concept quads.

    ``quads`` all sit in ``graph`` and end with its ``tg:quadCount`` (built with
    :func:`with_quad_count`); ``concept_quads`` sit in the shared concepts graph.
    """

    graph: NamedNode
    checksum: str
    quads: Sequence[Quad]
    concept_quads: Sequence[Quad]


def with_quad_count(graph: NamedNode, quads: Iterable[Quad]) -> tuple[Quad, ...]:
    """A trial graph's quads as stored: each distinct quad once, in order, then its count.

    >>> g = NamedNode("https://w3id.org/trialgraph/graph/NCT1")
    >>> q = Quad(g, STD.label, Literal("x"), g)
    >>> with_quad_count(g, [q, q])[-1].object.value
    '2'
    """
    distinct = list(dict.fromkeys(quads))
    count = Literal(str(len(distinct) + 1), datatype=STD.xsd_integer)
    distinct.append(Quad(graph, TG.quadCount, count, graph))
    return tuple(distinct)
