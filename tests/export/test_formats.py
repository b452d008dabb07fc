"""Every export format, written and read back: node and edge counts and the attributes the
store holds."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from tests.export.conftest import HOSTILE_NCT, HOSTILE_TITLE
from trialgraph.export import FORMATS, ExportError, default_output, export, project
from trialgraph.store import EmbeddedStore


@pytest.fixture(scope="module")
def graph(hostile_store: EmbeddedStore) -> nx.MultiDiGraph[str]:
    return project(hostile_store)


def _written(store: EmbeddedStore, fmt: str, tmp_path: Path) -> Path:
    out = export(store, fmt, tmp_path / default_output(fmt))
    assert out.exists()
    return out


def _same_nodes(read: nx.Graph[Any], graph: nx.MultiDiGraph[str]) -> None:
    assert read.number_of_nodes() == graph.number_of_nodes()
    assert read.number_of_edges() == graph.number_of_edges()
    for node, data in graph.nodes(data=True):
        for key in ("label", "kind", "curie"):
            assert read.nodes[node][key] == data[key], (node, key)
    hostile = f"trial:{HOSTILE_NCT}"
    assert read.nodes[hostile]["title"] == HOSTILE_TITLE


def _measures(read: nx.Graph[Any]) -> set[tuple[str, str, str, str]]:
    return {
        (u, v, d["role"], d.get("duration", ""))
        for u, v, d in read.edges(data=True)
        if d["relation"] == "measures"
    }


def test_graphml(hostile_store: EmbeddedStore, graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    read = nx.read_graphml(_written(hostile_store, "graphml", tmp_path), force_multigraph=True)
    _same_nodes(read, graph)
    assert _measures(read) == _measures(graph)


def test_gexf(hostile_store: EmbeddedStore, graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    path = _written(hostile_store, "gexf", tmp_path)
    read = nx.read_gexf(path)
    assert isinstance(read, nx.MultiDiGraph)
    _same_nodes(read, graph)
    assert _measures(read) == _measures(graph)
    # Gephi colours: every node carries a viz:color of its kind
    ns = {"g": "http://www.gexf.net/1.2draft", "viz": "http://www.gexf.net/1.2draft/viz"}
    nodes = ET.parse(path).getroot().findall(".//g:node", ns)
    assert len(nodes) == graph.number_of_nodes()
    assert all(n.find("viz:color", ns) is not None for n in nodes)


def test_cytoscape(
    hostile_store: EmbeddedStore, graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    doc = json.loads(_written(hostile_store, "cytoscape", tmp_path).read_text("utf-8"))
    nodes = {e["data"]["id"]: e["data"] for e in doc["elements"]["nodes"]}
    edges = [e["data"] for e in doc["elements"]["edges"]]
    assert len(nodes) == graph.number_of_nodes()
    assert len(edges) == graph.number_of_edges()
    assert len({e["id"] for e in edges}) == len(edges)
    assert all(e["source"] in nodes and e["target"] in nodes for e in edges)
    assert nodes[f"trial:{HOSTILE_NCT}"]["title"] == HOSTILE_TITLE
    assert nodes["target:MSLN"]["curie"] == "HGNC:7371"
    found = {
        (e["source"], e["target"], e["role"], e.get("duration", ""))
        for e in edges
        if e["relation"] == "measures"
    }
    assert found == _measures(graph)


def test_nodelink(
    hostile_store: EmbeddedStore, graph: nx.MultiDiGraph[str], tmp_path: Path
) -> None:
    doc = json.loads(_written(hostile_store, "nodelink", tmp_path).read_text("utf-8"))
    read = nx.node_link_graph(doc, edges="edges")
    _same_nodes(read, graph)
    assert _measures(read) == _measures(graph)


def test_kgx(hostile_store: EmbeddedStore, graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    out = _written(hostile_store, "kgx", tmp_path)
    with (out / "nodes.tsv").open(encoding="utf-8", newline="") as handle:
        nodes = {r["id"]: r for r in csv.DictReader(handle, delimiter="\t")}
    with (out / "edges.tsv").open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle, delimiter="\t"))
    assert len(nodes) == graph.number_of_nodes()
    assert len(edges) == graph.number_of_edges()
    assert nodes["target:MSLN"]["category"] == "biolink:Protein"
    assert nodes["target:MSLN"]["xref"] == "HGNC:7371"
    assert nodes["target:CLDN18.2"]["category"] == "biolink:ProteinIsoform"
    assert nodes[f"trial:{HOSTILE_NCT}"]["category"] == "biolink:ClinicalTrial"
    assert nodes[f"trial:{HOSTILE_NCT}"]["description"] == " ".join(HOSTILE_TITLE.split())
    assert {n["category"] for n in nodes.values()} >= {"biolink:Disease", "biolink:Treatment"}
    assert all(e["predicate"].startswith("biolink:") for e in edges)
    assert all(e["subject"] in nodes and e["object"] in nodes for e in edges)
    assert len({e["id"] for e in edges}) == len(edges)
    aims = [e for e in edges if e["relation"] == "aims_at"]
    assert aims and all(e["predicate"] == "biolink:interacts_with" for e in aims)
    found = {
        (e["subject"], e["object"], e["role"], e["duration"])
        for e in edges
        if e["relation"] == "measures"
    }
    assert found == _measures(graph)


def test_svg(hostile_store: EmbeddedStore, graph: nx.MultiDiGraph[str], tmp_path: Path) -> None:
    root = ET.parse(_written(hostile_store, "svg", tmp_path)).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    circles = [
        c
        for c in root.iter("{http://www.w3.org/2000/svg}circle")
        if c.find("s:title", ns) is not None
    ]
    assert len(circles) == graph.number_of_nodes()
    assert root.find(".//s:script", ns) is None
    assert any(
        HOSTILE_NCT in "".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")
    )


def test_svg_of_a_large_graph_uses_rings(tmp_path: Path) -> None:
    from trialgraph.export import picture

    big: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for i in range(picture.FORCE_LIMIT + 1):
        big.add_node(f"trial:{i}", kind="trial", label=str(i))
        big.add_edge(f"trial:{i}", "target:X")
    big.nodes["target:X"].update(kind="target", label="X")
    root = ET.fromstring(picture.svg(big))
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) >= len(big)


def test_formats_and_errors(seed_store: EmbeddedStore, tmp_path: Path) -> None:
    assert {"graphml", "gexf", "cytoscape", "html", "nodelink", "kgx", "svg"} <= set(FORMATS)
    with pytest.raises(ExportError, match="unknown format"):
        export(seed_store, "dot", tmp_path / "x.dot")
    out = export(seed_store, "GraphML", tmp_path / "nested" / "g.graphml", kinds={"trial"})
    read = nx.read_graphml(out)
    assert {d["kind"] for _, d in read.nodes(data=True)} == {"trial"}


def test_export_through_an_on_disk_store(seed_records: object, tmp_path: Path) -> None:
    """The same export through ``open_store``, as the command line opens it."""
    from tests.conftest import FIXED_TIME
    from trialgraph.mapping import map_record
    from trialgraph.store import open_store

    assert isinstance(seed_records, dict)
    with open_store(tmp_path / "store", for_writing=True) as store:
        store.replace_trials([map_record(r, ingested_at=FIXED_TIME) for r in seed_records.values()])
    with open_store(tmp_path / "store", for_writing=False) as store:
        out = export(store, "cytoscape", tmp_path / "g.cyjs", target="MSLN")
    doc = json.loads(out.read_text("utf-8"))
    assert any(n["data"]["id"] == "target:MSLN" for n in doc["elements"]["nodes"])


def test_the_command_line_offers_every_format_and_kind_the_library_has() -> None:
    """``export --help`` lists the library's formats and kinds; ``--format`` takes each."""
    from click.testing import CliRunner

    from trialgraph.cli import main
    from trialgraph.export import KINDS

    runner = CliRunner()
    shown = runner.invoke(main, ["export", "--help"])
    assert shown.exit_code == 0
    for spec in FORMATS.values():
        assert re.search(rf"^\s+{spec.name}\s+{re.escape(spec.description)}$", shown.output, re.M)
    assert f"Node kinds: {', '.join(KINDS)}." in " ".join(shown.output.split())
    assert "organization" in KINDS
    refused = runner.invoke(main, ["export", "--format", "dot"])
    assert refused.exit_code == 2
    assert ", ".join(repr(name) for name in FORMATS) in refused.output
