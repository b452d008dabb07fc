"""The store interface, run against both backends: an in-memory pyoxigraph store and a real
``oxigraph serve`` process. Assertions compare sets of quads.

Trials are built by hand here (``TrialGraph``, as ``mapping.MappedTrial`` is), so these
tests do not depend on the normalizers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, serialize

from tests.conftest import free_port
from trialgraph.namespaces import STD, TG
from trialgraph.store import (
    CONCEPTS_GRAPH,
    MARKER_FILE,
    ONTOLOGY_GRAPH,
    STATUS_GRAPH,
    EmbeddedStore,
    GraphStore,
    RemoteStore,
    RemoteStoreError,
    SelectResult,
    StoreError,
    StoreLockedError,
    StoreNotFoundError,
    TrialGraph,
    embedded,
    open_read_only,
    open_store,
    replace_update,
    with_quad_count,
)
from trialgraph.store.embedded import nquads_chunks

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
EX = "https://example.org/"
VALUE = NamedNode(EX + "value")
VERSION = NamedNode(EX + "version")

NASTY = [
    'say "hi"',
    "back\\slash \\n not a newline",
    "line one\nline two\r\nline three\ttab",
    "triple \"\"\" quotes ''' and 'single'",
    "unicode: γδ ℃ 漢字 😀 \u00a0 \u200b",
    '"} UNION { ?s ?p ?o } #',
    "} ; DROP ALL ; INSERT DATA { <a:b> <a:b> <a:b> }",
    "<http://not.an/iri>",
    "",
]


def make_trial(
    tid: str,
    *,
    version: str = "v1",
    values: int = 5,
    texts: tuple[str, ...] = (),
    count: bool = True,
) -> TrialGraph:
    """A trial graph shaped like mapping's: provenance on the graph node, a quad count."""
    graph = NamedNode(f"https://w3id.org/trialgraph/graph/{tid}")
    trial = NamedNode(f"https://w3id.org/trialgraph/trial/{tid}")
    disease = NamedNode(f"https://w3id.org/trialgraph/disease/d{len(tid) % 3}")
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (trial, RDF_TYPE, TG.Trial),
        (trial, LABEL, Literal(f"trial {tid}", language="en")),
        (trial, TG.enrollment, Literal("42", datatype=XSD_INTEGER)),
        (trial, TG.studiesDisease, disease),
        (graph, RDF_TYPE, TG.TrialGraph),
        (graph, TG.describesTrial, trial),
        (graph, TG.checksum, Literal(f"{tid}-{version}")),
    ]
    triples += [(trial, VALUE, Literal(f"{version}-{i}")) for i in range(values)]
    triples += [(trial, TG.keyword, Literal(t)) for t in texts]
    triples.append((trial, VERSION, Literal(version)))
    quads = [Quad(s, p, o, graph) for s, p, o in triples]
    concepts = (
        Quad(disease, RDF_TYPE, TG.Disease, CONCEPTS_GRAPH),
        Quad(disease, LABEL, Literal(f"disease {disease.value[-2:]}"), CONCEPTS_GRAPH),
    )
    stored = with_quad_count(graph, quads) if count else tuple(quads)
    return TrialGraph(graph, f"{tid}-{version}", stored, concepts)


def all_quads(store: GraphStore) -> set[Quad]:
    """Every quad in the store's named graphs but the status graph (its generation is
    tested on its own), read back through a query."""
    result = store.query(
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != <{STATUS_GRAPH.value}>) }}"
    )
    assert isinstance(result, SelectResult)
    quads = set()
    for s, p, o, g in result:
        assert isinstance(s, NamedNode) and isinstance(p, NamedNode) and isinstance(g, NamedNode)
        assert o is not None
        quads.add(Quad(s, p, o, g))
    return quads


def graph_quads(store: GraphStore, graph: NamedNode) -> set[Quad]:
    return {q for q in all_quads(store) if q.graph_name == graph}


def status_quads(store: GraphStore) -> int:
    """The status graph's quads (the store's generation, and a remote store's marker)."""
    result = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{STATUS_GRAPH.value}> {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, SelectResult)
    return sum(int(n.value) for (n,) in result if isinstance(n, Literal))


