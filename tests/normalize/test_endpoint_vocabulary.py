"""The endpoint vocabulary beyond oncology: every code family on real outcome titles of the
corpus, the context rules for abbreviations, measure types, directions and what counts as
coded."""

from __future__ import annotations

import pytest

from trialgraph.normalize.endpoints import (
    CATCH_ALL,
    classify_outcome,
    endpoint_concepts,
    find_lab_analytes,
    is_specific,
)
from trialgraph.normalize.lexicon import table
from trialgraph.normalize.measures import DIRECTIONS, MEASURE_TYPES
from trialgraph.records import Outcome


def classify(measure: str, description: str = "") -> tuple[str, ...]:
    return classify_outcome(Outcome("secondary", measure, description, "")).codes


# One real outcome title per family (from the corpus sets under tests/data).
FAMILY_CASES: list[tuple[str, tuple[str, ...]]] = [
    # depression, anxiety, sleep
    ("Improvement in PHQ 9 in both groups", ("PHQ-9",)),
    ("Beck Depression Inventory (BDI-II) in female partners", ("BDI-II",)),
    ("The Hamilton Depression Scale (HAMD)", ("HAM-D",)),
    ("change of Montgomery Depression Rating Scale(MADRS)total score", ("MADRS",)),
    ("Responses on the Center for Epidemiologic Studies Depression Scale (CES-D).", ("CES-D",)),
    ("Improvement in GAD 7 in both groups", ("GAD-7",)),
    ("The change of total score of Hamilton Anxiety Scale (HAMA)", ("HAM-A",)),
    ("State Trait Anxiety Inventory", ("STAI",)),
    ("Hospital Anxiety and Depression Scale", ("HADS",)),
    ("Differences in depression scores", ("DEPRESSION",)),
    ("Differences in anxiety scores", ("ANXIETY",)),
    ("Pittsburgh Sleep Quality Index (PSQI) global score", ("PSQI",)),
    ("Sleep quality in pregnancy and its association with pregnancy outcomes", ("SLEEP",)),
    # pain and function
    ("Brief Pain Inventory-Short Form (BPI-SF)", ("BPI",)),
    ("Short Form McGill Pain Questionnaire (SF-MPQ)", ("MPQ",)),
    ("rate of pain during intercourse", ("PAIN",)),
    ("Time to First Opioid Use", ("ANALGESIC_USE",)),
    ("Changes in the Oswestry Disability Index", ("ODI",)),
    ("Changes in the Neck Disability Index", ("NDI",)),
    (
        "Change [over time] of Disabilities of Arm, Shoulder and Hand Questionnaire (DASH)",
        ("DASH",),
    ),
    ("Change From Baseline to Week 26 in 6-minute Walk Distance (6MWD) at Trough", ("6MWD",)),
    ("Timed Up and Go Test", ("TUG",)),
    ("Modified Rankin Scale (mRS) at 90 days", ("MRS",)),
    # heart failure and quality of life
    ("Changes in The Minnesota Living with Heart Failure Questionnaire administered", ("MLHFQ",)),
    ("NYHA Functional Class", ("NYHA",)),
    ("Change in KCCQ Clinical Summary Score", ("KCCQ",)),
    ("Change in 36-Item Short-Form Health Survey (SF-36) From Baseline at Weeks 12", ("SF-36",)),
    ("Italian validated Version of SF-12 Health Survey", ("SF-12",)),
    ("EQ-5D-5L quality of life questionnaire", ("EQ-5D",)),
    (
        "Changing in The World Health Organization Quality of Life (WHOQOL) from baseline",
        ("WHOQOL-BREF",),
    ),
    ("Patient Reported Outcomes by EORTC QLQ-C30 Questionnaire", ("QLQ-C30",)),
    ("Functional Assessment of Cancer Therapy- Prostate Cancer (FACT-P)", ("FACT",)),
    ("Quality of Life in Epilepsy (QOLIE-31) total score", ("QOLIE-31",)),
    # cognition, dermatology, rheumatology, urology, neurology, eye
    ("Change from Baseline in MMSE", ("MMSE",)),
    ("Change From Baseline in ADAS-Cog13", ("ADAS-COG",)),
    ("Change From Baseline in CDR-SB at Week 76", ("CDR-SB",)),
    ("psoriasis area and severity index", ("PASI",)),
    ("Percentage of Participants Achieving IGA 0/1", ("IGA",)),
    ("Change in DLQI", ("DLQI",)),
    ("Percentage of Participants Achieving ACR20 at Week 12", ("ACR20",)),
    ("Change From Baseline in DAS28-CRP", ("DAS28",)),
    ("Ability to obtain an erection, as measured by question 1 on the IIEF", ("IIEF",)),
    ("EF as Assessed by the Erectile Hardness Score (EHS)", ("EHS",)),
    ("* SEP: Sexual Encounter Profile", ("SEP",)),
    ("International consultation on incontinence questionnaire.", ("ICIQ",)),
    ("OAB-q short form questionnaire.", ("OABQ",)),
    ("Qmax", ("QMAX",)),
    ("Change From Baseline in Postvoid Residual Volume (PVR) at Week 12", ("PVR",)),
    ("Change From Baseline in EDSS", ("EDSS",)),
    ("Change in MDS-UPDRS Part III score", ("UPDRS",)),
    ("Change in monthly migraine days", ("MIGRAINE_DAYS",)),
    ("Change From Baseline in Mean Diurnal Intraocular Pressure (IOP) in the Study Eye", ("IOP",)),
    ("Change in best corrected visual acuity (BCVA)", ("BCVA",)),
    ("Change in central subfield thickness (CST)", ("CST",)),
    # physiology and vital signs
    ("Systolic Blood Pressure", ("BP",)),
    ("Supine heart rate (HR)", ("HR",)),
    ("Body Mass Index (BMI)", ("BMI",)),
    (
        "Absolute mean reduction in weight and waist circumference",
        ("BODY_WEIGHT", "WAIST_CIRCUMFERENCE"),
    ),
    ("Change from baseline in forced vital capacity (FVC)", ("FVC",)),
    ("Change from baseline in trough FEV1", ("FEV1",)),
    (
        "Change From Baseline to 4 Weeks in Schwartz Formula Glomerular Filtration Rate (GFR)",
        ("GFR",),
    ),
    ("Left ventricular ejection fraction", ("LVEF",)),
    ("Improvement in oxygen saturation (SpO2)", ("SPO2",)),
    # clinical events
    ("MACCE", ("MACE",)),
    ("Non-hemorrhagic stroke", ("STROKE",)),
    ("Symptomatic proximal venous thromboembolism", ("VTE",)),
    ("Primary end points of the study were bleeding and death.", ("BLEEDING", "MORTALITY")),
    ("Number of unplanned hospitalizations", ("HOSPITALIZATION",)),
    ("Infection/sepsis", ("INFECTION",)),
    ("Time to First Stroke, Systemic Embolism, or All-Cause Mortality", ("STROKE", "MORTALITY")),
    # utilization and conduct
    ("Maternal Hospital stay", ("LOS",)),
    ("Re-hospitalization for vascular reasons", ("READMISSION",)),
    ("Compliance to therapy", ("ADHERENCE",)),
    ("Percentage of patients with satisfaction to treatment", ("SATISFACTION",)),
    ("Operative time", ("OPERATIVE_TIME",)),
    ("Estimated blood loss", ("BLOOD_LOSS",)),
    # function, behaviour and other general concepts
    ("Handgrip strength", ("MUSCLE_STRENGTH",)),
    ("Change in peak VO2", ("EXERCISE_CAPACITY",)),
    ("Moderate to vigorous physical activity (MVPA)", ("PHYSICAL_ACTIVITY",)),
    ("Perceived Stress Scale (PSS-10)", ("PSS",)),
    ("7-day point prevalence abstinence", ("ABSTINENCE",)),
    ("Number of falls", ("FALLS",)),
    ("Time to complete wound healing", ("WOUND_HEALING",)),
    ("Clinical pregnancy rate", ("PREGNANCY",)),
    ("Oxidative stress markers", ("OTHER",)),
    # pharmacokinetics
    ("Accumulation ratio (Racc)", ("ACCUMULATION",)),
    ("Clearance rate (CL)", ("CL",)),
    ("Tadalafil,Tamsulosin Vd/Fss", ("VD",)),
    ("Trough plasma concentration (Ctrough)", ("CMIN",)),
    ("Plasma concentration at 24 hours post-dose (C24)", ("CMIN",)),
    ("Apparent Terminal Plasma Half-life (t½)", ("THALF",)),
    ("Terminal half-life (t1\u20442)", ("THALF",)),  # ½ as NFKC writes it
]


