"""Deterministic synthetic trial corpora, in the three input formats, for benchmarks.

Every generated trial is recombined from pieces of the real records bundled with the tests
(``tests/data``: ``seeds/*.txt`` plaintext, ``ctgov-json/nsclc-studies.json`` API v2 JSON,
``ctgov-csv/*.csv`` CSV export), so the pipeline meets the same mix of recognizable and
unrecognizable text, and the same field lengths, as in real input:

- **Templates** (one per real record): the title, official title, brief summary and
  detailed description, with the spans that name a target, a condition, one of the record's
  own products or its acronym turned into slots; and the record's counts of conditions,
  keywords, interventions and primary / secondary / other outcome measures. A generated
  trial takes one template, so the counts keep their real joint distribution.
- **Pools** the slots and lists are filled from: conditions (with the MeSH condition terms
  of the record they came from), keywords, interventions (type, name, description, other
  names, their MeSH terms), outcome measures by role (measure, description, time frame),
  target names found after the cues "anti-", "targeting", "CAR-", "-positive",
  "-mutant", "inhibitor", ... (plus :data:`EXTRA_TARGETS`), status and dates, sponsor and
  collaborators, study type / phases / enrollment, other ids. Pools keep duplicates, so
  frequent values stay frequent.
- **Filler** the readers ignore but real files carry (eligibility, locations, oversight,
  design details; the CSV's sex, age, design and locations cells) is copied whole from a
  real record, so file sizes and parse costs are realistic.

Each trial has the id ``NCT9`` + 7 digits of its index (no real NCT id starts with 9) and a
unique acronym (``KOTAR-17``) that its title carries, which makes titles unique too (the
plaintext layout has no id field: a plaintext record's id is derived from its title).

Trial ``i`` depends only on ``(seed, i)``; files are byte-identical for the same
``(n, seed, format)`` (and Python version). ``--change-fraction F --change-seed C``
produces the same corpus with exactly ``round(F * n)`` trials changed (a new time frame of
one outcome measure, or one more condition), chosen by ``C``; ids and titles never change.

Usage::

    python bench/generate.py --n 100000 --format json --seed 1 --out /tmp/bench/c-100k.jsonl
    python bench/generate.py --n 100000 --format json --seed 1 --out /tmp/bench/c-100k-1pc.jsonl \\
        --change-fraction 0.01 --change-seed 2
    python bench/generate.py --n 5000 --format csv --out /tmp/bench/c-5k.csv.gz
    python bench/generate.py --n 1000 --format plaintext --out /tmp/bench/c-1k/

JSON is written as JSON Lines, or as a ``{"studies": [...]}`` page for an ``--out`` ending
in ``.json`` (or with ``--json-layout page``); plaintext as one file per trial in
subdirectories of 1,000 files. An ``--out`` ending in ``.gz`` is gzip-compressed.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import queue
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

__all__ = [
    "CODE_PATTERN",
    "CSV_HEADER",
    "DATA_DIR",
    "MAX_N",
    "Corpus",
    "Format",
    "Trial",
    "Written",
    "acronym",
    "change",
    "changed_indices",
    "csv_row",
    "generate",
    "load_corpus",
    "main",
    "nct_id",
    "plaintext",
    "study_json",
    "trials",
    "write_corpus",
]

#: The bundled real records the pieces are taken from.
DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
#: Ids are ``NCT9`` + 7 digits, so at most this many trials.
MAX_N = 10_000_000
Format = Literal["json", "csv", "plaintext"]
FORMATS: tuple[Format, ...] = ("json", "csv", "plaintext")

#: The ClinicalTrials.gov CSV export's columns, in its order (``ctg-studies.csv``).
CSV_HEADER = (
    "NCT Number",
    "Study Title",
    "Study URL",
    "Acronym",
    "Study Status",
    "Brief Summary",
    "Study Results",
    "Conditions",
    "Interventions",
    "Primary Outcome Measures",
    "Secondary Outcome Measures",
    "Other Outcome Measures",
    "Sponsor",
    "Collaborators",
    "Sex",
    "Age",
    "Phases",
    "Enrollment",
    "Funder Type",
    "Study Type",
    "Study Design",
    "Other IDs",
    "Start Date",
    "Primary Completion Date",
    "Completion Date",
    "First Posted",
    "Results First Posted",
    "Last Update Posted",
    "Locations",
    "Study Documents",
)
_CSV_FILLER = ("Sex", "Age", "Study Design", "Locations")
_JSON_FILLER = (
    "oversightModule",
    "eligibilityModule",
    "contactsLocationsModule",
    "referencesModule",
    "ipdSharingStatementModule",
)

#: Targets often named in cell-therapy and antibody trials that the bundled records lack
#: (they are mostly NSCLC and prostate trials); sampled alongside the targets found there.
EXTRA_TARGETS = (
    "CD19",
    "BCMA",
    "GPC3",
    "GD2",
    "B7-H3",
    "mesothelin",
    "MUC1",
    "CLDN18.2",
    "claudin 18.2",
    "NKG2D",
    "CD70",
    "ROR1",
    "CEA",
    "PSMA",
    "EpCAM",
    "DLL3",
    "TROP2",
    "c-Met",
    "HER2",
    "CD22",
)
# Tokens the target cues catch that are not targets: products, imaging, mutation classes.
_NOT_TARGETS = frozenset({"U87", "MRI", "PACC", "CAR", "TKI", "TKIS", "NSCLC", "PET", "CT", "ADT"})
_TOKEN = r"[A-Za-z0-9]+(?:[/-][A-Za-z0-9]+|\.\d+)*"
_TARGET_CUE = re.compile(
    rf"\banti-({_TOKEN})|\btargeting ({_TOKEN})|\bCAR-({_TOKEN})|\bagainst ({_TOKEN})"
    rf"|\b({_TOKEN})[- ](?:positive|negative|mutant|mutated|mutations?|inhibitors?|targeted"
    r"|directed|specific|expressing|TKIs?|CAR)\b",
    re.IGNORECASE,
)
_LOWER_SUFFIX = re.compile(r"-[a-z]+$")
_LOWER_ISOFORM = re.compile(r"[a-z]{4,}\d+(?:\.\d+)?")
_GENERIC_PRODUCT = re.compile(
    r"(?:placebo|chemotherapy|radiotherapy|radiation|surgery|control|standard of care)",
    re.IGNORECASE,
)
_ONE_PLAIN_WORD = re.compile(r"[A-Z]?[a-z]+")
_US_DATE = re.compile(r"(\d{1,2})/(?:(\d{1,2})/)?(\d{4})")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_OUTCOME_COMMA = re.compile(r",\s+")

# Acronyms: consonant, vowel, consonant, vowel, consonant, a number. 15**3 * 5**2 words
# times 120 numbers is more than MAX_N, and an affine map of the index onto them is
# one-to-one. No C, so that "COVID-19" is no acronym.
_CONSONANTS = "BDFGHKLMNPRSTVZ"
_VOWELS = "AEIOU"
_WORDS = 15 * 5 * 15 * 5 * 15
_CODES = _WORDS * 120
_CODE_STEP = 7_919 * 13  # coprime to _CODES (whose prime factors are 2, 3 and 5)
#: What a generated acronym looks like; no text of the bundled records matches it, so a
#: title holds exactly one such token, the trial's own.
CODE_PATTERN = re.compile(r"\b(?:[BDFGHKLMNPRSTVZ][AEIOU]){2}[BDFGHKLMNPRSTVZ]-\d+\b")


# --- pieces -------------------------------------------------------------------------------

Mesh = tuple[str, str]  # (MeSH descriptor id, term)
SlotKind = Literal["target", "condition", "product", "acronym"]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Outcome:
    measure: str
    description: str = ""
    time_frame: str = ""


@dataclass(frozen=True, slots=True)
class Intervention:
    type: str
    name: str
    description: str = ""
    other_names: tuple[str, ...] = ()
    meshes: tuple[Mesh, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    meshes: tuple[Mesh, ...] = ()  # the MeSH condition terms of the record it came from


@dataclass(frozen=True, slots=True)
class Status:
    """One record's status and dates, kept together so that they agree."""

    overall: str
    start: str = ""
    primary_completion: str = ""
    completion: str = ""
    first_posted: str = ""
    last_update: str = ""


