"""Local Prefect API servers: a temporary one for a run, a full one for scheduled runs.

With no API configured, Prefect runs a flow against a temporary API server of its own (its
"ephemeral mode"), but only once the flow starts: it first imports the server's modules
into the caller (about 3 s) and then waits for the server process to import them again
and start (3-4 s more). :func:`spawn_temporary_api` starts the same server process
(uvicorn serving ``prefect.server.api.server:create_app``, without UI or services, as
Prefect does) the moment a command knows it will run a flow, so that it starts while the
command imports the flow's modules and opens the store. Prefect's own ephemeral mode
stays the fallback: a server that does not answer is stopped and the run goes on without
it (docs/decisions/0006).

:func:`start_local_server` starts ``prefect server start`` with its services, which
schedules need and the ephemeral mode lacks.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass
class LocalServer:
    """A Prefect API server process on loopback, and the API URL it answers at."""

    process: subprocess.Popen[bytes]
    api_url: str
    errors: IO[bytes] | None = None  # the process's stderr, when kept for error messages

    def wait_ready(self, timeout: float) -> None:
        """Wait until the API answers its health check; ``RuntimeError`` if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the Prefect API server exited with code {self.process.returncode}"
                    + self._error_tail()
                )
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the Prefect API server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.errors is not None:
            self.errors.close()

    def _error_tail(self) -> str:
        if self.errors is None:
            return ""
        self.errors.seek(0)
        tail = self.errors.read()[-2000:].decode("utf-8", "replace").strip()
        return f": {tail}" if tail else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def spawn_temporary_api() -> LocalServer | None:
    """Start Prefect's temporary API server (no UI, no services) and return at once.

    Call it before importing Prefect, which takes most of a second that the server can
    use to start. ``None`` when ``PREFECT_API_URL`` is set; an API configured in a Prefect
    profile is only known once Prefect is imported, and :func:`use_api` then stops the
    server unused. The server reads the same Prefect settings and profile as this process.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        return None
    port = _free_port()
    env = {
        **os.environ,
        # what Prefect's ephemeral mode sets: API only, no UI, no background services
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    # --app-dir: the installed prefect, whatever the working directory holds
    app_dir = str(Path(spec.origin).parent.parent)
    command = [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory"]
    command += ["prefect.server.api.server:create_app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "error", "--lifespan", "on"]
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (LocalServer.stop closes it)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    return LocalServer(process, f"http://127.0.0.1:{port}/api", errors)


@contextlib.contextmanager
def use_api(server: LocalServer | None, log: Callable[[str], None]) -> Iterator[None]:
    """Run the block against ``server`` once it answers (nothing to do for ``None``).

    Waits as long as Prefect waits for its own (``PREFECT_SERVER_EPHEMERAL_STARTUP_
    TIMEOUT_SECONDS``). A server that exits or does not answer is stopped, ``log`` says
    why, and the block runs without it: Prefect then starts its own temporary server.
    """
    if server is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        server.stop()  # a profile names an API, or turns the ephemeral mode off
        yield
        return
    try:
        server.wait_ready(settings.server.ephemeral.startup_timeout_seconds)
    except RuntimeError as exc:
        server.stop()
        log(f"{exc}; Prefect will start its own")
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


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
