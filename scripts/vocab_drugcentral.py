"""Build ``src/trialgraph/data/drugcentral.tsv.gz`` from DrugCentral's published tables.

DrugCentral's tables (``drug_target.tsv``, ``pharm_class.tsv``, ``identifiers.tsv``,
``drug_indication.tsv``) as published in the GitHub repository ``olegursu/drugtarget`` are
kept unchanged under ``../shared/vocab-sources/drugcentral-2016`` (relative to the
repository root). This script turns them into one row per DrugCentral ingredient: its name,
a modality derived by the rules in :data:`RULES`, its efficacy targets as HGNC symbols with
the action, its FDA established pharmacologic classes and its ChEMBL, DrugBank, UNII and
MeSH ids. Target symbols are checked against the shipped ``hgnc.tsv.gz``: previous and alias
symbols are mapped to the approved one only when exactly one gene claims them, and
targets that are not human genes are dropped and counted. The output is byte-identical on
every run from the same folder (sorted rows, gzip without a timestamp).

Usage::

    python scripts/vocab_drugcentral.py                # ../shared/vocab-sources/drugcentral-2016
    python scripts/vocab_drugcentral.py --source DIR   # the same four files elsewhere
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vocab_hgnc import clean, write_gz

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "vocab-sources" / "drugcentral-2016"
DATA_DIR = ROOT / "src" / "trialgraph" / "data"
OUTPUT = "drugcentral.tsv.gz"
HGNC_TABLE = DATA_DIR / "hgnc.tsv.gz"
UPSTREAM = "GitHub olegursu/drugtarget, commit 64630f7c2bc050f5af0a7cac7b08e778125284bc (2016-11)"
ATTRIBUTION = "DrugCentral (Ursu O. et al., Nucleic Acids Res. 2017;45:D932-D939), CC BY 4.0"
FILES = ("drug_target.tsv", "pharm_class.tsv", "identifiers.tsv", "drug_indication.tsv")
COLUMNS = (
    "drugcentral_id",
    "name",
    "modality",
    "targets",
    "classes",
    "chembl",
    "drugbank",
    "unii",
    "mesh",
)
#: What each column holds, written into the table's header lines.
COLUMN_NOTES = (
    "drugcentral_id: DrugCentral's ingredient id (a salt or ester is an ingredient of its own)",
    "name: DrugCentral's ingredient name as given (mostly the lower-case INN)",
    "modality: a key of modalities.tsv derived from the classes and the INN by the rules of "
    "scripts/vocab_drugcentral.py, or empty where they do not decide",
    "targets: efficacy targets as SYMBOL:ACTION (HGNC approved symbol; DrugCentral's action "
    "with _ for spaces, UNKNOWN when none); human genes only",
    "classes: FDA established pharmacologic classes (EPC)",
    "chembl, drugbank, unii: identifiers.tsv ids of those types",
    "mesh: MeSH descriptor ids (D...) first, then supplementary concept ids (C...)",
)
#: identifiers.tsv id types per output column; MeSH descriptors come before supplements.
ID_COLUMNS = {
    "chembl": ("ChEMBL_ID",),
    "drugbank": ("DRUGBANK_ID",),
    "unii": ("UNII",),
    "mesh": ("MESH_DESCRIPTOR_UI", "MESH_SUPPLEMENTAL_RECORD_UI"),
}
#: Identifier types that only a defined chemical structure has.
STRUCTURE_IDS = frozenset({"PUBCHEM_CID", "CHEBI", "PDB_CHEM_ID"})
#: pharm_class.tsv TYPE values, as the short kinds the rules name.
CLASS_KINDS = {
    "EPC": "EPC",
    "MoA": "MoA",
    "PA": "PA",
    "Chemical/Ingredient": "CHEM",
    "has role": "CHEBI",
    "PE": "PE",
}


def read_source(path: Path) -> list[dict[str, str]]:
    """One DrugCentral TSV as dicts (identifiers.tsv quotes its cells, the others do not)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        rows = []
        for number, row in enumerate(reader, 2):
            if None in row or None in row.values():
                raise ValueError(f"{path.name}, line {number}: wrong number of cells")
            rows.append({key: clean(value) for key, value in row.items()})
    return rows


def read_data_table(path: Path) -> Iterator[dict[str, str]]:
    """A shipped table read as ``trialgraph.normalize.lexicon.read_table`` reads it.

    ``#`` lines and empty lines are skipped, the first other line is the header, and
    cells are split at tabs with no quoting.
    """
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    lines = (line for line in text.split("\n") if line and not line.startswith("#"))
    header = next(lines).split("\t")
    for line in lines:
        yield dict(zip(header, line.split("\t"), strict=True))


