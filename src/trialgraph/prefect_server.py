"""Start a local Prefect server for scheduled runs (the ephemeral mode cannot schedule)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class LocalServer:
    """A ``prefect server start`` process on loopback, and the API URL it answers at."""

    process: subprocess.Popen[bytes]
    api_url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_local_server(log: Callable[[str], None] = print, timeout: float = 120.0) -> LocalServer:
    """Start a Prefect server on 127.0.0.1 and point this process's client at it."""
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log(f"starting a local Prefect server at {api_url} (set PREFECT_API_URL to use your own)")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the Prefect server exited while starting")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    os.environ["PREFECT_API_URL"] = api_url
                    return LocalServer(process, api_url)
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"the Prefect server did not answer within {timeout:.0f} s")
