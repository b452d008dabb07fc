"""Local Prefect API servers: a temporary one for a run, a full one for scheduled runs.

With no API configured, Prefect runs a flow against a temporary API server of its own (its
"ephemeral mode"), but only once the flow starts: it first imports the server's modules
into the caller, then waits for the server process to import them again and start
(BENCHMARKS.md has the seconds this costs). :func:`spawn_temporary_api` starts the same
server process (uvicorn serving ``prefect.server.api.server:create_app``, without UI or
services, as Prefect does) the moment a command knows it will run a flow, so that it
starts while the command imports Prefect and the flow's modules; :func:`use_api` points
the whole process at it.
Prefect's own ephemeral mode stays the fallback: a server that does not answer is
stopped and the run goes on without it (docs/decisions/0006).

:func:`start_local_server` starts ``prefect server start`` with its services, which
schedules need and the ephemeral mode lacks.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LocalServer:
    """A Prefect API server process on loopback, and the API URL it answers at."""

    process: subprocess.Popen[bytes]
    api_url: str

    def wait_ready(self, timeout: float) -> None:
        """Wait until the API answers its health check; ``RuntimeError`` if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the Prefect API server exited with code {self.process.returncode}"
                )
            with (
                contextlib.suppress(OSError, http.client.HTTPException),
                urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"the Prefect API server did not answer within {timeout:.0f} s")

    def stop(self, timeout: float = 20.0) -> None:
        """Terminate the server; kill it if it has not exited within ``timeout`` seconds."""
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def spawn_temporary_api() -> LocalServer | None:
    """Start Prefect's temporary API server (no UI, no services) and return at once.

    Call it before importing Prefect, whose import the server's start can overlap. ``None``
    when ``PREFECT_API_URL`` is set, or when the server cannot be started. An API named in
    a Prefect profile is only known once Prefect is imported: :func:`use_api` then stops
    the server unused. The server reads the same Prefect settings and profile as this
    process, and writes its errors to this process's stderr, as Prefect's own does.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        return None
    env = {
        **os.environ,
        # what Prefect's ephemeral mode sets: API only, no UI, no background services
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    # --app-dir: the installed prefect, whatever the working directory holds
    app_dir = str(Path(spec.origin).parent.parent)
    try:
        port = _free_port()  # should another process take it first, Prefect's own starts
        command = [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory"]
        command += ["prefect.server.api.server:create_app", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--log-level", "error", "--lifespan", "on"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    except OSError:
        return None
    return LocalServer(process, f"http://127.0.0.1:{port}/api")


@contextlib.contextmanager
def use_api(server: LocalServer | None, log: Callable[[str], None]) -> Iterator[None]:
    """Run the block with the whole process pointed at ``server`` once it answers.

    Nothing changes for ``None``, when Prefect's settings name an API (a profile), or
    when the ephemeral mode is off; a server that exits or does not answer within
    ``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS`` is stopped and ``log`` says why.
    In those cases Prefect does what it would have done. Otherwise the API URL goes into
    the environment (worker processes inherit it) and Prefect's process-wide settings,
    which threads Prefect starts read (a context-local setting would not reach them, and
    they would start a server of their own); both are restored afterwards.
    """
    if server is not None:
        from prefect.settings import get_current_settings

        settings = get_current_settings()
        if settings.api.url or not settings.server.ephemeral.enabled:
            server.stop()
            server = None
        else:
            try:
                server.wait_ready(settings.server.ephemeral.startup_timeout_seconds)
            except RuntimeError as exc:
                server.stop()
                log(f"{exc}; Prefect will start its own")
                server = None
    if server is None:
        yield
        return
    from prefect.context import refresh_global_settings_context

    os.environ["PREFECT_API_URL"] = server.api_url
    refresh_global_settings_context()
    try:
        yield
    finally:
        if os.environ.get("PREFECT_API_URL") == server.api_url:
            del os.environ["PREFECT_API_URL"]
        refresh_global_settings_context()


def start_local_server(log: Callable[[str], None] = print, timeout: float = 120.0) -> LocalServer:
    """Start a Prefect server on 127.0.0.1 and point this process's client at it."""
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log(f"starting a local Prefect server at {api_url} (set PREFECT_API_URL to use your own)")
    command = [sys.executable, "-m", "prefect", "server", "start"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = LocalServer(process, api_url)
    try:
        server.wait_ready(timeout)
    except RuntimeError:
        server.stop()
        raise
    os.environ["PREFECT_API_URL"] = api_url
    return server
