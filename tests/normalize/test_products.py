"""Product normalization: shared keys, canonical labels, modalities and origins."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from trialgraph.normalize.interventions import normalize_intervention
from trialgraph.normalize.lexicon import table
from trialgraph.normalize.model import InterventionFacts, Product
from trialgraph.normalize.products import detect_modality, modalities
from trialgraph.records import Intervention, TrialRecord

_spec = importlib.util.spec_from_file_location(
    "seed_helper", Path(__file__).with_name("test_targets.py")
)
assert _spec is not None and _spec.loader is not None
_helper = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helper)
seed = _helper.seed


def single(
    intervention: Intervention, record: TrialRecord | None = None
) -> tuple[Product, InterventionFacts]:
    """The one product an intervention names, and the intervention's facts."""
    facts = normalize_intervention(intervention, record)
    assert len(facts.products) == 1, facts
    return facts.products[0], facts


def test_u87_is_one_product_across_000_and_001() -> None:
    r0, r1 = seed("000"), seed("001")
    (p0, f0), (p1, f1) = single(r0.interventions[0], r0), single(r1.interventions[0], r1)
    assert p0 == p1
    assert (p0.label, p0.modality, f0.origin, f1.origin) == (
        "U87 CAR-T",
        "CAR-T",
        "autologous",
        "autologous",
    )


def test_seed_002() -> None:
    r = seed("002")
    p, facts = single(r.interventions[0], r)
    assert (p.modality, facts.modality) == ("CAR-T", "CAR-T")
    assert facts.origin is None
    assert p.label == "Fast CAR-T"


def test_seed_003() -> None:
    r = seed("003")
    (car, car_facts), (mab, mab_facts), (chemo, _) = (single(i, r) for i in r.interventions)
    assert (car.modality, car_facts.origin) == ("CAR-T", "autologous")
    assert car.label == "CLDN18.2 CAR-T"
    assert (mab.modality, mab_facts.origin) == ("monoclonal antibody", None)
    assert chemo.modality == "chemotherapy"
    assert len({car.key, mab.key, chemo.key}) == 3


def test_seed_004_til() -> None:
    r = seed("004")
    assert single(r.interventions[0], r)[1].modality == "TIL"


@pytest.mark.parametrize(
    "intervention",
    [
        Intervention(type="DRUG", name="Pembrolizumab"),
        Intervention(type="BIOLOGICAL", name="Keytruda"),
        Intervention(type="DRUG", name="MK-3475"),
        Intervention(type="DRUG", name="Study drug", other_names=("Keytruda",)),
        Intervention(type="DRUG", name="pembrolizumab 200 mg"),
    ],
)
def test_known_drug_shares_a_key(intervention: Intervention) -> None:
    p, _ = single(intervention)
    assert (p.key, p.modality, p.curie) == (
        "pembrolizumab",
        "monoclonal antibody",
        "DRUGBANK:DB09037",
    )


@pytest.mark.parametrize(
    ("name", "itype", "modality"),
    [
        ("Trastuzumab deruxtecan", "DRUG", "ADC"),
        ("T-DM1", "DRUG", "ADC"),
        ("Amivantamab", "DRUG", "bispecific antibody"),
        ("Osimertinib", "DRUG", "small molecule"),
        ("Carboplatin", "DRUG", "chemotherapy"),
        ("nab-paclitaxel", "DRUG", "chemotherapy"),
        ("5-FU", "DRUG", "chemotherapy"),
        ("Placebo", "DRUG", "placebo"),
        ("Radiotherapy", "RADIATION", "radiation"),
        ("surgery", "PROCEDURE", "procedure"),
        ("Anti-CD19 CAR-NK cells", "BIOLOGICAL", "CAR-NK"),
        ("NY-ESO-1 TCR-T cells", "BIOLOGICAL", "TCR-T"),
        ("DC-CIK", "BIOLOGICAL", "CIK"),
        ("Neoantigen-loaded DC vaccine", "DRUG", "dendritic cell vaccine"),
        ("68Ga-PSMA-11", "DRUG", "radiopharmaceutical"),
        ("PD-1 inhibitor", "DRUG", "monoclonal antibody"),
        ("Questionnaire", "BEHAVIORAL", "behavioral"),
    ],
)
def test_modality(name: str, itype: str, modality: str) -> None:
    assert single(Intervention(type=itype, name=name))[1].modality == modality


def test_the_first_rule_matching_any_text_decides() -> None:
    assert detect_modality(["Carboplatin", "CAR-T cells"]) == "CAR-T"
    assert detect_modality(["CAR-T cells", "Carboplatin"]) == "CAR-T"
    assert detect_modality(["", "Study drug"], "DRUG") is None


def test_allogeneic_origin() -> None:
    p, facts = single(Intervention(type="BIOLOGICAL", name="Allogeneic CD7 CAR-T cells"))
    assert (p.label, facts.origin) == ("CD7 CAR-T", "allogeneic")


def test_modalities_are_from_the_fixed_list() -> None:
    listed = set(modalities())
    used = {row["modality"] for row in table("drugs_curated.tsv")}
    assert used <= listed


def test_curated_targets_are_known() -> None:
    from trialgraph.normalize.targets import target_by_symbol

    for row in table("drugs_curated.tsv"):
        for symbol in filter(None, row["targets"].split("|")):
            assert target_by_symbol(symbol) is not None, (row["name"], symbol)