def expected(*trials: TrialGraph) -> set[Quad]:
    return {q for t in trials for q in (*t.quads, *t.concept_quads)}


# ---------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(params=["embedded", "remote"])
def store(request: pytest.FixtureRequest) -> Iterator[EmbeddedStore | RemoteStore]:
    """An empty store of each kind: a fresh in-memory store, or the emptied server."""
    if request.param == "embedded":
        with EmbeddedStore(None) as embedded:
            yield embedded
        return
    url: str = request.getfixturevalue("oxigraph_server")
    remote = RemoteStore(url)
    remote._update("DROP ALL")
    yield remote


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """Another process holding an on-disk store open for writing, until it is killed."""
    path = tmp_path / "held"
    EmbeddedStore(path).close()
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), "60"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    yield path, process
    process.kill()
    process.wait()


_HOLD = """
import sys, time, pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
"""


# ---------------------------------------------------------------------------------------
# both backends


def test_a_new_store_is_empty(store: GraphStore) -> None:
    assert store.is_empty()
    assert store.count_quads() == 0
    assert store.trial_count() == 0
    assert store.checksums([make_trial("NCT1").graph]) == {}
    assert store.write_marker() is None


def test_replace_writes_trial_graphs_and_concepts(store: GraphStore) -> None:
    a, b = make_trial("NCT1"), make_trial("NCT22")
    store.replace_trials([a, b])
    assert all_quads(store) == expected(a, b)
    assert store.count_quads() == len(expected(a, b)) + status_quads(store)
    assert store.trial_count() == 2
    assert not store.is_empty()
    assert store.write_marker() is None  # cleared after a clean write


def test_replace_drops_the_old_graph_and_keeps_the_rest(store: GraphStore) -> None:
    a, b = make_trial("NCT1"), make_trial("NCT22")
    store.replace_trials([a, b])
    a2 = make_trial("NCT1", version="v2", values=2)
    store.replace_trials([a2])
    assert graph_quads(store, a.graph) == set(a2.quads)
    assert graph_quads(store, b.graph) == set(b.quads)
    assert all_quads(store) == expected(a2, b)
    assert store.count_quads() == len(expected(a2, b)) + status_quads(store)


def test_a_stored_graph_changes_by_the_quads_it_loses_and_gains() -> None:
    old, new = make_trial("NCT1", values=3), make_trial("NCT1", version="v2", values=2)
    other = make_trial("NCT22")
    update = replace_update([new, other], stored={old.graph: set(old.quads)})
    assert f"DROP SILENT GRAPH {old.graph}" not in update  # only the unstored one is dropped
    assert f"DROP SILENT GRAPH {other.graph}" in update
    deleted = update.split("DELETE DATA")[1].split("INSERT DATA")[0]
    assert deleted.count(" .\n") + deleted.count(" .}") == len(set(old.quads) - set(new.quads))
    with EmbeddedStore(None) as store:
        store.replace_trials([old])
        store.store.update(update)
        assert graph_quads(store, old.graph) == set(new.quads)
        assert graph_quads(store, other.graph) == set(other.quads)


def test_changed_graphs_with_nasty_literals_lose_every_old_quad(store: GraphStore) -> None:
    a = make_trial("NCT7", texts=tuple(NASTY))
    store.replace_trials([a, make_trial("NCT8")])
    a2 = make_trial("NCT7", version="v2", texts=tuple(reversed(NASTY[::2])))
    store.replace_trials([a2])
    assert graph_quads(store, a.graph) == set(a2.quads)
    assert all_quads(store) == expected(a2, make_trial("NCT8"))


def test_literals_the_store_rewrites_survive_a_replace() -> None:
    # Oxigraph keeps "P12M" as "P1Y" and "+00:00" as "Z": read back, they differ from the
    # quads as mapped, so a replace deletes and inserts them again, in that order
    duration = NamedNode("http://www.w3.org/2001/XMLSchema#duration")
    date_time = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    trial = make_trial("NCT1")
    g = trial.graph
    mapped = (
        Quad(g, VALUE, Literal("P12M", datatype=duration), g),
        Quad(g, VERSION, Literal("2026-11-22T12:00:00+00:00", datatype=date_time), g),
    )
    as_stored = {
        Quad(g, VALUE, Literal("P1Y", datatype=duration), g),
        Quad(g, VERSION, Literal("2026-11-22T12:00:00Z", datatype=date_time), g),
    }
    first = replace(trial, quads=(*trial.quads, *mapped))
    with EmbeddedStore(None) as store:
        store.replace_trials([first])
        assert as_stored <= graph_quads(store, g)
        store.replace_trials([replace(first, checksum="NCT1-again")])
        assert as_stored <= graph_quads(store, g)


