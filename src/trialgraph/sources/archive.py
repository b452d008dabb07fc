"""Reader for zip archives (the registry's ``ctg-studies.json.zip``): read like a folder.

Members are streamed from the archive one at a time, never extracted: sorted by name,
directories and hidden members (a path part starting with ``.``, or ``__MACOSX``) skipped,
each read by the reader of the format its content shows, plain or gzipped, as a file of
its own would be. The records keep the archive as their ``source``; their ``location`` is
``member=NAME`` for a one-record member and ``member=NAME;LOC`` for a record at ``LOC``
(``row=3``, ``line=2``, ``index=0``) of a multi-record member. In ``NAME``, the member's
path in the archive, ``%`` and ``;`` are written ``%25`` and ``%3B``, so the first ``;``
always ends it. A member that cannot be read is a :class:`~trialgraph.records.RecordError`
at its location and the members after it are still read; an archive whose directory
cannot be read is one error for the file.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, cast

from trialgraph.records import RawRecord, ReadResult, RecordError
from trialgraph.sources.base import Document, Piece, error_reason, uncompressed

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import BinaryIO

FORMAT = "ctgov-zip"
#: A local file header (an archive's usual start) and an empty archive's end record.
MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
#: A member up to this size is read into memory whole (one member at a time), which spares
#: the readers' rewinds a second decompression; a larger one is streamed.
WHOLE_MEMBER_BYTES = 4 << 20
#: What reading a member can raise: I/O and decompression errors, a bad CRC or header
#: (``BadZipFile``), an unsupported compression method (``NotImplementedError``), an
#: encrypted member (``RuntimeError``).
_MEMBER_ERRORS = (
    OSError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
)


def detect(head: bytes) -> bool:
    """Whether an input's raw first bytes are those of a zip archive (or an empty one)."""
    return head.startswith(MAGIC)


def read(stream: BinaryIO, source: str, head: bytes = b"") -> Iterator[Piece]:
    """The pieces of every member of the archive in ``stream``, in member-name order."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        yield RecordError(source, "", f"the zip archive cannot be read: {error_reason(error)}")
        return
    with archive:
        members = sorted((i for i in archive.infolist() if _listed(i)), key=_name)
        for info in members:
            yield from _member_pieces(archive, info, source)


def member_location(name: str, location: str = "") -> str:
    """The location of a record at ``location`` in the member called ``name``.

    >>> member_location("35/NCT02252835.json"), member_location("a/x;1.csv", "row=3")
    ('member=35/NCT02252835.json', 'member=a/x%3B1.csv;row=3')
    """
    where = "member=" + name.replace("%", "%25").replace(";", "%3B")
    return f"{where};{location}" if location else where


def _name(info: zipfile.ZipInfo) -> str:
    return info.filename


def _listed(info: zipfile.ZipInfo) -> bool:
    """Whether a member is read: not a directory, not hidden (as a folder's walk skips)."""
    if info.is_dir():
        return False
    parts = info.filename.split("/")
    return not any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _member_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> Iterator[Piece]:
    """The pieces of one member, read by its format and placed in the member."""
    from trialgraph.sources.registry import read_stream  # the registry imports this module

    name = info.filename
    with ExitStack() as stack:
        try:
            raw = cast("BinaryIO", stack.enter_context(archive.open(info)))
            if info.file_size <= WHOLE_MEMBER_BYTES:
                raw = io.BytesIO(raw.read())
            stream, head = uncompressed(raw, stack)
        except _MEMBER_ERRORS as error:
            reason = f"the member cannot be read: {error_reason(error)}"
            yield RecordError(source, member_location(name), f"{name}: {reason}")
            return
        try:
            for piece in read_stream(stream, source, head):
                yield _placed(piece, name)
        except _MEMBER_ERRORS as error:
            reason = f"reading the member stopped part-way: {error_reason(error)}"
            yield RecordError(source, member_location(name), f"{name}: {reason}")


def _placed(piece: Piece, name: str) -> Piece:
    """``piece``, read from the member ``name`` as if it were a file, placed in the member.

    A raw record or document is parsed later, maybe in another process: its parser is
    wrapped (picklably) so that what it parses is placed too.
    """
    if isinstance(piece, RawRecord):
        location = member_location(name, piece.location)
        reader = partial(_parse_placed, piece.reader, name)
        return RawRecord(piece.source, location, piece.digest, reader)
    if isinstance(piece, Document):
        parse = partial(_parse_all_placed, piece.parse, name)
        return Document(piece.source, piece.digest, parse, member_location(name, piece.location))
    return _result_placed(piece, name)


def _result_placed(result: ReadResult, name: str) -> ReadResult:
    location = member_location(name, result.location)
    if isinstance(result, RecordError):
        return replace(result, location=location, reason=f"{name}: {result.reason}")
    return replace(result, location=location)


def _parse_placed(reader: Callable[[str], ReadResult], name: str, digest: str) -> ReadResult:
    return _result_placed(reader(digest), name)


def _parse_all_placed(
    parse: Callable[[str], Iterator[ReadResult]], name: str, digest: str
) -> Iterator[ReadResult]:
    for result in parse(digest):
        yield _result_placed(result, name)
