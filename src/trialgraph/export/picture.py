"""A static SVG picture of a graph, for reports: no dependency beyond networkx.

Small graphs get a force-directed layout (Fruchterman-Reingold, written here because
networkx's own layouts need numpy); large ones a ring per node kind. Both are seeded, so a
graph always gives the same picture.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from trialgraph.export.projection import KINDS
from trialgraph.export.style import colour, xml_text

SUFFIX = ".svg"

#: Above this many nodes the force-directed layout (quadratic per step) gives way to rings.
FORCE_LIMIT: Final = 400
#: Above this many nodes, labels are left out (they would only overlap).
LABEL_LIMIT: Final = 150
SIZE: Final = 1000.0
MARGIN: Final = 60.0

Layout = dict[str, tuple[float, float]]


def force_layout(graph: nx.MultiDiGraph[str], iterations: int = 200, seed: int = 7) -> Layout:
    """Fruchterman-Reingold positions in the unit square, ignoring edge direction."""
    nodes = sorted(graph)
    rng = random.Random(seed)
    pos = {n: [rng.random(), rng.random()] for n in nodes}
    if len(nodes) < 2:
        return {n: (0.5, 0.5) for n in nodes}
    neighbours = {n: sorted(set(graph.successors(n)) | set(graph.predecessors(n))) for n in nodes}
    k = math.sqrt(1.0 / len(nodes))
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        shift = {n: [0.0, 0.0] for n in nodes}
        for i, a in enumerate(nodes):
            pa = pos[a]
            for b in nodes[i + 1 :]:
                pb = pos[b]
                dx, dy = pa[0] - pb[0], pa[1] - pb[1]
                d2 = max(dx * dx + dy * dy, 1e-9)
                force = k * k / d2  # repulsion k²/d, as a factor on (dx, dy)/d
                shift[a][0] += dx * force
                shift[a][1] += dy * force
                shift[b][0] -= dx * force
                shift[b][1] -= dy * force
            for b in neighbours[a]:
                pb = pos[b]
                dx, dy = pa[0] - pb[0], pa[1] - pb[1]
                d = math.sqrt(dx * dx + dy * dy) or 1e-9
                force = d / k  # attraction d²/k, as a factor on (dx, dy)/d
                shift[a][0] -= dx * force / 2
                shift[a][1] -= dy * force / 2
        for n in nodes:
            sx, sy = shift[n]
            length = math.sqrt(sx * sx + sy * sy) or 1e-9
            step = min(length, temperature)
            pos[n][0] += sx / length * step
            pos[n][1] += sy / length * step
        temperature -= cooling
    return _normalized({n: (p[0], p[1]) for n, p in pos.items()})


def ring_layout(graph: nx.MultiDiGraph[str]) -> Layout:
    """Concentric rings, one per node kind (trials innermost), in the unit square."""
    rings: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        kind = str(data.get("kind", ""))
        rings.setdefault(kind if kind in KINDS else "other", []).append(node)
    order = [k for k in (*KINDS, "other") if k in rings]
    pos: Layout = {}
    for r, kind in enumerate(order, start=1):
        members = sorted(rings[kind])
        radius = 0.5 * r / len(order)
        for i, node in enumerate(members):
            angle = 2 * math.pi * i / len(members)
            pos[node] = (0.5 + radius * math.cos(angle), 0.5 + radius * math.sin(angle))
    return pos


def _normalized(pos: Layout) -> Layout:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {n: ((x - min(xs)) / span, (y - min(ys)) / span) for n, (x, y) in pos.items()}


def svg(graph: nx.MultiDiGraph[str], title: str = "trialgraph") -> str:
    """The SVG document of ``graph``; every text is escaped."""
    layout = force_layout(graph) if len(graph) <= FORCE_LIMIT else ring_layout(graph)
    scale = SIZE - 2 * MARGIN

    def xy(node: str) -> tuple[float, float]:
        x, y = layout[node]
        return MARGIN + x * scale, MARGIN + y * scale

    def text(value: object) -> str:
        return escape(xml_text(str(value)))

    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE:.0f}" height="{SIZE:.0f}" '
        f'viewBox="0 0 {SIZE:.0f} {SIZE:.0f}" font-family="sans-serif" font-size="10">',
        f"<title>{text(title)}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        '<g stroke="#bbbbbb" stroke-width="0.8" fill="none">',
    ]
    for u, v in sorted({(u, v) for u, v in graph.edges()}):
        (x1, y1), (x2, y2) = xy(u), xy(v)
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    parts.append("</g>")
    show_labels = len(graph) <= LABEL_LIMIT
    for node in sorted(graph):
        data = graph.nodes[node]
        x, y = xy(node)
        r = 4.0 + min(graph.degree(node), 16) * 0.5
        label = str(data.get("label", node))
        parts.append(
            f"<g class={quoteattr(str(data.get('kind', 'other')))}>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour(data.get("kind"))}" '
            f'stroke="white" stroke-width="0.8"><title>{text(label)} ({text(node)})</title>'
            "</circle>"
        )
        if show_labels:
            parts.append(f'<text x="{x + r + 2:.1f}" y="{y + 3:.1f}">{text(label[:40])}</text>')
        parts.append("</g>")
    present = {str(d.get("kind", "")) for _, d in graph.nodes(data=True)}
    y = 20.0
    for kind in KINDS:
        if kind in present:
            parts.append(
                f'<circle cx="20" cy="{y:.0f}" r="5" fill="{colour(kind)}"/>'
                f'<text x="30" y="{y + 4:.0f}">{text(kind)}</text>'
            )
            y += 16
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write(graph: nx.MultiDiGraph[str], out: Path) -> Path:
    """Write ``graph`` as an SVG picture."""
    out.write_text(svg(graph, title=out.stem), encoding="utf-8")
    return out
