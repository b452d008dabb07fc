"""Cue matching: where a text says something is aimed at a target, and which target.

Gene symbols and aliases collide with trial vocabulary (``CAR``, ``OS``, ``DOR``, ``CR``,
``CRP``, ``IL-6`` ...), so a name becomes a target only where the text says something is
aimed at it: "anti-X", "X-directed / -targeted / -specific / -redirected", "X CAR-T",
"CAR-X", "targeting X", "against X", "X-positive", "positive X", "expressing X", "X
inhibitor", "X antibody / mAb / ADC / TKI", "X x Y bispecific", a mutation of X
("KRAS G12C", "EGFR-mutant", "ALK fusion"), and coordinated lists after such a cue ("positive
mesothelin and MUC1"). Each hit also says what kind of product its cue implies, if any.

Matching never compiles a pattern over the lexicon: one search of the text finds the fixed
set of cue words (a text without one is not even split into tokens), and the few spans next
to a cue are looked up in dictionaries (:func:`~.lexicon.lookup`).
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from trialgraph.normalize.targets.lexicon import DASHES, lookup, split_list

__all__ = ["Hit", "Scanner"]

# A token: a run of characters between separators, less its trailing full stops and
# apostrophes ("MUC1." → "MUC1").
_SEPARATORS = r"\s,;:()\[\]{}\"“”‘’"
_TOKEN = re.compile(rf"[^{_SEPARATORS}]*[^{_SEPARATORS}.'’]")
_FORWARD = frozenset(
    {"targeting", "targets", "against", "anti", "positive", "expressing", "overexpressing"}
)
_FORWARD_AFTER = {
    "targeted": frozenset({"against", "to", "at"}),
    "directed": frozenset({"against", "to", "at"}),
    "redirected": frozenset({"against", "to", "at"}),
    "specific": frozenset({"for", "to"}),
    "inhibitor": frozenset({"of"}),
    "inhibitors": frozenset({"of"}),
}
# Backward cues (the target precedes) and the kind of product each implies.
_BACKWARD: dict[str, str | None] = {
    **dict.fromkeys(
        [
            "car",
            "cars",
            "ccar",
            "car-t",
            "cart",
            "car-nk",
            "car-t-cells",
            "car-t-cell",
            "cart-cells",
            "tcr",
            "tcr-t",
            "car-engineered",
            "car-modified",
            "tcr-engineered",
            "tcr-transduced",
        ],
        "cell",
    ),
    **dict.fromkeys(
        [
            "antibody",
            "antibodies",
            "mab",
            "monoclonal",
            "adc",
            "bispecific",
            "bi-specific",
            "engager",
            "antibody-drug",
        ],
        "antibody",
    ),
    **dict.fromkeys(
        [
            "inhibitor",
            "inhibitors",
            "blockade",
            "blocker",
            "blockers",
            "antagonist",
            "antagonists",
            "agonist",
            "degrader",
        ],
        "drug",
    ),
    # "EGFR-TKI" mostly names prior therapy ("progressed after EGFR-TKI"): a target, but
    # no sign of which product in this trial is aimed at it
    **dict.fromkeys(["tki", "tkis"], None),
    **dict.fromkeys(
        [
            "directed",
            "targeted",
            "targeting",
            "specific",
            "redirected",
            "positive",
            "expressing",
            "overexpressing",
            "vaccine",
            "mutant",
            "mutants",
            "mutation",
            "mutations",
            "mutated",
            "fusion",
            "fusions",
            "rearrangement",
            "rearrangements",
            "rearranged",
            "amplification",
            "amplified",
            "exon",
            "ex19del",
            "ex20ins",
        ],
        None,
    ),
}
_HYPHEN_SUFFIX = re.compile(
    r"^(?P<x>.+?)[-‐](?P<cue>positive|directed|targeted|targeting|specific|redirected|"
    r"expressing|overexpressing|mutant|mutated|mutations?|rearranged|amplified|fusion|"
    r"CAR|cCAR|CAR-T|CART|CAR-NK|CAR-T-cells?|CAR-T-cell|TCR|TCR-T|ADC|TKIs?|inhibitors?|"
    r"antibody|antibodies|mAb|engager|bispecific)$",
    re.IGNORECASE,
)
_MUTATION = r"[A-Z]\d{2,4}(?:[A-Z]|del|ins|fs|\*)|G12[A-Z]|V600[A-Z]?|ex(?:on)?\d+\w*|del19"
_VARIANT = re.compile(rf"^(?:{_MUTATION})$")
_CAR_PREFIX = re.compile(r"^CAR[-‐](?P<x>.+)$", re.IGNORECASE)
# "CAR19", "CAR.19", "CAR-20": a CAR named by the CD number of its antigen
_CAR_NUMBER = r"CAR[.\-‐]?\d{1,3}"
_CAR_CD = re.compile(rf"^{_CAR_NUMBER}$", re.IGNORECASE)
_ANTI_PREFIX = re.compile(r"^anti[-‐](?P<x>.+)$", re.IGNORECASE)
_NOT_AFTER_CAR = re.compile(r"^(?:T|NK|M|NKT|T-?cells?|T-?cell|NK-?cells?)(?:[-‐].*)?$", re.I)
_COORD = frozenset({"and", "or", "&", "x", "×", "plus", "/", "and/or"})
_CUE_KIND_FORWARD: dict[str, str | None] = {"anti": "antibody"}


def _cue_pattern() -> re.Pattern[str]:
    """Where a hit can start: a cue word, "anti-" or "CAR-" opening a token, a cue after a
    hyphen ("X-positive": every cue of ``_HYPHEN_SUFFIX`` is also a cue word), or a mutation
    ("G12C"), each bounded by a separator, a full stop, an apostrophe or a hyphen.

    >>> [m[0] for m in _cue_pattern().finditer("Anti-CD19 CAR-T; carcinoma, KRAS G12C")]
    ['Anti', 'CAR-T', 'G12C']
    """
    # grouped by first letter, which makes the search faster; tokens are compared
    # case-folded, so "ß" stands for "ss"
    cues = _FORWARD | _FORWARD_AFTER.keys() | _BACKWARD.keys()
    by_first: dict[str, list[str]] = {}
    for word in sorted(cues, key=lambda w: (-len(w), w)):
        by_first.setdefault(word[0], []).append(re.escape(word[1:]).replace("ss", "(?:ss|ß)"))
    words = "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in sorted(by_first.items()))
    return re.compile(
        rf"(?<![^{_SEPARATORS}\-‐])(?:(?i:{words}|{_CAR_NUMBER})|{_MUTATION})"
        rf"(?![^{_SEPARATORS}.'’\-‐])"
    )


_CUE = _cue_pattern()


_ASCII_LETTERS = string.ascii_letters.encode()
_ASCII_CAPITALS = string.ascii_uppercase.encode()


def _shouting(text: str) -> bool:
    """Whether over 70% of the letters of ``text`` (over 20 of them) are capitals.

    >>> _shouting("PHASE I STUDY OF CAR-T CELLS"), _shouting("Phase I study of CAR-T cells")
    (True, False)
    """
    if text.isascii():  # the usual case, counted without a loop over the characters
        data = text.encode()
        letters = len(data) - len(data.translate(None, _ASCII_LETTERS))
        capitals = len(data) - len(data.translate(None, _ASCII_CAPITALS))
    else:
        chars = [c for c in text if c.isalpha()]
        letters, capitals = len(chars), sum(c.isupper() for c in chars)
    return letters > 20 and capitals > 0.7 * letters


@dataclass(frozen=True, slots=True)
class Hit:
    """Targets named next to one cue: their symbols, the words that named them, the kind
    of product the cue implies, and the token span of those words."""

    symbols: tuple[str, ...]
    text: str
    kind: str | None  # the kind of product the cue implies
    first: int  # token span of the hit, for coordination
    last: int


class Scanner:
    """Finds targets next to cues in one text."""

    def __init__(self, text: str) -> None:
        text = unicodedata.normalize("NFKC", text)
        self.text = text if text.isascii() else text.translate(DASHES)  # dashes are not ASCII
        self.cues = [m.start() for m in _CUE.finditer(self.text)]  # where cues start
        # only a token holding a cue can start a hit: without one, the text needs no tokens
        tokens = list(_TOKEN.finditer(self.text)) if self.cues else []
        self.words = [m[0] for m in tokens]
        self.starts = [m.start() for m in tokens]
        self.ends = [m.end() for m in tokens]

    @cached_property
    def shouting(self) -> bool:
        return _shouting(self.text)

    def _symbol(self, term: str) -> str | None:
        """:func:`lookup` in this text; whether it is in capitals is worked out only once a
        term matches."""
        symbol = lookup(term)
        return lookup(term, shouting=True) if symbol is not None and self.shouting else symbol

    def _resolve(self, term: str, *, trim: bool) -> tuple[list[str], str]:
        """Symbols a term denotes and the part of it that named them."""
        symbol = self._symbol(term)
        if symbol is not None:
            return [symbol], term
        listed = split_list(term)
        if listed or not trim:
            return listed, term
        # "MUC1.Patients", "CLDN18.2-T": cut at the last separator and retry
        cut = term
        while True:
            m = re.search(r"[.\-/+][^.\-/+]*$", cut)
            if not m or m.start() == 0:
                return [], term
            cut = cut[: m.start()]
            symbol = self._symbol(cut)
            if symbol is not None:
                return [symbol], cut

    def _gap(self, i: int) -> str:
        """Text between token i-1 and token i."""
        return self.text[self.ends[i - 1] : self.starts[i]]

    def _breaks(self, i: int) -> bool:
        """Whether a comma or a full stop separates token i-1 from token i."""
        gap = self._gap(i)
        return "," in gap or "." in gap

    def forward(self, i: int, first: str | None = None) -> tuple[list[str], str, int, int]:
        """Longest resolvable span of up to six tokens starting at token i (``first``
        replaces its text), crossing no comma or full stop."""
        words = self.words[i : i + 6]
        if first is not None:
            words[0] = first
        n_max = 1
        while n_max < len(words) and not self._breaks(i + n_max):
            n_max += 1
        for n in range(n_max, 0, -1):
            symbols, matched = self._resolve(" ".join(words[:n]), trim=n == 1)
            if symbols:
                return symbols, matched, i, i + n - 1
        return [], "", i, i

    def backward(self, j: int, last: str | None = None) -> tuple[list[str], str, int, int]:
        """Longest resolvable span of up to six tokens ending at token j (``last`` replaces
        its text), crossing no comma or full stop."""
        words = self.words[max(0, j - 5) : j + 1]
        if last is not None:
            words[-1] = last
        n_max = 1
        while n_max < len(words) and not self._breaks(j - n_max + 1):
            n_max += 1
        for n in range(n_max, 0, -1):
            symbols, matched = self._resolve(" ".join(words[-n:]), trim=False)
            if symbols:
                return symbols, matched, j - n + 1, j
        return [], "", j, j

    def _coord_forward(self, last: int, kind: str | None) -> list[Hit]:
        hits: list[Hit] = []
        i = last + 1
        while i < len(self.words) and len(hits) < 6:
            gap = self._gap(i)
            nxt = i
            if self.words[i].casefold() in _COORD:
                nxt = i + 1
            elif gap.strip() not in {",", "/", "&"}:
                break
            if nxt >= len(self.words):
                break
            symbols, matched, a, b = self.forward(nxt)
            if not symbols:
                break
            hits.append(Hit(tuple(symbols), matched, kind, a, b))
            i = b + 1
        return hits

    def _coord_backward(self, first: int, kind: str | None) -> list[Hit]:
        hits: list[Hit] = []
        j = first - 1
        while j >= 0 and len(hits) < 6:
            gap = self._gap(j + 1)
            prev = j
            if self.words[j].casefold() in _COORD:
                prev = j - 1
            elif gap.strip() not in {",", "/", "&"}:
                break
            if prev < 0:
                break
            symbols, matched, a, b = self.backward(prev)
            if not symbols:
                break
            hits.append(Hit(tuple(symbols), matched, kind, a, b))
            j = a - 1
        return hits

    def scan(self) -> list[Hit]:
        """Every target the text names next to a cue, in the order of the cues."""
        hits: list[Hit] = []
        words = self.words
        # the tokens holding a cue, in order
        for i in sorted({bisect_right(self.starts, pos) - 1 for pos in self.cues}):
            word = words[i]
            low = word.casefold()
            # prefix forms inside the token: anti-X, CAR-X
            m = _ANTI_PREFIX.match(word)
            if m:
                symbols, matched, a, b = self.forward(i, first=m.group("x"))
                if symbols:
                    hits.append(Hit(tuple(symbols), matched, "antibody", a, b))
                    hits.extend(self._coord_forward(b, "antibody"))
                continue
            if _CAR_CD.match(word):
                symbols, matched = self._resolve("CD" + re.sub(r"\D", "", word), trim=False)
                if symbols:
                    hits.append(Hit(tuple(symbols), word, "cell", i, i))
                    continue
            m = _CAR_PREFIX.match(word)
            if m and not _NOT_AFTER_CAR.match(m.group("x")):
                symbols, matched = self._resolve(m.group("x"), trim=True)
                if symbols:
                    hits.append(Hit(tuple(symbols), matched, "cell", i, i))
                    continue
            # forward cue words
            if low in _FORWARD or (
                low in _FORWARD_AFTER
                and i + 1 < len(words)
                and words[i + 1].casefold() in _FORWARD_AFTER[low]
            ):
                start = i + 1 if low in _FORWARD else i + 2
                if low == "positive" and start < len(words) and words[start].casefold() == "for":
                    start += 1
                if start < len(words) and "." not in self.text[self.ends[i] : self.starts[start]]:
                    symbols, matched, a, b = self.forward(start)
                    if symbols:
                        kind = _CUE_KIND_FORWARD.get(low)
                        hits.append(Hit(tuple(symbols), matched, kind, a, b))
                        hits.extend(self._coord_forward(b, kind))
            # hyphen-attached suffix cues: X-positive, X-CAR, X-directed, ...
            m = _HYPHEN_SUFFIX.match(word)
            if m:
                cue = m.group("cue").casefold()
                kind = _BACKWARD.get(cue, _BACKWARD.get(cue.rstrip("s")))
                symbols, matched, a, b = self.backward(i, last=m.group("x"))
                if symbols:
                    hits.append(Hit(tuple(symbols), matched, kind, a, b))
                    hits.extend(self._coord_backward(a, kind))
                continue
            # separate backward cue words: X CAR-T, X antibody, KRAS G12C
            if i > 0 and (low in _BACKWARD or _VARIANT.match(word)) and "." not in self._gap(i):
                kind = _BACKWARD.get(low)
                symbols, matched, a, b = self.backward(i - 1)
                if symbols:
                    hits.append(Hit(tuple(symbols), matched, kind, a, b))
                    hits.extend(self._coord_backward(a, kind))
        return hits
