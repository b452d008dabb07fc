"""``trialgraph pull``: fetch what changed in the registry, land it, ingest it, move on.

A pull reads its query's watermark from the store's pulls graph, lands the studies updated
since then (:func:`trialgraph.sources.api.land`), ingests the landing file with the same
ingest flow as any source, and only then moves the watermark: a pull stopped or failed at
any point leaves the watermark where it was, so the next pull fetches the same studies
again and nothing is lost; a study fetched twice is unchanged the second time and writes
nothing. The pulls graph holds a node per query (its digest) with the query's text
(``tg:pullQuery``) and its watermark (``tg:watermark``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode, Quad

from trialgraph import defaults
from trialgraph.namespaces import PULLS_GRAPH, STD, TG
from trialgraph.sources.api import ApiQuery, FetchProgress, Landed, PoliteClient, land, watermark
from trialgraph.store.sparql import SelectResult

if TYPE_CHECKING:
    from trialgraph.pipeline import IngestResult
    from trialgraph.store import GraphStore

#: Ingests landed files: ``(paths) -> result``.
Ingest = Callable[[list[str]], "IngestResult"]


def default_landing_dir() -> Path:
    """``$TRIALGRAPH_LANDING``, else ``./trialgraph-landing``."""
    return Path(os.environ.get(defaults.LANDING_ENV) or defaults.LANDING_DIR)


def pull_node(query: ApiQuery) -> NamedNode:
    """The node of ``query`` in the pulls graph."""
    return NamedNode(f"{PULLS_GRAPH.value}/{query.digest()}")


def stored_watermark(store: GraphStore, query: ApiQuery) -> date | None:
    """The watermark the store keeps for ``query`` (``None`` before its first pull)."""
    result = store.query(
        f"SELECT ?w WHERE {{ GRAPH <{PULLS_GRAPH.value}> {{ ?q <{TG.watermark.value}> ?w }} }}",
        {"q": pull_node(query)},
    )
    assert isinstance(result, SelectResult)
    for (value,) in result:
        if isinstance(value, Literal):
            return date.fromisoformat(value.value)
    return None


def record_watermark(store: GraphStore, query: ApiQuery, mark: date) -> None:
    """Keep ``mark`` as ``query``'s watermark, with the query's text, in the pulls graph."""
    node = pull_node(query)
    quads = [
        Quad(node, TG.pullQuery, Literal(query.text()), PULLS_GRAPH),
        Quad(node, TG.watermark, Literal(mark.isoformat(), datatype=STD.xsd_date), PULLS_GRAPH),
    ]
    store.restate(PULLS_GRAPH, node, quads)


@dataclass(frozen=True, slots=True)
class PullResult:
    """What a pull fetched, from when, what the ingest did with it, and the new watermark."""

    since: date | None
    landed: Landed
    ingested: IngestResult | None
    watermark: date | None

    def summary(self) -> str:
        """A few lines for the command line."""
        start = f"updated since {self.since}" if self.since else "matching the query (first pull)"
        lines = [f"fetched {self.landed.studies:,} studies {start}"]
        if self.landed.path is not None:
            lines.append(f"landed in {self.landed.path}")
        if self.ingested is not None:
            lines.append(self.ingested.summary())
        if self.watermark is not None:
            lines.append(f"watermark: {self.watermark} (the next pull fetches from there)")
        return "\n".join(lines)


def run_pull(
    query: ApiQuery,
    open_target: Callable[[], GraphStore],
    ingest: Ingest,
    *,
    since: date | None = None,
    landing: Path | None = None,
    interval: float = defaults.PULL_INTERVAL,
    progress: bool = True,
) -> PullResult:
    """Pull ``query`` from ``since`` (default: its watermark), ingest it, move the watermark.

    ``open_target`` opens the store for writing (it is opened to read the watermark and to
    record the new one, and closed while ``ingest`` runs, which opens it itself).
    """
    with open_target() as target:
        previous = stored_watermark(target, query)
    start = since or previous
    bar = FetchProgress(progress)
    client = PoliteClient(query.api, interval)
    try:
        landed = land(client, query, start, landing or default_landing_dir(), bar)
    finally:
        bar.close()
        client.close()
    if landed.path is None:
        return PullResult(start, landed, None, previous)
    result = ingest([str(landed.path)])
    mark = watermark(landed.latest, previous)
    if mark is not None and mark != previous:
        with open_target() as target:
            record_watermark(target, query, mark)
    return PullResult(start, landed, result, mark)
