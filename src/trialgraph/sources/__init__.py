"""Read trial records from files, directories and globs, whatever their format.

:func:`read_sources` is the one entry point: it expands paths, detects each file's format
from its content (never its name), and streams :class:`~trialgraph.records.TrialRecord`
values, with a :class:`~trialgraph.records.RecordError` in place of each record (or file)
that cannot be read, so one bad input never stops a batch. Gzip-compressed files are
recognized by their magic bytes and read transparently.
"""

from __future__ import annotations

import csv
import glob
import gzip
import json
import os
import stat
import zlib
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from trialgraph.records import KnownDigests, KnownRecord, RawRecord, ReadResult, RecordError
from trialgraph.sources import ctgov_csv, ctgov_json, plaintext
from trialgraph.text import decode

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

#: Formats :func:`detect_format` returns.
FORMATS = ("plaintext", "ctgov-csv", "ctgov-json", "ctgov-jsonl")
#: Bytes of a file's start that :func:`detect_format` looks at.
HEAD_BYTES = 64 * 1024
#: Read buffer: JSON Lines records run to tens of kilobytes, and with Python's default 8 KiB
#: buffer ``readline`` copies each one piecemeal (1.1 s against 0.13 s for 1.2 GB).
READ_BUFFER = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
_GLOB_CHARS = frozenset("*?[")


class UnreadableContent(ValueError):
    """A file's content is no format we read (empty, binary); the message says which."""


def detect_format(head: bytes) -> str:
    """Name the format of a file from its first bytes (uncompressed): one of :data:`FORMATS`.

    Raises :class:`UnreadableContent` for an empty or binary file.

    >>> detect_format(b'{"studies": [')
    'ctgov-json'
    >>> detect_format(b'{"protocolSection": {}}\\n{"protocolSection": {}}\\n')
    'ctgov-jsonl'
    >>> detect_format(b"Study Title,NCT Number\\nA,NCT1\\n")
    'ctgov-csv'
    >>> detect_format(b"A trial title\\nIts summary\\n")
    'plaintext'
    """
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    body = head.lstrip()
    if not body:
        raise UnreadableContent("the file is empty")
    controls = sum(body.count(bytes([c])) for c in (*range(9), *range(14, 32)))
    if b"\x00" in body or controls * 100 > len(body):
        raise UnreadableContent("the file is binary (it holds NUL or control bytes), not text")
    if body.startswith(b"["):
        return "ctgov-json"
    if body.startswith(b"{"):
        first, newline, rest = body.partition(b"\n")
        if newline and rest.strip():
            try:
                return "ctgov-jsonl" if isinstance(json.loads(first), dict) else "ctgov-json"
            except ValueError:
                return "ctgov-json"  # a pretty-printed document
        return "ctgov-json"
    line = decode(body.partition(b"\n")[0]).rstrip("\r")
    try:
        cells = next(csv.reader([line], delimiter=ctgov_csv.delimiter(line)), [])
    except csv.Error:  # e.g. a bare carriage return: not a CSV header anyway
        return "plaintext"
    if len({c.strip().lower() for c in cells} & ctgov_csv.COLUMNS) >= 2:
        return "ctgov-csv"
    return "plaintext"


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

    ``known`` maps the raw digests of stored records to their trial graphs; a record with
    one of them comes as a :class:`~trialgraph.records.KnownRecord`, any other as a
    :class:`~trialgraph.records.RawRecord`, for the caller to parse where it chooses. JSON
    lines, CSV rows, plaintext files and one-study JSON files are read this way; the
    studies of a JSON list or page come parsed.
    """
    for path in iter_paths(paths):
        if isinstance(path, RecordError):
            yield path
        else:
            yield from read_file(path, known)


def read_file(
    path: str, known: KnownDigests | None = None
) -> Iterator[ReadResult | KnownRecord | RawRecord]:
    """Stream the records of one file, detecting its format from its content."""
    with ExitStack() as stack:
        try:
            if not stat.S_ISREG(Path(path).stat().st_mode):
                yield RecordError(path, "", "not a regular file (a pipe, socket or device)")
                return
            raw: BinaryIO = stack.enter_context(Path(path).open("rb", buffering=READ_BUFFER))
            stream: BinaryIO = raw
            if raw.read(2) == _GZIP_MAGIC:
                stream = cast(
                    "BinaryIO", stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
                )
            raw.seek(0)
            head = stream.read(HEAD_BYTES)
            stream.seek(0)
        except (OSError, EOFError, zlib.error) as error:
            yield RecordError(path, "", f"the file cannot be read: {_os_reason(error)}")
            return
        try:
            fmt = detect_format(head)
        except UnreadableContent as error:
            yield RecordError(path, "", str(error), decode(head[:200]).strip()[:200])
            return
        try:
            if fmt == "ctgov-json" and _long_first_line(head) and _has_second_line(stream):
                fmt = "ctgov-jsonl"  # JSON Lines whose first study is longer than the head
            yield from _reader(fmt, stream, path, head, known)
        except (OSError, EOFError, zlib.error) as error:
            yield RecordError(path, "", f"reading stopped part-way: {_os_reason(error)}")


def _long_first_line(head: bytes) -> bool:
    body = head.lstrip()
    return len(head) == HEAD_BYTES and body.startswith(b"{") and b"\n" not in body


def _has_second_line(stream: BinaryIO) -> bool:
    """Whether non-blank text follows the first line; scans in chunks, then rewinds."""
    try:
        while chunk := stream.read(1 << 20):
            _, newline, rest = chunk.partition(b"\n")
            if newline:
                while not rest.strip():
                    rest = stream.read(1 << 16)
                    if not rest:
                        return False
                return True
        return False
    finally:
        stream.seek(0)


def _reader(
    fmt: str, stream: BinaryIO, path: str, head: bytes, known: KnownDigests | None
) -> Iterator[ReadResult | KnownRecord | RawRecord]:
    if fmt == "ctgov-csv":
        try:
            head.decode("utf-8-sig")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as error:
            # a multi-byte character cut by the head's end is still UTF-8
            encoding = "utf-8-sig" if error.start >= len(head) - 3 else "cp1252"
        return ctgov_csv.read(stream, path, encoding, known)
    if fmt == "ctgov-json":
        return ctgov_json.read_document(stream, path, known)
    if fmt == "ctgov-jsonl":
        return ctgov_json.read_lines(stream, path, known)
    return plaintext.read(stream, path, known)


def _os_reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
