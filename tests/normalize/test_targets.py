"""Target recognition: the seed facts, precision on trial vocabulary, and resolution."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trialgraph.normalize.targets import (
    _BACKWARD,
    _CUE,
    _FORWARD,
    _FORWARD_AFTER,
    _HYPHEN_SUFFIX,
    find_targets,
    resolve_target,
)
from trialgraph.records import Intervention, TrialRecord

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"


def seed(prefix: str) -> TrialRecord:
    """A seed record built from its seven lines (a stand-in for the plaintext reader)."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    lines = [*path.read_text(encoding="utf-8").split("\n"), *[""] * 7][:7]
    interventions = tuple(
        Intervention(type=part.split(":", 1)[0].strip(), name=part.split(":", 1)[1].strip())
        for part in lines[3].split("|")
        if ":" in part
    )
    return TrialRecord(
        source=str(path),
        location="",
        format="plaintext",
        title=lines[0],
        brief_summary=lines[1],
        conditions=tuple(c for c in lines[2].split("|") if c),
        interventions=interventions,
        detailed_description=lines[6],
    )


def record(text: str, *interventions: Intervention) -> TrialRecord:
    return TrialRecord(
        source="t", location="", format="test", title="T", brief_summary=text,
        interventions=interventions,
    )  # fmt: skip


def found(rec: TrialRecord) -> set[tuple[str, int | None]]:
    return {(m.target.symbol, m.intervention) for m in find_targets(rec)}


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_seeds_without_targets(prefix: str) -> None:
    assert find_targets(seed(prefix)) == []


def test_seed_002_mesothelin_and_muc1_aimed_at_the_only_product() -> None:
    assert found(seed("002")) == {("MSLN", 0), ("MUC1", 0)}
    mentions = {m.target.symbol: m for m in find_targets(seed("002"))}
    assert mentions["MSLN"].target.curie == "HGNC:7371"
    assert mentions["MUC1"].target.curie == "HGNC:7508"
    assert mentions["MUC1"].text == "MUC1"


def test_seed_003_claudin_isoform_and_pd1() -> None:
    mentions = {m.target.symbol: m for m in find_targets(seed("003"))}
    assert set(mentions) == {"CLDN18.2", "PDCD1"}
    cldn = mentions["CLDN18.2"]
    assert (cldn.intervention, cldn.target.kind, cldn.target.parent) == (0, "isoform", "HGNC:2039")
    assert cldn.target.curie == "UniProt:P56856-2"
    assert mentions["PDCD1"].intervention == 1
    assert mentions["PDCD1"].target.curie == "HGNC:8760"


CAR_T = Intervention(type="BIOLOGICAL", name="XYZ CAR-T cells")

# Sentences from real trial records where gene aliases appear as trial vocabulary.
PRECISION = [
    "Disease control rate: including CR, PR and SD(Assessed based on RECIST 1.1 criteria)",
    "Overall survival(OS) of U87 CAR-T cells treatment in advanced solid tumor",
    "DOR will be assessed from the first assessment of CR/PR/SD to progression",
    "Maximum tolerated dose (MTD), Tolerability, After 28 days of infusion",
    "Concentration levels of CAR-T-related serum cytokines such as IL-6, IFN γ, IL-2, "
    "TNFα, ferritin and CRP at each time point",
    "Disease control rate (DCR) is the percentage of participants with CR, PR or SD.",
    "progressive disease (PD) or death; Pharmacokinetics (PK) and AE grade by CTCAE",
    "Patients who met the criteria received CT scan and PET imaging; IV infusion, phase II/III",
    "ECOG performance status 0-1. The CAR T cells were infused on day 0.",
    "Following manufacture of the drug product, subjects will receive preconditioning "
    "prior to U87 infusion.",
    "Patients must have a positive result of pregnancy test and positive CR.",
    "anti-tumor activity against solid tumors; targeting the tumor microenvironment",
    "An impact of radiotherapy on cancer; ret and met values were recorded.",
    "The CAR-T-cells were detected by qPCR; CART expansion; CAR-NK cells",
    "Antitumor efficacy-Duration of response (DOR), PR or CR; T cell persistence",
]


