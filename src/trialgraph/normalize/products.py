"""Products: one shared node per distinct intervention, with its modality and origin.

:func:`normalize_product` turns an :class:`~trialgraph.records.Intervention` into a
:class:`~trialgraph.normalize.model.Product` whose ``key`` is shared by every record naming
the same product:

- a known drug (``data/drugs_curated.tsv``, then DrugBank names in ``data/drugs.tsv.gz``)
  resolves to its table entry, so "Keytruda", "pembrolizumab" and "MK-3475" share the key
  ``pembrolizumab``;
- any other product gets a canonical label with dose strings and formulation words removed
  and CAR-T spellings unified ("U87 autologous CAR T-cell" and "U87 CAR-T" are both
  "U87 CAR-T"); for cell products the words autologous, allogeneic, cells, adoptive,
  transfer and therapy are noise. The key is a slug of that label, so the label is a
  function of the key up to letter case.

Generic names ("Chemotherapy", "Placebo") give shared generic nodes, by design: they are the
same concept in every trial that uses them.

Modalities come from the fixed list in ``data/modalities.tsv``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from trialgraph.normalize.lexicon import squash, table
from trialgraph.normalize.model import Product

if TYPE_CHECKING:
    from collections.abc import Iterable

    from trialgraph.records import Intervention, TrialRecord

__all__ = [
    "Drug",
    "canonical_label",
    "detect_modality",
    "drug_index",
    "find_drugs",
    "lookup_drug",
    "modalities",
    "modality_category",
    "normalize_product",
    "product_key",
    "squash",
]


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug table entry: canonical name, modality key, target symbols, CURIE."""

    name: str
    modality: str | None
    targets: tuple[str, ...] = ()
    curie: str | None = None
    synonyms: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------
# Modalities


@lru_cache(maxsize=1)
def modalities() -> dict[str, dict[str, str]]:
    """The fixed modality list (``data/modalities.tsv``) keyed by modality."""
    return {row["modality"]: row for row in table("modalities.tsv")}


def modality_category(modality: str | None) -> str | None:
    """``cell``, ``antibody``, ``drug`` or ``other`` for a modality key.

    >>> modality_category("CAR-T"), modality_category("ADC"), modality_category(None)
    ('cell', 'antibody', None)
    """
    if modality is None:
        return None
    row = modalities().get(modality)
    return row["category"] if row else None


_ADC_PAYLOADS = (
    r"vedotin|deruxtecan|govitecan|emtansine|mafodotin|ozogamicin|tesirine|soravtansine"
    r"|ravtansine|tirumotecan|duocarmazine|pasritamig"
)

