"""Typed, immutable trial records and the errors readers yield for bad input.

Every reader in :mod:`trialgraph.sources` turns its format into these types, so that
everything downstream (normalization, mapping, storage) sees one shape whatever the source.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, Literal

from trialgraph.fingerprint import graph_version

OutcomeRole = Literal["primary", "secondary", "other"]

#: ClinicalTrials.gov's intervention types (API v2 enumeration).
INTERVENTION_TYPES: frozenset[str] = frozenset(
    {
        "DRUG",
        "BIOLOGICAL",
        "DEVICE",
        "PROCEDURE",
        "RADIATION",
        "BEHAVIORAL",
        "GENETIC",
        "DIETARY_SUPPLEMENT",
        "COMBINATION_PRODUCT",
        "DIAGNOSTIC_TEST",
        "OTHER",
    }
)


@dataclass(frozen=True, slots=True)
class Intervention:
    """One intervention as the record states it.

    ``type`` is always one of :data:`INTERVENTION_TYPES`; when the source used a type outside
    that list, ``type`` is ``OTHER`` and ``raw_type`` keeps what was written.
    """

    type: str
    name: str
    description: str = ""
    other_names: tuple[str, ...] = ()
    raw_type: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome measure: its role and the three parts of its registry entry."""

    role: OutcomeRole
    measure: str
    description: str = ""
    time_frame: str = ""


@dataclass(frozen=True, slots=True)
class MeshTerm:
    """A MeSH browse term from a registry's derived section (``id`` is the descriptor UI)."""

    id: str
    term: str


class _Memo:
    """Values derived from a :class:`TrialRecord`'s fields, computed when first asked for.

    The record's fields never change, so a derived value never goes stale; each record gets
    its own memo (``dataclasses.replace`` and unpickling included), and pickling carries what
    it holds, so a record parsed in one process is not checksummed again in another.
    """

    __slots__ = ("checksum",)

    def __init__(self) -> None:
        self.checksum = ""


@dataclass(frozen=True, slots=True)
class TrialRecord:
    """One trial registry record, parsed and text-normalized but not yet interpreted.

    ``source`` is the path the record was read from and ``location`` where in that file
    (``""`` for one-record files, else ``row=N``, ``index=N`` or ``line=N``, 1-based for rows
    and lines, 0-based for JSON indexes as in the API's arrays). In a zip archive it names
    the member first: ``member=PATH``, or ``member=PATH;row=N`` for a record of a
    multi-record member (:mod:`trialgraph.sources.archive`).
    """

    source: str
    location: str
    format: str
    title: str
    nct_id: str | None = None
    official_title: str = ""
    acronym: str = ""
    brief_summary: str = ""
    detailed_description: str = ""
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mesh_conditions: tuple[MeshTerm, ...] = ()
    mesh_interventions: tuple[MeshTerm, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    phases: tuple[str, ...] = ()
    status: str = ""
    study_type: str = ""
    sponsor: str = ""
    collaborators: tuple[str, ...] = ()
    enrollment: int | None = None
    #: the lead sponsor's class as written (API v2 ``leadSponsor.class``, CSV Funder Type)
    sponsor_class: str = ""
    #: each collaborator's class, aligned with ``collaborators``; ``()`` where not given
    collaborator_classes: tuple[str, ...] = ()
    #: whether ``enrollment`` is the ``ACTUAL`` or the ``ESTIMATED`` count, as written
    enrollment_type: str = ""
    #: each site's country as written, where the record gives it as a field (API v2 JSON)
    site_countries: tuple[str, ...] = ()
    #: each site's location as one text, where the record gives only that (the CSV export:
    #: facility, city, state, postal code and country, joined by ``", "``)
    locations: tuple[str, ...] = ()
    start_date: str = ""
    primary_completion_date: str = ""
    completion_date: str = ""
    other_ids: tuple[str, ...] = ()
    #: digest of the raw bytes the record was parsed from (see :func:`raw_digest`), given by
    #: the reader that parses them; ``""`` for records read as part of a larger document
    raw_digest: str = field(default="", repr=False, compare=False)
    _memo: _Memo = field(default_factory=_Memo, init=False, repr=False, compare=False)

    @property
    def trial_id(self) -> str:
        """The trial's stable identifier: its NCT id, else one derived from its title.

        The derived id (``TG`` + 16 hex digits of a SHA-256 of the case- and space-folded
        title) survives renaming or moving the file and re-exporting the same record.

        >>> TrialRecord(source="a.txt", location="", format="plaintext", title="X").trial_id
        'TG2d711642b726b044'
        >>> TrialRecord(source="a", location="", format="f", title="X", nct_id="NCT1").trial_id
        'NCT1'
        """
        if self.nct_id:
            return self.nct_id
        folded = re.sub(r"\s+", " ", self.title).strip().casefold()
        return "TG" + hashlib.sha256(folded.encode()).hexdigest()[:16]

    @property
    def source_ref(self) -> str:
        """Base name of the source file, with ``#location`` for multi-record files."""
        name = re.split(r"[\\/]", self.source)[-1]
        return f"{name}#{self.location}" if self.location else name

    @property
    def checksum(self) -> str:
        """SHA-256 of the record's content and the graph version, independent of where the
        record was read from.

        Two exports of the same record under different file names have the same checksum,
        so re-ingesting a nightly export with a new name writes nothing. Triage and mapping
        both ask for it: it is computed once per record and kept in the record's memo.
        """
        memo = self._memo
        if not memo.checksum:
            memo.checksum = _content_checksum(self)
        return memo.checksum

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready data (tuples become lists)."""
        data: dict[str, Any] = _plain(self)
        data.pop("_memo")
        data.pop("raw_digest")
        return data


def _content_checksum(record: TrialRecord) -> str:
    """:attr:`TrialRecord.checksum`, computed from the ``repr`` of the content fields.

    Python's ``repr`` of strings, integers, tuples and the records' frozen dataclasses is
    exact and the same from run to run, and costs half of a JSON dump of the same fields.
    """
    content = repr(tuple(getattr(record, name) for name in _CONTENT_FIELDS))
    return hashlib.sha256(_version_tag() + content.encode()).hexdigest()


#: The fields a checksum covers: all but where and how the record was read.
_CONTENT_FIELDS = tuple(
    f.name
    for f in fields(TrialRecord)
    if f.name not in {"source", "location", "format", "raw_digest", "_memo"}
)


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies (half of a checksum's time):
    dataclasses become dicts, tuples lists; strings and numbers are shared."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    return value


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record (or a whole file) that could not be read, and why, in words a person reads.

    ``location`` follows :class:`TrialRecord`'s convention; ``""`` means the whole file.
    ``excerpt`` holds the start of the offending text where there is one.
    """

    source: str
    location: str
    reason: str
    excerpt: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.reason,
            "source": self.source,
            "location": self.location,
            "excerpt": self.excerpt,
        }

    def __str__(self) -> str:
        where = f"{self.source}#{self.location}" if self.location else self.source
        return f"{where}: {self.reason}"


