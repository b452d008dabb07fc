"""Products: one shared node per distinct product, its label, modality and identifiers.

A product's key, label and modality depend on its name alone, so every record naming the
same product names the same node and no node collects contradictory facts; what depends on
the record (the intervention type, a cell-therapy modality stated in the title, an
autologous origin in the description) stays on the intervention
(:mod:`trialgraph.normalize.interventions`).

- A known drug (:mod:`trialgraph.normalize.drugs`) is its table entry: "Keytruda",
  "pembrolizumab" and "MK-3475" share the key ``pembrolizumab``.
- Controls (placebo, vehicle, sham, standard care, no intervention) are products of their
  own with a control modality and never a target.
- Any other product gets a canonical label with dose strings and formulation words removed
  and CAR-T spellings unified ("U87 autologous CAR T-cell" and "U87 CAR-T" are both
  "U87 CAR-T"), in a form that is a function of its key
  (:func:`~trialgraph.normalize.labels.display_label`).

Modalities come from the fixed list in ``data/modalities.tsv``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from trialgraph.normalize.drugs import Drug
from trialgraph.normalize.labels import display_label
from trialgraph.normalize.lexicon import table
from trialgraph.normalize.model import Product

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "canonical_label",
    "control_product",
    "detect_modality",
    "drug_product",
    "modalities",
    "modality_category",
    "named_product",
    "origin",
    "product_key",
    "specific",
    "type_fallback",
]


# ---------------------------------------------------------------------------------------
# Modalities


@lru_cache(maxsize=1)
def modalities() -> dict[str, dict[str, str]]:
    """The fixed modality list (``data/modalities.tsv``) keyed by modality."""
    return {row["modality"]: row for row in table("modalities.tsv")}


def specific(modality: str | None) -> str | None:
    """A modality, or ``None`` for one that only the intervention type gave ("drug")."""
    return None if modality_category(modality) == "unspecified" else modality


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
            r"|^\s*(?:ga|lu|cu|tc|zr|ac|pb)-(?=[a-z])|\bf[\s-]?18\b|\[18f\]|^\s*11c\b|\[11c\]"
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
        (
            "cell therapy",
            r"\bcells?\b.*\b(?:infusion|therapy|transfer)\b|\bt[\s-]cells?\b|\bmscs?\b"
            r"|mesenchymal|\bstem[\s-]cells?\b|\bstromal (?:vascular )?(?:cells?|fraction)\b",
        ),
        # class words of other areas, where a record names a kind of drug, not a drug
        ("peptide", r"\binsulins?\b|\bglp-?1 (?:receptor )?agonists?\b"),
        (
            "protein",
            r"\bimmunoglob|\bimmune globulin\b|\bivig\b|\balbumin\b|\bclotting factor"
            r"|\bfactor (?:viii|ix|vii|xiii)\b",
        ),
        (
            "diagnostic",
            r"\b(?:blood|urine|stool|fa?ecal|saliva|tissue|serum|plasma|swab) samples?\b"
            r"|\bsample collection\b",
        ),
        (
            "small molecule",
            r"\bbeta[\s-]?blockers?\b|\bace inhibitors?\b|\bstatins?\b|\bantibiotics?\b"
            r"|\bdiuretics?\b|\bcorticosteroids?\b|\bssris?\b|\bnsaids?\b|\bantihistamines?\b"
            r"|\b(?:topical|inhaled|oral) steroids?\b|\bjaki\b|\bmuscarinic antagonists?\b",
        ),
        (
            "dietary supplement",
            r"\bvitamins?\b|\bsupplements?\b|\bsupplementation\b|\bprobiotics?\b"
            r"|\bomega[\s-]?3\b|\bfish oil\b",
        ),
        (
            "behavioral",
            r"\bexercises?\b|\bcounsel+ing\b|\bpsychotherapy\b|\bcognitive[\s-]behavio"
            r"|\bmindfulness\b|\byoga\b|\blifestyle\b|\bpsychoeducation",
        ),
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

# The last fallback, for a drug-like intervention that nothing else classifies.
_TYPE_FALLBACK = {
    "DRUG": "drug",
    "COMBINATION_PRODUCT": "drug",
    "BIOLOGICAL": "biological",
    "OTHER": "other",
}


def type_fallback(intervention_type: str) -> str | None:
    """The modality an intervention type alone gives: ``drug`` for DRUG and the like."""
    return _TYPE_FALLBACK.get(intervention_type) or _TYPE_MODALITY.get(intervention_type)


# Types whose own name decides over the type: a DEVICE called "CAR-T" is still odd, so
# only these types consult the name rules first.
_NAME_FIRST_TYPES = frozenset({"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT", "OTHER"})


def detect_modality(texts: Iterable[str], intervention_type: str = "") -> str | None:
    """The modality key that the first matching rule assigns to ``texts``, else by type.

    >>> detect_modality(["CAR-CLDN18.2 T-Cells"])
    'CAR-T'
    >>> detect_modality(["PD-1 Monoclonal Antibody"])
    'monoclonal antibody'
    >>> detect_modality(["Blood samples for Chemistry"], "BIOLOGICAL")
    'diagnostic'
    >>> detect_modality(["Study drug"], "BIOLOGICAL") is None
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


