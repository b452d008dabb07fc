"""The target lexicon: HGNC genes and curated isoforms and antigens, and the keys that name them.

The lexicon is the HGNC table (``data/hgnc.tsv.gz``: symbols, names, previous symbols,
aliases) overlaid by ``data/targets_curated.tsv`` (isoforms, antigens, synonyms that HGNC
lacks or shares between genes). Its rules:

- terms are added in levels of falling priority: curated terms, approved symbols, names,
  previous symbols, alias symbols, alias names. A key an earlier level took stays taken; a
  key two targets share within a level names neither, then or later (``CEA``, ``CAR``). So
  an approved symbol beats another gene's alias, and the curated table decides what HGNC
  leaves ambiguous;
- symbols without digits and shorter than six characters match case-sensitively, so "met"
  in "met the criteria" or "ret" never match ``MET`` / ``RET``; aliases written all in lower
  case (ordinary words such as "cadherin") are dropped;
- a stoplist of trial vocabulary (:func:`stoplist`) is never looked up from HGNC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from trialgraph.normalize.cache import vocabulary
from trialgraph.normalize.lexicon import squash_case, table
from trialgraph.normalize.model import Target

__all__ = [
    "DASHES",
    "Lexicon",
    "lexicon",
    "lookup",
    "resolve_target",
    "split_list",
    "stoplist",
    "target_by_symbol",
    "target_synonyms",
]

#: Unicode dashes to ASCII hyphens.
DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})

#: A term of the lexicon: ``(term, symbol, is_name)``.
_Term = tuple[str, str, bool]


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    """Trial vocabulary never looked up from HGNC (``data/targets_stoplist.tsv``): endpoint,
    response and trial-design abbreviations, cell-therapy words, product codes.

    >>> {"CAR", "OS", "DOR", "MTD", "CR", "PR", "SD", "CRP", "DCR", "U87"} <= stoplist()
    True
    """
    return frozenset(row["term"].upper() for row in table("targets_stoplist.tsv"))


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
class Lexicon:
    """The lookup tables of the target lexicon."""

    targets: dict[str, Target]  # symbol -> Target
    exact: dict[str, str]  # case-sensitive key -> symbol
    folded: dict[str, str]  # case-folded key -> symbol
    curated_exact: frozenset[str]  # exact keys from the curated table
    by_curie: dict[str, str]  # CURIE -> symbol
    intervention_only: frozenset[str]  # symbols recognized only in intervention fields
    synonyms: dict[str, list[str]]  # symbol -> the other names that resolve to it


def _split(cell: str) -> list[str]:
    return [p.strip() for p in cell.split("|") if p.strip()]


def _hgnc_targets(rows: Iterable[dict[str, str]]) -> dict[str, Target]:
    """The gene-product targets of the HGNC table, by approved symbol."""
    targets: dict[str, Target] = {}
    for row in rows:
        xrefs = tuple(f"UniProt:{u}" for u in row["uniprot"].split(",") if u.strip())
        targets[row["symbol"]] = Target(
            symbol=row["symbol"],
            label=row["name"],
            curie=row["hgnc_id"],
            kind="gene",
            xrefs=tuple(x.replace(" ", "") for x in xrefs),
        )
    return targets


def _add_curated(targets: dict[str, Target]) -> tuple[list[_Term], set[str]]:
    """Add the curated table's isoforms and antigens to ``targets``; return its terms and
    the symbols it recognizes only in intervention fields."""
    terms: list[_Term] = []
    intervention_only: set[str] = set()
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
        terms.extend((s, symbol, False) for s in [symbol, *_split(row["synonyms"])])
    return terms, intervention_only


def _hgnc_levels(rows: tuple[dict[str, str], ...]) -> Iterable[list[_Term]]:
    """The HGNC table's terms, one list per priority level, highest first."""
    yield [(r["symbol"], r["symbol"], False) for r in rows]
    yield [(r["name"], r["symbol"], True) for r in rows]
    yield [(p, r["symbol"], False) for r in rows for p in _split(r["prev_symbols"])]
    yield [(a, r["symbol"], False) for r in rows for a in _split(r["alias_symbols"])]
    yield [(a, r["symbol"], True) for r in rows for a in _split(r["alias_names"])]


