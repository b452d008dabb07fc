"""What the graph is missing: how much of the input the recognizers could ground.

A :class:`Coverage` accumulates the normalized facts of trials
(:class:`~trialgraph.normalize.trial.NormalizedTrial`) and merges across batches, so the same
figures appear in ``trialgraph coverage``, the ingest summary and the run's artifact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from trialgraph.normalize.trial import NormalizedTrial


@dataclass
class Coverage:
    """Counts of mapped and unmapped outcomes, conditions, interventions and targets."""

    trials: int = 0
    trials_with_target: int = 0
    outcomes: int = 0
    outcomes_coded: int = 0
    outcomes_with_duration: int = 0
    conditions: int = 0
    conditions_identified: int = 0
    interventions: int = 0
    interventions_with_modality: int = 0
    unmapped_outcomes: Counter[str] = field(default_factory=Counter)
    unmapped_conditions: Counter[str] = field(default_factory=Counter)
    unmapped_interventions: Counter[str] = field(default_factory=Counter)

    def add(self, facts: NormalizedTrial) -> None:
        """Count one trial's normalized facts."""
        self.trials += 1
        self.trials_with_target += bool(facts.mentions)
        for endpoint, text in zip(facts.endpoints, facts.measures, strict=True):
            self.outcomes += 1
            self.outcomes_with_duration += endpoint.duration is not None
            if endpoint.codes == ("OTHER",):
                self.unmapped_outcomes[text] += 1
            else:
                self.outcomes_coded += 1
        for condition in facts.conditions:
            self.conditions += 1
            if condition.curie:
                self.conditions_identified += 1
            else:
                self.unmapped_conditions[condition.text] += 1
        for product in facts.products:
            self.interventions += 1
            if product.modality:
                self.interventions_with_modality += 1
            else:
                self.unmapped_interventions[product.label] += 1

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
            "trials_with_target": self.share(self.trials_with_target, self.trials),
        }

    def report(self, top: int = 10) -> str:
        """A markdown report: the shares, then the most frequent unmapped texts."""
        f = self.figures()
        lines = [
            "| measure | share | of |",
            "|---|---:|---:|",
            f"| outcome measures with an endpoint code | {f['outcomes_coded']:.1%} "
            f"| {self.outcomes} |",
            f"| outcome measures with a duration | {f['outcomes_with_duration']:.1%} "
            f"| {self.outcomes} |",
            f"| conditions with an identifier | {f['conditions_identified']:.1%} "
            f"| {self.conditions} |",
            f"| interventions with a modality | {f['interventions_with_modality']:.1%} "
            f"| {self.interventions} |",
            f"| trials with at least one target | {f['trials_with_target']:.1%} | {self.trials} |",
        ]
        for title, counter in (
            ("Most frequent unmapped outcome measures", self.unmapped_outcomes),
            ("Most frequent unmapped conditions", self.unmapped_conditions),
            ("Most frequent interventions without a modality", self.unmapped_interventions),
        ):
            if counter:
                lines += ["", f"**{title}**", ""]
                lines += [f"- {n} × {text[:120]}" for text, n in counter.most_common(top)]
        return "\n".join(lines)
