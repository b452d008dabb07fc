"""The store as a networkx graph: trials and the concepts they connect to.

A handful of SPARQL SELECT queries (trial nodes, concept nodes, then one query per edge
family) build a :class:`networkx.MultiDiGraph`; the number of queries does not grow with the
number of trials, except that a subgraph's trials are sent in ``VALUES`` blocks of
:data:`VALUES_BATCH`.

Nodes are keyed by their IRI written as a CURIE (``trial:NCT01234567``, ``target:CD19``);
each has ``label``, ``kind`` (one of :data:`KINDS`), ``curie`` (the concept's identifier in a
standard resource where it has one, else the node's own CURIE) and ``iri``, plus a few
kind-specific attributes: a trial's are its landscape facets (:data:`TRIAL_FIELDS`), an
organization's are its names and classes (:func:`organization_attrs`). Edges carry
``relation``, ``label`` and ``predicate`` (the ontology property they come from);
``measures`` edges also carry ``role``, ``duration`` and ``outcome``.

Every attribute value is a non-empty string, except the counts in :data:`INTEGER_FIELDS`
(a trial's ``enrollment`` and ``sites``), which are ints, so that formats with typed
attributes declare them as integers. A value the store does not hold is left out, never
written as an empty string. Several values of one attribute are joined with ``"; "``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Protocol

import networkx as nx
from pyoxigraph import Literal, NamedNode, Triple

from trialgraph.namespaces import compress, expand, mint, prefixes
from trialgraph.normalize.facets import PHASES
from trialgraph.queries import NamedQuery, load_query
from trialgraph.sparql import BindTerm, bind

#: Node kinds, in the order legends list them.
KINDS: Final = (
    "trial",
    "product",
    "target",
    "condition",
    "endpoint",
    "criteria",
    "organization",
)
#: Trials per ``VALUES`` block when projecting a subgraph.
VALUES_BATCH: Final = 1000

_TRIAL_NS: Final = prefixes()["trial"]
#: Prefixes of trialgraph's own namespaces: a CURIE under them is not an outside identifier.
_OWN_PREFIXES: Final = frozenset(
    p for p, ns in prefixes().items() if ns.startswith("https://w3id.org/trialgraph/")
)

_PROLOGUE: Final = "".join(f"PREFIX {p}: <{prefixes()[p]}>\n" for p in ("tg", "rdfs", "skos"))


class ExportError(ValueError):
    """A subgraph was asked for that the store cannot give (nothing matches, bad query)."""


class Queryable(Protocol):
    """The part of :class:`trialgraph.store.GraphStore` the projection uses."""

    def query(self, sparql: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Relation:
    """One edge family: its name, a readable label and the ontology property behind it."""

    name: str
    label: str
    predicate: str
    source_kind: str
    target_kind: str


#: Edge families, by name.
RELATIONS: Final = {
    r.name: r
    for r in (
        Relation("tests", "tests", "tg:testsProduct", "trial", "product"),
        Relation("studies", "studies", "tg:studiesDisease", "trial", "condition"),
        Relation("names_target", "names target", "tg:hasTarget", "trial", "target"),
        Relation("aims_at", "aims at", "tg:aimsAt", "product", "target"),
        Relation("measures", "measures", "tg:hasOutcome/tg:endpoint", "trial", "endpoint"),
        Relation("assessed_by", "assessed by", "tg:hasOutcome/tg:assessedBy", "trial", "criteria"),
        Relation("lead_sponsor", "lead sponsor", "tg:leadSponsor", "trial", "organization"),
        Relation("collaborator", "collaborator", "tg:collaborator", "trial", "organization"),
    )
}

#: A trial node's attributes from the trial's own properties: attribute → property.
#: ``sponsor_class`` is the class the trial's own record gives its lead sponsor (an
#: organization named by several records may have a class from each in the union graph).
TRIAL_FIELDS: Final = {
    "title": "rdfs:label",
    "nct_id": "tg:nctId",
    "status": "tg:status",
    "phase": "tg:phase",
    "study_type": "tg:studyType",
    "sponsor": "tg:sponsorName",
    "sponsor_class": "tg:leadSponsor/tg:organizationClass",
    "start_date": "tg:startDate",
    "primary_completion_date": "tg:primaryCompletionDate",
    "completion_date": "tg:completionDate",
    "enrollment": "tg:enrollment",
    "enrollment_type": "tg:enrollmentType",
    "countries": "tg:country",
    "sites": "tg:siteCount",
}
#: Trial attributes that are counts, kept as ints.
INTEGER_FIELDS: Final = frozenset({"enrollment", "sites"})
#: Trial attributes with several values, joined with "; ": phases in the registry's order
#: (:data:`~trialgraph.normalize.facets.PHASES`), countries in code order.
MULTI_FIELDS: Final = frozenset({"phase", "countries"})

# ---------------------------------------------------------------------------------------
# queries


def _trials_query() -> str:
    """One row per trial with each of :data:`TRIAL_FIELDS`: the least value (in SPARQL's
    order) of a single-valued one, the distinct values of a multi-valued one separated by
    spaces (they are codes, which hold none). ``sponsor_class`` is read in the trial's own
    graph. One OPTIONAL per property, each starting from the trial, runs faster in Oxigraph
    than a join of the trials with a VALUES list of properties (one row per value)."""
    columns: list[str] = []
    patterns: list[str] = []
    for field, prop in TRIAL_FIELDS.items():
        part = f"?{field}_"
        if field in MULTI_FIELDS:
            columns.append(f'(GROUP_CONCAT(DISTINCT {part}; separator=" ") AS ?{field})')
        else:
            columns.append(f"(MIN({part}) AS ?{field})")
        if field == "sponsor_class":
            lead, cls = prop.split("/")
            pattern = f"GRAPH ?g {{ ?t {lead} ?org . ?org {cls} {part} }}"
        else:
            pattern = f"?t {prop} {part}"
        patterns.append(f"OPTIONAL {{ {pattern} }}")
    body = "\n  ".join(patterns)
    select = "\n       ".join(columns)
    return (
        f"{_PROLOGUE}SELECT ?t {select}\nWHERE {{\n  ?t a tg:Trial .\n  {body}\n}}\nGROUP BY ?t\n"
    )


_TRIALS = _trials_query()

# An organization's names and classes, each with the number of trial graphs (records) that
# give it; the type pattern comes last so that a bound ?org is looked up first.
_ORGANIZATIONS = (
    _PROLOGUE
    + """SELECT ?org ?field ?value (COUNT(DISTINCT ?g) AS ?records)
