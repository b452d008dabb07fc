"""The ``trialgraph`` command line (see ``CONTRACT.md`` for the interface users rely on).

Commands import what they need when they run: ``read``, ``query``, ``export`` and ``stats``
never import Prefect, so they start in a fraction of a second.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from trialgraph import __version__

if TYPE_CHECKING:
    from trialgraph.records import ReadResult

STORE_HELP = (
    "Embedded on-disk store directory [default: $TRIALGRAPH_STORE or ./trialgraph-store]."
)
ENDPOINT_HELP = (
    "A remote SPARQL 1.1 server's query URL (or its base URL, e.g. http://127.0.0.1:7878) "
    "instead of the embedded store."
)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"trialgraph: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="trialgraph")
def main() -> None:
    """Turn clinical-trial registry records into a queryable RDF knowledge graph.

    Read plaintext records, ClinicalTrials.gov CSV exports and API v2 JSON; ingest them
    into an Oxigraph store; ask SPARQL questions across trials; export graphs for Gephi,
    Cytoscape or a browser.
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
    out = click.get_text_stream("stdout")
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
                json.dumps({"trial_id": item.trial_id, **item.to_dict()}, ensure_ascii=False)
                + "\n"
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


def _json_default(value: Any) -> Any:
    return str(value)