def test_a_stored_graph_with_blank_nodes_is_replaced_whole() -> None:
    old, new = make_trial("NCT1"), make_trial("NCT1", version="v2")
    blank = Quad(old.graph, VALUE, BlankNode(), old.graph)
    with EmbeddedStore(None) as store:
        store.replace_trials([old])
        store.store.add(blank)  # written by another tool
        store.replace_trials([new])
        assert graph_quads(store, old.graph) == set(new.quads)


def test_a_trial_twice_in_a_batch_is_written_from_its_last_record(store: GraphStore) -> None:
    store.replace_trials([make_trial("NCT1")])
    v2, v3 = make_trial("NCT1", version="v2"), make_trial("NCT1", version="v3", values=7)
    store.replace_trials([v2, v3])
    assert graph_quads(store, v3.graph) == set(v3.quads)
    store.replace_trials([make_trial("NCT2", version="v2"), make_trial("NCT2", values=1)])
    assert graph_quads(store, make_trial("NCT2").graph) == set(make_trial("NCT2", values=1).quads)


def test_concept_quads_are_written_once(store: GraphStore) -> None:
    trials = [make_trial(f"NCT{i}") for i in range(1, 7)]  # all share one disease
    update = replace_update(trials)
    assert update.count("disease/d1> <http://www.w3.org/2000/01/rdf-schema#label>") == 1
    store.replace_trials(trials)
    assert graph_quads(store, CONCEPTS_GRAPH) == {q for t in trials for q in t.concept_quads}


