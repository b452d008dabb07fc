"""Normalized facts to quads: one function per part of a trial graph.

Each ``write_*`` function adds one part of a trial's named graph to a :class:`Writer`: the
trial itself, its conditions, its interventions with their products and targets, its
outcome measures, and the provenance of the graph. They read the record's own fields and
the :class:`~trialgraph.normalize.trial.NormalizedTrial` of it, and decide nothing but how
to say it in RDF.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from trialgraph import __version__
from trialgraph.mapping.concepts import (
    Concept,
    analyte_concept,
    criterion_concept,
    disease_concept,
    endpoint_concept,
    modality_concept,
    organization_concept,
    product_concept,
    target_concept,
)
from trialgraph.namespaces import STD, TG, expand, mint
from trialgraph.normalize.drugs import CURATED, DRUG_TABLE, INN_STEM, RECORD_TEXT
from trialgraph.normalize.facets import Facets, Organization
from trialgraph.normalize.model import Condition, Endpoint, TargetMention
from trialgraph.normalize.trial import NormalizedTrial
from trialgraph.records import TrialRecord

__all__ = [
    "Writer",
    "write_conditions",
    "write_facets",
    "write_interventions",
    "write_outcomes",
    "write_provenance",
    "write_trial",
    "xsd_duration",
    "xsd_integer",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_YEAR = re.compile(r"^\d{4}$")
_SIMPLE_DURATION = re.compile(r"P(\d+(?:\.\d+)?)([YMWD])")
_SIMPLE_TIME = re.compile(r"PT(\d+(?:\.\d+)?)([HM])")
#: xsd:duration's lexical space: integer parts, a fraction only in seconds, "T" before time
_XSD_DURATION = re.compile(
    r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
)


def _date(value: str) -> Literal | None:
    """A registry date as a typed literal (full date, year-month or year), else ``None``."""
    if _ISO_DATE.match(value):
        return Literal(value, datatype=STD.xsd_date)
    if _ISO_MONTH.match(value):
        return Literal(value, datatype=STD.xsd_gYearMonth)
    if _ISO_YEAR.match(value):
        return Literal(value, datatype=STD.xsd_gYear)
    return None


def xsd_duration(iso: str) -> Literal | None:
    """An ISO 8601 duration as an ``xsd:duration`` value (``None`` if it cannot be one).

    xsd:duration has no weeks and allows a fraction only in seconds, so weeks become days,
    a fractional year, month or day becomes whole months, days or hours, and a fractional
    hour or minute becomes minutes or seconds. A form that is still not a valid
    ``xsd:duration`` gives no value: the text stays in ``tg:isoDuration``, and an ill-typed
    literal would compare with valid ones in no defined order.

    >>> [xsd_duration(d).value for d in ("P26W", "P12M", "P1.5Y", "P7.5M", "PT4H", "PT1.5H")]
    ['P182D', 'P12M', 'P18M', 'P228D', 'PT4H', 'PT90M']
    >>> xsd_duration("P1.5DT2H") is None
    True
    """
    value = iso
    if match := _SIMPLE_DURATION.fullmatch(iso):
        amount, unit = float(match.group(1)), match.group(2)
        if unit == "W":
            value = f"P{round(amount * 7)}D"
        elif not amount.is_integer():
            value = {
                "Y": f"P{round(amount * 12)}M",
                "M": f"P{round(amount * 30.4375)}D",
                "D": f"PT{round(amount * 24)}H",
            }[unit]
    elif match := _SIMPLE_TIME.fullmatch(iso):
        amount, unit = float(match.group(1)), match.group(2)
        if not amount.is_integer():
            value = f"PT{round(amount * 60)}M" if unit == "H" else f"PT{round(amount * 60)}S"
    if not _XSD_DURATION.fullmatch(value):
        return None
    return Literal(value, datatype=STD.xsd_duration)


@lru_cache(maxsize=1 << 12)
def xsd_integer(value: int) -> Literal:
    """An ``xsd:integer`` literal (the same few ordinals and counts recur in every trial)."""
    return Literal(str(value), datatype=STD.xsd_integer)


#: Literals of controlled values (:meth:`Writer.code`): a few hundred at most.
_CODES: dict[str, Literal] = {}


class Writer:
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

    def code(self, s: NamedNode, p: NamedNode, value: str) -> None:
        """:meth:`text` for a value of a controlled list (a role, a phase, a country code),
        whose literal is made once per process."""
        if value:
            literal = _CODES.get(value)
            if literal is None:
                literal = _CODES.setdefault(value, Literal(value))
            self.quads.append(Quad(s, p, literal, self.graph))

    def use(self, key: object, concept: Concept) -> NamedNode:
        """A concept's node; its description is written unless it already was."""
        if key not in self.described and key not in self.new:
            self.new.add(key)
            self.concepts.extend(concept[1])
        return concept[0]