# --- targets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Hgnc:
    """The shipped HGNC table as the lookups the target column needs."""

    approved: frozenset[str]
    #: previous and alias symbols claimed by exactly one gene -> that gene's symbol
    renamed: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> Hgnc:
        approved: set[str] = set()
        claims: defaultdict[str, set[str]] = defaultdict(set)
        for row in read_data_table(path):
            approved.add(row["symbol"])
            for old in (*row["prev_symbols"].split("|"), *row["alias_symbols"].split("|")):
                if old:
                    claims[old].add(row["symbol"])
        renamed = {
            old: next(iter(genes))
            for old, genes in claims.items()
            if len(genes) == 1 and old not in approved
        }
        return cls(frozenset(approved), renamed)

    def resolve(self, symbol: str) -> str | None:
        """The approved symbol for ``symbol``, or None when HGNC does not name it once."""
        if symbol in self.approved:
            return symbol
        return self.renamed.get(symbol)


@dataclass
class TargetCounts:
    """What happened to the target symbols of drug_target.tsv."""

    kept: int = 0
    renamed: Counter[str] = field(default_factory=Counter)  # "OLD->NEW"
    non_human: Counter[str] = field(default_factory=Counter)
    not_in_hgnc: Counter[str] = field(default_factory=Counter)
    without_symbol: int = 0

    @property
    def dropped(self) -> int:
        return sum(self.non_human.values()) + sum(self.not_in_hgnc.values())


def is_human(row: dict[str, str]) -> bool:
    """Whether a target row is a human protein: every UniProt entry name ends ``_HUMAN``.

    DrugCentral gives a gene symbol for bacterial and viral targets too (``NA`` for
    influenza neuraminidase, ``P`` for the hepatitis B polymerase), and some of those
    symbols are also HGNC symbols, so the organism decides before the symbol is looked up.
    """
    entries = [entry for entry in row["SWISSPROT"].split("|") if entry]
    return bool(entries) and all(entry.endswith("_HUMAN") for entry in entries)


def action(text: str) -> str:
    """DrugCentral's action type as one token: spaces as ``_``, ``UNKNOWN`` when empty."""
    return "_".join(text.split()) or "UNKNOWN"


def drug_targets(
    rows: Iterable[dict[str, str]], hgnc: Hgnc
) -> tuple[dict[str, set[tuple[str, str]]], TargetCounts]:
    """(symbol, action) pairs per drug id, and the counts of what was kept and dropped."""
    targets: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
    counts = TargetCounts()
    for row in rows:
        symbols = [s for s in row["GENE"].split("|") if s]
        if not symbols:
            counts.without_symbol += 1
            continue
        human = is_human(row)
        for symbol in symbols:
            approved = hgnc.resolve(symbol) if human else None
            if not human:
                counts.non_human[symbol] += 1
            elif approved is None:
                counts.not_in_hgnc[symbol] += 1
            else:
                counts.kept += 1
                if approved != symbol:
                    counts.renamed[f"{symbol}->{approved}"] += 1
                targets[row["DRUG_ID"]].add((approved, action(row["ACTION_TYPE"])))
    return dict(targets), counts


# --- modality ------------------------------------------------------------------------

#: Radionuclides of diagnostic and therapeutic agents, as (mass number, element). Stable
#: isotopes (urea C-13) are not here: a label names a radiopharmaceutical only if it decays.
RADIONUCLIDES = (
    ("11", "c"), ("13", "n"), ("14", "c"), ("15", "o"), ("18", "f"), ("32", "p"),
    ("51", "cr"), ("57", "co"), ("58", "co"), ("59", "fe"), ("64", "cu"), ("67", "ga"),
    ("68", "ga"), ("81m", "kr"), ("82", "rb"), ("89", "sr"), ("89", "zr"), ("90", "y"),
    ("99", "mo"), ("99m", "tc"), ("111", "in"), ("123", "i"), ("124", "i"), ("125", "i"),
    ("127", "xe"), ("131", "i"), ("133", "xe"), ("153", "sm"), ("166", "ho"), ("169", "er"),
    ("177", "lu"), ("186", "re"), ("188", "re"), ("201", "tl"), ("223", "ra"), ("225", "ac"),
)  # fmt: skip
#: A radionuclide as names write it: "Tc 99m", "Tc-99M", "I131", "(131I)", "(99mTc)".
RADIOLABEL = "|".join(
    rf"\b{element}[- ]?{mass}\b|\b{mass}{element}\b" for mass, element in RADIONUCLIDES
)