def test_checksums_of_existing_graphs_only(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("trialgraph.store.interface.CHECKSUM_BATCH", 3)  # several VALUES batches
    trials = [make_trial(f"NCT{i}") for i in range(7)]
    store.replace_trials(trials)
    missing = make_trial("NCT999").graph
    asked = [t.graph for t in trials] + [missing]
    assert store.checksums(asked) == {t.graph.value: t.checksum for t in trials}
    store.replace_trials([make_trial("NCT3", version="v9")])
    assert store.checksums([trials[3].graph, missing]) == {trials[3].graph.value: "NCT3-v9"}


def test_nasty_literals_round_trip(store: GraphStore) -> None:
    trial = make_trial("NCT7", texts=tuple(NASTY))
    store.replace_trials([trial])
    assert all_quads(store) == expected(trial)
    store.bulk_load([[make_trial("NCT8", texts=tuple(NASTY))]])
    assert graph_quads(store, make_trial("NCT8").graph) == set(
        make_trial("NCT8", texts=tuple(NASTY)).quads
    )


def test_substitutions_bind_nasty_values_safely(store: GraphStore) -> None:
    store.replace_trials([make_trial("NCT1", texts=tuple(NASTY)), make_trial("NCT2")])
    for text in NASTY:
        result = store.query(
            f"SELECT ?trial ?text WHERE {{ ?trial <{TG.keyword.value}> ?text }}",
            {"text": Literal(text)},
        )
        assert isinstance(result, SelectResult)
        assert result.variables == ["trial", "text"]
        assert list(result) == [
            (NamedNode("https://w3id.org/trialgraph/trial/NCT1"), Literal(text))
        ]


def test_select_ask_construct_over_the_union_of_graphs(store: GraphStore) -> None:
    a, b = make_trial("NCT1"), make_trial("NCT22")
    store.replace_trials([a, b])
    # a default-graph pattern sees every named graph
    select = store.query(
        "SELECT ?t ?missing WHERE { ?t a <https://w3id.org/trialgraph/ontology#Trial> "
        "OPTIONAL { ?t <urn:none> ?missing } } ORDER BY ?t"
    )
    assert isinstance(select, SelectResult)
    assert [row for row in select] == [
        (NamedNode("https://w3id.org/trialgraph/trial/NCT1"), None),
        (NamedNode("https://w3id.org/trialgraph/trial/NCT22"), None),
    ]
    assert store.query("ASK { ?d a <https://w3id.org/trialgraph/ontology#Disease> }") is True
    assert store.query("ASK { ?d a <urn:nothing> }") is False
    construct = store.query(
        f"CONSTRUCT {{ ?g <urn:checksum> ?c }} WHERE {{ ?g <{TG.checksum.value}> ?c }}"
    )
    assert not isinstance(construct, (bool, SelectResult))
    assert {(t.subject, t.object) for t in construct} == {
        (a.graph, Literal(a.checksum)),
        (b.graph, Literal(b.checksum)),
    }


def test_replace_is_atomic_for_concurrent_readers(store: GraphStore) -> None:
    """A reader polling during many replaces only ever sees whole versions of each graph."""
    ids = [f"NCT{i}" for i in range(5)]
    versions = {
        "v1": [make_trial(t, version="v1", values=3) for t in ids],
        "v2": [make_trial(t, version="v2", values=40) for t in ids],
    }
    sizes = {v: len(ts[0].quads) for v, ts in versions.items()}
    store.replace_trials(versions["v1"])
    done = threading.Event()
    seen: list[tuple[str, int, set[str]]] = []
    errors: list[str] = []
    # both halves read the same snapshot: a query sees one state of the store
    query = (
        "SELECT ?g ?n ?vs WHERE { "
        "{ SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g NOT IN (<{CONCEPTS_GRAPH.value}>, <{STATUS_GRAPH.value}>)) }} GROUP BY ?g }} "
        "OPTIONAL { SELECT ?g (GROUP_CONCAT(DISTINCT ?v) AS ?vs) WHERE { "
        f"GRAPH ?g {{ ?s <{VERSION.value}> ?v }} }} GROUP BY ?g }} }}"
    )

    def read() -> None:
        try:
            while not done.is_set():
                result = store.query(query)
                assert isinstance(result, SelectResult)
                for g, n, vs in list(result):
                    assert isinstance(g, NamedNode) and isinstance(n, Literal)
                    assert isinstance(vs, Literal), (g, n)
                    seen.append((g.value, int(n.value), set(vs.value.split())))
        except BaseException as error:  # report it in the main thread, as text: query
            errors.append(repr(error))  # results must not leave the thread that made them

    reader = threading.Thread(target=read)
    reader.start()
    rounds = 150 if isinstance(store, EmbeddedStore) else 40
    try:
        for i in range(rounds):
            store.replace_trials(versions["v2" if i % 2 == 0 else "v1"])
    finally:
        done.set()
        reader.join()
    assert not errors
    assert len(seen) > len(ids)  # the reader did overlap the writer
    for graph, n, vs in seen:
        assert len(vs) == 1, (graph, vs)  # never old and new quads together
        version = vs.pop()
        # the trial node's quads plus the graph node's: all or nothing
        assert n == sizes[version], (graph, version, n)
    assert {v for _, _, _ in seen for v in ("v1", "v2")} == {"v1", "v2"}


def test_an_update_that_fails_halfway_writes_nothing(store: GraphStore) -> None:
    """Oxigraph runs a whole update request in one transaction (Store.update's docstring)."""
    a = make_trial("NCT1")
    store.replace_trials([a])
    before = all_quads(store)
    # the DROP and INSERT run before the LOAD fails (port 1 is refused at run time, after
    # parsing: a 500 from the server, which is not worth retrying here)
    if isinstance(store, RemoteStore):
        store.retries = 0
    update = (
        f"DROP GRAPH <{a.graph.value}> ; "
        'INSERT DATA { GRAPH <urn:g> { <urn:s> <urn:p> "half" } } ; '
        "LOAD <http://127.0.0.1:1/nothing.nt>"
    )
    with pytest.raises((OSError, RemoteStoreError, StoreError)):
        store._update(update)
    assert all_quads(store) == before


def test_bulk_load_then_replace(store: GraphStore) -> None:
    trials = [make_trial(f"NCT{i}") for i in range(40)]
    store.bulk_load([trials[:15], trials[15:30], trials[30:]])
    assert all_quads(store) == expected(*trials)
    assert store.trial_count() == 40
    assert store.write_marker() is None
    newer = [make_trial(f"NCT{i}", version="v2", values=1) for i in range(10)]
    store.replace_trials(newer)
    assert all_quads(store) == expected(*newer, *trials[10:])
    # a bulk load over existing graphs replaces them rather than merging into them
    newest = [make_trial(f"NCT{i}", version="v3", values=2) for i in range(5, 12)]
    store.bulk_load([newest, [make_trial("NCT100")]])
    assert all_quads(store) == expected(*newer[:5], *newest, *trials[12:], make_trial("NCT100"))
    assert store.count_quads() == len(all_quads(store)) + status_quads(store)
    assert store.checksums([newest[0].graph]) == {newest[0].graph.value: "NCT5-v3"}


@pytest.mark.parametrize("as_file", [False, True])
def test_nquads_load_in_chunks_of_whole_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_file: bool
) -> None:
    """A first load's N-Quads reach Oxigraph a few lines at a time and lose nothing, nasty
    literals (escaped newlines, quotes) included."""
    trials = [make_trial(f"NCT{i}", texts=tuple(NASTY)) for i in range(6)]
    data = serialize([q for t in trials for q in t.quads], format=RdfFormat.N_QUADS) or b""
    pieces = list(nquads_chunks(data, 200))
    assert len(pieces) > 10 and b"".join(pieces) == data
    longest = max(len(line) for line in data.splitlines(keepends=True))
    assert all(p.endswith(b"\n") and len(p) < 200 + longest for p in pieces)
    sent: list[bytes] = []

    def chunks(nquads: bytes | Path, size: int) -> Iterator[bytes]:
        for piece in nquads_chunks(nquads, size):
            sent.append(piece)
            yield piece

    monkeypatch.setattr(embedded, "NQUADS_CHUNK_BYTES", 200)
    monkeypatch.setattr(embedded, "nquads_chunks", chunks)
    source: bytes | Path = data
    if as_file:
        source = tmp_path / "batch.nq"
        source.write_bytes(data)
    with EmbeddedStore(None) as store:
        store.bulk_load_nquads([q for t in trials for q in t.concept_quads], source)
        assert sent == pieces
        assert all_quads(store) == expected(*trials)