@dataclass(frozen=True, slots=True)
class Sponsor:
    name: str
    kind: str  # funder class: INDUSTRY, OTHER, NIH, ...
    collaborators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Design:
    study_type: str
    phases: tuple[str, ...] = ()
    enrollment: int | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """A span of template text to fill: the ``index``-th target, condition or product, or
    the acronym; ``original`` is used where the trial has no ``index``-th value."""

    kind: SlotKind
    index: int
    original: str


Text = tuple[str | Slot, ...]
Outcomes = tuple[tuple[Outcome, ...], tuple[Outcome, ...], tuple[Outcome, ...]]  # by role


@dataclass(frozen=True, slots=True)
class Template:
    """A real record's texts with slots, and its counts of list items."""

    title: Text
    official_title: Text
    summary: Text
    description: Text
    targets: int
    conditions: int
    keywords: int
    interventions: int
    outcomes: tuple[int, int, int]  # primary, secondary, other


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything generation samples from (see the module docstring)."""

    templates: tuple[Template, ...]
    conditions: tuple[Condition, ...]
    keywords: tuple[str, ...]
    interventions: tuple[Intervention, ...]
    outcomes: Outcomes
    time_frames: tuple[str, ...]
    targets: tuple[str, ...]
    statuses: tuple[Status, ...]
    sponsors: tuple[Sponsor, ...]
    designs: tuple[Design, ...]
    other_ids: tuple[tuple[str, ...], ...]
    json_fillers: tuple[dict[str, Any], ...]
    csv_fillers: tuple[dict[str, str], ...]


@dataclass(frozen=True, slots=True)
class Trial:
    """One generated trial, independent of the format it is written in."""

    index: int
    nct_id: str
    acronym: str
    title: str
    official_title: str
    summary: str
    description: str
    conditions: tuple[Condition, ...]
    keywords: tuple[str, ...]
    interventions: tuple[Intervention, ...]
    outcomes: Outcomes
    status: Status
    sponsor: Sponsor
    design: Design
    other_ids: tuple[str, ...]
    filler: float  # picks the filler record, in [0, 1)


# --- reading the real records -------------------------------------------------------------


@dataclass(slots=True)
class _Source:
    """One real record, read into pieces (format-specific parts kept as filler)."""

    title: str
    official_title: str = ""
    acronym: str = ""
    summary: str = ""
    description: str = ""
    conditions: list[Condition] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    outcomes: tuple[list[Outcome], list[Outcome], list[Outcome]] = field(
        default_factory=lambda: ([], [], [])
    )
    status: Status | None = None
    sponsor: Sponsor | None = None
    design: Design | None = None
    other_ids: tuple[str, ...] = ()
    json_filler: dict[str, Any] | None = None
    csv_filler: dict[str, str] | None = None


def _item(text: Any) -> str:
    """One list item or one-line field: a ``|`` would split it, a line break end it."""
    if not isinstance(text, str):
        return ""
    return _LINE_BREAKS.sub(" ", text.replace("|", "/")).strip()


def _para(text: Any) -> str:
    """A description: line breaks kept, ``|`` replaced (it separates outcomes in a cell)."""
    return text.replace("|", "/").strip() if isinstance(text, str) else ""


def _iso(text: str) -> str:
    """A US date of the older CSV exports (``9/15/2021``, ``1/2019``) in ISO form."""
    m = _US_DATE.fullmatch(text.strip())
    if not m:
        return text.strip()
    month, day, year = int(m[1]), m[2], m[3]
    return f"{year}-{month:02d}-{int(day):02d}" if day else f"{year}-{month:02d}"


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _meshes(module: Any) -> tuple[Mesh, ...]:
    return tuple(
        (m["id"], m["term"])
        for m in _list(_get(module, "meshes"))
        if isinstance(m.get("id"), str) and isinstance(m.get("term"), str)
    )


def _json_outcomes(module: Any, key: str) -> list[Outcome]:
    outcomes = (
        Outcome(_item(o.get("measure")), _para(o.get("description")), _item(o.get("timeFrame")))
        for o in _list(_get(module, key))
        if isinstance(o, dict)
    )
    return [o for o in outcomes if o.measure]


def _json_intervention(item: dict[str, Any], meshes: tuple[Mesh, ...]) -> Intervention:
    name = _item(item.get("name"))
    others = tuple(n for n in map(_item, _list(item.get("otherNames"))) if n)
    said = " ".join((name, *others)).casefold()
    return Intervention(
        type=_item(item.get("type")) or "OTHER",
        name=name,
        description=_para(item.get("description")),
        other_names=others,
        meshes=tuple(m for m in meshes if m[1].casefold() in said),
    )


def _from_json(study: dict[str, Any]) -> _Source:
    protocol = study.get("protocolSection", {})
    ident, status = protocol.get("identificationModule", {}), protocol.get("statusModule", {})
    sponsors, design = protocol.get("sponsorCollaboratorsModule", {}), protocol.get("designModule")
    outcomes = protocol.get("outcomesModule")
    condition_meshes = _meshes(_get(study, "derivedSection", "conditionBrowseModule"))
    intervention_meshes = _meshes(_get(study, "derivedSection", "interventionBrowseModule"))
    filler: dict[str, Any] = {k: protocol[k] for k in _JSON_FILLER if k in protocol}
    filler["designInfo"] = _get(design, "designInfo")
    filler["responsibleParty"] = _get(sponsors, "responsibleParty")
    other_ids = [_get(ident, "orgStudyIdInfo", "id")]
    other_ids += [_get(i, "id") for i in _list(ident.get("secondaryIdInfos"))]
    count = _get(design, "enrollmentInfo", "count")
    return _Source(
        title=_item(ident.get("briefTitle")),
        official_title=_item(ident.get("officialTitle")),
        acronym=_item(ident.get("acronym")),
        summary=_para(_get(protocol, "descriptionModule", "briefSummary")),
        description=_para(_get(protocol, "descriptionModule", "detailedDescription")),
        conditions=[
            Condition(c, condition_meshes)
            for c in map(_item, _list(_get(protocol, "conditionsModule", "conditions")))
            if c
        ],
        keywords=[
            k for k in map(_item, _list(_get(protocol, "conditionsModule", "keywords"))) if k
        ],
        interventions=[
            i
            for i in (
                _json_intervention(item, intervention_meshes)
                for item in _list(_get(protocol, "armsInterventionsModule", "interventions"))
                if isinstance(item, dict)
            )
            if i.name
        ],
        outcomes=(
            _json_outcomes(outcomes, "primaryOutcomes"),
            _json_outcomes(outcomes, "secondaryOutcomes"),
            _json_outcomes(outcomes, "otherOutcomes"),
        ),
        status=Status(
            overall=_item(status.get("overallStatus")),
            start=_item(_get(status, "startDateStruct", "date")),
            primary_completion=_item(_get(status, "primaryCompletionDateStruct", "date")),
            completion=_item(_get(status, "completionDateStruct", "date")),
            first_posted=_item(_get(status, "studyFirstPostDateStruct", "date")),
            last_update=_item(_get(status, "lastUpdatePostDateStruct", "date")),
        ),
        sponsor=Sponsor(
            name=_item(_get(sponsors, "leadSponsor", "name")),
            kind=_item(_get(sponsors, "leadSponsor", "class")) or "OTHER",
            collaborators=tuple(
                n
                for n in (_item(_get(c, "name")) for c in _list(sponsors.get("collaborators")))
                if n
            ),
        ),
        design=Design(
            study_type=_item(_get(design, "studyType")),
            phases=tuple(p for p in map(_item, _list(_get(design, "phases"))) if p),
            enrollment=count if isinstance(count, int) and not isinstance(count, bool) else None,
        ),
        other_ids=tuple(i for i in map(_item, other_ids) if i),
        json_filler=filler,
    )


def _split_outcome(text: str) -> Outcome:
    """``measure, description, time frame`` -> its parts: the measure is the first
    comma-separated part, the time frame the last (with the parts before it that continue
    it in lower case, "Through study completion, an average of 2 years")."""
    cuts = list(_OUTCOME_COMMA.finditer(text))
    if not cuts:
        return Outcome(_item(text))
    if len(cuts) == 1:
        return Outcome(_item(text[: cuts[0].start()]), "", _item(text[cuts[0].end() :]))
    k = len(cuts) - 1
    while k > 1 and text[cuts[k].end() : cuts[k].end() + 1].islower():
        k -= 1
    return Outcome(
        _item(text[: cuts[0].start()]),
        _para(text[cuts[0].end() : cuts[k].start()]),
        _item(text[cuts[k].end() :]),
    )


def _packed_outcomes(cell: str) -> list[Outcome]:
    outcomes = (_split_outcome(piece) for piece in cell.split("|") if piece.strip())
    return [o for o in outcomes if o.measure]


def _packed_intervention(text: str) -> Intervention:
    kind, colon, name = text.partition(":")
    if colon and re.fullmatch(r"[A-Z_]+", kind.strip()):
        return Intervention(kind.strip(), _item(name))
    return Intervention("OTHER", _item(text))


def _packed_interventions(cell: str) -> list[Intervention]:
    return [i for i in map(_packed_intervention, cell.split("|")) if i.name]


def _split_cell(cell: str) -> tuple[str, ...]:
    return tuple(v for v in map(_item, cell.split("|")) if v)


def _from_csv(row: dict[str, str]) -> _Source:
    def cell(name: str) -> str:
        return row.get(name) or ""

    enrollment = cell("Enrollment").strip()
    return _Source(
        title=_item(cell("Study Title")),
        acronym=_item(cell("Acronym")),
        summary=_para(cell("Brief Summary")),
        conditions=[Condition(c) for c in _split_cell(cell("Conditions"))],
        interventions=_packed_interventions(cell("Interventions")),
        outcomes=(
            _packed_outcomes(cell("Primary Outcome Measures")),
            _packed_outcomes(cell("Secondary Outcome Measures")),
            _packed_outcomes(cell("Other Outcome Measures")),
        ),
        status=Status(
            overall=_item(cell("Study Status")),
            start=_iso(cell("Start Date")),
            primary_completion=_iso(cell("Primary Completion Date")),
            completion=_iso(cell("Completion Date")),
            first_posted=_iso(cell("First Posted")),
            last_update=_iso(cell("Last Update Posted")),
        ),
        sponsor=Sponsor(
            _item(cell("Sponsor")),
            _item(cell("Funder Type")) or "OTHER",
            _split_cell(cell("Collaborators")),
        ),
        design=Design(
            _item(cell("Study Type")),
            _split_cell(cell("Phases")),
            int(enrollment) if enrollment.isdigit() else None,
        ),
        other_ids=_split_cell(cell("Other IDs")),
        csv_filler={name: cell(name) for name in _CSV_FILLER},
    )


def _from_plaintext(text: str) -> _Source:
    lines = text.replace("\r\n", "\n").split("\n")
    fields = lines[:6] + [""] * (6 - len(lines[:6]))
    return _Source(
        title=_item(fields[0]),
        summary=_item(fields[1]),
        conditions=[Condition(c) for c in _split_cell(fields[2])],
        interventions=_packed_interventions(fields[3]),
        outcomes=(_packed_outcomes(fields[4]), _packed_outcomes(fields[5]), []),
        description=_para("\n".join(lines[6:])),
    )


def _read_sources(data_dir: Path) -> list[_Source]:
    """The bundled records, in a fixed order, each trial once."""
    sources: list[_Source] = []
    for path in sorted((data_dir / "seeds").glob("*.txt")):
        sources.append(_from_plaintext(path.read_text(encoding="utf-8")))
    for path in sorted((data_dir / "ctgov-json").glob("*.json")):
        studies = json.loads(path.read_text(encoding="utf-8"))
        sources.extend(_from_json(s) for s in _list(studies) if isinstance(s, dict))
    seen: set[str] = set()
    for path in sorted((data_dir / "ctgov-csv").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as stream:
            for row in csv.DictReader(stream):
                nct = row.get("NCT Number") or ""
                if nct not in seen:
                    seen.add(nct)
                    sources.append(_from_csv(row))
    return [s for s in sources if s.title]


# --- templates ----------------------------------------------------------------------------


def _target_names(texts: Iterable[str]) -> list[str]:
    """Target names after a cue ("anti-X", "X-positive", ...), in order of first use."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _TARGET_CUE.finditer(text):
            token = _LOWER_SUFFIX.sub("", next(g for g in match.groups() if g))
            upper, digits = sum(c.isupper() for c in token), any(c.isdigit() for c in token)
            if token.upper() in _NOT_TARGETS:
                continue
            if upper >= 2 or (upper and digits) or _LOWER_ISOFORM.fullmatch(token):
                found.setdefault(token)
    return list(found)


