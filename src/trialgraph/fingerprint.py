"""What a trial graph is made from, as one short digest: the graph version.

A stored trial graph is the product of its record and of everything the mapping reads:
the package's code that parses, normalizes and maps records, its data tables
(``trialgraph/data``) and the prefix map that mints its IRIs. :func:`graph_version` digests
all of it, together with the package version, once per process. Record checksums and raw
digests fold it in (:mod:`trialgraph.records`), so a record read again after any of those
inputs changed no longer matches its stored graph and is mapped again, while an unchanged
install remaps nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from trialgraph import __version__

#: The package's code that turns raw bytes into quads: modules, and packages walked whole.
#: Code outside these (the store, the flow, the queries but the listings, exports, the CLI)
#: does not change what a record maps to.
MAPPING_CODE = (
    "records.py",
    "text.py",
    "namespaces.py",
    "listings.py",
    "mapping",
    "normalize",
    "sources",
)
#: Data the mapping reads: every packaged table (not the notes about them), and the prefix
#: map behind its IRIs.
MAPPING_DATA = ("data",)
ONTOLOGY_FILES = ("prefixes.json",)
#: The queries whose rows a trial graph states (:mod:`trialgraph.listings`).
LISTING_QUERIES = ("trials", "trial-endpoints", "trial-conditions", "trial-products")


def resource_dir(name: str) -> Path:
    """A directory shipped with the package (``ontology`` or ``queries``).

    In an installed wheel it sits inside the package; in a source checkout it is the
    repository's top-level folder of that name.
    """
    packaged = resources.files("trialgraph") / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / name


def mapping_inputs() -> Iterator[tuple[str, Traversable]]:
    """Every file the mapping reads or runs, by a name relative to the package, sorted."""
    package = resources.files("trialgraph")
    found: list[tuple[str, Traversable]] = []
    for name in (*MAPPING_CODE, *MAPPING_DATA):
        found.extend(_walk(name, package / name, code=name in MAPPING_CODE))
    ontology = resource_dir("ontology")
    found.extend((f"ontology/{name}", ontology / name) for name in ONTOLOGY_FILES)
    queries = resource_dir("queries")
    found.extend((f"queries/{name}.rq", queries / f"{name}.rq") for name in LISTING_QUERIES)
    return iter(sorted(found, key=lambda item: item[0]))


def _walk(name: str, node: Traversable, *, code: bool) -> Iterator[tuple[str, Traversable]]:
    if node.is_file():
        # code is its modules; data is its tables, not the prose beside them (SOURCES.md)
        if name.endswith(".py") if code else not name.endswith(".md"):
            yield name, node
    elif node.is_dir():
        for child in node.iterdir():
            if not child.name.startswith((".", "__pycache__")):
                yield from _walk(f"{name}/{child.name}", child, code=code)


@cache
def graph_version() -> str:
    """The package version and a digest of every mapping input, e.g. ``0.1.0+3f2a...``.

    Computed once per process (about 3 MB read and hashed).
    """
    digest = hashlib.blake2b(digest_size=8)
    for name, node in mapping_inputs():
        content = node.read_bytes()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return f"{__version__}+{digest.hexdigest()}"
