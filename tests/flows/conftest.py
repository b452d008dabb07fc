"""Fixtures for the flow tests: one Prefect test harness per session.

The Prefect harness takes about 20 s to start on this platform, so every flow test shares
it; subprocesses that run ``trialgraph ingest`` are pointed at the same API server through
``PREFECT_API_URL`` instead of starting an ephemeral server of their own (12-25 s each).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

#: Prefect settings for an offline test run (analytics off, a patient server start-up).
PREFECT_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
}

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
