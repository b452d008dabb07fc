"""Reader for ClinicalTrials.gov API v2 JSON: one study, a list, a page, or JSON Lines.

Documents are streamed with ijson, one study in memory at a time, so a page of a thousand
studies costs no more than one. Locations are ``index=N`` (0-based, as in the API's arrays)
for lists and pages, ``line=N`` (1-based) for JSON Lines and ``""`` for a one-study file.
"""

from __future__ import annotations

import io
import json
from functools import partial
from typing import TYPE_CHECKING, Any

import ijson

from trialgraph.records import (
    Intervention,
    MeshTerm,
    Outcome,
    OutcomeRole,
    RawRecord,
    ReadResult,
    RecordError,
    TrialRecord,
    raw_digest,
)
from trialgraph.sources.base import HEAD_BYTES, Document, Piece
from trialgraph.text import (
    MAX_FIELD_CHARS,
    clean,
    clean_line,
    decode,
    excerpt,
    intervention_type,
    iso_date,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import BinaryIO

FORMAT = "ctgov-json"
_START = frozenset({"start_map", "start_array"})
_END = frozenset({"end_map", "end_array"})


class _FieldTooLong(ValueError):
    pass


def detect_document(body: bytes) -> bool:
    """Whether a text input's start is that of a JSON document: a list or an object."""
    return body.startswith((b"[", b"{"))


def detect_lines(body: bytes) -> bool:
    """Whether a text input's start is that of JSON Lines: an object on the first line,
    and more text after it (a pretty-printed document's first line is no object)."""
    if not body.startswith(b"{"):
        return False
    first, newline, rest = body.partition(b"\n")
    if not (newline and rest.strip()):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def read(stream: BinaryIO, source: str, digest: str = "") -> Iterator[ReadResult]:
    """Stream the studies of one JSON document (a study, a list, or a ``studies`` page).

    ``digest`` is the raw digest of the whole document, which a one-study document's
    record carries.
    """
    _skip_bom(stream)
    index = 0
    shape = "document"  # becomes "list" or "page" once known: where an error is reported
    start = stream.tell()
    head = stream.read(256).lstrip()
    stream.seek(start)
    try:
        if head.startswith(b"["):
            # the common case: let ijson's C backend build each study
            shape = "list"
            for item in ijson.items(stream, "item", use_float=True):
                yield study_record(item, source, f"index={index}")
                index += 1
            return
        events = ijson.parse(stream, use_float=True)
        _, event, _ = next(events)
        if event == "start_map":
            other: dict[str, Any] = {}
            for key, (first, first_value) in _map_entries(events):
                if key == "studies" and first == "start_array":
                    shape = "page"
                    for item in _array_items(events):
                        yield study_record(item, source, f"index={index}")
                        index += 1
                else:
                    other[key] = _build(events, first, first_value)
            if shape != "page":
                yield study_record(other, source, "", digest)
        else:
            yield RecordError(source, "", "the JSON document is not a study, list or page")
    except (ijson.JSONError, StopIteration) as error:
        detail = str(error) or "the document ends early"
        if shape == "document":
            reason = f"the JSON document is malformed or breaks off ({detail})"
            yield RecordError(source, "", reason)
        else:
            reason = (
                f"the JSON breaks off or is malformed in study index={index} ({detail}); "
                f"the {index} studies before it were read"
            )
            yield RecordError(source, f"index={index}", reason)


#: A JSON document up to this size is read whole, so a one-study file (the registry's bulk
#: download holds one per study) can be compared by digest before it is parsed.
WHOLE_DOCUMENT_BYTES = 4 << 20


def read_document(stream: BinaryIO, source: str, head: bytes = b"") -> Iterator[Piece]:
    """:func:`read`, split: a document up to :data:`WHOLE_DOCUMENT_BYTES` is one
    :class:`~trialgraph.sources.base.Document`, hashed and not parsed yet.

    An object on a first line longer than ``head`` with more lines after it is JSON Lines
    whose first study did not fit the head; it is read as such.
    """
    if _long_first_line(head) and _has_second_line(stream):
        yield from read_lines(stream, source, head)
        return
    data = stream.read(WHOLE_DOCUMENT_BYTES + 1)
    if len(data) > WHOLE_DOCUMENT_BYTES:
        stream.seek(0)
        yield from read(stream, source)
        return
    yield Document(source, raw_digest(data.strip()), partial(_read_whole, data, source))


def _read_whole(data: bytes, source: str, digest: str) -> Iterator[ReadResult]:
    return read(io.BytesIO(data), source, digest)


def _long_first_line(head: bytes) -> bool:
    body = head.lstrip()
    return len(head) == HEAD_BYTES and body.startswith(b"{") and b"\n" not in body


def _has_second_line(stream: BinaryIO) -> bool:
    """Whether non-blank text follows the first line; scans in chunks, then rewinds."""
    try:
        while chunk := stream.read(1 << 20):
            _, newline, rest = chunk.partition(b"\n")
            if newline:
                while not rest.strip():
                    rest = stream.read(1 << 16)
                    if not rest:
                        return False
                return True
        return False
    finally:
        stream.seek(0)


def read_lines(stream: BinaryIO, source: str, head: bytes = b"") -> Iterator[Piece]:
    """Split JSON Lines: one study object per line, each a
    :class:`~trialgraph.records.RawRecord`; an overlong line is one error."""
    _skip_bom(stream)
    number = 0
    while line := stream.readline(MAX_FIELD_CHARS + 1):
        number += 1
        location = f"line={number}"
        if len(line) > MAX_FIELD_CHARS and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the overlong line without holding it
            yield RecordError(
                source,
                location,
                f"the line is longer than {MAX_FIELD_CHARS:,} bytes; it was not read",
                excerpt(decode(line[:400])),
            )
            continue
        line = line.strip()
        if line:
            parse = partial(_line_record, line, source, location)
            yield RawRecord(source, location, raw_digest(line), parse)


def _line_record(line: bytes, source: str, location: str, digest: str) -> ReadResult:
    try:
        study = json.loads(line)
    except ValueError as error:
        return RecordError(
            source,
            location,
            f"the line is not valid JSON: {error}",
            excerpt(decode(line[:400])),
        )
    return study_record(study, source, location, digest)


def _skip_bom(stream: BinaryIO) -> None:
    if stream.read(3) != b"\xef\xbb\xbf":
        stream.seek(0)


def _array_items(events: Iterator[tuple[str, str, Any]]) -> Iterator[Any]:
    """Build each element of the array whose ``start_array`` was just consumed."""
    for _, event, value in events:
        if event == "end_array":
            return
        yield _build(events, event, value)


def _map_entries(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, tuple[str, Any]]]:
    """Yield ``(key, first event of its value)`` for the map just opened; the consumer must
    consume the value's remaining events before asking for the next entry."""
    for _, event, value in events:
        if event == "end_map":
            return
        following = next(events, None)
        if following is None:
            raise ijson.IncompleteJSONError("the document ends after a key")
        yield value, (following[1], following[2])