def _alternation(phrases: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    unique = sorted(set(phrases), key=lambda p: (-len(p), p))
    if not unique:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, unique)) + r")(?!\w)", flags)


def _condition_phrases(sources: Sequence[_Source]) -> re.Pattern[str] | None:
    """Conditions worth swapping where a text names them: not one plain word ("Cancer")."""
    names = {c.name for s in sources for c in s.conditions}
    return _alternation(
        (n for n in names if len(n) >= 4 and not _ONE_PLAIN_WORD.fullmatch(n)), re.IGNORECASE
    )


@dataclass(slots=True)
class _SlotFinder:
    """Turns one record's texts into template texts, numbering slots across them."""

    patterns: list[tuple[SlotKind, re.Pattern[str]]]
    numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def text(self, text: str) -> Text:
        spans: list[tuple[int, int, SlotKind]] = []
        for kind, pattern in self.patterns:
            spans.extend((m.start(), m.end(), kind) for m in pattern.finditer(text))
        spans.sort(key=lambda s: (s[0], s[0] - s[1]))
        parts: list[str | Slot] = []
        position = 0
        for start, end, kind in spans:
            if start < position:
                continue  # overlaps a longer or earlier span
            if start > position:
                parts.append(text[position:start])
            parts.append(self._slot(kind, text[start:end]))
            position = end
        if position < len(text):
            parts.append(text[position:])
        return tuple(parts)

    def _slot(self, kind: SlotKind, span: str) -> Slot:
        key = (kind, span if kind == "target" else span.casefold())
        if key not in self.numbers:
            self.numbers[key] = self.counts.get(kind, 0)
            self.counts[kind] = self.numbers[key] + 1
        return Slot(kind, self.numbers[key], span)


