"""Crash recovery: write-in-progress markers, verification of trial graphs, and locks.

Around every write a store records a marker (a :data:`MARKER_FILE` in an embedded store's
directory, or a ``tg:writeInProgress`` statement in a remote store's status graph) and
removes it after a clean finish. A marker found by the next writer means the last write
died: the trial graphs :func:`incomplete` names are dropped, so the next ingest reloads
them. The serve lock keeps writers out of a store that ``trialgraph serve`` reads.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from trialgraph.namespaces import STD, TG
from trialgraph.store.sparql import Term

#: The file that marks an embedded store as being written.
MARKER_FILE = "trialgraph-writing.json"
#: The file ``trialgraph serve`` holds a shared lock on while it serves a store read-only.
SERVE_LOCK = "trialgraph-serve.lock"

#: A marker whose text is not JSON: a write died while recording it.
_UNREADABLE: dict[str, object] = {"unreadable": True}


def marker_payload() -> dict[str, object]:
    """The marker of a write this process starts: its pid, host and start time."""
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def parse_marker(text: str) -> dict[str, object]:
    """A recorded marker; a torn one still means a write died."""
    try:
        data: dict[str, object] = json.loads(text)
    except ValueError:
        return dict(_UNREADABLE)
    return data


def read_marker_file(directory: Path) -> dict[str, object] | None:
    """The marker in a store directory, if there is one."""
    try:
        text = (directory / MARKER_FILE).read_text("utf-8")
    except FileNotFoundError:
        return None
    return parse_marker(text)


def write_marker_file(directory: Path, payload: dict[str, object] | None) -> None:
    """Record ``payload`` as the store directory's marker, or remove it (``None``)."""
    marker = directory / MARKER_FILE
    if payload is None:
        marker.unlink(missing_ok=True)
        return
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload), "utf-8")
    tmp.replace(marker)  # atomic: the marker is whole or absent


def incomplete(
    sizes: Iterable[tuple[Term | None, ...]], facts: Iterable[tuple[Term | None, ...]]
) -> list[str]:
    """Graphs that fail verification, from ``SIZES_QUERY`` and ``SELF_QUERY`` rows.

    A complete trial graph is typed ``tg:TrialGraph`` and has exactly one ``tg:checksum``
    and exactly one ``tg:quadCount``, equal to the number of quads it holds.
    """
    actual: dict[str, int] = {}
    for g, n in sizes:
        if isinstance(g, NamedNode) and isinstance(n, Literal):
            actual[g.value] = int(n.value)
    typed: set[str] = set()
    checksums: dict[str, int] = {}
    counts: dict[str, list[str]] = {}
    for g, p, o in facts:
        if not isinstance(g, NamedNode):
            continue
        if p == STD.rdf_type and o == TG.TrialGraph:
            typed.add(g.value)
        elif p == TG.checksum:
            checksums[g.value] = checksums.get(g.value, 0) + 1
        elif p == TG.quadCount and isinstance(o, Literal):
            counts.setdefault(g.value, []).append(o.value)

    def complete(g: str, n: int) -> bool:
        declared = counts.get(g, [])
        return g in typed and checksums.get(g) == 1 and len(declared) == 1 and declared[0] == str(n)

    return sorted(g for g, n in actual.items() if not complete(g, n))


# ---------------------------------------------------------------------------------------
# locks


def is_lock_error(error: OSError) -> bool:
    """Whether Oxigraph refused to open a store because another process holds its lock."""
    text = str(error)
    return "LOCK" in text or "lock hold" in text or "Resource temporarily unavailable" in text


def locked_message(path: Path) -> str:
    """What to tell a user whose store another process is writing."""
    return (
        f"store {path} is locked: another trialgraph process (probably an ingest) is "
        "writing it; wait for it to finish, or serve the store and use --endpoint"
    )


def hold_serve_lock(path: Path) -> int:
    """Take a shared lock that keeps writers out of a store while a server reads it.

    Returns the inheritable descriptor that holds it: a server process started with
    ``os.exec*`` keeps the lock for its lifetime. Read-only servers share the lock; a
    writer (:class:`~trialgraph.store.EmbeddedStore`) is refused while any holds it,
    because the Oxigraph server opens a store read-only without a lock of its own.
    """
    fd = os.open(path / SERVE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_SH)
    os.set_inheritable(fd, True)
    return fd


def served(path: Path) -> bool:
    """Whether a read-only server holds :func:`hold_serve_lock` on the store."""
    try:
        fd = os.open(path / SERVE_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock if it was taken
    return False
