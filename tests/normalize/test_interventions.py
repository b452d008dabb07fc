"""Interventions: names cleaned for matching, combinations split, controls recognized,
and every product's facts a function of its key."""

from __future__ import annotations

import pytest

from trialgraph.normalize.interventions import components, matching_name, normalize_intervention
from trialgraph.normalize.labels import display_label
from trialgraph.normalize.products import control_product
from trialgraph.records import Intervention


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [
        ("tofacitinib ointment 20 mg/g", "tofacitinib"),
        ("Apremilast 30mg", "Apremilast"),
        ("Etanercept (half dose)", "Etanercept"),
        ("Lecanemab 10 mg/kg", "Lecanemab"),
        ("Sildenafil 50 mg tablets once daily", "Sildenafil"),
        ("Drug: Latanoprost 0.005% eye drops", "Latanoprost"),
        ("Avelumab Phase 1b", "Avelumab"),
        ("Low-dose aspirin", "aspirin"),
    ],
)
def test_matching_name_strips_doses_forms_routes_schedules_and_arms(
    written: str, cleaned: str
) -> None:
    assert matching_name(written) == cleaned


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Pembrolizumab + Lenvatinib", ("Pembrolizumab", "Lenvatinib")),
        ("sintilimab combined with anlotinib", ("sintilimab", "anlotinib")),
        ("Irbesartan/hydrochlorothiazide", ("Irbesartan", "hydrochlorothiazide")),
        ("Nivolumab and Ipilimumab (3 mg/kg) Combination", ("Nivolumab", "Ipilimumab")),
        (
            "Gemcitabine nab-Paclitaxel Lenvatinib Tislelizumab",
            ("Gemcitabine", "nab-Paclitaxel", "Lenvatinib", "Tislelizumab"),
        ),
        # a bracket the split leaves without its partner goes, and so do cycle counts
        ("3 cycles (Toripalimab + chemotherapy)", ("3 cycles Toripalimab", "chemotherapy")),
        # a "+" that marks positivity joins nothing
        (
            "adjuvant tislelizumab and chemotherapy for MRD+ patients",
            ("tislelizumab", "chemotherapy"),
        ),
        # "and" and "/" join only known drugs; a CAR names one product
        ("Diet and exercise", ("Diet and exercise",)),
        ("CD19/CD22 CAR-T", ("CD19/CD22 CAR-T",)),
        ("Sitagliptin", ("Sitagliptin",)),
    ],
)
def test_combinations_split_into_components(name: str, parts: tuple[str, ...]) -> None:
    assert components(name) == parts


def test_each_component_is_its_own_product() -> None:
    facts = normalize_intervention(Intervention(type="DRUG", name="Pembrolizumab + Lenvatinib"))
    assert [p.key for p in facts.products] == ["pembrolizumab", "lenvatinib"]
    assert [p.modality for p in facts.products] == ["monoclonal antibody", "small molecule"]
    assert facts.regimen and facts.modality is None


def test_a_masking_placebo_is_not_a_component() -> None:
    facts = normalize_intervention(Intervention(type="DRUG", name="Placebo with enzalutamide"))
    assert [p.key for p in facts.products] == ["enzalutamide"]


@pytest.mark.parametrize(
    ("name", "key", "modality"),
    [
        ("Placebo", "placebo", "placebo"),
        ("Matching placebo tablets", "placebo", "placebo"),
        ("Vehicle cream", "vehicle", "placebo"),
        ("Sham stimulation", "sham", "placebo"),
        ("Standard of care", "standard-care", "standard care"),
        ("Usual care", "standard-care", "standard care"),
        ("Best supportive care", "standard-care", "standard care"),
        ("No intervention", "no-intervention", "no intervention"),
        ("Waiting list", "no-intervention", "no intervention"),
    ],
)
def test_controls_are_products_of_their_own(name: str, key: str, modality: str) -> None:
    control = control_product(name)
    assert control is not None and (control.key, control.modality) == (key, modality)
    facts = normalize_intervention(Intervention(type="OTHER", name=name))
    assert facts.products == (control,) and facts.modality == modality


def test_what_the_record_adds_stays_on_the_intervention() -> None:
    # the same name typed differently: one product, the types' modalities on the interventions
    device = normalize_intervention(Intervention(type="DEVICE", name="Questionnaire"))
    behaviour = normalize_intervention(Intervention(type="BEHAVIORAL", name="questionnaire."))
    assert device.products == behaviour.products
    assert device.products[0].modality is None
    assert (device.modality, behaviour.modality) == ("device", "behavioral")


def test_display_labels_depend_on_the_key_alone() -> None:
    spellings = [
        "Platelet-rich plasma (PRP)",
        "platelet rich plasma (prp)",
        "PLATELET-RICH PLASMA (PRP).",
    ]
    assert {display_label(s) for s in spellings} == {"Platelet rich plasma PRP"}


@pytest.mark.parametrize(
    ("name", "ingredient", "target", "derivation"),
    [
        ("Remsima", "infliximab", "TNF", "drug-table"),  # a biosimilar's name
        ("Aricept 10 mg", "donepezil", "ACHE", "drug-table"),  # a brand
        ("donepezil hydrochloride", "donepezil", "ACHE", "drug-table"),  # a salt
        ("tofacitinib ointment 20 mg/g", "tofacitinib", "JAK3", "drug-table"),
        ("Apremilast 30mg", "apremilast", "PDE4D", "drug-table"),
        ("Etanercept (half dose)", "etanercept", "TNF", "drug-table"),
        ("Lecanemab 10 mg/kg", "lecanemab", "APP", "curated"),  # approved after 2016
        ("Xemagliflozin", "xemagliflozin", "SLC5A2", "inn-stem"),  # an INN no table has
    ],
)
def test_drugs_of_every_area_resolve_with_their_targets(
    name: str, ingredient: str, target: str, derivation: str
) -> None:
    facts = normalize_intervention(Intervention(type="DRUG", name=name))
    (product,) = facts.products
    assert product.label == ingredient
    assert (target, derivation) in zip(product.targets, product.derivations, strict=True)


def test_a_stem_gives_a_class_without_a_target_where_it_names_none() -> None:
    (product,) = normalize_intervention(Intervention(type="DRUG", name="Velotinib")).products
    assert (product.modality, product.targets) == ("small molecule", ())


def test_a_name_of_punctuation_alone_is_one_labelled_node() -> None:
    a = normalize_intervention(Intervention(type="OTHER", name="???")).products
    b = normalize_intervention(Intervention(type="OTHER", name="--")).products
    assert a == b and a[0].label == "(unnamed product)"
