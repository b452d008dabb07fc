"""Freed heap pages go back to the operating system (trialgraph.heap)."""

from __future__ import annotations

import psutil
import pytest

from trialgraph import heap

glibc = pytest.mark.skipif(heap._malloc_trim() is None, reason="the C library has no malloc_trim")


@glibc
def test_release_returns_the_pages_of_freed_objects_below_live_ones() -> None:
    process = psutil.Process()
    # 1 KiB objects come from malloc's heap, not Python's own arenas; the one kept after
    # them pins the top of the heap, so free() alone cannot shrink it
    freed = [bytes(1024) + bytes([i % 256]) for i in range(100_000)]
    pin = bytes(1024) + b"pin"
    before = process.memory_info().rss
    del freed
    kept = process.memory_info().rss
    assert heap.release() is True
    after = process.memory_info().rss
    print(f"rss: {before >> 20} MiB, after del {kept >> 20}, after release {after >> 20}")
    assert kept - after > 50 * 2**20  # of about 100 MiB freed
    assert pin.endswith(b"pin")
