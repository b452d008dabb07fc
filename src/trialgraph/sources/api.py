"""A polite client for the ClinicalTrials.gov API v2 that lands what it fetches on disk.

:func:`land` pages ``GET {api}/studies`` (``format=json``, ``pageSize=1000``,
``countTotal=true``, then each page's ``nextPageToken``) and writes the studies as JSON Lines
to a file of the landing folder as the pages arrive, under a temporary name that becomes the
final one only once the last page is written. The ingest flow reads the file as any other
source. :class:`PoliteClient` sends one request at a time, at least ``interval`` seconds
apart (the registry's robots.txt asks for one second), and retries a 429, a 5xx or a dropped
connection with exponential backoff, honouring ``Retry-After``; when the retries run out it
raises :class:`ApiError` with a one-line reason.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from trialgraph import __version__, defaults

#: The registry's API; ``--api-url`` names a mirror (or a test server) instead.
DEFAULT_API = defaults.REGISTRY_API
#: Studies per page: the API's maximum.
PAGE_SIZE = 1000
#: Seconds between two requests, as the registry's robots.txt asks.
DEFAULT_INTERVAL = defaults.PULL_INTERVAL
#: Retries of a request after its first attempt, and the first retry's delay in seconds
#: (doubled at each retry).
RETRIES = 5
BACKOFF = 2.0
#: The longest ``Retry-After`` honoured, in seconds.
MAX_RETRY_AFTER = 600.0
USER_AGENT = f"trialgraph/{__version__} (+https://pypi.org/project/trialgraph/; python-httpx)"
#: Statuses worth a retry: rate limited, or the server's trouble.
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class ApiError(Exception):
    """The API could not be read: its answer was not a page, or the retries ran out."""


@dataclass(frozen=True, slots=True)
class ApiQuery:
    """A query of ``/studies``: the API's address and the query options, as the user gave them.

    Its :meth:`digest` identifies it in the store (its watermark) and in landing file names.
    """

    api: str = DEFAULT_API
    cond: str | None = None
    term: str | None = None
    intr: str | None = None
    status: str | None = None
    filter: str | None = None

    def text(self) -> str:
        """The query as canonical JSON (options left out are not written).

        >>> ApiQuery(cond="asthma").text()
        '{"api":"https://clinicaltrials.gov/api/v2","cond":"asthma"}'
        """
        fields = {k: v for k, v in asdict(self).items() if v}
        return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def digest(self) -> str:
        """Sixteen hex digits of the SHA-256 of :meth:`text`."""
        return hashlib.sha256(self.text().encode("utf-8")).hexdigest()[:16]

    def params(self, since: date | None = None) -> dict[str, str]:
        """The first page's query parameters; ``since`` adds a ``LastUpdatePostDate`` range.

        >>> ApiQuery(status="RECRUITING", filter="AREA[Phase]PHASE3").params(date(2025, 1, 2))
        ... # doctest: +NORMALIZE_WHITESPACE
        {'format': 'json', 'pageSize': '1000', 'countTotal': 'true',
         'filter.overallStatus': 'RECRUITING',
         'filter.advanced': '(AREA[Phase]PHASE3) AND AREA[LastUpdatePostDate]RANGE[2025-01-02,MAX]'}
        """
        params = {"format": "json", "pageSize": str(PAGE_SIZE), "countTotal": "true"}
        named = {
            "query.cond": self.cond,
            "query.term": self.term,
            "query.intr": self.intr,
            "filter.overallStatus": self.status,
        }
        params.update({k: v for k, v in named.items() if v})
        advanced = since_filter(self.filter, since)
        if advanced:
            params["filter.advanced"] = advanced
        return params


def since_filter(user: str | None, since: date | None) -> str | None:
    """The ``filter.advanced`` expression: the user's, AND-joined with the ``since`` range.

    >>> since_filter(None, date(2024, 5, 1))
    'AREA[LastUpdatePostDate]RANGE[2024-05-01,MAX]'
    """
    if since is None:
        return user or None
    window = f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]"
    return f"({user}) AND {window}" if user else window


class PoliteClient:
    """GETs JSON from the API one request at a time, spaced and retried (see the module).

    ``sleep`` and ``clock`` are the waits and the time it measures them with.
    """

    def __init__(
        self,
        api: str,
        interval: float = DEFAULT_INTERVAL,
        *,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api.rstrip("/")
        self.interval = interval
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._clock = clock
        self._last: float | None = None
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def get_json(self, path: str, params: dict[str, str]) -> Any:
        """The decoded JSON body of ``GET {api}{path}?params``, retried as the module says."""
        url = self.api + path
        attempt = 0
        while True:
            self._wait(self.interval)
            try:
                response = self._http.get(url, params=params)
                response.read()
            except httpx.TransportError as error:
                problem, delay = f"{type(error).__name__}: {error}", None
            else:
                if response.status_code not in _RETRY_STATUS:
                    return _decoded(response)
                problem = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                delay = retry_after(response.headers.get("Retry-After"))
            if attempt >= self.retries:
                raise ApiError(f"GET {url} failed after {attempt + 1} attempts: {problem}")
            self._wait(self.backoff * 2**attempt if delay is None else delay)
            attempt += 1

    def _wait(self, seconds: float) -> None:
        """Sleep until ``seconds`` have passed since the last request, then note the time."""
        if self._last is not None:
            left = self._last + seconds - self._clock()
            if left > 0:
                self._sleep(left)
        self._last = self._clock()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def retry_after(value: str | None) -> float | None:
    """The delay a ``Retry-After`` header asks for, in seconds (capped), or ``None``.

    >>> retry_after("0"), retry_after("12"), retry_after("soon"), retry_after(None)
    (0.0, 12.0, None, None)
    """
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value.strip()), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER)


def _decoded(response: httpx.Response) -> Any:
    """The JSON of a final answer; any status other than 200 is an error."""
    if response.status_code != 200:
        snippet = response.text[:200].replace("\n", " ")
        raise ApiError(
            f"GET {response.url} answered HTTP {response.status_code} "
            f"{response.reason_phrase}: {snippet}".rstrip(": ")
        )
    try:
        return response.json()
    except ValueError as error:
        raise ApiError(f"GET {response.url} answered something that is not JSON: {error}") from None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of studies, and the total the first page announces."""

    studies: list[dict[str, Any]]
    total: int | None


