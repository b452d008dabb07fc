"""GEXF 1.2 for Gephi, with each node coloured by its kind."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from trialgraph.export.style import colour, rgb, xml_safe

SUFFIX = ".gexf"


def write(graph: nx.MultiDiGraph[str], out: Path) -> Path:
    """Write ``graph`` as GEXF, with a ``viz:color`` and a size for every node."""
    copy = xml_safe(graph)
    for node, data in copy.nodes(data=True):
        r, g, b = rgb(colour(data.get("kind")))
        data["viz"] = {
            "color": {"r": r, "g": g, "b": b, "a": 1.0},
            "size": 5.0 + 2.0 * min(copy.degree(node), 20),
        }
    nx.write_gexf(copy, out, encoding="utf-8", version="1.2draft")
    return out
