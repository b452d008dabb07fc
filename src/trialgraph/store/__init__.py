"""One interface over the embedded Oxigraph store and a remote SPARQL 1.1 server.

:class:`GraphStore` (:mod:`.interface`) is what the rest of trialgraph writes and
queries through; :class:`EmbeddedStore` (:mod:`.embedded`) wraps a pyoxigraph
:class:`~pyoxigraph.Store` (on disk, or in memory for tests) and :class:`RemoteStore`
(:mod:`.remote`) speaks the SPARQL 1.1 Query, Update and Graph Store protocols to a
server such as ``oxigraph serve``. Both take :class:`TrialGraph` (:mod:`.trial`) and
send the SPARQL of :mod:`.sparql`. :func:`open_store` picks one from the command line's
``--store`` / ``--endpoint``.

Guarantees, and why they hold:

* **Atomic replace.** :meth:`GraphStore.replace_trials` sends one SPARQL UPDATE per batch
  (``DELETE DATA`` of the quads stored graphs lose, then ``INSERT DATA`` of those they
  gain; a graph the backend does not read first is dropped and inserted whole). Oxigraph
  applies a whole update request in one transaction ("either the full operation succeeds,
  or nothing is written", ``Store.update``'s docstring; the server's ``/update`` runs the
  same code) and queries read from a snapshot, so a reader sees a trial graph before or
  after, never half of it. ``tests/test_store.py`` checks this with a concurrent reader.
* **Skip unchanged.** Every trial graph carries ``<graph> tg:checksum "..."``;
  :meth:`GraphStore.checksums` fetches them for a batch in one query.
* **Recoverable bulk loads.** :meth:`GraphStore.bulk_load` is the fast, non-transactional
  path for first loads. Around every write the store records a *write in progress* marker
  (:mod:`.recovery`), removed after a clean finish. If a marker is found, the previous
  writer died: :meth:`GraphStore.recover` drops every trial graph that fails verification
  (typed ``tg:TrialGraph``, has a ``tg:checksum``, and holds exactly ``tg:quadCount``
  quads), so the next ingest reloads it.
* **Readers never open an Oxigraph store read-only** while another process may write it
  (pyoxigraph calls that undefined behaviour): :func:`open_read_only` takes the normal
  write lock and waits for it, or fails with :class:`StoreLockedError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from trialgraph import defaults
from trialgraph.namespaces import (
    CONCEPTS_GRAPH,
    ONTOLOGY_GRAPH,
    PULLS_GRAPH,
    STATUS_GRAPH,
    SUMMARY_GRAPH,
)
from trialgraph.store.embedded import EmbeddedStore, open_read_only, open_waiting
from trialgraph.store.interface import GraphStore, StoreError, StoreLockedError, StoreNotFoundError
from trialgraph.store.recovery import MARKER_FILE, hold_serve_lock
from trialgraph.store.remote import RemoteStore, RemoteStoreError, derive_endpoints
from trialgraph.store.sparql import QueryResult, SelectResult, Term, replace_update
from trialgraph.store.trial import TrialGraph, with_quad_count

__all__ = [
    "CONCEPTS_GRAPH",
    "DEFAULT_STORE_DIR",
    "MARKER_FILE",
    "ONTOLOGY_GRAPH",
    "PULLS_GRAPH",
    "STATUS_GRAPH",
    "SUMMARY_GRAPH",
    "EmbeddedStore",
    "GraphStore",
    "QueryResult",
    "RemoteStore",
    "RemoteStoreError",
    "SelectResult",
    "StoreError",
    "StoreLockedError",
    "StoreNotFoundError",
    "Term",
    "TrialGraph",
    "default_store_dir",
    "derive_endpoints",
    "hold_serve_lock",
    "open_read_only",
    "open_store",
    "replace_update",
    "with_quad_count",
]

#: The default embedded store directory, unless ``TRIALGRAPH_STORE`` says otherwise.
DEFAULT_STORE_DIR = defaults.STORE_DIR


def default_store_dir() -> Path:
    """``$TRIALGRAPH_STORE``, else ``./trialgraph-store``."""
    return Path(os.environ.get(defaults.STORE_ENV) or DEFAULT_STORE_DIR)


def open_store(
    store: str | Path | None = None,
    endpoint: str | None = None,
    *,
    for_writing: bool,
    wait: bool = True,
    timeout: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
) -> EmbeddedStore | RemoteStore:
    """The store the command line asked for: ``--endpoint``, else ``--store``, else default.

    A writer creates the directory if needed; a reader requires it to exist. Either waits
    for another process's lock (``wait=True``, up to ``timeout`` seconds) or raises
    :class:`StoreLockedError`.
    """
    if store is not None and endpoint is not None:
        raise ValueError("give a store directory or an endpoint, not both")
    if endpoint is not None:
        return RemoteStore(endpoint)
    directory = Path(store) if store is not None else default_store_dir()
    if not for_writing:
        return open_read_only(directory, wait=wait, timeout=timeout, on_wait=on_wait)
    return open_waiting(
        directory, writable=True, wait=wait, timeout=timeout, poll=0.5, on_wait=on_wait
    )
