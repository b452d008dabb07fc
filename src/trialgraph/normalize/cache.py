"""Built vocabularies kept between processes, as pickles in a cache directory.

Building the large lookup tables from the packaged data files (the conditions' MONDO and
MeSH names, the HGNC targets, the drug index) costs every process that maps records
about two seconds; reading them back from a pickle, a fraction of one. A builder wrapped
in :func:`vocabulary` runs once per process, as with ``functools.cache``, and its result
is also written to ``NAME-DIGEST.pickle`` in the cache directory, where the next process
reads it instead of building.

``DIGEST`` covers the graph version (:mod:`trialgraph.fingerprint`: the package's version
and the bytes of its mapping code and data files) and Python's version, so any change to
the code or the data that could build another table names another file (the older file
of the same vocabulary is deleted when the new one is written).

``TRIALGRAPH_CACHE_DIR`` names the directory (default: ``$XDG_CACHE_HOME/trialgraph``, or
``~/.cache/trialgraph``); an empty value turns the cache off. A file that cannot be read
is built again and replaced; a directory that cannot be written leaves each process
building its own tables. Pickles run code when read, so the directory must be writable by
its user alone, as a home directory's cache is.

The cyclic garbage collector is paused while a vocabulary is built or read: it would walk
the hundreds of thousands of new objects again and again for nothing, as none of them
forms a cycle to collect.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

from trialgraph.fingerprint import graph_version

log = logging.getLogger(__name__)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

#: The environment variable naming the cache directory ("" turns the cache off).
CACHE_DIR_VARIABLE = "TRIALGRAPH_CACHE_DIR"


def cache_dir() -> Path | None:
    """The directory vocabularies are kept in, or ``None`` when the cache is off."""
    chosen = os.environ.get(CACHE_DIR_VARIABLE)
    if chosen is not None:
        return Path(chosen) if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trialgraph"


@functools.cache
def fingerprint() -> str:
    """A digest of what the vocabularies are built by and from (the graph version, which
    covers the package's version, its mapping code and its data files) and of the Python
    that pickled them."""
    text = f"{graph_version()}\n{sys.version}\n{pickle.HIGHEST_PROTOCOL}"
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(path: Path) -> tuple[bool, Any]:
    """``(True, value)`` from a readable cache file, else ``(False, None)``."""
    try:
        with path.open("rb") as file:
            return True, pickle.load(file)
    except FileNotFoundError:
        return False, None
    except Exception as error:  # truncated, or written by something else: build it again
        log.warning("vocabulary cache %s unreadable (%s); building it again", path, error)
        return False, None


def _write(directory: Path, name: str, path: Path, value: object) -> None:
    """Write ``value`` to ``path`` whole (a temporary file, renamed), and delete the older
    files of the same vocabulary; a directory that cannot be written is left alone."""
    part: Path | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f"{name}-", suffix=".part")
        part = Path(temporary)
        with open(descriptor, "wb") as file:  # noqa: PTH123 (a descriptor)
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        part.replace(path)
        part = None
        for older in directory.glob(f"{name}-*.pickle"):
            if older != path:
                older.unlink(missing_ok=True)
    except Exception as error:  # the run goes on with the table it built
        log.info("vocabulary cache %s not written: %s", directory, error)
    finally:
        if part is not None:
            part.unlink(missing_ok=True)


def load(name: str, build: Callable[[], T]) -> T:
    """The vocabulary ``name``: read from the cache directory, or built and written there."""
    with _collector_paused():
        directory = cache_dir()
        if directory is None:
            return build()
        path = directory / f"{name}-{fingerprint()}.pickle"
        found, value = _read(path)
        if found:
            return value  # type: ignore[no-any-return]
        built = build()
        _write(directory, name, path, built)
        return built


class Vocabulary(Protocol[T_co]):
    """A vocabulary's builder as :func:`vocabulary` wraps it."""

    def __call__(self) -> T_co: ...

    def cache_clear(self) -> None:
        """Forget this process's copy (the next call reads the cache directory again)."""


def vocabulary(build: Callable[[], T]) -> Vocabulary[T]:
    """Decorate a vocabulary's builder: run once per process, kept between processes (see
    the module). The builder takes no arguments and returns data that pickles."""
    name = f"{build.__module__}.{build.__qualname__}"

    def built() -> T:
        return load(name, build)

    functools.update_wrapper(built, build)
    return functools.cache(built)


__all__ = ["CACHE_DIR_VARIABLE", "Vocabulary", "cache_dir", "fingerprint", "load", "vocabulary"]
