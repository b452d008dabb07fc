"""A trial record to quads: one named graph per trial, shared concepts described once.

:func:`map_record` normalizes a record (targets, conditions, products, endpoints) and writes
what it says into the trial's named graph (``graph:<trial id>``). Concept nodes shared across
trials (diseases, products, targets, endpoint concepts, criteria, analytes, modalities) get
deterministic IRIs from stable keys, and their descriptions go to the concepts graph
(:data:`CONCEPTS_GRAPH`), where writing the same description twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from trialgraph import __version__
from trialgraph.namespaces import CONCEPTS_GRAPH, STD, TG, expand, mint
from trialgraph.normalize.conditions import normalize_conditions
from trialgraph.normalize.endpoints import classify_outcome, endpoint_concepts
from trialgraph.normalize.model import Analyte, Condition, Criterion, Endpoint, Product, Target
from trialgraph.normalize.products import normalize_product
from trialgraph.normalize.targets import find_targets, resolve_target, target_synonyms
from trialgraph.records import TrialRecord
from trialgraph.store import TrialGraph, with_quad_count

__all__ = ["MappedTrial", "map_record", "trial_graph"]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_YEAR = re.compile(r"^\d{4}$")
_SIMPLE_DURATION = re.compile(r"P(\d+(?:\.\d+)?)([YMWD])")


@dataclass(frozen=True, slots=True)
class MappedTrial(TrialGraph):
    """A trial graph as the store takes it, with the normalized facts coverage counts."""

    trial_id: str
    endpoints: tuple[Endpoint, ...] = ()
    conditions: tuple[Condition, ...] = ()
    products: tuple[Product, ...] = ()
    targets: tuple[Target, ...] = ()
    outcome_texts: tuple[str, ...] = field(default=(), repr=False)


def trial_graph(trial_id: str) -> NamedNode:
    """The named graph of a trial.

    >>> trial_graph("NCT01234567").value
    'https://w3id.org/trialgraph/graph/NCT01234567'
    """
    return mint("graph", trial_id)


def _text(value: str) -> Literal:
    return Literal(value)


def _date(value: str) -> Literal | None:
    """A registry date as a typed literal (full date, year-month or year), else ``None``."""
    if _ISO_DATE.match(value):
        return Literal(value, datatype=STD.xsd_date)
    if _ISO_MONTH.match(value):
        return Literal(value, datatype=STD.xsd_gYearMonth)
    if _ISO_YEAR.match(value):
        return Literal(value, datatype=STD.xsd_gYear)
    return None


def xsd_duration(iso: str) -> Literal:
    """An ISO 8601 duration as an ``xsd:duration`` value.

    xsd:duration has no weeks and allows a fraction only in seconds, so weeks become days
    and a fractional year or month becomes whole months or days.

    >>> [xsd_duration(d).value for d in ("P26W", "P12M", "P1.5Y", "P7.5M", "PT4H")]
    ['P182D', 'P12M', 'P18M', 'P228D', 'PT4H']
    """
    match = _SIMPLE_DURATION.fullmatch(iso)
    value = iso
    if match:
        amount, unit = float(match.group(1)), match.group(2)
        if unit == "W":
            value = f"P{round(amount * 7)}D"
        elif not amount.is_integer():
            value = {
                "Y": f"P{round(amount * 12)}M",
                "M": f"P{round(amount * 30.4375)}D",
                "D": f"PT{round(amount * 24)}H",
            }[unit]
    return Literal(value, datatype=STD.xsd_duration)


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=STD.xsd_integer)


#: A shared concept: its node and the quads that describe it in the concepts graph.
Concept = tuple[NamedNode, tuple[Quad, ...]]


class _Writer:
    """Collects quads for one trial graph and the concepts graph.

    ``described`` holds the keys of concepts whose descriptions the caller already has
    (those of earlier records in a batch); they are not written again. The keys this
    record adds go into :attr:`new`, which the caller merges once the record is mapped.
    """

    def __init__(self, graph: NamedNode, described: set[object] | None = None) -> None:
        self.graph = graph
        self.quads: list[Quad] = []
        self.concepts: list[Quad] = []
        self.described = described if described is not None else set()
        self.new: set[object] = set()

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, self.graph))

    def text(self, s: NamedNode, p: NamedNode, value: str) -> None:
        if value:
            self.quads.append(Quad(s, p, Literal(value), self.graph))

    def use(self, key: object, concept: Concept) -> NamedNode:
        """A concept's node; its description is written unless it already was."""
        if key not in self.described and key not in self.new:
            self.new.add(key)
            self.concepts.extend(concept[1])
        return concept[0]


