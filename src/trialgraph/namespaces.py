"""The one prefix map, CURIE helpers and the ontology's terms as checked Python names.

``ontology/prefixes.json`` is the single source of truth for prefixes: Turtle output,
SPARQL prefixes and CURIEs in exports all come from here. :class:`TG` lists the ontology's
terms; ``tests/test_namespaces.py`` checks it against ``ontology/trialgraph.ttl`` both ways,
and an unknown attribute raises, so a misspelt term cannot mint a new IRI.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Final
from urllib.parse import quote

from pyoxigraph import NamedNode

from trialgraph.fingerprint import resource_dir as resource_dir  # also importable from here


@cache
def prefixes() -> dict[str, str]:
    """Prefix → namespace IRI, in the file's order."""
    data: dict[str, str] = json.loads(
        (resource_dir("ontology") / "prefixes.json").read_text("utf-8")
    )
    return data


def expand(curie: str) -> str:
    """The IRI of a CURIE whose prefix is in the prefix map.

    >>> expand("HGNC:2043")
    'http://identifiers.org/hgnc/2043'
    >>> expand("nope:1")
    Traceback (most recent call last):
    ...
    KeyError: "unknown CURIE prefix 'nope' in 'nope:1'"
    """
    prefix, _, local = curie.partition(":")
    try:
        return prefixes()[prefix] + local
    except KeyError:
        raise KeyError(f"unknown CURIE prefix {prefix!r} in {curie!r}") from None


