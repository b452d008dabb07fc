"""The ingest steps as plain functions: map a batch, load it, quarantine what failed.

The Prefect flow (:mod:`trialgraph.orchestration`) only batches records and calls these;
tests and notebooks call them directly. Accounting is exact: every record read is counted
once as loaded, unchanged or quarantined.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse, serialize

from trialgraph import heap, listings, summaries
from trialgraph.coverage import Coverage
from trialgraph.mapping import MappedTrial, map_record, trial_graph
from trialgraph.records import KnownDigests, KnownRecord, RawRecord, RecordError, TrialRecord
from trialgraph.store import GraphStore, TrialGraph
from trialgraph.summaries import Partial, Report, Tracker

#: How much of a record's text goes into its quarantine entry.
EXCERPT_CHARS = 300


@dataclass
class MappedBatch:
    """A batch's mapped trials, the records that could not be mapped, and its coverage."""

    mapped: list[MappedTrial]
    errors: list[RecordError]
    coverage: Coverage


def map_batch(records: Sequence[TrialRecord | RawRecord], ingested_at: datetime) -> MappedBatch:
    """Map each record; a record whose parsing or mapping fails is quarantined, not fatal.

    Each shared concept's description comes with the first trial of the batch that names it.
    """
    errors: list[RecordError] = []
    coverage = Coverage()
    mapped = listings.with_rows(list(_map_each(records, ingested_at, errors, coverage)))
    return MappedBatch(mapped, errors, coverage)


def _map_each(
    records: Iterable[TrialRecord | RawRecord],
    ingested_at: datetime,
    errors: list[RecordError],
    coverage: Coverage,
) -> Iterator[MappedTrial]:
    """Each record parsed if need be and mapped, in order; failures go to ``errors``,
    counts to ``coverage``."""
    described: set[object] = set()
    for item in records:
        record = item.parse() if isinstance(item, RawRecord) else item
        if isinstance(record, RecordError):
            errors.append(record)
            continue
        try:
            trial = map_record(record, ingested_at=ingested_at, described=described)
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
        coverage.add(trial.facts)
        yield trial


@dataclass
class EncodedBatch:
    """A mapped batch as N-Quads, to send from a worker process to the loading one.

    pyoxigraph terms pickle slowly, N-Quads bytes do not, and pyoxigraph parses them back
    in Rust. ``trials`` holds each :class:`~trialgraph.store.TrialGraph` but its quads:
    its graph IRI, checksum and number of quads, in the order its quads appear in the
    N-Quads; ``concepts`` holds the batch's concept quads, each once. The trials' N-Quads
    are either ``nquads`` or, when a worker shares a file system with the loading process,
    the file at ``path``: tens of megabytes a batch need not pass through a pipe and two
    pickles.
    """

    trials: list[tuple[str, str, int]]
    nquads: bytes
    concepts: bytes
    errors: list[RecordError]
    coverage: Coverage
    path: str | None = None
    #: the batch's summary groups (:func:`trialgraph.summaries.counted`), when asked for
    summaries: Partial | None = None

    @property
    def data(self) -> bytes | Path:
        """The trials' N-Quads: bytes, or the file holding them."""
        return Path(self.path) if self.path else self.nquads

    def discard(self) -> None:
        """Delete the file holding the N-Quads, if there is one, once they are loaded."""
        if self.path:
            Path(self.path).unlink(missing_ok=True)

    def decode(self) -> list[TrialGraph]:
        """The trials again; the batch's concept quads come with the first of them."""
        if self.path:
            quads = list(parse(path=self.path, format=RdfFormat.N_QUADS))
        else:
            quads = list(parse(self.nquads, format=RdfFormat.N_QUADS))
        concepts = list(parse(self.concepts, format=RdfFormat.N_QUADS))
        trials: list[TrialGraph] = []
        start = 0
        for graph, checksum, n in self.trials:
            trials.append(
                TrialGraph(NamedNode(graph), checksum, quads[start : start + n], concepts)
            )
            start += n
            concepts = []
        return trials


