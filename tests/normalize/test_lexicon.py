"""Table reading and lookup keys: the fast paths give what the general ones give."""

from __future__ import annotations

import csv
import gzip
import io
import re
import string
import unicodedata

import pytest

from trialgraph.normalize.lexicon import PhraseMatcher, data_path, read_table, squash
from trialgraph.normalize.targets import squash_case

_TABLES = sorted(p.name for p in data_path("").iterdir() if p.name.endswith((".tsv", ".tsv.gz")))


@pytest.mark.parametrize("name", _TABLES)
def test_read_table_reads_what_csv_reads(name: str) -> None:
    raw = data_path(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    lines = (line for line in io.StringIO(raw.decode("utf-8")) if not line.startswith("#"))
    expected = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert list(read_table(name)) == expected


_ASCII = [chr(c) for c in range(128)]
_SAMPLES = [
    *_ASCII,
    *(f"a{c}b" for c in _ASCII),
    "Trastuzumab  Deruxtecan",
    "MK-3475",
    "PD-L1",
    "claudin 18.2",
    "IL_13\tR a\x1c2",
    string.printable,
]


@pytest.mark.parametrize("text", _SAMPLES)
def test_ascii_keys_match_the_general_path(text: str) -> None:
    # the general path: NFKC, then spaces, dashes and underscores removed
    general = re.sub(r"[\s\-‐‑‒–—_]+", "", unicodedata.normalize("NFKC", text))
    assert squash_case(text) == general
    assert squash(text) == general.casefold()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("IL13Rα2", "IL13Ra2"),
        ("TNF-Α", "TNFA"),
        ("IFN γ", "IFNg"),
        ("IFN-Γ", "IFNG"),
        ("PKC-δ", "PKCd"),
        ("Ig κ", "Igk"),
        ("Β2M", "B2M"),
        ("PPAR-ε", "PPARe"),
    ],
)
def test_greek_letters_are_spelt_out_alike_in_both_keys(text: str, key: str) -> None:
    assert squash_case(text) == key
    assert squash(text) == key.casefold()


@pytest.mark.parametrize("written", ["IIEF", "iief", "ııef", "İIEF", "IıEF"])
def test_a_phrase_matched_in_any_case_folds_to_its_key(written: str) -> None:
    """Case-insensitive matching equates the Turkish ı and İ with i; so does the key."""
    matcher = PhraseMatcher({"IIEF": "erectile function index", "IPSS": "prostate symptoms"})
    assert [m.value for m in matcher.find(f"Change in {written} score")] == [
        "erectile function index"
    ]
