"""Attachment: which of a record's interventions each target it names is aimed at.

``TargetMention.intervention`` is decided by these rules, in order:

1. a target of a drug named in an intervention's name (or, failing that, its other names)
   is aimed at that intervention; so is a target named in its name, description or other
   names, when its product can be aimed at a target at all (:func:`_aimable`; the texts of
   other interventions count as trial text);
2. a target named in the trial text that an intervention already carries is not repeated;
3. otherwise, when the cue names a kind of product ("X CAR-T": cell; "X antibody": antibody;
   "X inhibitor": small molecule) and exactly one intervention of that kind has no targets
   from the drug table, it is that one; with none such, a single drug-like
   intervention of unknown modality is;
4. otherwise, when the record has exactly one cell, antibody or small-molecule product and
   the drug table does not already know its targets, the target is aimed at it ("positive
   mesothelin and MUC1" in a summary → the trial's one CAR-T product);
5. otherwise ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trialgraph.normalize.model import TargetMention
from trialgraph.normalize.products import find_drugs, modality_category, normalize_product
from trialgraph.normalize.targets.cues import Scanner
from trialgraph.normalize.targets.lexicon import Lexicon, lexicon

if TYPE_CHECKING:
    from trialgraph.normalize.model import Product
    from trialgraph.records import Intervention, TrialRecord

__all__ = ["find_targets"]


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


class _Mentions:
    """The mentions found so far: one per (target, intervention), in the order found."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.mentions: list[TargetMention] = []
        self.seen: set[tuple[str, int | None]] = set()

    def add(self, symbol: str, text: str, index: int | None) -> None:
        if (symbol, index) not in self.seen:
            self.seen.add((symbol, index))
            self.mentions.append(TargetMention(self.lex.targets[symbol], text, index))

    def attached(self) -> set[str]:
        """The symbols attached to an intervention so far."""
        return {symbol for symbol, index in self.seen if index is not None}


def find_targets(
    record: TrialRecord, products: Sequence[Product] | None = None
) -> list[TargetMention]:
    """The targets a record names in context, each with the product aimed at it.

    Reads the titles, brief summary, detailed description and every intervention's name,
    description and other names (not outcome measures: they name analytes, not targets).
    One mention per (target, intervention); order: interventions first, then trial text.
    ``products`` are the record's interventions normalized (:func:`normalize_product` with
    the record), when the caller has them already.
    """
    if products is None:
        products = [normalize_product(iv, record) for iv in record.interventions]
    found = _Mentions(lexicon())
    known_targets = [
        _intervention_mentions(found, iv, index, products[index])
        for index, iv in enumerate(record.interventions)
    ]
    _text_mentions(found, record, products, known_targets)
    mentions = found.mentions
    # a target attached somewhere needs no unattached duplicate
    attached = {m.target.symbol for m in mentions if m.intervention is not None}
    return [m for m in mentions if m.intervention is not None or m.target.symbol not in attached]


def _intervention_mentions(
    found: _Mentions, iv: Intervention, index: int, product: Product
) -> bool:
    """Add the targets an intervention names (rule 1); whether the drug table knows the
    targets of a drug it names."""
    drugs = find_drugs(iv.name)
    if not drugs:
        for other in iv.other_names:
            drugs = find_drugs(other)
            if drugs:
                break
    targets = found.lex.targets
    for drug in drugs:
        for symbol in drug.targets:
            if symbol in targets:
                found.add(symbol, drug.name, index)
    if _aimable(product, iv):
        for text in _intervention_texts(iv):
            for hit in Scanner(text).scan():
                for symbol in hit.symbols:
                    found.add(symbol, hit.text, index)
    return any(d.targets for d in drugs)


def _text_mentions(
    found: _Mentions,
    record: TrialRecord,
    products: Sequence[Product],
    known_targets: list[bool],
) -> None:
    """Add the targets the trial text names, attached by rules 2-5: the record's texts and
    the intervention texts of products that cannot be aimed at a target."""
    attached = found.attached()
    intervention_only = found.lex.intervention_only
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
        for hit in Scanner(text).scan():
            for symbol in hit.symbols:
                if symbol in attached or symbol in intervention_only:
                    continue
                attach_to = _attach(hit.kind, products, active, known_targets, record)
                found.add(symbol, hit.text, attach_to)


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
    products: Sequence[Product],
    active: list[int],
    known_targets: list[bool],
    record: TrialRecord,
) -> int | None:
    """The intervention a target named in trial text is aimed at (rules 3-5), or ``None``."""

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