WHERE {
  { GRAPH ?g { ?org rdfs:label ?value } BIND("name" AS ?field) }
  UNION
  { GRAPH ?g { ?org tg:organizationClass ?value } BIND("class" AS ?field) }
  ?org a tg:Organization .
}
GROUP BY ?org ?field ?value
"""
)

_CONCEPTS = (
    _PROLOGUE
    + """SELECT ?n ?kind (SAMPLE(?label_) AS ?label) (SAMPLE(?curie_) AS ?curie)
       (SAMPLE(?symbol_) AS ?symbol) (SAMPLE(?code_) AS ?code)
       (SAMPLE(?category_) AS ?category) (SAMPLE(?subtype_) AS ?subtype)
       (GROUP_CONCAT(DISTINCT ?modality_; separator="; ") AS ?modality)
WHERE {
  VALUES (?class ?kind) {
    (tg:Product "product") (tg:Target "target") (tg:Disease "condition")
    (tg:Endpoint "endpoint") (tg:AssessmentCriteria "criteria")
  }
  ?n a ?class .
  OPTIONAL { ?n rdfs:label ?label_ }
  OPTIONAL { ?n tg:curie ?curie_ }
  OPTIONAL { ?n tg:symbol ?symbol_ }
  OPTIONAL { ?n skos:notation ?code_ }
  OPTIONAL { ?n tg:category ?category_ }
  OPTIONAL { ?n tg:modality ?m . ?m rdfs:label ?modality_ }
  OPTIONAL {
    ?n a ?subtype_ .
    FILTER(?subtype_ IN (tg:GeneProductTarget, tg:IsoformTarget, tg:AntigenTarget))
  }
}
GROUP BY ?n ?kind
"""
)

_TRIAL_EDGES = (
    _PROLOGUE
    + """SELECT ?t ?rel ?o
