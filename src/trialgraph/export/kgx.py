"""KGX TSV: ``nodes.tsv`` and ``edges.tsv`` with Biolink categories and predicates.

Node ids are the graph's own CURIEs (unique, stable); a concept's identifier in a standard
resource (HGNC, MONDO, NCIT, ...) is in ``xref``. Trial-centred edges (sponsors and
collaborators too) have no specific Biolink predicate, so they use ``biolink:related_to``
and keep the ontology property in ``original_predicate``; a product aimed at a target is
``biolink:interacts_with``.

A trial's landscape facets are node properties (:data:`FACET_COLUMNS`): under the Biolink
``ClinicalTrial`` slot where Biolink has one with the same meaning and values
(``clinical_trial_overall_status``, ``clinical_trial_enrollment``, ...), else under the
graph's own attribute name, as KGX allows. Several values (phases, countries, an
organization's classes) are a KGX list: ``|``-separated in a TSV cell.
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
    "organization": "biolink:Agent",
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
    "lead_sponsor": "biolink:related_to",
    "collaborator": "biolink:related_to",
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
#: Node attribute → column, after :data:`NODE_COLUMNS`: a Biolink slot's name where Biolink
#: has one for the attribute (its ``ClinicalTrial`` slots), else the attribute's own.
FACET_COLUMNS: Final = {
    "phase": "phase",
    "status": "clinical_trial_overall_status",
    "study_type": "study_type",
    "sponsor": "sponsor",
    "sponsor_class": "sponsor_class",
    "start_date": "clinical_trial_start_date",
    "primary_completion_date": "primary_completion_date",
    "completion_date": "completion_date",
    "enrollment": "clinical_trial_enrollment",
    "enrollment_type": "clinical_trial_enrollment_type",
    "countries": "countries",
    "sites": "sites",
    "organization_class": "organization_class",
}
#: Attributes whose ``"; "``-joined values (from controlled lists, so no value holds
#: ``"; "`` or ``|``) become KGX lists.
LIST_ATTRIBUTES: Final = frozenset({"phase", "countries", "organization_class"})
#: KGX's separator of the values of a list in a TSV cell.
LIST_DELIMITER: Final = "|"
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


def _facet_cells(data: dict[str, object]) -> dict[str, str]:
    """A node's :data:`FACET_COLUMNS` cells; lists ``|``-separated, unknown values empty."""
    cells = {}
    for attribute, column in FACET_COLUMNS.items():
        value = data.get(attribute)
        if value is None or value == "":
            continue
        text = str(value)
        if attribute in LIST_ATTRIBUTES:
            text = LIST_DELIMITER.join(v for v in text.split("; ") if v)
        cells[column] = text
    return cells


def node_rows(graph: nx.MultiDiGraph[str]) -> list[dict[str, str]]:
    """One row per node, keyed by :data:`NODE_COLUMNS` and :data:`FACET_COLUMNS`' columns."""
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
                **_facet_cells(data),
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
    _write(out / "nodes.tsv", (*NODE_COLUMNS, *FACET_COLUMNS.values()), node_rows(graph))
    _write(out / "edges.tsv", EDGE_COLUMNS, edge_rows(graph))
    return out
