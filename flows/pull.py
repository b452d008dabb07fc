"""Deployment entrypoint for the pull flow (``prefect.yaml`` points here).

The flow lives in :mod:`trialgraph.orchestration`, next to the ingest flow it runs; this
file lets Prefect deployments and workers load it from a checkout of the repository.
"""

from __future__ import annotations

from trialgraph.orchestration import pull

__all__ = ["pull"]
