"""Stores for the export tests: the five seed trials, plus one whose text is hostile."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import FIXED_TIME
from trialgraph.mapping import map_record
from trialgraph.records import TrialRecord
from trialgraph.store import EmbeddedStore

#: A title that would run script if any viewer treated record text as HTML.
HOSTILE_TITLE = (
    'CAR-T <script>window.__pwned = "script"</script> trial '
    '"><img src=x onerror="window.__pwned = \'img\'"> & </script><!-- end'
)
HOSTILE_NCT = "NCT09999999"


def _store(records: list[TrialRecord]) -> EmbeddedStore:
    store = EmbeddedStore()
    store.replace_trials([map_record(r, ingested_at=FIXED_TIME) for r in records])
    return store


@pytest.fixture(scope="session")
def seed_store(seed_records: dict[str, TrialRecord]) -> EmbeddedStore:
    """An in-memory store of the five seed trials."""
    return _store(list(seed_records.values()))


@pytest.fixture(scope="session")
def hostile_store(seed_records: dict[str, TrialRecord]) -> EmbeddedStore:
    """The seed trials and a copy of seed 000 with a hostile title and its own NCT id."""
    hostile = dataclasses.replace(seed_records["000"], title=HOSTILE_TITLE, nct_id=HOSTILE_NCT)
    return _store([*seed_records.values(), hostile])
