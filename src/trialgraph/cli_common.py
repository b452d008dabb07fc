"""What the command line's commands share: the store options, errors, and running ingest.

It imports only click and :mod:`trialgraph.defaults`, so that every command starts fast;
:func:`run_ingest` imports Prefect when it runs.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from trialgraph import defaults

if TYPE_CHECKING:
    from trialgraph.pipeline import IngestResult

STORE_HELP = (
    f"Embedded on-disk store directory [default: ${defaults.STORE_ENV} or ./{defaults.STORE_DIR}]."
)
ENDPOINT_HELP = (
    "A remote SPARQL 1.1 server's query URL (or its base URL, e.g. http://127.0.0.1:7878) "
    "instead of the embedded store."
)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error and exit with ``code``."""
    click.echo(f"trialgraph: error: {message}", err=True)
    sys.exit(code)


def store_options(func: Any) -> Any:
    """The ``--store DIR`` and ``--endpoint URL`` options."""
    func = click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)(func)
    func = click.option("--store", metavar="DIR", help=STORE_HELP)(func)
    return func


def check_target(store: str | None, endpoint: str | None) -> None:
    """Refuse ``--store`` and ``--endpoint`` together."""
    if store and endpoint:
        fail("give --store or --endpoint, not both")


def prefect_defaults(verbose: bool) -> None:
    """Quiet, offline-friendly Prefect settings unless the user set their own."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false" if not verbose else "true")


def run_ingest(
    sources: list[str],
    store: str | None,
    endpoint: str | None,
    *,
    verbose: bool,
    runner: str = "process",
    workers: int | None = None,
    **options: Any,
) -> IngestResult:
    """Run the ingest flow over ``sources`` with a temporary Prefect API when none is set.

    ``options`` are the flow's own (batch size, quarantine path, progress). Raises what the
    flow raises; an unknown task runner is a one-line error.
    """
    prefect_defaults(verbose)
    from trialgraph.prefect_server import spawn_temporary_api, use_api

    # Started now, it starts while Prefect and the flow's modules import. Not for a Dask
    # cluster elsewhere, whose workers could not reach it on this machine's loopback.
    server = None if runner.startswith("dask=") else spawn_temporary_api()
    if server is not None:  # stopped last, after Prefect's exit handlers flush to it
        atexit.register(server.stop)
    from trialgraph.orchestration import ingest as ingest_flow
    from trialgraph.orchestration import task_runner

    try:
        flow = ingest_flow.with_options(task_runner=task_runner(runner, workers))
    except ValueError as exc:
        fail(str(exc))
    with use_api(server, log=lambda m: click.echo(f"trialgraph: {m}", err=True)):
        result: IngestResult = flow(
            sources,
            store=store,
            endpoint=endpoint,
            in_flight=workers + 1 if workers else None,
            **options,
        )
    return result
