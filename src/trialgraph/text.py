"""Text normalization shared by every reader.

Registry text arrives with mojibake (UTF-8 read as Latin-1: ``IFN Î³``), full-width CJK
punctuation (``（MTD）``), markdown escapes (``\\>``), stray control characters and ragged
whitespace. :func:`clean` repairs all of that once, at read time, so that recognizers
downstream see one spelling. The outcome cells of the CSV export and the plaintext layout
are read by :mod:`trialgraph.sources.ctgov_outcomes`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import ftfy

from trialgraph.records import INTERVENTION_TYPES, Intervention

#: Longest text field (in characters) a reader accepts; a longer field or line makes its
#: record a :class:`~trialgraph.records.RecordError`. Registry fields are at most tens of
#: kilobytes, so anything this large is a broken export, not a trial.
MAX_FIELD_CHARS = 4 * 1024 * 1024

_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are the authors' own typography, not damage
    unescape_html=False,  # ASCII text skips ftfy, so entities would be treated unevenly
    normalization="NFKC",
)
# NFKC leaves CJK enumeration comma and full stop alone; registry authors use them as ASCII.
_CJK_PUNCT = str.maketrans({"、": ",", "。": "."})
_NEEDS_WORK = re.compile(r"[\\\r\t\n\x00-\x08\x0b-\x1f\x7f]| {2}")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")
_SPACE_NL = re.compile(r" ?\n ?")
_MANY_NL = re.compile(r"\n{3,}")
_ANY_SPACE = re.compile(r"\s+")


def _repair(text: str) -> str:
    """Undo mojibake and apply NFKC; ASCII text is returned untouched (the fast path)."""
    if text.isascii():
        return text
    fixed: str = ftfy.fix_text(text, config=_FTFY_CONFIG)
    if "、" in fixed or "。" in fixed:
        fixed = fixed.translate(_CJK_PUNCT)
    fixed = unicodedata.normalize("NFKC", fixed)
    return fixed


def _finish(text: str) -> str:
    """Remove markdown escapes and control characters, normalize whitespace, strip."""
    if not _NEEDS_WORK.search(text):
        return text.strip()
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_NL.sub("\n", text)
    text = _MANY_NL.sub("\n\n", text)
    return text.strip()


def clean(text: str) -> str:
    """Normalize one text field: mojibake, NFKC, markdown escapes, whitespace.

    Newlines are kept (descriptions use them for paragraphs and lists) but normalized:
    ``\\r\\n`` becomes ``\\n``, spaces around a newline go, and blank lines collapse to one.
    Curly quotes are kept as written.

    >>> clean("IFN Î³ and TNFÎ±")
    'IFN γ and TNFα'
    >>> clean("Maximum Tolerated Dose（MTD） includes：CR、PR")
    'Maximum Tolerated Dose(MTD) includes:CR,PR'
    >>> clean("  ECOG \\\\>2,\\tlife   expectancy \\\\< 12 weeks\\r\\n\\r\\n\\r\\n* next  ")
    'ECOG >2, life expectancy < 12 weeks\\n\\n* next'
    >>> clean("“quoted”")
    '“quoted”'
    """
    if "\r" in text:  # line ends first: mojibake repair must see the text it keeps
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _finish(_repair(text))


def clean_split(text: str, separator: re.Pattern[str]) -> list[str]:
    """``text`` split at ``separator``, each part cleaned as :func:`clean` cleans: the split
    sees the repaired text, so a character that cleaning drops cannot hide a separator or an
    escape.

    >>> clean_split("a \\x08| b", re.compile(r"\\|"))
    ['a', 'b']
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [_finish(part) for part in separator.split(_repair(text))]


def clean_line(text: str) -> str:
    """:func:`clean`, then fold all whitespace (newlines too) into single spaces.

    For one-line fields: titles, names, conditions, measures, time frames.

    >>> clean_line(" Solid\\n Tumor ")
    'Solid Tumor'
    """
    text = clean(text)
    return _ANY_SPACE.sub(" ", text) if "\n" in text else text


def split_list(cell: str, sep: str = "|") -> list[str]:
    """Split a multi-valued cell and clean each value, dropping empty ones.

    >>> split_list("Pancreatic Cancer| Solid Tumor, Adult||")
    ['Pancreatic Cancer', 'Solid Tumor, Adult']
    """
    if not cell:
        return []
    values = (clean_line(v) for v in cell.split(sep))
    return [v for v in values if v]