@pytest.mark.parametrize(("measure", "codes"), FAMILY_CASES)
def test_code_families(measure: str, codes: tuple[str, ...]) -> None:
    assert classify(measure) == codes


def test_laboratory_measures_carry_their_analytes() -> None:
    e = classify_outcome(
        Outcome(
            "secondary",
            "Change in N-terminal Pro-brain Natriuretic Peptide (NT-proBNP) From Baseline to "
            "Week 48",
        )
    )
    assert e.codes == ("LAB_MEASURE",)
    assert [(a.key, a.curie) for a in e.analytes] == [("NT-proBNP", "HGNC:7940")]
    lipids = classify_outcome(Outcome("secondary", "Change in LDL-C and HbA1c"))
    assert [a.key for a in lipids.analytes] == ["LDL-C", "HbA1c"]
    ratio = classify_outcome(Outcome("secondary", "Plasma p-tau217 and Aβ42/40 ratio"))
    assert [(a.key, a.curie) for a in ratio.analytes] == [
        ("p-tau", "HGNC:6893"),
        ("amyloid-β", "HGNC:620"),
    ]
    # An analyte inside another endpoint's words is that endpoint's, not a lab measure.
    assert classify(
        "Number of Participants With Prostate Specific Antigen 50 (PSA50) Response"
    ) == ("MARKER_RESPONSE",)
    assert classify("Amyloid-related imaging abnormalities (ARIA)") == ("AE",)
    # Cytokines keep their code.
    assert classify("Change in hs-CRP") == ("CYTOKINES",)


