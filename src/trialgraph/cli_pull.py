"""``trialgraph pull``: the command that fetches studies from the registry's API v2.

The work is :func:`trialgraph.pull.run_pull`'s; this module declares the options, among
them the registry query options (:func:`query_options`) a scheduled pull takes too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from trialgraph import defaults
from trialgraph.cli_common import check_target, fail, run_ingest, store_options

if TYPE_CHECKING:
    from datetime import datetime

    from trialgraph.pipeline import IngestResult

#: The registry query options: (option, help). Each sets the API v2 parameter its help names.
QUERY_OPTIONS = (
    ("--cond", "Conditions or diseases to match (the API's query.cond)."),
    ("--term", "Words to match anywhere in the record (query.term)."),
    ("--intr", "Interventions to match (query.intr)."),
    ("--status", "Overall statuses, comma-separated, e.g. RECRUITING (filter.overallStatus)."),
    ("--filter", "An Essie expression, e.g. AREA[Phase]PHASE3 (filter.advanced)."),
)


def query_options(func: Any) -> Any:
    """The registry query options: ``--api-url`` and those of :data:`QUERY_OPTIONS`."""
    for option, text in reversed(QUERY_OPTIONS):
        func = click.option(option, metavar="TEXT", help=text)(func)
    return click.option(
        "--api-url",
        metavar="URL",
        default=defaults.REGISTRY_API,
        show_default=True,
        help="The ClinicalTrials.gov API v2 base URL (or a mirror's).",
    )(func)


def landing_options(interval: str) -> Callable[[Any], Any]:
    """``--landing`` and the spacing of requests, under the option name ``interval``
    (``schedule`` has an ``--interval`` of its own, between runs)."""

    def apply(func: Any) -> Any:
        func = click.option(
            interval,
            "interval" if interval == "--interval" else "request_interval",
            type=click.FloatRange(0),
            default=defaults.PULL_INTERVAL,
            show_default=True,
            metavar="SECONDS",
            help="Least time between two requests to the API.",
        )(func)
        return click.option(
            "--landing",
            metavar="DIR",
            help="Folder for the fetched pages, one JSON Lines file per pull, kept for "
            f"replay [default: ${defaults.LANDING_ENV} or ./{defaults.LANDING_DIR}].",
        )(func)

    return apply


@click.command()
@query_options
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Fetch studies whose LastUpdatePostDate is on or after this date "
    "[default: the store's watermark for the same query; everything on a first pull].",
)
@landing_options("--interval")
@store_options
@click.option("--no-progress", is_flag=True, help="No progress bar or progress lines.")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's own log lines.")
def pull(
    api_url: str,
    since: datetime | None,
    landing: str | None,
    interval: float,
    store: str | None,
    endpoint: str | None,
    no_progress: bool,
    verbose: bool,
    **query: str | None,
) -> None:
    """Fetch studies from the ClinicalTrials.gov API v2 and ingest them.

    Pages of GET {api}/studies are written to a landing file as they arrive, then ingested
    like any source. Without --since, a pull fetches what changed since the last pull of
    the same query (its watermark: the latest LastUpdatePostDate it loaded, less a day),
    and moves the watermark once the studies are loaded; a pull stopped part-way leaves it
    where it was. One request at a time, --interval apart; 429, 5xx and dropped
    connections are retried with backoff.
    """
    check_target(store, endpoint)
    from trialgraph.pull import run_pull
    from trialgraph.sources.api import ApiError, ApiQuery
    from trialgraph.store import StoreError, open_store

    def ingest(paths: list[str]) -> IngestResult:
        return run_ingest(paths, store, endpoint, verbose=verbose, progress=not no_progress)

    try:
        result = run_pull(
            ApiQuery(api_url, **query),
            lambda: open_store(store, endpoint, for_writing=True),
            ingest,
            since=since.date() if since else None,
            landing=Path(landing) if landing else None,
            interval=interval,
            progress=not no_progress,
        )
    except (ApiError, StoreError, OSError) as exc:
        fail(str(exc))
    click.echo(result.summary())
