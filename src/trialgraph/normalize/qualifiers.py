"""Qualifiers of a condition text: stage, course, extent, population, treatment line and
biomarker status, set apart from the disease they qualify.

:func:`split_qualifiers` removes them from the start, the end and whole comma parts of a
condition text and returns them in canonical form; :func:`clean` is the text as a label.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean", "split_qualifiers"]


def clean(text: str) -> str:
    """Text as a label: NFKC, single spaces, no stray edge punctuation.

    >>> clean("  Solid  Tumor, ")
    'Solid Tumor'
    """
    if "&" in text:
        text = html.unescape(text)  # "Alzheimer&#39;s Disease"
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return text.strip(" ,;:.")


_FIXED: tuple[tuple[str, str], ...] = (
    (
        r"relapsed\s*/\s*refractory|relapse[d]?[- ]refractory|relapsed or refractory",
        "relapsed/refractory",
    ),
    (r"recurrent\s*/\s*refractory|recurrent or refractory", "recurrent/refractory"),
    (r"r\s*/\s*r", "relapsed/refractory"),
    (r"locally advanced", "locally advanced"),
    (r"advanced", "advanced"),
    (r"metastatic|metastasized|metastasised", "metastatic"),
    (r"non[- ]?metastatic", "non-metastatic"),
    (r"borderline resectable", "borderline resectable"),
    (r"unresectable|non[- ]?resectable|inoperable|non[- ]?operable", "unresectable"),
    (r"resectable|operable|resected", "resectable"),
    (r"recurrent|recurring", "recurrent"),
    (r"biochemical(?:ly)? recurren(?:ce|t)(?: of)?", "biochemical recurrence"),
    (r"relapsed|relapsing", "relapsed"),
    (r"refractory", "refractory"),
    (r"persistent", "persistent"),
    (r"progressive|progressing", "progressive"),
    (r"early[- ]stage", "early-stage"),
    (r"late[- ]stage", "late-stage"),
    (r"limited[- ]stage", "limited-stage"),
    (r"extensive[- ]stage", "extensive-stage"),
    (r"localized|localised", "localized"),
    (r"adults?", "adult"),
    (r"pediatric|paediatric", "pediatric"),
    (r"childhood|children|child", "childhood"),
    (r"adolescents?(?: and young adults?)?|aya", "adolescent"),
    (r"newly[- ]diagnosed", "newly diagnosed"),
    (r"previously[- ]treated|pretreated|pre-treated|heavily pretreated", "previously treated"),
    (r"previously[- ]untreated|untreated|treatment[- ]na[iï]ve", "untreated"),
    (r"first[- ]line|1st[- ]line|1l", "first-line"),
    (r"second[- ]line|2nd[- ]line|2l", "second-line"),
    (r"third[- ]line|3rd[- ]line|3l", "third-line"),
    (r"later[- ]lines?|second[- ]line (?:or|and) (?:later|beyond)|2l\+", "later-line"),
    (r"high[- ]grade", "high-grade"),
    (r"low[- ]grade", "low-grade"),
    (r"high[- ]risk", "high-risk"),
    (r"intermediate[- ]risk", "intermediate-risk"),
    (r"low[- ]risk", "low-risk"),
    (r"other", "other"),
    (r"primary", "primary"),
)
_STATES: tuple[tuple[str, str], ...] = (
    (r"hormone[- ]sensitive|hormone[- ]na[iï]ve", "hormone-sensitive"),
    (r"castrat(?:ion|e)[- ]sensitive", "castration-sensitive"),
    (r"castrat(?:ion|e)[- ]resistant", "castration-resistant"),
    (r"platinum[- ](?:resistant|sensitive|refractory)", ""),
    (r"chemo(?:therapy)?[- ](?:resistant|refractory)", ""),
    # severity and course: set apart only when the whole name is unknown
    (r"mild[- ]to[- ]moderate|mild or moderate", "mild to moderate"),
    (r"moderate[- ]to[- ]severe|moderate or severe", "moderate to severe"),
    (r"mild", "mild"),
    (r"moderate", "moderate"),
    (r"severe", "severe"),
    (r"chronic", "chronic"),
    (r"acute", "acute"),
    (r"early", "early"),
    (r"prodromal", "prodromal"),
    (r"preclinical", "preclinical"),
)
# Stage, TNM and AJCC edition: kept as written (stage lower-cased).
_STAGE = r"stage\s+(?:[0IV]+|[1-4])[A-C]?\d?(?:\s*(?:-|to|or|/)\s*(?:[0IV]+|[1-4])[A-C]?\d?)?"
_TNM = r"c?T[0-4][a-c]?(?:\s*-\s*T?[0-4][a-c]?)?(?:\s*N[0-3x][a-c]?)?(?:\s*M[01x][a-c]?)?"
_AJCC = r"AJCC\s+v\d+"
_BIOMARKER_STATUS = (
    r"mutant|mutated|mutation|mutations|positive|negative|amplified|amplification|rearranged"
    r"|rearrangement|fusion|fusion-positive|overexpressing|expressing|altered|alteration|deficient"
    r"|proficient|wild-type|wildtype|high|low|null"
)
# A gene or protein symbol as registries write it (HER2, EGFR, PD-L1, bRAF, KRAS G12C).
_GENE = (
    r"(?-i:[a-z]?[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)?)"
    r"(?:[- ](?:V600[EK]|G12C|exon\s*\d+|ex\d+)(?:[- ]?(?:insertion|deletion|skipping))?)?"
)
_BIOMARKER = rf"{_GENE}[- ](?:{_BIOMARKER_STATUS})|(?:positive|negative) for {_GENE}"
# "Without EGFR/ALK Mutation", "with KRAS G12C mutation": a status the words before say.
_CARRIER = (
    rf"(?:without|with|no)\s+{_GENE}(?:\s*(?:/|,|and|or)\s*{_GENE})*"
    r"\s+(?:mutations?|alterations?|fusions?|rearrangements?|amplifications?"
    r"|translocations?|overexpression|expression)"
)
# Tumour grade as written: "WHO Grade 2", "grade II", "CNS WHO grade 3-4".
_GRADE = (
    r"(?:CNS\s+)?(?:WHO\s+)?grade\s+(?:[1-4]|I{1,3}|IV)(?:\s*(?:-|to|or|/)\s*(?:[1-4]|I{1,3}|IV))?"
)
_MSI: tuple[tuple[str, str], ...] = (
    (r"microsatellite[- ]stable|MSS", "microsatellite stable"),
    (r"microsatellite[- ]instability[- ]high|MSI[- ]H(?:igh)?", "MSI-high"),
    (r"mismatch[- ]repair[- ]deficient|dMMR", "dMMR"),
    (r"mismatch[- ]repair[- ]proficient|pMMR", "pMMR"),
)
_CONNECT = r"(?:and/or|and|or|with|,|;|/|-|&)"


def _alternation(pairs: tuple[tuple[str, str], ...]) -> str:
    return "|".join(f"(?:{p})" for p, _ in pairs)


_PATTERNS: tuple[tuple[re.Pattern[str], tuple[tuple[str, str], ...] | None], ...] = tuple(
    (re.compile(rf"^(?:{body})$", re.IGNORECASE), pairs)
    for body, pairs in (
        (_alternation(_FIXED), _FIXED),
        (_STAGE, None),
        (_TNM, None),
        (_AJCC, None),
        (_alternation(_MSI), _MSI),
        (_BIOMARKER, None),
        (_CARRIER, None),
        (_GRADE, None),
    )
)
_STATE_PATTERN = re.compile(rf"^(?:{_alternation(_STATES)})$", re.IGNORECASE)
_ANY = "|".join(
    [
        _alternation(_FIXED),
        _STAGE,
        _TNM,
        _AJCC,
        _alternation(_MSI),
        _BIOMARKER,
        _CARRIER,
        _GRADE,
        _alternation(_STATES),
    ]
)
_LEAD = re.compile(rf"^\s*(?:{_ANY})(?![\w])[\s,;]*", re.IGNORECASE)
_TRAIL = re.compile(rf"(?<![\w-])[\s,;]*(?:{_ANY})\s*$", re.IGNORECASE)
_EDGE_CONNECT = re.compile(rf"^\s*{_CONNECT}\s+|\s+{_CONNECT}\s*$|^\s*[,;/&-]+|[,;/&-]+\s*$")


# Words of a pattern-matched qualifier written in lower case in its canonical form.
_LOWER_WORDS = (
    r"^(?:stage|positive|negative|without|with|no)\b|\bgrade\b"
    r"|\b(?:mutations?|alterations?|fusions?|rearrangements?|amplifications?"
    r"|translocations?|overexpression|expression)$"
)


def _lower(m: re.Match[str]) -> str:
    return m.group(0).lower()


def _canonical(qualifier: str, states: bool) -> str | None:
    """The canonical form of one qualifier, or ``None`` when ``qualifier`` is not one."""
    q = re.sub(r"\s+", " ", qualifier.strip(" ,;"))
    for pattern, pairs in _PATTERNS:
        if pattern.match(q):
            if pairs is None:
                q = re.sub(_LOWER_WORDS, _lower, q, flags=re.IGNORECASE)
                return re.sub(rf"\b(?:{_BIOMARKER_STATUS})$", _lower, q, flags=re.IGNORECASE)
            for body, canon in pairs:
                if re.fullmatch(body, q, re.IGNORECASE):
                    return canon
    if states and _STATE_PATTERN.match(q):
        for body, canon in _STATES:
            if re.fullmatch(body, q, re.IGNORECASE):
                return canon or q.lower()
    return None


def split_qualifiers(text: str, states: bool = False) -> tuple[str, tuple[str, ...]]:
    """Split qualifiers off the start, the end and whole comma parts of a condition text.

    ``states`` also removes treatment-response states (hormone-sensitive, ...), severity
    (mild, moderate, severe) and course (acute, chronic, early, prodromal). Returns the
    remaining disease text and the qualifiers in canonical form, in order of appearance.

    >>> split_qualifiers("Advanced Pancreatic Cancer")
    ('Pancreatic Cancer', ('advanced',))
    >>> split_qualifiers("Solid Tumor, Adult")
    ('Solid Tumor', ('adult',))
    >>> split_qualifiers("Locally Advanced or Metastatic EGFR-mutant NSCLC, Stage IIIB")
    ('NSCLC', ('locally advanced', 'metastatic', 'EGFR-mutant', 'stage IIIB'))
    """
    rest = clean(text)
    front: list[str] = []
    back: list[str] = []
    parts = [p.strip() for p in rest.split(",")]
    if len(parts) > 1:
        kept = []
        for part in parts:
            canon = _canonical(part, states)
            if canon is None:
                kept.append(part)
            else:
                back.append(canon)
        if not kept:
            return rest, ()
        rest = ", ".join(kept)
    changed = True
    while changed and rest:
        changed = False
        for regex, target in ((_LEAD, front), (_TRAIL, back)):
            m = regex.search(rest)
            if not m:
                continue
            canon = _canonical(m.group(0), states)
            remainder = (rest[: m.start()] + rest[m.end() :]).strip()
            if canon is None or not remainder:
                continue
            if regex is _TRAIL:
                target.insert(0, canon)
            else:
                target.append(canon)
            rest = remainder
            changed = True
        stripped = _EDGE_CONNECT.sub("", rest).strip()
        if stripped != rest and stripped:
            rest, changed = stripped, True
    quals = tuple(dict.fromkeys(q for q in (*front, *back) if q))
    return rest, quals