def _specific_product(name: str) -> bool:
    """Whether a product name is worth a slot: not short, not "Placebo" or "Chemotherapy"."""
    return len(name) >= 4 and not _GENERIC_PRODUCT.fullmatch(name)


def _template(
    source: _Source, targets: re.Pattern[str] | None, conditions: re.Pattern[str] | None
) -> Template:
    names = (i.name for i in source.interventions)
    candidates: list[tuple[SlotKind, re.Pattern[str] | None]] = [
        ("acronym", _alternation([source.acronym] if len(source.acronym) >= 3 else [])),
        ("product", _alternation((n for n in names if _specific_product(n)), re.IGNORECASE)),
        ("target", targets),
        ("condition", conditions),
    ]
    finder = _SlotFinder([(kind, p) for kind, p in candidates if p is not None])
    return Template(
        title=finder.text(source.title),
        official_title=finder.text(source.official_title),
        summary=finder.text(source.summary),
        description=finder.text(source.description),
        targets=finder.counts.get("target", 0),
        conditions=len(source.conditions),
        keywords=len(source.keywords),
        interventions=len(source.interventions),
        outcomes=(len(source.outcomes[0]), len(source.outcomes[1]), len(source.outcomes[2])),
    )


@lru_cache(maxsize=4)
def load_corpus(data_dir: Path = DATA_DIR) -> Corpus:
    """Read the real records under ``data_dir`` into templates and pools."""
    sources = _read_sources(data_dir)
    if not sources:
        raise FileNotFoundError(f"no records under {data_dir}")
    texts = (t for s in sources for t in (s.title, s.official_title, s.summary, s.description))
    names = (i.name for s in sources for i in s.interventions)
    learned = _target_names((*texts, *names))
    target_slots = _alternation((*learned, *EXTRA_TARGETS))
    condition_slots = _condition_phrases(sources)
    primary, secondary, other = (
        tuple(o for s in sources for o in s.outcomes[role]) for role in range(3)
    )
    return Corpus(
        templates=tuple(_template(s, target_slots, condition_slots) for s in sources),
        conditions=tuple(c for s in sources for c in s.conditions),
        keywords=tuple(k for s in sources for k in s.keywords),
        interventions=tuple(i for s in sources for i in s.interventions),
        outcomes=(primary, secondary, other),
        time_frames=tuple(
            dict.fromkeys(o.time_frame for o in (*primary, *secondary, *other) if o.time_frame)
        ),
        targets=tuple(dict.fromkeys((*learned, *EXTRA_TARGETS))),
        statuses=tuple(s.status for s in sources if s.status and s.status.overall),
        sponsors=tuple(s.sponsor for s in sources if s.sponsor and s.sponsor.name),
        designs=tuple(s.design for s in sources if s.design and s.design.study_type),
        other_ids=tuple(s.other_ids for s in sources if s.other_ids),
        json_fillers=tuple(s.json_filler for s in sources if s.json_filler is not None),
        csv_fillers=tuple(s.csv_filler for s in sources if s.csv_filler is not None),
    )


