"""KGX TSV: ``nodes.tsv`` and ``edges.tsv`` with Biolink categories and predicates.

Node ids are the graph's own CURIEs (unique, stable); a concept's identifier in a standard
resource (HGNC, MONDO, NCIT, ...) is in ``xref``. Trial-centred edges have no specific
Biolink predicate, so they use ``biolink:related_to`` and keep the ontology property in
``original_predicate``; a product aimed at a target is ``biolink:interacts_with``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

import networkx as nx

SUFFIX = ""  # a directory

#: Node kind → Biolink category; targets are refined by their ontology class.
CATEGORIES: Final = {
    "trial": "biolink:ClinicalTrial",
    "product": "biolink:Treatment",
    "target": "biolink:Protein",
    "condition": "biolink:Disease",
    "endpoint": "biolink:ClinicalAttribute",
    "criteria": "biolink:InformationContentEntity",
}
TARGET_CATEGORIES: Final = {
    "GeneProductTarget": "biolink:Protein",
    "IsoformTarget": "biolink:ProteinIsoform",
    "AntigenTarget": "biolink:MolecularEntity",
}
#: Edge relation → Biolink predicate.
PREDICATES: Final = {
    "tests": "biolink:related_to",
    "studies": "biolink:related_to",
    "names_target": "biolink:related_to",
    "aims_at": "biolink:interacts_with",
    "measures": "biolink:related_to",
    "assessed_by": "biolink:related_to",
}
KNOWLEDGE_SOURCE: Final = "infores:clinicaltrials"

NODE_COLUMNS: Final = (
    "id",
    "category",
    "name",
    "xref",
    "provided_by",
    "kind",
    "iri",
    "description",
    "url",
)
EDGE_COLUMNS: Final = (
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "relation",
    "primary_knowledge_source",
    "knowledge_level",
    "agent_type",
    "role",
    "duration",
    "outcome",
)


def _cell(value: object) -> str:
    """A value fit for one TSV cell: tabs and line breaks become spaces."""
    return " ".join(str(value).split()) if value is not None else ""


def node_rows(graph: nx.MultiDiGraph[str]) -> list[dict[str, str]]:
    """One row per node, keyed by :data:`NODE_COLUMNS`."""
    rows = []
    for node, data in graph.nodes(data=True):
        kind = data.get("kind", "")
        category = CATEGORIES.get(kind, "biolink:NamedThing")
        if kind == "target":
            category = TARGET_CATEGORIES.get(data.get("target_type", ""), category)
        curie = data.get("curie", "")
        rows.append(
            {
                "id": node,
                "category": category,
                "name": data.get("name") or data.get("title") or data.get("label", ""),
                "xref": curie if curie != node else "",
                "provided_by": "trialgraph",
                "kind": kind,
                "iri": data.get("iri", ""),
                "description": data.get("title", ""),
                "url": data.get("url", ""),
            }
        )
    return rows


def edge_rows(graph: nx.MultiDiGraph[str]) -> list[dict[str, str]]:
    """One row per edge, keyed by :data:`EDGE_COLUMNS`."""
    rows = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        relation = data.get("relation", "")
        rows.append(
            {
                "id": f"{u}|{key}|{v}",
                "subject": u,
                "predicate": PREDICATES.get(relation, "biolink:related_to"),
                "object": v,
                "original_predicate": data.get("predicate", ""),
                "relation": relation,
                "primary_knowledge_source": KNOWLEDGE_SOURCE,
                "knowledge_level": "knowledge_assertion",
                "agent_type": "automated_agent",
                "role": data.get("role", ""),
                "duration": data.get("duration", ""),
                "outcome": data.get("outcome", ""),
            }
        )
    return rows


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c, "")) for c in columns])


def write(graph: nx.MultiDiGraph[str], out: Path) -> Path:
    """Write ``out/nodes.tsv`` and ``out/edges.tsv``; returns the directory ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "nodes.tsv", NODE_COLUMNS, node_rows(graph))
    _write(out / "edges.tsv", EDGE_COLUMNS, edge_rows(graph))
    return out