def _build(events: Iterator[tuple[str, str, Any]], event: str, value: Any) -> Any:
    """Build the value that starts with ``(event, value)`` from the remaining events."""
    if event not in _START:
        return value
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        if event in _START:
            depth += 1
        elif event in _END:
            depth -= 1
            if not depth:
                break
    return builder.value


def _get(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, or ``None`` where a level is missing or not an object."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _str(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    if len(value) > MAX_FIELD_CHARS:
        raise _FieldTooLong(value)
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _lines(values: Any) -> tuple[str, ...]:
    cleaned = (clean_line(_str(v)) for v in _list(values))
    return tuple(v for v in cleaned if v)


def _meshes(module: Any) -> tuple[MeshTerm, ...]:
    terms = (
        MeshTerm(clean_line(_str(_get(m, "id"))), clean_line(_str(_get(m, "term"))))
        for m in _list(_get(module, "meshes"))
    )
    return tuple(t for t in terms if t.id or t.term)


def _outcomes(module: Any, key: str, role: OutcomeRole) -> list[Outcome]:
    return [
        Outcome(
            role,
            clean_line(_str(_get(o, "measure"))),
            clean(_str(_get(o, "description"))),
            clean_line(_str(_get(o, "timeFrame"))),
        )
        for o in _list(_get(module, key))
    ]


def _intervention(item: Any) -> Intervention:
    kind, raw_type = intervention_type(_str(_get(item, "type")))
    return Intervention(
        type=kind,
        name=clean_line(_str(_get(item, "name"))),
        description=clean(_str(_get(item, "description"))),
        other_names=_lines(_get(item, "otherNames")),
        raw_type=raw_type,
    )


def _site_countries(module: Any) -> tuple[str, ...]:
    """The country of each location of a ``contactsLocationsModule``, as written."""
    return tuple(
        clean_line(_str(_get(location, "country"))) for location in _list(_get(module, "locations"))
    )


def _collaborators(module: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of a sponsors module's collaborators and their classes, aligned."""
    pairs = [
        (clean_line(_str(_get(c, "name"))), clean_line(_str(_get(c, "class"))))
        for c in _list(_get(module, "collaborators"))
    ]
    named = [(name, cls) for name, cls in pairs if name]
    return tuple(n for n, _ in named), tuple(c for _, c in named)


def study_record(study: Any, source: str, location: str, digest: str = "") -> ReadResult:
    """Turn one API v2 study object into a :class:`TrialRecord` (or a :class:`RecordError`)
    carrying ``digest``, the raw digest of the bytes it was parsed from, if any."""
    protocol = _get(study, "protocolSection")
    if not isinstance(protocol, dict):
        return RecordError(
            source,
            location,
            "not a ClinicalTrials.gov study: it has no protocolSection",
            excerpt(json.dumps(study, ensure_ascii=False, default=str)[:400]),
        )
    try:
        return _study_record(study, protocol, source, location, digest)
    except _FieldTooLong as error:
        return RecordError(
            source,
            location,
            f"a field holds {len(error.args[0]):,} characters, more than the "
            f"{MAX_FIELD_CHARS:,} any registry field needs; the study was not read",
            excerpt(error.args[0]),
        )


def _study_record(
    study: Any, protocol: dict[str, Any], source: str, location: str, digest: str
) -> ReadResult:
    ident = protocol.get("identificationModule")
    title = clean_line(_str(_get(ident, "briefTitle"))) or clean_line(
        _str(_get(ident, "officialTitle"))
    )
    nct_id = clean_line(_str(_get(ident, "nctId"))) or None
    if not title:
        return RecordError(
            source,
            location,
            f"the study {nct_id or ''} has no briefTitle or officialTitle".replace("  ", " "),
        )
    status = protocol.get("statusModule")
    sponsors = protocol.get("sponsorCollaboratorsModule")
    description = protocol.get("descriptionModule")
    design = protocol.get("designModule")
    outcomes = protocol.get("outcomesModule")
    derived = _get(study, "derivedSection")
    other_ids = [_get(ident, "orgStudyIdInfo", "id")]
    other_ids += [_get(i, "id") for i in _list(_get(ident, "secondaryIdInfos"))]
    count = _get(design, "enrollmentInfo", "count")
    collaborators, collaborator_classes = _collaborators(sponsors)
    return TrialRecord(
        source=source,
        location=location,
        format=FORMAT,
        title=title,
        nct_id=nct_id,
        official_title=clean_line(_str(_get(ident, "officialTitle"))),
        acronym=clean_line(_str(_get(ident, "acronym"))),
        brief_summary=clean(_str(_get(description, "briefSummary"))),
        detailed_description=clean(_str(_get(description, "detailedDescription"))),
        conditions=_lines(_get(protocol, "conditionsModule", "conditions")),
        keywords=_lines(_get(protocol, "conditionsModule", "keywords")),
        mesh_conditions=_meshes(_get(derived, "conditionBrowseModule")),
        mesh_interventions=_meshes(_get(derived, "interventionBrowseModule")),
        interventions=tuple(
            _intervention(i)
            for i in _list(_get(protocol, "armsInterventionsModule", "interventions"))
        ),
        outcomes=(
            *_outcomes(outcomes, "primaryOutcomes", "primary"),
            *_outcomes(outcomes, "secondaryOutcomes", "secondary"),
            *_outcomes(outcomes, "otherOutcomes", "other"),
        ),
        phases=_lines(_get(design, "phases")),
        status=clean_line(_str(_get(status, "overallStatus"))),
        study_type=clean_line(_str(_get(design, "studyType"))),
        sponsor=clean_line(_str(_get(sponsors, "leadSponsor", "name"))),
        collaborators=collaborators,
        enrollment=int(count)
        if isinstance(count, (int, float)) and not isinstance(count, bool)
        else None,
        sponsor_class=clean_line(_str(_get(sponsors, "leadSponsor", "class"))),
        collaborator_classes=collaborator_classes if any(collaborator_classes) else (),
        enrollment_type=clean_line(_str(_get(design, "enrollmentInfo", "type"))),
        site_countries=_site_countries(protocol.get("contactsLocationsModule")),
        start_date=iso_date(_str(_get(status, "startDateStruct", "date"))),
        primary_completion_date=iso_date(_str(_get(status, "primaryCompletionDateStruct", "date"))),
        completion_date=iso_date(_str(_get(status, "completionDateStruct", "date"))),
        other_ids=tuple(i for i in (clean_line(_str(v)) for v in other_ids) if i),
        raw_digest=digest,
    )