WHERE {
  VALUES (?p ?rel) {
    (tg:testsProduct "tests") (tg:studiesDisease "studies") (tg:hasTarget "names_target")
    (tg:leadSponsor "lead_sponsor") (tg:collaborator "collaborator")
  }
  ?t a tg:Trial ; ?p ?o .
}
"""
)

_AIMS_AT = (
    _PROLOGUE
    + """SELECT DISTINCT ?p ?x
WHERE {
  ?t a tg:Trial ; tg:testsProduct ?p .
  ?p tg:aimsAt ?x .
}
"""
)

_MEASURES = (
    _PROLOGUE
    + """SELECT ?t ?o ?e (SAMPLE(?role_) AS ?role) (SAMPLE(?duration_) AS ?duration)
       (SAMPLE(?code_) AS ?code)
WHERE {
  ?t a tg:Trial ; tg:hasOutcome ?o .
  ?o tg:endpoint ?e .
  OPTIONAL { ?e skos:notation ?code_ }
  OPTIONAL { ?o tg:role ?role_ }
  OPTIONAL { ?o tg:isoDuration ?duration_ }
}
GROUP BY ?t ?o ?e
"""
)

_ASSESSED_BY = (
    _PROLOGUE
    + """SELECT ?t ?c (GROUP_CONCAT(DISTINCT ?role_; separator="; ") AS ?role)
       (GROUP_CONCAT(DISTINCT ?code_; separator="; ") AS ?endpoints)
WHERE {
  ?t a tg:Trial ; tg:hasOutcome ?o .
  ?o tg:assessedBy ?c .
  OPTIONAL { ?o tg:role ?role_ }
  OPTIONAL { ?o tg:endpoint ?e . ?e skos:notation ?code_ }
}
GROUP BY ?t ?c
"""
)

# The diseases named are found first, in a subselect that sees the bound ?q and ?qiri through
# LATERAL (SPARQL 1.2, which Oxigraph runs), then their trials once per disease: as a plain
# join, the trial pattern would be evaluated over the whole store first. Unlike the
# catalogue's trials-by-condition, this does not match a condition's text as written.
_BY_CONDITION = (
    _PROLOGUE
    + """SELECT DISTINCT ?t
WHERE {
  LATERAL {
    SELECT DISTINCT ?d ?q ?qiri
    WHERE {
      ?d a tg:Disease .
      LATERAL {
        OPTIONAL { ?d tg:curie ?curie }
        OPTIONAL { ?d rdfs:label ?label }
      }
      FILTER(STR(?d) = STR(?qiri) || LCASE(STR(?curie)) = LCASE(STR(?q))
             || LCASE(STR(?label)) = LCASE(STR(?q)))
    }
  }
  LATERAL { ?t a tg:Trial ; tg:studiesDisease ?d . }
}
"""
)

_KNOWN_TRIALS = _PROLOGUE + "SELECT ?t WHERE { ?t a tg:Trial . }\n"


# ---------------------------------------------------------------------------------------
# helpers


def node_id(iri: str) -> str:
    """A node's key: its IRI as a CURIE where the prefix map allows, else the IRI.

    >>> node_id("https://w3id.org/trialgraph/target/CD19")
    'target:CD19'
    >>> node_id("urn:example:x")
    'urn:example:x'
    """
    return compress(iri) or iri


def link(curie: str) -> str | None:
    """A resolver URL for an identifier in an outside resource, ``None`` for our own.

    >>> link("HGNC:1633")
    'https://bioregistry.io/HGNC:1633'
    >>> link("target:CD19") is None
    True
    """
    prefix, sep, local = curie.partition(":")
    if not sep or not local or prefix in _OWN_PREFIXES or prefix not in prefixes():
        return None
    return f"https://bioregistry.io/{curie}"


def _text(term: object) -> str:
    if isinstance(term, Literal | NamedNode):
        return term.value
    return ""


def _rows(store: Queryable, sparql: str) -> Iterator[tuple[Any, ...]]:
    rows = getattr(store.query(sparql), "rows", None)
    if rows is None:
        raise ExportError("expected a SELECT result from the store")
    yield from rows


def _batched(
    store: Queryable, template: str, nodes: Sequence[str] | None, var: str = "t"
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``template`` with ``var`` bound to the nodes (IRIs), :data:`VALUES_BATCH`
    at a time; all its rows if ``nodes`` is None."""
    if nodes is None:
        yield from _rows(store, template)
        return
    for start in range(0, len(nodes), VALUES_BATCH):
        chunk = nodes[start : start + VALUES_BATCH]
        yield from _rows(store, bind(template, [var], [(NamedNode(n),) for n in chunk]))


