"""What the graph is missing: how much of the input the recognizers could ground.

A :class:`Coverage` accumulates the normalized facts of trials
(:class:`~trialgraph.normalize.trial.NormalizedTrial`) and merges across batches, so the same
figures appear in ``trialgraph coverage``, the ingest summary and the run's artifact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from trialgraph.normalize.endpoints import CATCH_ALL, endpoint_concepts, is_specific
from trialgraph.normalize.products import modality_category, specific
from trialgraph.normalize.trial import NormalizedTrial


@dataclass
class Coverage:
    """Counts of mapped and unmapped outcomes, conditions, interventions and targets.

    An outcome counts as coded only with a specific concept (not a catch-all such as
    ``SAFETY``); its domain is that of its first specific concept. Unmapped conditions are
    counted by kind and text.
    """

    trials: int = 0
    trials_with_target: int = 0
    outcomes: int = 0
    outcomes_coded: int = 0
    outcomes_with_duration: int = 0
    conditions: int = 0
    conditions_identified: int = 0
    interventions: int = 0
    interventions_with_modality: int = 0
    interventions_known: int = 0  # naming at least one product the drug knowledge knows
    interventions_with_target: int = 0
    interventions_combination: int = 0
    interventions_control: int = 0
    targets_by_derivation: Counter[str] = field(default_factory=Counter)
    outcome_domains: Counter[str] = field(default_factory=Counter)
    outcome_measure_types: Counter[str] = field(default_factory=Counter)
    condition_kinds: Counter[str] = field(default_factory=Counter)
    condition_kinds_identified: Counter[str] = field(default_factory=Counter)
    unmapped_outcomes: Counter[str] = field(default_factory=Counter)
    unmapped_conditions: Counter[tuple[str, str]] = field(default_factory=Counter)
    unmapped_interventions: Counter[str] = field(default_factory=Counter)
    sites: int = 0
    sites_with_country: int = 0
    #: facet values no list knows, kept as written: (field, text) -> count
    unrecognized_facets: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, facts: NormalizedTrial) -> None:
        """Count one trial's normalized facts."""
        self.trials += 1
        self.trials_with_target += bool(facts.mentions)
        for endpoint, text in zip(facts.endpoints, facts.measures, strict=True):
            self.outcomes += 1
            self.outcomes_with_duration += endpoint.duration is not None
            self.outcome_measure_types[endpoint.measure_type or "none"] += 1
            if is_specific(endpoint.codes):
                self.outcomes_coded += 1
                self.outcome_domains[_domain(endpoint.codes)] += 1
            else:
                self.unmapped_outcomes[text] += 1
        for condition in facts.conditions:
            self.conditions += 1
            self.condition_kinds[condition.kind] += 1
            if condition.curie:
                self.conditions_identified += 1
                self.condition_kinds_identified[condition.kind] += 1
            else:
                self.unmapped_conditions[condition.kind, condition.text] += 1
        self._add_interventions(facts)
        facets = facts.facets
        self.sites += facets.site_count
        self.sites_with_country += facets.site_count - len(facets.unmapped_countries)
        self.unrecognized_facets.update(facets.unrecognized)

    def _add_interventions(self, facts: NormalizedTrial) -> None:
        aimed = {m.intervention for m in facts.mentions if m.intervention is not None}
        for index, intervention in enumerate(facts.interventions):
            self.interventions += 1
            if specific(intervention.modality) or (
                intervention.regimen and all(p.modality for p in intervention.products)
            ):
                self.interventions_with_modality += 1
            else:  # none, or only what the intervention type says ("drug")
                self.unmapped_interventions[intervention.products[0].label] += 1
            self.interventions_known += any(p.source for p in intervention.products)
            self.interventions_with_target += index in aimed
            self.interventions_combination += intervention.regimen
            self.interventions_control += modality_category(intervention.modality) == "control"
        for mention in facts.mentions:
            if mention.intervention is not None:
                self.targets_by_derivation[mention.derivation] += 1

    def merge(self, other: Coverage) -> None:
        """Add another batch's counts to these."""
        for name, value in vars(other).items():
            mine = getattr(self, name)
            if isinstance(mine, Counter):
                mine.update(value)
            else:
                setattr(self, name, mine + value)

    @staticmethod
    def share(part: int, whole: int) -> float:
        """``part / whole``, or 1.0 when there is nothing to count.

        >>> Coverage.share(17, 20)
        0.85
        """
        return part / whole if whole else 1.0

    def figures(self) -> dict[str, Any]:
        """The headline shares and counts, JSON-ready."""
        return {
            "trials": self.trials,
            "outcomes": self.outcomes,
            "outcomes_coded": self.share(self.outcomes_coded, self.outcomes),
            "outcomes_with_duration": self.share(self.outcomes_with_duration, self.outcomes),
            "conditions": self.conditions,
            "conditions_identified": self.share(self.conditions_identified, self.conditions),
            "interventions": self.interventions,
            "interventions_with_modality": self.share(
                self.interventions_with_modality, self.interventions
            ),
            "interventions_known": self.share(self.interventions_known, self.interventions),
            "interventions_with_target": self.share(
                self.interventions_with_target, self.interventions
            ),
            "interventions_combination": self.interventions_combination,
            "interventions_control": self.interventions_control,
            "target_edges_by_derivation": dict(sorted(self.targets_by_derivation.items())),
            "conditions_by_kind": {
                kind: {
                    "mentions": n,
                    "identified": self.share(self.condition_kinds_identified[kind], n),
                }
                for kind, n in sorted(self.condition_kinds.items())
            },
            "coded_outcomes_by_domain": dict(sorted(self.outcome_domains.items())),
            "outcomes_by_measure_type": dict(sorted(self.outcome_measure_types.items())),
            "trials_with_target": self.share(self.trials_with_target, self.trials),
            "sites": self.sites,
            "sites_with_country": self.share(self.sites_with_country, self.sites),
            "unrecognized_facet_values": sum(self.unrecognized_facets.values()),
        }

    def report(self, top: int = 10) -> str:
        """A markdown report: the shares, then the most frequent unmapped texts."""
        f = self.figures()
        lines = [
            "| measure | share | of |",
            "|---|---:|---:|",
            f"| outcome measures with a specific endpoint concept | {f['outcomes_coded']:.1%} "
            f"| {self.outcomes} |",
            f"| outcome measures with a duration | {f['outcomes_with_duration']:.1%} "
            f"| {self.outcomes} |",
            f"| conditions with an identifier | {f['conditions_identified']:.1%} "
            f"| {self.conditions} |",
            f"| interventions with a modality | {f['interventions_with_modality']:.1%} "
            f"| {self.interventions} |",
            f"| interventions naming a product the drug knowledge knows "
            f"| {f['interventions_known']:.1%} | {self.interventions} |",
            f"| interventions aimed at a target | {f['interventions_with_target']:.1%} "
            f"| {self.interventions} |",
            f"| trials with at least one target | {f['trials_with_target']:.1%} | {self.trials} |",
            f"| sites with an ISO 3166-1 country | {f['sites_with_country']:.1%} | {self.sites} |",
            "",
            f"Interventions combining several products: {self.interventions_combination}; "
            f"controls (placebo, sham, standard care, no intervention): "
            f"{self.interventions_control}.",
            "Target edges by derivation: "
            + (
                ", ".join(f"{k} {v}" for k, v in sorted(self.targets_by_derivation.items()))
                or "none"
            )
            + ".",
        ]
        lines += self._kinds_and_domains()
        for title, counter in (
            ("Most frequent unmapped outcome measures", self.unmapped_outcomes),
            ("Most frequent interventions without a modality", self.unmapped_interventions),
        ):
            if counter:
                lines += ["", f"**{title}**", ""]
                lines += [f"- {n} × {text[:120]}" for text, n in counter.most_common(top)]
        for title, pairs in (
            ("Most frequent unmapped conditions, by kind", self.unmapped_conditions),
            ("Facet values kept as written, by field", self.unrecognized_facets),
        ):
            if pairs:
                lines += ["", f"**{title}**", ""]
                lines += [
                    f"- {n} × {text[:120]} ({kind})" for (kind, text), n in pairs.most_common(top)
                ]
        return "\n".join(lines)

    def _kinds_and_domains(self) -> list[str]:
        """Markdown tables of conditions per kind and coded outcomes per domain."""
        lines = ["", "| condition kind | mentions | with an identifier |", "|---|---:|---:|"]
        for kind, n in self.condition_kinds.most_common():
            identified = self.share(self.condition_kinds_identified[kind], n)
            lines.append(f"| {kind} | {n} | {identified:.1%} |")
        lines += ["", "| endpoint domain | coded outcomes | of all outcomes |", "|---|---:|---:|"]
        for domain, n in self.outcome_domains.most_common():
            lines.append(f"| {domain} | {n} | {self.share(n, self.outcomes):.1%} |")
        types = ", ".join(f"{k} {v}" for k, v in self.outcome_measure_types.most_common())
        lines += ["", f"Outcome measure types: {types or 'none'}."]
        return lines


@lru_cache(maxsize=4096)
def _domain(codes: tuple[str, ...]) -> str:
    """The domain of an outcome: its first specific concept's, else that concept's category."""
    concept = endpoint_concepts()[next(c for c in codes if c not in CATCH_ALL)]
    return concept.domain or concept.category
