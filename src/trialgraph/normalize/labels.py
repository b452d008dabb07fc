"""Display labels of shared concepts that no vocabulary names: one label per node key.

Products and conditions that no table knows are keyed by their case-folded words, so two
records spelling one name differently ("Platelet-rich plasma.", "platelet rich plasma")
name one node. The node's label must then depend on the key alone, or the node would
collect one label per spelling: :func:`display_label` gives that form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["display_label"]


# Abbreviations written in capitals (or as shown) wherever they occur in a label.
_ABBREVIATIONS = {
    "car": "CAR",
    "t": "T",
    "nk": "NK",
    "nkt": "NKT",
    "tcr": "TCR",
    "til": "TIL",
    "tils": "TILs",
    "tcm": "TCM",
    "cik": "CIK",
    "dc": "DC",
    "dcs": "DCs",
    "mab": "mAb",
    "adc": "ADC",
    "tki": "TKI",
    "dna": "DNA",
    "mrna": "mRNA",
    "rna": "RNA",
    "sirna": "siRNA",
    "aav": "AAV",
    "prp": "PRP",
    "ct": "CT",
    "mri": "MRI",
    "pet": "PET",
    "ecg": "ECG",
    "iv": "IV",
    "covid": "COVID",
    "sars": "SARS",
    "cov": "CoV",
}
# HGNC symbols that are also ordinary words, never capitalized for that reason.
_WORD_SYMBOLS = frozenset({"SET", "REST", "SHE", "CAMP", "CAT", "MAX", "TANK", "CLOCK", "SON"})
_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _symbols() -> frozenset[str]:
    # imported here: the targets package imports the product recognizers, which use labels
    from trialgraph.normalize.targets.lexicon import lexicon, stoplist

    stop = stoplist() | _WORD_SYMBOLS
    return frozenset(s for s in lexicon().targets if len(s) >= 3 and s.upper() not in stop)


def _display_word(word: str) -> str:
    if any(c.isdigit() for c in word):
        return word.upper()
    if word in _ABBREVIATIONS:
        return _ABBREVIATIONS[word]
    upper = word.upper()
    return upper if upper in _symbols() else word


def _separator(before: str, word: str) -> str:
    """What stands between two words of a label: a full stop inside a number ("18.2"), a
    hyphen before a number after a short word ("PD-1", "AV-1451", "COVID-19") and around a
    single letter or after "anti" ("CAR-T", "anti-CD19"), else a space."""
    if word[0].isdigit() and before[-1].isdigit() and word.isdigit():
        return "."
    if word[0].isdigit() and before.isalpha() and len(before) <= 5:
        return "-"
    if (len(word) == 1 and word.isalpha()) or (len(before) == 1 and before.isalpha()):
        return "-"
    return "-" if before == "anti" else " "


_MARKS = str.maketrans({"®": " ", "™": " ", "©": " "})


@lru_cache(maxsize=1 << 14)
def display_label(text: str) -> str:
    """``text`` in a form that depends only on its case-folded words, as the node key does,
    so that every spelling of one key gives one label: words in lower case, codes (words
    with digits), abbreviations and gene symbols in capitals, punctuation by a fixed rule
    (:func:`_separator`), the first letter capitalized.

    >>> display_label("fast car-t"), display_label("PD-1 MONOCLONAL ANTIBODY")
    ('Fast CAR-T', 'PD-1 monoclonal antibody')
    >>> display_label("anti-cd19 car-t"), display_label("Platelet-rich-plasma (PRP).")
    ('Anti-CD19 CAR-T', 'Platelet rich plasma PRP')
    >>> display_label("CAR-CLDN18.2"), display_label("[18F]-MK 6240")
    ('CAR CLDN18.2', '18F MK-6240')
    """
    folded = unicodedata.normalize("NFKC", text).translate(_MARKS).casefold()
    words = _TOKEN.findall(folded)
    parts: list[str] = []
    for i, word in enumerate(words):
        if i:
            separator = _separator(words[i - 1], word)
            if separator == "-" and word[0].isdigit() and words[i - 1] != "anti":
                parts[-1] = parts[-1].upper()  # a code's prefix: "PD-1", "SHR-1701"
            parts.append(separator)
        parts.append(_display_word(word))
    label = "".join(parts)
    return label[:1].upper() + label[1:] if label[:1].islower() else label
