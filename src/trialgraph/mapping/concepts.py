"""Shared concepts: each normalized value's node and its description in the concepts graph.

Diseases, products, targets, endpoint concepts, criteria, analytes and modalities get
deterministic IRIs from stable keys, so every trial naming one names the same node. A
description is a pure function of its normalized value, built once per process and value:
the same few thousand concepts recur across hundreds of thousands of trials.
"""

from __future__ import annotations

from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from trialgraph.namespaces import CONCEPTS_GRAPH, STD, TG, expand, mint
from trialgraph.normalize.endpoints import endpoint_concepts
from trialgraph.normalize.model import Analyte, Condition, Criterion, Product, Target
from trialgraph.normalize.targets import resolve_target, target_by_symbol, target_synonyms

__all__ = [
    "Concept",
    "analyte_concept",
    "criterion_concept",
    "disease_concept",
    "endpoint_concept",
    "modality_concept",
    "organization_concept",
    "product_concept",
    "target_concept",
]

#: A shared concept: its node and the quads that describe it in the concepts graph.
Concept = tuple[NamedNode, tuple[Quad, ...]]

_CACHE_SIZE = 1 << 16


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


@lru_cache(maxsize=_CACHE_SIZE)
def disease_concept(condition: Condition) -> Concept:
    """The disease a condition names: by its CURIE, else by its folded label."""
    key = condition.curie.replace(":", "_") if condition.curie else condition.label.casefold()
    c = _Concepts()
    node = c.describe(
        mint("disease", key), TG.Disease, condition.label, condition.curie, condition.xrefs
    )
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def target_concept(target: Target) -> Concept:
    """A target with its kind, symbol and synonyms; an isoform also describes its gene."""
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
            parent_node, parent_quads = target_concept(parent)
            c.add(node, TG.isoformOf, parent_node)
            c.quads.extend(parent_quads)
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def modality_concept(modality: str) -> Concept:
    """A modality of the fixed list, by its key."""
    c = _Concepts()
    return c.done(c.describe(mint("modality", modality), TG.Modality, modality))


@lru_cache(maxsize=_CACHE_SIZE)
def product_concept(product: Product) -> Concept:
    """A product with its modality (itself a concept) and, where the drug knowledge states
    them, its mechanisms: one node per target with the action type and the source."""
    c = _Concepts()
    node = mint("product", product.key)
    c.describe(node, TG.Product, product.label, product.curie, product.xrefs)
    if product.modality:
        modality, quads = modality_concept(product.modality)
        c.add(node, TG.modality, modality)
        c.quads.extend(quads)
    mechanisms = zip(product.targets, product.actions, product.derivations, strict=True)
    for symbol, action, derivation in mechanisms:
        target = target_by_symbol(symbol)
        if target is None:
            continue
        mechanism = mint("mechanism", f"{product.key}--{symbol}")
        target_node, target_quads = target_concept(target)
        c.add(node, TG.mechanism, mechanism)
        c.add(mechanism, STD.rdf_type, TG.Mechanism)
        c.add(mechanism, TG.target, target_node)
        c.add(mechanism, TG.derivation, Literal(derivation))
        if action:
            c.add(mechanism, TG.actionType, Literal(action))
        c.quads.extend(target_quads)
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def criterion_concept(criterion: Criterion) -> Concept:
    """Assessment criteria with their family and version."""
    c = _Concepts()
    node = c.describe(
        mint("criteria", criterion.key), TG.AssessmentCriteria, criterion.label, criterion.curie
    )
    c.add(node, TG.criteriaFamily, Literal(criterion.family))
    if criterion.version:
        c.add(node, TG.criteriaVersion, Literal(criterion.version))
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def analyte_concept(analyte: Analyte) -> Concept:
    """An analyte measured in a sample."""
    c = _Concepts()
    node = c.describe(mint("analyte", analyte.key), TG.Analyte, analyte.label, analyte.curie)
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def endpoint_concept(code: str) -> Concept:
    """An endpoint concept of the contract's list, by its code, with the domain it measures;
    a named instrument is also typed as one."""
    concept = endpoint_concepts()[code]
    c = _Concepts()
    ncit = f"NCIT:{concept.ncit}" if concept.ncit else None
    node = c.describe(mint("endpoint", code), TG.Endpoint, concept.label, ncit)
    if concept.instrument:
        c.add(node, STD.rdf_type, TG.Instrument)
    c.add(node, STD.notation, Literal(code))
    c.add(node, TG.category, Literal(concept.category))
    if concept.domain:
        c.add(node, TG.domain, Literal(concept.domain))
    return c.done(node)


@lru_cache(maxsize=_CACHE_SIZE)
def organization_concept(key: str) -> Concept:
    """An organization by its identity key
    (:func:`~trialgraph.normalize.facets.organization_key`). Its names and classes are those
    the trials' records give, kept in each trial's graph: the key alone decides the node."""
    c = _Concepts()
    node = mint("organization", key)
    c.add(node, STD.rdf_type, TG.Organization)
    c.add(node, TG.nameKey, Literal(key))
    return c.done(node)