@cache
def _read_by(summarize: bool) -> frozenset[NamedNode]:
    """The predicates of a trial graph that its listing rows, and with ``summarize`` its
    summary groups, are counted from."""
    wanted = listings.read_predicates()
    return wanted | summaries.read_predicates() if summarize else wanted


def _nquads(quads: Iterable[Quad]) -> bytes:
    return serialize(quads, format=RdfFormat.N_QUADS) or b""


def map_encoded(
    records: Sequence[TrialRecord | RawRecord],
    ingested_at: datetime,
    spool: str | None = None,
    summarize: bool = False,
) -> EncodedBatch:
    """:func:`map_batch`, encoded for the trip back from a worker process.

    Each trial is encoded as soon as it is mapped, so a batch's quads are never all held
    as Python objects at once; what the listings (and the summaries) read of them goes to
    an in-memory store, where the batch's listing rows (:mod:`trialgraph.listings`) are
    counted to end each trial's N-Quads, and its summary groups. With
    ``spool`` (a directory the loading process can read) the N-Quads go to a new file there
    instead of into the returned batch. With ``summarize``, the batch's summary groups come
    too (a first load adds them up instead of scanning the store it loaded).
    """
    errors: list[RecordError] = []
    coverage = Coverage()
    # each trial's graph, checksum and N-Quads but its count, with that count's quad
    pieces: list[tuple[NamedNode, str, bytes, Quad, int]] = []
    concepts: list[Quad] = []
    # one in-memory store of what the listings (and the summaries) read of each trial's
    # latest record; a batch with a trial twice is not added up (Loader.load_encoded)
    memory = Store()
    wanted = _read_by(summarize)
    latest: dict[str, int] = {}  # each trial's last piece
    for trial in _map_each(records, ingested_at, errors, coverage):
        body, count = trial.quads[:-1], trial.quads[-1]
        if trial.graph.value in latest:  # the later record is the one stored
            memory.remove_graph(trial.graph)
        latest[trial.graph.value] = len(pieces)
        pieces.append((trial.graph, trial.checksum, _nquads(body), count, len(body)))
        memory.extend([q for q in body if q.predicate in wanted])
        concepts.extend(trial.concept_quads)
    concept_bytes = _nquads(dict.fromkeys(concepts))
    memory.load(concept_bytes, format=RdfFormat.N_QUADS)
    found = listings.rows(memory)
    groups = summaries.counted(memory) if summarize else None
    del memory
    trials: list[tuple[str, str, int]] = []
    with contextlib.ExitStack() as stack:
        path: str | None = None
        if spool is None:
            out: IO[bytes] = stack.enter_context(io.BytesIO())
        else:
            fd, path = tempfile.mkstemp(suffix=".nq", dir=spool)
            out = stack.enter_context(open(fd, "wb"))  # noqa: PTH123 (a descriptor)
        for i, (g, checksum, text, count, before) in enumerate(pieces):
            if latest[g.value] == i:
                tail = listings.ending(g, before, found.get(g.value, ()))
            else:  # superseded by a later record of the batch: stored from that one
                tail = [count]
            trials.append((g.value, checksum, before + len(tail)))
            out.write(text)
            out.write(_nquads(tail))
        nquads = out.getvalue() if isinstance(out, io.BytesIO) else b""
    return EncodedBatch(trials, nquads, concept_bytes, errors, coverage, path, groups)


@dataclass
class Triage:
    """A batch sorted before mapping: records to map, and counts of those that need not be."""

    todo: list[TrialRecord | RawRecord] = field(default_factory=list)
    unchanged: int = 0
    repeated: int = 0
    errors: list[RecordError] = field(default_factory=list)


def _fetch(
    lookup: Callable[[Sequence[NamedNode]], dict[str, str]], graphs: set[str]
) -> dict[str, str]:
    """``lookup`` (a store's per-graph values) for ``graphs``; no query for none."""
    return lookup([NamedNode(g) for g in sorted(graphs)]) if graphs else {}