# Ordered (modality, pattern) rules over the lower-cased intervention text; first match wins.
# "\Bmab\b" is a word ending in "mab": what "\w+mab\b" finds, without the backtracking.
_MODALITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (m, re.compile(p))
    for m, p in (
        ("placebo", r"^\W*(?:matching\s+)?(?:placebo|sham)\b"),
        ("CAR-NK", r"\bcar[\s-]?nk\b|chimeric antigen receptor[\s-]+(?:\w+[\s-]+)?nk\b"),
        ("CAR-M", r"\bcar[\s-]?m\b|car[\s-]macrophage"),
        (
            "CAR-T",
            r"\bcar[\s-]?t\b|\bcart\b|\bcar[\s-]?t[\s-]?cells?\b|chimeric antigen receptor"
            r"|\bcar[\s-]\S+[\s-]t[\s-]?cells?\b|\bcar[\s-]?(?:engineered|modified)\b"
            r"|\b\S+[\s-]car\b",
        ),
        (
            "TCR-T",
            r"\btcr[\s-]?t\b|\btcr[\s-](?:engineered|transduced|modified)|t[\s-]cell receptor",
        ),
        ("TIL", r"\btils?\b|tumou?r[\s-]infiltrating lymphocytes?"),
        ("CIK", r"\bcik\b|cytokine[\s-]induced killer"),
        ("dendritic cell vaccine", r"dendritic cell|\bdcs?\b[\s-]+vaccine|\bdc[\s-]vac"),
        ("NK", r"\bnk[\s-]?cells?\b|natural killer"),
        ("ADC", rf"antibody[\s-]drug conjugate|\badc\b|{_ADC_PAYLOADS}"),
        ("bispecific antibody", r"bi[\s-]?specific|\bbite\b|t[\s-]cell engager|trispecific"),
        ("oncolytic virus", r"oncolytic"),
        ("vaccine", r"vaccine"),
        (
            "radiopharmaceutical",
            r"^\s*\d{2,3}\s?(?:ga|lu|cu|f|tc|in|y|ac|zr|i|sm|ra|pb|sn)\b"
            r"|\b(?:ga|lu|cu|tc|zr|ac|pb)[\s-]?\d{2,3}m?\b|\b(?:gallium|lutetium|yttrium|"
            r"radium|technetium|iodine|zirconium)\b|pentetate",
        ),
        (
            "monoclonal antibody",
            r"monoclonal|\bmab\b|antibod|\Bmab\b|checkpoint inhibitor"
            r"|\b(?:pd-?1|pd-?l1|ctla-?4)\s+(?:inhibitor|blockade|blocker)",
        ),
        ("fusion protein", r"fusion protein|\Bcept\b"),
        (
            "chemotherapy",
            r"chemo|\bfolfox|\bfolfiri|\bxelox|\bcapox|\bflot\b|\Bplatin|\Btaxel\b"
            r"|cisplatinum|\Brubicin\b|\Bcitabine\b|\Bmustine\b|\Btrexed\b",
        ),
        ("hormone therapy", r"androgen deprivation|\badt\b|\Blutamide\b|\Brelix\b|\Brelin\b"),
        (
            "small molecule",
            r"\B(?:tinib|rafenib|ciclib|parib|lisib|sertib|rasib|degib|zomib|metinib|toclax)\b"
            r"|tyrosine kinase inhibitor|\btkis?\b|\binhibitors?\b",
        ),
        ("gene therapy", r"gene therapy|gene transfer|\bcrispr\b"),
        (
            "cytokine",
            r"\binterleukin[\s-]?\d+\b|\binterferon\b|\bil[\s-]?\d+\s+(?:injection|therapy)",
        ),
        (
            "radiation",
            r"radiotherap|radiation|\bsbrt\b|\bsabr\b|\bimrt\b|\bebrt\b|\b3d[\s-]crt\b"
            r"|brachytherap|proton therap|\bgy\b",
        ),
        ("procedure", r"surgery|surgical|resection|biopsy|ablati|apheresis|transplant|ectomy\b"),
        ("cell therapy", r"\bcells?\b.*\b(?:infusion|therapy|transfer)\b|\bt[\s-]cells?\b"),
    )
)

_TYPE_MODALITY = {
    "RADIATION": "radiation",
    "PROCEDURE": "procedure",
    "DEVICE": "device",
    "BEHAVIORAL": "behavioral",
    "DIAGNOSTIC_TEST": "diagnostic",
    "DIETARY_SUPPLEMENT": "dietary supplement",
    "GENETIC": "gene therapy",
}

# Types whose own name decides over the type: a DEVICE called "CAR-T" is still odd, so
# only these types consult the name rules first.
_NAME_FIRST_TYPES = frozenset({"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT", "OTHER"})


def detect_modality(texts: Iterable[str], intervention_type: str = "") -> str | None:
    """The modality key that the first matching rule assigns to ``texts``, else by type.

    >>> detect_modality(["CAR-CLDN18.2 T-Cells"])
    'CAR-T'
    >>> detect_modality(["PD-1 Monoclonal Antibody"])
    'monoclonal antibody'
    >>> detect_modality(["Blood samples for Chemistry"], "BIOLOGICAL") is None
    True
    >>> detect_modality(["Questionnaire"], "BEHAVIORAL")
    'behavioral'
    """
    by_type = _TYPE_MODALITY.get(intervention_type)
    if by_type and intervention_type not in _NAME_FIRST_TYPES:
        return by_type
    first = min((_first_rule(t) for t in texts if t), default=len(_MODALITY_RULES))
    return _MODALITY_RULES[first][0] if first < len(_MODALITY_RULES) else by_type


