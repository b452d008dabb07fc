"""Condition (disease) normalization: registry condition text -> a canonical disease.

The lexicon is data: ``diseases.tsv.gz`` (MONDO, with DOID/EFO/MeSH/NCIt cross-references),
``diseases_mesh.tsv.gz`` (MeSH disease descriptors -> MONDO) and ``diseases_curated.tsv``
(names registries use that the release lacks or gets wrong), all built or kept as described
in ``scripts/vocab_diseases.py``.

Resolution, first hit wins, never a guess:

1. the cleaned text, exactly (case, hyphens, plurals and British spellings folded);
2. with qualifiers set apart: disease stage and extent (``advanced``, ``metastatic``,
   ``stage IV``), course (``recurrent``, ``relapsed/refractory``), population (``adult``,
   ``pediatric``), treatment line, biomarker status (``EGFR-mutant``), and, only if still
   unmatched, treatment-response states (``hormone-sensitive``);
3. wording variants of the head noun: ``X cancer`` / ``X carcinoma`` / ``malignant X
   neoplasm`` / ``X neoplasm``, ``cancer of the X``, MeSH inverted order
   (``Carcinoma, Non-Small-Cell Lung``) and ``ABBR, Full Name`` / ``Full Name (ABBR)``;
4. in :func:`normalize_conditions` only: the record's MeSH browse terms, when a condition's
   words are the MeSH term's words.

Unmatched text keeps ``curie=None`` and its cleaned text as label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from trialgraph.normalize.labels import display_label
from trialgraph.normalize.lexicon import read_table
from trialgraph.normalize.model import Condition

if TYPE_CHECKING:
    from collections.abc import Iterator

    from trialgraph.records import MeshTerm, TrialRecord

__all__ = ["condition_key", "normalize_condition", "normalize_conditions", "split_qualifiers"]

#: Prefixes of cross-references handed out in :attr:`Condition.xrefs` (those in
#: ``ontology/prefixes.json``); the table also keeps UMLS CUIs.
XREF_PREFIXES = ("DOID", "EFO", "MESH", "NCIT")

# (text, pattern, replacement): the pattern can only match where its text occurs, and
# looking for the text first is much faster than running the pattern on every name.
_SPELLING = tuple(
    (text, re.compile(pattern), repl)
    for text, pattern, repl in (
        ("tumour", r"tumour", "tumor"),
        ("oesophag", r"\boesophag", "esophag"),
        ("paediatric", r"\bpaediatric", "pediatric"),
        ("aem", r"aem", "em"),  # leukaemia, anaemia, haematologic, ischaemic
        ("oestr", r"\boestr", "estr"),
        ("localised", r"\blocalised\b", "localized"),
        ("castrate", r"\bcastrate\b", "castration"),
        ("nonsmall", r"\bnonsmall\b", "non small"),
        ("diffused", r"\bdiffused\b", "diffuse"),
    )
)
_WORD = re.compile(r"[^\W_]+")
_PLURALS = {
    "cancers": "cancer",
    "malignancies": "malignancy",
    "metastases": "metastasis",
    "diseases": "disease",
    "disorders": "disorder",
    "syndromes": "syndrome",
    "infections": "infection",
    "tumors": "tumor",
    "neoplasms": "neoplasm",
    "neoplasias": "neoplasia",
    "leukemias": "leukemia",
    "cysts": "cyst",
    "polyps": "polyp",
}
_STOPWORDS = frozenset({"of", "the", "and", "in", "or", "with", "a", "an", "to", "for", "nos"})
_NEOPLASM_WORDS = frozenset(
    {"cancer", "carcinoma", "neoplasm", "neoplasia", "tumor", "malignancy", "malignant"}
)


def condition_key(text: str) -> str:
    """The matching key of a disease name: folded case, punctuation, plurals and spelling.

    >>> condition_key("Non-Small-Cell Lung Carcinomas")
    'non small cell lung carcinoma'
    >>> condition_key("Cushing's Disease")
    'cushing disease'
    >>> condition_key("Solid Tumour(s)")
    'solid tumor'
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    text = text.replace("(s)", "").replace("'s ", " ").replace("'s", "")
    for needle, pattern, repl in _SPELLING:
        if needle in text:
            text = pattern.sub(repl, text)
    out = []
    for word in _WORD.findall(text):
        if word in _PLURALS:
            word = _PLURALS[word]
        elif word.endswith("omas") and len(word) > 5:
            word = word[:-1]
        out.append(word)
    return " ".join(out)


