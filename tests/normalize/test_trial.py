"""Normalizing a whole record: pure facts without a store or RDF, which the writer writes
as they are and the coverage figures count."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

from pyoxigraph import Literal
from tests.conftest import FIXED_TIME

from trialgraph.coverage import Coverage
from trialgraph.mapping import map_record, trial_graph
from trialgraph.mapping.write import Writer, write_conditions, write_interventions
from trialgraph.namespaces import STD, TG, mint
from trialgraph.normalize.interventions import normalize_intervention
from trialgraph.normalize.model import (
    Condition,
    Endpoint,
    InterventionFacts,
    Product,
    TargetMention,
)
from trialgraph.normalize.targets import find_targets, target_by_symbol
from trialgraph.normalize.trial import NormalizedTrial, normalize_record
from trialgraph.records import Intervention, Outcome, TrialRecord

RECORD = TrialRecord(
    source="t.txt",
    location="",
    format="plaintext",
    title="Anti-mesothelin CAR-T cells in mesothelioma",
    conditions=("Mesothelioma", "Zzyzx syndrome"),
    interventions=(
        Intervention(type="BIOLOGICAL", name="Anti-MSLN CAR-T cells"),
        Intervention(type="DRUG", name="Cyclophosphamide"),
    ),
    outcomes=(
        Outcome(role="primary", measure="Incidence of adverse events", time_frame="28 days"),
        Outcome(role="secondary", measure="Zzyzx index"),
    ),
)


def test_normalizing_needs_no_store_and_no_rdf() -> None:
    code = (
        "import sys\n"
        "from trialgraph.normalize.trial import normalize_record\n"
        "from trialgraph.records import Intervention, TrialRecord\n"
        "iv = Intervention(type='BIOLOGICAL', name='Anti-MSLN CAR-T cells')\n"
        "facts = normalize_record(TrialRecord('t', '', 'plaintext', 'A trial',"
        " conditions=('Mesothelioma',), interventions=(iv,)))\n"
        "assert facts.mentions and facts.conditions[0].curie\n"
        "heavy = ('pyoxigraph', 'rdflib', 'trialgraph.store', 'trialgraph.mapping')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"


def test_facts_are_aligned_with_the_record() -> None:
    facts = normalize_record(RECORD)
    assert [c.text for c in facts.conditions] == list(RECORD.conditions)
    assert facts.interventions == tuple(
        normalize_intervention(iv, RECORD) for iv in RECORD.interventions
    )
    assert facts.measures == ("Incidence of adverse events", "Zzyzx index")
    assert [e.role for e in facts.endpoints] == ["primary", "secondary"]
    assert facts.endpoints[0].duration == "P28D"
    assert [(m.target.symbol, m.intervention) for m in facts.mentions] == [("MSLN", 0)]
    assert [t.symbol for t in facts.targets] == ["MSLN"]
    assert normalize_record(RECORD) == facts  # pure: the same record, the same facts


def test_targets_are_distinct_in_the_order_first_named() -> None:
    msln, muc1 = target_by_symbol("MSLN"), target_by_symbol("MUC1")
    assert msln is not None and muc1 is not None
    mentions = (
        TargetMention(muc1, "MUC1", 0),
        TargetMention(msln, "mesothelin", 0),
        TargetMention(muc1, "MUC1", None),
    )
    assert NormalizedTrial(mentions=mentions).targets == (muc1, msln)


def test_find_targets_with_the_products_given_finds_the_same() -> None:
    interventions = [normalize_intervention(iv, RECORD) for iv in RECORD.interventions]
    assert find_targets(RECORD, interventions) == find_targets(RECORD)


def test_map_record_writes_the_facts_of_normalize_record() -> None:
    mapped = map_record(RECORD, ingested_at=FIXED_TIME)
    assert mapped.facts == normalize_record(RECORD)
    assert mapped.trial_id == RECORD.trial_id and mapped.checksum == RECORD.checksum


def test_the_writer_writes_the_facts_it_is_given() -> None:
    # facts no recognizer would find in this record: the writer must not look again
    condition = Condition(text="Mesothelioma", label="made-up disease", curie="MONDO:0000001")
    product = Product(key="made-up-product", label="made-up product", modality="CAR-T")
    muc1 = target_by_symbol("MUC1")
    assert muc1 is not None
    facts = dataclasses.replace(
        normalize_record(RECORD),
        conditions=(condition,),
        interventions=(InterventionFacts((product,)), InterventionFacts((product,))),
        mentions=(TargetMention(muc1, "MUC1", 1, 0),),
    )
    w = Writer(trial_graph(RECORD.trial_id))
    trial = mint("trial", RECORD.trial_id)
    write_conditions(w, trial, RECORD.trial_id, facts.conditions)
    write_interventions(w, trial, RECORD, facts)
    triples = {(q.subject, q.predicate, q.object) for q in w.quads}
    concepts = {(q.subject, q.predicate, q.object) for q in w.concepts}
    disease = mint("disease", "MONDO_0000001")
    product_node, target = mint("product", "made-up-product"), mint("target", "MUC1")
    second = mint("intervention", f"{RECORD.trial_id}-2")
    assert (trial, TG.studiesDisease, disease) in triples
    assert (disease, STD.label, Literal("made-up disease")) in concepts
    assert (second, TG.product, product_node) in triples
    assert (second, TG.aimsAt, target) in triples
    assert (product_node, TG.aimsAt, target) in triples
    assert (trial, TG.hasTarget, target) in triples
    assert not any(o == mint("target", "MSLN") for _, _, o in triples)


def test_coverage_counts_the_facts() -> None:
    coverage = Coverage()
    coverage.add(normalize_record(RECORD))
    coverage.add(
        NormalizedTrial(
            interventions=(InterventionFacts((Product(key="x", label="Mystery", modality=None),)),),
            endpoints=(Endpoint(role="primary", codes=("OTHER",), category="other"),),
            measures=("Zzyzx index",),
        )
    )
    f = coverage.figures()
    assert (f["trials"], f["trials_with_target"]) == (2, 0.5)
    assert (coverage.conditions, coverage.conditions_identified) == (2, 1)
    assert coverage.unmapped_conditions == {("disease", "Zzyzx syndrome"): 1}
    assert coverage.condition_kinds == {"disease": 2}
    assert f["conditions_by_kind"] == {"disease": {"mentions": 2, "identified": 0.5}}
    assert f["coded_outcomes_by_domain"] == {"safety": 1}  # AE: its category, no domain
    assert coverage.outcome_measure_types == {"proportion": 1, "none": 2}
    assert (coverage.interventions, coverage.interventions_with_modality) == (3, 2)
    assert coverage.unmapped_interventions == {"Mystery": 1}
    outcomes = (coverage.outcomes, coverage.outcomes_coded, coverage.outcomes_with_duration)
    assert outcomes == (3, 1, 1)
    assert coverage.unmapped_outcomes == {"Zzyzx index": 2}


def test_target_edges_say_how_they_were_derived() -> None:
    # sildenafil: DrugCentral lists PDE5A with its action; pembrolizumab: a curated row
    record = TrialRecord(
        source="t",
        location="",
        format="test",
        title="Two drugs",
        interventions=(
            Intervention(type="DRUG", name="Sildenafil citrate 50 mg"),
            Intervention(type="DRUG", name="Keytruda"),
        ),
    )
    mapped = map_record(record, ingested_at=FIXED_TIME)
    triples = {(q.subject, q.predicate, q.object) for q in mapped.quads}
    concepts = {(q.subject, q.predicate, q.object) for q in mapped.concept_quads}
    first = mint("intervention", f"{record.trial_id}-1")
    second = mint("intervention", f"{record.trial_id}-2")
    pde5a, pdcd1 = mint("target", "PDE5A"), mint("target", "PDCD1")
    assert (first, TG.targetByDrugTable, pde5a) in triples
    assert (first, TG.aimsAt, pde5a) in triples
    assert (second, TG.targetByCuratedRow, pdcd1) in triples
    assert not any(p == TG.targetByRecordText for _, p, _ in triples)
    mechanism = mint("mechanism", "sildenafil--PDE5A")
    assert (mint("product", "sildenafil"), TG.mechanism, mechanism) in concepts
    assert (mechanism, TG.target, pde5a) in concepts
    assert (mechanism, TG.derivation, Literal("drug-table")) in concepts
    assert (mechanism, TG.actionType, Literal("INHIBITOR")) in concepts


def test_a_population_marker_is_not_a_target_of_the_trial() -> None:
    record = TrialRecord(
        source="t",
        location="",
        format="test",
        title="XYZ-123 in psoriasis after anti-TNF failure",
        interventions=(Intervention(type="DRUG", name="XYZ-123"),),
    )
    triples = {(q.subject, q.predicate, q.object) for q in map_record(record).quads}
    trial, tnf = mint("trial", record.trial_id), mint("target", "TNF")
    assert (trial, TG.populationMarker, tnf) in triples
    assert (trial, TG.hasTarget, tnf) not in triples
    assert not any(p == TG.aimsAt and o == tnf for _, p, o in triples)