# --- generating trials --------------------------------------------------------------------


def nct_id(index: int) -> str:
    """``NCT9`` + 7 digits: never a real ClinicalTrials.gov id."""
    return f"NCT9{index:07d}"


def acronym(seed: int, index: int) -> str:
    """A unique pronounceable acronym per index (for a given seed), e.g. ``KOTAR-17``."""
    code = (index * _CODE_STEP + seed * 1_000_003) % _CODES
    word, number = code % _WORDS, code // _WORDS + 1
    letters = []
    for alphabet in (_CONSONANTS, _VOWELS, _CONSONANTS, _VOWELS, _CONSONANTS):
        word, digit = divmod(word, len(alphabet))
        letters.append(alphabet[digit])
    return f"{''.join(letters)}-{number}"


def _fill(text: Text, values: dict[str, Sequence[str]]) -> str:
    out: list[str] = []
    for part in text:
        if isinstance(part, str):
            out.append(part)
        else:
            options = values[part.kind]
            out.append(options[part.index] if part.index < len(options) else part.original)
    return "".join(out)


def _distinct(
    rng: random.Random, pool: Sequence[_T], k: int, key: Callable[[_T], str]
) -> tuple[_T, ...]:
    """``k`` items of ``pool`` (weighted by repetition) with distinct keys, as far as it has."""
    chosen: dict[str, _T] = {}
    for _ in range(4 * k + 8):
        if len(chosen) >= k or not pool:
            break
        item = rng.choice(pool)
        chosen.setdefault(key(item).casefold(), item)
    return tuple(chosen.values())


def generate(corpus: Corpus, seed: int, index: int) -> Trial:
    """Trial ``index`` of the corpus with ``seed``: depends on nothing else."""
    rng = random.Random(f"trialgraph-bench:{seed}:{index}")
    template = rng.choice(corpus.templates)
    conditions = _distinct(rng, corpus.conditions, max(1, template.conditions), lambda c: c.name)
    interventions = _distinct(rng, corpus.interventions, template.interventions, lambda i: i.name)

    def measures(role: int) -> tuple[Outcome, ...]:
        pool, k = corpus.outcomes[role], template.outcomes[role]
        return _distinct(rng, pool, k, lambda o: o.measure)

    outcomes = (measures(0), measures(1), measures(2))
    code = acronym(seed, index)
    values: dict[str, Sequence[str]] = {
        "target": [rng.choice(corpus.targets) for _ in range(template.targets)],
        "condition": [c.name for c in conditions],
        "product": [i.name for i in interventions],
        "acronym": [code],
    }
    title = _fill(template.title, values)
    if code not in title:
        title = f"{title} ({code})" if rng.random() < 0.8 else f"{code}: {title}"
    return Trial(
        index=index,
        nct_id=nct_id(index),
        acronym=code,
        title=title,
        official_title=_fill(template.official_title, values),
        summary=_fill(template.summary, values),
        description=_fill(template.description, values),
        conditions=conditions,
        keywords=_distinct(rng, corpus.keywords, template.keywords, str),
        interventions=interventions,
        outcomes=outcomes,
        status=rng.choice(corpus.statuses),
        sponsor=rng.choice(corpus.sponsors),
        design=rng.choice(corpus.designs),
        other_ids=rng.choice(corpus.other_ids),
        filler=rng.random(),
    )


# --- changing a fraction of them ----------------------------------------------------------


def changed_indices(n: int, fraction: float, change_seed: int) -> Callable[[int], bool]:
    """Whether index ``i < n`` is changed: exactly ``round(fraction * n)`` of them are.

    An affine permutation of ``range(n)`` chosen by ``change_seed`` ranks the indexes; the
    lowest ranks change. Constant memory, spread over the whole corpus.

    >>> pick = changed_indices(1000, 0.01, 7)
    >>> sum(pick(i) for i in range(1000))
    10
    """
    k = round(fraction * n)
    if k <= 0 or n <= 0:
        return lambda index: False
    rng = random.Random(f"trialgraph-bench-change:{change_seed}:{n}")
    step = rng.randrange(1, n) if n > 1 else 1
    while math.gcd(step, n) != 1:
        step = rng.randrange(1, n)
    offset = rng.randrange(n)
    return lambda index: (index * step + offset) % n < k


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _other(rng: random.Random, pool: Sequence[str], avoid: set[str]) -> str | None:
    """A value of ``pool`` that is none of ``avoid`` (compared folded), if one turns up."""
    for _ in range(100):
        value = rng.choice(pool)
        if _folded(value) not in avoid:
            return value
    return None


def _new_time_frame(corpus: Corpus, trial: Trial, rng: random.Random) -> Trial:
    place = rng.choice([(r, i) for r in range(3) for i in range(len(trial.outcomes[r]))])
    old = trial.outcomes[place[0]][place[1]]
    time_frame = _other(rng, corpus.time_frames, {_folded(old.time_frame)})
    new = replace(old, time_frame=time_frame or f"{old.time_frame} (amended)".lstrip())
    roles = [
        tuple(new if (r, i) == place else o for i, o in enumerate(outcomes))
        for r, outcomes in enumerate(trial.outcomes)
    ]
    return replace(trial, outcomes=(roles[0], roles[1], roles[2]))


