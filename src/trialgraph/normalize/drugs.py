"""Drug knowledge: ingredient names to modality, targets and identifiers, and where each
fact comes from.

One index, built once per process from the package's tables, in order of precedence:

1. ``drugs_curated.tsv``: products approved after the drug table's release and
   investigational products, each row with its source (``curated``);
2. ``drugcentral.tsv.gz``: DrugCentral's approved ingredients with their efficacy targets
   and action types, pharmacologic classes and cross-references (``drug-table``);
3. ``drug_names.tsv``: brand, biosimilar and code names of either, to the ingredient
   (``drug_combinations.tsv``: those of fixed-dose combinations, to each ingredient); and
   DrugBank's name of every drug-table ingredient that has a DrugBank id;
4. ``drugs.tsv.gz``: the other DrugBank names and identifiers, with no targets
   (``drugbank``).

A name none of them knows can still be an INN: :func:`stem_drug` gives the class a WHO INN
stem (``inn_stems.tsv``) states, with a target only where the stem names one (-gliflozin:
SLC5A2). Salts resolve to their parent ("donepezil hydrochloride" → donepezil) when the
salt itself is not an ingredient of the tables.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from trialgraph.normalize.cache import vocabulary
from trialgraph.normalize.lexicon import squash, table

__all__ = [
    "CURATED",
    "DRUGBANK",
    "DRUG_TABLE",
    "INN_STEM",
    "RECORD_TEXT",
    "Drug",
    "combination",
    "drug_index",
    "drug_spans",
    "is_salt",
    "lookup_drug",
    "stem_drug",
    "strip_salt",
]

#: Where a drug's facts (and so a target edge) come from.
CURATED = "curated"
DRUG_TABLE = "drug-table"
DRUGBANK = "drugbank"
INN_STEM = "inn-stem"
RECORD_TEXT = "record-text"


@dataclass(frozen=True, slots=True)
class Drug:
    """An ingredient: canonical name, modality key, targets with their action types, ids.

    ``actions`` and ``derivations`` are aligned with ``targets``: the action type
    (``INHIBITOR``, ``AGONIST``, ... or empty) and the table each target comes from;
    ``source`` says which table the entry (its name and modality) comes from.
    """

    name: str
    modality: str | None
    targets: tuple[str, ...] = ()
    curie: str | None = None
    synonyms: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    source: str = DRUG_TABLE
    derivations: tuple[str, ...] = ()


def _cells(value: str) -> list[str]:
    return [v for v in value.split("|") if v]


def _drugbank_names() -> dict[str, tuple[str, str]]:
    """Squashed DrugBank names to (DrugBank id, name)."""
    names: dict[str, tuple[str, str]] = {}
    for row in table("drugs.tsv.gz"):
        names.setdefault(squash(row["name"]), (row["drugbank_id"], row["name"]))
    return names


def _curated(drugbank: dict[str, tuple[str, str]]) -> list[Drug]:
    drugs = []
    for row in table("drugs_curated.tsv"):
        names = [row["name"], *_cells(row["synonyms"])]
        curie = row["curie"] or next(
            (f"DRUGBANK:{hit[0]}" for n in names if (hit := drugbank.get(squash(n)))), None
        )
        targets = tuple(_cells(row["targets"]))
        drugs.append(
            Drug(
                name=row["name"],
                modality=row["modality"] or None,
                targets=targets,
                curie=curie,
                synonyms=tuple(names[1:]),
                actions=("",) * len(targets),
                source=CURATED,
                derivations=(CURATED,) * len(targets),
            )
        )
    return drugs


def _drug_table() -> list[Drug]:
    """DrugCentral's ingredients: targets as ``SYMBOL:ACTION`` cells."""
    drugs = []
    for row in table("drugcentral.tsv.gz"):
        pairs = [cell.partition(":") for cell in _cells(row["targets"])]
        drugbank = _cells(row["drugbank"])
        xrefs = [f"DRUGCENTRAL:{row['drugcentral_id']}"]
        xrefs += [f"CHEMBL:{c}" for c in _cells(row["chembl"])]
        xrefs += [f"MESH:{m}" for m in _cells(row["mesh"])]
        stem = stem_drug(row["name"])
        drugs.append(
            Drug(
                name=row["name"],
                # the table's classes decide; an ingredient without them, its INN stem
                modality=row["modality"] or (stem.modality if stem else None),
                targets=tuple(symbol for symbol, _, _ in pairs),
                curie=f"DRUGBANK:{drugbank[0]}" if drugbank else xrefs[0],
                actions=tuple("" if a == "UNKNOWN" else a for _, _, a in pairs),
                xrefs=tuple(xrefs if drugbank else xrefs[1:]),
                source=DRUG_TABLE,
                derivations=(DRUG_TABLE,) * len(pairs),
            )
        )
    return drugs