def test_lab_analyte_curies_are_from_the_releases() -> None:
    curies = {a.key: a.curie for a in find_lab_analytes("glucose, total cholesterol, TG, SCr")}
    assert curies == {
        "glucose": "CHEBI:17234",
        "total cholesterol": "CHEBI:16113",
        "triglycerides": "CHEBI:17855",
        "creatinine": "CHEBI:16737",
    }
    assert all(a.curie is None for a in find_lab_analytes("HbA1c, LDL-C, hemoglobin"))


CONTEXT_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    # CDR-SB is the dementia rating, never a cancer detection rate.
    ("Change From Baseline in CDR-SB", "", ("CDR-SB",)),
    ("CDR", "Clinical Dementia Rating global score in Alzheimer's disease", ("CDR",)),
    ("Cancer detection rate (CDR)", "Cancers detected per 1000 screened", ("DIAGNOSTIC",)),
    ("CDR", "", ("OTHER",)),
    # "Self efficacy" is a belief, not treatment efficacy.
    ("Self-efficacy", "", ("OTHER",)),
    ("General Self Efficacy Scale", "", ("OTHER",)),
    # A DLT outcome stays DLT whatever its description says about adverse events.
    ("Dose limited toxicity (DLT)", "Adverse events graded by CTCAE v5.0", ("DLT",)),
    ("Dose-Limiting Toxicity", "Any adverse event meeting the DLT definition", ("DLT",)),
    # ... unless the title names both.
    (
        "Number of Participants With Adverse Events (AEs) Meeting Protocol-defined "
        "Dose-limiting Toxicity (DLT) Criteria",
        "",
        ("AE", "DLT"),
    ),
    # HR is heart rate only beside heart words; else it is a hazard ratio, not an endpoint.
    ("HR", "resting heart rate in beats per minute", ("HR",)),
    ("HR of overall survival", "", ("OS",)),
    # EF: erectile function in urology, ejection fraction in cardiology.
    ("change in EF", "erectile function by a questionnaire on erections", ("SEXUAL_FUNCTION",)),
    ("EF at 6 months", "echocardiographic left ventricular function", ("LVEF",)),
    # A bare PVR is a post-void residual only beside bladder words.
    ("PVR", "pulmonary vascular resistance by right heart catheterization", ("OTHER",)),
    ("PVR", "post-void residual urine by bladder scan", ("PVR",)),
    # A named instrument replaces the unnamed scale of its domain.
    ("Pain intensity by the Brief Pain Inventory", "", ("BPI",)),
    ("Quality of life (EQ-5D)", "", ("EQ-5D",)),
    # ... and one its description names: the title says what, the description with what.
    ("Quality of Life following screening", "Measured with the SF-36", ("SF-36",)),
    ("Lower Urinary Tract Symptoms", "Through IPSS", ("IPSS",)),
    ("Erectile Dysfunction", "Through IIEF-5", ("IIEF",)),
    # a description naming an instrument of another domain adds nothing
    ("Quality of life", "Pain by the Brief Pain Inventory", ("QOL",)),
    # serious adverse events with words between; ADRs are adverse events
    ("Patients with serious device-related adverse events", "", ("SAE",)),
    ("Incidence of ADR during the study", "", ("AE",)),
    # a success rate is not feasibility, perinatal complications are no adverse events
    ("Success rate", "", ("OTHER",)),
    ("Perinatal complications rate", "", ("OTHER",)),
    ("Postoperative complications", "", ("AE",)),
    # memory cells and medical attention are no cognition
    ("Memory B cell heterogeneity", "", ("OTHER",)),
    ("Working memory", "", ("COGNITION",)),
    # steady-state PK parameters; ambulatory and seated blood pressure abbreviations
    ("Tadalafil CL/Fss", "", ("CL",)),
    ("Tamsulosin tmax,ss", "", ("TMAX",)),
    ("Change From Baseline in Daytime maSBP and maDBP", "", ("BP",)),
    ("Number of hourly BP's in severe range", "", ("BP",)),
    # sexual satisfaction and ejaculatory latency are sexual function; EDITS is satisfaction
    ("Overall Patient Sexual Satisfaction", "", ("SEXUAL_FUNCTION",)),
    ("Change in Intra-vaginal Ejaculation Latency Time (IELT)", "", ("SEXUAL_FUNCTION",)),
    ("Erectile Dysfunction Inventory of Treatment Satisfaction (EDITS)", "", ("SATISFACTION",)),
    ("Follow-up Treatment for Erectile Dysfunction", "", ("OTHER",)),
    # Stop phrases: a threshold is not a pain score, a birth weight not a body weight.
    ("Pressure pain threshold", "", ("OTHER",)),
    ("Birth weight", "", ("OTHER",)),
]


