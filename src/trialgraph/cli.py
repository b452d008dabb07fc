"""The ``trialgraph`` command line (see ``CONTRACT.md`` for the interface users rely on).

Commands import what they need when they run: ``read``, ``query``, ``export`` and ``stats``
never import Prefect, so they start in a fraction of a second.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from trialgraph import __version__, defaults
from trialgraph.cli_common import check_target as _check_target
from trialgraph.cli_common import fail as _fail
from trialgraph.cli_common import prefect_defaults as _prefect_defaults
from trialgraph.cli_common import run_ingest
from trialgraph.cli_common import store_options as _store_options
from trialgraph.cli_pull import landing_options, pull, query_options

if TYPE_CHECKING:
    from trialgraph.records import ReadResult
    from trialgraph.store import GraphStore


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="trialgraph")
def main() -> None:
    """Turn clinical-trial registry records into a queryable RDF knowledge graph.

    Read plaintext records, ClinicalTrials.gov CSV exports and API v2 JSON; ingest them
    into an Oxigraph store, or pull them from the registry's API; ask SPARQL questions
    across trials; export graphs for Gephi, Cytoscape or a browser.
    """


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a line per record and error, then totals. json: JSON Lines, one object per "
    "record (its parsed fields) and one with an 'error' key per bad record.",
)
def read(sources: tuple[str, ...], fmt: str) -> None:
    """Read and parse SOURCES (files, directories, globs; plain or .gz) without storing.

    The format of each file is detected from its content. Use this to check what
    trialgraph makes of your files before ingesting them.
    """
    from trialgraph.records import RecordError
    from trialgraph.sources import read_sources

    counts = {"records": 0, "errors": 0}
    out = sys.stdout
    for item in _guard(read_sources(sources)):
        if isinstance(item, RecordError):
            counts["errors"] += 1
            if fmt == "json":
                out.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
            else:
                out.write(f"ERROR  {item}\n")
            continue
        counts["records"] += 1
        if fmt == "json":
            out.write(
                json.dumps({"trial_id": item.trial_id, **item.to_dict()}, ensure_ascii=False) + "\n"
            )
        else:
            out.write(
                f"{item.trial_id:<20} {item.source_ref:<32} {_clip(item.title, 60):<60}  "
                f"{len(item.conditions)} cond, {len(item.interventions)} interv, "
                f"{len(item.outcomes)} outcomes\n"
            )
    if fmt == "text":
        out.write(f"\n{counts['records']} records read, {counts['errors']} errors\n")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _guard(items: Iterator[ReadResult]) -> Iterator[ReadResult]:
    """Turn a failure to open the sources themselves into a one-line error."""
    try:
        yield from items
    except (FileNotFoundError, NotADirectoryError) as exc:
        _fail(str(exc))


class _LazyChoice(click.Choice):  # type: ignore[type-arg]
    """A choice among names a library module lists, read when the option is used or its help
    shown: the module may import what other commands need not (the export formats' imports
    networkx)."""

    def __init__(self, names: Callable[[], Sequence[str]]) -> None:
        self._names = names
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names())

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """Click's constructor sets the choices; they come from ``names`` instead."""


@main.command()
@click.argument("sources", nargs=-1, required=True)
@_store_options
@click.option(
    "--batch-size",
    type=click.IntRange(1),
    default=defaults.BATCH_SIZE,
    show_default=True,
    help="Records per batch (one Prefect task each).",
)
@click.option(
    "--task-runner",
    "runner",
    default="process",
    show_default=True,
    envvar="TRIALGRAPH_TASK_RUNNER",
    metavar="process|serial|dask[=ADDRESS]",
    help="Where batches are mapped: local worker processes, this process, a new local Dask "
    "cluster, or the Dask scheduler at ADDRESS (needs 'pip install trialgraph[dask]').",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    metavar="N",
    help="Worker processes for 'process' and 'dask' [default: the number of cores].",
)
@click.option(
    "--quarantine",
    "quarantine_path",
    metavar="FILE",
    help="Where to write bad records (JSON Lines) "
    "[default: trialgraph-quarantine/ingest-<time>.jsonl, only when there are any].",
)
@click.option("--no-progress", is_flag=True, help="No progress bar or progress lines.")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's own log lines.")
def ingest(
    sources: tuple[str, ...],
    store: str | None,
    endpoint: str | None,
    batch_size: int,
    runner: str,
    workers: int | None,
    quarantine_path: str | None,
    no_progress: bool,
    verbose: bool,
) -> None:
    """Ingest SOURCES (files, directories, globs) into the store with the Prefect flow.

    Formats are detected from content: plaintext records, ClinicalTrials.gov CSV exports
    and API v2 JSON (one study, a list, a page, or JSON Lines). Records whose content is
    unchanged since the last run write nothing; bad records are quarantined with their
    reason and the rest of the batch loads. Exits 0 when the run completed, whether or not
    records were quarantined.
    """
    _check_target(store, endpoint)
    from trialgraph.records import RecordError as _Missing
    from trialgraph.sources import iter_paths
    from trialgraph.store import StoreError, default_store_dir, open_store

    for path in iter_paths(sources):  # a mistyped source fails before Prefect starts
        if isinstance(path, _Missing):
            _fail(f"{path.source}: {path.reason}")
    directory = store or default_store_dir()
    if endpoint is None and Path(directory).is_dir():
        try:  # a locked store fails now, not after Prefect has started and waited on it
            open_store(directory, None, for_writing=True, wait=False).close()
        except StoreError as exc:
            _fail(str(exc))
    try:
        result = run_ingest(
            list(sources),
            store,
            endpoint,
            verbose=verbose,
            runner=runner,
            workers=workers,
            batch_size=batch_size,
            quarantine_path=quarantine_path,
            progress=not no_progress,
        )
    except (StoreError, FileNotFoundError) as exc:
        _fail(str(exc))
    click.echo(result.summary())