def _clean(text: str) -> str:
    """Text as a label: NFKC, single spaces, no stray edge punctuation.

    >>> _clean("  Solid  Tumor, ")
    'Solid Tumor'
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    return text.strip(" ,;:.")


# --- qualifiers -----------------------------------------------------------------------------

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
        _alternation(_STATES),
    ]
)
_LEAD = re.compile(rf"^\s*(?:{_ANY})(?![\w])[\s,;]*", re.IGNORECASE)
_TRAIL = re.compile(rf"(?<![\w-])[\s,;]*(?:{_ANY})\s*$", re.IGNORECASE)
_EDGE_CONNECT = re.compile(rf"^\s*{_CONNECT}\s+|\s+{_CONNECT}\s*$|^\s*[,;/&-]+|[,;/&-]+\s*$")


def _lower(m: re.Match[str]) -> str:
    return m.group(0).lower()


def _canonical(qualifier: str, states: bool) -> str | None:
    """The canonical form of one qualifier, or ``None`` when ``qualifier`` is not one."""
    q = re.sub(r"\s+", " ", qualifier.strip(" ,;"))
    for pattern, pairs in _PATTERNS:
        if pattern.match(q):
            if pairs is None:
                q = re.sub(r"^(?:stage|positive|negative)\b", _lower, q, flags=re.IGNORECASE)
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

    ``states`` also removes treatment-response states (hormone-sensitive, ...). Returns the
    remaining disease text and the qualifiers in canonical form, in order of appearance.

    >>> split_qualifiers("Advanced Pancreatic Cancer")
    ('Pancreatic Cancer', ('advanced',))
    >>> split_qualifiers("Solid Tumor, Adult")
    ('Solid Tumor', ('adult',))
    >>> split_qualifiers("Locally Advanced or Metastatic EGFR-mutant NSCLC, Stage IIIB")
    ('NSCLC', ('locally advanced', 'metastatic', 'EGFR-mutant', 'stage IIIB'))
    """
    rest = _clean(text)
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


# --- the lexicon ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Concept:
    curie: str
    label: str
    xrefs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    concepts: dict[str, _Concept]
    names: dict[str, str]  # condition_key -> curie ("-" blocks a name)
    name_qualifiers: dict[str, tuple[str, ...]]
    mesh: dict[str, str]  # MeSH descriptor UI -> curie
    mesh_words: dict[str, tuple[frozenset[str], ...]]  # descriptor UI -> word sets of its terms


def _xrefs(cell: str) -> tuple[str, ...]:
    return tuple(x for x in cell.split("|") if x.split(":", 1)[0] in XREF_PREFIXES)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    """Load the disease tables once and index every name by :func:`condition_key`."""
    concepts: dict[str, _Concept] = {}
    names: dict[str, str] = {}
    name_qualifiers: dict[str, tuple[str, ...]] = {}
    labels: dict[str, str] = {}
    # names recur (a label among its synonyms, MeSH terms as names and as word sets)
    key = cache(condition_key)

    curated = list(read_table("diseases_curated.tsv"))
    for row in curated:
        if row["label"]:
            labels[row["curie"]] = row["label"]
    for row in curated:
        k = key(row["text"])
        names.setdefault(k, row["curie"])
        if row["qualifiers"]:
            name_qualifiers.setdefault(k, tuple(row["qualifiers"].split("|")))
        curie = row["curie"]
        if curie != "-" and not curie.startswith("MONDO:") and curie not in concepts:
            concepts[curie] = _Concept(curie, labels.get(curie, _clean(row["text"])), ())

    synonyms: list[tuple[str, str]] = []
    for row in read_table("diseases.tsv.gz"):
        curie = row["id"]
        concepts[curie] = _Concept(curie, labels.get(curie, row["label"]), _xrefs(row["xrefs"]))
        names.setdefault(key(row["label"]), curie)
        synonyms.extend((s, curie) for s in row["synonyms"].split("|") if s)
    for syn, curie in synonyms:
        names.setdefault(key(syn), curie)

    mesh: dict[str, str] = {}
    mesh_words: dict[str, tuple[frozenset[str], ...]] = {}
    mesh_names: list[tuple[str, str]] = []
    for row in read_table("diseases_mesh.tsv.gz"):
        ui = row["mesh"]
        curie = row["mondo"] or f"MESH:{ui}"
        if curie not in concepts:
            concepts[curie] = _Concept(curie, row["label"], ())
        mesh[ui] = curie
        terms = [row["label"], *filter(None, row["terms"].split("|"))]
        mesh_words[ui] = tuple(dict.fromkeys(_key_words(key(t)) for t in terms))
        mesh_names.extend((t, curie) for t in terms)
    # MeSH wording ranks below every MONDO name; inverted headings are indexed as read.
    for term, curie in mesh_names:
        names.setdefault(key(term), curie)
        inverted = _invert(term)
        if inverted:
            names.setdefault(key(inverted), curie)
    return _Lexicon(concepts, names, name_qualifiers, mesh, mesh_words)