@lru_cache(maxsize=4096)  # names, titles and summaries recur within and across records
def _first_rule(text: str) -> int:
    """The index of the first modality rule matching ``text``, else ``len(_MODALITY_RULES)``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    for i, (_, pattern) in enumerate(_MODALITY_RULES):
        if pattern.search(folded):
            return i
    return len(_MODALITY_RULES)


# ---------------------------------------------------------------------------------------
# Drugs


def _guess_modality(name: str) -> str | None:
    """Modality from an INN stem, for DrugBank names without a curated row."""
    return detect_modality([name]) if re.search(r"[a-z]{4,}", name.casefold()) else None


@lru_cache(maxsize=1)
def drug_index() -> dict[str, Drug]:
    """Squashed drug names and synonyms to drugs: curated rows first, then DrugBank names."""
    db_by_name: dict[str, tuple[str, str]] = {}
    for row in table("drugs.tsv.gz"):
        db_by_name.setdefault(squash(row["name"]), (row["drugbank_id"], row["name"]))
    index: dict[str, Drug] = {}
    for row in table("drugs_curated.tsv"):
        names = [row["name"], *(s for s in row["synonyms"].split("|") if s)]
        curie = row["curie"] or None
        if curie is None:
            for n in names:
                hit = db_by_name.get(squash(n))
                if hit:
                    curie = "DRUGBANK:" + hit[0]
                    break
        drug = Drug(
            name=row["name"],
            modality=row["modality"] or None,
            targets=tuple(t for t in row["targets"].split("|") if t),
            curie=curie,
            synonyms=tuple(names[1:]),
        )
        for n in names:
            index.setdefault(squash(n), drug)
    for key, (db_id, name) in db_by_name.items():
        if key not in index and len(key) >= 4:
            index[key] = Drug(name=name, modality=_guess_modality(name), curie="DRUGBANK:" + db_id)
    return index


def lookup_drug(name: str) -> Drug | None:
    """The drug a whole name denotes (case, spaces and dashes ignored), else ``None``.

    >>> lookup_drug("Keytruda").name, lookup_drug("MK-3475").name
    ('pembrolizumab', 'pembrolizumab')
    """
    return drug_index().get(squash(name))


_TOKEN = re.compile(r"[^\s,;:()\[\]{}+/&|\"“”]+")


def find_drugs(text: str, max_words: int = 3) -> list[Drug]:
    """Drugs named anywhere in a short text (an intervention name), longest match first.

    >>> [d.name for d in find_drugs("sintilimab combined with anlotinib")]
    ['sintilimab', 'anlotinib']
    >>> [d.name for d in find_drugs("SHR-1826；Adebrelimab；Bevacizumab")]
    ['adebrelimab', 'bevacizumab']
    """
    return list(_drugs_in(text, max_words))


@lru_cache(maxsize=1 << 14)  # intervention names recur across records
def _drugs_in(text: str, max_words: int) -> tuple[Drug, ...]:
    text = unicodedata.normalize("NFKC", text)
    words = [m.group(0).strip(".") for m in _TOKEN.finditer(text)]
    index = drug_index()
    found: list[Drug] = []
    i = 0
    while i < len(words):
        for n in range(min(max_words, len(words) - i), 0, -1):
            drug = index.get(squash(" ".join(words[i : i + n])))
            if drug is not None:
                if drug not in found:
                    found.append(drug)
                i += n
                break
        else:
            i += 1
    return tuple(found)


# ---------------------------------------------------------------------------------------
# Labels and keys

_DOSE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|gy|iu|units?|cells?)(?:\s*/\s*(?:m2|m²|kg|day|d))*\b"
    r"|\b(?:q\.?d|b\.?i\.?d|t\.?i\.?d|qw|q\dw|p\.?o|i\.?v)\.?(?=\s|$)|\bonce daily\b"
    r"|\btwice daily\b",
    re.IGNORECASE,
)
_FORMULATION = re.compile(
    r"\((?:[^()]*\b(?:cohort|arm|group|phase|part)\b[^()]*)\)"
    r"|\bphase\s*[0-9iv]+[ab]?\b|\b(?:tablets?|capsules?|injection|for injection|infusion|"
    r"solution|oral solution|powder|group|arm|cohort|dosing)\b",
    re.IGNORECASE,
)
_CAR_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (
            r"\bchimeric antigen receptor[\s-]+(?:modified\s+|engineered\s+)?t[\s-]*cells?\b",
            "CAR-T",
        ),
        (
            r"\bchimeric antigen receptor[\s-]+(?:modified\s+|engineered\s+)?nk[\s-]*cells?\b",
            "CAR-NK",
        ),
        (r"\bCAR[\s-]+(?!T\b|NK\b)([A-Za-z0-9][\w.\-/]*?)[\s-]+T[\s-]*cells?\b", r"\1 CAR-T"),
        (r"\bCAR[\s-]?T(?:[\s-]*cells?)?\b", "CAR-T"),
        (r"\bCART(?:[\s-]*cells?)?\b", "CAR-T"),
        (r"\bCAR[\s-]?NK(?:[\s-]*cells?)?\b", "CAR-NK"),
        (r"\bTCR[\s-]?T(?:[\s-]*cells?)?\b", "TCR-T"),
    )
)
_CELL_NOISE = re.compile(
    r"\b(?:autologous|allogeneic|allogenic|adoptive|transfer|therapy|cells?|"
    r"T[\s-]cells?|products?|injection|infusion|suspension)\b",
    re.IGNORECASE,
)


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\(\s*[,;\s]*\)", "", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" ,;:-+/").strip()


@lru_cache(maxsize=1 << 14)  # product names recur across records
def canonical_label(name: str, modality: str | None = None) -> str:
    """The product's label: doses and formulation words removed, CAR-T spellings unified.

    >>> canonical_label("U87 autologous CAR T-cell", "CAR-T")
    'U87 CAR-T'
    >>> canonical_label("CAR-CLDN18.2 T-Cells", "CAR-T")
    'CLDN18.2 CAR-T'
    >>> canonical_label("Adoptive TIL-TCM transfer therapy", "TIL")
    'TIL-TCM'
    >>> canonical_label("Afatinib 40 MG")
    'Afatinib'
    """
    text = unicodedata.normalize("NFKC", name)
    text = _DOSE.sub(" ", text)
    for pattern, repl in _CAR_SPELLINGS:
        text = pattern.sub(repl, text)
    if modality_category(modality) == "cell":
        stripped = _tidy(_CELL_NOISE.sub(" ", text))
        if stripped:
            text = stripped
    stripped = _tidy(_FORMULATION.sub(" ", text))
    return stripped or _tidy(text) or name.strip()


def product_key(label: str) -> str:
    """A stable, IRI-safe key from a label: lower case, runs of other characters as ``-``.

    >>> product_key("U87 CAR-T"), product_key("CLDN18.2 CAR-T")
    ('u87-car-t', 'cldn18-2-car-t')
    """
    key = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKC", label).casefold())
    return key.strip("-") or "unnamed"


# ---------------------------------------------------------------------------------------
# Origin


_AUTO = re.compile(r"\bautologous\b", re.IGNORECASE)
_ALLO = re.compile(
    r"\ballo(?:geneic|genic)\b|\boff[\s-]the[\s-]shelf\b|\buniversal\b", re.IGNORECASE
)


def _origin(texts: Iterable[str]) -> str | None:
    joined = " ".join(texts)
    auto, allo = bool(_AUTO.search(joined)), bool(_ALLO.search(joined))
    if auto and not allo:
        return "autologous"
    if allo and not auto:
        return "allogeneic"
    return None


# ---------------------------------------------------------------------------------------
# The product


@lru_cache(maxsize=1 << 14)  # intervention names recur across records
def _resolve_drug(name: str, other_names: tuple[str, ...]) -> Drug | None:
    """The drug an intervention's whole name (or, failing that, its other names) denotes."""
    tidy = _tidy(_FORMULATION.sub(" ", _DOSE.sub(" ", unicodedata.normalize("NFKC", name))))
    drug = lookup_drug(tidy) or lookup_drug(name)
    if drug is not None:
        return drug
    if find_drugs(name):
        return None  # a combination or a differently named drug: not a single known drug
    from_others = {
        d.name: d
        for other in other_names
        if (d := lookup_drug(_tidy(_FORMULATION.sub(" ", _DOSE.sub(" ", other))))) is not None
    }
    return next(iter(from_others.values())) if len(from_others) == 1 else None