def test_recover_drops_exactly_the_incomplete_graphs(store: GraphStore) -> None:
    trials = [make_trial(f"NCT{i}") for i in range(8)]
    store.bulk_load([trials])
    broken, no_checksum, untyped, uncounted = trials[2], trials[4], trials[5], trials[6]
    # a crash: the marker stays behind and some graphs are half written
    with pytest.raises(RuntimeError), store.writing():
        store._update(
            "DELETE DATA { "
            f"GRAPH {broken.graph} {{ {broken.quads[-2].subject} {broken.quads[-2].predicate} "
            f"{broken.quads[-2].object} . {broken.quads[1].subject} {broken.quads[1].predicate} "
            f"{broken.quads[1].object} }} "
            f"GRAPH {no_checksum.graph} {{ {no_checksum.graph} <{TG.checksum.value}> "
            f'"{no_checksum.checksum}" }} '
            f"GRAPH {untyped.graph} {{ {untyped.graph} {RDF_TYPE} <{TG.TrialGraph.value}> }} }}"
        )
        store.replace_trials([make_trial("NCT6", count=False)])
        raise RuntimeError("killed")
    assert store.write_marker() is not None
    # before recovery some graphs do not hold what they declare: the count is a real one
    assert store.count_quads() == len(all_quads(store)) + status_quads(store)
    dropped = store.recover()
    assert dropped == sorted(t.graph.value for t in (broken, no_checksum, untyped, uncounted))
    intact = [t for t in trials if t not in (broken, no_checksum, untyped, uncounted)]
    assert all_quads(store) == expected(*intact) | {
        q for t in (broken, no_checksum, untyped, uncounted) for q in t.concept_quads
    }
    assert set(store.checksums([t.graph for t in trials])) == {t.graph.value for t in intact}
    assert store.write_marker() is None
    assert store.count_quads() == len(all_quads(store)) + status_quads(
        store
    )  # the incomplete graphs are gone
    assert store.recover() == []