def _invert(text: str) -> str | None:
    """MeSH's inverted heading in natural order, or ``None``.

    >>> _invert("Carcinoma, Non-Small-Cell Lung")
    'Non-Small-Cell Lung Carcinoma'
    >>> _invert("Prostatic Neoplasms, Castration-Resistant")
    'Castration-Resistant Prostatic Neoplasms'
    """
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        return None
    return f"{parts[1]} {parts[0]}"


def _words(text: str) -> frozenset[str]:
    """Content words of a name, with all neoplasm head nouns as one word.

    >>> sorted(_words("Cancer of the Lung")) == sorted(_words("Lung Neoplasms"))
    True
    """
    return _key_words(condition_key(text))


def _key_words(key: str) -> frozenset[str]:
    """:func:`_words` of a name whose :func:`condition_key` is ``key``."""
    out = set()
    for w in key.split():
        if w in _STOPWORDS:
            continue
        out.add("<neoplasm>" if w in _NEOPLASM_WORDS else w)
    return frozenset(out)


_HEADS = ("cancer", "carcinoma", "neoplasm", "tumor", "malignancy")


def _variants(k: str) -> Iterator[str]:
    """Head-noun wording variants of a key, closest first.

    >>> list(_variants("prostate cancer"))[:3]
    ['prostate cancer', 'prostate carcinoma', 'malignant prostate neoplasm']
    >>> list(_variants("cancer of the prostate"))[:2]
    ['cancer of the prostate', 'prostate cancer']
    """
    yield k
    m = re.fullmatch(r"(cancer|carcinoma|neoplasm|tumor|malignant neoplasm) of (?:the )?(.+)", k)
    if m:
        k = f"{m.group(2)} {m.group(1)}"
        yield k
    m = re.fullmatch(r"(.+) (cancer|carcinoma|neoplasm|tumor|malignancy)", k)
    if not m:
        return
    stem, head = m.group(1), m.group(2)
    if head == "cancer":
        order = ["carcinoma", "malignant neoplasm", "malignant tumor", "neoplasm"]
    elif head == "carcinoma":
        order = ["cancer", "malignant neoplasm"]
    elif head in ("neoplasm", "tumor"):
        order = ["tumor" if head == "neoplasm" else "neoplasm", "malignant neoplasm", "cancer"]
    else:
        order = ["cancer", "malignant neoplasm"]
    for alt in order:
        if alt.startswith("malignant "):
            yield f"malignant {stem} {alt[10:]}"
            yield f"{stem} {alt}"
        else:
            yield f"{stem} {alt}"


def _lookup(text: str) -> tuple[str, tuple[str, ...]] | None:
    """Curie (and curated qualifiers) of a name or one of its head-noun variants."""
    lex = _lexicon()
    for variant in _variants(condition_key(text)):
        curie = lex.names.get(variant)
        if curie == "-":
            return None
        if curie is not None:
            return curie, lex.name_qualifiers.get(variant, ())
    return None


