"""What an input format is, what its reader yields, and where that meets the stored digests.

A reader splits one input into records and yields a piece for each: a
:class:`~trialgraph.records.RawRecord` for a record it can split and hash without parsing
(a JSON line, a CSV row, a plaintext file), a :class:`Document` for bytes hashed whole whose
records are only known once parsed (a small JSON document), and a parsed record or a
:class:`~trialgraph.records.RecordError` for what it must parse to split (the studies of a
large JSON list) or cannot read. Readers never see the stored digests: :func:`resolve`
alone decides what becomes of each piece.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import BinaryIO, cast

from trialgraph.records import KnownDigests, KnownRecord, RawRecord, ReadResult, RecordError

#: Bytes of an input's start that detection looks at, and that its reader is given.
HEAD_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


def uncompressed(raw: BinaryIO, stack: ExitStack) -> tuple[BinaryIO, bytes]:
    """``raw`` (seekable, at its start) as read: gunzipped if its magic bytes say gzip, at
    its start again, with its first :data:`HEAD_BYTES` bytes (uncompressed) for detection.

    The gzip stream is closed with ``stack``; reading errors (``OSError``, ``EOFError``,
    ``zlib.error``) propagate to the caller, which knows what the input is called.
    """
    stream = raw
    if raw.read(2) == _GZIP_MAGIC:
        stream = cast("BinaryIO", stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb")))
    raw.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    return stream, head


def error_reason(error: BaseException) -> str:
    """What went wrong reading an input, in a few words: the OS's words where it has some."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


@dataclass(frozen=True, slots=True)
class Document:
    """Raw bytes hashed whole whose records are only known once parsed: a JSON document
    may hold one study or a list of them.

    ``parse`` is given :attr:`digest` and yields the records; a one-record document's
    record carries the digest, so only one-record documents have their digest stored.
    ``location`` is where the document lies in its source (``""`` for a file of its own).
    """

    source: str
    digest: str
    parse: Callable[[str], Iterator[ReadResult]] = field(repr=False, compare=False)
    location: str = ""

    def records(self) -> Iterator[ReadResult]:
        """The document's records and errors, parsed."""
        return self.parse(self.digest)

    def first(self) -> ReadResult:
        """The record of a one-record document (one whose digest was stored)."""
        empty = RecordError(self.source, self.location, "the document holds no study")
        return next(self.records(), empty)


#: What a reader yields.
Piece = ReadResult | RawRecord | Document

#: A reader: ``(stream at its start, source name for its records, head) -> pieces``, where
#: the head is the input's first :data:`HEAD_BYTES` bytes (uncompressed), as detected.
Reader = Callable[[BinaryIO, str, bytes], Iterator[Piece]]


@dataclass(frozen=True, slots=True)
class Format:
    """An input format: its name, how its content is recognized, and its reader.

    ``detect`` is given the input's first bytes. A text format (``text``) sees them with a
    byte-order mark and leading whitespace removed, and only once empty and binary inputs
    have been turned away; a binary format (an archive, say) sees them as they are, before
    that check.
    """

    name: str
    detect: Callable[[bytes], bool]
    read: Reader
    text: bool = True


def resolve(
    pieces: Iterable[Piece], known: KnownDigests | None
) -> Iterator[ReadResult | KnownRecord | RawRecord]:
    """What each piece is to the caller; the one place raw digests are compared.

    Without ``known``, every piece is parsed here, each record carrying its raw digest (to
    be stored with its trial for the next run to compare). With ``known`` (the digests of
    the stored records), nothing whose digest is in it is parsed: it comes as a
    :class:`~trialgraph.records.KnownRecord`. Any other raw record stays raw, for the caller
    to parse where it chooses; any other document is parsed here, as only then is it known
    how many records it holds.
    """
    for piece in pieces:
        if isinstance(piece, RawRecord):
            if known is None:
                yield piece.parse()
            elif piece.digest in known:
                yield KnownRecord(piece.source, piece.location, piece.digest, piece.parse)
            else:
                yield piece
        elif isinstance(piece, Document):
            if known and piece.digest in known:
                yield KnownRecord(piece.source, piece.location, piece.digest, piece.first)
            else:
                yield from piece.records()
        else:
            yield piece