def _as_iri(text: str) -> str:
    """The IRI a user's name for a node denotes, if it is an IRI or a known CURIE."""
    if "://" in text or text.startswith("urn:"):
        return text
    try:
        return expand(text)
    except KeyError:
        return text


def trial_iri(name: str) -> str:
    """The IRI of a trial given as an id, a CURIE or an IRI.

    >>> trial_iri("NCT01234567")
    'https://w3id.org/trialgraph/trial/NCT01234567'
    >>> trial_iri("trial:NCT01234567")
    'https://w3id.org/trialgraph/trial/NCT01234567'
    """
    name = name.strip()
    if name.startswith("trial:") or "://" in name:
        return _as_iri(name)
    return mint("trial", name).value


@cache
def _lookup(name: str) -> NamedQuery:
    return load_query(name)


def _named(value: str) -> list[tuple[BindTerm]]:
    """Rows binding a lookup's parameter: the name, and the node IRI it denotes, if any.

    The IRI row finds the concept by identity (a CURIE such as ``target:MSLN``, or an IRI).
    """
    rows: list[tuple[BindTerm]] = [(Literal(value),)]
    with suppress(ValueError):  # not an IRI, so no node has it
        rows.append((NamedNode(_as_iri(value)),))
    return rows


def _by_target(store: Queryable, value: str) -> set[str]:
    """Trials the catalogue's ``trials-by-target`` finds for a target's name or IRI."""
    query = _lookup("trials-by-target")
    target, *filters = query.params  # the phase and status filters: any
    column = query.columns.index("trial")
    anything = [p.term(p.default or "") for p in filters]
    rows = [(term, *anything) for (term,) in _named(value.strip())]
    sparql = bind(query.text, [target.var, *(p.var for p in filters)], rows)
    ids = (row[column] for row in _rows(store, sparql))
    return {_TRIAL_NS + i.value for i in ids if isinstance(i, Literal) and i.value}


def _by_condition(store: Queryable, value: str) -> set[str]:
    """Trials that study a disease named by its label, CURIE or IRI, ignoring case."""
    q, qiri = Literal(value.strip()), Literal(_as_iri(value.strip()))
    sparql = bind(_BY_CONDITION, ["q", "qiri"], [(q, qiri)])
    return {row[0].value for row in _rows(store, sparql) if isinstance(row[0], NamedNode)}


def _construct_nodes(store: Queryable, construct: str) -> set[str]:
    try:
        result = store.query(construct)
    except (SyntaxError, ValueError, OSError) as error:
        raise ExportError(f"the CONSTRUCT query failed: {error}") from error
    if getattr(result, "rows", None) is not None or isinstance(result, bool):
        raise ExportError("the subgraph query must be a CONSTRUCT (or DESCRIBE) query")
    found: set[str] = set()
    for triple in result:
        if not isinstance(triple, Triple):
            continue
        for term in (triple.subject, triple.object):
            if isinstance(term, NamedNode):
                found.add(term.value)
    return found


