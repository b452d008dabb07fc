"""``trialgraph pull`` against a fixture API v2 server on 127.0.0.1 serving real studies.

The server (:class:`FixtureApi`, a real HTTP server on a thread) serves studies of the
corpus's API v2 JSON with the API's paging (``pageSize``, ``pageToken`` and
``nextPageToken``, ``countTotal`` and ``totalCount``) and the ``LastUpdatePostDate`` range of
``filter.advanced``, and can be told to fail: answer 429, send a page that is not JSON,
drop the connection part-way through a page. Pulls run as ``trialgraph`` subprocesses
into a real on-disk store, or as :func:`~trialgraph.sources.api.land` calls in this
process; nothing is mocked.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pyoxigraph import Literal, Quad
from tests.conftest import DATA
from tests.flows.test_ingest import run_trialgraph

from trialgraph import __version__
from trialgraph.namespaces import STD
from trialgraph.pull import stored_watermark
from trialgraph.sources.api import ApiError, ApiQuery, PoliteClient, land, last_update
from trialgraph.store import EmbeddedStore, SelectResult, open_store

STUDIES = json.loads((DATA / "ctgov-json" / "nsclc-studies.json").read_text("utf-8"))
_RANGE = re.compile(r"^AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),MAX\]$")


class FixtureApi:
    """The studies the server holds, the faults it is to answer with, the requests it got.

    ``faults`` is consumed one per request: ``"429"``, ``"malformed"``, ``"drop"``, or
    ``None`` for a normal answer. ``max_page`` caps ``pageSize`` so that a few dozen studies
    take several pages.
    """

    def __init__(self, studies: list[dict[str, Any]], max_page: int = 25) -> None:
        self.studies = {nct(s): s for s in studies}
        self.max_page = max_page
        self.faults: list[str | None] = []
        self.requests: list[dict[str, str]] = []
        self.times: list[float] = []
        self.agents: list[str] = []
        self.served: list[str] = []
        self.lock = threading.Lock()

    def page(self, params: dict[str, str]) -> dict[str, Any]:
        """The page ``params`` ask for, as the API v2 would answer it."""
        matching = [s for _, s in sorted(self.studies.items()) if self._matches(s, params)]
        size = min(int(params.get("pageSize", "10")), self.max_page)
        start = int(params.get("pageToken", "page-0").removeprefix("page-"))
        body: dict[str, Any] = {"studies": matching[start : start + size]}
        if params.get("countTotal") == "true" and "pageToken" not in params:
            body["totalCount"] = len(matching)
        if start + size < len(matching):
            body["nextPageToken"] = f"page-{start + size}"
        self.served.extend(nct(s) for s in body["studies"])
        return body

    def _matches(self, study: dict[str, Any], params: dict[str, str]) -> bool:
        advanced = params.get("filter.advanced")
        if advanced is None:
            return True
        found = _RANGE.match(advanced)
        if found is None:
            raise ValueError(f"the fixture knows no filter {advanced!r}")
        updated = last_update(study)
        return updated is not None and updated >= date.fromisoformat(found.group(1))


def nct(study: dict[str, Any]) -> str:
    return str(study["protocolSection"]["identificationModule"]["nctId"])


def _handler(api: FixtureApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read the requests from the fixture."""

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(url.query).items()}
            with api.lock:
                api.requests.append(params)
                api.times.append(time.monotonic())
                api.agents.append(self.headers.get("User-Agent", ""))
                fault = api.faults.pop(0) if api.faults else None
                if url.path != "/api/v2/studies":
                    self._send(404, b"not found")
                elif fault == "429":
                    self._send(429, b"slow down", {"Retry-After": "0"})
                elif fault == "malformed":
                    self._send(200, b'{"studies": [{"protocolSection": ')
                else:
                    self._answer(json.dumps(api.page(params)).encode(), fault == "drop")

        def _answer(self, body: bytes, drop: bool) -> None:
            if not drop:
                self._send(200, body)
                return
            self.send_response(200)  # announce the whole body, send half, hang up
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def api() -> Iterator[tuple[FixtureApi, str]]:
    """A fixture API holding the first 60 studies of the corpus, and its base URL."""
    fixture = FixtureApi(copy.deepcopy(STUDIES[:60]))
    server = HTTPServer(("127.0.0.1", 0), _handler(fixture))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fixture, f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    finally:
        server.shutdown()
        server.server_close()


