"""Stored graphs follow what they were made from: an edited data table remaps on the next run.

The graph version folded into record checksums and raw digests digests the package's
mapping code and data tables (:mod:`trialgraph.fingerprint`). These tests install a copy
of the package, ingest the seed records with the real command, edit a lexicon of the copy
as an upgrade would, and ingest again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal

import trialgraph
from trialgraph import fingerprint
from trialgraph.namespaces import resource_dir
from trialgraph.store import EmbeddedStore, SelectResult

SEEDS = Path(__file__).parent / "data" / "seeds"
#: Outcome measures naming the analyte labelled MCP-1, per trial graph.
MCP1_QUERY = """
PREFIX tg: <https://w3id.org/trialgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?g (COUNT(?o) AS ?n) WHERE {
  GRAPH ?g { ?o tg:analyte ?a }
  ?a rdfs:label "MCP-1" .
} GROUP BY ?g
"""


def install_copy(root: Path) -> Path:
    """A copy of the installed package under ``root``, as a wheel lays it out."""
    package = root / "trialgraph"
    shutil.copytree(
        Path(trialgraph.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("ontology", "queries"):
        if not (package / name).exists():
            shutil.copytree(resource_dir(name), package / name)
    return root


def ingest(site: Path, store: Path, tmp_path: Path) -> dict[str, int]:
    """``trialgraph ingest`` of the seeds with the package at ``site``; its counts."""
    env = {**os.environ, "PYTHONPATH": str(site), "PREFECT_HOME": str(tmp_path / "prefect")}
    command = [sys.executable, "-c", "from trialgraph.cli import main; main()", "ingest"]
    command += [str(SEEDS), "--store", str(store), "--task-runner", "serial", "--no-progress"]
    command += ["--quarantine", str(tmp_path / "quarantine.jsonl")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = dict(re.findall(r"^\s*(loaded|unchanged|quarantined):\s+(\d+)", done.stdout, re.M))
    return {k: int(v) for k, v in counts.items()}


def mcp1_mentions(store: Path) -> dict[str, int]:
    with EmbeddedStore(store) as opened:
        result = opened.query(MCP1_QUERY)
        assert isinstance(result, SelectResult)
        return {str(g): int(n.value) for g, n in result if isinstance(n, Literal)}


def remove_row(table: Path, first_cell: str) -> None:
    lines = table.read_text("utf-8").splitlines(keepends=True)
    kept = [line for line in lines if line.split("\t")[0] != first_cell]
    assert len(kept) == len(lines) - 1
    table.write_text("".join(kept), "utf-8")


@pytest.mark.slow
def test_an_edited_lexicon_remaps_the_trials_it_affects(tmp_path: Path) -> None:
    site = install_copy(tmp_path / "site")
    store = tmp_path / "store"
    n = len(list(SEEDS.iterdir()))
    assert ingest(site, store, tmp_path) == {"loaded": n, "unchanged": 0, "quarantined": 0}
    before = mcp1_mentions(store)
    assert before and all(count > 0 for count in before.values())

    # an unchanged install writes nothing
    assert ingest(site, store, tmp_path) == {"loaded": 0, "unchanged": n, "quarantined": 0}

    remove_row(site / "trialgraph" / "data" / "analytes.tsv", "MCP-1")
    assert ingest(site, store, tmp_path) == {"loaded": n, "unchanged": 0, "quarantined": 0}
    assert mcp1_mentions(store) == {}
    # and the edited install is unchanged from then on
    assert ingest(site, store, tmp_path) == {"loaded": 0, "unchanged": n, "quarantined": 0}


def test_the_graph_version_covers_code_tables_and_prefixes() -> None:
    names = [name for name, _ in fingerprint.mapping_inputs()]
    assert names == sorted(names)
    assert "data/analytes.tsv" in names and "data/hgnc.tsv.gz" in names
    assert "ontology/prefixes.json" in names and "records.py" in names
    assert any(name.startswith("normalize/") for name in names)
    assert any(name.startswith("sources/") for name in names)
    assert "mapping/write.py" in names and "normalize/trial.py" in names
    assert not any(name.startswith(("export/", "store")) or "__pycache__" in name for name in names)
    version = fingerprint.graph_version()
    assert version.startswith(trialgraph.__version__ + "+")
    assert version == fingerprint.graph_version()
