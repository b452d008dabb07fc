"""The remote backend: a SPARQL 1.1 server, over ``urllib``, with retries.

Queries expect the server's default graph to be the union of all graphs (``oxigraph
serve --union-default-graph``). A remote store has no lock: its write-in-progress
marker is a statement in the status graph.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import (
    Literal,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
    serialize,
)

from trialgraph.store import recovery
from trialgraph.store.interface import GraphStore, StoreError
from trialgraph.store.sparql import (
    STATUS_QUERY,
    QueryResult,
    SelectResult,
    select_rows,
    status_update,
)
from trialgraph.store.trial import TrialGraph

log = logging.getLogger(__name__)

#: Quads per HTTP request on a remote bulk load.
REMOTE_BULK_CHUNK = 200_000


class RemoteStoreError(StoreError):
    """A SPARQL server refused a request or could not be reached."""

    def __init__(self, url: str, status: int | None, message: str) -> None:
        self.url = url
        self.status = status
        self.message = message
        where = f"HTTP {status} from {url}" if status is not None else f"cannot reach {url}"
        super().__init__(f"{where}: {message}")


def derive_endpoints(url: str) -> tuple[str, str, str]:
    """Query, update and graph-store URLs of an Oxigraph-style server.

    >>> derive_endpoints("http://127.0.0.1:7878")
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    >>> derive_endpoints("http://h:7878/query")[2]
    'http://h:7878/store'
    """
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")
    for tail in ("/query", "/sparql"):
        if path.endswith(tail):
            path = path[: -len(tail)]
            break

    def at(name: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"{path}/{name}", "", ""))

    return at("query"), at("update"), at("store")


class RemoteStore(GraphStore):
    """A SPARQL 1.1 server (Query, Update and Graph Store protocols), over ``urllib``.

    ``query_url`` may be a server's base URL (``http://host:7878``) or its query endpoint;
    missing update and store URLs are derived the way ``oxigraph serve`` lays them out.
    Requests that fail to connect or get a 5xx answer are retried with exponential
    backoff; every write trialgraph sends is idempotent (``DROP`` + ``INSERT DATA``, or
    adding quads without blank nodes), so a retried write cannot double anything.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        store_url: str | None = None,
        *,
        timeout: float = 300.0,
        retries: int = 4,
        backoff: float = 0.5,
    ) -> None:
        derived = derive_endpoints(query_url)
        path = urllib.parse.urlsplit(query_url).path.rstrip("/")
        self.query_url = query_url if path.endswith(("/query", "/sparql")) else derived[0]
        self.update_url = update_url or derived[1]
        self.store_url = store_url or derived[2]
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def _request(
        self,
        url: str,
        body: bytes,
        content_type: str,
        accept: str | None = None,
        out: BinaryIO | None = None,
    ) -> tuple[str, bytes]:
        """POST ``body``; the response's content type and bytes, or, with ``out`` and an
        answer of the type ``accept`` names first, its bytes copied there as they arrive
        (and ``b""``). Retries transient failures (before the answer, for a copied one)."""
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    kind = response.headers.get("Content-Type", "")
                    wanted = (accept or "").split(",")[0].strip()
                    if out is None or not kind.startswith(wanted):
                        return kind, response.read()
                    shutil.copyfileobj(response, out, 1 << 20)
                    return kind, b""
            except urllib.error.HTTPError as error:
                message = error.read().decode("utf-8", "replace").strip()[:2000]
                if error.code < 500 or attempt >= self.retries:
                    raise RemoteStoreError(url, error.code, message or error.reason) from None
                failure: Exception = RemoteStoreError(url, error.code, message)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                reason = getattr(error, "reason", error)
                if attempt >= self.retries:
                    raise RemoteStoreError(url, None, str(reason)) from None
                failure = error
            delay = self.backoff * 2**attempt
            log.info("retrying %s in %.1f s after: %s", url, delay, failure)
            time.sleep(delay)
            attempt += 1

    def _query(self, sparql: str) -> QueryResult:
        """Run a query on the server (whose default graph should be the union of graphs).

        SELECT and ASK come back as SPARQL JSON results, parsed into pyoxigraph terms;
        CONSTRUCT and DESCRIBE as N-Triples.
        """
        content_type, body = self._request(
            self.query_url,
            sparql.encode("utf-8"),
            "application/sparql-query",
            "application/sparql-results+json, application/n-triples;q=0.9",
        )
        if content_type.startswith("application/sparql-results+json"):
            parsed = parse_query_results(body, QueryResultsFormat.JSON)
            if isinstance(parsed, QueryBoolean):
                return bool(parsed)
            return select_rows(parsed)
        if content_type.startswith("application/n-triples"):
            return (q.triple for q in parse(body, RdfFormat.N_TRIPLES))
        raise RemoteStoreError(self.query_url, 200, f"unexpected content type {content_type!r}")

    def write_csv(self, sparql: str, out: BinaryIO) -> bool:
        """The server serializes the rows (``Accept: text/csv``); they are copied to ``out``.

        An ASK or CONSTRUCT, which has no CSV form, is answered in another type and not copied.
        """
        kind, _ = self._request(
            self.query_url,
            sparql.encode("utf-8"),
            "application/sparql-query",
            "text/csv, application/sparql-results+json;q=0.1, application/n-triples;q=0.1",
            out,
        )
        return kind.startswith("text/csv")

    def _update(self, sparql: str) -> None:
        self._request(self.update_url, sparql.encode("utf-8"), "application/sparql-update")

    def _set_marker(self, payload: dict[str, object] | None) -> None:
        """The marker is a ``tg:writeInProgress`` statement in the status graph."""
        self._update(status_update(None if payload is None else json.dumps(payload)))

    def write_marker(self) -> dict[str, object] | None:
        result = self.query(STATUS_QUERY)
        assert isinstance(result, SelectResult)
        for (value,) in result:
            if isinstance(value, Literal):
                return recovery.parse_marker(value.value)
        return None

    def bulk_load(self, batches: Iterable[Sequence[TrialGraph]]) -> None:
        """Load trials with ``POST /store?no_transaction`` (Oxigraph's bulk path), in chunks.

        Chunks of about :data:`REMOTE_BULK_CHUNK` quads as N-Quads. A server without the
        ``no_transaction`` option would still load the data, transactionally.
        """
        self._bulk_load(batches, REMOTE_BULK_CHUNK)

    def _bulk_send(self, quads: list[Quad]) -> None:
        body = serialize(quads, format=RdfFormat.N_QUADS)
        assert body is not None
        self._bulk_send_nquads(body)

    def _bulk_send_nquads(self, nquads: bytes | Path) -> None:
        url = self.store_url + ("&" if "?" in self.store_url else "?") + "no_transaction"
        body = nquads.read_bytes() if isinstance(nquads, Path) else nquads
        self._request(url, body, "application/n-quads")

    def is_empty(self) -> bool:
        """Whether the server's named graphs hold no quads."""
        return not self.query("ASK { GRAPH ?g { ?s ?p ?o } }")

    def close(self) -> None:
        """Nothing to release: every request opens its own connection."""
