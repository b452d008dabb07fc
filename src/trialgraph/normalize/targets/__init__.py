"""Targets: the molecules a trial's products are aimed at, recognized only in context.

Three steps, one module each:

- :mod:`.lexicon` builds the lexicon of gene products, isoforms and antigens from HGNC and
  the curated table, and resolves a name to its target;
- :mod:`.cues` finds the names a text puts next to a cue ("anti-X", "X CAR-T", "targeting
  X", "X inhibitor", "KRAS G12C", ...), so that trial vocabulary that looks like a gene
  symbol ("CAR", "OS", "CR") never becomes a target;
- :mod:`.attach` decides which of the record's interventions each target is aimed at.

NKG2D: "NKG2D CAR-T" products carry the NKG2D receptor's extracellular domain and kill cells
expressing NKG2D ligands (MICA, MICB, ULBP1-6). The lexicon records the named molecule,
``KLRK1``, rather than guess which ligands a product binds; a query for the ligands can
follow the receptor.
"""

from __future__ import annotations

from trialgraph.normalize.lexicon import squash_case
from trialgraph.normalize.targets.attach import find_targets
from trialgraph.normalize.targets.cues import _BACKWARD as _BACKWARD
from trialgraph.normalize.targets.cues import _CUE as _CUE
from trialgraph.normalize.targets.cues import _FORWARD as _FORWARD
from trialgraph.normalize.targets.cues import _FORWARD_AFTER as _FORWARD_AFTER
from trialgraph.normalize.targets.cues import _HYPHEN_SUFFIX as _HYPHEN_SUFFIX
from trialgraph.normalize.targets.lexicon import (
    resolve_target,
    stoplist,
    target_by_symbol,
    target_synonyms,
)

__all__ = [
    "find_targets",
    "resolve_target",
    "squash_case",
    "stoplist",
    "target_by_symbol",
    "target_synonyms",
]