def origin(texts: Iterable[str]) -> str | None:
    """``autologous`` or ``allogeneic`` when the texts say one and not the other."""
    joined = " ".join(texts)
    auto, allo = bool(_AUTO.search(joined)), bool(_ALLO.search(joined))
    if auto and not allo:
        return "autologous"
    if allo and not auto:
        return "allogeneic"
    return None


# ---------------------------------------------------------------------------------------
# Products


def drug_product(drug: Drug) -> Product:
    """The product a drug table entry denotes: keyed by its ingredient name."""
    return Product(
        key=product_key(drug.name),
        label=drug.name,
        modality=drug.modality,
        curie=drug.curie,
        xrefs=drug.xrefs,
        targets=drug.targets,
        actions=drug.actions,
        source=drug.source,
        derivations=drug.derivations,
    )


# Controls: (key, modality, pattern over the case-folded name), first match wins.
_CONTROLS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (key, modality, re.compile(pattern))
    for key, modality, pattern in (
        ("placebo", "placebo", r"\bplacebos?\b|\bsugar pills?\b|\bdummy (?:pill|tablet)s?\b"),
        ("sham", "placebo", r"\bsham\b"),
        ("vehicle", "placebo", r"\bvehicle\b"),
        (
            "no intervention",
            "no intervention",
            r"^(?:no[\s-](?:intervention|treatment|therapy|drug)|observation(?: only)?"
            r"|wait(?:ing)?[\s-]?list(?: control)?|watchful waiting|untreated(?: control)?"
            r"|control group)$",
        ),
        (
            "standard care",
            "standard care",
            r"\b(?:standard|usual|routine|conventional)(?:[\s-]of)?[\s-](?:medical\s+)?"
            r"(?:care|treatment|therapy|practice|management)\b|\btreatment as usual\b"
            r"|\bbest supportive care\b|^(?:soc|bsc|tau)$",
        ),
    )
)


@lru_cache(maxsize=1 << 12)
def control_product(name: str) -> Product | None:
    """The control a (cleaned) name denotes: placebo, sham, vehicle, standard care or no
    intervention; else ``None``.

    >>> control_product("Matching placebo tablets").key, control_product("Usual care").key
    ('placebo', 'standard-care')
    >>> control_product("Metformin") is None, control_product("Observation").label
    (True, 'no intervention')
    """
    folded = unicodedata.normalize("NFKC", name).casefold().strip()
    for key, modality, pattern in _CONTROLS:
        if pattern.search(folded):
            return Product(key=product_key(key), label=key, modality=modality)
    return None


@lru_cache(maxsize=1 << 14)
def named_product(name: str, modality: str | None) -> Product:
    """A product no table knows, by its name: canonical label, and the modality its name
    alone states (``modality``, what the record adds, shapes the label only)."""
    # a name of punctuation alone has no words to show: one node, with a fixed label
    label = display_label(canonical_label(name, modality)) or "(unnamed product)"
    return Product(key=product_key(label), label=label, modality=detect_modality([label]))
