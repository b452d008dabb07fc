"""Defaults the library and the command line share, in a module that imports nothing.

The command line shows them in its help without importing the modules that use them
(Prefect, Oxigraph), so that every command starts fast.
"""

from __future__ import annotations

from typing import Final

#: Records per ``map batch`` task of an ingest.
BATCH_SIZE: Final = 2000
#: The embedded store directory, unless ``TRIALGRAPH_STORE`` names another.
STORE_DIR: Final = "trialgraph-store"
#: The environment variable that names the default store directory.
STORE_ENV: Final = "TRIALGRAPH_STORE"
#: How ``trialgraph query`` can print rows (:func:`trialgraph.queries.write_results`).
RESULT_FORMATS: Final = ("table", "csv", "tsv", "json")
#: Where ``trialgraph pull`` lands what it fetches, unless ``TRIALGRAPH_LANDING`` names
#: another folder.
LANDING_DIR: Final = "trialgraph-landing"
#: The environment variable that names the default landing folder.
LANDING_ENV: Final = "TRIALGRAPH_LANDING"
#: The ClinicalTrials.gov API v2 that ``trialgraph pull`` reads, unless told another.
REGISTRY_API: Final = "https://clinicaltrials.gov/api/v2"
#: Least seconds between two requests of ``trialgraph pull``, as the registry's robots.txt asks.
PULL_INTERVAL: Final = 1.0