@main.command()
@_store_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--no-wait", is_flag=True, help="Fail at once if an ingest is writing the store.")
def stats(store: str | None, endpoint: str | None, fmt: str, no_wait: bool) -> None:
    """Count what the store holds.

    \b
    trials      trials (tg:Trial), one per trial graph
    products    distinct products the interventions name (tg:Product)
    targets     distinct molecular targets (tg:Target)
    conditions  distinct diseases and conditions studied (tg:Disease), not their mentions
    endpoints   outcome measures (tg:OutcomeMeasure), one per measure of each trial
    organizations  distinct sponsors and collaborators the stored trials name
    countries   distinct countries (ISO 3166-1 alpha-2) of the stored trials' sites
    quads       quads in the trial graphs and trialgraph's own graphs

    Products, targets and conditions are shared nodes: each is counted once however many
    trials name it, and stays counted after the trials naming it are replaced.
    Organizations and countries are counted from the stored trials that name them.
    """
    _check_target(store, endpoint)
    from trialgraph.store import StoreError, open_store

    try:
        with open_store(store, endpoint, for_writing=False, wait=not no_wait) as target:
            counts = _counts(target)
    except StoreError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(counts))
    else:
        for key, value in counts.items():
            click.echo(f"{key:<14} {value:>10,}")


def _counts(target: Any) -> dict[str, int]:
    from trialgraph.namespaces import TG

    kinds = {  # the keys and classes that stats' help lists
        "trials": TG.Trial,
        "products": TG.Product,
        "targets": TG.Target,
        "conditions": TG.Disease,
        "endpoints": TG.OutcomeMeasure,
    }
    patterns = {f"?x a <{cls.value}>": key for key, cls in kinds.items()}
    patterns |= {
        f"?t <{TG.leadSponsor.value}>|<{TG.collaborator.value}> ?x": "organizations",
        f"?t <{TG.country.value}> ?x": "countries",
    }
    counts: dict[str, int] = {}
    for pattern, key in patterns.items():
        result = target.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")
        counts[key] = int(next(iter(result.rows))[0].value)
    counts["quads"] = target.count_quads()
    return counts


@main.command()
@_store_options
@click.option("--no-wait", is_flag=True, help="Fail at once if an ingest is writing the store.")
def summarize(store: str | None, endpoint: str | None, no_wait: bool) -> None:
    """Rebuild the summaries of the catalogue's whole-graph queries from the stored trials.

    Ingest keeps the summaries current by itself; rebuild them after another program has
    written the store (queries then say that the summary is behind), or to check them.
    """
    _check_target(store, endpoint)
    from trialgraph.store import StoreError, open_store
    from trialgraph.summaries import rebuild

    try:
        with open_store(store, endpoint, for_writing=True, wait=not no_wait) as target:
            target.recover()
            report = rebuild(target)
    except StoreError as exc:
        _fail(str(exc))
    click.echo(f"summaries {report.line()}")
    for name, groups in report.groups.items():
        click.echo(f"  {name:<28} {groups:>9,} groups")