@dataclass
class _Keys:
    """The key tables while the lexicon is built, one priority level at a time."""

    stop: frozenset[str]
    exact: dict[str, str] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    blocked: set[tuple[bool, str]] = field(default_factory=set)
    curated_exact: set[str] = field(default_factory=set)
    synonyms: dict[str, list[str]] = field(default_factory=dict)

    def add_level(self, terms: list[_Term], *, curated: bool = False) -> None:
        """Add the terms of one priority level; a key two symbols share is blocked."""
        level, written = self._group(terms, curated=curated)
        exact, folded, blocked, synonyms = self.exact, self.folded, self.blocked, self.synonyms
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
                self.curated_exact.add(k[1])

    def _group(
        self, terms: list[_Term], *, curated: bool
    ) -> tuple[dict[tuple[bool, str], set[str]], dict[tuple[bool, str], str]]:
        """The symbols of each usable key of ``terms``, and each key's first term as written.

        Curated terms are all usable; of the others, stoplist words, terms under three
        characters, names under five, and aliases that are ordinary lower-case words are not.
        """
        stop = self.stop
        level: dict[tuple[bool, str], set[str]] = {}
        written: dict[tuple[bool, str], str] = {}
        for term, symbol, is_name in terms:
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
        return level, written


@vocabulary
def lexicon() -> Lexicon:
    """Build the lookup tables (once per process, kept between processes: see
    :mod:`trialgraph.normalize.cache`)."""
    hgnc_rows = table("hgnc.tsv.gz")
    targets = _hgnc_targets(hgnc_rows)
    curated_terms, intervention_only = _add_curated(targets)
    keys = _Keys(stoplist())
    keys.add_level(curated_terms, curated=True)
    for terms in _hgnc_levels(hgnc_rows):
        keys.add_level(terms)
    return Lexicon(
        targets=targets,
        exact=keys.exact,
        folded=keys.folded,
        curated_exact=frozenset(keys.curated_exact),
        by_curie={t.curie: s for s, t in targets.items() if t.curie},
        intervention_only=frozenset(intervention_only),
        synonyms=keys.synonyms,
    )


def target_by_symbol(symbol: str) -> Target | None:
    """The target with this HGNC approved symbol or curated canonical name (exact)."""
    return lexicon().targets.get(symbol)


def target_synonyms(target: Target) -> list[str]:
    """The names other than its symbol and label that resolve to ``target``, for search.

    >>> target_synonyms(target_by_symbol("TNFRSF17"))
    ['BCMA', 'B-cell maturation antigen', 'CD269', 'BCM', 'TNFRSF13A']
    """
    seen = {target.symbol.casefold(), target.label.casefold()}
    names: list[str] = []
    for name in lexicon().synonyms.get(target.symbol, []):
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


@lru_cache(maxsize=1 << 16)  # the spans next to cues recur across records
def lookup(term: str, *, shouting: bool = False) -> str | None:
    """The symbol a whole term denotes, or ``None``. ``shouting``: the text is in capitals,
    so case says nothing and only curated case-sensitive keys are trusted."""
    lex = lexicon()
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
    lex = lexicon()
    name = unicodedata.normalize("NFKC", name).translate(DASHES).strip()
    if name in lex.by_curie:
        return lex.targets[lex.by_curie[name]]
    symbol = lookup(name)
    return lex.targets[symbol] if symbol is not None else None


_LIST_SEPARATORS = re.compile(r"[/+×]|(?<=[A-Za-z0-9])x(?=[A-Z0-9])")
_HYPHEN_LIST = re.compile(r"[-‐](?=[A-Za-z])")


def split_list(term: str) -> list[str]:
    """Symbols of a list of targets in one token ("CD19/CD22", "CDK4/6", "CD19+CD22",
    "CD19xCD22", "BCMA-CD19": tandem and bispecific constructs), every part resolving,
    else ``[]``.

    >>> split_list("CD19/CD22"), split_list("CDK4/6"), split_list("paclitaxel/carboplatin")
    (['CD19', 'CD22'], ['CDK4', 'CDK6'], [])
    >>> split_list("CD22-CD19"), split_list("CD19xCD22"), split_list("PD-L1")
    (['CD22', 'CD19'], ['CD19', 'CD22'], [])
    """
    if "/" in term or "+" in term or "×" in term or "x" in term:
        parts = [p for p in _LIST_SEPARATORS.split(term) if p]
    else:
        parts = []
    if len(parts) < 2:
        if "-" not in term and "‐" not in term:
            return []
        # "BCMA-CD19": a hyphen between two names, where the whole is no name
        parts = [p for p in _HYPHEN_LIST.split(term) if p]
        if len(parts) < 2:
            return []
    out: list[str] = []
    prefix = ""
    for part in parts:
        if part.isdigit() and prefix:
            part = prefix + part
        symbol = lookup(part)
        if symbol is None:
            return []
        out.append(symbol)
        prefix = re.sub(r"\d+$", "", part)
    return out