class _Concepts:
    """Builds one concept's description in the concepts graph."""

    def __init__(self) -> None:
        self.quads: list[Quad] = []

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, CONCEPTS_GRAPH))

    def describe(
        self,
        node: NamedNode,
        kind: NamedNode,
        label: str,
        curie: str | None = None,
        xrefs: tuple[str, ...] = (),
    ) -> NamedNode:
        """Type, label and map a shared concept node."""
        self.add(node, STD.rdf_type, kind)
        self.add(node, STD.label, Literal(label))
        if curie:
            self.add(node, TG.curie, Literal(curie))
        for ref in (curie, *xrefs):
            if ref:
                try:
                    self.add(node, STD.exactMatch, NamedNode(expand(ref)))
                except KeyError:
                    continue  # a cross-reference to a resource outside the prefix map
        return node

    def done(self, node: NamedNode) -> Concept:
        return node, tuple(self.quads)


# Concept descriptions are pure functions of their normalized values, built once per
# process and value: the same few thousand concepts recur across hundreds of thousands of
# trials.
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_CACHE_SIZE)
def _disease(condition: Condition) -> Concept:
    key = condition.curie.replace(":", "_") if condition.curie else condition.label.casefold()
    c = _Concepts()
    node = c.describe(
        mint("disease", key), TG.Disease, condition.label, condition.curie, condition.xrefs
    )
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def _target(target: Target) -> Concept:
    c = _Concepts()
    node = mint("target", target.symbol)
    kind = {
        "gene": TG.GeneProductTarget,
        "isoform": TG.IsoformTarget,
    }.get(target.kind, TG.AntigenTarget)
    c.describe(node, kind, target.label, target.curie, target.xrefs)
    c.add(node, STD.rdf_type, TG.Target)
    c.add(node, TG.symbol, Literal(target.symbol))
    for synonym in target_synonyms(target):
        c.add(node, STD.altLabel, Literal(synonym))
    if target.kind == "isoform" and target.parent:
        parent = resolve_target(target.parent)
        if parent:
            parent_node, parent_quads = _target(parent)
            c.add(node, TG.isoformOf, parent_node)
            c.quads.extend(parent_quads)
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def _product(product: Product) -> Concept:
    c = _Concepts()
    node = mint("product", product.key)
    c.describe(node, TG.Product, product.label, product.curie, product.xrefs)
    if product.modality:
        modality = mint("modality", product.modality)
        c.add(node, TG.modality, modality)
        c.describe(modality, TG.Modality, product.modality)
    if product.origin:
        c.add(node, TG.origin, Literal(product.origin))
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def _criterion(criterion: Criterion) -> Concept:
    c = _Concepts()
    node = c.describe(
        mint("criteria", criterion.key), TG.AssessmentCriteria, criterion.label, criterion.curie
    )
    c.add(node, TG.criteriaFamily, Literal(criterion.family))
    if criterion.version:
        c.add(node, TG.criteriaVersion, Literal(criterion.version))
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def _analyte(analyte: Analyte) -> Concept:
    c = _Concepts()
    node = c.describe(mint("analyte", analyte.key), TG.Analyte, analyte.label, analyte.curie)
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def _endpoint(code: str) -> Concept:
    concept = endpoint_concepts()[code]
    c = _Concepts()
    ncit = f"NCIT:{concept.ncit}" if concept.ncit else None
    node = c.describe(mint("endpoint", code), TG.Endpoint, concept.label, ncit)
    c.add(node, STD.notation, Literal(code))
    c.add(node, TG.category, Literal(concept.category))
    return c.done(node)


