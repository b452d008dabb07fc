"""Outcome measures to endpoint concepts, assessment criteria and measured analytes.

The words are data (``data/endpoints.tsv``, ``criteria.tsv``, ``analytes.tsv``); this module
holds the few rules that use them:

- The measure decides. Its description is read only when the measure names just a kind of
  endpoint ("Pharmacokinetics of U87 CAR-T cells", "Safety and Tolerability"): then the
  description's specific endpoints are taken, skipping negated mentions ("not including").
  A measure the lexicon does not know stays OTHER, whatever its description says (those
  descriptions are often study-wide boilerplate). What follows a measure's own definition
  ("DCR: percentage of participants with CR or PR") adds no codes.
- An adverse-event outcome also takes the dose-limiting toxicities its description says it
  records ("Incidence of Adverse events" described as "... Dose-limiting toxicity after
  U87 CAR-T cells infusion": the same observation window yields the DLT assessment). Not
  serious adverse events: AE descriptions define "serious" as boilerplate.
  Other descriptions mostly define their endpoint through others ("CR, PR and SD" in a
  disease-control rate), so they add nothing.
- Analytes attach only to cytokine / pharmacodynamic outcomes, where they are measured, and
  to ``LAB_MEASURE``: the level of a laboratory analyte (``lab_analytes.tsv``) the measure
  names outside the words of another endpoint ("PSA response" is a response, "Change in
  HbA1c" a laboratory measure).
- Named instruments (``instruments.tsv``) are endpoints like the others, each with the domain
  it measures. A bare abbreviation that names different things in different areas ("CDR",
  "HR", "EF") counts only beside words of its area in the measure or description.
- Stop phrases (``endpoint_stops.tsv``) hide endpoint words inside longer phrases that name
  something else ("self-efficacy").
- Unrecognized outcomes get ``("OTHER",)``; nothing is guessed. The catch-all codes
  (:data:`CATCH_ALL`) are categories: an outcome with only those is not coded.
- Each outcome also gets a measure type and a direction (:mod:`.measures`).

Patterns are compiled once per process; :func:`classify_outcome` does a handful of regex
scans per distinct measure and description, and remembers the result: registries repeat
them across outcomes and records.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from trialgraph.normalize.durations import parse_duration
from trialgraph.normalize.lexicon import PhraseMatcher, table
from trialgraph.normalize.measures import direction, measure_type
from trialgraph.normalize.model import Analyte, Criterion, Endpoint
from trialgraph.records import Outcome

__all__ = [
    "CATCH_ALL",
    "EndpointConcept",
    "classify_outcome",
    "endpoint_concepts",
    "find_analytes",
    "find_criteria",
    "find_lab_analytes",
    "is_specific",
]

OTHER = "OTHER"
LAB_MEASURE = "LAB_MEASURE"
#: Codes that name a category of endpoint, not a concept: an outcome with only these is not
#: coded. ``LAB_MEASURE`` is not among them: it is given only with its analytes attached.
CATCH_ALL = frozenset({"SAFETY", "EFFICACY", "LAB", "DIAGNOSTIC", OTHER})
_STOP = "-"

#: Codes an outcome whose measure has the key code also takes from its description.
_FROM_DESCRIPTION: dict[str, frozenset[str]] = {"AE": frozenset({"DLT"})}
# Where a measure goes on to define itself ("DCR: percentage with CR or PR", "Disease Control
# (Defined as Complete or Partial Response ...)"), what follows only explains it.
_DEFINITION = re.compile(r":|\(?\b(?:defined as|as defined by|i\.e\.)", re.IGNORECASE)

# Full-width punctuation to ASCII, one character for one so match positions stay valid.
_FULLWIDTH = str.maketrans("（）［］【】，：；、", "()[][],:;,")
# An in-word hyphen reads as a space ("progression-free"), except after "non" ("non-serious").
# The hyphen comes first so that the regex engine skips from hyphen to hyphen; the look-behinds
# then end with the hyphen itself.
_INWORD_HYPHEN = re.compile(r"[-‐‑–](?<=\w.)(?<![Nn]on.)(?=\w)")
_NEGATION_BEFORE = re.compile(
    r"(?:\bnot?|\bwithout|\bexcluding|\bexcept|\bother\s+than|\bnon)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# Mojibake of Greek letters (UTF-8 read as Latin-1) that records carry: IFN Î³ is IFN γ.
_GREEK_REPAIR = str.maketrans({"ɣ": "γ", "Ɣ": "γ", "µ": "μ"})
_MOJIBAKE = (("Î±", "α"), ("Î²", "β"), ("Î³", "γ"), ("Îº", "κ"))


@dataclass(frozen=True, slots=True)
class EndpointConcept:
    """One endpoint code of the lexicon, with its label, category and NCIt code; the domain
    it measures, which way of it is better, what kind of quantity it is (``event``,
    ``time``, ``rate``, ``score``, ``value``), and whether it is a named instrument."""

    code: str
    label: str
    category: str
    ncit: str | None
    domain: str | None = None
    direction: str | None = None
    kind: str | None = None
    instrument: bool = False


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int
    code: str
    generic: bool


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _prepare(text: str) -> str:
    """Text as the endpoint lexicon reads it (same length as ``text``).

    >>> _prepare("Progression-free survival（PFS）, non-serious AEs")
    'Progression free survival(PFS), non-serious AEs'
    """
    return _INWORD_HYPHEN.sub(" ", _halfwidth(text))


def _halfwidth(text: str) -> str:
    """``text`` with full-width punctuation as ASCII (only non-ASCII text has any)."""
    return text if text.isascii() else text.translate(_FULLWIDTH)


def _scoped(pattern: str) -> str:
    """A table pattern as one alternative: a leading ``(?i)`` applies to it alone.

    >>> _scoped("(?i)time to peak"), _scoped("AUC")
    ('(?i:time to peak)', 'AUC')
    """
    return f"(?i:{pattern[4:]})" if pattern.startswith("(?i)") else pattern


class _Alternatives:
    """Regex alternatives as one pattern, each match with the index of its alternative.

    A group around each alternative would keep the regex engine from skipping alternatives
    by their first character, so the text is scanned by a copy without groups, and the
    grouped pattern is tried only where that copy matched, to tell which alternative it
    was. Both try the same alternatives in the same order, so they match the same.
    """

    def __init__(self, alternatives: list[str], before: str, after: str, flags: int = 0) -> None:
        plain = "|".join(f"(?:{a})" for a in alternatives)
        named = "|".join(f"(?P<a{i}>{a})" for i, a in enumerate(alternatives))
        self._scanner = re.compile(f"{before}(?:{plain}){after}", flags)
        self._namer = re.compile(f"{before}(?:{named}){after}", flags)

    def finditer(self, text: str) -> Iterator[tuple[int, int, int]]:
        """``(start, end, index of the alternative)`` of each match, left to right."""
        for m in self._scanner.finditer(text):
            named = self._namer.match(text, m.start())
            assert named is not None and named.lastgroup is not None
            yield m.start(), m.end(), int(named.lastgroup[1:])


class _EndpointLexicon:
    """The endpoint and instrument tables compiled: one phrase matcher, one combined
    pattern, and the contextual patterns with the context each needs."""

    def __init__(self) -> None:
        self.concepts: dict[str, EndpointConcept] = {}
        phrases: list[tuple[str, str]] = []
        patterns: list[tuple[str, str]] = []
        contextual: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for name in ("endpoints.tsv", "instruments.tsv"):
            for row in table(name):
                code = row["code"]
                self.concepts[code] = EndpointConcept(
                    code,
                    row["label"],
                    row["category"],
                    row.get("ncit") or None,
                    row["domain"] or None,
                    row["direction"] or None,
                    row["kind"] or None,
                    name == "instruments.tsv",
                )
                phrases += [(_prepare(p), code) for p in _split(row["phrases"])]
                phrases += [(_prepare(p), code + "*") for p in _split(row.get("generic", ""))]
                patterns += [(_scoped(p), code) for p in _split(row["patterns"])]
                context = re.compile(row["context"]) if row["context"] else None
                for p in _split(row["contextual"]):
                    assert context is not None, code
                    contextual.setdefault(_scoped(p), []).append((code, context))
        phrases += [(_prepare(row["phrase"]), _STOP) for row in table("endpoint_stops.tsv")]
        self.phrases = PhraseMatcher(phrases)
        # Longer pattern texts first: a rough "most specific alternative first".
        patterns.sort(key=lambda item: len(item[0]), reverse=True)
        self.pattern_codes = [code for _, code in patterns]
        self.patterns = _Alternatives(
            [f"(?:{p})" for p, _ in patterns], r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
        )
        ambiguous = sorted(contextual, key=len, reverse=True)
        self.contextual = [contextual[p] for p in ambiguous]
        self.ambiguous = _Alternatives(
            [f"(?:{p})" for p in ambiguous], r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
        )

    def scan(self, text: str, context: str, *, negations: bool = False) -> list[_Hit]:
        """Endpoint mentions in prepared ``text``, leftmost-longest, without overlaps;
        ``context`` is what an ambiguous abbreviation's context must be found in."""
        hits = [
            _Hit(m.start, m.end, m.value.rstrip("*"), m.value.endswith("*"))
            for m in self.phrases.find(text)
        ]
        for start, end, i in self.patterns.finditer(text):
            hits.append(_Hit(start, end, self.pattern_codes[i], False))
        for start, end, i in self.ambiguous.finditer(text):
            code = next((c for c, ctx in self.contextual[i] if ctx.search(context)), _STOP)
            hits.append(_Hit(start, end, code, False))
        hits.sort(key=lambda h: (h.start, h.start - h.end))
        kept: list[_Hit] = []
        end = -1
        for hit in hits:
            if hit.start < end:
                continue
            if negations and _NEGATION_BEFORE.search(text[max(0, hit.start - 40) : hit.start]):
                continue
            kept.append(hit)
            end = hit.end
        return [h for h in kept if h.code != _STOP]


