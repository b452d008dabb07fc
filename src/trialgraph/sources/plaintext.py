"""Reader for the seven-line plaintext record layout (one trial per file).

Lines, in order: title, brief summary, conditions (``|``), interventions (``TYPE: name|...``),
primary outcomes, secondary outcomes (each ``measure, description, time frame|...``),
detailed description. Any field may be empty or missing at the end; lines after the
seventh are taken as further paragraphs of the detailed description.
"""

from __future__ import annotations

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
    parse_intervention,
    split_list,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import BinaryIO

    from trialgraph.sources.base import Piece

FORMAT = "plaintext"
_MAX_FILE_BYTES = 8 * MAX_FIELD_CHARS


def detect(body: bytes) -> bool:
    """Any text is a plaintext record: the format of last resort."""
    return bool(body)


def read(stream: BinaryIO, source: str, head: bytes = b"") -> Iterator[Piece]:
    """The one record in ``stream``, as a :class:`~trialgraph.records.RawRecord`, or one
    :class:`RecordError` for a file too large to be a record."""
    chunks: list[bytes] = []
    total = 0
    while line := stream.readline(MAX_FIELD_CHARS + 1):
        if len(line) > MAX_FIELD_CHARS and not line.endswith(b"\n"):
            yield RecordError(
                source,
                "",
                f"line {len(chunks) + 1} is longer than {MAX_FIELD_CHARS:,} bytes, "
                "far beyond any registry field; the record was not read",
                excerpt(decode(line[:400])),
            )
            return
        total += len(line)
        if total > _MAX_FILE_BYTES:
            yield RecordError(
                source, "", f"the file is larger than {_MAX_FILE_BYTES:,} bytes; not read"
            )
            return
        chunks.append(line)
    data = b"".join(chunks)
    yield RawRecord(source, "", raw_digest(data), partial(_parse_bytes, data, source))


def _parse_bytes(data: bytes, source: str, digest: str) -> ReadResult:
    return parse(decode(data), source, "", digest)


def parse(text: str, source: str, location: str = "", digest: str = "") -> ReadResult:
    """Parse the text of one plaintext record, which carries ``digest``, the raw digest of
    the bytes it was read from.

    >>> parse("Title\\r\\nSummary\\r\\nA|B\\r\\nDRUG: x\\r\\n", "t.txt").conditions
    ('A', 'B')
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    fields = lines[:6] + [""] * (6 - len(lines[:6]))
    title = clean_line(fields[0])
    if not title:
        return RecordError(
            source, location, "the record has no title (its first line is empty)", excerpt(text)
        )
    interventions = (parse_intervention(v) for v in fields[3].split("|") if v.strip())
    return TrialRecord(
        source=source,
        location=location,
        format=FORMAT,
        title=title,
        brief_summary=clean(fields[1]),
        conditions=tuple(split_list(fields[2])),
        interventions=tuple(i for i in interventions if i.name),
        outcomes=(
            *read_outcome_cell(fields[4], "primary"),
            *read_outcome_cell(fields[5], "secondary"),
        ),
        detailed_description=clean("\n".join(lines[6:])),
        raw_digest=digest,
    )
