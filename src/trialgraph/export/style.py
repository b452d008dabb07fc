"""What every visual format shares: a colour per node kind and XML-safe text."""

from __future__ import annotations

import re
from typing import Final

import networkx as nx

#: Node kind → colour (hex), chosen to stay distinct for colour-blind readers (Okabe-Ito).
KIND_COLOURS: Final = {
    "trial": "#0072B2",
    "product": "#E69F00",
    "target": "#D55E00",
    "condition": "#009E73",
    "endpoint": "#CC79A7",
    "criteria": "#56B4E9",
}
#: The colour of a node whose kind has none of its own.
OTHER_COLOUR: Final = "#999999"

_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def colour(kind: str | None) -> str:
    """The hex colour of a node kind.

    >>> colour("trial")
    '#0072B2'
    """
    return KIND_COLOURS.get(kind or "", OTHER_COLOUR)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``#RRGGBB`` as three integers.

    >>> rgb("#0072B2")
    (0, 114, 178)
    """
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (control characters).

    >>> xml_text("a\\x0bb")
    'ab'
    """
    return _XML_INVALID.sub("", value)


def xml_safe(graph: nx.MultiDiGraph[str]) -> nx.MultiDiGraph[str]:
    """A copy of ``graph`` whose string attributes XML can hold."""
    copy: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        copy.add_node(node, **{k: _clean(v) for k, v in data.items()})
    for u, v, key, data in graph.edges(keys=True, data=True):
        copy.add_edge(u, v, key=key, **{k: _clean(v) for k, v in data.items()})
    return copy


def _clean(value: object) -> object:
    return xml_text(value) if isinstance(value, str) else value
