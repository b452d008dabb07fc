"""Condition forms of every therapeutic area: kinds, non-disease MeSH concepts, prefixed,
inverted and parenthetical forms, qualifiers, and abbreviations left alone when unsure."""

from __future__ import annotations

import pytest

from trialgraph.normalize.conditions import mesh_ui, normalize_condition, normalize_conditions
from trialgraph.normalize.lexicon import read_table
from trialgraph.normalize.model import CONDITION_KINDS
from trialgraph.normalize.qualifiers import split_qualifiers
from trialgraph.records import MeshTerm, TrialRecord

# text, identifier, kind: each a MeSH descriptor outside the disease trees, or a disease
NON_DISEASES = [
    ("Healthy", "MESH:D064368", "healthy"),
    ("Healthy Volunteers", "MESH:D064368", "healthy"),
    ("Aging", "MESH:D000375", "other"),
    ("Exercise", "MESH:D015444", "behaviour"),
    ("Smoking", "MESH:D012907", "behaviour"),
    ("Sleep", "MESH:D012890", "other"),
    ("Pain Management", "MESH:D059408", "procedure"),
    ("Quality of Life", "MESH:D011788", "other"),
    ("Pregnancy", "MESH:D011247", "other"),
    ("Fatigue", "MESH:D005221", "finding"),
]


@pytest.mark.parametrize(("text", "curie", "kind"), NON_DISEASES)
def test_non_disease_conditions_are_grounded_to_mesh(text: str, curie: str, kind: str) -> None:
    c = normalize_condition(text)
    assert (c.curie, c.kind) == (curie, kind)


def test_diseases_are_of_kind_disease() -> None:
    for text in ("Prostate Cancer", "Hypertension", "Obesity", "Glaucoma"):
        c = normalize_condition(text)
        assert c.curie is not None and c.kind == "disease", text


def test_obesity_and_overweight_is_the_descriptor_covering_both() -> None:
    # MeSH Overweight is the parent of Obesity: one concept for the pair, never a guess of one
    for text in ("Obesity and Overweight", "Overweight and Obesity"):
        assert normalize_condition(text).curie == "MESH:D050177"


def test_unmatched_kind_follows_the_head_word() -> None:
    assert normalize_condition("Vanishing Quux Disease").kind == "disease"
    assert normalize_condition("Quuxoma of the Foo").kind == "disease"
    assert normalize_condition("Open Label Extension").kind == "other"


def test_every_kind_is_a_known_one() -> None:
    kinds = {row["kind"] for row in read_table("diseases_mesh.tsv.gz")}
    assert kinds == set(CONDITION_KINDS)


def test_prefixed_abbreviation_form() -> None:
    c = normalize_condition("OSA - Obstructive Sleep Apnea")
    assert c.curie == normalize_condition("Obstructive Sleep Apnea").curie == "MONDO:0007147"


def test_inverted_heading() -> None:
    c = normalize_condition("Foot Ulcers, Diabetic")
    assert c.curie == "MESH:D017719" and c.kind == "disease"


def test_parenthetical_abbreviation_with_course() -> None:
    c = normalize_condition("Chronic Low Back Pain (CLBP)")
    assert (c.curie, c.kind, c.qualifiers) == ("MESH:D017116", "finding", ("chronic",))


def test_stage_and_carrier_status_are_kept() -> None:
    c = normalize_condition("NSCLC Stage IV Without EGFR/ALK Mutation")
    assert c.curie == "MONDO:0005233"
    assert c.qualifiers == ("stage IV", "without EGFR/ALK mutation")


def test_who_grade_and_lines_of_therapy() -> None:
    c = normalize_condition("WHO Grade 2 Glioma")
    assert (c.curie, c.qualifiers) == ("MONDO:0021042", ("WHO grade 2",))
    c = normalize_condition("Third-line Metastatic Colorectal Cancer")
    assert c.qualifiers == ("third-line", "metastatic") and c.curie == "MONDO:0005575"


def test_severity_only_when_the_whole_name_is_unknown() -> None:
    c = normalize_condition("Mild Alzheimer's Disease")
    assert (c.curie, c.qualifiers) == ("MONDO:0004975", ("mild",))
    # a name that holds the word keeps it: acute myeloid leukemia is not myeloid leukemia
    c = normalize_condition("Acute Myeloid Leukemia, Relapsed")
    assert (c.label, c.qualifiers) == ("acute myeloid leukemia", ("relapsed",))
    assert split_qualifiers("Chronic Kidney Disease") == ("Chronic Kidney Disease", ())


def test_mis_encoded_possessives() -> None:
    for text in ("Alzheimer&#39;s Disease", "Alzheimer\u00b4s Disease", "Alzheimer s Disease"):
        assert normalize_condition(text).curie == "MONDO:0004975", text


def test_ambiguous_abbreviations_are_left_unmapped() -> None:
    # AD is Alzheimer disease and atopic dermatitis; MCI is listed by neither table
    for text in ("AD", "MCI"):
        c = normalize_condition(text)
        assert c.curie is None and c.kind == "other", text
    # expanded in the same text, the expansion decides
    assert normalize_condition("AD - Alzheimer's Disease").curie == "MONDO:0004975"


def test_registry_nine_digit_mesh_ids() -> None:
    assert mesh_ui("D000010411") == "D010411"
    rec = TrialRecord(
        source="test",
        location="",
        format="test",
        title="t",
        conditions=("Quuxish Fatigue Syndrome Variant",),
        mesh_conditions=(MeshTerm("D000005221", "Quuxish Fatigue Syndrome Variant"),),
    )
    (c,) = normalize_conditions(rec)
    assert (c.curie, c.kind) == ("MESH:D005221", "finding")


def test_course_set_apart_only_from_findings() -> None:
    # chronic renal disease is chronic kidney disease, not "kidney disease, chronic"
    assert (
        normalize_condition("Chronic Renal Disease").curie
        != normalize_condition("Renal Disease").curie
    )
    pain = normalize_condition("Chronic Low Back Pain")
    assert (pain.curie, pain.qualifiers) == ("MESH:D017116", ("chronic",))


def test_course_after_the_name_reads_inverted() -> None:
    assert (
        normalize_condition("Diarrhea Chronic").curie
        == normalize_condition("Chronic Diarrhea").curie
    )
    assert normalize_condition("Diarrhea Chronic").qualifiers == ()


def test_a_type_number_written_onto_the_word() -> None:
    assert normalize_condition("Type2 Diabetes").curie == "MONDO:0005148"
