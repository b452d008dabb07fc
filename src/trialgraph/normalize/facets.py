"""Landscape facets: a record's phases, status, study type, enrollment, sponsors and places
as controlled values.

The registry writes these fields from fixed lists, in the API's form (``PHASE2``,
``ACTIVE_NOT_RECRUITING``, ``INDUSTRY``) and, in older exports, in words ("Phase 2",
"Active, not recruiting", "Industry"); both read as the API's value. A value outside the
lists is kept as written and reported in :attr:`Facets.unrecognized`, never guessed at.

Organizations get an identity key (:func:`organization_key`) that folds only what never
tells two organizations apart: case, punctuation, spacing and a trailing legal form
("Pfizer Inc." and "PFIZER" are one organization; "Pfizer" and "Pfizer Japan" are two).

Countries become ISO 3166-1 alpha-2 codes by their ISO names (pycountry: the name, the
official and the common name) and the registry's own older spellings
(``data/country_aliases.tsv``). A CSV location cell names its country last, after the
facility, city, state and postal code, so the country is the longest comma-separated tail
of the cell that is a country name ("Seoul, Korea, Republic of" → ``KR``).
The API's JSON gives each site's country as a field of its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from trialgraph.normalize.lexicon import table
from trialgraph.records import TrialRecord

__all__ = [
    "ENROLLMENT_TYPES",
    "ORGANIZATION_CLASSES",
    "PHASES",
    "STATUSES",
    "STUDY_TYPES",
    "Facets",
    "Organization",
    "controlled",
    "country_code",
    "facets",
    "location_country",
    "organization_key",
]

#: Trial phases, in the registry's order (``NA``: phases do not apply, e.g. a device study).
PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
#: Overall recruitment statuses (API v2 ``overallStatus``; the last five are expanded access).
STATUSES = frozenset(
    {
        "NOT_YET_RECRUITING",
        "RECRUITING",
        "ENROLLING_BY_INVITATION",
        "ACTIVE_NOT_RECRUITING",
        "SUSPENDED",
        "TERMINATED",
        "COMPLETED",
        "WITHDRAWN",
        "UNKNOWN",
        "AVAILABLE",
        "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING",
        "WITHHELD",
    }
)
STUDY_TYPES = frozenset({"INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"})
#: Agency classes of sponsors and collaborators (API v2 ``class``; the CSV's Funder Type).
#: The registry's ``UNKNOWN`` class says nothing and is not kept.
ORGANIZATION_CLASSES = frozenset(
    {"NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER"}
)
#: Whether an enrollment count is the actual one or the one anticipated (API v2 calls the
#: anticipated count ``ESTIMATED``; older records said "Anticipated").
ENROLLMENT_TYPES = frozenset({"ACTUAL", "ESTIMATED"})

_WORD_FORMS = {
    # older exports' words for the API's values, after folding (see _fold)
    "NOT_APPLICABLE": "NA",
    "N_A": "NA",
    "UNKNOWN_STATUS": "UNKNOWN",
    "U_S_FED": "FED",
    "US_FED": "FED",
    "ANTICIPATED": "ESTIMATED",
    "OBSERVATIONAL_PATIENT_REGISTRY": "OBSERVATIONAL",
}
_NON_WORD = re.compile(r"[^A-Z0-9]+")
_PHASE_SPLIT = re.compile(r"\s*[|/]\s*")


def _fold(value: str) -> str:
    """A field value in the API's spelling: capitals, words joined by ``_``.

    >>> _fold("Active, not recruiting"), _fold("Phase 2"), _fold("Early Phase 1")
    ('ACTIVE_NOT_RECRUITING', 'PHASE2', 'EARLY_PHASE1')
    """
    folded = _NON_WORD.sub("_", value.upper()).strip("_")
    folded = re.sub(r"PHASE_(\d)", r"PHASE\1", folded)
    return _WORD_FORMS.get(folded, folded)


@cache
def controlled(value: str, allowed: frozenset[str] | tuple[str, ...]) -> str | None:
    """``value`` as one of ``allowed`` in the API's spelling, else ``None``.

    >>> controlled("Phase 2", PHASES), controlled("recruiting", STATUSES), controlled("x", PHASES)
    ('PHASE2', 'RECRUITING', None)
    """
    folded = _fold(value)
    return folded if folded in allowed else None


@dataclass(frozen=True, slots=True)
class Organization:
    """A sponsor or collaborator: its identity key, its name as written, and its class as
    the record gives it (``""`` when the record gives none)."""

    key: str
    name: str
    cls: str = ""


@dataclass(frozen=True, slots=True)
class Facets:
    """A record's landscape facets as controlled values.

    ``phases`` are in the registry's order; ``countries`` are distinct alpha-2 codes in the
    order the sites first name them; ``site_count`` counts the record's sites (with or
    without a known country). ``unrecognized`` holds ``(field, text)`` for each value kept
    as written because no list knows it (fields ``phase``, ``status``, ``study_type``,
    ``enrollment_type``, ``organization_class``, ``country``); ``unmapped_countries`` the
    country names among them.
    """

    phases: tuple[str, ...] = ()
    status: str = ""
    study_type: str = ""
    enrollment_type: str = ""
    sponsor: Organization | None = None
    collaborators: tuple[Organization, ...] = ()
    countries: tuple[str, ...] = ()
    site_count: int = 0
    unrecognized: tuple[tuple[str, str], ...] = ()

    @property
    def unmapped_countries(self) -> tuple[str, ...]:
        return tuple(text for field, text in self.unrecognized if field == "country")


# --- organizations -----------------------------------------------------------------------

#: Legal forms that end a company's name ("Co., Ltd.", "GmbH & Co. KG", "S.p.A."), after
#: folding (lower case, no dots). Only whole trailing words are removed, repeatedly.
_LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "co",
        "corp",
        "corporation",
        "company",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "se",
        "sa",
        "sas",
        "sarl",
        "spa",
        "srl",
        "sl",
        "bv",
        "nv",
        "ab",
        "as",
        "asa",
        "oy",
        "oyj",
        "pty",
        "pte",
        "pvt",
        "kk",
        "sro",
    }
)
_INITIAL_SLASH = re.compile(r"\b(\w)/(\w)\b")  # "A/S" -> "AS"
_DROPPED = re.compile(r"[.'’`]")
_SEPARATORS = re.compile(r"[^\w]+|_")


@cache
def organization_key(name: str) -> str:
    """The identity of an organization's name: case, accents, punctuation and spacing
    folded, ``&`` read as "and", and trailing legal forms removed.

    >>> organization_key("Pfizer Inc."), organization_key("Novo Nordisk A/S")
    ('pfizer', 'novo nordisk')
    >>> organization_key("M.D. Anderson Cancer Center"), organization_key("Eli Lilly and Company")
    ('md anderson cancer center', 'eli lilly')
    >>> organization_key("Jiangsu HengRui Medicine Co., Ltd."), organization_key("Co")
    ('jiangsu hengrui medicine', 'co')
    """
    text = _fold_accents(name).casefold().replace("&", " and ")
    text = _DROPPED.sub("", _INITIAL_SLASH.sub(r"\1\2", text))
    words = _SEPARATORS.sub(" ", text).split()
    removed = False
    while len(words) > 1:
        if words[-1] in _LEGAL_FORMS:
            words.pop()
            removed = True
        elif words[-1] == "and" and removed and len(words) > 2:
            words.pop()  # "Eli Lilly and Company", "GmbH & Co. KG"
        else:
            break
    return " ".join(words)


def _fold_accents(text: str) -> str:
    """``text`` in NFKC with accents removed ("Hôpitaux" → "Hopitaux")."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFKC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


