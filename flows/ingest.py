"""Deployment entrypoint for the ingest flow (``prefect.yaml`` points here).

The flow itself lives in :mod:`trialgraph.orchestration` so that the installed
``trialgraph`` command can run it; this file lets Prefect deployments and workers load it
from a checkout of the repository.
"""

from __future__ import annotations

from trialgraph.orchestration import ingest

__all__ = ["ingest"]

if __name__ == "__main__":
    import sys

    print(ingest(sys.argv[1:] or ["examples/"]).summary())