def test_a_trial_graph_declares_its_distinct_quads_and_the_declaration() -> None:
    """``with_quad_count`` states the size that ``recover`` verifies."""
    trial = make_trial("NCT1", count=False)
    counted = with_quad_count(trial.graph, [*trial.quads, trial.quads[0]])  # one repeated
    assert counted[:-1] == trial.quads
    n = Literal(str(len(trial.quads) + 1), datatype=STD.xsd_integer)
    assert counted[-1] == Quad(trial.graph, TG.quadCount, n, trial.graph)
    with EmbeddedStore(None) as store:
        store.bulk_load([[replace(trial, quads=counted), make_trial("NCT2", count=False)]])
        with pytest.raises(RuntimeError), store.writing():
            raise RuntimeError("killed")
        assert store.recover() == [make_trial("NCT2").graph.value]
        assert set(store.checksums([trial.graph])) == {trial.graph.value}


def test_recover_without_a_marker_changes_nothing(store: GraphStore) -> None:
    store.replace_trials([make_trial("NCT1", count=False)])
    before = all_quads(store)
    assert store.recover() == []
    assert all_quads(store) == before


def test_ontology_loaded_once_per_version(store: GraphStore) -> None:
    onto = NamedNode("https://w3id.org/trialgraph/ontology")
    v1 = [Quad(onto, LABEL, Literal("trialgraph ontology")), Quad(TG.Trial, LABEL, Literal("x"))]
    assert store.ensure_ontology(v1, "1.0") is True
    assert store.ensure_ontology(v1, "1.0") is False
    first = graph_quads(store, ONTOLOGY_GRAPH)
    assert {Quad(q.subject, q.predicate, q.object) for q in v1} <= {
        Quad(q.subject, q.predicate, q.object) for q in first
    }
    v2 = [Quad(TG.Trial, LABEL, Literal("clinical trial"))]
    assert store.ensure_ontology(v2, "1.1") is True
    labels = {q.object for q in graph_quads(store, ONTOLOGY_GRAPH) if q.predicate == LABEL}
    assert labels == {Literal("clinical trial")}
    assert store.count_quads() == len(graph_quads(store, ONTOLOGY_GRAPH)) + status_quads(store)


# ---------------------------------------------------------------------------------------
# embedded only


def test_on_disk_store_persists_and_keeps_no_marker(tmp_path: Path) -> None:
    path = tmp_path / "store"
    trials = [make_trial(f"NCT{i}") for i in range(20)]
    with EmbeddedStore(path) as store:
        store.bulk_load([trials[:10], trials[10:]])
        assert not (path / MARKER_FILE).exists()
    with open_read_only(path) as reader:
        assert all_quads(reader) == expected(*trials)
        with pytest.raises(StoreError, match="opened for reading"):
            reader.replace_trials(trials[:1])


def test_marker_file_survives_a_crash_and_recover_clears_it(tmp_path: Path) -> None:
    path = tmp_path / "store"
    trials = [make_trial(f"NCT{i}") for i in range(3)]
    store = EmbeddedStore(path)
    store.bulk_load([trials])
    with pytest.raises(RuntimeError), store.writing():
        marker = store.write_marker()
        assert marker is not None and marker["pid"] == os.getpid()
        store.store.remove(trials[1].quads[0])
        raise RuntimeError("killed")
    store.close()
    assert (path / MARKER_FILE).exists()
    with EmbeddedStore(path) as again:
        assert again.recover() == [trials[1].graph.value]
        assert not (path / MARKER_FILE).exists()