@pytest.mark.parametrize(("measure", "description", "codes"), CONTEXT_CASES)
def test_context_rules(measure: str, description: str, codes: tuple[str, ...]) -> None:
    assert classify(measure, description) == codes


MEASURE_TYPE_CASES: list[tuple[str, str | None, str | None]] = [
    ("Change From Baseline in PHQ-9 Total Score at Week 8", "change", "lower-better"),
    ("Percentage of Participants Achieving PASI 75 at Week 16", "proportion", "higher-better"),
    ("Number of Participants With Treatment-Emergent Adverse Events", "proportion", "lower-better"),
    (
        "Time to First Stroke, Systemic Embolism, or All-Cause Mortality",
        "time-to-event",
        "higher-better",
    ),
    ("Overall Survival", "time-to-event", "higher-better"),
    ("Time to Response (TTR)", "time-to-event", "lower-better"),
    ("Number of unplanned hospitalizations", "count", "lower-better"),
    ("Change in monthly migraine days", "change", "lower-better"),
    ("Headache frequency", "count", "lower-better"),
    ("Annualized rate of moderate or severe exacerbations", "count", "lower-better"),
    ("Maximum concentration obtained (Cmax)", "value", None),
    ("Time to reach maximum concentration Cmax (Tmax)", "value", None),
    ("Brief Pain Inventory-Short Form (BPI-SF)", "value", "lower-better"),
    ("Pain relief at 2 hours", "value", "higher-better"),
    ("Left ventricular ejection fraction", "value", "higher-better"),
    ("Systolic Blood Pressure", "value", None),
    ("Change From Baseline in Mean Diurnal Intraocular Pressure (IOP)", "change", "lower-better"),
    ("Percentage of Patients With Freedom From Biochemical Failure", "proportion", "higher-better"),
    (
        "Number of Participants With a Worsening in TUG Time (Timed Up and Go)",
        "proportion",
        "lower-better",
    ),
    (
        "Percentage of Participants With ≥50% Reduction in Seizure Frequency",
        "proportion",
        "higher-better",
    ),
    ("Objective response rate (ORR)", "proportion", "higher-better"),
    ("Change in N-terminal pro-BNP (NT-proBNP)", "change", "lower-better"),
    ("Change in fasting plasma glucose", "change", None),
    ("Feasibility of recruitment", None, None),
    ("Adverse events", None, "lower-better"),
    ("Safety and tolerability", None, None),
    ("Percentage of Alive Participants", "proportion", None),
]