def pages(client: PoliteClient, params: dict[str, str]) -> Iterator[Page]:
    """Every page of ``/studies`` for ``params``, following ``nextPageToken``."""
    token: str | None = None
    number = 1
    while True:
        body = client.get_json("/studies", {**params, "pageToken": token} if token else params)
        page = _page(body, number)
        yield page
        next_token = body.get("nextPageToken")
        if not next_token:
            return
        token, number = str(next_token), number + 1


def _page(body: Any, number: int) -> Page:
    """A decoded body as a :class:`Page`, or an :class:`ApiError` saying what is wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("studies"), list):
        raise ApiError(f"page {number} is not an API v2 page: it has no 'studies' list")
    studies = body["studies"]
    if not all(isinstance(s, dict) for s in studies):
        raise ApiError(f"page {number} is not an API v2 page: a study is not a JSON object")
    total = body.get("totalCount")
    return Page(studies, total if isinstance(total, int) else None)


def last_update(study: dict[str, Any]) -> date | None:
    """A study's ``LastUpdatePostDate``, if it states a full date."""
    text: Any = study
    for key in ("protocolSection", "statusModule", "lastUpdatePostDateStruct", "date"):
        text = text.get(key) if isinstance(text, dict) else None
    try:
        return date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Landed:
    """What a pull wrote: the landing file (``None`` when no study came), its studies and
    the latest ``LastUpdatePostDate`` among them."""

    path: Path | None
    studies: int
    latest: date | None


def land(
    client: PoliteClient,
    query: ApiQuery,
    since: date | None,
    directory: Path,
    progress: Callable[[int, int | None], None] | None = None,
) -> Landed:
    """Fetch every page of ``query`` (updated on or after ``since``) into a landing file.

    The file, ``pull-<digest>-<time>.jsonl`` in ``directory``, is written as
    ``<name>.part`` and renamed when the last page is in; a part file that an earlier pull
    of the same query left (it was stopped, or failed) is removed first, as nothing in it
    was loaded. ``progress`` is called after each page with the studies so far and the
    announced total.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(f"pull-{query.digest()}-*.jsonl.part"):
        stale.unlink()
    final = _landing_name(directory, query)
    part = final.with_name(final.name + ".part")
    count, latest, total = 0, None, None
    with part.open("w", encoding="utf-8") as out:
        for page in pages(client, query.params(since)):
            total = page.total if total is None else total
            for study in page.studies:
                out.write(json.dumps(study, ensure_ascii=False, separators=(",", ":")) + "\n")
                updated = last_update(study)
                if updated is not None and (latest is None or updated > latest):
                    latest = updated
            out.flush()
            count += len(page.studies)
            if progress is not None:
                progress(count, total)
    if count == 0:
        part.unlink()
        return Landed(None, 0, None)
    part.replace(final)
    return Landed(final, count, latest)


def _landing_name(directory: Path, query: ApiQuery) -> Path:
    """A landing file name no earlier pull of ``query`` has taken."""
    stem = f"pull-{query.digest()}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    path, n = directory / f"{stem}.jsonl", 1
    while path.exists():
        path, n = directory / f"{stem}-{n}.jsonl", n + 1
    return path


def watermark(latest: date | None, previous: date | None) -> date | None:
    """The next pull's start: a day before ``latest``, never earlier than ``previous``.

    >>> watermark(date(2025, 3, 10), date(2025, 1, 1)), watermark(None, date(2025, 1, 1))
    (datetime.date(2025, 3, 9), datetime.date(2025, 1, 1))
    """
    if latest is None:
        return previous
    moved = latest - timedelta(days=1)
    return moved if previous is None or moved > previous else previous


class FetchProgress:
    """Studies fetched of the announced total: a bar on a terminal, a line per page otherwise."""

    def __init__(self, enabled: bool) -> None:
        self._bar: Any = None
        self._log = enabled
        if enabled and sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self._bar = Progress(
                "fetching", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            )
            self._bar.start()
            self._task = self._bar.add_task("pull", total=None)

    def __call__(self, done: int, total: int | None) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)
        elif self._log:
            of = f" of {total:,}" if total is not None else ""
            print(f"pull: {done:,}{of} studies fetched", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Stop the bar."""
        if self._bar is not None:
            self._bar.stop()
