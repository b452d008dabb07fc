"""Export the knowledge graph for visualization and for other graph tools.

:func:`export` projects the store to a networkx graph (:mod:`.projection`) and writes it in
one of :data:`FORMATS`, one module per format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import networkx as nx

from trialgraph.export import cytoscape, gexf, graphml, html, kgx, nodelink, picture
from trialgraph.export.projection import KINDS, ExportError, Queryable, project

__all__ = ["FORMATS", "KINDS", "ExportError", "Format", "default_output", "export", "project"]


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: its name, what it is, its file suffix and its writer."""

    name: str
    description: str
    suffix: str
    write: Callable[[nx.MultiDiGraph[str], Path], Path]
    directory: bool = False


#: Export formats by name.
FORMATS: Final[dict[str, Format]] = {
    f.name: f
    for f in (
        Format(
            "graphml", "GraphML (yEd, Cytoscape desktop, igraph)", graphml.SUFFIX, graphml.write
        ),
        Format("gexf", "GEXF 1.2 for Gephi, coloured by node kind", gexf.SUFFIX, gexf.write),
        Format("cytoscape", "Cytoscape.js JSON (.cyjs)", cytoscape.SUFFIX, cytoscape.write),
        Format("nodelink", "networkx node-link JSON", nodelink.SUFFIX, nodelink.write),
        Format(
            "kgx",
            "KGX TSV: a directory with nodes.tsv and edges.tsv (Biolink)",
            kgx.SUFFIX,
            kgx.write,
            directory=True,
        ),
        Format(
            "html", "self-contained interactive HTML page (works offline)", html.SUFFIX, html.write
        ),
        Format("svg", "static SVG picture for reports", picture.SUFFIX, picture.write),
    )
}


def default_output(fmt: str, stem: str = "trialgraph") -> Path:
    """Where a format is written when no path is given: ``trialgraph.graphml``, ``trialgraph-kgx/``.

    >>> default_output("gexf")
    PosixPath('trialgraph.gexf')
    >>> default_output("kgx")
    PosixPath('trialgraph-kgx')
    """
    spec = _format(fmt)
    return Path(f"{stem}-{spec.name}" if spec.directory else stem + spec.suffix)


def _format(fmt: str) -> Format:
    try:
        return FORMATS[fmt.lower()]
    except KeyError:
        raise ExportError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None


def export(
    store: Queryable,
    fmt: str,
    out: Path,
    *,
    kinds: set[str] | None = None,
    target: str | None = None,
    condition: str | None = None,
    trials: list[str] | None = None,
    construct: str | None = None,
) -> Path:
    """Project ``store`` (or a subgraph of it) and write it to ``out`` as ``fmt``.

    Returns the path written (a directory for ``kgx``). Raises :class:`ExportError` for an
    unknown format or kind, or a filter that matches no trial. See
    :func:`~trialgraph.export.projection.project` for the filters.
    """
    spec = _format(fmt)
    graph = project(
        store,
        kinds=kinds,
        target=target,
        condition=condition,
        trials=trials,
        construct=construct,
    )
    out = Path(out)
    if not spec.directory:
        out.parent.mkdir(parents=True, exist_ok=True)
    return spec.write(graph, out)


def kinds_from(names: Iterable[str]) -> set[str]:
    """Kinds from comma-separated or repeated option values (``trial,target``).

    >>> sorted(kinds_from(["trial,target", " product "]))
    ['product', 'target', 'trial']
    """
    return {k.strip() for name in names for k in name.split(",") if k.strip()}
