"""Handing freed memory back to the operating system between batches.

Loading a batch builds and drops a few hundred megabytes (the bulk loader's buffers, a
decoded batch, its concepts). glibc's allocator keeps the pages they leave free, so the
loading process would stay at its largest batch's size for the rest of the run, on top of
what the store itself holds. :func:`release` asks the allocator to return its free pages
(``malloc_trim``); elsewhere than glibc it does nothing. The loader calls it after every
batch (:meth:`trialgraph.pipeline.Loader.load_encoded`). Worker processes do not: their
peak is reached inside a batch, which trimming after it does not lower, and each trim makes
the next batch fault its pages in again (BENCHMARKS.md)."""

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
