"""Condition mentions in the graph: one label per disease node, kinds and qualifiers in the
trial-conditions query."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Store

from tests.conftest import FIXED_TIME
from trialgraph.mapping import map_record
from trialgraph.namespaces import STD, TG
from trialgraph.queries import catalogue
from trialgraph.records import TrialRecord


def _record(n: int, conditions: tuple[str, ...]) -> TrialRecord:
    return TrialRecord(
        source=f"t{n}", location="", format="test", title=f"Trial {n}", conditions=conditions
    )


def _store(records: list[TrialRecord]) -> Store:
    store = Store()
    for record in records:
        mapped = map_record(record, ingested_at=FIXED_TIME)
        store.extend(mapped.quads)
        store.extend(mapped.concept_quads)
    return store


def test_a_disease_from_text_has_one_label_however_written() -> None:
    spellings = ("HIV/AIDS", "hiv aids", "HIV - AIDS.", "Hiv-Aids")
    store = _store([_record(n, (text,)) for n, text in enumerate(spellings)])
    diseases = {q.subject for q in store.quads_for_pattern(None, STD.rdf_type, TG.Disease)}
    assert len(diseases) == 1
    (node,) = diseases
    assert isinstance(node, NamedNode)
    assert len(list(store.quads_for_pattern(node, STD.label, None))) == 1


def test_trial_conditions_gives_kind_and_qualifiers() -> None:
    texts = ("Healthy", "NSCLC Stage IV Without EGFR/ALK Mutation", "Vanishing Quux Syndrome")
    store = _store([_record(1, texts)])
    query = catalogue()["trial-conditions"]
    assert query.columns == ("trial", "condition", "condition_id", "text", "kind", "qualifiers")
    result = store.query(query.text, use_default_graph_as_union=True)
    rows = {
        s["text"].value: (
            s["kind"].value,
            s["qualifiers"].value if s["qualifiers"] else "",
            s["condition_id"],
        )
        for s in result  # type: ignore[union-attr]
    }
    assert rows["Healthy"] == ("healthy", "", Literal("MESH:D064368"))
    kind, qualifiers, curie = rows["NSCLC Stage IV Without EGFR/ALK Mutation"]
    assert kind == "disease" and curie == Literal("MONDO:0005233")
    assert set(qualifiers.split("; ")) == {"stage IV", "without EGFR/ALK mutation"}
    assert rows["Vanishing Quux Syndrome"] == ("disease", "", None)
