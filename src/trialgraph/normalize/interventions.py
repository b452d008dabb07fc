"""Interventions: the product or products each one names, and what the record adds.

:func:`normalize_intervention` reads one :class:`~trialgraph.records.Intervention`:

1. its name is cleaned for matching (:func:`matching_name`): doses, strengths, forms,
   routes, schedules and arm labels go ("tofacitinib ointment 20 mg/g" → "tofacitinib");
2. a name that is one known drug (or its brand, code or salt), or a control, is that
   product; otherwise it is split into components (:func:`components`) at "+", "plus",
   "combined with", "followed by", ";" and the like, and at "and", "/" and bare spaces only
   where every part is a known drug ("Gemcitabine nab-Paclitaxel Lenvatinib");
3. each component is a shared product (:mod:`trialgraph.normalize.products`) whose
   modality depends on its name alone; the intervention's own modality falls back, in
   order, to its description, a cell-therapy modality the trial's title or summary states
   (when the trial has one drug-like intervention), and its intervention type.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from trialgraph.normalize.drugs import (
    Drug,
    combination,
    drug_spans,
    is_salt,
    lookup_drug,
    stem_drug,
    tokens,
)
from trialgraph.normalize.model import InterventionFacts, Product
from trialgraph.normalize.products import (
    control_product,
    detect_modality,
    drug_product,
    modality_category,
    named_product,
    origin,
    type_fallback,
)

if TYPE_CHECKING:
    from trialgraph.records import Intervention, TrialRecord

__all__ = ["components", "matching_name", "normalize_intervention", "resolve_component"]

_UNIT = (
    r"(?:mg|mcg|µg|μg|ug|ng|g|kg|ml|l|iu|units?|u|mmol|µmol|μmol|meq|gy|cgy|mbq|gbq|mci"
    r"|cells?|vg|pfu|tcid50|puffs?|drops?|tablets?|capsules?|%)"
)
_PER = r"(?:\s*/\s*(?:m2|m²|kg|day|d|dose|week|wk|h|hr|hour|ml|g|cm2|eye|kg/day))*"
_NUMBER = r"\d+(?:[.,]\d+)?(?:\s*(?:-|–|/|to|x|×)\s*\d+(?:[.,]\d+)?)*"
_DOSE = rf"{_NUMBER}\s*{_UNIT}{_PER}(?![\w/])|\b\d+(?:[.,]\d+)?\s*[x×]\s*10\^?\d+"
_FORM = (
    r"tablets?|tabs?|capsules?|caps|pills?|injections?|injectable|infusions?|ointment"
    r"|creams?|gels?|lotion|foam|shampoo|solution|suspension|emulsion|(?:nasal\s+)?spray"
    r"|patch(?:es)?|(?:eye\s+)?drops?|ophthalmic|otic|powder|granules|syrup|suppositor(?:y|ies)"
    r"|implant|inhaler|inhalation|nebuli[sz]ed|aerosol|vials?|pens?|auto-?injectors?"
    r"|pre-?filled\s+syringes?|film[\s-]?coated|formulation|dosage\s+form"
    r"|(?:extended|sustained|modified|delayed|immediate|controlled|prolonged)[\s-]release"
    r"|er|xr|sr|xl|cr|ir|odt|orally\s+disintegrating|chewable|effervescent|for\s+injection"
)
_ROUTE = (
    r"oral(?:ly)?|topical(?:ly)?|intravenous(?:ly)?|i\.?v\.?|subcutaneous(?:ly)?|s\.?c\.?|sq"
    r"|intramuscular(?:ly)?|i\.?m\.?|intravitreal|intranasal|inhaled|transdermal|sublingual"
    r"|buccal|rectal|vaginal|intradermal|intrathecal|intra-?articular|cutaneous|by\s+mouth"
    r"|p\.?o\.?"
)
_SCHEDULE = (
    r"(?:once|twice|three\s+times|four\s+times)(?:\s+(?:a|per|every))?(?:\s+(?:daily|day|"
    r"weekly|week|monthly|month))?|daily|weekly|bi-?weekly|monthly|nightly|at\s+bedtime"
    r"|q\.?d\.?|b\.?i\.?d\.?|t\.?i\.?d\.?|q\.?i\.?d\.?|qhs|qod|qw|q\d+w|q\d+h|qam|qpm"
    r"|every\s+\d+\s+(?:hours?|days?|weeks?|months?)|per\s+day|a\s+day|\d+\s*cycles?(?:\s+of)?"
)
_ARM = (
    r"(?:arm|group|cohort|part|phase|stage|period|level|regimen|treatment)\s+"
    r"(?:[a-z]|\d+[a-z]?|[ivx]+[ab]?)"
    r"|(?:low|high|half|full|standard|single|multiple|loading|maintenance|fixed|reduced"
    r"|escalating|double|higher|lower|medium|mid|starting|target)[\s-]?doses?|dose\s+level\s+\d+"
    r"|arm|group|cohort|doses?|dosing|therapy\s+arm|mono-?therapy|alone|only"
    r"|(?:neo-?)?adjuvant|induction|consolidation|maintenance|perioperative|salvage"
)
_NOISE = re.compile(
    rf"(?<![\w-])(?:{_DOSE}|(?:{_FORM}|{_ROUTE}|{_SCHEDULE}|{_ARM})(?![\w-]))", re.IGNORECASE
)
_BRACKETS = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")
_LEAD = re.compile(r"^\s*(?:drug|biological|experimental|active comparator)\s*:\s*", re.I)
_MARKS = str.maketrans({"®": " ", "™": " ", "©": " ", "*": " "})


def _tidy(text: str) -> str:
    """Spaces collapsed, separators trimmed from the ends, and a bracket a split left
    without its partner dropped ("(Toripalimab + chemotherapy)" splits into two names)."""
    if text.count("(") != text.count(")"):
        text = text.replace("(", " ").replace(")", " ")
    return re.sub(r"\s+", " ", text).strip(" ,;:-+/&.").strip()


@lru_cache(maxsize=1 << 14)  # intervention names recur across records
def matching_name(name: str) -> str:
    """The name with doses, strengths, forms, routes, schedules, arm labels and bracketed
    remarks removed: the form that is looked up in the drug tables.

    >>> matching_name("tofacitinib ointment 20 mg/g"), matching_name("Apremilast 30mg")
    ('tofacitinib', 'Apremilast')
    >>> matching_name("Etanercept (half dose)"), matching_name("Lecanemab 10 mg/kg IV Q2W")
    ('Etanercept', 'Lecanemab')
    """
    text = unicodedata.normalize("NFKC", name).translate(_MARKS)
    text = _LEAD.sub("", text)
    text = _BRACKETS.sub(" ", text)
    cleaned = _tidy(_NOISE.sub(" ", text))
    return cleaned or _tidy(text) or name.strip()


def _bracketed(name: str) -> list[str]:
    """Bracketed remarks of a name, cleaned: "Infliximab (Remsima)" → ["Remsima"]."""
    return [m for part in _BRACKETS.findall(name) if (m := matching_name(part))]


# A name's tail that says what it is for or which arm it is: "Abiraterone - Study",
# "Nivolumab and Ipilimumab Combination for Prostate Cancer", "X in patients with Y".
_TAIL_WORDS = (
    r"\s+(?:-|–|—)\s+.*$|\s+(?:for|in|to|during|after|before|among|versus|vs\.?|via|by|using"
    r"|through|delivered|given|administered)\s+.*$|\s+(?:administration|intake|use)$"
    r"|\s+(?:combination|combined|fixed|single|regimen|therapy"
    r"|treatment|study drug|reference|test)\b.*$"
)
_TAIL = re.compile(rf"{_TAIL_WORDS}|,\s.*$", re.IGNORECASE)
_LIST_TAIL = re.compile(_TAIL_WORDS, re.IGNORECASE)


@lru_cache(maxsize=1 << 14)
def resolve_component(name: str) -> Drug | Product | None:
    """What a component's name denotes: a known drug, a control, an INN by its stem; its
    head, when a tail says what it is for or which arm it is ("Abiraterone - Study")."""
    cleaned = matching_name(name)
    for candidate in dict.fromkeys((cleaned, name, _tidy(_TAIL.sub("", cleaned)))):
        if not candidate:
            continue
        drug = lookup_drug(candidate)
        if drug is not None:
            return drug
    control = control_product(cleaned)
    if control is not None:
        return control
    return stem_drug(cleaned) or stem_drug(_tidy(_TAIL.sub("", cleaned)))


# Separators that always join components; "and", "/" and "with" only join known drugs,
# controls and kinds of product, one drug at least.
_STRONG = re.compile(
    # "+" after a word and before a space marks positivity ("MRD+ patients"), not a join
    r"\s*(?:(?<!\S)\+|\+(?=\S)|＋|;|；|\bplus\b|\bcombined with\b|\bin combination with\b"
    r"|\bfollowed by\b|\bcombination of\b|\bco-?administered with\b|\badded to\b|\bon top of\b)\s*",
    re.IGNORECASE,
)
_WEAK = re.compile(r"\s*(?:/|,|&|\band\b|\bwith\b|\bor\b)\s*", re.IGNORECASE)
_FILLER = frozenset({"and", "plus", "with", "&", "or", "combination", "regimen", "therapy"})


@lru_cache(maxsize=1 << 14)
def components(name: str) -> tuple[str, ...]:
    """The component names of a combination, or ``(name,)`` for a single product.

    >>> components("Placebo + Methotrexate"), components("ezetimibe/simvastatin")
    (('Placebo', 'Methotrexate'), ('ezetimibe', 'simvastatin'))
    >>> components("Diet and exercise"), components("CD19/CD22 CAR-T")
    (('Diet and exercise',), ('CD19/CD22 CAR-T',))
    """
    fixed = combination(matching_name(name))
    if fixed is not None:
        return fixed
    if _whole(name):
        return (name,)
    strong = [_tidy(p) for p in _STRONG.split(name) if _tidy(p)]
    if len(strong) > 1:
        return tuple(part for p in strong for part in components(p))
    weak = [p for p in _WEAK.split(_LIST_TAIL.sub("", matching_name(name))) if _tidy(p)]
    if len(weak) > 1 and all(_known(p) for p in weak) and any(_drug(p) for p in weak):
        return tuple(_tidy(p) for p in weak)
    return _run_together(name)


def _whole(name: str) -> bool:
    """Whether the whole name, cleaned, is one known drug or names a cell product."""
    if lookup_drug(matching_name(name)) or lookup_drug(name):
        return True
    return modality_category(detect_modality([name])) == "cell"


def _known(part: str) -> bool:
    """Whether a part names a known drug, a control or a kind of product ("chemotherapy")."""
    return resolve_component(part) is not None or detect_modality([matching_name(part)]) is not None


def _drug(part: str) -> bool:
    return isinstance(resolve_component(part), Drug)


def _run_together(name: str) -> tuple[str, ...]:
    """Known drugs named one after another without separators, when nothing else but
    dose, form and connecting words is left: the drugs; else the whole name."""
    cleaned = matching_name(name)
    spans = drug_spans(cleaned)
    if len(spans) < 2:
        return (name,)
    words = tokens(cleaned)
    covered = {i for _, first, last in spans for i in range(first, last)}
    rest = [w for i, w in enumerate(words) if i not in covered]
    if any(w.casefold() not in _FILLER for w in rest):
        return (name,)
    return tuple(" ".join(words[first:last]) for _, first, last in spans)


# ---------------------------------------------------------------------------------------
# The intervention

_DRUG_LIKE = frozenset({"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"})
_DRUG_NAMED = _DRUG_LIKE | {"DIETARY_SUPPLEMENT"}


def _product(part: str, context_modality: str | None, intervention_type: str) -> Product:
    hit = resolve_component(part)
    if isinstance(hit, Drug):
        return drug_product(hit)
    if isinstance(hit, Product):
        return hit
    # a drug's name loses its dose, form and route; other names keep their words
    name = matching_name(part) if intervention_type in _DRUG_NAMED else part
    return named_product(name, context_modality)


def _without_masking(products: tuple[Product, ...]) -> tuple[Product, ...]:
    """A regimen's products less the placebo, sham or vehicle that masks another component:
    "Placebo with enzalutamide" gives enzalutamide."""
    active = tuple(p for p in products if p.modality != "placebo")
    return active if active and len(active) < len(products) else products


def _context_modality(intervention: Intervention, record: TrialRecord | None) -> str | None:
    """The modality the record says for an intervention, where its name does not."""
    texts = [intervention.name, *intervention.other_names]
    modality = detect_modality(texts, intervention.type)
    if modality is None and intervention.description:
        modality = detect_modality([intervention.description], intervention.type)
    if modality is None and record is not None and intervention.type in _DRUG_LIKE:
        active = [i for i in record.interventions if i.type in _DRUG_LIKE]
        if len(active) == 1:
            stated = detect_modality([record.title, record.official_title, record.brief_summary])
            modality = stated if modality_category(stated) == "cell" else None
    return modality


def _single_modality(named: str | None, context: str | None, intervention_type: str) -> str | None:
    """A single product's intervention modality: its own, else what the record says, else
    what the intervention type alone gives; a supplement typed so stays a supplement."""
    modality = named or context or type_fallback(intervention_type)
    if intervention_type == "DIETARY_SUPPLEMENT" and modality == "small molecule":
        return "dietary supplement"
    return modality


def _may_name_a_drug(product: Product) -> bool:
    """Whether a product no table knows may be a drug its other words name: not a control,
    and of no modality, or of a drug or antibody class ("PDE5 inhibitor (tadalafil)");
    a tracer or a cell product named after a molecule is not that molecule."""
    if product.source is not None or control_product(product.label) is not None:
        return False
    category = modality_category(product.modality)
    return product.modality is None or (
        category in {"drug", "antibody"} and product.modality != "radiopharmaceutical"
    )


def _other_name_drug(intervention: Intervention) -> Drug | None:
    """The one known drug that the intervention's name among other words, its bracketed
    remarks or its other names name ("Access program - sildenafil citrate, Viagra",
    "NanoPac (sterile nanoparticulate paclitaxel)")."""
    names = [intervention.name, *_bracketed(intervention.name), *intervention.other_names]
    found = {d.name: d for n in names if (d := _one_drug_in(n)) is not None}
    return next(iter(found.values())) if len(found) == 1 else None


#: At most this many other words may stand beside the one drug a name is taken to be.
_MAX_OTHER_WORDS = 3


def _one_drug_in(name: str) -> Drug | None:
    """The drug a name denotes, or the one drug it names among a few other words."""
    hit = resolve_component(name)
    if isinstance(hit, Drug):
        return hit
    if hit is not None:
        return None  # a control
    cleaned = matching_name(name)
    spans = drug_spans(cleaned)
    drugs = {d.name for d, _, _ in spans}
    if len(drugs) != 1:
        return None
    covered = sum(last - first for _, first, last in spans)
    rest = [
        w
        for w in tokens(cleaned)
        if any(c.isalnum() for c in w) and w.casefold() not in _FILLER and not is_salt(w)
    ]
    return spans[0][0] if len(rest) - covered <= _MAX_OTHER_WORDS else None


def normalize_intervention(
    intervention: Intervention, record: TrialRecord | None = None
) -> InterventionFacts:
    """The products an intervention names, its modality and origin.

    ``record`` (optional) supplies context: a cell-therapy modality stated in the title or
    summary, and autologous / allogeneic origin stated anywhere in its text.
    """
    parts = components(intervention.name)
    context = _context_modality(intervention, record) if len(parts) == 1 else None
    products = _without_masking(tuple(_product(part, context, intervention.type) for part in parts))
    if len(products) == 1 and _may_name_a_drug(products[0]):
        drug = _other_name_drug(intervention)
        if drug is not None:
            products = (drug_product(drug),)
    modalities = {p.modality for p in products}
    modality = next(iter(modalities)) if len(modalities) == 1 else None
    if len(products) == 1:
        modality = _single_modality(modality, context, intervention.type)
    stated_origin = None
    if modality_category(modality) == "cell":
        texts = [intervention.name, *intervention.other_names, intervention.description]
        stated_origin = origin(texts)
        if stated_origin is None and record is not None:
            stated_origin = origin(
                [
                    record.title,
                    record.official_title,
                    record.brief_summary,
                    record.detailed_description,
                ]
            )
    return InterventionFacts(
        products=products,
        modality=modality,
        origin=stated_origin,
    )