def select_trials(
    store: Queryable,
    *,
    target: str | None = None,
    condition: str | None = None,
    trials: Iterable[str] | None = None,
    construct_nodes: set[str] | None = None,
) -> list[str] | None:
    """The trial IRIs the filters keep (all filters must hold), or ``None`` for no filter."""
    chosen: set[str] | None = None

    def narrow(found: set[str], what: str) -> None:
        nonlocal chosen
        if not found:
            raise ExportError(f"no trial matches {what}")
        chosen = found if chosen is None else chosen & found

    if target is not None:
        narrow(_by_target(store, target), f"target {target!r}")
    if condition is not None:
        narrow(_by_condition(store, condition), f"condition {condition!r}")
    if trials is not None:
        wanted = sorted({trial_iri(t) for t in trials})
        known = {row[0].value for row in _batched(store, _KNOWN_TRIALS, wanted)}
        missing = [node_id(t) for t in wanted if t not in known]
        if missing:
            raise ExportError("no such trial: " + ", ".join(missing))
        narrow(known, "the trial list")
    if construct_nodes is not None:
        found = {n for n in construct_nodes if n.startswith(_TRIAL_NS)}
        chosen = found if chosen is None else chosen & found
    if chosen is not None and not chosen and construct_nodes is None:
        raise ExportError("no trial matches all the filters given")
    return None if chosen is None else sorted(chosen)


# ---------------------------------------------------------------------------------------
# the projection


