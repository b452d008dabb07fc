"""Node-link JSON (networkx's ``node_link_data``; D3 and most JS libraries read it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

SUFFIX = ".json"


def data(graph: nx.MultiDiGraph[str]) -> dict[str, Any]:
    """``{"directed", "multigraph", "graph", "nodes": [...], "edges": [...]}``."""
    result: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return result


def write(graph: nx.MultiDiGraph[str], out: Path) -> Path:
    """Write ``graph`` as node-link JSON (UTF-8)."""
    with out.open("w", encoding="utf-8") as handle:
        json.dump(data(graph), handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return out
