"""Read trial records from files, directories and globs, whatever their format.

:func:`read_sources` is the one entry point: it expands paths, detects each file's format
from its content (never its name), and streams :class:`~trialgraph.records.TrialRecord`
values, with a :class:`~trialgraph.records.RecordError` in place of each record (or file)
that cannot be read, so one bad input never stops a batch. Gzip-compressed files are
recognized by their magic bytes and read transparently. The formats are those of
:data:`~trialgraph.sources.registry.REGISTRY`.
"""

from __future__ import annotations

import glob
import os
import stat
import zlib
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from trialgraph.records import KnownDigests, KnownRecord, RawRecord, ReadResult, RecordError
from trialgraph.sources.base import Piece, error_reason, resolve, uncompressed
from trialgraph.sources.registry import FORMATS, UnreadableContent, detect_format, read_stream

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "FORMATS",
    "UnreadableContent",
    "detect_format",
    "iter_paths",
    "read_changed",
    "read_file",
    "read_sources",
]

#: Read buffer: JSON Lines records run to tens of kilobytes, and with Python's default 8 KiB
#: buffer ``readline`` copies each one piecemeal.
READ_BUFFER = 1 << 20
_GLOB_CHARS = frozenset("*?[")


def iter_paths(paths: Iterable[str]) -> Iterator[str | RecordError]:
    """Expand files, directories (recursively, sorted, hidden entries skipped) and globs.

    A path that names nothing yields a :class:`RecordError` instead.
    """
    for path in paths:
        path = os.fspath(path)
        if Path(path).is_dir():
            yield from _walk(path)
        elif os.path.lexists(path):
            yield path
        elif _GLOB_CHARS & set(path):
            matches = sorted(glob.glob(path, recursive=True))  # noqa: PTH207 (absolute patterns)
            if not matches:
                yield RecordError(path, "", "no file matches this pattern")
            for match in matches:
                yield from (_walk(match) if Path(match).is_dir() else (match,))
        else:
            yield RecordError(path, "", "no such file or directory")


def _walk(top: str) -> Iterator[str]:
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)  # noqa: PTH118 (keep the caller's spelling)


def read_sources(paths: Iterable[str]) -> Iterator[ReadResult]:
    """Stream every record in ``paths`` (files, directories, globs; plain or gzip)."""
    return cast("Iterator[ReadResult]", read_changed(paths, None))


def read_changed(
    paths: Iterable[str], known: KnownDigests | None
) -> Iterator[ReadResult | KnownRecord | RawRecord]:
    """:func:`read_sources`, but records are split and hashed here, not parsed.

    ``known`` holds the raw digests of stored records; a record with one of them comes as a
    :class:`~trialgraph.records.KnownRecord`, any other as a
    :class:`~trialgraph.records.RawRecord`, for the caller to parse where it chooses (see
    :func:`~trialgraph.sources.base.resolve`). JSON lines, CSV rows, plaintext files and
    one-study JSON files are read this way; the studies of a JSON list or page come parsed.
    """
    return resolve(_pieces(paths), known)


def read_file(
    path: str, known: KnownDigests | None = None
) -> Iterator[ReadResult | KnownRecord | RawRecord]:
    """Stream the records of one file, detecting its format from its content."""
    return resolve(_file_pieces(path), known)


def _pieces(paths: Iterable[str]) -> Iterator[Piece]:
    for path in iter_paths(paths):
        if isinstance(path, RecordError):
            yield path
        else:
            yield from _file_pieces(path)


def _file_pieces(path: str) -> Iterator[Piece]:
    """The pieces of one file, opened (and decompressed) and read by its format's reader."""
    with ExitStack() as stack:
        try:
            if not stat.S_ISREG(Path(path).stat().st_mode):
                yield RecordError(path, "", "not a regular file (a pipe, socket or device)")
                return
            raw: BinaryIO = stack.enter_context(Path(path).open("rb", buffering=READ_BUFFER))
            stream, head = uncompressed(raw, stack)
        except (OSError, EOFError, zlib.error) as error:
            yield RecordError(path, "", f"the file cannot be read: {error_reason(error)}")
            return
        try:
            yield from read_stream(stream, path, head)
        except (OSError, EOFError, zlib.error) as error:
            yield RecordError(path, "", f"reading stopped part-way: {error_reason(error)}")
