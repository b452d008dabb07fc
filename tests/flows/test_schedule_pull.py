"""``trialgraph schedule --pull``: scheduled runs that pull what changed since the watermark.

The command runs as a subprocess with no ``PREFECT_API_URL``, so it starts its own Prefect
server on 127.0.0.1 as a user's would, and serves the pull flow every few seconds against
the fixture API v2 server of :mod:`tests.flows.test_api_pull` (real studies, real paging,
``LastUpdatePostDate`` ranges). Nothing is mocked.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from tests.flows.test_api_pull import (
    STUDIES,
    FixtureApi,
    _change,
    _landed,
    _mark,
    _title,
    api,
    nct,
)
from tests.flows.test_ingest import trialgraph_command

from trialgraph.sources.api import last_update
from trialgraph.store import open_store

__all__ = ["api"]  # the fixture, imported for this module's tests

_RANGE = "AREA[LastUpdatePostDate]RANGE[{},MAX]"


def _wait(done: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 240
    while not done():
        assert process.poll() is None, f"schedule stopped before {what}"
        assert time.monotonic() < deadline, f"no {what} within 240 s"
        time.sleep(0.5)


def _filters(fixture: FixtureApi) -> list[str | None]:
    with fixture.lock:
        return [r.get("filter.advanced") for r in fixture.requests]


@pytest.mark.slow
def test_scheduled_pulls_fetch_only_what_changed(
    api: tuple[FixtureApi, str], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    fixture, url = api
    env = {k: v for k, v in cli_env.items() if k != "PREFECT_API_URL"}
    command = [*trialgraph_command(), "schedule", "--pull", "--api-url", url, "--interval", "5"]
    command += ["--store", str(tmp_path / "store"), "--landing", str(tmp_path / "landing")]
    command += ["--request-interval", "0", "--name", "pull-test"]
    process = subprocess.Popen(
        command,
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # the first run fetches everything the query matches, in three pages
        _wait(lambda: bool(list((tmp_path / "landing").glob("*.jsonl"))), process, "first pull")
        assert _filters(fixture)[:3] == [None, None, None]
        latest = max(d for s in STUDIES[:60] if (d := last_update(s)))
        newer = latest + timedelta(days=30)
        for study in (STUDIES[3], STUDIES[40]):
            _change(fixture.studies[nct(study)], newer)
        added = copy.deepcopy(STUDIES[60])
        added["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = str(newer)
        fixture.studies[nct(added)] = added

        # a later run asks only for what changed since the first run's watermark, and
        # the run after it from the watermark the second one moved
        since = _RANGE.format(latest - timedelta(days=1))
        moved = _RANGE.format(newer - timedelta(days=1))
        _wait(lambda: moved in _filters(fixture), process, "pull after the changes")
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert since in _filters(fixture)
    assert _filters(fixture).index(since) < _filters(fixture).index(moved)
    assert len(_landed(tmp_path)) >= 2
    assert _title(tmp_path, nct(STUDIES[3])) == "Changed: " + nct(STUDIES[3])
    assert _mark(tmp_path, url) == newer - timedelta(days=1)
    with open_store(tmp_path / "store", None, for_writing=False) as store:
        assert store.trial_count() == 61


def test_schedule_wants_sources_or_a_pull(tmp_path: Path, cli_env: dict[str, str]) -> None:
    both = subprocess.run(
        [*trialgraph_command(), "schedule", "--pull", "x", "--interval", "5"],
        env=cli_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert both.returncode != 0
    assert "give SOURCES to ingest, or --pull" in both.stderr