# --- interventions --------------------------------------------------------------------

_TYPE_LIKE = re.compile(r"[A-Z][A-Z_ ]*")


def intervention_type(raw: str) -> tuple[str, str]:
    """Map a written intervention type to ``(type, raw_type)``.

    ``type`` is one of :data:`~trialgraph.records.INTERVENTION_TYPES`; ``raw_type`` keeps
    what was written when it is not on that list.

    >>> intervention_type("Dietary Supplement")
    ('DIETARY_SUPPLEMENT', '')
    >>> intervention_type("CELL_THERAPY")
    ('OTHER', 'CELL_THERAPY')
    """
    key = clean_line(raw).upper().replace(" ", "_").replace("-", "_")
    if key in INTERVENTION_TYPES:
        return key, ""
    return "OTHER", clean_line(raw)


def parse_intervention(text: str) -> Intervention:
    """Parse ``TYPE: name`` (the CSV export's and plaintext layout's encoding).

    A prefix that is a known type, in any case, or that is written in capitals like the
    export's types, is taken as the type; anything else is part of the name.

    >>> parse_intervention("DRUG: U87 CAR-T")
    Intervention(type='DRUG', name='U87 CAR-T', description='', other_names=(), raw_type='')
    >>> parse_intervention("GENE_THERAPY: AAV-x").raw_type
    'GENE_THERAPY'
    >>> parse_intervention("Cisplatin: 75 mg/m2").name
    'Cisplatin: 75 mg/m2'
    """
    text = clean_line(text)
    prefix, colon, name = text.partition(":")
    if colon:
        prefix = prefix.strip()
        kind, raw_type = intervention_type(prefix)
        if not raw_type or _TYPE_LIKE.fullmatch(prefix):
            return Intervention(type=kind, name=name.strip(), raw_type=raw_type)
    return Intervention(type="OTHER", name=text)


# --- dates ------------------------------------------------------------------------------

_US_DATE = re.compile(r"(\d{1,2})/(?:(\d{1,2})/)?(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
_MONTH_NAMES: tuple[str, ...] = ("january", "february", "march", "april", "may", "june", "july")
_MONTH_NAMES += ("august", "september", "october", "november", "december")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_NAMED_DATE = re.compile(r"([A-Za-z]+)\.?(?: (\d{1,2}),?)? (\d{4})")


def iso_date(text: str) -> str:
    """Normalize a registry date to ``YYYY-MM-DD`` or ``YYYY-MM``; unknown forms are kept.

    >>> iso_date("9/15/2021"), iso_date("1/2019"), iso_date("2022-04"), iso_date("March 5, 2020")
    ('2021-09-15', '2019-01', '2022-04', '2020-03-05')
    """
    text = text.strip()
    if not text or _ISO_DATE.fullmatch(text):
        return text
    month: int | None
    m = _US_DATE.fullmatch(text)
    if m:
        month, day, year = int(m[1]), int(m[2]) if m[2] else None, int(m[3])
    elif n := _NAMED_DATE.fullmatch(text):
        month = _MONTHS.get(n[1].lower()) or next(
            (i for name, i in _MONTHS.items() if len(n[1]) >= 3 and name.startswith(n[1].lower())),
            None,
        )
        day, year = int(n[2]) if n[2] else None, int(n[3])
    else:
        return text
    try:
        if month is None:
            return text
        return date(year, month, day).isoformat() if day else date(year, month, 1).isoformat()[:7]
    except ValueError:
        return text


def excerpt(text: str, limit: int = 200) -> str:
    """The start of ``text`` for an error report: one line, at most ``limit`` characters.

    >>> excerpt("a\\nb" + "c" * 300)[:5], len(excerpt("x" * 300))
    ('a bcc', 201)
    """
    head = _ANY_SPACE.sub(" ", text[: limit * 2]).strip()
    return head if len(head) <= limit else head[:limit] + "…"


def decode(data: bytes) -> str:
    """Decode file bytes: UTF-8 (a BOM is dropped), else Windows-1252, else Latin-1.

    >>> decode(b"caf\\xc3\\xa9"), decode(b"caf\\xe9"), decode(b"\\xef\\xbb\\xbfx")
    ('café', 'café', 'x')
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