@pytest.mark.parametrize(("measure", "mtype", "direction"), MEASURE_TYPE_CASES)
def test_measure_types_and_directions(
    measure: str, mtype: str | None, direction: str | None
) -> None:
    e = classify_outcome(Outcome("primary", measure))
    assert (e.measure_type, e.direction) == (mtype, direction)


def test_is_specific() -> None:
    assert {"SAFETY", "EFFICACY", "LAB", "DIAGNOSTIC", "OTHER"} == CATCH_ALL
    assert not is_specific(("SAFETY",))
    assert not is_specific(("EFFICACY", "LAB"))
    assert is_specific(("EFFICACY", "PHQ-9"))
    assert is_specific(("PK",))
    assert is_specific(("LAB_MEASURE",))
    # LAB_MEASURE is only ever given with the analytes it names.
    for measure in ("Change in HbA1c", "LDL-C at week 12", "Serum creatinine"):
        e = classify_outcome(Outcome("primary", measure))
        assert e.codes == ("LAB_MEASURE",) and e.analytes, measure


def test_vocabulary_tables() -> None:
    concepts = endpoint_concepts()
    instruments = [c for c in concepts.values() if c.instrument]
    assert len(instruments) >= 80
    assert all(c.domain for c in instruments)
    assert {c.direction for c in concepts.values()} <= {None, *DIRECTIONS}
    assert {c.kind for c in concepts.values()} <= {None, "event", "time", "rate", "score", "value"}
    for code in CATCH_ALL:
        assert concepts[code].direction is None
    assert set(MEASURE_TYPES) == {"proportion", "change", "time-to-event", "count", "value"}
    for row in table("instruments.tsv"):
        assert row["source"], row["code"]
        assert bool(row["contextual"]) == bool(row["context"]), row["code"]
        # ASCII phrases keep the phrase matcher one trie (non-ASCII ones make it slow).
        assert all(p.isascii() for p in row["phrases"].split(";")), row["code"]
    for name in ("instruments.tsv", "lab_analytes.tsv", "endpoint_stops.tsv"):
        rows = table(name)
        assert rows and all(None not in r and all(v is not None for v in r.values()) for r in rows)


@pytest.mark.parametrize(
    ("measure", "codes", "mtype"),
    [
        ("Mean number of glaucoma medications", ("MEDICATION_USE",), "value"),
        ("Caesarean section rate", ("CESAREAN",), "proportion"),
        ("Time to Clinical Worsening (TTCW)", ("CLINICAL_WORSENING",), "time-to-event"),
        ("Change From Baseline in WHO Functional Class", ("WHO-FC",), "change"),
        ("Sperm concentration", ("SEMEN_QUALITY",), "value"),
        ("The digit span-forward and backward test", ("COGNITION",), "value"),
        ("Mean VAS Score For Sleepiness", ("SLEEP",), "value"),
        ("Number of Participants Achieving Overall sPGA (0,1)", ("IGA",), "proportion"),
    ],
)
def test_concepts_of_other_areas(measure: str, codes: tuple[str, ...], mtype: str) -> None:
    endpoint = classify_outcome(Outcome("primary", measure, "", ""))
    assert (endpoint.codes, endpoint.measure_type) == (codes, mtype)


def test_knee_society_score_is_no_sleepiness() -> None:
    assert classify("Knee Society Score (KSS) at 1 year") != ("SLEEP",)
