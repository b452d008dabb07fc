"""Condition normalization: registry condition text -> a canonical concept and its kind.

The lexicon is data: ``diseases.tsv.gz`` (MONDO, with DOID/EFO/MeSH/NCIt cross-references),
``diseases_mesh.tsv.gz`` (MeSH descriptors of every tree a condition can name, each with
its kind; disease descriptors -> MONDO) and ``diseases_curated.tsv``
(names registries use that the release lacks or gets wrong), all built or kept as described
in ``scripts/vocab_diseases.py``.

Resolution, first hit wins, never a guess:

1. the cleaned text, exactly (case, hyphens, plurals and British spellings folded);
2. with qualifiers set apart: disease stage and extent (``advanced``, ``metastatic``,
   ``stage IV``), course (``recurrent``, ``relapsed/refractory``), population (``adult``,
   ``pediatric``), treatment line, grade (``WHO grade 2``), biomarker status
   (``EGFR-mutant``, ``without EGFR/ALK mutation``), and, only if still unmatched,
   treatment-response states (``hormone-sensitive``), severity (``mild``) and course
   (``chronic``);
3. wording variants of the head noun: ``X cancer`` / ``X carcinoma`` / ``malignant X
   neoplasm`` / ``X neoplasm``, ``cancer of the X``, MeSH inverted order
   (``Carcinoma, Non-Small-Cell Lung``), ``ABBR, Full Name`` / ``Full Name (ABBR)`` /
   ``ABBR - Full Name`` (an abbreviation alone resolves only as an unambiguous name);
4. in :func:`normalize_conditions` only: the record's MeSH browse terms, when a condition's
   words are the MeSH term's words.

Unmatched text keeps ``curie=None`` and its cleaned text as label. A MeSH wording that two
descriptors share names neither. Every condition gets a kind (:class:`Condition`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from trialgraph.normalize.cache import vocabulary
from trialgraph.normalize.labels import display_label
from trialgraph.normalize.lexicon import read_table
from trialgraph.normalize.model import Condition
from trialgraph.normalize.qualifiers import clean as _clean
from trialgraph.normalize.qualifiers import split_qualifiers

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from trialgraph.records import MeshTerm, TrialRecord

__all__ = [
    "condition_key",
    "mesh_ui",
    "normalize_condition",
    "normalize_conditions",
    "split_qualifiers",
]

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
        ("type", r"\btype(?=\d)", "type "),  # "Type2 Diabetes"
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
    "ulcers": "ulcer",
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
    >>> condition_key("Alzheimer\u00b4s Disease"), condition_key("Alzheimer s Disease")
    ('alzheimer disease', 'alzheimer disease')
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    text = text.replace("(s)", "").replace("'s ", " ").replace("'s", "")
    for needle, pattern, repl in _SPELLING:
        if needle in text:
            text = pattern.sub(repl, text)
    out: list[str] = []
    for word in _WORD.findall(text):
        if word == "s" and out:
            continue  # a possessive whose apostrophe was lost or mis-encoded
        if word in _PLURALS:
            word = _PLURALS[word]
        elif word.endswith("omas") and len(word) > 5:
            word = word[:-1]
        out.append(word)
    return " ".join(out)


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
    mesh_terms: dict[str, tuple[str, ...]]  # descriptor UI -> its label and entry terms
    kinds: dict[str, str]  # curie -> kind, where it is not "disease"


def _xrefs(cell: str) -> tuple[str, ...]:
    return tuple(x for x in cell.split("|") if x.split(":", 1)[0] in XREF_PREFIXES)


@vocabulary
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
        if curie != "-" and not curie.startswith(("MONDO:", "MESH:")) and curie not in concepts:
            concepts[curie] = _Concept(curie, labels.get(curie, _clean(row["text"])), ())

    synonyms: list[tuple[str, str]] = []
    for row in read_table("diseases.tsv.gz"):
        curie = row["id"]
        concepts[curie] = _Concept(curie, labels.get(curie, row["label"]), _xrefs(row["xrefs"]))
        names.setdefault(key(row["label"]), curie)
        synonyms.extend((s, curie) for s in row["synonyms"].split("|") if s)
    for syn, curie in synonyms:
        names.setdefault(key(syn), curie)
    mesh, mesh_terms, kinds = _index_mesh(concepts, names, labels, key)
    return _Lexicon(concepts, names, name_qualifiers, mesh, mesh_terms, kinds)


def _index_mesh(
    concepts: dict[str, _Concept],
    names: dict[str, str],
    labels: dict[str, str],
    key: Callable[[str], str],
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """Add the MeSH table's concepts and names (below every MONDO name; a MeSH wording two
    descriptors share names neither). Returns the descriptor index, terms and kinds."""
    mesh: dict[str, str] = {}
    mesh_terms: dict[str, tuple[str, ...]] = {}
    kinds: dict[str, str] = {}
    mondo_kinds: dict[str, set[str]] = {}
    owners: dict[str, set[str]] = {}
    for row in read_table("diseases_mesh.tsv.gz"):
        ui = row["mesh"]
        curie = row["mondo"] or f"MESH:{ui}"
        if curie not in concepts:
            concepts[curie] = _Concept(curie, labels.get(curie, row["label"]), ())
        mesh[ui] = curie
        if row["mondo"]:
            mondo_kinds.setdefault(curie, set()).add(row["kind"])
        elif row["kind"] != "disease":
            kinds[curie] = row["kind"]
        terms = (row["label"], *filter(None, row["terms"].split("|")))
        mesh_terms[ui] = terms
        for term in terms:
            owners.setdefault(key(term), set()).add(curie)
            inverted = _invert(term)
            if inverted:
                owners.setdefault(key(inverted), set()).add(curie)
    for k, curies in owners.items():
        if len(curies) == 1:
            names.setdefault(k, next(iter(curies)))
    for curie, found in mondo_kinds.items():
        if found == {"finding"}:
            kinds[curie] = "finding"
    return mesh, mesh_terms, kinds


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


@lru_cache(maxsize=1 << 16)
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
# "OSA - Obstructive Sleep Apnea", "COPD: Chronic Obstructive Pulmonary Disease"
_PREFIX = re.compile(r"\s+[-–—]\s+|:\s+")


def _pair(parts: list[str]) -> Iterator[str]:
    """An abbreviation and its expansion, the expansion first: ``ABBR, Full Name``."""
    abbrs = [p for p in parts if _is_abbreviation(p)]
    if len(parts) == 2 and all(parts) and len(abbrs) == 1:
        yield parts[1] if abbrs[0] == parts[0] else parts[0]
        yield abbrs[0]


_TRAILING_COURSE = re.compile(r"\s+(Acute|Chronic|acute|chronic)$")


def _forms(text: str) -> Iterator[str]:
    """The ways a cleaned condition text can be read, most literal first.

    >>> list(_forms("Triple Negative Breast Cancer (TNBC)"))
    ['Triple Negative Breast Cancer (TNBC)', 'Triple Negative Breast Cancer', 'TNBC']
    >>> list(_forms("RCC, Renal Cell Cancer"))
    ['RCC, Renal Cell Cancer', 'Renal Cell Cancer', 'RCC', 'Renal Cell Cancer RCC']
    >>> list(_forms("OSA - Obstructive Sleep Apnea"))
    ['OSA - Obstructive Sleep Apnea', 'Obstructive Sleep Apnea', 'OSA']
    >>> list(_forms("Diarrhea Chronic"))
    ['Diarrhea Chronic', 'Chronic Diarrhea']
    """
    yield text
    course = _TRAILING_COURSE.search(text)
    if course:  # a heading inverted without its comma
        yield f"{course.group(1)} {text[: course.start()]}"
    m = _PAREN.search(text)
    if m:
        outside = _clean(text[: m.start()] + " " + text[m.end() :])
        yield outside
        yield _clean(m.group(1))
        return
    if _PREFIX.search(text):
        yield from _pair(_PREFIX.split(text))
        return
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and all(parts):
        yield from _pair(parts)
        inverted = _invert(text)
        if inverted:
            yield inverted


def _resolve(text: str) -> tuple[str, tuple[str, ...]] | None:
    for form in _forms(text):
        hit = _lookup(form)
        if hit:
            return hit
    return None


# Head words that show unmatched text names a disease (whole words, or word endings).
_DISEASE_WORDS = frozenset(
    {"cancer", "carcinoma", "neoplasm", "tumor", "malignancy", "leukemia", "lymphoma",
     "disease", "syndrome", "disorder", "infection", "injury", "deficiency", "failure",
     "insufficiency", "dysfunction", "palsy", "dystrophy", "sclerosis", "fibrosis"}
)  # fmt: skip
_DISEASE_ENDINGS = ("itis", "oma", "osis", "iasis", "emia", "pathy", "plasia", "trophy")


def _unmatched_kind(label: str) -> str:
    """``disease`` when a word of unmatched text is a disease head word, else ``other``.

    >>> _unmatched_kind("Vanishing white matter disease"), _unmatched_kind("Caregivers")
    ('disease', 'other')
    """
    for word in condition_key(label).split():
        if word in _DISEASE_WORDS or (len(word) > 5 and word.endswith(_DISEASE_ENDINGS)):
            return "disease"
    return "other"


def _condition(text: str, label: str, curie: str | None, quals: tuple[str, ...]) -> Condition:
    if curie is None:
        return Condition(text, label, None, qualifiers=quals, kind=_unmatched_kind(label))
    lex = _lexicon()
    concept = lex.concepts.get(curie)
    return Condition(
        text=text,
        label=concept.label if concept else label,
        curie=curie,
        xrefs=concept.xrefs if concept else (),
        qualifiers=quals,
        kind=lex.kinds.get(curie, "disease"),
    )


# A course that, set apart from a disease, leaves a broader disease (chronic kidney disease
# is not kidney disease, chronic): it qualifies only findings and symptoms (chronic pain).
_COURSE = frozenset({"acute", "chronic"})


@lru_cache(maxsize=65536)
def normalize_condition(text: str) -> Condition:
    """Resolve one condition text to a canonical concept, setting its qualifiers apart.

    >>> c = normalize_condition("Advanced Pancreatic Cancer")
    >>> (c.label, c.curie, c.qualifiers, c.kind)
    ('pancreatic cancer', 'MONDO:0009831', ('advanced',), 'disease')
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
            return _condition(text, display_label(cleaned), None, ())
        return _condition(text, cleaned, curie, lex.name_qualifiers.get(exact, ()))
    for states in (False, True):
        core, quals = split_qualifiers(cleaned, states=states)
        if states and not quals:
            break
        hit = _resolve(core)
        if hit:
            found = _condition(text, core, hit[0], tuple(dict.fromkeys((*quals, *hit[1]))))
            if found.kind == "finding" or not _COURSE.intersection(quals):
                return found
    # Unmatched: no qualifiers either, since what they would qualify is unknown; the label
    # depends on the words alone, as the node is keyed by them
    return _condition(text, display_label(cleaned), None, ())


def mesh_ui(ui: str) -> str:
    """A MeSH descriptor UI as the table writes it: registries also write the older
    seven-character UIs as ``D`` and nine digits (``D000010411`` for ``D010411``).

    >>> mesh_ui("D000010411"), mesh_ui("D010411"), mesh_ui("D000083242")
    ('D010411', 'D010411', 'D000083242')
    """
    if len(ui) == 10 and ui.startswith("D000") and ui not in _lexicon().mesh:
        return "D" + ui[4:]
    return ui


def _mesh_match(condition: Condition, meshes: tuple[MeshTerm, ...]) -> Condition:
    """Ground an unmatched condition with the record's MeSH term whose words are its words."""
    lex = _lexicon()
    core, _ = split_qualifiers(condition.label, states=True)
    words = _words(core)
    if not words:
        return condition
    for term in meshes:
        ui = mesh_ui(term.id)
        if words == _words(term.term) or any(
            words == _words(t) for t in lex.mesh_terms.get(ui, ())
        ):
            curie = lex.mesh.get(ui) or f"MESH:{ui}"
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