def _record_modality(record: TrialRecord) -> str | None:
    """A cell-therapy modality that the record's title or summary states, if any."""
    modality = detect_modality([record.title, record.official_title, record.brief_summary])
    return modality if modality_category(modality) == "cell" else None


def normalize_product(intervention: Intervention, record: TrialRecord | None = None) -> Product:
    """The shared product an intervention denotes: key, label, modality, origin, CURIE.

    ``record`` (optional) supplies context: a cell-therapy modality stated in the title or
    summary when the record has a single drug or biological intervention, and autologous /
    allogeneic origin stated anywhere in its text when the intervention does not say.
    """
    texts = [intervention.name, *intervention.other_names]
    drug = _resolve_drug(intervention.name, tuple(intervention.other_names))
    if drug is not None:
        modality = drug.modality or detect_modality(texts, intervention.type)
        label = drug.name
        return Product(
            key=product_key(label),
            label=label,
            modality=modality,
            origin=_origin([*texts, intervention.description])
            if modality_category(modality) == "cell"
            else None,
            curie=drug.curie,
        )
    modality = detect_modality(texts, intervention.type)
    if modality is None and intervention.description:
        modality = detect_modality([intervention.description], intervention.type)
    if (
        modality is None
        and record is not None
        and intervention.type in {"DRUG", "BIOLOGICAL", "GENETIC"}
    ):
        active = [i for i in record.interventions if i.type in {"DRUG", "BIOLOGICAL", "GENETIC"}]
        if len(active) == 1:
            modality = _record_modality(record)
    origin = None
    if modality_category(modality) == "cell":
        origin = _origin([*texts, intervention.description])
        if origin is None and record is not None:
            origin = _origin(
                [
                    record.title,
                    record.official_title,
                    record.brief_summary,
                    record.detailed_description,
                ]
            )
    label = canonical_label(intervention.name, modality)
    return Product(key=product_key(label), label=label, modality=modality, origin=origin)
