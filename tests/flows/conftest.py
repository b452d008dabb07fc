"""Fixtures for the flow tests: one Prefect test harness and one Oxigraph server per session.

The Prefect harness takes about 20 s to start on this platform, so every flow test shares
it; subprocesses that run ``trialgraph ingest`` are pointed at the same API server through
``PREFECT_API_URL`` instead of starting an ephemeral server of their own (12-25 s each).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Prefect settings for an offline test run (analytics off, a patient server start-up).
PREFECT_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
}
OXIGRAPH = Path(sys.executable).with_name("oxigraph")

# Before anything imports Prefect (its settings are read once, at import): no analytics
# offline, and a start-up timeout the platform's 12-25 s server start fits in.
for _key in (
    "PREFECT_SERVER_ANALYTICS_ENABLED",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS",
):
    os.environ.setdefault(_key, PREFECT_ENV[_key])


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A session-wide ``prefect_test_harness``; yields its API URL for subprocesses."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        url = PREFECT_API_URL.value()
        assert url, "the Prefect test harness set no API URL"
        yield str(url)


@pytest.fixture(scope="session")
def cli_env(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for a ``trialgraph`` subprocess: the harness's Prefect API, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_ENV)
    env["PREFECT_API_URL"] = prefect_api
    env["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home-cli"))
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("TRIALGRAPH_STORE", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``oxigraph serve`` on disk with the union default graph; its base URL.

    Stopped at the end of the session.
    """
    found = OXIGRAPH if OXIGRAPH.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.skip("the oxigraph server (PyPI package `oxigraph`) is not installed")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    process = subprocess.Popen(
        [
            str(found),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    assert process.stderr is not None
                    raise RuntimeError(
                        f"oxigraph serve did not start: {process.stderr.read()!r}"
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