def _attrs(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def _edge(
    graph: nx.MultiDiGraph[str], source: str, target: str, relation: str, key: str, **extra: str
) -> None:
    rel = RELATIONS[relation]
    for node, kind in ((source, rel.source_kind), (target, rel.target_kind)):
        if node not in graph:
            graph.add_node(node, kind=kind)
    graph.add_edge(
        source,
        target,
        key=key,
        **_attrs(relation=rel.name, label=rel.label, predicate=rel.predicate, **extra),
    )


def project(
    store: Queryable,
    *,
    kinds: Iterable[str] | None = None,
    target: str | None = None,
    condition: str | None = None,
    trials: Iterable[str] | None = None,
    construct: str | None = None,
) -> nx.MultiDiGraph[str]:
    """The store (or a subgraph of it) as a directed multigraph.

    ``target`` / ``condition`` keep the trials that name that target or study that
    condition (matched by symbol, label, CURIE or node IRI, ignoring case), ``trials`` keeps
    the trials listed (ids, CURIEs or IRIs), with everything those trials connect to.
    ``construct`` is a CONSTRUCT query: the result is the projection induced on the nodes
    its triples mention. Filters combine: a node must pass all of them. ``kinds`` keeps only
    nodes of those kinds (and the edges between them).
    """
    keep = set(KINDS if kinds is None else kinds)
    unknown = keep - set(KINDS)
    if unknown:
        raise ExportError(f"unknown node kind(s) {sorted(unknown)}; known: {', '.join(KINDS)}")
    construct_nodes = _construct_nodes(store, construct) if construct is not None else None
    chosen = select_trials(
        store, target=target, condition=condition, trials=trials, construct_nodes=construct_nodes
    )
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    if chosen == [] and construct_nodes is None:
        return graph
    # edges first: they decide which concept nodes belong to the projection
    if chosen != []:
        _add_trial_edges(graph, store, chosen)
    _add_aims_at(graph, store, chosen or None)
    if chosen != []:
        _add_trial_nodes(graph, store, chosen)
    _describe_organizations(graph, store, chosen)
    _describe_concepts(graph, store)
    _keep_only(graph, keep, construct_nodes)
    return graph


def _add_trial_edges(
    graph: nx.MultiDiGraph[str], store: Queryable, chosen: Sequence[str] | None
) -> None:
    """The edges from the trials (all if ``chosen`` is None) to the concepts they name."""
    for t, rel, o in _batched(store, _TRIAL_EDGES, chosen):
        if isinstance(t, NamedNode) and isinstance(o, NamedNode):
            _edge(graph, node_id(t.value), node_id(o.value), rel.value, rel.value)
    for t, o, e, role, duration, code in _batched(store, _MEASURES, chosen):
        if isinstance(t, NamedNode) and isinstance(e, NamedNode):
            outcome = node_id(o.value) if isinstance(o, NamedNode) else ""
            _edge(
                graph,
                node_id(t.value),
                node_id(e.value),
                "measures",
                f"measures|{outcome}|{_text(code) or node_id(e.value)}",
                role=_text(role),
                duration=_text(duration),
                outcome=outcome,
            )
    for t, c, role, endpoints in _batched(store, _ASSESSED_BY, chosen):
        if isinstance(t, NamedNode) and isinstance(c, NamedNode):
            _edge(
                graph,
                node_id(t.value),
                node_id(c.value),
                "assessed_by",
                "assessed_by",
                role=_text(role),
                endpoints=_text(endpoints),
            )


def _add_aims_at(
    graph: nx.MultiDiGraph[str], store: Queryable, chosen: Sequence[str] | None
) -> None:
    """The products of the trials (all if ``chosen`` is None) and the targets they aim at."""
    for p, x in _batched(store, _AIMS_AT, chosen):
        if isinstance(p, NamedNode) and isinstance(x, NamedNode):
            _edge(graph, node_id(p.value), node_id(x.value), "aims_at", "aims_at")


def _add_trial_nodes(
    graph: nx.MultiDiGraph[str], store: Queryable, chosen: Sequence[str] | None
) -> None:
    """The trials' own attributes (all trials if ``chosen`` is None)."""
    for t, *values in _batched(store, _TRIALS, chosen):
        if not isinstance(t, NamedNode):
            continue
        ident = node_id(t.value)
        found = {field: _text(v) for field, v in zip(TRIAL_FIELDS, values, strict=True)}
        graph.add_node(ident, **_trial_attrs(t.value, ident, _trial_values(found)))


def _phase_order(phase: str) -> tuple[int, str]:
    return (PHASES.index(phase) if phase in PHASES else len(PHASES), phase)


def _trial_values(row: Mapping[str, str]) -> dict[str, str | int]:
    """A trial's attribute values from its row of the trials query, those it has.

    :data:`MULTI_FIELDS` are joined with ``"; "`` in their order; :data:`INTEGER_FIELDS`
    become ints (a value that is not an integer is left out).

    >>> _trial_values({"phase": "PHASE2 PHASE1", "countries": "US FR", "sites": "3", "title": ""})
    {'phase': 'PHASE1; PHASE2', 'countries': 'FR; US', 'sites': 3}
    """
    result: dict[str, str | int] = {}
    for field, value in row.items():
        if not value:
            continue
        if field in MULTI_FIELDS:
            key = _phase_order if field == "phase" else None
            result[field] = "; ".join(sorted(value.split(), key=key))
        elif field in INTEGER_FIELDS:
            with suppress(ValueError):
                result[field] = int(value)
        else:
            result[field] = value
    return result


def ranked(counts: Mapping[str, int]) -> list[str]:
    """Values most frequent first, ties in code-point order (capitals before small letters).

    >>> ranked({"Pfizer Inc.": 1, "Pfizer": 3, "PFIZER": 1})
    ['Pfizer', 'PFIZER', 'Pfizer Inc.']
    """
    return sorted(counts, key=lambda value: (-counts[value], value))


def organization_attrs(
    iri: str, ident: str, names: Mapping[str, int], classes: Mapping[str, int]
) -> dict[str, str]:
    """An organization node's attributes from its names and classes, each with the number
    of records that give it.

    The ``label`` (and ``name``) is the name most records write, a tie going to the name
    first in code-point order (:func:`ranked`), so the same store always gives the same
    label; ``names`` lists every spelling and ``organization_class`` every class, in that
    same order. With no name, the label is the node's CURIE.

    >>> a = organization_attrs("urn:o", "organization:o", {"PFIZER": 1, "Pfizer": 1}, {})
    >>> a["label"], a["names"]
    ('PFIZER', 'PFIZER; Pfizer')
    """
    spellings = ranked(names)
    return _attrs(
        label=spellings[0] if spellings else ident,
        kind="organization",
        curie=ident,
        iri=iri,
        name=spellings[0] if spellings else "",
        names="; ".join(spellings),
        organization_class="; ".join(ranked(classes)),
    )


def _describe_organizations(
    graph: nx.MultiDiGraph[str], store: Queryable, chosen: Sequence[str] | None
) -> None:
    """Names and classes for the organization nodes the edges reached.

    The names and classes counted are those every record in the store gives the
    organization, not only the exported trials' records, so an organization has the same
    label in every export of the store. With ``chosen`` trials, only the organizations in
    the graph are looked up, in ``VALUES`` blocks; otherwise all of them, in one query.
    """
    orgs = sorted(_as_iri(n) for n, d in graph.nodes(data=True) if d.get("kind") == "organization")
    if not orgs:
        return
    counts: dict[str, dict[str, Counter[str]]] = {}
    for org, field, value, records in _batched(
        store, _ORGANIZATIONS, None if chosen is None else orgs, var="org"
    ):
        if isinstance(org, NamedNode) and isinstance(field, Literal) and _text(value):
            per_field = counts.setdefault(org.value, {"name": Counter(), "class": Counter()})
            per_field[field.value][_text(value)] += int(_text(records) or 1)
    for iri in orgs:
        ident = node_id(iri)
        found = counts.get(iri, {})
        attrs = organization_attrs(iri, ident, found.get("name", {}), found.get("class", {}))
        graph.add_node(ident, **attrs)


def _describe_concepts(graph: nx.MultiDiGraph[str], store: Queryable) -> None:
    """Attributes for the concept nodes the edges reached; a minimal one for the rest."""
    for row in _rows(store, _CONCEPTS):
        n, kind, label, curie, symbol, code, category, subtype, modality = row
        if not isinstance(n, NamedNode):
            continue
        ident = node_id(n.value)
        if ident not in graph:
            continue
        own = _text(curie) or ident
        graph.add_node(
            ident,
            **_attrs(
                label=_text(symbol) or _text(label) or _text(code) or ident,
                kind=_text(kind),
                curie=own,
                iri=n.value,
                name=_text(label),
                symbol=_text(symbol),
                code=_text(code),
                category=_text(category),
                modality=_text(modality),
                target_type=node_id(subtype.value).removeprefix("tg:")
                if isinstance(subtype, NamedNode)
                else "",
                url=link(own) or "",
            ),
        )
    for ident, data in graph.nodes(data=True):
        if "label" not in data:
            data.update(_attrs(label=ident, curie=ident, iri=_as_iri(ident)))


def _keep_only(
    graph: nx.MultiDiGraph[str], kinds: set[str], construct_nodes: set[str] | None
) -> None:
    """Drop the nodes not of ``kinds`` and, with a CONSTRUCT filter, those it did not name."""
    if construct_nodes is not None:
        wanted = {node_id(n) for n in construct_nodes}
        graph.remove_nodes_from([n for n in list(graph) if n not in wanted])
    graph.remove_nodes_from([n for n, d in graph.nodes(data=True) if d.get("kind") not in kinds])


def _trial_attrs(iri: str, ident: str, values: Mapping[str, str | int]) -> dict[str, str | int]:
    """A trial node's attributes: its identity, then its own values (:data:`TRIAL_FIELDS`)."""
    nct = str(values.get("nct_id", ""))
    local = iri.removeprefix(_TRIAL_NS)
    url = f"https://clinicaltrials.gov/study/{nct}" if nct else ""
    attrs: dict[str, str | int] = {
        **_attrs(label=nct or local, kind="trial", curie=f"NCT:{nct}" if nct else ident, iri=iri)
    }
    for field in TRIAL_FIELDS:
        value = values.get(field)
        if value is not None and value != "":
            attrs[field] = value
    if url:
        attrs["url"] = url
    return attrs