# --- countries ---------------------------------------------------------------------------


def _country_key(name: str) -> str:
    """A country name for lookup: accents, case, dots and spacing folded."""
    text = _fold_accents(name).casefold()
    text = text.replace("’", "'").replace("&", " and ").replace(".", "")
    return " ".join(text.split())


@cache
def _countries() -> dict[str, str]:
    import pycountry  # imported here: only records with locations need it

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(_country_key(value), country.alpha_2)
    for row in table("country_aliases.tsv"):
        names[_country_key(row["name"])] = row["alpha2"]
    return names


@cache
def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country name, else ``None``.

    >>> country_code("United States"), country_code("Korea, Republic of"), country_code("Turkey")
    ('US', 'KR', 'TR')
    >>> country_code("Côte D'Ivoire"), country_code("Former Serbia and Montenegro")
    ('CI', None)
    """
    return _countries().get(_country_key(name))


def location_country(location: str) -> tuple[str, str]:
    """A location's ``(alpha-2 code or "", country as written)``: its longest
    comma-separated tail that is a country name, else its last part as written.

    >>> location_country("Asan Medical Center, Seoul, Korea, Republic of")
    ('KR', 'Korea, Republic of')
    >>> location_country("Hospital, Tbilisi, Georgia"), location_country("Site, Atlantis")
    (('GE', 'Georgia'), ('', 'Atlantis'))
    """
    parts = [p.strip() for p in location.split(",")]
    for size in range(min(3, len(parts)), 0, -1):
        tail = ", ".join(parts[-size:])
        code = country_code(tail)
        if code:
            return code, tail
    return "", parts[-1]


# --- the record --------------------------------------------------------------------------


def _organization(name: str, cls: str, unrecognized: list[tuple[str, str]]) -> Organization | None:
    """The organization a name stands for; ``None`` for a name of no letters or digits."""
    key = organization_key(name)
    if not key:
        return None
    kind = controlled(cls, ORGANIZATION_CLASSES) if cls else None
    if cls and kind is None and _fold(cls) != "UNKNOWN":
        unrecognized.append(("organization_class", cls))
    return Organization(key, name, kind or "")


def facets(record: TrialRecord) -> Facets:
    """The landscape facets of a record."""
    unrecognized: list[tuple[str, str]] = []

    def one(field: str, value: str, allowed: frozenset[str]) -> str:
        if not value:
            return ""
        found = controlled(value, allowed)
        if found is None:
            unrecognized.append((field, value))
        return found or ""

    phases: set[str] = set()
    for written in record.phases:
        whole = controlled(written, PHASES)  # "N/A" is one value, "Phase 1/Phase 2" two
        for part in (whole,) if whole else _PHASE_SPLIT.split(written):
            phase = controlled(part, PHASES) if part else None
            if phase:
                phases.add(phase)
            elif part:
                unrecognized.append(("phase", part))
    sponsor = _organization(record.sponsor, record.sponsor_class, unrecognized)
    classes = record.collaborator_classes
    named = (
        _organization(name, classes[i] if i < len(classes) else "", unrecognized)
        for i, name in enumerate(record.collaborators)
    )
    collaborators = tuple(org for org in named if org is not None)
    countries: dict[str, None] = {}
    sites = [(country_code(c) or "", c) for c in record.site_countries]
    sites += [location_country(text) for text in record.locations]
    for code, written in sites:
        if code:
            countries[code] = None
        elif written:
            unrecognized.append(("country", written))
    return Facets(
        phases=tuple(p for p in PHASES if p in phases),
        status=one("status", record.status, STATUSES),
        study_type=one("study_type", record.study_type, STUDY_TYPES),
        enrollment_type=one("enrollment_type", record.enrollment_type, ENROLLMENT_TYPES),
        sponsor=sponsor,
        collaborators=collaborators,
        countries=tuple(countries),
        site_count=len(sites),
        unrecognized=tuple(unrecognized),
    )
