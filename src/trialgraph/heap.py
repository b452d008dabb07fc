"""Handing freed memory back to the operating system between batches.

A batch's mapping builds and drops a few hundred megabytes of small objects (terms,
quads, strings, an in-memory store). glibc's allocator keeps the pages they leave free,
so without help each worker process, and the flow's loading process, stays at its largest
batch's size for the rest of the run, and a run's resident memory is the sum of those
high-water marks. :func:`release` asks the allocator to return its free pages
(``malloc_trim``); elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or ``None`` where the C library has none (musl, macOS,
    Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)  # the C library this process already runs on
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim  # type: ignore[no-any-return]


def release() -> bool:
    """Return the allocator's free pages to the operating system; whether any were.

    Takes a few milliseconds: meant once a batch, never once a record.
    """
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
