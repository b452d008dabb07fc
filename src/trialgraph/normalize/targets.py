"""Targets: the molecules a trial's products are aimed at, recognized only in context.

Gene symbols and aliases collide with trial vocabulary (``CAR``, ``OS``, ``DOR``, ``CR``,
``CRP``, ``IL-6`` ...), so a name becomes a target only where the text says something is
aimed at it: "anti-X", "X-directed / -targeted / -specific / -redirected", "X CAR-T",
"CAR-X", "targeting X", "against X", "X-positive", "positive X", "expressing X", "X
inhibitor", "X antibody / mAb / ADC / TKI", "X x Y bispecific", a mutation of X
("KRAS G12C", "EGFR-mutant", "ALK fusion"), and coordinated lists after such a cue ("positive
mesothelin and MUC1"). Drugs the drug table knows contribute their targets.

The lexicon is the HGNC table (``data/hgnc.tsv.gz``: symbols, names, previous symbols,
aliases) overlaid by ``data/targets_curated.tsv`` (isoforms, antigens, synonyms that HGNC
lacks or shares between genes). Its rules:

- an alias or previous symbol shared by two genes is dropped (``CEA``, ``CAR``) unless the
  curated table decides it; an approved symbol beats another gene's alias;
- symbols without digits and shorter than six characters match case-sensitively, so "met"
  in "met the criteria" or "ret" never match ``MET`` / ``RET``; aliases written all in lower
  case (ordinary words such as "cadherin") are dropped;
- a stoplist of trial vocabulary (:func:`stoplist`) is never looked up from HGNC.

Matching never compiles a pattern over the lexicon: one search of the text finds the fixed
set of cue words (a text without one is not even split into tokens), and the few spans next
to a cue are looked up in dictionaries.

Attaching a target to a product (``TargetMention.intervention``):

1. a target named in an intervention's name, description or other names (or a target of a
   drug named there) is aimed at that intervention;
2. a target named in the trial text that an intervention already carries is not repeated;
3. otherwise, when the cue names a kind of product ("X CAR-T": cell; "X antibody": antibody;
   "X inhibitor": small molecule) and exactly one intervention has that kind, it is that one;
4. otherwise, when the record has exactly one non-placebo cell, antibody or targeted
   small-molecule product whose targets the drug table does not already know, the target
   is aimed at it (seed 002: "positive mesothelin and MUC1" → "Fast CAR T cells");
5. otherwise ``None``.

NKG2D: "NKG2D CAR-T" products carry the NKG2D receptor's extracellular domain and kill cells
expressing NKG2D ligands (MICA, MICB, ULBP1-6). We record the named molecule, ``KLRK1``,
rather than guess which ligands a product binds; a query for the ligands can follow the
receptor.
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from trialgraph.normalize.lexicon import table
from trialgraph.normalize.model import Target, TargetMention
from trialgraph.normalize.products import find_drugs, modality_category, normalize_product

if TYPE_CHECKING:
    from trialgraph.normalize.model import Product
    from trialgraph.records import Intervention, TrialRecord

__all__ = ["find_targets", "resolve_target", "stoplist", "target_by_symbol", "target_synonyms"]


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    """Trial vocabulary never looked up from HGNC (``data/targets_stoplist.tsv``): endpoint,
    response and trial-design abbreviations, cell-therapy words, product codes.

    >>> {"CAR", "OS", "DOR", "MTD", "CR", "PR", "SD", "CRP", "DCR", "U87"} <= stoplist()
    True
    """
    return frozenset(row["term"].upper() for row in table("targets_stoplist.tsv"))


_GREEK = str.maketrans(
    {"α": "a", "β": "b", "γ": "g", "δ": "d", "κ": "k", "ε": "e", "Α": "A", "Β": "B"}
)
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
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


def _key(term: str, *, name: bool = False, squashed: str | None = None) -> tuple[bool, str] | None:
    """``(case_sensitive, key)`` for a lexicon term, or ``None`` when too short to use.

    Names, terms of several words, terms with a digit and words of six or more characters
    with a lower-case letter ignore case; symbols without digits ("MET", "IMPACT") match
    exactly. ``squashed`` is ``squash_case(term)`` when the caller has it already.

    >>> _key("MET"), _key("Tim-3"), _key("mesothelin", name=True), _key("IMPACT")
    ((True, 'MET'), (False, 'tim3'), (False, 'mesothelin'), (True, 'IMPACT'))
    """
    s = squash_case(term) if squashed is None else squashed
    if len(s) < 2:
        return None
    if name or " " in term.strip() or (len(s) >= 3 and any(map(str.isdigit, s))):
        return (False, s.casefold())
    if len(s) >= 6 and any(map(str.islower, s)):
        return (False, s.casefold())
    return (True, s)


@dataclass(frozen=True, slots=True)
class _Lexicon:
    targets: dict[str, Target]  # symbol -> Target
    exact: dict[str, str]  # case-sensitive key -> symbol
    folded: dict[str, str]  # case-folded key -> symbol
    curated_exact: frozenset[str]  # exact keys from the curated table
    by_curie: dict[str, str]  # CURIE -> symbol
    intervention_only: frozenset[str]  # symbols recognized only in intervention fields
    synonyms: dict[str, list[str]]  # symbol -> the other names that resolve to it


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split("|") if p.strip()]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    """Build the lookup tables once per process."""
    targets: dict[str, Target] = {}
    hgnc_rows = table("hgnc.tsv.gz")
    for row in hgnc_rows:
        xrefs = tuple(f"UniProt:{u}" for u in row["uniprot"].split(",") if u.strip())
        targets[row["symbol"]] = Target(
            symbol=row["symbol"],
            label=row["name"],
            curie=row["hgnc_id"],
            kind="gene",
            xrefs=tuple(x.replace(" ", "") for x in xrefs),
        )
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    blocked: set[tuple[bool, str]] = set()
    curated_exact: set[str] = set()
    intervention_only: set[str] = set()
    synonyms: dict[str, list[str]] = {}
    stop = stoplist()

    def add_level(pairs: list[tuple[str, str, bool]], *, curated: bool = False) -> None:
        """Add (term, symbol, is_name) pairs of one priority level; ambiguous keys block."""
        level: dict[tuple[bool, str], set[str]] = {}
        written: dict[tuple[bool, str], str] = {}
        for term, symbol, is_name in pairs:
            plain = squash_case(term)
            if not curated:
                if plain.upper() in stop or len(plain) < 3:
                    continue
                if not is_name and plain.isalpha() and plain.islower():
                    continue  # an ordinary word used as an alias ("cadherin")
                if is_name and len(plain) < 5:
                    continue
            k = _key(term, name=is_name, squashed=plain)
            if k is not None:
                level.setdefault(k, set()).add(symbol)
                written.setdefault(k, term)
        for k, symbols in level.items():
            if k in blocked:
                continue
            target_dict = exact if k[0] else folded
            if k[1] in target_dict:
                continue
            if len(symbols) > 1:
                blocked.add(k)
                continue
            symbol = next(iter(symbols))
            target_dict[k[1]] = symbol
            synonyms.setdefault(symbol, []).append(written[k])
            if curated and k[0]:
                curated_exact.add(k[1])

    curated_pairs: list[tuple[str, str, bool]] = []
    for row in table("targets_curated.tsv"):
        symbol, kind = row["symbol"], row["kind"]
        if kind == "gene":
            if symbol not in targets:
                raise ValueError(f"targets_curated.tsv: {symbol} is not an HGNC symbol")
        else:
            parent = targets[row["parent"]].curie if row["parent"] else None
            targets[symbol] = Target(
                symbol=symbol,
                label=row["label"] or symbol,
                curie=row["curie"] or None,
                kind=kind,
                parent=parent,
            )
        if row["scope"] == "intervention":
            intervention_only.add(symbol)
        curated_pairs.extend((s, symbol, False) for s in [symbol, *_split(row["synonyms"])])
    add_level(curated_pairs, curated=True)
    add_level([(r["symbol"], r["symbol"], False) for r in hgnc_rows])
    add_level([(r["name"], r["symbol"], True) for r in hgnc_rows])
    add_level([(p, r["symbol"], False) for r in hgnc_rows for p in _split(r["prev_symbols"])])
    add_level([(a, r["symbol"], False) for r in hgnc_rows for a in _split(r["alias_symbols"])])
    add_level([(a, r["symbol"], True) for r in hgnc_rows for a in _split(r["alias_names"])])
    by_curie = {t.curie: s for s, t in targets.items() if t.curie}
    return _Lexicon(
        targets=targets,
        exact=exact,
        folded=folded,
        curated_exact=frozenset(curated_exact),
        by_curie=by_curie,
        intervention_only=frozenset(intervention_only),
        synonyms=synonyms,
    )


def target_by_symbol(symbol: str) -> Target | None:
    """The target with this HGNC approved symbol or curated canonical name (exact)."""
    return _lexicon().targets.get(symbol)


def target_synonyms(target: Target) -> list[str]:
    """The names other than its symbol and label that resolve to ``target``, for search.

    >>> target_synonyms(target_by_symbol("TNFRSF17"))
    ['BCMA', 'B-cell maturation antigen', 'CD269', 'BCM', 'TNFRSF13A']
    """
    seen = {target.symbol.casefold(), target.label.casefold()}
    names: list[str] = []
    for name in _lexicon().synonyms.get(target.symbol, []):
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


@lru_cache(maxsize=1 << 16)  # the spans next to cues recur across records
def _lookup(term: str, *, shouting: bool = False) -> str | None:
    """The symbol a whole term denotes, or ``None``. ``shouting``: the text is in capitals,
    so case says nothing and only curated case-sensitive keys are trusted."""
    lex = _lexicon()
    s = squash_case(term.strip())
    if not s:
        return None
    symbol = lex.exact.get(s)
    if symbol is not None and (not shouting or s in lex.curated_exact):
        return symbol
    return lex.folded.get(s.casefold())


def resolve_target(name: str) -> Target | None:
    """A symbol, alias, previous symbol, name, curated synonym or CURIE to its target.

    >>> resolve_target("mesothelin").symbol, resolve_target("BCMA").symbol
    ('MSLN', 'TNFRSF17')
    >>> resolve_target("claudin 18.2").symbol, resolve_target("HGNC:8760").symbol
    ('CLDN18.2', 'PDCD1')
    >>> resolve_target("OS") is None
    True
    """
    lex = _lexicon()
    name = unicodedata.normalize("NFKC", name).translate(_DASHES).strip()
    if name in lex.by_curie:
        return lex.targets[lex.by_curie[name]]
    symbol = _lookup(name)
    return lex.targets[symbol] if symbol is not None else None


def _split_list(term: str) -> list[str]:
    """Symbols of a slash list ("CD19/CD22", "CDK4/6"), all parts resolving, else ``[]``.

    >>> _split_list("CD19/CD22"), _split_list("CDK4/6"), _split_list("paclitaxel/carboplatin")
    (['CD19', 'CD22'], ['CDK4', 'CDK6'], [])
    """
    if "/" not in term:
        return []
    parts = [p for p in term.split("/") if p]
    out: list[str] = []
    prefix = ""
    for part in parts:
        if part.isdigit() and prefix:
            part = prefix + part
        symbol = _lookup(part)
        if symbol is None:
            return []
        out.append(symbol)
        prefix = re.sub(r"\d+$", "", part)
    return out


# ---------------------------------------------------------------------------------------
# Context cues

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
    r"CAR|CAR-T|CART|CAR-NK|CAR-T-cells?|CAR-T-cell|TCR|TCR-T|ADC|TKIs?|inhibitors?|"
    r"antibody|antibodies|mAb|engager|bispecific)$",
    re.IGNORECASE,
)
_MUTATION = r"[A-Z]\d{2,4}(?:[A-Z]|del|ins|fs|\*)|G12[A-Z]|V600[A-Z]?|ex(?:on)?\d+\w*|del19"
_VARIANT = re.compile(rf"^(?:{_MUTATION})$")
_CAR_PREFIX = re.compile(r"^CAR[-‐](?P<x>.+)$", re.IGNORECASE)
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
        rf"(?<![^{_SEPARATORS}\-‐])(?:(?i:{words})|{_MUTATION})(?![^{_SEPARATORS}.'’\-‐])"
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
class _Hit:
    symbols: tuple[str, ...]
    text: str
    kind: str | None  # the kind of product the cue implies
    first: int  # token span of the hit, for coordination
    last: int


class _Scanner:
    """Finds targets next to cues in one text."""

    def __init__(self, text: str) -> None:
        text = unicodedata.normalize("NFKC", text)
        self.text = text if text.isascii() else text.translate(_DASHES)  # dashes are not ASCII
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
        """:func:`_lookup` in this text; whether it is in capitals is worked out only once a
        term matches."""
        symbol = _lookup(term)
        return _lookup(term, shouting=True) if symbol is not None and self.shouting else symbol

    def _resolve(self, term: str, *, trim: bool) -> tuple[list[str], str]:
        """Symbols a term denotes and the part of it that named them."""
        symbol = self._symbol(term)
        if symbol is not None:
            return [symbol], term
        listed = _split_list(term)
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

    def _coord_forward(self, last: int, kind: str | None) -> list[_Hit]:
        hits: list[_Hit] = []
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
            hits.append(_Hit(tuple(symbols), matched, kind, a, b))
            i = b + 1
        return hits

    def _coord_backward(self, first: int, kind: str | None) -> list[_Hit]:
        hits: list[_Hit] = []
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
            hits.append(_Hit(tuple(symbols), matched, kind, a, b))
            j = a - 1
        return hits

    def scan(self) -> list[_Hit]:
        hits: list[_Hit] = []
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
                    hits.append(_Hit(tuple(symbols), matched, "antibody", a, b))
                    hits.extend(self._coord_forward(b, "antibody"))
                continue
            m = _CAR_PREFIX.match(word)
            if m and not _NOT_AFTER_CAR.match(m.group("x")):
                symbols, matched = self._resolve(m.group("x"), trim=True)
                if symbols:
                    hits.append(_Hit(tuple(symbols), matched, "cell", i, i))
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
                        hits.append(_Hit(tuple(symbols), matched, kind, a, b))
                        hits.extend(self._coord_forward(b, kind))
            # hyphen-attached suffix cues: X-positive, X-CAR, X-directed, ...
            m = _HYPHEN_SUFFIX.match(word)
            if m:
                cue = m.group("cue").casefold()
                kind = _BACKWARD.get(cue, _BACKWARD.get(cue.rstrip("s")))
                symbols, matched, a, b = self.backward(i, last=m.group("x"))
                if symbols:
                    hits.append(_Hit(tuple(symbols), matched, kind, a, b))
                    hits.extend(self._coord_backward(a, kind))
                continue
            # separate backward cue words: X CAR-T, X antibody, KRAS G12C
            if i > 0 and (low in _BACKWARD or _VARIANT.match(word)) and "." not in self._gap(i):
                kind = _BACKWARD.get(low)
                symbols, matched, a, b = self.backward(i - 1)
                if symbols:
                    hits.append(_Hit(tuple(symbols), matched, kind, a, b))
                    hits.extend(self._coord_backward(a, kind))
        return hits


def _record_texts(record: TrialRecord) -> list[str]:
    return [
        t
        for t in (
            record.title,
            record.official_title,
            record.brief_summary,
            record.detailed_description,
        )
        if t
    ]


def _intervention_texts(intervention: Intervention) -> list[str]:
    return [
        t for t in (intervention.name, intervention.description, *intervention.other_names) if t
    ]


def find_targets(record: TrialRecord) -> list[TargetMention]:
    """The targets a record names in context, each with the product aimed at it.

    Reads the titles, brief summary, detailed description and every intervention's name,
    description and other names (not outcome measures: they name analytes, not targets).
    One mention per (target, intervention); order: interventions first, then trial text.
    """
    lex = _lexicon()
    mentions: list[TargetMention] = []
    seen: set[tuple[str, int | None]] = set()

    def add(symbol: str, text: str, index: int | None) -> None:
        if (symbol, index) in seen:
            return
        seen.add((symbol, index))
        mentions.append(TargetMention(lex.targets[symbol], text, index))

    products = [normalize_product(iv, record) for iv in record.interventions]
    known_targets: list[bool] = []
    for index, iv in enumerate(record.interventions):
        drugs = find_drugs(iv.name)
        if not drugs:
            for other in iv.other_names:
                drugs = find_drugs(other)
                if drugs:
                    break
        known_targets.append(any(d.targets for d in drugs))
        for drug in drugs:
            for symbol in drug.targets:
                if symbol in lex.targets:
                    add(symbol, drug.name, index)
        if _aimable(products[index], iv):
            for text in _intervention_texts(iv):
                for hit in _Scanner(text).scan():
                    for symbol in hit.symbols:
                        add(symbol, hit.text, index)

    attached = {sym for sym, idx in seen if idx is not None}
    # candidate products for text mentions
    active = [
        i
        for i, p in enumerate(products)
        if modality_category(p.modality) in {"cell", "antibody"} or p.modality == "small molecule"
    ]
    texts = _record_texts(record) + [
        t
        for i, iv in enumerate(record.interventions)
        if not _aimable(products[i], iv)
        for t in _intervention_texts(iv)
    ]
    for text in texts:
        for hit in _Scanner(text).scan():
            for symbol in hit.symbols:
                if symbol in attached or symbol in lex.intervention_only:
                    continue
                attach_to = _attach(hit.kind, products, active, known_targets, record)
                add(symbol, hit.text, attach_to)
    # a target attached somewhere needs no unattached duplicate
    attached = {m.target.symbol for m in mentions if m.intervention is not None}
    return [m for m in mentions if m.intervention is not None or m.target.symbol not in attached]


_PRODUCT_TYPES = frozenset({"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"})


def _aimable(product: Product, intervention: Intervention) -> bool:
    """Whether an intervention can be aimed at a target: a drug-like product of a targeted
    modality, or of unknown modality. Radiation, procedures, chemotherapy, placebo and the
    like are not; what their descriptions name counts as trial text."""
    category = modality_category(product.modality)
    if category in {"cell", "antibody"} or product.modality in {"small molecule", "vaccine"}:
        return True
    return product.modality is None and intervention.type in _PRODUCT_TYPES


def _attach(
    kind: str | None,
    products: list[Product],
    active: list[int],
    known_targets: list[bool],
    record: TrialRecord,
) -> int | None:
    """The intervention a target named in trial text is aimed at (rules 3-4 above)."""

    def category(i: int) -> str | None:
        p = products[i]
        return "drug" if p.modality == "small molecule" else modality_category(p.modality)

    if kind is not None:
        same = [i for i in active if category(i) == kind and not known_targets[i]]
        if not same:
            # the cue says a product is aimed at the target ("a novel EGFR inhibitor"):
            # a single drug-like intervention of unknown modality is that product
            same = [
                i
                for i, iv in enumerate(record.interventions)
                if products[i].modality is None
                and iv.type in _PRODUCT_TYPES
                and not known_targets[i]
            ]
        if len(same) == 1:
            return same[0]
    if len(active) == 1 and not known_targets[active[0]]:
        return active[0]
    return None