@dataclass(frozen=True)
class Evidence:
    """What the rules look at for one ingredient."""

    name: str
    #: classes as "KIND:Class", KIND one of EPC, MoA, PA (MeSH), CHEM (FDA chemical
    #: category), CHEBI (ChEBI role), PE (physiologic effect)
    classes: frozenset[str]
    #: DrugCentral gives it a structure id (PubChem CID, ChEBI, PDB ligand)
    structure: bool
    #: it has at least one efficacy target row (kept or not)
    targeted: bool


@dataclass(frozen=True)
class Rule:
    """Evidence for one modality: any class matching ``classes`` or a name matching ``name``.

    ``classes`` is matched in full against each ``KIND:Class``; ``name`` is searched in
    the lower-case name. When several rules match, the modalities in a matching rule's
    ``over`` are set aside (``*``: all others); if more than one modality is left, the
    cell stays empty.
    """

    modality: str
    classes: str = ""
    name: str = ""
    over: frozenset[str] = frozenset()

    def matches(self, evidence: Evidence) -> bool:
        if self.name and re.search(self.name, evidence.name.lower()):
            return True
        return bool(self.classes) and any(
            re.fullmatch(self.classes, item) for item in evidence.classes
        )


def _over(*modalities: str) -> frozenset[str]:
    return frozenset(modalities)


