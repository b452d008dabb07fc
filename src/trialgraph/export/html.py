"""A self-contained interactive HTML page: works offline from a ``file://`` URL.

The page inlines Cytoscape.js (vendored in ``static/``, see ``static/NOTICE``), the viewer
script and the graph as JSON in a ``<script type="application/json">`` element, with the
colours and shapes of the node kinds and, for each trial facet (phase, status), the colour
of each value the trials have and the values its filter offers (:func:`trial_facets`).

Text from records is untrusted: the JSON has ``<``, ``>``, ``&`` and the line separators
escaped as ``\\uXXXX``, so nothing in it can close the element; the viewer sets every text
with ``textContent``; and a Content-Security-Policy allows only the page's own two scripts
(by hash), so an injected ``onerror=`` attribute would not run even if markup got through.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from trialgraph.export.cytoscape import elements
from trialgraph.export.projection import KINDS
from trialgraph.export.style import (
    KIND_COLOURS,
    MUTED_COLOUR,
    OTHER_COLOUR,
    phase_colours,
    shape,
    status_colours,
)

SUFFIX = ".html"

_MARKER = re.compile(r"\{\{([A-Z]+)\}\}")
_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@cache
def _static(name: str) -> str:
    return (resources.files("trialgraph.export") / "static" / name).read_text("utf-8")


def embed_json(value: Any) -> str:
    """JSON that is safe as the content of an HTML ``<script>`` element.

    >>> embed_json({"t": "</script><!--"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(value, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _script(code: str) -> str:
    if re.search(r"</script|<!--", code, re.IGNORECASE):
        raise ValueError("script text would end its <script> element early")
    return code


def _hash(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def trial_facets(graph: nx.MultiDiGraph[str]) -> dict[str, dict[str, Any]]:
    """What the viewer colours and filters trials by, per facet (``phase``, ``status``).

    ``colours`` lists each value the trials have (a multi-phase trial's phases together,
    ``"PHASE1; PHASE2"``, are one value) with its colour, in legend order; ``options`` are
    the values the facet's filter offers: each phase by itself, since a trial is in every
    phase it lists, and each status.
    """
    trials = [d for _, d in graph.nodes(data=True) if d.get("kind") == "trial"]
    phases = [str(d["phase"]) for d in trials if d.get("phase")]
    statuses = [str(d["status"]) for d in trials if d.get("status")]
    single = phase_colours(p for value in phases for p in value.split("; ") if p)
    by_status = status_colours(statuses)
    return {
        "phase": {"colours": _pairs(phase_colours(phases)), "options": list(single)},
        "status": {"colours": _pairs(by_status), "options": list(by_status)},
    }


def _pairs(colours: dict[str, str]) -> list[dict[str, str]]:
    return [{"value": value, "colour": colour} for value, colour in colours.items()]


def page(graph: nx.MultiDiGraph[str], title: str = "trialgraph") -> str:
    """The HTML page for ``graph``."""
    library = _script(_static("cytoscape.min.js"))
    viewer = _script(_static("viewer.js"))
    csp = (
        "default-src 'none'; "
        f"script-src {_hash(library)} {_hash(viewer)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    payload = {
        "title": title,
        "kinds": list(KINDS),
        "colours": KIND_COLOURS,
        "shapes": {kind: shape(kind) for kind in KINDS},
        "otherColour": OTHER_COLOUR,
        "mutedColour": MUTED_COLOUR,
        "facets": trial_facets(graph),
        "elements": elements(graph),
    }
    parts = {
        "CSP": escape(csp),
        "TITLE": escape(title),
        "STYLE": _static("viewer.css"),
        "DATA": embed_json(payload),
        "LIBRARY": library,
        "VIEWER": viewer,
    }
    # one pass, so a marker inside inserted text is never expanded
    return _MARKER.sub(lambda m: parts[m.group(1)], _static("viewer.html"))


def write(graph: nx.MultiDiGraph[str], out: Path) -> Path:
    """Write the page for ``graph``."""
    out.write_text(page(graph, title=f"trialgraph: {out.stem}"), encoding="utf-8")
    return out
