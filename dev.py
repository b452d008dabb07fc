#!/usr/bin/env python3
"""Set up and run trialgraph's two everyday jobs with nothing but Python 3.11+ and pip.

    python3 dev.py demo   # ingest the bundled sample records, query across trials, export
    python3 dev.py test   # run the test suite, ruff and mypy

Each creates (or refreshes, when pyproject.toml changed) a virtual environment in ``.venv``
and installs the project there; nothing is installed outside it.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
OUT = ROOT / "trialgraph-out"


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    """Run a command, echoing it; stop with its exit code when it fails."""
    print("+", " ".join(str(a) for a in args), flush=True)
    done = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        sys.exit(done.returncode)


def ensure_venv(extra: str) -> None:
    """Create .venv and install the project (with ``extra``) unless already current."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this script may run on any python3)
        sys.exit(f"trialgraph needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    stamp = VENV / f".installed-{extra or 'base'}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extra}]" if extra else "."
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", spec)
    stamp.write_text(wanted)


def demo() -> None:
    """The main job on the bundled sample records."""
    ensure_venv("")
    trialgraph = BIN / "trialgraph"
    store = OUT / "store"
    run(
        trialgraph,
        "ingest",
        "examples/",
        "--store",
        store,
        "--quarantine",
        OUT / "quarantine.jsonl",
    )
    print("\nWhich targets do the trials aim at, and with which products?", flush=True)
    run(trialgraph, "query", "trial-targets", "--store", store)
    print("\nWhich endpoints do the trials measure?", flush=True)
    run(trialgraph, "query", "trials-per-endpoint", "--store", store)
    run(trialgraph, "export", "--format", "html", "--store", store, "--out", OUT / "graph.html")
    print(f"\nOpen {(OUT / 'graph.html').as_uri()} in a browser to explore the graph.")


def test() -> None:
    """The test suite, then lint and type checks."""
    ensure_venv("test")
    run(PYTHON, "-m", "pytest", *sys.argv[2:])
    run(PYTHON, "-m", "ruff", "check", ".")
    run(PYTHON, "-m", "ruff", "format", "--check", ".")
    run(PYTHON, "-m", "mypy")


if __name__ == "__main__":
    jobs = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in jobs:
        sys.exit(__doc__)
    jobs[sys.argv[1]]()