RULES: tuple[Rule, ...] = (
    # A radiolabel in the name, or FDA's and MeSH's radiopharmaceutical classes; the label
    # decides whatever the labelled molecule is (ibritumomab tiuxetan, Tc 99m tilmanocept).
    Rule(
        "radiopharmaceutical",
        classes=r"EPC:Radioactive (Diagnostic|Therapeutic) Agent|EPC:.*Radiotherapeutic.*"
        r"|MoA:(Radiopharmaceutical|Positron Emitting) Activity|PA:Radiopharmaceuticals",
        name=RADIOLABEL,
        over=_over("*"),
    ),
    # An antibody INN followed by its payload (brentuximab vedotin), or FDA's ADC class.
    Rule(
        "ADC",
        classes=r"EPC:.*Antibody-Drug Conjugate.*",
        name=r"mab (vedotin|mafodotin|emtansine|mertansine|ravtansine|soravtansine"
        r"|ozogamicin|deruxtecan|govitecan|tesirine|duocarmazine)\b",
        over=_over("monoclonal antibody", "chemotherapy"),
    ),
    # FDA's class for T-cell engagers and other bispecific antibodies.
    Rule(
        "bispecific antibody",
        classes=r"EPC:.*(Bispecific|T Cell Engager).*",
        over=_over("monoclonal antibody", "fusion protein"),
    ),
    # The -mab INN stem, an EPC naming an antibody, or FDA's monoclonal antibody category.
    Rule(
        "monoclonal antibody",
        classes=r"EPC:.*Antibody.*|CHEM:Antibodies, Monoclonal.*",
        name=r"\w+mab\b",
    ),
    # The -cept INN stem (receptor fusions), or FDA's fusion protein classes; an IL-2
    # fusion toxin (denileukin diftitox) is a fusion protein, not the cytokine.
    Rule(
        "fusion protein",
        classes=r"EPC:.*Fusion Protein.*|CHEM:Recombinant Fusion Proteins",
        name=r"\w+cept\b",
        over=_over("cytokine", "protein"),
    ),
    # Vaccines by name or class (DrugCentral 2016 lists none).
    Rule(
        "vaccine",
        classes=r"EPC:.*Vaccine.*|PA:Vaccines.*|CHEM:Vaccines.*",
        name=r"\bvaccine\b",
        over=_over("peptide", "protein"),
    ),
    # Antisense (-rsen) and siRNA (-siran) INN stems, aptamers, and the matching classes.
    Rule(
        "oligonucleotide",
        classes=r"EPC:.*Oligonucleotide.*|CHEM:(Oligonucleotides|Aptamers, Nucleotide)"
        r"|PA:Oligo(deoxyribo)?nucleotides, Antisense",
        name=r"\w+(rsen|siran)\b",
    ),
    # Interferons, interleukins (-leukin, -elvekin) and colony-stimulating factors
    # (-grastim, -gramostim), by name or by FDA's classes.
    Rule(
        "cytokine",
        classes=r"CHEM:(Interferon-\w+|Interleukin-\d+|Granulocyte.*Colony-Stimulating Factor)"
        r"|EPC:(Recombinant Human Interferon.*|Leukocyte Growth Factor|Lymphocyte Growth Factor)",
        name=r"\w*interferon\b|\w+(leukin|elvekin|grastim|gramostim)\b",
        over=_over("protein"),
    ),
    # Enzymes (-ase, -plasmin), clotting factors (-cog), albumin and the plasma proteins,
    # by name, or by FDA's enzyme and recombinant protein classes.
    Rule(
        "protein",
        classes=r"EPC:.*Enzyme|EPC:(Carboxypeptidase|Endoglycosidase"
        r"|Tissue-nonspecific Alkaline Phosphatase|Recombinant Human Deoxyribonuclease 1)"
        r"|CHEM:(Asparaginase|Collagenases|Glucosylceramidase|Urate Oxidase|Deoxyribonuclease I"
        r"|Carboxypeptidases|Glycoside Hydrolases|Peptide Hydrolases|Alkaline Phosphatase"
        r"|Lysosomal Acid Cholesterol Esterase|alpha-Glucosidases|Recombinant Proteins)",
        name=r"\w{3,}ase\b|\w+plasmin\b|\w+cog\b|\b(albumin|fibrinogen|antithrombin)\b"
        r"|\bfactor [ivx]+\b",
    ),
    # Insulins, GLP-1 and GLP-2 agonists, amylin, somatostatin, vasopressin, oxytocin,
    # PTH, ACTH and natriuretic peptide analogues: their FDA classes and INN stems.
    Rule(
        "peptide",
        classes=r"CHEM:(Insulin|Glucagon-Like Peptide [12]|Natriuretic Peptides|Vasopressins"
        r"|Oxytocin|Calcitonin|Secretin|Cholecystokinin|Parathyroid Hormone"
        r"|Adrenocorticotropic Hormone)"
        r"|EPC:(Insulin Analog|GLP-1 Receptor Agonist|GLP-2 Analog|Amylin Analog"
        r"|Somatostatin Analog|Natriuretic Peptide|Parathyroid Hormone Analog"
        r"|Vasopressin Analog|Growth Hormone Releasing Factor Analog|Cholecystokinin Analog"
        r"|Secretin-class Hormone)",
        name=r"\binsulin\b|\w*glucagon\b|\w+(glutide|enatide|reotide|pressin|(?<!zo)tocin|paratide|rudin|actide)\b",
    ),
    # Cytotoxics: FDA's alkylating, platinum, antimetabolite, topoisomerase and microtubule
    # classes, MeSH's alkylating agents and topoisomerase I inhibitors, and the cytotoxic
    # INN stems. MeSH's broader antimetabolite, antibiotic and topoisomerase II classes
    # also hold immunosuppressants and quinolone antibiotics, so they are not used.
    Rule(
        "chemotherapy",
        classes=r"EPC:(Alkylating Drug|Platinum-based Drug|Anthracycline Topoisomerase Inhibitor"
        r"|Topoisomerase Inhibitor|Vinca Alkaloid|Microtubule Inhibitor|Actinomycin"
        r"|Nucleoside Metabolic Inhibitor|Folate Analog Metabolic Inhibitor)"
        r"|MoA:(Alkylating Activity|Topoisomerase Inhibitors)"
        r"|PA:(Antineoplastic Agents, Alkylating|Topoisomerase I Inhibitors)",
        name=r"\w+(platin|rubicin|taxel|tecan|mustine|poside|fosfamide|phosphamide|trexed|trexate)\b",
    ),
    # Sex-hormone axis: androgens, oestrogens, progestins and their antagonists, SERMs,
    # aromatase and CYP17 inhibitors, GnRH agonists and antagonists (INN stem -relix).
    Rule(
        "hormone therapy",
        classes=r"EPC:(Androgen|Androgen Receptor Inhibitor|Estrogen|Estrogen Agonist/Antagonist"
        r"|Progestin|Progestin Antagonist|Progesterone Agonist/Antagonist|Aromatase Inhibitor"
        r"|Gonadotropin Releasing Hormone (Receptor Agonist|Antagonist)"
        r"|Cytochrome P450 17A1 Inhibitor)"
        r"|MoA:(Androgen Receptor (Agonists|Antagonists)|Estrogen Receptor Agonists"
        r"|Selective (Estrogen|Progesterone) Receptor Modulators|Aromatase Inhibitors"
        r"|Gonadotropin Releasing Hormone Receptor (Agonists|Antagonists)"
        r"|Progestational Hormone Receptor Antagonists|Cytochrome P450 17A1 Inhibitors)"
        r"|PA:(Androgens|Androgen Antagonists|Estrogens|Estrogens, Non-Steroidal"
        r"|Estrogen (Antagonists|Receptor Antagonists|Receptor Modulators)"
        r"|Selective Estrogen Receptor Modulators|Progestins|Aromatase Inhibitors)"
        r"|CHEBI:gonadotropin releasing hormone agonist",
        name=r"\w+relix\b",
        over=_over("peptide"),
    ),
    # Corticosteroids are small molecules, whatever hormone class they also carry.
    Rule(
        "small molecule",
        classes=r"EPC:Corticosteroid|MoA:Corticosteroid Hormone Receptor Agonists"
        r"|PA:(Glucocorticoids|Mineralocorticoids)",
        over=_over("hormone therapy"),
    ),
    # Imaging contrast agents and diagnostic dyes (radiolabelled ones are above).
    Rule(
        "diagnostic",
        classes=r"EPC:(.*Contrast Agent.*|Diagnostic Dye|Inhalation Diagnostic Agent"
        r"|Helicobacter pylori Diagnostic)|MoA:.*Contrast Activity|PA:Contrast Media",
    ),
)
#: INN endings of peptides (-tide, -relin, -relix), IL-1 receptor antagonists (-kinra),
#: polymers (-mer), heparins (-parin) and immunoglobulins, and names of polysaccharides:
#: without a rule above, such an ingredient is not called a small molecule even when it
#: has a structure id.
NOT_SMALL_NAME = (
    r"\w+(tide|relin|relix|kinra|mer|parin|globulin)\b"
    r"|\b(heparin|dextran|dermatan|chondroitin|pentosan|hyaluronic)\b"
)
#: MeSH classes that hold cytotoxics together with other drugs (vindesine with colchicine,
#: bleomycin with sirolimus): they decide nothing, but an ingredient in them is not called a
#: small molecule by default.
NOT_SMALL_CLASSES = (
    r"PA:(Antibiotics, Antineoplastic|Antimetabolites, Antineoplastic"
    r"|Antineoplastic Agents, Phytogenic|Intercalating Agents|Tubulin Modulators)"
)