def write_trial(w: Writer, trial: NamedNode, record: TrialRecord) -> None:
    """The trial node: its registry fields, as written. (Its collaborators are organizations,
    :func:`write_facets`; the title is its ``rdfs:label``.)"""
    w.add(trial, STD.rdf_type, TG.Trial)
    w.text(trial, STD.label, record.title)
    if record.nct_id:
        w.text(trial, TG.nctId, record.nct_id)
        w.add(trial, STD.schema_url, NamedNode(expand(f"NCT:{record.nct_id}")))
    w.text(trial, TG.officialTitle, record.official_title)
    w.text(trial, TG.acronym, record.acronym)
    w.text(trial, STD.schema_description, record.brief_summary)
    w.text(trial, TG.detailedDescription, record.detailed_description)
    w.text(trial, TG.sponsorName, record.sponsor)
    w.text(trial, TG.sourceRecord, record.source_ref)
    for keyword in record.keywords:
        w.text(trial, TG.keyword, keyword)
    for other in record.other_ids:
        w.text(trial, TG.otherId, other)


def write_facets(w: Writer, trial: NamedNode, record: TrialRecord, facets: Facets) -> None:
    """The trial's landscape facets as controlled values (phases, status, study type,
    enrollment, dates, countries, sites) and its organizations; a value no list knows is
    kept as written under a property of its own."""
    for phase in facets.phases:
        w.code(trial, TG.phase, phase)
    w.code(trial, TG.status, facets.status)
    w.code(trial, TG.studyType, facets.study_type)
    for field, text in facets.unrecognized:
        prop = _AS_WRITTEN.get(field)
        if prop is not None:
            w.text(trial, prop, text)
    if record.enrollment is not None:
        w.add(trial, TG.enrollment, xsd_integer(record.enrollment))
        w.code(trial, TG.enrollmentType, facets.enrollment_type)
    for prop, value in (
        (TG.startDate, record.start_date),
        (TG.primaryCompletionDate, record.primary_completion_date),
        (TG.completionDate, record.completion_date),
    ):
        literal = _date(value)
        if literal is not None:
            w.add(trial, prop, literal)
    for code in facets.countries:
        w.code(trial, TG.country, code)
    if facets.site_count:
        w.add(trial, TG.siteCount, xsd_integer(facets.site_count))
    if facets.sponsor is not None:
        _write_organization(w, trial, TG.leadSponsor, facets.sponsor)
    for collaborator in facets.collaborators:
        _write_organization(w, trial, TG.collaborator, collaborator)


#: Where a facet value that no list knows is kept as written.
_AS_WRITTEN = {
    "phase": TG.phaseAsWritten,
    "status": TG.statusAsWritten,
    "study_type": TG.studyTypeAsWritten,
    "country": TG.countryAsWritten,
}


def _write_organization(w: Writer, trial: NamedNode, prop: NamedNode, org: Organization) -> None:
    """A link to an organization, shared across trials by its identity key; its name as
    this record writes it and the class it gives stay in the trial's graph."""
    node = w.use(("organization", org.key), organization_concept(org.key))
    w.add(trial, prop, node)
    w.text(node, STD.label, org.name)
    w.code(node, TG.organizationClass, org.cls)


def write_conditions(
    w: Writer, trial: NamedNode, tid: str, conditions: Sequence[Condition]
) -> None:
    """A mention node per condition as written, each naming its disease concept."""
    for n, condition in enumerate(conditions, 1):
        node = mint("condition", f"{tid}-{n}")
        disease = w.use(condition, disease_concept(condition))
        w.add(trial, TG.hasCondition, node)
        w.add(node, STD.rdf_type, TG.ConditionMention)
        w.text(node, STD.label, condition.text)
        w.text(node, TG.textAsWritten, condition.text)
        w.text(node, TG.matchKey, condition.text.lower())
        w.add(node, TG.disease, disease)
        w.add(node, TG.ordinal, xsd_integer(n))
        w.code(node, TG.conditionKind, condition.kind)
        for qualifier in condition.qualifiers:
            w.text(node, TG.qualifier, qualifier)
        w.add(trial, TG.studiesDisease, disease)


#: The property saying how a target edge of an intervention was derived.
_BY_DERIVATION = {
    DRUG_TABLE: TG.targetByDrugTable,
    CURATED: TG.targetByCuratedRow,
    INN_STEM: TG.targetByInnStem,
    RECORD_TEXT: TG.targetByRecordText,
}


