"""Attachment: which of a record's interventions each target it names is aimed at.

``TargetMention.intervention`` is decided by these rules, in order:

1. a target that the drug knowledge gives one of an intervention's products (a curated row,
   the drug table, an INN stem) is aimed at that product; so is a target named in the
   intervention's name, description or other names, when the intervention can be aimed at
   a target at all and the drug knowledge does not already say what it is aimed at
   (:func:`_aimable`; the texts of other interventions count as trial text);
2. a target named in the trial text that an intervention already carries is not repeated;
3. otherwise, when the cue names a kind of product ("X CAR-T": cell; "X antibody": antibody;
   "X inhibitor": small molecule) and exactly one intervention of that kind has no targets
   from the drug table, it is that one; with none such, a single drug-like
   intervention of unknown modality is;
4. otherwise, when the record has exactly one cell, antibody or small-molecule product and
   the drug table does not already know its targets, the target is aimed at it ("positive
   mesothelin and MUC1" in a summary → the trial's one CAR-T product);
5. otherwise ``None``.

A target named as part of who is enrolled, with a history or population word next to it
("after anti-TNF failure", "previously treated with an EGFR TKI", "PSEN1 mutation
carriers"), is never aimed at a product: it is a population mention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from trialgraph.normalize.drugs import RECORD_TEXT
from trialgraph.normalize.interventions import normalize_intervention
from trialgraph.normalize.model import TargetMention
from trialgraph.normalize.products import modality_category, specific
from trialgraph.normalize.targets.cues import Hit, Scanner
from trialgraph.normalize.targets.lexicon import Lexicon, lexicon, lookup

if TYPE_CHECKING:
    from trialgraph.normalize.model import InterventionFacts
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

    def add(
        self,
        symbol: str,
        text: str,
        index: int | None,
        component: int | None = None,
        derivation: str = RECORD_TEXT,
        population: bool = False,
    ) -> None:
        key = (symbol, -1 if population else index)
        if key not in self.seen:
            self.seen.add(key)
            target = self.lex.targets[symbol]
            self.mentions.append(
                TargetMention(target, text, index, component, derivation, population)
            )

    def attached(self) -> set[str]:
        """The symbols attached to an intervention so far."""
        return {symbol for symbol, index in self.seen if index is not None and index >= 0}


def find_targets(
    record: TrialRecord, interventions: Sequence[InterventionFacts] | None = None
) -> list[TargetMention]:
    """The targets a record names in context, each with the product aimed at it.

    Reads the drug knowledge of each intervention's products, the titles, brief summary,
    detailed description and every intervention's name, description and other names (not
    outcome measures: they name analytes, not targets). One mention per (target,
    intervention); order: interventions first, then trial text. ``interventions`` are the
    record's interventions normalized (:func:`normalize_intervention` with the record),
    when the caller has them already.
    """
    if interventions is None:
        interventions = [normalize_intervention(iv, record) for iv in record.interventions]
    found = _Mentions(lexicon())
    known_targets = [
        _intervention_mentions(found, iv, index, interventions[index])
        for index, iv in enumerate(record.interventions)
    ]
    _text_mentions(found, record, interventions, known_targets)
    mentions = found.mentions
    # a target attached somewhere needs no unattached duplicate
    attached = {m.target.symbol for m in mentions if m.intervention is not None}
    return [
        m
        for m in mentions
        if m.intervention is not None or m.population or m.target.symbol not in attached
    ]


# Words next to a target that make it part of who is enrolled rather than what is given.
_HISTORY_BEFORE = frozenset(
    {
        "prior",
        "previous",
        "previously",
        "after",
        "following",
        "failed",
        "failure",
        "failing",
        "refractory",
        "resistant",
        "intolerant",
        "intolerance",
        "inadequate",
        "experienced",
        "naive",
        "naïve",
        "pretreated",
        "pre-treated",
        "history",
        "exposed",
        "progressed",
        "progression",
        "relapsed",
        "despite",
    }
)
_HISTORY_AFTER = frozenset(
    {
        "carrier",
        "carriers",
        "failure",
        "failures",
        "refractory",
        "experienced",
        "naive",
        "naïve",
        "intolerant",
        "exposed",
        "pretreated",
        "resistant",
        "resistance",
        "inadequate",
        "responders",
        "non-responders",
        "nonresponders",
    }
)


def _population(scanner: Scanner, hit: Hit) -> bool:
    """Whether a history or population word stands within a few words of a hit."""
    words = scanner.words
    before = {w.casefold() for w in words[max(0, hit.first - 5) : hit.first]}
    after = {w.casefold() for w in words[hit.last + 1 : hit.last + 4]}
    return bool(before & _HISTORY_BEFORE or after & _HISTORY_AFTER)


def _scan(text: str) -> list[tuple[Hit, bool]]:
    """The hits of a text, each with whether it is a population mention."""
    scanner = Scanner(text)
    return [(hit, _population(scanner, hit)) for hit in scanner.scan()]


def _intervention_mentions(
    found: _Mentions, iv: Intervention, index: int, facts: InterventionFacts
) -> bool:
    """Add the targets an intervention's products are known for, and those its own texts
    name (rule 1); whether the drug knowledge says what any of its products aims at."""
    targets = found.lex.targets
    known = False
    for j, product in enumerate(facts.products):
        for symbol, derivation in zip(product.targets, product.derivations, strict=True):
            if symbol in targets:
                known = True
                found.add(symbol, product.label, index, j, derivation)
    if not known and specific(facts.modality) == "radiopharmaceutical":
        for symbol in _tracer_targets(iv.name):
            found.add(symbol, iv.name, index, 0 if len(facts.products) == 1 else None)
    if not known and _aimable(facts, iv):
        open_ = [j for j, p in enumerate(facts.products) if _aimable_product(p.modality)]
        component = open_[0] if len(open_) == 1 else None
        for text in _intervention_texts(iv):
            for hit, population in _scan(text):
                for symbol in hit.symbols:
                    if population:
                        found.add(symbol, hit.text, None, population=True)
                    else:
                        found.add(symbol, hit.text, index, component)
    return known


_TRACER_PART = re.compile(r"[\s\-‐]+")


def _tracer_targets(name: str) -> list[str]:
    """Targets a radiopharmaceutical's name spells out beside its isotope: "68Ga-PSMA-11"
    (FOLH1), "177Lu-HER2". Parts shorter than four characters are left alone, since tracer
    abbreviations ("FES", "FLT") are also gene symbols."""
    symbols = []
    for part in _TRACER_PART.split(name):
        if len(part) >= 4 and (symbol := lookup(part)) is not None:
            symbols.append(symbol)
    return symbols


def _text_mentions(
    found: _Mentions,
    record: TrialRecord,
    interventions: Sequence[InterventionFacts],
    known_targets: list[bool],
) -> None:
    """Add the targets the trial text names, attached by rules 2-5: the record's texts and
    the intervention texts of products that cannot be aimed at a target."""
    attached = found.attached()
    intervention_only = found.lex.intervention_only
    # candidate interventions for text mentions
    active = [i for i, f in enumerate(interventions) if _targeted(specific(f.modality))]
    texts = _record_texts(record) + [
        t
        for i, iv in enumerate(record.interventions)
        if not known_targets[i] and not _aimable(interventions[i], iv)
        for t in _intervention_texts(iv)
    ]
    for text in texts:
        for hit, population in _scan(text):
            for symbol in hit.symbols:
                if symbol in intervention_only:
                    continue
                if population:
                    found.add(symbol, hit.text, None, population=True)
                elif symbol not in attached:
                    attach_to = _attach(hit.kind, interventions, active, known_targets, record)
                    component = None
                    if attach_to is not None and len(interventions[attach_to].products) == 1:
                        component = 0
                    found.add(symbol, hit.text, attach_to, component)


_PRODUCT_TYPES = frozenset({"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"})


def _targeted(modality: str | None) -> bool:
    """A cell, antibody or small-molecule modality: the kinds of product aimed at targets."""
    return modality_category(modality) in {"cell", "antibody"} or modality == "small molecule"


def _aimable_product(modality: str | None) -> bool:
    return modality is None or _targeted(modality) or modality == "vaccine"


def _aimable(facts: InterventionFacts, intervention: Intervention) -> bool:
    """Whether an intervention can be aimed at a target: a drug-like product of a targeted
    modality, or of unknown modality. Radiation, procedures, chemotherapy, controls and the
    like are not; what their descriptions name counts as trial text."""
    modality = specific(facts.modality)
    if _targeted(modality) or modality == "vaccine":
        return True
    if modality is None:
        return intervention.type in _PRODUCT_TYPES and any(
            _aimable_product(p.modality) for p in facts.products
        )
    return False


def _attach(
    kind: str | None,
    interventions: Sequence[InterventionFacts],
    active: list[int],
    known_targets: list[bool],
    record: TrialRecord,
) -> int | None:
    """The intervention a target named in trial text is aimed at (rules 3-5), or ``None``."""

    def category(i: int) -> str | None:
        m = specific(interventions[i].modality)
        return "drug" if m == "small molecule" else modality_category(m)

    if kind is not None:
        same = [i for i in active if category(i) == kind and not known_targets[i]]
        if not same:
            # the cue says a product is aimed at the target ("a novel EGFR inhibitor"):
            # a single drug-like intervention of unknown modality is that product
            same = [
                i
                for i, iv in enumerate(record.interventions)
                if specific(interventions[i].modality) is None
                and iv.type in _PRODUCT_TYPES
                and not known_targets[i]
            ]
        if len(same) == 1:
            return same[0]
    if len(active) == 1 and not known_targets[active[0]]:
        return active[0]
    return None