def modality(evidence: Evidence) -> str:
    """The one modality the rules give, the small-molecule default, or ``""``."""
    matched = [rule for rule in RULES if rule.matches(evidence)]
    found = {rule.modality for rule in matched}
    set_aside: set[str] = set()
    for rule in matched:
        set_aside |= found - {rule.modality} if "*" in rule.over else rule.over
    left = found - set_aside
    if len(left) == 1:
        return left.pop()
    if left:
        return ""
    return "small molecule" if is_small_molecule(evidence) else ""


def is_small_molecule(evidence: Evidence) -> bool:
    """A chemical with a structure id and a class or target that nothing marks otherwise."""
    if not evidence.structure or re.search(NOT_SMALL_NAME, evidence.name.lower()):
        return False
    if any(re.fullmatch(NOT_SMALL_CLASSES, item) for item in evidence.classes):
        return False
    return evidence.targeted or bool(evidence.classes)


# --- the table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """The four DrugCentral tables, read from one folder."""

    targets: list[dict[str, str]]
    classes: list[dict[str, str]]
    identifiers: list[dict[str, str]]
    indications: list[dict[str, str]]

    @classmethod
    def read(cls, folder: Path) -> Source:
        return cls(*(read_source(folder / name) for name in FILES))

    def names(self) -> dict[str, str]:
        """Every ingredient id any table mentions, with its name."""
        names: dict[str, str] = {}
        for rows in (self.targets, self.classes, self.identifiers, self.indications):
            for row in rows:
                if names.setdefault(row["DRUG_ID"], row["DRUG_NAME"]) != row["DRUG_NAME"]:
                    raise ValueError(f"drug {row['DRUG_ID']} has two names")
        return names


def grouped(rows: Iterable[dict[str, str]], key: str, value: str) -> dict[str, set[str]]:
    """Each drug's ``key:value`` pairs of two columns (``ID_TYPE:IDENTIFIER``)."""
    out: defaultdict[str, set[str]] = defaultdict(set)
    for row in rows:
        out[row["DRUG_ID"]].add(f"{row[key]}:{row[value]}")
    return dict(out)


