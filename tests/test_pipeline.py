"""Mapped batches on their way from a worker to the store: as bytes or as a spooled file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, parse

from tests.conftest import FIXED_TIME
from trialgraph.namespaces import CONCEPTS_GRAPH, STATUS_GRAPH
from trialgraph.pipeline import Loader, map_encoded
from trialgraph.records import TrialRecord
from trialgraph.store import EmbeddedStore


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
            assert Loader(store).load_encoded(batch) == len(corpus_records)
            stored.append(set(store.store))
    assert stored[0] == stored[1]
    assert len(stored[0]) > 100 * len(corpus_records)
    assert list(spool.iterdir()) == []


def content(store: EmbeddedStore) -> set[Quad]:
    """The store's quads but the status graph's (its generation counts the writes)."""
    return {q for q in store.store if q.graph_name != STATUS_GRAPH}


def test_a_spooled_batch_decodes_for_a_rerun(
    corpus_records: list[TrialRecord], tmp_path: Path
) -> None:
    """Past the first load, trials are replaced one graph at a time from the same file."""
    spool = tmp_path / "spool"
    spool.mkdir()
    with EmbeddedStore(tmp_path / "store") as store:
        Loader(store).load_encoded(map_encoded(corpus_records, FIXED_TIME))
        before = content(store)
        loader = Loader(store)
        assert not loader.first_load
        assert loader.load_encoded(map_encoded(corpus_records, FIXED_TIME, str(spool))) == len(
            corpus_records
        )
        assert content(store) == before
    assert list(spool.iterdir()) == []


def test_a_batch_keeps_its_concepts_when_its_first_trial_is_superseded(
    corpus_records: list[TrialRecord], tmp_path: Path
) -> None:
    """A batch's concept quads come with its first trial; a later record of that trial in
    the same batch replaces the trial, not the batch's concepts."""
    first, *rest = [r for r in corpus_records if r.nct_id][:20]
    again = dataclasses.replace(first, location="row=99")  # the same trial, read again
    batch = map_encoded([first, *rest, again], FIXED_TIME)
    with EmbeddedStore(tmp_path / "store") as store:
        Loader(store).load_encoded(batch)
        stored = {q for q in store.store if q.graph_name == CONCEPTS_GRAPH}
    expected = set(parse(batch.concepts, format=RdfFormat.N_QUADS))
    assert expected and stored == expected
