"""The ingest steps as plain functions: map a batch, load it, quarantine what failed.

The Prefect flow (:mod:`trialgraph.orchestration`) only batches records and calls these;
tests and notebooks call them directly. Accounting is exact: every record read is counted
once as loaded, unchanged or quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from trialgraph.coverage import Coverage
from trialgraph.mapping import MappedTrial, map_record
from trialgraph.records import RecordError, TrialRecord
from trialgraph.store import GraphStore

#: How much of a record's text goes into its quarantine entry.
EXCERPT_CHARS = 300


@dataclass
class MappedBatch:
    """A batch's mapped trials, the records that could not be mapped, and its coverage."""

    mapped: list[MappedTrial]
    errors: list[RecordError]
    coverage: Coverage


def map_batch(records: Sequence[TrialRecord], ingested_at: datetime) -> MappedBatch:
    """Map each record; a record whose mapping fails is quarantined, not fatal."""
    mapped: list[MappedTrial] = []
    errors: list[RecordError] = []
    coverage = Coverage()
    for record in records:
        try:
            trial = map_record(record, ingested_at=ingested_at)
        except Exception as exc:  # a bug or an unforeseen input: keep the rest of the batch
            errors.append(
                RecordError(
                    record.source,
                    record.location,
                    f"could not be mapped: {type(exc).__name__}: {exc}",
                    record.title[:EXCERPT_CHARS],
                )
            )
            continue
        mapped.append(trial)
        coverage.add(trial)
    return MappedBatch(mapped, errors, coverage)


@dataclass
class LoadCounts:
    loaded: int = 0
    unchanged: int = 0


class Loader:
    """Writes mapped batches to a store, writing nothing for unchanged records.

    The first load into an empty store takes the store's bulk path; after that, and for a
    trial met again later in the same run, each trial graph is replaced atomically.
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.first_load = store.trial_count() == 0
        self._written: dict[str, str] = {}  # trial id -> checksum written in this run

    def load(self, batch: Sequence[MappedTrial]) -> LoadCounts:
        counts = LoadCounts()
        latest: dict[str, MappedTrial] = {}
        superseded: dict[str, int] = {}  # earlier records of a trial met twice in the batch
        for trial in batch:  # the same trial twice in one batch: the later record wins
            if trial.trial_id in latest:
                superseded[trial.trial_id] = superseded.get(trial.trial_id, 0) + 1
            latest[trial.trial_id] = trial
        unseen = [t.graph for t in latest.values() if t.trial_id not in self._written]
        stored = {} if self.first_load or not unseen else self.store.checksums(unseen)
        fresh: list[MappedTrial] = []
        replace: list[MappedTrial] = []
        for trial in latest.values():
            previous = self._written.get(trial.trial_id) or stored.get(trial.graph.value)
            # a superseded record shares its winner's fate: written, or nothing written
            also = superseded.get(trial.trial_id, 0)
            if previous == trial.checksum:
                counts.unchanged += 1 + also
                continue
            if self.first_load and trial.trial_id not in self._written:
                fresh.append(trial)
            else:
                replace.append(trial)
            self._written[trial.trial_id] = trial.checksum
            counts.loaded += 1 + also
        if fresh:
            self.store.bulk_load([fresh])
        if replace:
            self.store.replace_trials(replace)
        return counts


class Quarantine:
    """Bad records, one JSON object a line: source, location, reason and an excerpt."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.reasons: dict[str, int] = {}
        self._file: IO[str] | None = None

    def add(self, errors: Sequence[RecordError]) -> None:
        for error in errors:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("w", encoding="utf-8")
            entry = {
                "source": error.source,
                "location": error.location,
                "reason": error.reason,
                "excerpt": error.excerpt[:EXCERPT_CHARS],
            }
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.count += 1
            kind = error.reason.split(":")[0][:80]
            self.reasons[kind] = self.reasons.get(kind, 0) + 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass
class IngestResult:
    """What an ingest run did; ``read == loaded + unchanged + quarantined`` always holds."""

    read: int = 0
    loaded: int = 0
    unchanged: int = 0
    quarantined: int = 0
    quads: int = 0
    trials_in_store: int = 0
    seconds: float = 0.0
    quarantine_path: str | None = None
    recovered: list[str] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """The lines ``trialgraph ingest`` prints."""
        rate = self.read / self.seconds if self.seconds else 0.0
        lines = [
            f"records read:        {self.read}",
            f"  loaded:            {self.loaded}",
            f"  unchanged:         {self.unchanged}",
            f"  quarantined:       {self.quarantined}",
            f"trials in store:     {self.trials_in_store}",
            f"quads in store:      {self.quads}",
            f"time:                {self.seconds:.1f} s ({rate:,.0f} records/s)",
        ]
        if self.coverage:
            c = self.coverage
            lines.append(
                f"coverage:            {c['outcomes_coded']:.0%} of outcomes coded, "
                f"{c['conditions_identified']:.0%} of conditions identified, "
                f"{c['trials_with_target']:.0%} of trials with a target "
                "(trialgraph coverage lists what is missing)"
            )
        if self.recovered:
            lines.append(
                f"recovered:           {len(self.recovered)} incomplete trial graphs "
                "from an interrupted run were dropped and reloaded"
            )
        if self.quarantine_path:
            lines.append(f"quarantine report:   {self.quarantine_path}")
        return "\n".join(lines)
