"""Mapped batches on their way from a worker to the store: as bytes or as a spooled file,
and through the bulk load that takes a first load's batches."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse, serialize

from tests.conftest import FIXED_TIME
from trialgraph.pipeline import Loader, map_encoded
from trialgraph.records import TrialRecord
from trialgraph.store import CONCEPTS_GRAPH, EmbeddedStore, StoreError


def test_a_spooled_batch_loads_like_bytes_and_leaves_no_file(
    corpus_records: list[TrialRecord], tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    in_memory = map_encoded(corpus_records, FIXED_TIME)
    spooled = map_encoded(corpus_records, FIXED_TIME, str(spool))
    assert in_memory.path is None and in_memory.nquads
    assert spooled.path is not None and spooled.nquads == b""
    assert Path(spooled.path).parent == spool
    assert set(parse(path=spooled.path, format=RdfFormat.N_QUADS)) == set(
        parse(in_memory.nquads, format=RdfFormat.N_QUADS)
    )
    assert spooled.trials == in_memory.trials and spooled.concepts == in_memory.concepts

    stored: list[set[Quad]] = []
    for name, batch in (("bytes", in_memory), ("file", spooled)):
        with EmbeddedStore(tmp_path / name) as store:
            loader = Loader(store)
            assert loader.load_encoded(batch) == len(corpus_records)
            loader.close()
            stored.append(set(store.store))
            assert store.write_marker() is None
    assert stored[0] == stored[1]
    assert len(stored[0]) > 100 * len(corpus_records)
    assert list(spool.iterdir()) == []


def test_a_spooled_batch_decodes_for_a_rerun(
    corpus_records: list[TrialRecord], tmp_path: Path
) -> None:
    """Past the first load, trials are replaced one graph at a time from the same file."""
    spool = tmp_path / "spool"
    spool.mkdir()
    with EmbeddedStore(tmp_path / "store") as store:
        first = Loader(store)
        first.load_encoded(map_encoded(corpus_records, FIXED_TIME))
        first.close()
        before = set(store.store)
        loader = Loader(store)
        assert not loader.first_load
        assert loader.load_encoded(map_encoded(corpus_records, FIXED_TIME, str(spool))) == len(
            corpus_records
        )
        assert set(store.store) == before
    assert list(spool.iterdir()) == []


def _quad(n: int, graph: str = "urn:g:1") -> Quad:
    return Quad(NamedNode(f"urn:s:{n}"), NamedNode("urn:p"), Literal(str(n)), NamedNode(graph))


def test_one_bulk_load_stores_every_batch_sent_to_it(tmp_path: Path) -> None:
    """Bytes and files, concepts before each batch's trials, everything stored at close."""
    batches = [[_quad(n, f"urn:g:{b}") for n in range(b * 1000, b * 1000 + 1000)] for b in range(3)]
    spooled = tmp_path / "batch.nq"
    spooled.write_bytes(serialize(batches[2], format=RdfFormat.N_QUADS) or b"")
    concept = Quad(NamedNode("urn:c"), NamedNode("urn:p"), Literal("c"), CONCEPTS_GRAPH)
    with EmbeddedStore(tmp_path / "store") as store:
        stream = store.bulk_stream()
        stream.send([concept], serialize(batches[0], format=RdfFormat.N_QUADS) or b"")
        assert set(store.store) == {concept}  # stored before the batch's trials are sent
        assert store.write_marker() is not None
        stream.send([], serialize(batches[1], format=RdfFormat.N_QUADS) or b"")
        stream.send([], spooled)
        stream.close()
        assert set(store.store) == {concept, *batches[0], *batches[1], *batches[2]}
        assert store.write_marker() is None
        with pytest.raises(StoreError, match="closed"):
            stream.send([], b"")


def test_a_failed_bulk_load_is_reported_and_leaves_the_write_marker(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        stream = store.bulk_stream()
        stream.send([], b"<urn:s> <urn:p> broken .\n")
        more = serialize([_quad(n) for n in range(20_000)], format=RdfFormat.N_QUADS) or b""
        with pytest.raises(StoreError, match="bulk load failed"):  # a writer is told why
            for _ in range(100):
                stream.send([], more)
        assert store.write_marker() is not None  # the next writer recovers
        with pytest.raises(StoreError):  # a load that died takes no more batches
            stream.send([], serialize([_quad(1)], format=RdfFormat.N_QUADS) or b"")