@lru_cache(maxsize=1)
def _endpoint_lexicon() -> _EndpointLexicon:
    return _EndpointLexicon()


def endpoint_concepts() -> dict[str, EndpointConcept]:
    """All endpoint codes of the lexicon, by code (for the vocabulary graph)."""
    return dict(_endpoint_lexicon().concepts)


def _unique(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def is_specific(codes: tuple[str, ...]) -> bool:
    """Whether an outcome with ``codes`` names a specific concept, not only catch-alls.

    >>> is_specific(("SAFETY",)), is_specific(("EFFICACY", "PHQ-9")), is_specific(("OTHER",))
    (False, True, False)
    """
    return any(code not in CATCH_ALL for code in codes)


def classify_outcome(outcome: Outcome) -> Endpoint:
    """The endpoint an outcome measure reports: codes, category, criteria, analytes,
    duration, measure type and direction.

    >>> from trialgraph.records import Outcome
    >>> e = classify_outcome(Outcome("secondary", "Objective response rate (ORR)",
    ...     "Clinical response will be assessed by RECIST 1.1", "Month 12"))
    >>> e.codes, e.category, [c.label for c in e.criteria], e.duration
    (('ORR',), 'efficacy', ['RECIST 1.1'], 'P12M')
    >>> e.measure_type, e.direction
    ('proportion', 'higher-better')
    """
    r = _interpret(outcome.measure, outcome.description)
    return Endpoint(
        role=outcome.role,
        codes=r.codes,
        category=r.category,
        criteria=r.criteria,
        analytes=r.analytes,
        duration=parse_duration(outcome.time_frame),
        measure_type=r.measure_type,
        direction=r.direction,
    )


@dataclass(frozen=True, slots=True)
class _Reading:
    """What an outcome's measure and description say, before its time frame is read."""

    codes: tuple[str, ...]
    category: str
    criteria: tuple[Criterion, ...]
    analytes: tuple[Analyte, ...]
    measure_type: str | None
    direction: str | None


@lru_cache(maxsize=16384)
def _interpret(measure_text: str, description_text: str) -> _Reading:
    """Codes, category, criteria, analytes, measure type and direction of an outcome."""
    lex = _endpoint_lexicon()
    codes, analytes = _codes(lex, measure_text, description_text)
    concepts = [lex.concepts[c] for c in codes if c not in CATCH_ALL]
    mtype = measure_type(
        measure_text,
        [c.kind for c in concepts if c.kind],
        pk=any(c.domain == "pharmacokinetics" for c in concepts),
    )
    graded = [(_concept_direction(c, analytes), c.kind or "") for c in concepts]
    return _Reading(
        tuple(codes),
        lex.concepts[codes[0]].category,
        find_criteria(f"{measure_text}\n{description_text}"),
        analytes,
        mtype,
        direction(graded, mtype, measure_text) if graded else None,
    )


def _concept_direction(concept: EndpointConcept, analytes: tuple[Analyte, ...]) -> str:
    """A concept's own direction; a laboratory measure's is its analytes' common one."""
    if concept.code != LAB_MEASURE:
        return concept.direction or ""
    ways = {_lab_analyte_lexicon().directions.get(a.key, "") for a in analytes}
    return ways.pop() if len(ways) == 1 else ""


def _yield_to_named(lex: _EndpointLexicon, codes: list[str]) -> list[str]:
    """``codes`` without the unnamed scales ("quality of life", "pain") that a named
    instrument of the same domain measures ("Quality of life (EORTC QLQ-C30)"), and
    without ``PK`` beside a named parameter ("Plasma concentration at 24 hours (C24)")."""
    if "PK" in codes and any(
        c != "PK" and lex.concepts[c].domain == "pharmacokinetics" for c in codes
    ):
        codes = [c for c in codes if c != "PK"]
    named = [lex.concepts[c] for c in codes if lex.concepts[c].instrument]
    if not named:
        return codes
    domains = {c.domain for c in named} | {
        "quality of life" for c in named if c.category == "quality of life"
    }
    return [
        c
        for c in codes
        if lex.concepts[c].instrument
        or lex.concepts[c].kind != "score"
        or lex.concepts[c].domain not in domains
    ]


def _unnamed_domains(lex: _EndpointLexicon, codes: list[str]) -> set[str | None]:
    """The domains of the unnamed scales among ``codes`` ("Quality of life", "Pain")."""
    return {
        lex.concepts[c].domain
        for c in codes
        if lex.concepts[c].kind == "score" and not lex.concepts[c].instrument
    }


def _instruments_of(lex: _EndpointLexicon, unnamed: set[str | None], hits: list[_Hit]) -> list[str]:
    """The instruments among a description's ``hits`` that measure one of the ``unnamed``
    domains: "Quality of life" described as "assessed with the SF-36" is measured by the
    SF-36 (and :func:`_yield_to_named` then drops the unnamed scale)."""
    found = []
    for hit in hits:
        concept = lex.concepts[hit.code]
        if concept.instrument and (
            concept.domain in unnamed
            or ("quality of life" in unnamed and concept.category == "quality of life")
        ):
            found.append(hit.code)
    return found


def _codes(
    lex: _EndpointLexicon, measure_text: str, description_text: str
) -> tuple[list[str], tuple[Analyte, ...]]:
    """The endpoint codes of an outcome, and the analytes it measures."""
    context = f"{measure_text}\n{description_text}"
    measure = _prepare(measure_text)
    measure_hits = lex.scan(measure, context)
    definition = _DEFINITION.search(measure)
    if definition and any(not h.generic and h.end <= definition.start() for h in measure_hits):
        measure_hits = [h for h in measure_hits if h.end <= definition.start()]
    labs = _lab_hits(measure[: definition.start()] if definition else measure, measure_hits)
    if any(lex.concepts[h.code].domain == "laboratory" for h in measure_hits):
        labs = []  # the analyte's own endpoint ("PSA50 response", "IL-6 levels") says it
    if labs:
        lab = _Hit(labs[0][0], labs[0][0], LAB_MEASURE, False)
        measure_hits = sorted([*measure_hits, lab], key=lambda h: h.start)
    specific = _unique([h.code for h in measure_hits if not h.generic])
    generic = _unique([h.code for h in measure_hits if h.generic])
    description = _prepare(description_text) if description_text else ""

    codes: list[str]
    if specific:
        codes = specific
        extra = frozenset().union(*(_FROM_DESCRIPTION.get(c, frozenset()) for c in codes))
        unnamed = _unnamed_domains(lex, codes)
        if description and (extra or unnamed):  # the description scanned once for both
            found = lex.scan(description, context, negations=True)
            codes = _unique(
                codes
                + [h.code for h in found if h.code in extra]
                + _instruments_of(lex, unnamed, found)
            )
    else:
        # Only a measure naming a kind of endpoint is specified by its description.
        described = (
            _unique(
                [h.code for h in lex.scan(description, context, negations=True) if not h.generic]
            )
            if description and generic
            else []
        )
        in_measure = find_analytes(measure_text)
        in_description = find_analytes(description_text) if description else ()
        if in_measure or (
            in_description and (not generic or "BIOMARKER" in generic or "CYTOKINES" in described)
        ):
            codes = ["CYTOKINES"]
        else:
            codes = described or generic
    codes = _yield_to_named(lex, codes)
    analytes: tuple[Analyte, ...] = ()
    if "CYTOKINES" in codes:
        analytes = tuple(
            dict.fromkeys(find_analytes(measure_text) + find_analytes(description_text))
        )
    if LAB_MEASURE in codes:
        analytes += tuple(dict.fromkeys(analyte for _, analyte in labs))
    return codes or [OTHER], analytes


# ---------------------------------------------------------------------------------------
# Criteria


@dataclass(frozen=True, slots=True)
class _Family:
    family: str
    label: str
    label_format: str
    curie: str | None
    versions: tuple[str, ...]


class _CriteriaLexicon:
    def __init__(self) -> None:
        self.families: list[_Family] = []
        alternatives: list[str] = []
        for row in table("criteria.tsv"):
            self.families.append(
                _Family(
                    row["family"],
                    row["label"],
                    row["label_format"],
                    row["ncit"] or None,
                    tuple(_split(row["versions"])),
                )
            )
            alternatives.append(row["pattern"])
        self.patterns = _Alternatives(
            alternatives, r"(?<![A-Za-z0-9])", r"(?![A-Za-z])", re.IGNORECASE
        )

    def version(self, family: _Family, following: str) -> str:
        """The version written right after a criteria name, if it is a known release."""
        m = _VERSION_AFTER.match(following)
        if not m:
            return ""
        written = m.group(1)
        for known in family.versions:
            if written == known or (written.isdigit() and known == f"{written}.0"):
                return known
        return ""


# What may stand between a criteria name and its version: punctuation, the words
# "criteria", "guidelines", "toxicity grading" (before "v" or "version"), the abbreviation
# after a spelled-out name ("(NCI CTCAE) Version (v) 5.0"), and "version" or "v" in the
# registry's spellings ("v.", "(v)", "version(v) 1.1", "version1.1").
_VERSION_AFTER = re.compile(
    r"(?:\s+|[-,;:()\[\]'’]|criteria\b|guidelines?\b|classification\b|(?:NCI[- ]?)?CTCAE\b"
    r"|RECIST\b|(?:toxicity\s+)?grading\s+(?=v|version)|version(?:\b|(?=\d))|ver\.|\(v\)"
    r"|v\.?(?=\s*\d))*?(\d+(?:\.\d+)?)(?![\d.]*\d)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _criteria_lexicon() -> _CriteriaLexicon:
    return _CriteriaLexicon()


def find_criteria(text: str) -> tuple[Criterion, ...]:
    """Assessment criteria named in ``text``, with their version where one is written.

    A family named both with and without a version is kept only with it.

    >>> [c.label for c in find_criteria("CTCAE, Version 5.0; RECIST1.1 and iRECIST")]
    ['CTCAE v5.0', 'RECIST 1.1', 'iRECIST']
    >>> find_criteria("NCI CTCAE")[0].key
    'CTCAE'
    """
    if not text:
        return ()
    lex = _criteria_lexicon()
    text = _halfwidth(text)
    found: dict[str, Criterion] = {}
    for _, end, i in lex.patterns.finditer(text):
        family = lex.families[i]
        version = lex.version(family, text[end : end + 40])
        if version:
            key = f"{family.family}-{version}"
            label = family.label_format.format(v=version)
        else:
            key, label = family.family, family.label
        found.setdefault(key, Criterion(key, label, family.family, version, family.curie))
    versioned = {c.family for c in found.values() if c.version}
    return tuple(c for c in found.values() if c.version or c.family not in versioned)


# ---------------------------------------------------------------------------------------
# Analytes


def _flexible(name: str) -> str:
    """A regex for an analyte name where hyphen, space or nothing may separate its parts.

    >>> [bool(re.fullmatch(_flexible("IFN-γ"), t)) for t in ("IFN γ", "IFNγ", "IFN--γ")]
    [True, True, True]
    """
    parts = [p for p in re.split(r"[-\s]+", name) if p]
    pieces: list[str] = []
    for part in parts:
        # Also between a name and its number or Greek letter written without a hyphen.
        sub = re.findall(r"[A-Za-z]+|\d+|[^\W\d_A-Za-z]+|.", part)
        pieces.append(r"[-\s]?".join(re.escape(s) for s in sub))
    return r"[-\s]*".join(pieces)


class _AnalyteLexicon:
    """An analyte table compiled: its analytes, one pattern of all their names, and the
    direction each level is better in (lab analytes only).

    With ``phrases``, the ASCII names are matched as phrases of prepared text (one trie,
    fast on every measure) and only the others by the flexible pattern."""

    def __init__(self, name: str, *, phrases: bool = False) -> None:
        self.analytes: list[Analyte] = []
        self.directions: dict[str, str] = {}
        alternatives: list[tuple[str, int]] = []
        words: list[tuple[str, str]] = []
        for i, row in enumerate(table(name)):
            self.analytes.append(Analyte(row["key"], row["label"], row["curie"] or None))
            self.directions[row["key"]] = row.get("direction", "")
            for synonym in _split(row["synonyms"]):
                if phrases and synonym.isascii():
                    words.append((_prepare(synonym), str(i)))
                else:
                    alternatives.append((_flexible(synonym), i))
        alternatives.sort(key=lambda a: len(a[0]), reverse=True)
        self.index = [i for _, i in alternatives]
        self.patterns = _Alternatives(
            [p for p, _ in alternatives], r"(?<![\w-])", r"(?![\w])", re.IGNORECASE
        )
        self.phrases = PhraseMatcher(words)
        self.by_phrase = phrases

    def find(self, text: str) -> Iterator[tuple[int, int, Analyte]]:
        """Each analyte name in ``text`` with its span, left to right."""
        found = [(m.start, m.end, self.analytes[int(m.value)]) for m in self.phrases.find(text)]
        # In phrase mode the pattern holds only non-ASCII names, which ASCII text lacks.
        if self.index and not (self.by_phrase and text.isascii()):
            found += [
                (s, e, self.analytes[self.index[i]]) for s, e, i in self.patterns.finditer(text)
            ]
            found.sort(key=lambda f: f[0])
        yield from found


@lru_cache(maxsize=1)
def _analyte_lexicon() -> _AnalyteLexicon:
    return _AnalyteLexicon("analytes.tsv")


@lru_cache(maxsize=1)
def _lab_analyte_lexicon() -> _AnalyteLexicon:
    return _AnalyteLexicon("lab_analytes.tsv", phrases=True)


def _lab_hits(measure: str, hits: list[_Hit]) -> list[tuple[int, Analyte]]:
    """Lab analytes named in a prepared measure outside the words of its endpoint hits."""
    return [
        (start, analyte)
        for start, end, analyte in _lab_analyte_lexicon().find(measure)
        if not any(h.start < end and start < h.end for h in hits)
    ]


def find_lab_analytes(text: str) -> tuple[Analyte, ...]:
    """Laboratory analytes named in ``text``, in order, each once.

    >>> [(a.label, a.curie) for a in find_lab_analytes("NT-proBNP, HbA1c and LDL-C")]
    [('NT-proBNP', 'HGNC:7940'), ('HbA1c', None), ('LDL-C', None)]
    """
    if not text:
        return ()
    return tuple(dict.fromkeys(a for _, _, a in _lab_analyte_lexicon().find(_prepare(text))))


def find_analytes(text: str) -> tuple[Analyte, ...]:
    """Cytokines and inflammatory markers named in ``text``, in order, each once.

    >>> [a.label for a in find_analytes("IL-6, IFN γ, TNFα, interferon-gamma and MCP1")]
    ['IL-6', 'IFN-γ', 'TNF-α', 'MCP-1']
    """
    if not text:
        return ()
    if not text.isascii():
        for bad, good in _MOJIBAKE:
            text = text.replace(bad, good)
        text = text.translate(_GREEK_REPAIR)
    found: dict[str, Analyte] = {}
    for _, _, analyte in _analyte_lexicon().find(text):
        found.setdefault(analyte.key, analyte)
    return tuple(found.values())