def _added_condition(corpus: Corpus, trial: Trial, rng: random.Random) -> Trial:
    names = [c.name for c in corpus.conditions]
    name = _other(rng, names, {_folded(c.name) for c in trial.conditions})
    condition = corpus.conditions[names.index(name)] if name else Condition("Recurrent Disease")
    return replace(trial, conditions=(*trial.conditions, condition))


def change(corpus: Corpus, trial: Trial, change_seed: int) -> Trial:
    """The trial with one change: a new time frame for one outcome measure (when it has
    any, half the time) or one more condition. Id, acronym and title stay."""
    rng = random.Random(f"trialgraph-bench-edit:{change_seed}:{trial.index}")
    if any(trial.outcomes) and rng.random() < 0.5:
        return _new_time_frame(corpus, trial, rng)
    return _added_condition(corpus, trial, rng)


def trials(
    corpus: Corpus, n: int, seed: int, change_fraction: float = 0.0, change_seed: int = 1
) -> Iterator[tuple[Trial, bool]]:
    """The corpus's trials in index order, each with whether it was changed."""
    is_changed = changed_indices(n, change_fraction, change_seed)
    for index in range(n):
        trial = generate(corpus, seed, index)
        if is_changed(index):
            yield change(corpus, trial, change_seed), True
        else:
            yield trial, False


# --- the three formats --------------------------------------------------------------------

_TYPE_WORDS = {"DIAGNOSTIC_TEST": "Diagnostic Test", "DIETARY_SUPPLEMENT": "Dietary Supplement"}


def _type_label(kind: str) -> str:
    """``DRUG`` -> ``Drug`` as in armGroups' interventionNames."""
    return _TYPE_WORDS.get(kind) or kind.replace("_", " ").title()


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values, as the API omits absent fields."""
    return {k: v for k, v in data.items() if v not in ("", None, [], {})}


def _meshes_json(meshes: Iterable[Mesh]) -> list[dict[str, str]]:
    return [{"id": i, "term": t} for i, t in dict.fromkeys(meshes)]


def _json_filler(trial: Trial, corpus: Corpus) -> tuple[int, dict[str, Any]]:
    index = int(trial.filler * len(corpus.json_fillers))
    return index, corpus.json_fillers[index]


def _identification(trial: Trial) -> dict[str, Any]:
    ids, sponsor = trial.other_ids, trial.sponsor
    return _compact(
        {
            "nctId": trial.nct_id,
            "orgStudyIdInfo": {"id": ids[0]} if ids else None,
            "secondaryIdInfos": [{"id": i, "type": "OTHER"} for i in ids[1:]],
            "organization": {"fullName": sponsor.name, "class": sponsor.kind},
            "briefTitle": trial.title,
            "officialTitle": trial.official_title,
            "acronym": trial.acronym,
        }
    )


def _status_module(status: Status) -> dict[str, Any]:
    def struct(day: str, kind: str = "") -> dict[str, str] | None:
        if not day:
            return None
        return {
            "date": day,
            "type": kind or ("ACTUAL" if day <= status.last_update else "ESTIMATED"),
        }

    return _compact(
        {
            "statusVerifiedDate": status.last_update[:7],
            "overallStatus": status.overall,
            "startDateStruct": struct(status.start),
            "primaryCompletionDateStruct": struct(status.primary_completion),
            "completionDateStruct": struct(status.completion),
            "studyFirstPostDateStruct": struct(status.first_posted, "ACTUAL"),
            "lastUpdatePostDateStruct": struct(status.last_update, "ACTUAL"),
        }
    )


def _design_module(design: Design, filler: dict[str, Any]) -> dict[str, Any]:
    enrollment = design.enrollment
    return _compact(
        {
            "studyType": design.study_type,
            "phases": list(design.phases),
            "designInfo": filler.get("designInfo"),
            "enrollmentInfo": None
            if enrollment is None
            else {"count": enrollment, "type": "ACTUAL"},
        }
    )


def _arms_module(interventions: Sequence[Intervention]) -> dict[str, Any]:
    if not interventions:
        return {}
    arm = f"Experimental: {interventions[0].name}"
    names = [f"{_type_label(i.type)}: {i.name}" for i in interventions]
    return {
        "armGroups": [{"label": arm, "type": "EXPERIMENTAL", "interventionNames": names}],
        "interventions": [
            _compact(
                {
                    "type": i.type,
                    "name": i.name,
                    "description": i.description,
                    "armGroupLabels": [arm],
                    "otherNames": list(i.other_names),
                }
            )
            for i in interventions
        ],
    }


def _outcomes_module(outcomes: Outcomes) -> dict[str, Any]:
    keys = ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")
    return _compact(
        {
            key: [
                _compact(
                    {"measure": o.measure, "description": o.description, "timeFrame": o.time_frame}
                )
                for o in role
            ]
            for key, role in zip(keys, outcomes, strict=True)
        }
    )


def _protocol(trial: Trial, filler: dict[str, Any]) -> dict[str, Any]:
    """The protocol section up to the outcomes (the filler modules that follow are added
    by the caller)."""
    sponsor = trial.sponsor
    sponsors = {
        "responsibleParty": filler.get("responsibleParty"),
        "leadSponsor": {"name": sponsor.name, "class": sponsor.kind},
        "collaborators": [{"name": c, "class": "OTHER"} for c in sponsor.collaborators],
    }
    conditions = {
        "conditions": [c.name for c in trial.conditions],
        "keywords": list(trial.keywords),
    }
    description = {"briefSummary": trial.summary, "detailedDescription": trial.description}
    return _compact(
        {
            "identificationModule": _identification(trial),
            "statusModule": _status_module(trial.status),
            "sponsorCollaboratorsModule": _compact(sponsors),
            "oversightModule": filler.get("oversightModule"),
            "descriptionModule": _compact(description),
            "conditionsModule": _compact(conditions),
            "designModule": _design_module(trial.design, filler),
            "armsInterventionsModule": _arms_module(trial.interventions),
            "outcomesModule": _outcomes_module(trial.outcomes),
        }
    )


def _derived(trial: Trial) -> dict[str, Any]:
    conditions = _meshes_json(m for c in trial.conditions for m in c.meshes)
    interventions = _meshes_json(m for i in trial.interventions for m in i.meshes)
    return _compact(
        {
            "miscInfoModule": {"versionHolder": "2025-12-09"},
            "conditionBrowseModule": {"meshes": conditions} if conditions else None,
            "interventionBrowseModule": {"meshes": interventions} if interventions else None,
        }
    )


def _filler_modules(filler: dict[str, Any]) -> dict[str, Any]:
    """The filler modules that end a protocol section (eligibility, locations, ...)."""
    return {k: filler[k] for k in _JSON_FILLER if k != "oversightModule" and k in filler}


def study_json(trial: Trial, corpus: Corpus) -> dict[str, Any]:
    """The trial as a ClinicalTrials.gov API v2 study object."""
    _, filler = _json_filler(trial, corpus)
    return {
        "protocolSection": _protocol(trial, filler) | _filler_modules(filler),
        "derivedSection": _derived(trial),
        "hasResults": False,
    }


class _StudyEncoder:
    """Encodes :func:`study_json` output as one line of compact JSON, the same text as
    ``json.dumps`` gives but with each filler record's modules encoded only once."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        self._tails: dict[int, str] = {}

    def line(self, trial: Trial) -> str:
        index, filler = _json_filler(trial, self._corpus)
        if index not in self._tails:
            modules = _filler_modules(filler)
            self._tails[index] = "".join(
                f",{self._encode(k)}:{self._encode(v)}" for k, v in modules.items()
            )
        protocol = self._encode(_protocol(trial, filler))
        derived = self._encode(_derived(trial))
        return (
            f'{{"protocolSection":{protocol[:-1]}{self._tails[index]}}},'
            f'"derivedSection":{derived},"hasResults":false}}'
        )