def class_items(rows: Iterable[dict[str, str]]) -> dict[str, set[str]]:
    """Each drug's classes as ``KIND:Class`` (kinds of :data:`CLASS_KINDS`)."""
    out: defaultdict[str, set[str]] = defaultdict(set)
    for row in rows:
        out[row["DRUG_ID"]].add(f"{CLASS_KINDS[row['TYPE']]}:{row['CLASS']}")
    return dict(out)


def id_cells(ids: set[str]) -> list[str]:
    """The chembl, drugbank, unii and mesh cells from a drug's ``TYPE:id`` set."""
    cells = []
    for types in ID_COLUMNS.values():
        cells.append(
            "|".join(
                value
                for kind in types
                for value in sorted(i.split(":", 1)[1] for i in ids if i.startswith(kind + ":"))
            )
        )
    return cells


def table_rows(source: Source, hgnc: Hgnc) -> tuple[list[list[str]], TargetCounts]:
    """The output rows, sorted by DrugCentral id, and the target counts."""
    targets, counts = drug_targets(source.targets, hgnc)
    targeted = {row["DRUG_ID"] for row in source.targets}
    classes = class_items(source.classes)
    ids = grouped(source.identifiers, "ID_TYPE", "IDENTIFIER")
    rows = []
    for drug, name in sorted(source.names().items(), key=lambda item: int(item[0])):
        own_ids = ids.get(drug, set())
        own_classes = frozenset(classes.get(drug, ()))
        evidence = Evidence(
            name=name,
            classes=own_classes,
            structure=any(i.split(":", 1)[0] in STRUCTURE_IDS for i in own_ids),
            targeted=drug in targeted,
        )
        epc = sorted(c.removeprefix("EPC:") for c in own_classes if c.startswith("EPC:"))
        pairs = "|".join(f"{gene}:{act}" for gene, act in sorted(targets.get(drug, ())))
        rows.append([drug, name, modality(evidence), pairs, "|".join(epc), *id_cells(own_ids)])
    return rows, counts


def header(source_dir: Path) -> list[str]:
    """The ``#`` lines: source, licence and attribution, and what each column means."""
    return [
        "DrugCentral ingredients: modality, efficacy targets, FDA classes and identifiers",
        f"source: DrugCentral tables {', '.join(FILES)} from {UPSTREAM},"
        f" kept unchanged as vocab-sources/{source_dir.name}",
        f"licence: Creative Commons Attribution 4.0; attribution: {ATTRIBUTION}",
        "built by scripts/vocab_drugcentral.py; lists in cells are separated by |",
        *COLUMN_NOTES,
    ]


def summary(rows: list[list[str]], counts: TargetCounts) -> list[str]:
    """Lines describing what was built and what was dropped."""
    by_modality = Counter(row[2] or "(none)" for row in rows)
    lines = [
        f"{len(rows)} ingredients, {sum(1 for row in rows if row[3])} with targets",
        "by modality: " + ", ".join(f"{m} {n}" for m, n in sorted(by_modality.items())),
        f"target symbols kept: {counts.kept} ({sum(counts.renamed.values())} renamed: "
        + ", ".join(sorted(counts.renamed))
        + ")",
        f"target symbols dropped: {counts.dropped}; non-human {sum(counts.non_human.values())}"
        f" ({len(counts.non_human)} symbols), not human HGNC genes"
        f" {sum(counts.not_in_hgnc.values())}: "
        + ", ".join(f"{s} {n}" for s, n in sorted(counts.not_in_hgnc.items())),
        f"target rows without a gene symbol: {counts.without_symbol}",
    ]
    return lines


def build(source_dir: Path, out_dir: Path, hgnc_table: Path = HGNC_TABLE) -> list[str]:
    """Write ``drugcentral.tsv.gz`` into ``out_dir`` and return the summary lines."""
    hgnc = Hgnc.load(hgnc_table)
    rows, counts = table_rows(Source.read(source_dir), hgnc)
    write_gz(out_dir / OUTPUT, header(source_dir), COLUMNS, rows)
    return summary(rows, counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="DrugCentral folder")
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR, help="data folder to write")
    args = parser.parse_args(argv)
    for line in build(args.source, args.out_dir):
        print(line)
    print(f"-> {args.out_dir / OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