class Loader:
    """Writes a run's batches to a store, skipping records whose trial is unchanged.

    :meth:`triage` runs before mapping, so unchanged records cost a checksum and nothing
    else, and records read before byte for byte (:attr:`known`) not even parsing;
    :meth:`load` writes what was mapped. The first load into an empty store takes the
    store's bulk path; after that, and for a trial met again later in the same run, each
    trial graph is replaced atomically. Concept quads already written in the run are not
    sent again.
    """

    def __init__(self, store: GraphStore, *, summarize: bool = True) -> None:
        self.store = store
        self.stored_trials = store.trial_count()
        self.first_load = self.stored_trials == 0
        #: keeps the store's summaries current (see :meth:`finish`)
        self.summary = Tracker(store, self.stored_trials) if summarize else None
        #: raw digests of the stored records, for :func:`trialgraph.sources.read_changed`
        self.known: KnownDigests = frozenset() if self.first_load else store.source_digests()
        # trial graph -> (checksum of its latest record so far, whether this run writes it)
        self._claimed: dict[str, tuple[str, bool]] = {}
        # stored raw digests of the trials this run writes: a record read later with one of
        # these is its trial's stored record coming back, and wins as the later record
        self._displaced: set[str] = set()
        self._loaded: set[str] = set()  # graph IRIs written in this run
        self._concepts: set[Quad] = set()  # concept quads written in this run
        # a first load's summary groups, added up from its batches while every batch
        # brings its own and holds trials new to the run (else the summaries are rebuilt)
        self._groups: Partial | None = {} if self.first_load else None

    def triage(self, records: Sequence[TrialRecord | KnownRecord | RawRecord]) -> Triage:
        """Which records to map and write; the others are unchanged or repeat this run's.

        On a first load nothing is stored: every record is mapped, raw records unparsed
        (they are parsed where they are mapped; a trial met twice is replaced by its later
        record when loaded). Otherwise raw records are parsed here. A
        :class:`KnownRecord` is unchanged, unless the run wrote its trial from another
        record earlier: then it is parsed, and treated as any other record. A record is
        unchanged when its checksum is that of the record stored for its trial before the
        run. A record equal to the latest record of its trial met earlier in the run shares
        that record's fate: unchanged, or written (``repeated``). Any other record is
        mapped and supersedes them: the later record of a trial wins.
        """
        triage = Triage()
        if self.first_load:  # no digests were fetched, so no record is a KnownRecord
            triage.todo.extend(r for r in records if not isinstance(r, KnownRecord))
            if len(triage.todo) != len(records):  # never silently lose a record
                raise ValueError("a first load met a record known from the store")
            return triage
        parsed: list[TrialRecord | KnownRecord] = []
        for item in records:
            record = item.parse() if isinstance(item, RawRecord) else item
            if isinstance(record, RecordError):
                triage.errors.append(record)
            else:
                parsed.append(record)
        graphs = {trial_graph(r.trial_id).value for r in parsed if isinstance(r, TrialRecord)}
        # the stored checksums of trials met for the first time, and the stored digests of
        # trials this batch may write (not written yet, so their stored record is the one
        # read before the run)
        stored = _fetch(self.store.checksums, graphs - self._claimed.keys())
        digests = _fetch(self.store.digests, {g for g in graphs if not self._writes(g)})
        for item in parsed:
            if isinstance(item, KnownRecord):
                if item.digest not in self._displaced:  # the stored record: it stays
                    triage.unchanged += 1  # (no claim: a later record compares with the store)
                    continue
                reparsed = item.parse()  # its trial was written from an earlier record
                if isinstance(reparsed, RecordError):
                    triage.errors.append(reparsed)
                    continue
                item = reparsed
            graph = trial_graph(item.trial_id).value
            claimed = self._claimed.get(graph)
            if claimed is None and graph in stored:
                claimed = (stored[graph], False)
            if claimed is not None and claimed[0] == item.checksum:
                if claimed[1]:
                    triage.repeated += 1
                else:
                    triage.unchanged += 1
                self._claimed[graph] = claimed
                continue
            self._claimed[graph] = (item.checksum, True)
            if graph in digests:
                self._displaced.add(digests[graph])
            triage.todo.append(item)
        return triage

    def _writes(self, graph: str) -> bool:
        """Whether this run writes the trial graph ``graph`` (so far)."""
        claimed = self._claimed.get(graph)
        return claimed is not None and claimed[1]

    def load_encoded(self, batch: EncodedBatch) -> int:
        """Write a batch as it came from a worker; returns the number of records it stands for.

        On a first load, a batch of trials new to the run goes to the store as N-Quads
        bytes, never becoming Python objects; otherwise it is decoded and :meth:`load` ed.
        """
        try:
            graphs = [graph for graph, _, _ in batch.trials]
            if not self.first_load or len(set(graphs)) < len(graphs) or self._loaded & set(graphs):
                return self.load(batch.decode())
            if self._groups is not None and batch.summaries is not None:
                summaries.merge(self._groups, batch.summaries)
            else:
                self._groups = None
            concepts = [
                q
                for q in parse(batch.concepts, format=RdfFormat.N_QUADS)
                if q not in self._concepts
            ]
            self._concepts.update(concepts)
            self._loaded.update(graphs)
            self.store.bulk_load_nquads(concepts, batch.data)
            return len(graphs)
        finally:
            batch.discard()
            heap.release()  # what the loader and the decoded batch held

    def load(self, batch: Sequence[TrialGraph]) -> int:
        """Write a batch of mapped trials; returns the number of records it stands for.

        A trial twice in the batch is written once, from its later record; both count.
        """
        self._groups = None  # the summaries of this run are rebuilt or updated, not added up
        latest: dict[str, TrialGraph] = {}
        for trial in batch:
            latest[trial.graph.value] = trial
        # every trial's concepts, a superseded one's too: a batch's concept descriptions
        # come with its first trial (EncodedBatch.decode), which a later record may replace
        concepts = list(
            dict.fromkeys(
                q for trial in batch for q in trial.concept_quads if q not in self._concepts
            )
        )
        self._concepts.update(concepts)
        fresh: list[TrialGraph] = []
        replace: list[TrialGraph] = []
        for iri, trial in latest.items():
            graph = TrialGraph(trial.graph, trial.checksum, trial.quads, ())
            (fresh if self.first_load and iri not in self._loaded else replace).append(graph)
            self._loaded.add(iri)
        # the concepts go with the first trial written, so that a complete trial graph
        # implies its concepts were written too
        first = fresh or replace
        if first and concepts:
            head = first[0]
            first[0] = TrialGraph(head.graph, head.checksum, head.quads, concepts)
        if fresh:
            self.store.bulk_load([fresh])
        if replace:
            graphs = [t.graph for t in replace]
            stored = self.store.stored_quads(graphs)  # read once, for both
            if self.summary is not None:
                self.summary.before(graphs, stored)
            self.store.replace_trials(replace, stored)
        if self.summary is not None:
            self.summary.wrote(fresh + replace)
        return len(batch)

    def finish(self) -> Report | None:
        """Bring the summaries up to date with what the run wrote (after its last load)."""
        if self.summary is None:
            return None
        if self._groups is not None and self._loaded:
            return summaries.write(self.store, self._groups)
        return self.summary.finish(NamedNode(g) for g in self._loaded)


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
    summaries: str = ""

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
        if self.summaries:
            lines.append(f"summaries:           {self.summaries}")
        if self.recovered:
            lines.append(
                f"recovered:           {len(self.recovered)} incomplete trial graphs "
                "from an interrupted run were dropped and reloaded"
            )
        if self.quarantine_path:
            lines.append(f"quarantine report:   {self.quarantine_path}")
        return "\n".join(lines)
