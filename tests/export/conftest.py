"""Stores for the export tests: the five seed trials, plus one whose text is hostile; and
the whole corpus, with a few copies of a record whose sponsors are spelt differently."""

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

#: A JSON record of the corpus: one phase, a collaborator, sites in six countries, an
#: actual enrollment and a completion date of a year and month.
JSON_TRIAL = "NCT02856893"
#: A CSV record of the corpus: two phases and sites in nine countries; Pfizer leads it.
CSV_TRIAL = "NCT03330405"
#: Copies of the JSON record under new ids: (id, lead sponsor as written, its class).
#: Pfizer leads seven corpus trials as "Pfizer"; the two Acme spellings tie.
SPONSOR_VARIANTS = (
    ("NCT90000001", "PFIZER INC.", "INDUSTRY"),
    ("NCT90000002", "Pfizer, Inc", "INDUSTRY"),
    ("NCT90000003", "Acme Biotech GmbH", "INDUSTRY"),
    ("NCT90000004", "ACME BIOTECH", "OTHER"),
)


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


def sponsor_variants(records: list[TrialRecord]) -> list[TrialRecord]:
    """The copies of :data:`JSON_TRIAL`'s record that :data:`SPONSOR_VARIANTS` describe."""
    (original,) = (r for r in records if r.nct_id == JSON_TRIAL)
    return [
        dataclasses.replace(original, nct_id=nct, sponsor=name, sponsor_class=cls)
        for nct, name, cls in SPONSOR_VARIANTS
    ]


@pytest.fixture(scope="session")
def corpus_store(corpus_records: list[TrialRecord]) -> EmbeddedStore:
    """The whole corpus (seeds, JSON and CSV records) and the sponsor variants."""
    return _store([*corpus_records, *sponsor_variants(corpus_records)])