def _is_abbreviation(word: str) -> bool:
    """Whether ``word`` looks like an acronym (mostly capitals, no spaces).

    >>> [_is_abbreviation(w) for w in ("mCRPC", "ES-SCLC", "Castration-Resistant", "Adult")]
    [True, True, False, False]
    """
    letters = [c for c in word if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return " " not in word and len(word) <= 12 and upper >= 2 and upper * 2 >= len(letters)


_PAREN = re.compile(r"\s*\(([^()]*)\)\s*")


def _forms(text: str) -> Iterator[str]:
    """The ways a cleaned condition text can be read, most literal first.

    >>> list(_forms("Triple Negative Breast Cancer (TNBC)"))
    ['Triple Negative Breast Cancer (TNBC)', 'Triple Negative Breast Cancer', 'TNBC']
    >>> list(_forms("RCC, Renal Cell Cancer"))
    ['RCC, Renal Cell Cancer', 'Renal Cell Cancer', 'RCC', 'Renal Cell Cancer RCC']
    """
    yield text
    m = _PAREN.search(text)
    if m:
        outside = _clean(text[: m.start()] + " " + text[m.end() :])
        yield outside
        yield _clean(m.group(1))
        return
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and all(parts):
        abbrs = [p for p in parts if _is_abbreviation(p)]
        if len(abbrs) == 1:
            other = parts[1] if abbrs[0] == parts[0] else parts[0]
            yield other
            yield abbrs[0]
        inverted = _invert(text)
        if inverted:
            yield inverted


def _resolve(text: str) -> tuple[str, tuple[str, ...]] | None:
    for form in _forms(text):
        hit = _lookup(form)
        if hit:
            return hit
    return None


def _condition(text: str, label: str, curie: str | None, quals: tuple[str, ...]) -> Condition:
    if curie is None:
        return Condition(text=text, label=label, curie=None, qualifiers=quals)
    concept = _lexicon().concepts.get(curie)
    return Condition(
        text=text,
        label=concept.label if concept else label,
        curie=curie,
        xrefs=concept.xrefs if concept else (),
        qualifiers=quals,
    )


@lru_cache(maxsize=65536)
def normalize_condition(text: str) -> Condition:
    """Resolve one condition text to a canonical disease, setting its qualifiers apart.

    >>> c = normalize_condition("Advanced Pancreatic Cancer")
    >>> (c.label, c.curie, c.qualifiers)
    ('pancreatic cancer', 'MONDO:0009831', ('advanced',))
    >>> normalize_condition("Randomized Controlled Trial").curie is None
    True
    """
    cleaned = _clean(text)
    if not cleaned:
        return Condition(text=text, label="", curie=None)
    lex = _lexicon()
    exact = condition_key(cleaned)
    curie = lex.names.get(exact)
    if curie is not None:
        if curie == "-":
            return Condition(text=text, label=display_label(cleaned), curie=None)
        return _condition(text, cleaned, curie, lex.name_qualifiers.get(exact, ()))
    for states in (False, True):
        core, quals = split_qualifiers(cleaned, states=states)
        if states and not quals:
            break
        hit = _resolve(core)
        if hit:
            return _condition(text, core, hit[0], tuple(dict.fromkeys((*quals, *hit[1]))))
    # Unmatched: no qualifiers either, since what they would qualify is unknown; the label
    # depends on the words alone, as the node is keyed by them
    return Condition(text=text, label=display_label(cleaned), curie=None)


def _mesh_match(condition: Condition, meshes: tuple[MeshTerm, ...]) -> Condition:
    """Ground an unmatched condition with the record's MeSH term whose words are its words."""
    lex = _lexicon()
    core, _ = split_qualifiers(condition.label, states=True)
    words = _words(core)
    if not words:
        return condition
    for term in meshes:
        candidates = (_words(term.term), *lex.mesh_words.get(term.id, ()))
        if words in candidates:
            curie = lex.mesh.get(term.id) or f"MESH:{term.id}"
            return _condition(condition.text, term.term, curie, condition.qualifiers)
    return condition


def normalize_conditions(record: TrialRecord) -> list[Condition]:
    """The record's conditions, one per condition text in order, grounded where possible.

    A text that matches nothing on its own is resolved through the record's MeSH browse
    terms (``record.mesh_conditions``) when its words are those of one of them.
    """
    out = []
    for text in record.conditions:
        condition = normalize_condition(text)
        if condition.curie is None and record.mesh_conditions:
            condition = _mesh_match(condition, record.mesh_conditions)
        out.append(condition)
    return out
