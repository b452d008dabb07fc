"""Reader for ClinicalTrials.gov CSV (or TSV) exports (``ctg-studies.csv``).

Columns are mapped by header name, so an export with a subset of the columns, in any
order, or with extra columns reads the same. Each data row is one record at ``row=N``
(1-based, not counting the header or blank lines). A row that cannot be used becomes a
:class:`RecordError` and the rows after it are still read.
"""

from __future__ import annotations

import csv
import io
from functools import partial
from typing import TYPE_CHECKING

from trialgraph.records import RawRecord, ReadResult, RecordError, TrialRecord, raw_digest
from trialgraph.sources.ctgov_outcomes import read_outcome_cell
from trialgraph.text import (
    MAX_FIELD_CHARS,
    clean,
    clean_line,
    decode,
    excerpt,
    iso_date,
    parse_intervention,
    split_list,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import BinaryIO

    from trialgraph.sources.base import Piece

FORMAT = "ctgov-csv"

#: Header names (lower-cased) this reader uses; detection needs two of them in line 1.
COLUMNS = frozenset(
    {
        "nct number",
        "study title",
        "acronym",
        "study status",
        "brief summary",
        "conditions",
        "interventions",
        "primary outcome measures",
        "secondary outcome measures",
        "other outcome measures",
        "sponsor",
        "collaborators",
        "phases",
        "enrollment",
        "study type",
        "other ids",
        "start date",
        "primary completion date",
        "completion date",
        "study url",
        "study results",
        "sex",
        "age",
        "funder type",
        "study design",
        "first posted",
        "last update posted",
        "locations",
    }
)


def delimiter(header_line: str) -> str:
    """``\\t`` for a TSV export's header line, else ``,``.

    >>> delimiter("NCT Number\\tStudy Title"), delimiter("NCT Number,Study Title")
    ('\\t', ',')
    """
    return "\t" if header_line.count("\t") > header_line.count(",") else ","


def detect(body: bytes) -> bool:
    """Whether a text input's first line is an export's header: two of :data:`COLUMNS`."""
    line = decode(body.partition(b"\n")[0]).rstrip("\r")
    try:
        cells = next(csv.reader([line], delimiter=delimiter(line)), [])
    except csv.Error:  # e.g. a bare carriage return: not a CSV header anyway
        return False
    return len({c.strip().lower() for c in cells} & COLUMNS) >= 2


def encoding(head: bytes) -> str:
    """The text encoding of an export that starts with ``head``: UTF-8, else cp1252.

    >>> encoding("Café au lait".encode()), encoding("Café au lait".encode("cp1252"))
    ('utf-8-sig', 'cp1252')
    """
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # a multi-byte character cut by the head's end is still UTF-8
        return "utf-8-sig" if error.start >= len(head) - 3 else "cp1252"
    return "utf-8-sig"


def read(stream: BinaryIO, source: str, head: bytes = b"") -> Iterator[Piece]:
    """Split an export into rows, each a :class:`~trialgraph.records.RawRecord` hashed with
    the header; decoded as :func:`encoding` finds from ``head``."""
    text = io.TextIOWrapper(stream, encoding=encoding(head), errors="replace", newline="")
    first = text.readline()
    reader = csv.reader(
        _chain(first, text), delimiter=delimiter(first), strict=False, skipinitialspace=False
    )
    # csv's limit is process-wide: only ever raise it; our own limit is checked per cell.
    if csv.field_size_limit() < MAX_FIELD_CHARS + 1:
        csv.field_size_limit(MAX_FIELD_CHARS + 1)
    try:
        header = next(reader, [])
    except csv.Error as error:
        yield RecordError(source, "", f"the CSV header line is malformed: {error}")
        return
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        columns.setdefault(name.strip().lower(), i)
    header_bytes = "\x1f".join(header).encode() + b"\x1e"
    row_number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            row_number += 1
            yield RecordError(source, f"row={row_number}", f"the CSV row is malformed: {error}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        row_number += 1
        location = f"row={row_number}"
        digest = raw_digest(header_bytes, "\x1f".join(row).encode())
        parse = partial(_record, row, header, columns, source, location)
        yield RawRecord(source, location, digest, parse)


def _chain(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    yield first
    yield from rest


def _record(
    row: list[str],
    header: list[str],
    columns: dict[str, int],
    source: str,
    location: str,
    digest: str,
) -> ReadResult:
    if len(row) != len(header):
        return RecordError(
            source,
            location,
            f"the row has {len(row)} cells but the header has {len(header)} columns",
            excerpt(",".join(row)),
        )
    for i, value in enumerate(row):
        if len(value) > MAX_FIELD_CHARS:
            return RecordError(
                source,
                location,
                f"column {header[i]!r} holds {len(value):,} characters, more than the "
                f"{MAX_FIELD_CHARS:,} any registry field needs; the row was not read",
                excerpt(value),
            )

    def cell(name: str) -> str:
        i = columns.get(name)
        return row[i] if i is not None else ""

    title = clean_line(cell("study title"))
    if not title:
        return RecordError(source, location, "the row has no Study Title", excerpt(",".join(row)))
    enrollment = cell("enrollment").strip()
    return TrialRecord(
        source=source,
        location=location,
        format=FORMAT,
        title=title,
        nct_id=clean_line(cell("nct number")) or None,
        acronym=clean_line(cell("acronym")),
        status=clean_line(cell("study status")),
        brief_summary=clean(cell("brief summary")),
        conditions=tuple(split_list(cell("conditions"))),
        interventions=tuple(
            parse_intervention(v) for v in cell("interventions").split("|") if v.strip()
        ),
        outcomes=(
            *read_outcome_cell(cell("primary outcome measures"), "primary"),
            *read_outcome_cell(cell("secondary outcome measures"), "secondary"),
            *read_outcome_cell(cell("other outcome measures"), "other"),
        ),
        sponsor=clean_line(cell("sponsor")),
        collaborators=tuple(split_list(cell("collaborators"))),
        phases=tuple(split_list(cell("phases"))),
        enrollment=int(enrollment) if enrollment.isdigit() else None,
        sponsor_class=clean_line(cell("funder type")),
        locations=tuple(split_list(cell("locations"))),
        study_type=clean_line(cell("study type")),
        other_ids=tuple(split_list(cell("other ids"))),
        start_date=iso_date(cell("start date")),
        primary_completion_date=iso_date(cell("primary completion date")),
        completion_date=iso_date(cell("completion date")),
        raw_digest=digest,
    )