def _disease_node(w: _Writer, condition: Condition) -> NamedNode:
    return w.use(condition, _disease(condition))


def _target_node(w: _Writer, target: Target) -> NamedNode:
    return w.use(target, _target(target))


def _product_node(w: _Writer, product: Product) -> NamedNode:
    return w.use(product, _product(product))


def _criterion_node(w: _Writer, criterion: Criterion) -> NamedNode:
    return w.use(criterion, _criterion(criterion))


def _analyte_node(w: _Writer, analyte: Analyte) -> NamedNode:
    return w.use(analyte, _analyte(analyte))


def _endpoint_node(w: _Writer, code: str) -> NamedNode:
    return w.use(("endpoint", code), _endpoint(code))


def map_record(
    record: TrialRecord,
    *,
    ingested_at: datetime | None = None,
    described: set[object] | None = None,
) -> MappedTrial:
    """Normalize a record and map it to quads.

    ``ingested_at`` is recorded as the graph's generation time (now, by default); pass a
    fixed time to get byte-identical output, as the golden-file tests do. ``described``
    lets a batch share its concepts: the concepts it names are left out of this trial's
    ``concept_quads``, and the concepts this trial describes are added to it.
    """
    tid = record.trial_id
    graph = trial_graph(tid)
    w = _Writer(graph, described)
    trial = mint("trial", tid)

    # the trial
    w.add(trial, STD.rdf_type, TG.Trial)
    w.text(trial, STD.label, record.title)
    w.text(trial, STD.schema_name, record.title)
    if record.nct_id:
        w.text(trial, TG.nctId, record.nct_id)
        w.add(trial, STD.schema_url, NamedNode(expand(f"NCT:{record.nct_id}")))
    w.text(trial, TG.officialTitle, record.official_title)
    w.text(trial, TG.acronym, record.acronym)
    w.text(trial, STD.schema_description, record.brief_summary)
    w.text(trial, TG.detailedDescription, record.detailed_description)
    w.text(trial, TG.status, record.status)
    w.text(trial, TG.studyType, record.study_type)
    w.text(trial, TG.sponsorName, record.sponsor)
    w.text(trial, TG.sourceRecord, record.source_ref)
    for phase in record.phases:
        w.text(trial, TG.phase, phase)
    for name in record.collaborators:
        w.text(trial, TG.collaboratorName, name)
    for keyword in record.keywords:
        w.text(trial, TG.keyword, keyword)
    for other in record.other_ids:
        w.text(trial, TG.otherId, other)
    if record.enrollment is not None:
        w.add(trial, TG.enrollment, _int(record.enrollment))
    for prop, value in (
        (TG.startDate, record.start_date),
        (TG.primaryCompletionDate, record.primary_completion_date),
        (TG.completionDate, record.completion_date),
    ):
        literal = _date(value)
        if literal is not None:
            w.add(trial, prop, literal)

    # conditions
    conditions = tuple(normalize_conditions(record))
    for n, condition in enumerate(conditions, 1):
        condition_node = mint("condition", f"{tid}-{n}")
        disease = _disease_node(w, condition)
        w.add(trial, TG.hasCondition, condition_node)
        w.add(condition_node, STD.rdf_type, TG.ConditionMention)
        w.text(condition_node, STD.label, condition.text)
        w.text(condition_node, TG.textAsWritten, condition.text)
        w.text(condition_node, TG.matchKey, condition.text.lower())
        w.add(condition_node, TG.disease, disease)
        w.add(condition_node, TG.ordinal, _int(n))
        for qualifier in condition.qualifiers:
            w.text(condition_node, TG.qualifier, qualifier)
        w.add(trial, TG.studiesDisease, disease)

    # interventions, products and the targets they aim at
    mentions = find_targets(record)
    products: list[Product] = []
    targets: dict[str, Target] = {}
    for n, intervention in enumerate(record.interventions, 1):
        product = normalize_product(intervention, record)
        products.append(product)
        product_node = _product_node(w, product)
        node = mint("intervention", f"{tid}-{n}")
        w.add(trial, TG.hasIntervention, node)
        w.add(node, STD.rdf_type, TG.Intervention)
        w.text(node, STD.label, intervention.name)
        w.text(node, TG.textAsWritten, intervention.name)
        w.text(node, TG.matchKey, intervention.name.lower())
        w.text(node, TG.interventionType, intervention.type)
        w.text(node, TG.rawInterventionType, intervention.raw_type)
        w.text(node, STD.schema_description, intervention.description)
        w.add(node, TG.ordinal, _int(n))
        for other in intervention.other_names:
            w.text(node, TG.otherName, other)
        w.add(node, TG.product, product_node)
        w.add(trial, TG.testsProduct, product_node)
        for mention in mentions:
            if mention.intervention == n - 1:
                target_node = _target_node(w, mention.target)
                w.add(node, TG.aimsAt, target_node)
                w.add(product_node, TG.aimsAt, target_node)
    for mention in mentions:
        targets[mention.target.symbol] = mention.target
        w.add(trial, TG.hasTarget, _target_node(w, mention.target))

    # outcome measures
    endpoints: list[Endpoint] = []
    counters = {"primary": 0, "secondary": 0, "other": 0}
    for outcome in record.outcomes:
        endpoint = classify_outcome(outcome)
        endpoints.append(endpoint)
        counters[outcome.role] += 1
        node = mint("outcome", f"{tid}-{outcome.role}-{counters[outcome.role]}")
        w.add(trial, TG.hasOutcome, node)
        w.add(node, STD.rdf_type, TG.OutcomeMeasure)
        w.text(node, STD.label, outcome.measure or outcome.description or "(unnamed outcome)")
        w.text(node, TG.role, outcome.role)
        w.add(node, TG.ordinal, _int(counters[outcome.role]))
        w.text(node, TG.measure, outcome.measure)
        w.text(node, STD.schema_description, outcome.description)
        w.text(node, TG.timeFrame, outcome.time_frame)
        if endpoint.duration:
            w.text(node, TG.isoDuration, endpoint.duration)
            w.add(node, TG.duration, xsd_duration(endpoint.duration))
        for code in endpoint.codes:
            w.add(node, TG.endpoint, _endpoint_node(w, code))
        for criterion in endpoint.criteria:
            w.add(node, TG.assessedBy, _criterion_node(w, criterion))
        for analyte in endpoint.analytes:
            w.add(node, TG.analyte, _analyte_node(w, analyte))

    # provenance of the graph itself
    when = (ingested_at or datetime.now(UTC)).isoformat(timespec="seconds")
    w.add(graph, STD.rdf_type, TG.TrialGraph)
    w.add(graph, TG.describesTrial, trial)
    w.text(graph, STD.label, f"trial graph of {tid}")
    w.text(graph, TG.sourceFile, record.source)
    w.add(graph, TG.sourceLocation, _text(record.location))
    w.text(graph, TG.sourceFormat, record.format)
    w.text(graph, TG.checksum, record.checksum)
    w.text(graph, TG.sourceDigest, record.raw_digest)
    w.text(graph, TG.softwareVersion, __version__)
    w.add(graph, STD.generatedAtTime, Literal(when, datatype=STD.xsd_dateTime))
    if described is not None:
        described |= w.new

    return MappedTrial(
        graph=graph,
        checksum=record.checksum,
        quads=with_quad_count(graph, w.quads),
        concept_quads=tuple(dict.fromkeys(w.concepts)),
        trial_id=tid,
        endpoints=tuple(endpoints),
        conditions=conditions,
        products=tuple(products),
        targets=tuple(targets.values()),
        outcome_texts=tuple(o.measure for o in record.outcomes),
    )


def iter_quads(mapped: MappedTrial) -> Iterator[Quad]:
    """Every quad of a mapped trial: its graph, then its concept descriptions."""
    yield from mapped.quads
    yield from mapped.concept_quads
