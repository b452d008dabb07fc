"""Cytoscape.js JSON: ``{"elements": {"nodes": [...], "edges": [...]}}``.

The same element list the HTML page embeds; Cytoscape desktop imports it as ``.cyjs``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from trialgraph.export.style import colour

SUFFIX = ".cyjs"


def elements(graph: nx.MultiDiGraph[str]) -> dict[str, list[dict[str, Any]]]:
    """Nodes and edges as Cytoscape.js element objects, each node with its kind's colour.

    Values are the graph's: strings, and JSON numbers for the integer attributes.
    """
    nodes = [
        {"data": {**data, "id": node, "colour": colour(data.get("kind"))}}
        for node, data in graph.nodes(data=True)
    ]
    edges = [
        {"data": {**data, "id": f"e{n}", "source": u, "target": v, "key": str(key)}}
        for n, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True))
    ]
    return {"nodes": nodes, "edges": edges}


def data(graph: nx.MultiDiGraph[str]) -> dict[str, Any]:
    """The Cytoscape.js JSON document."""
    return {
        "format_version": "1.0",
        "generated_by": "trialgraph",
        "target_cytoscapejs_version": "~3.34",
        "data": {"name": "trialgraph"},
        "elements": elements(graph),
    }


def write(graph: nx.MultiDiGraph[str], out: Path) -> Path:
    """Write ``graph`` as Cytoscape.js JSON (UTF-8)."""
    with out.open("w", encoding="utf-8") as handle:
        json.dump(data(graph), handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return out