def write_interventions(
    w: Writer, trial: NamedNode, record: TrialRecord, facts: NormalizedTrial
) -> None:
    """An intervention node per intervention, its products, and the targets it aims at;
    then every target the trial names, attached or not, and its population markers."""
    tid = record.trial_id
    for n, (intervention, normalized) in enumerate(
        zip(record.interventions, facts.interventions, strict=True), 1
    ):
        node = mint("intervention", f"{tid}-{n}")
        w.add(trial, TG.hasIntervention, node)
        w.add(node, STD.rdf_type, TG.Intervention)
        w.text(node, STD.label, intervention.name)
        w.text(node, TG.textAsWritten, intervention.name)
        w.text(node, TG.matchKey, intervention.name.lower())
        w.code(node, TG.interventionType, intervention.type)
        w.text(node, TG.rawInterventionType, intervention.raw_type)
        w.text(node, STD.schema_description, intervention.description)
        w.add(node, TG.ordinal, xsd_integer(n))
        for other in intervention.other_names:
            w.text(node, TG.otherName, other)
        if normalized.modality:
            w.add(
                node,
                TG.modality,
                w.use(("modality", normalized.modality), modality_concept(normalized.modality)),
            )
        if normalized.origin:
            w.code(node, TG.origin, normalized.origin)
        if normalized.regimen:
            w.add(node, TG.componentCount, xsd_integer(len(normalized.products)))
        products = [w.use(p, product_concept(p)) for p in normalized.products]
        for product_node in products:
            w.add(node, TG.product, product_node)
            w.add(trial, TG.testsProduct, product_node)
        _write_aims(w, node, products, [m for m in facts.mentions if m.intervention == n - 1])
    for mention in facts.mentions:
        target_node = w.use(mention.target, target_concept(mention.target))
        w.add(trial, TG.populationMarker if mention.population else TG.hasTarget, target_node)


def _write_aims(
    w: Writer, node: NamedNode, products: list[NamedNode], mentions: list[TargetMention]
) -> None:
    """An intervention's target edges, each also under the property of its derivation, and
    the product aimed at each where the intervention says which."""
    for mention in mentions:
        target_node = w.use(mention.target, target_concept(mention.target))
        w.add(node, TG.aimsAt, target_node)
        w.add(node, _BY_DERIVATION[mention.derivation], target_node)
        if mention.component is not None:
            w.add(products[mention.component], TG.aimsAt, target_node)


def write_outcomes(
    w: Writer, trial: NamedNode, record: TrialRecord, endpoints: Sequence[Endpoint]
) -> None:
    """An outcome-measure node per outcome, numbered within its role, with its endpoint
    codes, criteria, analytes, duration, measure type and direction."""
    tid = record.trial_id
    counters = {"primary": 0, "secondary": 0, "other": 0}
    for outcome, endpoint in zip(record.outcomes, endpoints, strict=True):
        counters[outcome.role] += 1
        node = mint("outcome", f"{tid}-{outcome.role}-{counters[outcome.role]}")
        w.add(trial, TG.hasOutcome, node)
        w.add(node, STD.rdf_type, TG.OutcomeMeasure)
        w.text(node, STD.label, outcome.measure or outcome.description or "(unnamed outcome)")
        w.code(node, TG.role, outcome.role)
        w.add(node, TG.ordinal, xsd_integer(counters[outcome.role]))
        w.text(node, TG.measure, outcome.measure)
        w.text(node, STD.schema_description, outcome.description)
        w.text(node, TG.timeFrame, outcome.time_frame)
        if endpoint.duration:
            w.text(node, TG.isoDuration, endpoint.duration)
            if (typed := xsd_duration(endpoint.duration)) is not None:
                w.add(node, TG.duration, typed)
        w.code(node, TG.measureType, endpoint.measure_type or "")
        w.code(node, TG.direction, endpoint.direction or "")
        for code in endpoint.codes:
            w.add(node, TG.endpoint, w.use(("endpoint", code), endpoint_concept(code)))
        for criterion in endpoint.criteria:
            w.add(node, TG.assessedBy, w.use(criterion, criterion_concept(criterion)))
        for analyte in endpoint.analytes:
            w.add(node, TG.analyte, w.use(analyte, analyte_concept(analyte)))


def write_provenance(
    w: Writer, trial: NamedNode, record: TrialRecord, ingested_at: datetime
) -> None:
    """The graph node: which trial it describes, where its record came from, and when and
    by which software version it was made."""
    graph = w.graph
    when = ingested_at.isoformat(timespec="seconds")
    w.add(graph, STD.rdf_type, TG.TrialGraph)
    w.add(graph, TG.describesTrial, trial)
    w.text(graph, STD.label, f"trial graph of {record.trial_id}")
    w.text(graph, TG.sourceFile, record.source)
    w.add(graph, TG.sourceLocation, Literal(record.location))
    w.text(graph, TG.sourceFormat, record.format)
    w.text(graph, TG.checksum, record.checksum)
    w.text(graph, TG.sourceDigest, record.raw_digest)
    w.text(graph, TG.softwareVersion, __version__)
    w.add(graph, STD.generatedAtTime, Literal(when, datatype=STD.xsd_dateTime))