def test_second_process_gets_a_clear_lock_error(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    path, _ = holder
    with pytest.raises(StoreLockedError) as caught:
        EmbeddedStore(path)
    message = str(caught.value)
    assert str(path) in message and "another trialgraph process" in message
    assert "\n" not in message
    with pytest.raises(StoreLockedError):
        open_read_only(path, wait=False)
    with pytest.raises(StoreLockedError):
        open_store(str(path), None, for_writing=True, wait=False)


def test_reader_waits_for_the_writer_to_finish(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    path, process = holder
    told: list[str] = []
    threading.Timer(1.0, process.kill).start()
    started = time.monotonic()
    with open_read_only(path, wait=True, timeout=30, poll=0.1, on_wait=told.append) as reader:
        assert reader.is_empty()
    assert time.monotonic() - started >= 0.9
    assert len(told) == 1 and str(path) in told[0]


def test_reader_gives_up_after_its_timeout(holder: tuple[Path, subprocess.Popen[str]]) -> None:
    path, _ = holder
    with pytest.raises(StoreLockedError):
        open_read_only(path, wait=True, timeout=0.3, poll=0.1, on_wait=lambda _: None)


def test_reader_never_creates_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    with pytest.raises(StoreNotFoundError, match="nothing-here"):
        open_read_only(missing)
    with pytest.raises(StoreNotFoundError):
        open_store(str(missing), None, for_writing=False)
    assert not missing.exists()


def test_open_store_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store(for_writing=True) as store:
        assert isinstance(store, EmbeddedStore)
        assert store.path == Path("trialgraph-store")
    monkeypatch.setenv("TRIALGRAPH_STORE", str(tmp_path / "env-store"))
    with open_store(for_writing=True) as store:
        assert isinstance(store, EmbeddedStore) and store.path == tmp_path / "env-store"
    remote = open_store(None, "http://127.0.0.1:7878", for_writing=False)
    assert isinstance(remote, RemoteStore)
    with pytest.raises(ValueError):
        open_store("a", "http://b", for_writing=True)


def test_closed_store_says_so() -> None:
    store = EmbeddedStore(None)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count_quads()


# ---------------------------------------------------------------------------------------
# remote only


def test_endpoints_are_derived_from_a_base_or_query_url() -> None:
    base = RemoteStore("http://127.0.0.1:7878/")
    assert (base.query_url, base.update_url, base.store_url) == (
        "http://127.0.0.1:7878/query",
        "http://127.0.0.1:7878/update",
        "http://127.0.0.1:7878/store",
    )
    given = RemoteStore("http://h/ds/sparql", "http://h/ds/update", "http://h/ds/data")
    assert (given.query_url, given.update_url, given.store_url) == (
        "http://h/ds/sparql",
        "http://h/ds/update",
        "http://h/ds/data",
    )


def test_server_errors_name_url_status_and_message(oxigraph_server: str) -> None:
    remote = RemoteStore(oxigraph_server)
    with pytest.raises(RemoteStoreError) as caught:
        remote.query("SELECT nonsense {")
    error = caught.value
    assert error.status == 400 and error.url == remote.query_url
    assert remote.query_url in str(error) and "400" in str(error) and error.message


def test_unreachable_server_is_retried_then_reported() -> None:
    port = free_port()
    remote = RemoteStore(f"http://127.0.0.1:{port}", retries=2, backoff=0.05)
    started = time.monotonic()
    with pytest.raises(RemoteStoreError, match=f"cannot reach http://127.0.0.1:{port}/query"):
        remote.is_empty()
    assert time.monotonic() - started >= 0.15  # 0.05 + 0.1 of backoff


def test_substitution_names_are_checked() -> None:
    remote = RemoteStore("http://127.0.0.1:1", retries=0)
    with pytest.raises(ValueError, match="variable"):
        remote.query("SELECT ?x {}", {"x }": Literal("a")})


def test_trial_graph_shape() -> None:
    assert isinstance(make_trial("NCT1"), TrialGraph)


def test_each_write_that_changes_trials_advances_the_generation(
    store: EmbeddedStore | RemoteStore,
) -> None:
    trials = [make_trial(f"NCT{i}") for i in range(4)]
    assert store.generation() == 0
    store.bulk_load([trials[:2]])
    assert store.generation() == 1
    with store.writing():  # one write of several batches advances it once
        store.replace_trials(trials[2:3])
        store.replace_trials(trials[3:])
    assert store.generation() == 2
    store.replace_trials([replace(trials[0], quads=trials[1].quads[:1])])
    assert store.generation() == 3
    store.ensure_ontology([], "v1")  # not a trial graph
    assert store.generation() == 3
    assert store.write_marker() is None
