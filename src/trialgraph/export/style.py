"""What every visual format shares: a colour and a shape per node kind, the colours of
trials by phase or status, and XML-safe text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import networkx as nx

from trialgraph.normalize.facets import PHASES

#: Node kind → colour (hex), chosen to stay distinct for colour-blind readers (Okabe-Ito).
KIND_COLOURS: Final = {
    "trial": "#0072B2",
    "product": "#E69F00",
    "target": "#D55E00",
    "condition": "#009E73",
    "endpoint": "#CC79A7",
    "criteria": "#56B4E9",
    "organization": "#F0E442",
}
#: The colour of a node whose kind has none of its own, and of a trial value with none.
OTHER_COLOUR: Final = "#999999"
#: Node kind → Cytoscape.js shape; a kind not listed is drawn as an ellipse.
KIND_SHAPES: Final = {"trial": "round-rectangle", "organization": "diamond"}
DEFAULT_SHAPE: Final = "ellipse"

#: A sequential palette (viridis, dark to light) for the phases, early to late.
PHASE_PALETTE: Final = (
    "#440154",
    "#482878",
    "#3E4A89",
    "#31688E",
    "#26828E",
    "#1F9E89",
    "#35B779",
    "#6DCD59",
    "#B4DE2C",
)
#: Overall status → colour, in the order legends list them (the registry's, expanded access
#: last); a status not listed takes :data:`OTHER_COLOUR`.
STATUS_COLOURS: Final = {
    "NOT_YET_RECRUITING": "#88CCEE",
    "RECRUITING": "#117733",
    "ENROLLING_BY_INVITATION": "#44AA99",
    "ACTIVE_NOT_RECRUITING": "#332288",
    "SUSPENDED": "#DDCC77",
    "TERMINATED": "#CC6677",
    "COMPLETED": "#4477AA",
    "WITHDRAWN": "#882255",
    "UNKNOWN": "#AA4499",
    "AVAILABLE": "#999933",
    "NO_LONGER_AVAILABLE": "#661100",
    "TEMPORARILY_NOT_AVAILABLE": "#DDAA33",
    "APPROVED_FOR_MARKETING": "#EE7733",
    "WITHHELD": "#555555",
}
#: The colour of the nodes other than trials while trials are coloured by a facet.
MUTED_COLOUR: Final = "#DDDDDD"

_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def colour(kind: str | None) -> str:
    """The hex colour of a node kind.

    >>> colour("trial")
    '#0072B2'
    """
    return KIND_COLOURS.get(kind or "", OTHER_COLOUR)


def shape(kind: str | None) -> str:
    """The Cytoscape.js shape of a node kind.

    >>> shape("organization"), shape("target")
    ('diamond', 'ellipse')
    """
    return KIND_SHAPES.get(kind or "", DEFAULT_SHAPE)


def _phases(value: str) -> list[str]:
    return [p for p in value.split("; ") if p]


def _phase_key(value: str) -> tuple[int, ...]:
    return tuple(PHASES.index(p) if p in PHASES else len(PHASES) for p in _phases(value))


def phase_colours(values: Iterable[str]) -> dict[str, str]:
    """A colour for each phase value (one phase or several, ``"PHASE1; PHASE2"``), in order.

    Values are ordered by their phases in the registry's order; those on the scale of
    trial phases (every phase but ``NA``) are spread over :data:`PHASE_PALETTE`, early
    dark and late light; the rest take :data:`OTHER_COLOUR`.

    >>> phase_colours(["PHASE2", "NA", "PHASE1"])
    {'PHASE1': '#440154', 'PHASE2': '#B4DE2C', 'NA': '#999999'}
    """
    ordered = sorted(set(values), key=lambda v: (_phase_key(v), v))
    scale = [v for v in ordered if v and all(p in PHASES[:-1] for p in _phases(v))]
    last = len(PHASE_PALETTE) - 1
    colours = {
        v: PHASE_PALETTE[round(i * last / max(len(scale) - 1, 1))] for i, v in enumerate(scale)
    }
    return {v: colours.get(v, OTHER_COLOUR) for v in ordered}


def status_colours(values: Iterable[str]) -> dict[str, str]:
    """A colour for each status, in the order of :data:`STATUS_COLOURS` (others after).

    >>> status_colours(["COMPLETED", "RECRUITING", "ODD"])
    {'RECRUITING': '#117733', 'COMPLETED': '#4477AA', 'ODD': '#999999'}
    """
    order = list(STATUS_COLOURS)
    found = sorted(set(values), key=lambda v: (order.index(v) if v in order else len(order), v))
    return {v: STATUS_COLOURS.get(v, OTHER_COLOUR) for v in found}


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