ReadResult = TrialRecord | RecordError


@cache
def _version_tag() -> bytes:
    """The graph version (:func:`~trialgraph.fingerprint.graph_version`) as checksums fold it
    in: after a change to anything the mapping reads, the next run remaps every record once
    instead of keeping graphs of the old shape for unchanged records."""
    return f"trialgraph graph {graph_version()}\n".encode()


def raw_digest(*parts: bytes) -> str:
    """A digest of a record's raw bytes (its JSON line, its CSV row with the header) and
    the graph version.

    A record read again with the same digest parses to the same record and maps to the
    same graph, so a rerun can skip it without parsing.

    SHA-256, cut to 128 bits: every record a run reads is hashed, and SHA-256 runs on the
    processor's own instructions where it has them (twice BLAKE2b's pace on this project's
    benchmark machine). A change of algorithm needs no migration: this module is mapping
    code, so the graph version changes with it and every stored digest stops matching.

    >>> len(raw_digest(b'{"a": 1}')), raw_digest(b"a", b"b") == raw_digest(b"ab")
    (32, True)
    """
    digest = hashlib.sha256(_version_tag())
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:32]


#: Raw digests of the records stored with their trials (see :class:`KnownRecord`).
KnownDigests = AbstractSet[str]


@dataclass(frozen=True, slots=True)
class KnownRecord:
    """A record whose raw bytes are those of a record stored with its trial; not parsed.

    Its trial is unchanged, unless the run has written that trial from another record
    first: :class:`~trialgraph.pipeline.Loader` then knows ``digest`` as displaced, and
    ``parse`` parses the record after all, so that the later record of a trial wins.
    """

    source: str
    location: str
    digest: str
    parse: Callable[[], ReadResult] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record split from its input and hashed, but not parsed yet.

    Readers yield one for each record they can split without parsing it;
    :func:`trialgraph.sources.base.resolve` passes it on when its digest is not that of a
    stored record. Where to parse it is then the caller's choice: a first load parses records
    on the workers that map them, so that the process reading the files only splits and
    hashes them. ``reader`` parses the raw bytes into a record carrying the digest it is
    given; it is a :func:`functools.partial` of a module-level function, so a raw record
    pickles to a worker process with its bytes.
    """

    source: str
    location: str
    digest: str
    reader: Callable[[str], ReadResult] = field(repr=False, compare=False)

    def parse(self) -> ReadResult:
        """The parsed record, carrying :attr:`digest`, or the error that stopped it."""
        return self.reader(self.digest)