def _pull(url: str, tmp_path: Path, env: dict[str, str], *extra: str) -> Any:
    args = ["pull", "--api-url", url, "--store", str(tmp_path / "store")]
    args += ["--landing", str(tmp_path / "landing"), "--interval", "0.01", "--no-progress"]
    return run_trialgraph(*args, *extra, env=env, cwd=tmp_path)


def _mark(tmp_path: Path, url: str) -> date | None:
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        return stored_watermark(store, ApiQuery(url))


def _quads(tmp_path: Path) -> set[Quad]:
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        assert isinstance(store, EmbeddedStore)
        return set(store.store)


def _title(tmp_path: Path, trial: str) -> str:
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        result = store.query(
            f"SELECT ?t WHERE {{ ?x <{STD.label.value}> ?t ; "
            f"<https://w3id.org/trialgraph/ontology#nctId> {Literal(trial)} }}"
        )
        assert isinstance(result, SelectResult)
        return "; ".join(t.value for (t,) in result if isinstance(t, Literal))


def _landed(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "landing").glob("*"))


def _change(study: dict[str, Any], updated: date) -> None:
    """Give ``study`` a new title and a new ``LastUpdatePostDate``."""
    section = study["protocolSection"]
    section["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated.isoformat()
    section["identificationModule"]["briefTitle"] = "Changed: " + nct(study)


@pytest.mark.slow
def test_pulls_fetch_what_changed_since_the_watermark(
    api: tuple[FixtureApi, str], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    fixture, url = api
    first = _pull(url, tmp_path, cli_env)
    assert first.returncode == 0, first.stderr
    assert len(fixture.requests) == 3  # 60 studies, 25 a page
    assert "filter.advanced" not in fixture.requests[0]
    assert fixture.requests[0]["pageSize"] == "1000"
    assert fixture.requests[0]["countTotal"] == "true"
    assert [r.get("pageToken") for r in fixture.requests] == [None, "page-25", "page-50"]
    assert all(a.startswith(f"trialgraph/{__version__} ") for a in fixture.agents)
    files = _landed(tmp_path)
    assert [f.suffix for f in files] == [".jsonl"]
    assert len(files[0].read_text("utf-8").splitlines()) == 60
    latest = max(d for s in STUDIES[:60] if (d := last_update(s)))
    assert _mark(tmp_path, url) == latest - timedelta(days=1)
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        assert store.trial_count() == 60

    newer = latest + timedelta(days=30)
    changed = [STUDIES[3], STUDIES[40]]
    for study in changed:
        _change(fixture.studies[nct(study)], newer)
    added = copy.deepcopy(STUDIES[60])
    added["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = str(newer)
    fixture.studies[nct(added)] = added
    overlap = {nct(s) for s in STUDIES[:60] if last_update(s) == latest} - {nct(s) for s in changed}
    assert overlap  # a study of the latest day comes again
    fixture.requests.clear()
    fixture.served.clear()

    second = _pull(url, tmp_path, cli_env)
    assert second.returncode == 0, second.stderr
    since = latest - timedelta(days=1)
    assert fixture.requests[0]["filter.advanced"] == (f"AREA[LastUpdatePostDate]RANGE[{since},MAX]")
    fetched = {nct(s) for s in (*changed, added)}
    recent = {nct(s) for s in STUDIES[:60] if (last_update(s) or date.min) >= since}
    assert fetched <= set(fixture.served) <= fetched | recent
    assert overlap <= set(fixture.served)
    assert re.search(r"loaded: +3\n", second.stdout), second.stdout
    assert _title(tmp_path, nct(changed[0])) == "Changed: " + nct(changed[0])
    assert _mark(tmp_path, url) == newer - timedelta(days=1)
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        assert store.trial_count() == 61
    assert len(_landed(tmp_path)) == 2

    before = _quads(tmp_path)
    fixture.requests.clear()
    third = _pull(url, tmp_path, cli_env)
    assert third.returncode == 0, third.stderr
    assert fixture.requests[0]["filter.advanced"] == (
        f"AREA[LastUpdatePostDate]RANGE[{newer - timedelta(days=1)},MAX]"
    )
    assert re.search(r"loaded: +0\n", third.stdout), third.stdout
    assert _quads(tmp_path) == before
    assert _mark(tmp_path, url) == newer - timedelta(days=1)


@pytest.mark.slow
def test_a_malformed_page_fails_clearly_and_the_next_pull_restarts(
    api: tuple[FixtureApi, str], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    fixture, url = api
    fixture.faults = [None, "malformed"]
    failed = _pull(url, tmp_path, cli_env)
    assert failed.returncode == 2
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and "not JSON" in lines[0], failed.stderr
    assert [f.name.endswith(".jsonl.part") for f in _landed(tmp_path)] == [True]
    assert _mark(tmp_path, url) is None
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        assert store.trial_count() == 0

    again = _pull(url, tmp_path, cli_env)
    assert again.returncode == 0, again.stderr
    assert [f.suffix for f in _landed(tmp_path)] == [".jsonl"]  # the part file is gone
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        assert store.trial_count() == 60
    assert _mark(tmp_path, url) is not None


def _land(url: str, tmp_path: Path, **client: Any) -> Any:
    with PoliteClient(url, client.pop("interval", 0.0), **client) as polite:
        return land(polite, ApiQuery(url), None, tmp_path / "landing")


def _landed_ids(path: Path) -> list[str]:
    return [nct(json.loads(line)) for line in path.read_text("utf-8").splitlines()]


def test_429_is_retried_after_the_delay_it_asks(
    api: tuple[FixtureApi, str], tmp_path: Path
) -> None:
    fixture, url = api
    fixture.faults = [None, "429", None]
    landed = _land(url, tmp_path, backoff=30.0)  # Retry-After: 0 overrides the backoff
    assert landed.studies == 60
    assert _landed_ids(landed.path) == sorted(fixture.studies)
    assert [r.get("pageToken") for r in fixture.requests] == [None, "page-25", "page-25", "page-50"]


def test_a_dropped_connection_is_retried_and_nothing_is_lost_or_doubled(
    api: tuple[FixtureApi, str], tmp_path: Path
) -> None:
    fixture, url = api
    fixture.faults = [None, "drop", None]
    landed = _land(url, tmp_path, backoff=0.01)
    assert _landed_ids(landed.path) == sorted(fixture.studies)
    assert len(fixture.requests) == 4


def test_requests_are_spaced_by_the_interval(api: tuple[FixtureApi, str], tmp_path: Path) -> None:
    fixture, url = api
    _land(url, tmp_path, interval=0.3)
    gaps = [b - a for a, b in zip(fixture.times, fixture.times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.29


def test_a_server_that_is_down_is_one_line_after_the_retries(tmp_path: Path) -> None:
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/api/v2"
    with pytest.raises(ApiError) as raised:
        _land(url, tmp_path, retries=2, backoff=0.01)
    message = str(raised.value)
    assert "failed after 3 attempts" in message and "\n" not in message
    assert not list((tmp_path / "landing").glob("*.jsonl"))


def test_a_client_error_is_not_retried(api: tuple[FixtureApi, str], tmp_path: Path) -> None:
    fixture, url = api
    broken = url.replace("/api/v2", "/api/v2/missing")
    with pytest.raises(ApiError, match="HTTP 404"):
        _land(broken, tmp_path, retries=1, backoff=0.01)
    assert len(fixture.requests) == 1  # a 404 is not retried


def test_the_watermark_is_kept_per_query_and_survives_recovery() -> None:
    from trialgraph.pull import record_watermark
    from trialgraph.store import PULLS_GRAPH

    store = EmbeddedStore()
    asthma, copd = ApiQuery(cond="asthma"), ApiQuery(cond="copd")
    record_watermark(store, asthma, date(2025, 1, 1))
    record_watermark(store, asthma, date(2025, 2, 1))
    record_watermark(store, copd, date(2024, 6, 1))
    assert stored_watermark(store, asthma) == date(2025, 2, 1)
    assert stored_watermark(store, copd) == date(2024, 6, 1)
    assert stored_watermark(store, ApiQuery(cond="asthma", status="RECRUITING")) is None
    assert len(list(store.store.quads_for_pattern(None, None, None, PULLS_GRAPH))) == 4
    store._set_marker({"pid": 0})  # a write marked in progress, as after a crash
    assert store.recover() == []  # the pulls graph is not a broken trial graph
    assert stored_watermark(store, asthma) == date(2025, 2, 1)
    assert store.count_quads() == 4