class _QueryCommand(click.Command):
    """The query command, whose help ends with the catalogue and each query's parameters."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from trialgraph.queries import catalogue, describe

        formatter.write_paragraph()
        formatter.write_text("Queries in the catalogue:")
        for named in catalogue().values():
            formatter.write("\n".join("  " + line for line in describe(named)) + "\n")


@main.command(cls=_QueryCommand)
@click.argument("name_or_file", required=False)
@_store_options
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a query parameter (repeatable); bound as an RDF term, never pasted as text.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(defaults.RESULT_FORMATS),
    default=defaults.RESULT_FORMATS[0],
    show_default=True,
    help="json prints JSON Lines, one object per row.",
)
@click.option("--list", "list_", is_flag=True, help="List the query catalogue and exit.")
@click.option("--no-wait", is_flag=True, help="Fail at once if an ingest is writing the store.")
@click.option(
    "--full-scan",
    is_flag=True,
    help="Answer a summarized query from the trials themselves, not from its summary.",
)
def query(
    name_or_file: str | None,
    store: str | None,
    endpoint: str | None,
    params: tuple[str, ...],
    fmt: str,
    list_: bool,
    no_wait: bool,
    full_scan: bool,
) -> None:
    """Run a named query from the catalogue (by name) or a .rq file over the store.

    Rows stream to standard output. Multi-valued cells are joined with '; ' and an unknown
    value is an empty cell. 'trialgraph query --list' shows every query, its summary and
    its parameters. The whole-graph questions marked "summarized" read a summary that
    ingest keeps current; when the summary is behind the store (another writer changed
    it), the query says so on standard error and answers from a full scan. The listings
    (trials, trial-endpoints, trial-conditions, trial-products) read the rows each trial
    graph keeps of them, in the store's order; --full-scan runs their sorted queries.
    """
    from trialgraph.queries import (
        QueryError,
        catalogue,
        describe,
        load_query,
        parse_params,
        write_results,
    )

    if list_:
        for q in catalogue().values():
            click.echo("\n".join(describe(q)))
        return
    if not name_or_file:
        _fail("name a query (see 'trialgraph query --list') or give a .rq file")
    _check_target(store, endpoint)
    from trialgraph.store import SelectResult, StoreError, open_store

    try:
        named = load_query(str(name_or_file))
        text = named.bind(parse_params(params))
        with open_store(store, endpoint, for_writing=False, wait=not no_wait) as target:
            if named.summary_text and not full_scan:
                from trialgraph.listings import NAMES as LISTINGS
                from trialgraph.summaries import status

                found = status(target)
                listing = named.name in LISTINGS
                if listing and found.listings_current:
                    _write_listing(target, named.name, named.columns, fmt)
                    return
                if found.current and not listing:
                    text = named.bind(parse_params(params), summary=True)
                else:
                    why = found.explain_listings() if listing else found.explain()
                    click.echo(
                        f"note: {why}; answering {named.name} from a full scan "
                        "('trialgraph summarize' rebuilds the summaries)",
                        err=True,
                    )
            not_select = f"{named.name} is not a SELECT query; only SELECT is tabulated"
            if fmt == "csv":  # serialized by Oxigraph, row by row
                sys.stdout.flush()
                if not target.write_csv(text, sys.stdout.buffer):
                    raise QueryError(not_select)
                sys.stdout.buffer.flush()
                return
            result = target.query(text)
            if not isinstance(result, SelectResult):
                raise QueryError(not_select)
            write_results(result.variables, result.rows, fmt, sys.stdout)
    except (QueryError, StoreError) as exc:
        _fail(str(exc))
    except (SyntaxError, RuntimeError) as exc:
        _fail(f"query {name_or_file} failed: {exc}")


def _write_listing(target: GraphStore, name: str, columns: Sequence[str], fmt: str) -> None:
    """A contract listing from the rows its trial graphs state (:mod:`trialgraph.listings`):
    one scan of one property, split here."""
    from trialgraph import listings
    from trialgraph.queries import write_results

    if fmt == "csv":  # serialized by Oxigraph, its rows split as the bytes come
        sys.stdout.flush()
        listings.write_csv(target, name, columns, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    write_results(list(columns), listings.terms(listings.lines(target, name)), fmt, sys.stdout)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--top",
    type=click.IntRange(0),
    default=15,
    show_default=True,
    help="How many of the most frequent unmapped texts to list.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def coverage(sources: tuple[str, ...], top: int, fmt: str) -> None:
    """How much of SOURCES the recognizers ground: endpoint codes, disease identifiers,
    modalities and targets, and the most frequent texts left unmapped. Nothing is stored."""
    import itertools
    from datetime import UTC, datetime

    from trialgraph.coverage import Coverage
    from trialgraph.pipeline import map_batch
    from trialgraph.records import TrialRecord
    from trialgraph.sources import read_sources

    now = datetime.now(UTC)
    records = (r for r in _guard(read_sources(sources)) if isinstance(r, TrialRecord))
    total = Coverage()
    while chunk := list(itertools.islice(records, 5000)):
        total.merge(map_batch(chunk, now).coverage)
    if fmt == "json":
        click.echo(json.dumps(total.figures()))
    else:
        click.echo(total.report(top))


@main.command()
@_store_options
@click.option(
    "--bind",
    default="127.0.0.1:7878",
    show_default=True,
    metavar="HOST:PORT",
    help="Address to listen on. Loopback by default.",
)
@click.option(
    "--allow-updates",
    is_flag=True,
    help="Accept SPARQL UPDATE and Graph Store writes, so that 'trialgraph ingest "
    "--endpoint' can write while others query.",
)
@click.option(
    "--i-understand-updates-are-unauthenticated",
    "acknowledged",
    is_flag=True,
    help="Required with --allow-updates on a non-loopback address: anyone who can reach "
    "the port can then change or delete the graph.",
)
@click.option("--no-wait", is_flag=True, help="Fail at once if an ingest is writing the store.")
def serve(
    store: str | None,
    endpoint: str | None,
    bind: str,
    allow_updates: bool,
    acknowledged: bool,
    no_wait: bool,
) -> None:
    """Serve the store as a SPARQL 1.1 Protocol endpoint (query at /query, read-only).

    Runs the Oxigraph server over the same on-disk store, with the default graph as the
    union of all graphs, so existing SPARQL clients get the same answers as
    'trialgraph query'. With --allow-updates it is also the one safe way to ingest and
    query the same store at once: run 'trialgraph ingest --endpoint http://HOST:PORT'.
    """
    import ipaddress
    import os
    import shutil

    from trialgraph.store import StoreError, default_store_dir, hold_serve_lock, open_store

    if endpoint:
        _fail("serve works on an embedded store directory (--store), not on --endpoint")
    host = bind.rsplit(":", 1)[0].strip("[]")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if allow_updates and not loopback and not acknowledged:
        _fail(
            f"refusing --allow-updates on {bind}, which is not a loopback address: anyone who "
            "can reach it could change the graph. Add "
            "--i-understand-updates-are-unauthenticated if that is what you want."
        )
    directory = str(store or default_store_dir())
    try:  # wait for (or refuse) a running ingest, and create the store if needed to serve
        with open_store(directory, None, for_writing=allow_updates, wait=not no_wait):
            pass
    except StoreError as exc:
        _fail(str(exc))
    # pip puts the server next to this interpreter, which need not be on PATH (pipx, an
    # unactivated virtualenv)
    beside = Path(sys.executable).with_name("oxigraph")
    binary = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if binary is None:
        _fail("the Oxigraph server is not installed: pip install oxigraph")
    assert binary is not None
    if not allow_updates:  # the read-only server takes no lock: keep writers out for it
        hold_serve_lock(Path(directory))
    mode = "serve" if allow_updates else "serve-read-only"
    click.echo(
        f"serving {directory} at http://{bind}/query "
        f"({'read-write' if allow_updates else 'read-only'}); Ctrl-C stops",
        err=True,
    )
    args = [binary, mode, "--location", directory, "--bind", bind, "--union-default-graph"]
    os.execv(binary, args)


@main.command()
@click.argument("sources", nargs=-1)
@_store_options
@click.option("--cron", metavar="EXPR", help='A cron schedule, e.g. "0 2 * * *" (02:00 daily).')
@click.option(
    "--interval",
    type=click.IntRange(1),
    metavar="SECONDS",
    help="Run every SECONDS instead of on a cron schedule.",
)
@click.option(
    "--pull",
    "pull_query",
    is_flag=True,
    help="Each run pulls what changed in a registry query since its watermark (the query "
    "options below), instead of ingesting SOURCES.",
)
@query_options
@landing_options("--request-interval")
@click.option("--name", default="nightly", show_default=True, help="The deployment's name.")
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's own log lines.")
def schedule(
    sources: tuple[str, ...],
    store: str | None,
    endpoint: str | None,
    cron: str | None,
    interval: int | None,
    pull_query: bool,
    landing: str | None,
    request_interval: float,
    name: str,
    verbose: bool,
    **query: str | None,
) -> None:
    """Ingest SOURCES, or pull a registry query (--pull), on a schedule, until stopped.

    Serves the ingest flow (or the pull flow) as a Prefect deployment. A scheduled pull
    fetches what changed since the query's watermark, as 'trialgraph pull' does. Schedules
    need a Prefect server: the one at $PREFECT_API_URL when set, else one this command
    starts on 127.0.0.1 and stops on exit (Ctrl-C). To query while scheduled runs write,
    serve the store ('trialgraph serve --allow-updates') and schedule with --endpoint.
    """
    import os
    from pathlib import Path

    if bool(cron) == bool(interval):
        _fail("give exactly one of --cron or --interval")
    if pull_query == bool(sources):
        _fail("give SOURCES to ingest, or --pull with the registry query options")
    _check_target(store, endpoint)
    _prefect_defaults(verbose)
    target = {
        "store": str(Path(store).resolve()) if store else None,
        "endpoint": endpoint,
    }
    if pull_query:
        query["api"] = query.pop("api_url")
        parameters: dict[str, object] = {
            "query": query,
            "landing": str(Path(landing).resolve()) if landing else None,
            "request_interval": request_interval,
            **target,
        }
    else:
        parameters = {
            "sources": [
                str(Path(s).resolve()) if not any(c in s for c in "*?[") else s for s in sources
            ],
            "progress": False,
            **target,
        }
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        from trialgraph.prefect_server import start_local_server

        server = start_local_server(log=lambda m: click.echo(m, err=True))
    try:
        from trialgraph.orchestration import ingest as ingest_flow
        from trialgraph.orchestration import pull as pull_flow

        flow: Any = pull_flow if pull_query else ingest_flow
        # one run at a time: a run that starts while the last still loads would read the
        # watermark the last has not moved yet, and both would write the same store
        flow.serve(
            name=name,
            cron=cron,
            interval=interval,
            limit=1,
            parameters=parameters,
            description="Scheduled trialgraph pull"
            if pull_query
            else "Scheduled trialgraph ingestion",
        )
    finally:
        if server is not None:
            server.stop()


def _export_formats() -> list[str]:
    from trialgraph.export import FORMATS

    return list(FORMATS)


def _export_kinds() -> tuple[str, ...]:
    from trialgraph.export import KINDS

    return KINDS


class _ExportCommand(click.Command):
    """The export command, whose help ends with the formats and node kinds it knows."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from trialgraph.export import FORMATS

        formatter.write_paragraph()
        with formatter.section("Formats"):
            formatter.write_dl([(f.name, f.description) for f in FORMATS.values()])
        formatter.write_paragraph()
        formatter.write_text(f"Node kinds: {', '.join(_export_kinds())}.")