def _merged(curated: Drug, table: Drug) -> Drug:
    """A curated row for an ingredient the drug table has too: the row's name, synonyms
    and modality, the table's identifiers, and the targets of both."""
    extra = [i for i, t in enumerate(table.targets) if t not in curated.targets]
    return replace(
        curated,
        modality=curated.modality or table.modality,
        curie=curated.curie or table.curie,
        xrefs=table.xrefs,
        targets=curated.targets + tuple(table.targets[i] for i in extra),
        actions=curated.actions + tuple(table.actions[i] for i in extra),
        derivations=curated.derivations + tuple(table.derivations[i] for i in extra),
    )


# Cations and elements: "magnesium" is no more magnesium sulfate than magnesium oxide.
_ELEMENTS = frozenset(
    {
        *("sodium", "potassium", "calcium", "magnesium", "lithium", "zinc", "iron"),
        *("ferrous", "ferric", "gallium", "aluminium", "aluminum", "silver", "gold"),
        *("copper", "bismuth", "barium", "strontium", "ammonium", "hydrogen", "cobalt"),
    }
)


@vocabulary
def drug_index() -> dict[str, Drug]:
    """Squashed names, synonyms and brand names to drugs, by the precedence above."""
    drugbank = _drugbank_names()
    table_drugs = {squash(d.name): d for d in _drug_table()}
    aliases = {squash(r["name"]): squash(r["ingredient"]) for r in table("drug_names.tsv")}
    index: dict[str, Drug] = {}
    for drug in _curated(drugbank):
        names = [squash(n) for n in (drug.name, *drug.synonyms)]
        same = next((hit for n in names if (hit := table_drugs.get(aliases.get(n, n)))), None)
        if same is not None:
            drug = _merged(drug, same)
            index.setdefault(squash(same.name), drug)
        for name in names:
            index.setdefault(name, drug)
    for key, drug in table_drugs.items():
        index.setdefault(key, drug)
    # an ingredient the table names as a salt or ester is also found by its parent's name
    # ("clobetasol" for clobetasol propionate), unless the parent is an ingredient itself
    for drug in table_drugs.values():
        parent = strip_salt(drug.name)
        if parent != drug.name and parent.casefold() not in _ELEMENTS:
            index.setdefault(squash(parent), index[squash(drug.name)])
    # DrugBank's name for an ingredient the drug table cross-references is a synonym: often
    # the US adopted name where the table has the INN (hydroxyurea, hydroxycarbamide)
    drugbank_ids = {db_id: key for key, (db_id, _) in drugbank.items()}
    for entry in table_drugs.values():
        if entry.curie and entry.curie.startswith("DRUGBANK:"):
            synonym = drugbank_ids.get(entry.curie.removeprefix("DRUGBANK:"))
            if synonym is not None:
                index.setdefault(synonym, index[squash(entry.name)])
    for alias, ingredient in aliases.items():
        known = index.get(ingredient)
        if known is not None:
            index.setdefault(alias, known)
    for key, (db_id, name) in drugbank.items():
        if key not in index and len(key) >= 4:
            stem = stem_drug(name)
            index[key] = Drug(
                name=name,
                modality=stem.modality if stem else None,
                curie=f"DRUGBANK:{db_id}",
                source=DRUGBANK,
            )
    return index


@lru_cache(maxsize=1)
def _combinations() -> dict[str, tuple[str, ...]]:
    return {
        squash(row["name"]): tuple(_cells(row["components"]))
        for row in table("drug_combinations.tsv")
    }


def combination(name: str) -> tuple[str, ...] | None:
    """The ingredients a fixed-dose combination's brand or code names
    (``drug_combinations.tsv``), else ``None``.

    >>> combination("Entresto"), combination("pembrolizumab")
    (('sacubitril', 'valsartan'), None)
    """
    return _combinations().get(squash(name))


# ---------------------------------------------------------------------------------------
# INN stems


@lru_cache(maxsize=1)
def _stems() -> tuple[tuple[str, str, str | None, tuple[str, ...]], ...]:
    """Suffix stems, longest first: (stem, class, modality, targets)."""
    rows = [
        (
            row["stem"].strip("-").casefold(),
            row["class"],
            row["modality"] or None,
            tuple(_cells(row["targets"])),
        )
        for row in table("inn_stems.tsv")
        if row["position"] == "suffix"
    ]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


# a stem applies to one word of letters only, eight or more (inn_stems.tsv's rule)
_INN_WORD = re.compile(r"[a-z]{8,}")


