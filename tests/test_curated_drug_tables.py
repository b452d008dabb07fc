"""The curated drug tables hold together: modalities, HGNC symbols, sources, unique names.

``drugs_curated.tsv``, ``drug_names.tsv`` and ``inn_stems.tsv`` are edited by hand; these
checks catch a typo in a symbol, a modality that is not a key, a row without a source, or a
name that would resolve to two different ingredients.
"""

from __future__ import annotations

import re

import pytest

from trialgraph.normalize.lexicon import squash, table

#: Ingredients of drug_names.tsv spelled as DrugCentral spells them (mostly the INN or a
#: salt) where the DrugBank names in drugs.tsv.gz use another spelling.
DRUGCENTRAL_ONLY = frozenset(
    {
        "aciclovir",
        "beclometasone dipropionate",
        "calcipotriene",
        "ciclosporin",
        "colecalciferol",
        "dexamfetamine",
        "enoxaparin sodium",
        "epoetin alfa",
        "fampridine",
        "glatiramer acetate",
        "glibenclamide",
        "glyceryl trinitrate",
        "hydroxycarbamide",
        "ibandronic acid",
        "olmesartan medoxomil",
        "paracetamol",
        "patiromer calcium",
        "pethidine",
        "scopolamine butylbromide",
        "somatropin",
        "thiamazole",
        "tiotropium bromide",
        "torsemide",
        "triamcinolone acetonide",
        "ursodiol",
    }
)

CURATED = table("drugs_curated.tsv")
NAMES = table("drug_names.tsv")
STEMS = table("inn_stems.tsv")


def _symbols(cell: str) -> list[str]:
    return [s for s in cell.split("|") if s]


def _hgnc_symbols() -> set[str]:
    return {row["symbol"] for row in table("hgnc.tsv.gz")}


def _modalities() -> set[str]:
    return {row["modality"] for row in table("modalities.tsv")}


def test_modalities_are_keys() -> None:
    keys = _modalities()
    assert {row["modality"] for row in CURATED} <= keys
    assert {row["modality"] for row in STEMS} - {""} <= keys


def test_stem_targets_are_approved_hgnc_symbols() -> None:
    hgnc = _hgnc_symbols()
    bad = [(r["stem"], s) for r in STEMS for s in _symbols(r["targets"]) if s not in hgnc]
    assert not bad


def test_curated_targets_are_hgnc_or_curated_target_symbols() -> None:
    known = _hgnc_symbols() | {row["symbol"] for row in table("targets_curated.tsv")}
    bad = [(r["name"], s) for r in CURATED for s in _symbols(r["targets"]) if s not in known]
    assert not bad


@pytest.mark.parametrize("name", ["drugs_curated.tsv", "drug_names.tsv", "inn_stems.tsv"])
def test_every_row_has_a_source_that_is_not_a_registry_record(name: str) -> None:
    rows = table(name)
    assert rows
    for row in rows:
        source = row["source"].strip()
        assert source, row
        assert not re.search(r"\bNCT\d|clinicaltrials\.gov", source, re.IGNORECASE), row


def test_stems_are_unique_with_valid_positions() -> None:
    stems = [row["stem"] for row in STEMS]
    assert len(stems) == len(set(stems))
    assert all(re.fullmatch(r"[a-z]{3,}", s) for s in stems)
    assert {row["position"] for row in STEMS} <= {"suffix", "prefix", "infix"}


def test_drug_names_are_well_formed() -> None:
    for row in NAMES:
        ingredient = row["ingredient"]
        assert ingredient and ingredient == ingredient.lower() == ingredient.strip(), row
        assert row["kind"] in {"brand", "biosimilar", "code", "spelling"}, row
        assert squash(row["name"]) != squash(ingredient), row


def test_no_name_maps_to_two_ingredients() -> None:
    """Curated names and synonyms, and drug_names.tsv names, each resolve to one ingredient."""
    owner: dict[str, str] = {}
    clashes: list[tuple[str, str, str]] = []

    def claim(name: str, ingredient: str) -> None:
        key = squash(name)
        previous = owner.setdefault(key, ingredient)
        if previous != ingredient:
            clashes.append((name, previous, ingredient))

    for row in CURATED:
        ingredient = row["name"].lower()
        for name in [row["name"], *_symbols(row["synonyms"])]:
            claim(name, ingredient)
    for row in NAMES:
        claim(row["name"], row["ingredient"])
    assert not clashes


def test_drug_name_ingredients_are_known_names() -> None:
    """Ingredients are curated names, DrugBank names, or listed DrugCentral spellings."""
    drugbank = {row["name"].lower() for row in table("drugs.tsv.gz")}
    curated = {row["name"].lower() for row in CURATED}
    misses = {row["ingredient"] for row in NAMES} - drugbank - curated
    assert misses <= DRUGCENTRAL_ONLY, sorted(misses - DRUGCENTRAL_ONLY)