@main.command(cls=_ExportCommand)
@click.option(
    "--format",
    "fmt",
    required=True,
    type=_LazyChoice(_export_formats),
    help="The output format (listed below).",
)
@click.option("--out", type=click.Path(), help="Output file (a directory for kgx).")
@_store_options
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Keep only these node kinds (repeatable or comma-separated; listed below).",
)
@click.option("--target", help="Only trials naming this target (symbol, synonym or CURIE).")
@click.option("--condition", help="Only trials studying this condition (label or CURIE).")
@click.option("--trial", "trials", multiple=True, help="Only these trials (repeatable).")
@click.option(
    "--construct",
    type=click.Path(exists=True, dir_okay=False),
    help="Only the nodes a SPARQL CONSTRUCT query (a file) returns.",
)
@click.option("--no-wait", is_flag=True, help="Fail at once if an ingest is writing the store.")
def export(
    fmt: str,
    out: str | None,
    store: str | None,
    endpoint: str | None,
    kinds: tuple[str, ...],
    target: str | None,
    condition: str | None,
    trials: tuple[str, ...],
    construct: str | None,
    no_wait: bool,
) -> None:
    """Write the graph (or a subgraph) for visualization in Gephi, Cytoscape or a browser.

    Nodes are trials, products, targets, conditions, endpoint concepts, criteria and
    organizations, each with its label, kind and CURIE; trials carry their phase, status,
    sponsor, dates, enrollment, countries and sites. Edges say which trial tests, studies and
    measures what, which organization leads or collaborates in it, and which product aims
    at which target.
    """
    from pathlib import Path

    from trialgraph.export import ExportError, default_output, kinds_from
    from trialgraph.export import export as write_export
    from trialgraph.store import StoreError, open_store

    _check_target(store, endpoint)
    path = Path(out) if out else default_output(fmt)
    try:
        with open_store(store, endpoint, for_writing=False, wait=not no_wait) as source:
            written = write_export(
                source,
                fmt,
                path,
                kinds=kinds_from(kinds) if kinds else None,
                target=target,
                condition=condition,
                trials=list(trials) or None,
                construct=Path(construct).read_text("utf-8") if construct else None,
            )
    except (ExportError, StoreError) as exc:
        _fail(str(exc))
    click.echo(f"wrote {written}")


main.add_command(pull)