@lru_cache(maxsize=1 << 14)
def stem_drug(name: str) -> Drug | None:
    """The class a WHO INN suffix stem gives a single-word name, else ``None``.

    Only words of eight letters or more that are at least three letters longer than the
    stem count, so an ordinary word ending in a short stem is not taken for a drug.

    >>> stem_drug("Dapagliflozin").targets, stem_drug("bimekizumab").modality
    (('SLC5A2',), 'monoclonal antibody')
    >>> stem_drug("placebo") is None
    True
    """
    word = unicodedata.normalize("NFKC", name).strip().casefold()
    if not _INN_WORD.fullmatch(word):
        return None
    for stem, _, modality, targets in _stems():
        if word.endswith(stem) and len(word) >= len(stem) + 3:
            return Drug(
                name=word,
                modality=modality,
                targets=targets,
                actions=("",) * len(targets),
                source=INN_STEM,
                derivations=(INN_STEM,) * len(targets),
            )
    return None


# ---------------------------------------------------------------------------------------
# Lookup

_SALT = re.compile(
    r"[\s-]+(?:(?:mono|di|tri|hemi|sesqui)?hydrochloride|hcl|hydrobromide|(?:di)?sodium|potassium"
    r"|calcium|magnesium|(?:bi)?tartrate|maleate|(?:di)?mesylate|mesilate|besylate|besilate"
    r"|tosylate|citrate|succinate|fumarate|acetate|(?:hydrogen\s+)?sulfate|sulphate"
    r"|phosphate|bromide|chloride|nitrate|lactate|gluconate|hyclate|malate|oxalate"
    r"|(?:di)?olamine|meglumine|arginine|lysine|erbumine|pamoate|embonate|stearate"
    r"|medoxomil|cilexetil|mofetil|etexilate|axetil|proxetil"
    r"|propionate|dipropionate|furoate|valerate|xinafoate|trometamol|tromethamine"
    r"|(?:mono|di|tri|hemi|sesqui)?hydrate|anhydrous|free\s+base|base)$",
    re.IGNORECASE,
)


def is_salt(word: str) -> bool:
    """Whether a word is a salt or hydrate name ("citrate", "HCl").

    >>> is_salt("citrate"), is_salt("sildenafil")
    (True, False)
    """
    return bool(_SALT.fullmatch(" " + word))


def strip_salt(name: str) -> str:
    """The parent of a salt or hydrate name (every salt word at the end removed).

    >>> strip_salt("Donepezil Hydrochloride"), strip_salt("sildenafil citrate")
    ('Donepezil', 'sildenafil')
    """
    parent = name.strip()
    while (stripped := _SALT.sub("", parent)) != parent and stripped:
        parent = stripped
    return parent


def lookup_drug(name: str) -> Drug | None:
    """The drug a whole name denotes (case, spaces and dashes ignored), its salt's parent
    when the salt is not in the tables, else ``None``.

    >>> lookup_drug("Keytruda").name, lookup_drug("MK-3475").name
    ('pembrolizumab', 'pembrolizumab')
    """
    index = drug_index()
    drug = index.get(squash(name))
    if drug is None:
        parent = strip_salt(name)
        if parent != name.strip():
            drug = index.get(squash(parent))
    return drug


_TOKEN = re.compile(r"[^\s,;:()\[\]{}+/&|\"“”]+")


@lru_cache(maxsize=1 << 14)  # intervention names recur across records
def drug_spans(text: str, max_words: int = 3) -> tuple[tuple[Drug, int, int], ...]:
    """Each distinct drug named anywhere in a short text (an intervention name), longest
    match first, with the span ``[first, last)`` of :func:`tokens` that named it.

    >>> [(d.name, a, b) for d, a, b in drug_spans("sintilimab combined with anlotinib")]
    [('sintilimab', 0, 1), ('anlotinib', 3, 4)]
    >>> [d.name for d, _, _ in drug_spans("SHR-1826；Adebrelimab；Bevacizumab")]
    ['adebrelimab', 'bevacizumab']
    """
    words = tokens(text)
    index = drug_index()
    found: list[tuple[Drug, int, int]] = []
    seen: set[str] = set()
    i = 0
    while i < len(words):
        for n in range(min(max_words, len(words) - i), 0, -1):
            drug = index.get(squash(" ".join(words[i : i + n])))
            if drug is not None:
                if drug.name not in seen:
                    seen.add(drug.name)
                    found.append((drug, i, i + n))
                i += n
                break
        else:
            i += 1
    return tuple(found)


@lru_cache(maxsize=1 << 14)
def tokens(text: str) -> tuple[str, ...]:
    """The words of a short text as :func:`drug_spans` reads them."""
    text = unicodedata.normalize("NFKC", text)
    return tuple(w for m in _TOKEN.finditer(text) if (w := m.group(0).strip(".")))
