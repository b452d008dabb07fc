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
}
# HGNC symbols that are also ordinary words, never capitalized for that reason.
_WORD_SYMBOLS = frozenset({"SET", "REST", "SHE", "CAMP", "CAT", "MAX", "TANK", "CLOCK", "SON"})
_WORD = re.compile(r"[^\W_]+|[\W_]+")


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


def _display_chunk(chunk: str) -> str:
    """One space-separated chunk of a folded label in display form; a hyphen between two
    ordinary words becomes a space ("platelet-rich" and "platelet rich" are one label)."""
    letters = sum(c.isalpha() for c in chunk)
    if letters <= 5 and any(c.isdigit() for c in chunk):
        return chunk.upper()  # a code: "pd-l1", "il-17a", "shr-1701"
    pieces = [_display_word(w) if w[0].isalnum() else w for w in _WORD.findall(chunk)]
    for i in range(1, len(pieces) - 1):
        before, after = pieces[i - 1], pieces[i + 1]
        if pieces[i] == "-" and _ordinary(before) and _ordinary(after):
            pieces[i] = " "
    return "".join(pieces)


def _ordinary(word: str) -> bool:
    return len(word) >= 2 and word.isalpha() and word.islower()


_MARKS = str.maketrans({"®": " ", "™": " ", "©": " "})


@lru_cache(maxsize=1 << 14)
def display_label(text: str) -> str:
    """``text`` in a form that depends only on its case-folded words, so that spellings of
    one product key give one label: words in lower case, codes (words with digits, and
    short ones around them: "PD-1"), abbreviations and gene symbols in capitals, ordinary
    words joined by a space rather than a hyphen, no trailing full stop, the first letter
    capitalized.

    >>> display_label("fast car-t"), display_label("PD-1 MONOCLONAL ANTIBODY")
    ('Fast CAR-T', 'PD-1 monoclonal antibody')
    >>> display_label("anti-cd19 car-t"), display_label("Platelet-rich-plasma.")
    ('Anti-CD19 CAR-T', 'Platelet rich plasma')
    """
    folded = unicodedata.normalize("NFKC", text).translate(_MARKS).casefold()
    folded = " ".join(folded.split()).rstrip(" .")
    label = " ".join(_display_chunk(chunk) for chunk in folded.split(" "))
    return label[:1].upper() + label[1:] if label[:1].islower() else label