@pytest.mark.parametrize("text", PRECISION)
def test_trial_vocabulary_is_never_a_target(text: str) -> None:
    assert find_targets(record(text, CAR_T)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("autologous humanized anti-claudin18.2 chimeric antigen receptor T cell", {"CLDN18.2"}),
        ("a BCMA-directed CAR T cell product", {"TNFRSF17"}),
        ("CD19/CD22 CAR-T", {"CD19", "CD22"}),
        ("patients with HER2-positive breast cancer", {"ERBB2"}),
        ("tumors expressing glypican-3", {"GPC3"}),
        ("an antibody targeting TROP2", {"TACSTD2"}),
        ("a bispecific antibody targeting CD3 and 5T4", {"CD3E", "TPBG"}),
        ("a PD-1 x CTLA-4 bispecific antibody", {"PDCD1", "CTLA4"}),
        ("CEA-targeted T cells", {"CEACAM5"}),
        ("KRAS G12C mutant NSCLC", {"KRAS"}),
        ("patients with ALK fusion", {"ALK"}),
        ("c-Met inhibitor", {"MET"}),
        ("IL13Rα2-specific CAR T", {"IL13RA2"}),
        ("NKG2D CAR-T cells", {"KLRK1"}),
        ("GD2-CAR T cells", {"GD2"}),
        ("anti-PD-1/PD-L1 therapy", {"PDCD1", "CD274"}),
        ("solid tumors with positive mesothelin and MUC1.Patients were screened", {"MSLN", "MUC1"}),
        ("a CDK4/6 inhibitor", {"CDK4", "CDK6"}),
        ("NY-ESO-1 specific TCR-T cells", {"CTAG1B"}),
        ("tumours expreßing mesothelin", {"MSLN"}),  # "ß" case-folds to "ss"
        ("TUMORS EXPRESSING MESOTHELIN AND GLYPICAN-3", {"MSLN", "GPC3"}),
        ("EGFR ex19del or L858R; KRAS G12C.", {"EGFR", "KRAS"}),
    ],
)
def test_contexts(text: str, expected: set[str]) -> None:
    assert {m.target.symbol for m in find_targets(record(text, CAR_T))} == expected


def test_text_in_capitals_trusts_only_curated_case_sensitive_keys() -> None:
    lower = "a study of a BTK inhibitor in patients with solid tumors"
    assert found(record(lower, CAR_T)) == {("BTK", 0)}
    assert find_targets(record(lower.upper(), CAR_T)) == []


def test_the_cue_search_finds_every_cue() -> None:
    """Only tokens the cue search finds are scanned, so it must find every cue form."""
    suffixes = re.search(r"\(\?P<cue>(.*?)\)\$", _HYPHEN_SUFFIX.pattern)
    assert suffixes is not None
    for word in _FORWARD | _FORWARD_AFTER.keys() | _BACKWARD.keys():
        for text in (word, word.upper(), f"(x {word.title()}.)", f"x-{word}'s"):
            assert _CUE.search(text), text
    for cue in suffixes.group(1).split("|"):
        for form in (cue.replace("s?", ""), cue.replace("s?", "s")):
            assert _CUE.search(f"CD19-{form}"), form
    for text in ("anti-CD19", "Anti‐CD19", "CAR-CD19", "KRAS G12C", "EGFR exon19", "del19"):
        assert _CUE.search(text), text


def test_drug_targets_attach_to_their_intervention() -> None:
    rec = record(
        "A study in NSCLC.",
        Intervention(type="DRUG", name="Carboplatin"),
        Intervention(type="DRUG", name="Keytruda"),
        Intervention(type="DRUG", name="sintilimab combined with anlotinib"),
    )
    got = found(rec)
    assert ("PDCD1", 1) in got and ("PDCD1", 2) in got and ("KDR", 2) in got
    assert not any(index == 0 for _, index in got)


def test_text_target_not_forced_onto_a_drug_with_known_targets() -> None:
    rec = record(
        "Pembrolizumab in PD-L1-positive NSCLC",
        Intervention(type="DRUG", name="Pembrolizumab"),
        Intervention(type="DRUG", name="Carboplatin"),
    )
    assert found(rec) == {("PDCD1", 0), ("CD274", None)}


def test_intervention_only_scope_for_cytokines() -> None:
    rec = record("anti-IL-6 therapy for cytokine release syndrome", CAR_T)
    assert find_targets(rec) == []


