"""Endpoint recognition: every endpoint fact of the seed records, precision cases, coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialgraph.normalize.endpoints import (
    classify_outcome,
    endpoint_concepts,
    find_analytes,
    find_criteria,
)
from trialgraph.normalize.lexicon import table
from trialgraph.records import Outcome, OutcomeRole

DATA = Path(__file__).resolve().parents[1] / "data"

# The codes of CONTRACT.md; the lexicon may add codes but never drop or rename these.
CONTRACT_CODES = (
    *("AE", "SAE", "DLT", "MTD", "RP2D", "ORR", "CRR", "DCR", "CBR", "DOR", "DDC", "PFS", "OS"),
    *("EFS", "DFS", "RFS", "TTP", "TTR", "CMAX", "TMAX", "AUC", "THALF", "PK", "ADA"),
    *("CELL_KINETICS", "CYTOKINES", "BIOMARKER", "MRD", "QOL", "FEASIBILITY", "OTHER"),
)


def seed_outcomes(prefix: str, role: OutcomeRole) -> list[Outcome]:
    """A seed record's outcomes, split locally: measure and time frame are the first and last
    comma-separated parts of each ``|``-separated cell, the description what lies between."""
    (path,) = (DATA / "seeds").glob(f"{prefix}_*.txt")
    lines = path.read_text(encoding="utf-8").split("\n")
    cell = lines[4] if role == "primary" else lines[5]
    outcomes = []
    for item in cell.split("|"):
        parts = item.split(", ")
        outcomes.append(Outcome(role, parts[0], ", ".join(parts[1:-1]), parts[-1]))
    return outcomes


IL6_IFNG = ("IL-6", "IFN-γ")
# (seed, role, index, codes, duration, criteria keys, analyte keys)
SEED_FACTS: list[
    tuple[str, OutcomeRole, int, tuple[str, ...], str, tuple[str, ...], tuple[str, ...]]
] = [
    # 000: the AE outcome's description also names DLT (same observation window).
    ("000", "primary", 0, ("AE", "DLT"), "P28D", ("CTCAE-5.0",), ()),
    ("000", "secondary", 0, ("DCR",), "P2Y", ("RECIST-1.1",), ()),
    ("000", "secondary", 1, ("ORR",), "P2Y", ("RECIST-1.1",), ()),
    ("000", "secondary", 2, ("DOR",), "P2Y", (), ()),
    ("000", "secondary", 3, ("PFS",), "P2Y", ("RECIST-1.1",), ()),
    ("000", "secondary", 4, ("OS",), "P2Y", ("RECIST-1.1",), ()),
    ("000", "secondary", 5, ("CMAX",), "P2Y", (), ()),
    ("000", "secondary", 6, ("AUC",), "P2Y", (), ()),
    ("000", "secondary", 7, ("TMAX",), "P2Y", (), ()),
    (
        "000",
        "secondary",
        8,
        ("CYTOKINES",),
        "P2Y",
        (),
        ("IL-6", "IFN-γ", "IL-2", "TNF-α", "ferritin", "CRP"),
    ),
    ("001", "primary", 0, ("AE",), "P28D", ("CTCAE",), ()),
    ("001", "secondary", 0, ("TMAX",), "P2Y", (), ()),
    ("001", "secondary", 1, ("AUC",), "P2Y", (), ()),
    ("001", "secondary", 2, ("CMAX",), "P2Y", (), ()),
    ("001", "secondary", 3, ("CYTOKINES",), "P2Y", (), (*IL6_IFNG, "ferritin", "CRP")),
    ("001", "secondary", 4, ("ORR",), "P2Y", ("RECIST-1.1",), ()),
    ("001", "secondary", 5, ("DOR",), "P2Y", (), ()),
    ("001", "secondary", 6, ("OS",), "P2Y", (), ()),
    ("001", "secondary", 7, ("PFS",), "P2Y", (), ()),
    ("001", "secondary", 8, ("DCR",), "P2Y", ("RECIST-1.1",), ()),
    ("002", "primary", 0, ("DLT",), "P28D", (), ()),
    ("002", "secondary", 0, ("MTD",), "P28D", (), ()),
    ("002", "secondary", 1, ("ORR",), "P12M", ("RECIST-1.1",), ()),
    ("002", "secondary", 2, ("PFS",), "P12M", (), ()),
    ("002", "secondary", 3, ("OS",), "P12M", (), ()),
    ("002", "secondary", 4, ("CMAX",), "P12M", (), ()),
    ("002", "secondary", 5, ("AUC",), "P28D", (), ()),
    (
        "002",
        "secondary",
        6,
        ("CYTOKINES",),
        "P28D",
        (),
        ("IL-2", "IL-4", "IL-6", "IL-8", "IL-10", "IL-15", "IFN-γ", "TNF-α", "MCP-1"),
    ),
    ("003", "primary", 0, ("DLT",), "P28D", (), ()),
    ("003", "primary", 1, ("MTD",), "P28D", (), ()),
    ("003", "secondary", 0, ("CELL_KINETICS",), "P26W", (), ()),
    ("003", "secondary", 1, ("AE",), "P1Y", ("CTCAE-5.0",), ()),
    ("003", "secondary", 2, ("PFS",), "P1Y", (), ()),
    ("003", "secondary", 3, ("DOR",), "P1Y", (), ()),
    ("003", "secondary", 4, ("DDC",), "P1Y", (), ()),
    ("003", "secondary", 5, ("OS",), "P1Y", (), ()),
    ("003", "secondary", 6, ("ORR",), "P1Y", (), ()),
    ("003", "secondary", 7, ("DCR",), "P1Y", (), ()),
    ("003", "secondary", 8, ("OS",), "P15Y", (), ()),
    ("004", "primary", 0, ("DLT",), "P28D", (), ()),
    ("004", "primary", 1, ("MTD",), "P28D", (), ()),
    ("004", "primary", 2, ("AE", "SAE"), "P72W", ("CTCAE-5.0",), ()),
    ("004", "secondary", 0, ("ORR",), "P18M", ("RECIST-1.1",), ()),
    ("004", "secondary", 1, ("DOR",), "P18M", ("RECIST-1.1",), ()),
    ("004", "secondary", 2, ("PFS",), "P18M", (), ()),
]


@pytest.mark.parametrize(
    ("seed", "role", "index", "codes", "duration", "criteria", "analytes"), SEED_FACTS
)
def test_seed_endpoint_facts(
    seed: str,
    role: OutcomeRole,
    index: int,
    codes: tuple[str, ...],
    duration: str,
    criteria: tuple[str, ...],
    analytes: tuple[str, ...],
) -> None:
    outcome = seed_outcomes(seed, role)[index]
    endpoint = classify_outcome(outcome)
    assert endpoint.role == role
    assert endpoint.codes == codes, outcome.measure
    assert endpoint.duration == duration
    assert tuple(c.key for c in endpoint.criteria) == criteria
    assert tuple(a.key for a in endpoint.analytes) == analytes


def test_seed_outcome_counts() -> None:
    counts = {
        s: (len(seed_outcomes(s, "primary")), len(seed_outcomes(s, "secondary")))
        for s in ("000", "001", "002", "003", "004")
    }
    facts = {
        s: (
            sum(1 for f in SEED_FACTS if f[0] == s and f[1] == "primary"),
            sum(1 for f in SEED_FACTS if f[0] == s and f[1] == "secondary"),
        )
        for s in counts
    }
    assert counts == facts


def test_seed_categories() -> None:
    cats = {
        classify_outcome(o).codes[0]: classify_outcome(o).category
        for s in ("000", "003")
        for r in ("primary", "secondary")
        for o in seed_outcomes(s, r)
    }
    assert cats["AE"] == "safety"
    assert cats["ORR"] == "efficacy"
    assert cats["CMAX"] == "pharmacokinetics"
    assert cats["CELL_KINETICS"] == "pharmacokinetics"
    assert cats["CYTOKINES"] == "pharmacodynamics"


def classify(measure: str, description: str = "", time_frame: str = "") -> tuple[str, ...]:
    return classify_outcome(Outcome("secondary", measure, description, time_frame)).codes


MEASURE_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("Incidence of Adverse events", "", ("AE",)),
    ("Number of Participants With Treatment-Emergent Adverse Events (TEAEs)", "", ("AE",)),
    ("incidence of adverse events( AE )and Serious adverse events(SAE)", "", ("AE", "SAE")),
    ("Objective response rate (ORR)", "", ("ORR",)),
    ("Overall Response Rate", "", ("ORR",)),
    ("Peak Plasma Concentration (Cmax)", "Pharmacokinetics (PK)", ("CMAX",)),
    ("Pharmacokinetics of U87 CAR-T cells", "Time of peak value", ("TMAX",)),
    ("Pharmacokinetics of U87 CAR-T cells", "Time at the maximal concentration(Tmax)", ("TMAX",)),
    ("Area under the concentration-time curve", "", ("AUC",)),
    ("AUC0-t of HSK40118", "", ("AUC",)),
    ("Terminal half life(t1/2) after single dosing", "", ("THALF",)),
    ("Apparent Terminal Plasma Half-life (t½)", "", ("THALF",)),
    (
        "Safety and Tolerability",
        "Incidence and severity of Treatment-Emergent Adverse Events",
        ("AE",),
    ),
    ("Safety and tolerability", "", ("SAFETY",)),
    ("Long term survival follow up", "The period from the first infusion to death", ("OS",)),
    ("Antitumor efficacy-Duration of disease control (DDC)", "", ("DDC",)),
    # A named instrument replaces the unnamed quality-of-life code.
    ("Quality of life (EORTC QLQ-C30)", "", ("QLQ-C30",)),
    ("Change in FACT-P total score", "", ("FACT",)),
    ("Health-related quality of life", "", ("QOL",)),
    ("Number of Participants With Anti-drug Antibodies (ADA)", "", ("ADA",)),
    ("Recommended phase II dose (RP2D)", "", ("RP2D",)),
    ("Maximum Tolerated Dose (MTD)", "", ("MTD",)),
    ("Pathological Complete Response (pCR)", "", ("PCR",)),
    ("Radiographic Progression Free Survival (rPFS)", "", ("PFS",)),
    ("Minimal residual disease (MRD) negativity", "", ("MRD",)),
    ("IL-6 level in serum", "", ("CYTOKINES",)),
    ("Feasibility of manufacturing", "", ("FEASIBILITY",)),
    ("Tumor mutational burden (TMB) at baseline", "", ("BIOMARKER",)),
    ("Pharmacodynamic variables", "PARP inhibition", ("BIOMARKER",)),
    ("Relapse Free Survival in 2 years", "", ("RFS",)),
    ("Time to Response (TTR)", "", ("TTR",)),
    ("Time to Progression on Osimertinib", "", ("TTP",)),
    ("Clinical Benefit Rate (CBR)", "", ("CBR",)),
]


@pytest.mark.parametrize(("measure", "description", "codes"), MEASURE_CASES)
def test_measure_phrasings(measure: str, description: str, codes: tuple[str, ...]) -> None:
    assert classify(measure, description) == codes


PRECISION_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    # A description defining its endpoint through others adds nothing.
    ("Disease control rate (DCR)", "Disease control rate: including CR, PR and SD", ("DCR",)),
    ("Duration of response (DOR)", "From CR or PR to progression-free survival end", ("DOR",)),
    # What follows the measure's own definition adds nothing either.
    ("Disease Control Rate (DCR): Percentage With a Best Overall Response of CR", "", ("DCR",)),
    # Abbreviations inside other words are not endpoints.
    ("NEMTDS score and DOSE level", "", ("OTHER",)),
    ("CHAOS index", "", ("OTHER",)),
    ("CAR copies detected by q-PCR", "", ("CELL_KINETICS",)),
    # An unknown measure is not classified from its description's boilerplate.
    ("Time to Worsening in TUG Time", "the overall feasibility of the study", ("OTHER",)),
    # Negated mentions in a generic measure's description are skipped.
    ("Safety", "Laboratory abnormalities, not including adverse events", ("LAB",)),
    # Non-serious adverse events are adverse events, not serious ones.
    ("Number of Participants With Non-serious Adverse Events", "", ("AE",)),
    ("Number of Participants With Serious and Non-serious Adverse Events", "", ("SAE", "AE")),
    # Dose expansion is a study part, not cell expansion.
    ("For Dose Expansion characterize the safety profile", "", ("SAFETY",)),
    # Cytokine release syndrome is an adverse event, not a cytokine measurement.
    ("Cytokine release syndrome graded by ASTCT", "IL-6 measured", ("AE",)),
]


@pytest.mark.parametrize(("measure", "description", "codes"), PRECISION_CASES)
def test_precision(measure: str, description: str, codes: tuple[str, ...]) -> None:
    assert classify(measure, description) == codes


def test_analytes_only_on_measured_outcomes() -> None:
    ae = classify_outcome(Outcome("primary", "Adverse events", "CRS with raised IL-6 and CRP"))
    assert ae.analytes == ()
    pd = classify_outcome(Outcome("secondary", "Pharmacodynamics (PD)", "IL-6 and IFN-gamma"))
    assert pd.codes == ("CYTOKINES",)
    assert [a.label for a in pd.analytes] == ["IL-6", "IFN-γ"]


CRITERIA_CASES: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("assessed by RECIST 1.1", [("RECIST-1.1", "RECIST 1.1", "1.1")]),
    ("RECIST1.1 criteria", [("RECIST-1.1", "RECIST 1.1", "1.1")]),
    ("per RECIST v1.1", [("RECIST-1.1", "RECIST 1.1", "1.1")]),
    ("RECIST version 1.1.", [("RECIST-1.1", "RECIST 1.1", "1.1")]),
    (
        "The Response Evaluation Criteria in Solid Tumors (RECIST v1.1) is used",
        [("RECIST-1.1", "RECIST 1.1", "1.1")],
    ),
    ("by RECIST Criteria 1.1", [("RECIST-1.1", "RECIST 1.1", "1.1")]),
    ("ORR per iRECIST", [("iRECIST", "iRECIST", "")]),
    ("irRECIST v1.1", [("irRECIST-1.1", "irRECIST 1.1", "1.1")]),
    ("mRECIST", [("mRECIST", "mRECIST", "")]),
    ("RANO criteria", [("RANO", "RANO", "")]),
    ("iRANO", [("iRANO", "iRANO", "")]),
    ("INRC", [("INRC", "INRC", "")]),
    ("Lugano 2014", [("Lugano-2014", "Lugano 2014", "2014")]),
    ("Per Cheson 2014 for DLBCL", [("Cheson-2014", "Cheson 2014", "2014")]),
    ("iwCLL 2018", [("iwCLL-2018", "iwCLL 2018", "2018")]),
    ("IMWG criteria", [("IMWG", "IMWG", "")]),
    ("Per PCWG3 Criteria", [("PCWG-3", "PCWG3", "3")]),
    ("GCIG CA-125 response", [("GCIG", "GCIG", "")]),
    ("(CTCAE, Version 5.0)", [("CTCAE-5.0", "CTCAE v5.0", "5.0")]),
    ("CTCAE v5.0", [("CTCAE-5.0", "CTCAE v5.0", "5.0")]),
    ("NCI CTCAE version 5", [("CTCAE-5.0", "CTCAE v5.0", "5.0")]),
    ("NCI-CTCAE v5.0 criteria.", [("CTCAE-5.0", "CTCAE v5.0", "5.0")]),
    ("Toxicity as measured by CTCAE V4.0", [("CTCAE-4.0", "CTCAE v4.0", "4.0")]),
    ("grading with CTCAE 4.03", [("CTCAE-4.03", "CTCAE v4.03", "4.03")]),
    ("Common Terminology Criteria for Adverse Events", [("CTCAE", "CTCAE", "")]),
    (
        "National Cancer Institute's Common Terminology Criteria for Adverse Events (CTCAE, "
        "Version 5.0)",
        [("CTCAE-5.0", "CTCAE v5.0", "5.0")],
    ),
    ("CTCAE grade 3 or higher", [("CTCAE", "CTCAE", "")]),
    ("CRS graded per ASTCT consensus", [("ASTCT", "ASTCT", "")]),
    ("EORTC QLQ-C30", [("EORTC QLQ-C30", "EORTC QLQ-C30", "")]),
    ("no criteria here", []),
]


@pytest.mark.parametrize(("text", "expected"), CRITERIA_CASES)
def test_find_criteria(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(c.key, c.label, c.version) for c in find_criteria(text)] == expected


def test_criteria_codes() -> None:
    (recist,) = find_criteria("RECIST 1.1")
    (ctcae,) = find_criteria("CTCAE v5.0")
    assert (recist.family, recist.curie) == ("RECIST", "NCIT:C49164")
    assert (ctcae.family, ctcae.curie) == ("CTCAE", "NCIT:C49704")


ANALYTE_CASES: list[tuple[str, list[str]]] = [
    (
        "IL-6, IFN γ, IL-2, TNFα, ferritin and CRP",
        ["IL-6", "IFN-γ", "IL-2", "TNF-α", "ferritin", "CRP"],
    ),
    ("IFN Î³", ["IFN-γ"]),  # mojibake as the record carries it
    ("IFN-gamma, interferon gamma, IFNγ", ["IFN-γ"]),
    ("TNF-alpha", ["TNF-α"]),
    ("MCP1 (CCL2)", ["MCP-1"]),
    ("C-reactive protein", ["CRP"]),
    ("IL-1β and IL-10 and IL-15", ["IL-1β", "IL-10", "IL-15"]),
    ("GM-CSF and sCD25", ["GM-CSF", "sCD25"]),
    ("IL-60 and IL-6R", []),
]


@pytest.mark.parametrize(("text", "expected"), ANALYTE_CASES)
def test_find_analytes(text: str, expected: list[str]) -> None:
    assert [a.label for a in find_analytes(text)] == expected


def test_analyte_curies() -> None:
    curies = {a.key: a.curie for a in find_analytes("IFN-γ IL-6 TNF-α IL-8 MCP-1 CRP ferritin")}
    assert curies == {
        "IFN-γ": "HGNC:5438",
        "IL-6": "HGNC:6018",
        "TNF-α": "HGNC:11892",
        "IL-8": "HGNC:6025",
        "MCP-1": "HGNC:10618",
        "CRP": "HGNC:2367",
        "ferritin": None,
    }


def test_lexicon_keeps_contract_codes_and_categories() -> None:
    concepts = endpoint_concepts()
    assert set(CONTRACT_CODES) <= set(concepts)
    assert all(c.category for c in concepts.values())
    assert all(c.code.isupper() or "_" in c.code or c.code[:1].isalpha() for c in concepts.values())


def test_tables_are_well_formed() -> None:
    for name in ("endpoints.tsv", "criteria.tsv", "analytes.tsv"):
        rows = table(name)
        assert rows
        for row in rows:
            assert None not in row and all(v is not None for v in row.values()), (name, row)


def json_outcomes() -> list[Outcome]:
    studies = json.loads((DATA / "ctgov-json" / "nsclc-studies.json").read_text("utf-8"))
    outcomes = []
    roles: list[tuple[str, OutcomeRole]] = [
        ("primaryOutcomes", "primary"),
        ("secondaryOutcomes", "secondary"),
        ("otherOutcomes", "other"),
    ]
    for study in studies:
        module = study.get("protocolSection", {}).get("outcomesModule", {})
        for key, role in roles:
            for o in module.get(key, []):
                outcomes.append(
                    Outcome(
                        role, o.get("measure", ""), o.get("description", ""), o.get("timeFrame", "")
                    )
                )
    return outcomes


def test_corpus_coverage() -> None:
    """Share of the real JSON corpus's outcomes given a code other than OTHER (target 85%)."""
    outcomes = json_outcomes()
    assert len(outcomes) > 500
    mapped = sum(classify_outcome(o).codes != ("OTHER",) for o in outcomes)
    assert mapped / len(outcomes) >= 0.85
