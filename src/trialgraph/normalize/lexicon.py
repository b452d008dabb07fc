"""Lexicons as data: loading the package's TSV tables, their lookup keys, and matching
their phrases in text.

Tables live in ``trialgraph/data/`` (plain or gzipped TSV with a header row). The
``*_curated.tsv`` tables and the small ones (analytes, criteria, endpoints, modalities, the
target stoplist) are edited by hand; ``scripts/vocab_hgnc.py`` builds ``hgnc.tsv.gz`` and
``drugs.tsv.gz``, and ``scripts/vocab_diseases.py`` builds ``diseases*.tsv.gz``, from
published releases. The recognizers share one matcher and one pair of key functions
(:func:`squash`, :func:`squash_case`), so that word boundaries, case folding, Greek letters
and longest-match rules are the same everywhere.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources


def data_path(name: str) -> resources.abc.Traversable:
    """The packaged data file ``name`` (under ``trialgraph/data``)."""
    return resources.files("trialgraph") / "data" / name


def read_table(name: str) -> Iterator[dict[str, str]]:
    """Rows of a packaged TSV table as dicts keyed by its header (``.gz`` read transparently).

    Lines starting with ``#`` are comments (source and release notes) and are skipped, as
    are empty lines. Cells are split at tabs and nothing else: no quoting, no escapes (what
    ``csv`` reads with ``QUOTE_NONE``, and faster).
    """
    raw = data_path(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    header: list[str] | None = None
    for number, line in enumerate(raw.decode("utf-8").split("\n"), 1):
        line = line.removesuffix("\r")
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
        elif len(cells) == len(header):
            yield dict(zip(header, cells, strict=True))
        else:
            raise ValueError(f"{name}, line {number}: {len(cells)} cells, {len(header)} columns")


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """A packaged table, loaded once per process."""
    return tuple(read_table(name))


#: Greek letters that gene, protein and drug names use, spelt out in Latin, in both cases.
_GREEK = str.maketrans(
    {
        **{"α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "κ": "k"},
        **{"Α": "A", "Β": "B", "Γ": "G", "Δ": "D", "Ε": "E", "Κ": "K"},
    }
)
_SPACES_AND_DASHES = re.compile(r"[\s\-‐‑‒–—_]+")
# the ASCII characters of that pattern, deleted: the same for ASCII text, and faster
_ASCII_SPACES_AND_DASHES = dict.fromkeys(c for c in range(128) if _SPACES_AND_DASHES.match(chr(c)))


def squash_case(text: str) -> str:
    """A lookup key keeping case: NFKC, Greek letters spelt out, spaces and dashes removed.

    >>> squash_case("IL13Rα2"), squash_case("PD-L1"), squash_case("claudin 18.2")
    ('IL13Ra2', 'PDL1', 'claudin18.2')
    """
    if text.isascii():  # NFKC and the Greek letters leave ASCII text as it is
        return text.translate(_ASCII_SPACES_AND_DASHES)
    text = unicodedata.normalize("NFKC", text).translate(_GREEK)
    return _SPACES_AND_DASHES.sub("", text)


def squash(text: str) -> str:
    """:func:`squash_case`, case folded: the key of names whose case says nothing.

    >>> squash("Trastuzumab  Deruxtecan"), squash("MK-3475"), squash("IFN-Γ")
    ('trastuzumabderuxtecan', 'mk3475', 'ifng')
    """
    if text.isascii():
        return text.lower().translate(_ASCII_SPACES_AND_DASHES)
    return squash_case(text).casefold()


# Letters that Python's case-insensitive regular expressions equate with ``i`` but that
# ``str.casefold`` keeps apart: the Turkish dotless ``ı`` and dotted ``İ``. A phrase the
# matchers find in any case must fold to the key it was found by.
_FOLD_ALIKE = str.maketrans({"ı": "i", "İ": "i"})


def fold(text: str) -> str:
    """Case- and space-folded text for dictionary keys.

    >>> fold("  Claudin   18.2 ")
    'claudin 18.2'
    >>> fold("IIEF") == fold("ııef") == fold("İIEF")
    True
    """
    return re.sub(r"\s+", " ", text).strip().translate(_FOLD_ALIKE).casefold()


@dataclass(frozen=True, slots=True)
class Match:
    """A phrase found in a text: its span, the text as written, and the lexicon's value."""

    start: int
    end: int
    text: str
    value: str


_Trie = dict[str, "_Trie"]  # character -> the rest; "" marks the end of a phrase


def _phrase_regex(phrase: str) -> str:
    """A folded phrase as a regex: its characters literally, any whitespace between words."""
    return re.escape(phrase).replace(r"\ ", r"\s+")


def _trie_regex(phrases: Iterable[str]) -> str:
    r"""One regex for folded ASCII phrases, with shared prefixes written once.

    It matches what the phrases as alternatives sorted longest first match, and is much
    faster to scan: the engine follows one branch per character instead of trying every
    phrase. Sibling branches begin with different ASCII characters (or whitespace), and no
    character matches two of those under IGNORECASE (non-ASCII letters can: "ı" matches "i"),
    so a text follows a single path; where a phrase ends, the empty branch comes last, so
    the longest phrase on the path is tried first and a shorter one only when the longer
    fails the word boundary after it.

    >>> print(_trie_regex(["lung cancer", "lung", "liver"]))
    l(?:ung(?:\s+cancer|)|iver)
    """
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def regex(node: _Trie) -> str:
        branches = [_phrase_regex(char) + regex(rest) for char, rest in node.items() if char]
        if "" in node:
            branches.append("")
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return regex(trie) if trie else ""


class PhraseMatcher:
    """Finds lexicon phrases in text: case-insensitive, whole words, longest match first.

    Phrases map to a value (a key into the caller's table). Overlapping matches are resolved
    leftmost-longest, so "small cell lung cancer" wins over "lung cancer" inside it.

    >>> m = PhraseMatcher({"lung cancer": "L", "small cell lung cancer": "S"})
    >>> [(x.text, x.value) for x in m.find("Small Cell Lung Cancer, stage IV")]
    [('Small Cell Lung Cancer', 'S')]
    """

    def __init__(self, phrases: dict[str, str] | Iterable[tuple[str, str]]) -> None:
        items = phrases.items() if isinstance(phrases, dict) else phrases
        self._values: dict[str, str] = {}
        for phrase, value in items:
            self._values.setdefault(fold(phrase), value)
        if all(p.isascii() for p in self._values):
            body = _trie_regex(self._values)
        else:
            alternatives = sorted(self._values, key=len, reverse=True)
            body = "|".join(_phrase_regex(p) for p in alternatives)
        self._pattern = (
            re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE) if body else None
        )

    def find(self, text: str) -> list[Match]:
        """All non-overlapping matches in ``text``, left to right."""
        if self._pattern is None or not text:
            return []
        return [
            Match(m.start(), m.end(), m.group(0), self._values[fold(m.group(0))])
            for m in self._pattern.finditer(text)
        ]

    def lookup(self, phrase: str) -> str | None:
        """The value of an exact (folded) phrase, or ``None``."""
        return self._values.get(fold(phrase))