def _packed(outcomes: Iterable[Outcome]) -> str:
    """Outcomes as the CSV export packs them: ``measure, description, time frame|...``."""
    return "|".join(
        ", ".join(p for p in (o.measure, o.description, o.time_frame) if p) for o in outcomes
    )


def _interventions_cell(trial: Trial) -> str:
    return "|".join(f"{i.type}: {i.name}" for i in trial.interventions)


def csv_row(trial: Trial, corpus: Corpus) -> list[str]:
    """The trial as a row of the CSV export, in :data:`CSV_HEADER` order."""
    filler = corpus.csv_fillers[int(trial.filler * len(corpus.csv_fillers))]
    status, design = trial.status, trial.design
    cells = {
        "NCT Number": trial.nct_id,
        "Study Title": trial.title,
        "Study URL": f"https://clinicaltrials.gov/study/{trial.nct_id}",
        "Acronym": trial.acronym,
        "Study Status": status.overall,
        "Brief Summary": trial.summary,
        "Study Results": "NO",
        "Conditions": "|".join(c.name for c in trial.conditions),
        "Interventions": _interventions_cell(trial),
        "Primary Outcome Measures": _packed(trial.outcomes[0]),
        "Secondary Outcome Measures": _packed(trial.outcomes[1]),
        "Other Outcome Measures": _packed(trial.outcomes[2]),
        "Sponsor": trial.sponsor.name,
        "Collaborators": "|".join(trial.sponsor.collaborators),
        "Phases": "|".join(design.phases),
        "Enrollment": "" if design.enrollment is None else str(design.enrollment),
        "Funder Type": trial.sponsor.kind,
        "Study Type": design.study_type,
        "Other IDs": "|".join(trial.other_ids),
        "Start Date": status.start,
        "Primary Completion Date": status.primary_completion,
        "Completion Date": status.completion,
        "First Posted": status.first_posted,
        "Last Update Posted": status.last_update,
        **filler,
    }
    return [cells.get(name, "") for name in CSV_HEADER]


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def plaintext(trial: Trial) -> str:
    """The trial in the seven-line plaintext layout (``tests/data/README.md``); the layout
    has no place for other outcome measures, ids, status or sponsor."""
    lines = [
        trial.title,
        _one_line(trial.summary),
        "|".join(c.name for c in trial.conditions),
        _interventions_cell(trial),
        _one_line(_packed(trial.outcomes[0])),
        _one_line(_packed(trial.outcomes[1])),
    ]
    return "\n".join([*lines, trial.description] if trial.description else lines)


# --- writing files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`write_corpus` wrote."""

    records: int
    changed: int
    bytes: int  # on disk
    raw_bytes: int  # before compression


class _Binary(Protocol):
    def write(self, data: bytes, /) -> object: ...


class _Sink:
    """Collects encoded output into large blocks that a second thread writes (compression
    and file writes release the GIL, so they overlap generation); counts the bytes."""

    def __init__(self, stream: _Binary, block: int = 1 << 20) -> None:
        self._block = block
        self._chunks: list[bytes] = []
        self._pending = 0
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self._failure: BaseException | None = None
        self._writer = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._writer.start()
        self.count = 0

    def _drain(self, stream: _Binary) -> None:
        while (block := self._blocks.get()) is not None:
            if self._failure is None:
                try:
                    stream.write(block)
                except BaseException as error:  # re-raised by close()
                    self._failure = error

    def write(self, data: bytes) -> None:
        self._chunks.append(data)
        self._pending += len(data)
        self.count += len(data)
        if self._pending >= self._block:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._failure is not None:
            raise self._failure
        self._blocks.put(b"".join(self._chunks))
        self._chunks.clear()
        self._pending = 0

    def close(self, complete: bool = True) -> None:
        """Write what is left (unless ``complete`` is false) and wait for the writer."""
        if complete and self._chunks:
            self._hand_over()
        self._blocks.put(None)
        self._writer.join()
        if complete and self._failure is not None:
            raise self._failure


class _TextSink:
    """The text-stream face of a :class:`_Sink`, for :mod:`csv`."""

    def __init__(self, sink: _Sink) -> None:
        self._sink = sink

    def write(self, text: str) -> int:
        self._sink.write(text.encode("utf-8"))
        return len(text)