@pytest.mark.parametrize(
    ("name", "symbol"),
    [
        ("mesothelin", "MSLN"),
        ("glypican-3", "GPC3"),
        ("claudin 18.2", "CLDN18.2"),
        ("Claudin18.2", "CLDN18.2"),
        ("CLDN18.A2", "CLDN18.2"),
        ("carcinoembryonic antigen", "CEACAM5"),
        ("CEA", "CEACAM5"),
        ("BCMA", "TNFRSF17"),
        ("CD20", "MS4A1"),
        ("CD30", "TNFRSF8"),
        ("CD123", "IL3RA"),
        ("HER2", "ERBB2"),
        ("PD-1", "PDCD1"),
        ("PD-L1", "CD274"),
        ("TIM-3", "HAVCR2"),
        ("B7-H3", "CD276"),
        ("Nectin-4", "NECTIN4"),
        ("FcRH5", "FCRL5"),
        ("EGFRvIII", "EGFRvIII"),
        ("VEGFR2", "KDR"),
        ("NY-ESO-1", "CTAG1B"),
        ("KK-LC-1", "CT83"),
        ("CA125", "MUC16"),
        ("PSMA", "FOLH1"),
        ("MSLN", "MSLN"),
        ("KRAS2", "KRAS"),  # a previous symbol
        ("HGNC:7371", "MSLN"),
        ("programmed cell death 1", "PDCD1"),
    ],
)
def test_resolve_target(name: str, symbol: str) -> None:
    target = resolve_target(name)
    assert target is not None
    assert target.symbol == symbol


@pytest.mark.parametrize(
    "name", ["CAR", "OS", "DOR", "MTD", "CR", "PR", "SD", "DCR", "met", "impact"]
)
def test_resolve_rejects_trial_vocabulary(name: str) -> None:
    assert resolve_target(name) is None


def test_gd2_is_an_antigen_without_hgnc() -> None:
    target = resolve_target("disialoganglioside GD2")
    assert target is not None
    assert (target.symbol, target.kind) == ("GD2", "antigen")
    assert target.curie is None or not target.curie.startswith("HGNC:")


@pytest.mark.parametrize(
    ("name", "symbols"),
    [
        ("CD19/CD22 CAR-T", ("CD19", "CD22")),  # tandem
        ("CD22-CD19 cCAR", ("CD22", "CD19")),  # compound CAR
        ("anti-CD19+CD22 CAR-T cells", ("CD19", "CD22")),
        ("CD19xCD22 CAR-T", ("CD19", "CD22")),
        ("CD19-specific CAR T cells", ("CD19",)),
        ("CAR19 T cells", ("CD19",)),  # CAR and the antigen's CD number
        ("CAR.19 T cells", ("CD19",)),
        ("CD20 CAR-T", ("MS4A1",)),  # CD numbers as HGNC lists them
        ("CD123 CAR-T", ("IL3RA",)),
    ],
)
def test_cell_therapy_constructs_name_each_antigen(name: str, symbols: tuple[str, ...]) -> None:
    rec = record("A CAR-T study.", Intervention(type="BIOLOGICAL", name=name))
    assert found(rec) == {(s, 0) for s in symbols}


@pytest.mark.parametrize(
    ("summary", "symbol"),
    [
        ("Patients with psoriasis after anti-TNF failure receive study drug.", "TNF"),
        ("Previously treated with an EGFR inhibitor; now given study drug.", "EGFR"),
        ("Enrols PSEN1 mutation carriers at risk of Alzheimer disease.", "PSEN1"),
        ("Adults with an inadequate response to anti-IL-17 antibodies.", "IL17A"),
    ],
)
def test_population_mentions_are_never_aims(summary: str, symbol: str) -> None:
    rec = record(summary, Intervention(type="DRUG", name="XYZ-123"))
    mentions = find_targets(rec)
    assert [(m.target.symbol, m.intervention, m.population) for m in mentions] == [
        (symbol, None, True)
    ]


def test_an_aim_in_the_same_record_still_attaches() -> None:
    rec = record(
        "XYZ-123, a TYK2 inhibitor, in psoriasis after anti-TNF failure.",
        Intervention(type="DRUG", name="XYZ-123"),
    )
    got = {(m.target.symbol, m.intervention, m.population) for m in find_targets(rec)}
    assert got == {("TYK2", 0, False), ("TNF", None, True)}
