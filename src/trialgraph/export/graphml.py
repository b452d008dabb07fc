"""GraphML (yEd, Cytoscape desktop, networkx, igraph)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from trialgraph.export.style import xml_safe

SUFFIX = ".graphml"


def write(graph: nx.MultiDiGraph[str], out: Path) -> Path:
    """Write ``graph`` as GraphML; attributes become typed ``<key>`` declarations."""
    nx.write_graphml_xml(xml_safe(graph), out, encoding="utf-8", named_key_ids=True)
    return out
