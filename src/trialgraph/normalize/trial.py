"""A whole record normalized: what every recognizer found in it, before any RDF is written.

:func:`normalize_record` runs the recognizers over one :class:`~trialgraph.records.TrialRecord`
and returns a :class:`NormalizedTrial`. It is pure (no store, no RDF, no clock), so the
mapping writes exactly these facts and the coverage figures count exactly them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trialgraph.normalize.conditions import normalize_conditions
from trialgraph.normalize.endpoints import classify_outcome
from trialgraph.normalize.facets import Facets, facets
from trialgraph.normalize.interventions import normalize_intervention
from trialgraph.normalize.model import (
    Condition,
    Endpoint,
    InterventionFacts,
    Product,
    Target,
    TargetMention,
)
from trialgraph.normalize.targets import find_targets
from trialgraph.records import TrialRecord

__all__ = ["NormalizedTrial", "normalize_record"]


@dataclass(frozen=True, slots=True)
class NormalizedTrial:
    """The normalized facts of one record, aligned with the record's own lists.

    ``conditions``, ``interventions`` and ``endpoints`` are one per condition, intervention
    and outcome of the record, in order; ``measures`` holds each outcome's measure as written,
    for the coverage figures. ``mentions`` are the targets named, each with the index of
    the intervention aimed at it (or ``None``), in the order of
    :func:`~trialgraph.normalize.targets.find_targets`. ``facets`` are the record's phases,
    status, sponsors and places as controlled values.
    """

    conditions: tuple[Condition, ...] = ()
    interventions: tuple[InterventionFacts, ...] = ()
    mentions: tuple[TargetMention, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    measures: tuple[str, ...] = ()
    facets: Facets = field(default_factory=Facets)

    @property
    def products(self) -> tuple[Product, ...]:
        """The distinct products the interventions name, in the order first named."""
        return tuple({p.key: p for f in self.interventions for p in f.products}.values())

    @property
    def targets(self) -> tuple[Target, ...]:
        """The distinct targets named, in the order they were first named."""
        return tuple({m.target.symbol: m.target for m in self.mentions}.values())


def normalize_record(record: TrialRecord) -> NormalizedTrial:
    """Run every recognizer over ``record``: conditions, interventions, targets, endpoints,
    facets."""
    interventions = tuple(normalize_intervention(iv, record) for iv in record.interventions)
    return NormalizedTrial(
        conditions=tuple(normalize_conditions(record)),
        interventions=interventions,
        mentions=tuple(find_targets(record, interventions)),
        endpoints=tuple(classify_outcome(o) for o in record.outcomes),
        measures=tuple(o.measure for o in record.outcomes),
        facets=facets(record),
    )