def compress(iri: str) -> str | None:
    """The CURIE of an IRI under the longest matching namespace, or ``None``.

    >>> compress("https://w3id.org/trialgraph/trial/NCT01234567")
    'trial:NCT01234567'
    """
    best = max(
        ((p, ns) for p, ns in prefixes().items() if iri.startswith(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    return None if best is None else f"{best[0]}:{iri[len(best[1]) :]}"


def sparql_prefixes() -> str:
    """``PREFIX`` lines for every prefix, to put before a query."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes().items())


def iri_key(text: str) -> str:
    """A key made safe for the local part of an IRI (and of a SPARQL prefixed name).

    >>> iri_key("IFN-γ")
    'IFN-%CE%B3'
    >>> iri_key("u87 car-t")
    'u87_car-t'
    """
    return quote(text.strip().replace(" ", "_"), safe="-._~")


def mint(prefix: str, key: str) -> NamedNode:
    """A node in one of trialgraph's own namespaces, from a stable key.

    >>> mint("product", "u87 car-t")
    <NamedNode value=https://w3id.org/trialgraph/product/u87_car-t>
    """
    return NamedNode(prefixes()[prefix] + iri_key(key))


#: The ontology's named graph.
ONTOLOGY_GRAPH: Final = mint("graph", "ontology")
#: The shared concepts graph: descriptions of the concepts trial graphs name.
CONCEPTS_GRAPH: Final = mint("graph", "concepts")
#: The graph holding a remote store's write-in-progress marker.
STATUS_GRAPH: Final = mint("graph", "status")
#: The graph of ``trialgraph pull``'s queries and their watermarks, a node per query.
PULLS_GRAPH: Final = mint("graph", "pulls")
#: The summaries of the catalogue's whole-graph queries (:mod:`trialgraph.summaries`).
SUMMARY_GRAPH: Final = mint("graph", "summaries")


class _Terms(type):
    def __getattr__(cls, name: str) -> NamedNode:
        raise AttributeError(f"{name!r} is not a term of the trialgraph ontology")


class TG(metaclass=_Terms):
    """The trialgraph ontology's terms (``tg:``) as pyoxigraph nodes."""

    NS: Final = "https://w3id.org/trialgraph/ontology#"
    # classes
    Trial = NamedNode(NS + "Trial")
    Intervention = NamedNode(NS + "Intervention")
    Product = NamedNode(NS + "Product")
    Modality = NamedNode(NS + "Modality")
    Target = NamedNode(NS + "Target")
    GeneProductTarget = NamedNode(NS + "GeneProductTarget")
    IsoformTarget = NamedNode(NS + "IsoformTarget")
    AntigenTarget = NamedNode(NS + "AntigenTarget")
    ConditionMention = NamedNode(NS + "ConditionMention")
    Disease = NamedNode(NS + "Disease")
    OutcomeMeasure = NamedNode(NS + "OutcomeMeasure")
    Endpoint = NamedNode(NS + "Endpoint")
    Instrument = NamedNode(NS + "Instrument")
    AssessmentCriteria = NamedNode(NS + "AssessmentCriteria")
    Analyte = NamedNode(NS + "Analyte")
    TrialGraph = NamedNode(NS + "TrialGraph")
    Mechanism = NamedNode(NS + "Mechanism")
    Organization = NamedNode(NS + "Organization")
    # trial
    nctId = NamedNode(NS + "nctId")
    officialTitle = NamedNode(NS + "officialTitle")
    acronym = NamedNode(NS + "acronym")
    detailedDescription = NamedNode(NS + "detailedDescription")
    phase = NamedNode(NS + "phase")
    status = NamedNode(NS + "status")
    studyType = NamedNode(NS + "studyType")
    sponsorName = NamedNode(NS + "sponsorName")
    collaboratorName = NamedNode(NS + "collaboratorName")
    enrollment = NamedNode(NS + "enrollment")
    startDate = NamedNode(NS + "startDate")
    primaryCompletionDate = NamedNode(NS + "primaryCompletionDate")
    completionDate = NamedNode(NS + "completionDate")
    keyword = NamedNode(NS + "keyword")
    otherId = NamedNode(NS + "otherId")
    sourceRecord = NamedNode(NS + "sourceRecord")
    phaseAsWritten = NamedNode(NS + "phaseAsWritten")
    statusAsWritten = NamedNode(NS + "statusAsWritten")
    studyTypeAsWritten = NamedNode(NS + "studyTypeAsWritten")
    enrollmentType = NamedNode(NS + "enrollmentType")
    country = NamedNode(NS + "country")
    countryAsWritten = NamedNode(NS + "countryAsWritten")
    siteCount = NamedNode(NS + "siteCount")
    # organizations
    leadSponsor = NamedNode(NS + "leadSponsor")
    collaborator = NamedNode(NS + "collaborator")
    organizationClass = NamedNode(NS + "organizationClass")
    nameKey = NamedNode(NS + "nameKey")
    # conditions
    hasCondition = NamedNode(NS + "hasCondition")
    studiesDisease = NamedNode(NS + "studiesDisease")
    disease = NamedNode(NS + "disease")
    qualifier = NamedNode(NS + "qualifier")
    conditionKind = NamedNode(NS + "conditionKind")
    textAsWritten = NamedNode(NS + "textAsWritten")
    matchKey = NamedNode(NS + "matchKey")
    # interventions, products, targets
    hasIntervention = NamedNode(NS + "hasIntervention")
    interventionType = NamedNode(NS + "interventionType")
    rawInterventionType = NamedNode(NS + "rawInterventionType")
    otherName = NamedNode(NS + "otherName")
    product = NamedNode(NS + "product")
    testsProduct = NamedNode(NS + "testsProduct")
    modality = NamedNode(NS + "modality")
    origin = NamedNode(NS + "origin")
    aimsAt = NamedNode(NS + "aimsAt")
    targetByDrugTable = NamedNode(NS + "targetByDrugTable")
    targetByCuratedRow = NamedNode(NS + "targetByCuratedRow")
    targetByInnStem = NamedNode(NS + "targetByInnStem")
    targetByRecordText = NamedNode(NS + "targetByRecordText")
    hasTarget = NamedNode(NS + "hasTarget")
    populationMarker = NamedNode(NS + "populationMarker")
    componentCount = NamedNode(NS + "componentCount")
    mechanism = NamedNode(NS + "mechanism")
    target = NamedNode(NS + "target")
    actionType = NamedNode(NS + "actionType")
    derivation = NamedNode(NS + "derivation")
    symbol = NamedNode(NS + "symbol")
    isoformOf = NamedNode(NS + "isoformOf")
    curie = NamedNode(NS + "curie")
    # outcomes
    hasOutcome = NamedNode(NS + "hasOutcome")
    role = NamedNode(NS + "role")
    ordinal = NamedNode(NS + "ordinal")
    measure = NamedNode(NS + "measure")
    timeFrame = NamedNode(NS + "timeFrame")
    duration = NamedNode(NS + "duration")
    isoDuration = NamedNode(NS + "isoDuration")
    endpoint = NamedNode(NS + "endpoint")
    category = NamedNode(NS + "category")
    domain = NamedNode(NS + "domain")
    measureType = NamedNode(NS + "measureType")
    direction = NamedNode(NS + "direction")
    assessedBy = NamedNode(NS + "assessedBy")
    criteriaFamily = NamedNode(NS + "criteriaFamily")
    criteriaVersion = NamedNode(NS + "criteriaVersion")
    analyte = NamedNode(NS + "analyte")
    # provenance
    describesTrial = NamedNode(NS + "describesTrial")
    sourceFile = NamedNode(NS + "sourceFile")
    sourceLocation = NamedNode(NS + "sourceLocation")
    sourceFormat = NamedNode(NS + "sourceFormat")
    checksum = NamedNode(NS + "checksum")
    sourceDigest = NamedNode(NS + "sourceDigest")
    softwareVersion = NamedNode(NS + "softwareVersion")
    quadCount = NamedNode(NS + "quadCount")
    # store bookkeeping
    writeInProgress = NamedNode(NS + "writeInProgress")
    pullQuery = NamedNode(NS + "pullQuery")
    watermark = NamedNode(NS + "watermark")
    generation = NamedNode(NS + "generation")
    # summaries
    SummaryRow = NamedNode(NS + "SummaryRow")
    summarizes = NamedNode(NS + "summarizes")
    summaryState = NamedNode(NS + "summaryState")
    summaryVersion = NamedNode(NS + "summaryVersion")
    listingVersion = NamedNode(NS + "listingVersion")
    # listing rows (listings.row_property names them from the listing)
    listingRow = NamedNode(NS + "listingRow")
    trialsRow = NamedNode(NS + "trialsRow")
    trialEndpointsRow = NamedNode(NS + "trialEndpointsRow")
    trialConditionsRow = NamedNode(NS + "trialConditionsRow")
    trialProductsRow = NamedNode(NS + "trialProductsRow")


class STD:
    """Terms of standard vocabularies the mapping and the store write."""

    rdf_type: Final = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label: Final = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    exactMatch: Final = NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
    notation: Final = NamedNode("http://www.w3.org/2004/02/skos/core#notation")
    altLabel: Final = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    schema_name: Final = NamedNode("https://schema.org/name")
    schema_description: Final = NamedNode("https://schema.org/description")
    schema_url: Final = NamedNode("https://schema.org/url")
    generatedAtTime: Final = NamedNode("http://www.w3.org/ns/prov#generatedAtTime")
    versionInfo: Final = NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
    xsd_integer: Final = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    xsd_date: Final = NamedNode("http://www.w3.org/2001/XMLSchema#date")
    xsd_gYearMonth: Final = NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")
    xsd_gYear: Final = NamedNode("http://www.w3.org/2001/XMLSchema#gYear")
    xsd_duration: Final = NamedNode("http://www.w3.org/2001/XMLSchema#duration")
    xsd_dateTime: Final = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
