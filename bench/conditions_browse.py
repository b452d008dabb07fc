"""Condition identifiers against the registry's own MeSH condition browse terms.

ClinicalTrials.gov API v2 records carry ``derivedSection.conditionBrowseModule``: the MeSH
descriptors the registry indexed the trial's conditions with (``meshes``) and their
ancestors. For each condition mention of a record that has browse terms, trialgraph's
concept is compared through its MeSH identifiers (a ``MESH:`` CURIE, or a MONDO
concept's MeSH cross-references)::

    python -m bench.conditions_browse SOURCE...

Per mention:

``agree``
    the mention has an identifier, and one of its MeSH ids is a browse term or an ancestor;
``disagree``
    the mention has an identifier with MeSH ids, none of them a browse term or ancestor;
``no-mesh``
    the mention has an identifier without any MeSH id (a MONDO concept with no MeSH
    cross-reference), so it cannot be compared;
``only-trialgraph``
    the mention has an identifier, the record has no browse terms;
``only-browse``
    the mention has no identifier, the record has browse terms;
``neither``
    no identifier and no browse terms.

Only API v2 JSON carries browse terms (CSV exports and plain text have none).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

from trialgraph.normalize.conditions import mesh_ui, normalize_conditions
from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources

OUTCOMES = ("agree", "disagree", "no-mesh", "only-trialgraph", "only-browse", "neither")


def _studies(path: Path) -> list[Any]:
    """The API v2 study objects of a JSON file (one study or a list) or a zip of them."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            out = []
            for name in zf.namelist():
                if name.endswith(".json"):
                    out.extend(_as_list(json.loads(zf.read(name))))
            return out
    if path.suffix == ".json":
        return _as_list(json.loads(path.read_text(encoding="utf-8")))
    return []


def _as_list(data: Any) -> list[Any]:
    if isinstance(data, dict) and "studies" in data:
        data = data["studies"]
    return data if isinstance(data, list) else [data]


def browse_ancestors(paths: list[Path]) -> dict[str, set[str]]:
    """NCT id -> MeSH ids of the browse module's ancestors, from the files themselves."""
    out: dict[str, set[str]] = {}
    for path in paths:
        for study in _studies(path):
            if not isinstance(study, dict):
                continue
            nct = study.get("protocolSection", {}).get("identificationModule", {}).get("nctId")
            module = study.get("derivedSection", {}).get("conditionBrowseModule", {})
            ids = {mesh_ui(a.get("id", "")) for a in module.get("ancestors", [])}
            if nct:
                out[nct] = ids - {""}
    return out


def _mesh_ids(curie: str, xrefs: tuple[str, ...]) -> set[str]:
    return {ref[5:] for ref in (curie, *xrefs) if ref.startswith("MESH:D")}


def compare(record: TrialRecord, ancestors: set[str]) -> collections.Counter[str]:
    """The outcome of each condition mention of one record (see the module docstring)."""
    browse = {mesh_ui(m.id) for m in record.mesh_conditions if m.id}
    known = browse | ancestors
    counts: collections.Counter[str] = collections.Counter()
    for condition in normalize_conditions(record):
        if condition.curie is None:
            counts["only-browse" if browse else "neither"] += 1
        elif not browse:
            counts["only-trialgraph"] += 1
        else:
            ids = _mesh_ids(condition.curie, condition.xrefs)
            counts["no-mesh" if not ids else "agree" if ids & known else "disagree"] += 1
    return counts


def report(source: str) -> collections.Counter[str]:
    """Counts for one source (a file or folder), printed as one line."""
    paths = [p for p in Path(source).rglob("*") if p.is_file()] if Path(source).is_dir() else []
    ancestors = browse_ancestors(paths or [Path(source)])
    counts: collections.Counter[str] = collections.Counter()
    for record in read_sources([source]):
        if isinstance(record, TrialRecord):
            counts += compare(record, ancestors.get(record.nct_id or "", set()))
    total = sum(counts.values())
    compared = counts["agree"] + counts["disagree"]
    share = f"{100 * counts['agree'] / compared:.1f}%" if compared else "-"
    cells = ", ".join(f"{k} {counts[k]}" for k in OUTCOMES)
    print(f"{Path(source).name}: {total} mentions: {cells}; agreement {share} of compared")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", help="files or folders holding the records")
    args = parser.parse_args(argv)
    for source in args.sources:
        report(source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