def _write_stream(out: Path, emit: Callable[[_Sink], tuple[int, int]]) -> tuple[int, int, int]:
    """Run ``emit`` on a sink over ``out``: gzip for ``.gz`` (fast level 1, no timestamp).

    A regular file is written under a hidden temporary name and renamed when complete,
    so an interrupted run never leaves a short corpus behind.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    direct = out.exists() and not out.is_file()  # /dev/null, a pipe
    target = out if direct else out.with_name(f".{out.name}.part")
    try:
        with ExitStack() as files:
            raw = files.enter_context(target.open("wb"))
            stream: _Binary = raw
            if out.suffix == ".gz":
                gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1)
                stream = files.enter_context(gz)
            sink = _Sink(stream)
            try:
                records, changed = emit(sink)
            except BaseException:
                sink.close(complete=False)
                raise
            sink.close()
    except BaseException:
        if not direct:
            target.unlink(missing_ok=True)
        raise
    if not direct:
        target.replace(out)
    return records, changed, sink.count


def _json_lines(
    items: Iterable[tuple[Trial, bool]], corpus: Corpus, page: bool
) -> Callable[[_Sink], tuple[int, int]]:
    encoder = _StudyEncoder(corpus)

    def emit(sink: _Sink) -> tuple[int, int]:
        records = changed = 0
        if page:
            sink.write(b'{"studies":[\n')
        for trial, was_changed in items:
            line = encoder.line(trial).encode("utf-8")
            sink.write((b",\n" if page and records else b"") + line + (b"" if page else b"\n"))
            records += 1
            changed += was_changed
        if page:
            sink.write(b"\n]}\n")
        return records, changed

    return emit


def _csv_rows(
    items: Iterable[tuple[Trial, bool]], corpus: Corpus
) -> Callable[[_Sink], tuple[int, int]]:
    def emit(sink: _Sink) -> tuple[int, int]:
        writer = csv.writer(_TextSink(sink), lineterminator="\n")
        writer.writerow(CSV_HEADER)
        records = changed = 0
        for trial, was_changed in items:
            writer.writerow(csv_row(trial, corpus))
            records += 1
            changed += was_changed
        return records, changed

    return emit


def _write_plaintext(out: Path, items: Iterable[tuple[Trial, bool]]) -> tuple[int, int, int]:
    """One file per trial, ``out/0000/NCT90000000.txt``: 1,000 files per directory."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; plaintext output needs a new directory")
    records = changed = size = 0
    directory = None
    for trial, was_changed in items:
        if directory is None or trial.index % 1000 == 0:
            directory = out / f"{trial.index // 1000:04d}"
            directory.mkdir(parents=True, exist_ok=True)
        data = plaintext(trial).encode("utf-8")
        (directory / f"{trial.nct_id}.txt").write_bytes(data)
        records += 1
        changed += was_changed
        size += len(data)
    return records, changed, size


def write_corpus(
    out: Path,
    n: int,
    seed: int = 0,
    fmt: Format = "json",
    *,
    change_fraction: float = 0.0,
    change_seed: int = 1,
    json_layout: Literal["lines", "page"] | None = None,
    corpus: Corpus | None = None,
) -> Written:
    """Write ``n`` trials in ``fmt`` to ``out`` (a file; a new directory for plaintext)."""
    if not 0 <= n <= MAX_N:
        raise ValueError(f"n must be between 0 and {MAX_N:,}")
    if not 0.0 <= change_fraction <= 1.0:
        raise ValueError("the change fraction must be between 0 and 1")
    corpus = corpus or load_corpus()
    items = trials(corpus, n, seed, change_fraction, change_seed)
    if fmt == "plaintext":
        if out.suffix == ".gz":
            raise ValueError("plaintext output is a directory of files; it cannot be .gz")
        records, changed, size = _write_plaintext(out, items)
        return Written(records, changed, size, size)
    if fmt == "json":
        name = out.name.removesuffix(".gz")
        page = json_layout == "page" or (json_layout is None and name.endswith(".json"))
        emit = _json_lines(items, corpus, page)
    else:
        emit = _csv_rows(items, corpus)
    records, changed, raw_size = _write_stream(out, emit)
    return Written(records, changed, out.stat().st_size, raw_size)


# --- command line -------------------------------------------------------------------------


_HELP = """\
Trials are recombined from the real records in --corpus (titles and summaries with their
targets, conditions and products swapped; conditions, interventions and outcome measures
sampled from the records' own); see the module docstring for what comes from where."""


def _parser() -> argparse.ArgumentParser:
    doc = (__doc__ or "").split("\n\n")
    examples = next((i for i, part in enumerate(doc) if part.startswith("Usage")), len(doc))
    parser = argparse.ArgumentParser(
        prog="python bench/generate.py",
        description=f"{doc[0]}\n\n{_HELP}",
        epilog="\n\n".join(doc[examples:]).replace("Usage::", "Examples:"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--n", type=int, required=True, help=f"number of trials (at most {MAX_N:,})"
    )
    parser.add_argument("--format", choices=FORMATS, default="json", help="default: json")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="corpus seed (default 0); the same "
        "--n, --seed and --format give byte-identical output",
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output file (.gz: compressed); for plaintext a new directory",
    )
    parser.add_argument(
        "--change-fraction",
        type=float,
        default=0.0,
        metavar="F",
        help="change exactly round(F * n) trials of the --seed corpus (ids and titles stay)",
    )
    parser.add_argument(
        "--change-seed",
        type=int,
        default=1,
        metavar="C",
        help="picks which trials change and how (default 1)",
    )
    parser.add_argument(
        "--json-layout",
        choices=("lines", "page"),
        help='JSON Lines or one {"studies": [...]} page; default: page for a .json --out, '
        "else lines",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DATA_DIR,
        metavar="DIR",
        help=f"real records to sample (default {DATA_DIR})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        corpus = load_corpus(args.corpus.resolve())
        loaded = time.perf_counter()
        written = write_corpus(
            args.out,
            args.n,
            args.seed,
            args.format,
            change_fraction=args.change_fraction,
            change_seed=args.change_seed,
            json_layout=args.json_layout,
            corpus=corpus,
        )
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - loaded
    raw = f" ({written.raw_bytes:,} uncompressed)" if written.raw_bytes != written.bytes else ""
    print(
        f"wrote {written.records:,} {args.format} records ({written.changed:,} changed) "
        f"to {args.out}: {written.bytes:,} bytes{raw} in {seconds:.1f} s "
        f"({written.records / max(seconds, 1e-9):,.0f} records/s; "
        f"the real records were read in {loaded - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
