"""The input formats, in the order they are recognized, and reading an input by its format.

Each format is one reader module and one entry in :data:`REGISTRY`; :data:`FORMATS`,
:func:`detect_format` and :func:`read_stream` follow from the entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from trialgraph.records import RecordError
from trialgraph.sources import archive, ctgov_csv, ctgov_json, plaintext
from trialgraph.sources.base import Format, Piece
from trialgraph.text import decode

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Every input format, in detection order: an input is of the first format that recognizes
#: it. Binary formats are tried before text inputs are checked; ``plaintext`` takes any text.
REGISTRY: tuple[Format, ...] = (
    Format(archive.FORMAT, archive.detect, archive.read, text=False),
    Format("ctgov-jsonl", ctgov_json.detect_lines, ctgov_json.read_lines),
    Format("ctgov-json", ctgov_json.detect_document, ctgov_json.read_document),
    Format("ctgov-csv", ctgov_csv.detect, ctgov_csv.read),
    Format("plaintext", plaintext.detect, plaintext.read),
)
#: Names of the formats :func:`detect_format` returns.
FORMATS: tuple[str, ...] = tuple(f.name for f in REGISTRY)

_BOM = b"\xef\xbb\xbf"
_CONTROLS = tuple(bytes([c]) for c in (*range(9), *range(14, 32)))


class UnreadableContent(ValueError):
    """An input's content is no format we read (empty, binary); the message says which."""


def detect_format(head: bytes) -> str:
    """Name the format of an input from its first bytes (uncompressed): one of :data:`FORMATS`.

    Raises :class:`UnreadableContent` for an empty or binary input.

    >>> detect_format(b'{"studies": [')
    'ctgov-json'
    >>> detect_format(b'{"protocolSection": {}}\\n{"protocolSection": {}}\\n')
    'ctgov-jsonl'
    >>> detect_format(b"Study Title,NCT Number\\nA,NCT1\\n")
    'ctgov-csv'
    >>> detect_format(b"A trial title\\nIts summary\\n")
    'plaintext'
    """
    return _recognize(head).name


def read_stream(stream: BinaryIO, source: str, head: bytes) -> Iterator[Piece]:
    """The pieces of one input, read by the reader of the format its head shows.

    ``stream`` is at the input's start and ``head`` holds its first bytes (uncompressed);
    an input of no format is one :class:`~trialgraph.records.RecordError`.
    """
    try:
        fmt = _recognize(head)
    except UnreadableContent as error:
        return iter((RecordError(source, "", str(error), decode(head[:200]).strip()[:200]),))
    return fmt.read(stream, source, head)


def _recognize(head: bytes) -> Format:
    """The first format of :data:`REGISTRY` whose detector accepts ``head``."""
    body: bytes | None = None
    for fmt in REGISTRY:
        if not fmt.text:
            if fmt.detect(head):
                return fmt
            continue
        if body is None:
            body = _text_body(head)
        if fmt.detect(body):
            return fmt
    raise UnreadableContent("the file is in no format trialgraph reads")


def _text_body(head: bytes) -> bytes:
    """``head`` without its byte-order mark and leading whitespace, if it is text."""
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    body = head.lstrip()
    if not body:
        raise UnreadableContent("the file is empty")
    controls = sum(body.count(c) for c in _CONTROLS)
    if b"\x00" in body or controls * 100 > len(body):
        raise UnreadableContent("the file is binary (it holds NUL or control bytes), not text")
    return body
