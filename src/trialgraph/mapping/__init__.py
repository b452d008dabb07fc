"""A trial record to quads: one named graph per trial, shared concepts described once.

:func:`map_record` normalizes a record (:func:`~trialgraph.normalize.trial.normalize_record`:
conditions, products, targets, endpoints) and writes those facts with the record's own
fields into the trial's named graph (``graph:<trial id>``), one part at a time
(:mod:`.write`). Concept nodes shared across trials (diseases, products, targets, endpoint
concepts, criteria, analytes, modalities) get deterministic IRIs from stable keys, and their
descriptions (:mod:`.concepts`) go to the concepts graph
(:data:`~trialgraph.namespaces.CONCEPTS_GRAPH`), where writing the same description twice
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyoxigraph import NamedNode

from trialgraph.mapping.write import (
    Writer,
    write_conditions,
    write_facets,
    write_interventions,
    write_outcomes,
    write_provenance,
    write_trial,
)
from trialgraph.namespaces import mint
from trialgraph.normalize.trial import NormalizedTrial, normalize_record
from trialgraph.records import TrialRecord
from trialgraph.store import TrialGraph, with_quad_count

__all__ = ["MappedTrial", "map_record", "trial_graph"]


@dataclass(frozen=True, slots=True)
class MappedTrial(TrialGraph):
    """A trial graph as the store takes it, with the normalized facts it was written from
    (which coverage counts)."""

    trial_id: str
    facts: NormalizedTrial = field(default=NormalizedTrial(), repr=False)


def trial_graph(trial_id: str) -> NamedNode:
    """The named graph of a trial.

    >>> trial_graph("NCT01234567").value
    'https://w3id.org/trialgraph/graph/NCT01234567'
    """
    return mint("graph", trial_id)


def map_record(
    record: TrialRecord,
    *,
    ingested_at: datetime | None = None,
    described: set[object] | None = None,
) -> MappedTrial:
    """Normalize a record, then write what it says as quads.

    ``ingested_at`` is recorded as the graph's generation time (now, by default); pass a
    fixed time to get byte-identical output, as the golden-file tests do. ``described``
    lets a batch share its concepts: the concepts it names are left out of this trial's
    ``concept_quads``, and the concepts this trial describes are added to it.
    """
    facts = normalize_record(record)
    tid = record.trial_id
    graph = trial_graph(tid)
    w = Writer(graph, described)
    trial = mint("trial", tid)
    write_trial(w, trial, record)
    write_facets(w, trial, record, facts.facets)
    write_conditions(w, trial, tid, facts.conditions)
    write_interventions(w, trial, record, facts)
    write_outcomes(w, trial, record, facts.endpoints)
    write_provenance(w, trial, record, ingested_at or datetime.now(UTC))
    if described is not None:
        described |= w.new
    return MappedTrial(
        graph=graph,
        checksum=record.checksum,
        quads=with_quad_count(graph, w.quads),
        concept_quads=tuple(dict.fromkeys(w.concepts)),
        trial_id=tid,
        facts=facts,
    )
