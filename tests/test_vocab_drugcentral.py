"""The DrugCentral table: its build script on real DrugCentral rows, and the shipped table."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

import vocab_drugcentral as dc
from trialgraph.normalize.lexicon import read_table

FIXTURE = Path(__file__).resolve().parent / "data" / "drugcentral"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The table built from the fixture folder, in a temporary directory."""
    out = tmp_path_factory.mktemp("drugcentral")
    dc.build(FIXTURE, out)
    return out / dc.OUTPUT


def lines(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


@pytest.fixture(scope="module")
def rows(built: Path) -> dict[str, dict[str, str]]:
    """The built rows by ingredient name."""
    body = [line for line in lines(built) if not line.startswith("#")]
    header = body[0].split("\t")
    return {
        row["name"]: row
        for row in (dict(zip(header, line.split("\t"), strict=True)) for line in body[1:])
    }


def test_header_names_source_licence_and_columns(built: Path) -> None:
    comments = [line for line in lines(built) if line.startswith("#")]
    text = "\n".join(comments)
    assert "olegursu/drugtarget" in text and "64630f7c2bc050f5af0a7cac7b08e778125284bc" in text
    assert "Creative Commons Attribution 4.0" in text and dc.ATTRIBUTION in text
    for column in dc.COLUMNS[1:]:
        assert re.search(rf"^# ({column}|.*, {column}\b|{column},)", text, re.M), column
    first = next(line for line in lines(built) if not line.startswith("#"))
    assert first.split("\t") == list(dc.COLUMNS)


def test_a_rerun_is_byte_identical(built: Path, tmp_path: Path) -> None:
    dc.build(FIXTURE, tmp_path)
    assert (tmp_path / dc.OUTPUT).read_bytes() == built.read_bytes()
    assert built.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0


def test_every_ingredient_of_any_table_has_a_row(rows: dict[str, dict[str, str]]) -> None:
    assert len(rows) == 25
    # a salt is an ingredient of its own, with no targets of its own in DrugCentral
    assert {"oxyphenisatine", "oxyphenisatine acetate"} <= rows.keys()
    # oxyphenisatine has no target or class rows, only identifiers and indications
    assert rows["oxyphenisatine"]["targets"] == rows["oxyphenisatine"]["classes"] == ""
    assert rows["oxyphenisatine"]["drugbank"] == "DB04823"


@pytest.mark.parametrize(
    ("name", "targets"),
    [
        ("donepezil", "ACHE:INHIBITOR"),
        ("sildenafil", "PDE5A:INHIBITOR"),
        ("losartan", "AGTR1:ANTAGONIST"),
        ("pembrolizumab", "PDCD1:ANTIBODY_BINDING"),
        ("secukinumab", "IL17A:ANTIBODY_BINDING"),
        ("testosterone", "AR:AGONIST"),
        ("insulin glargine", "INSR:AGONIST"),
        (
            "blinatumomab",
            "CD19:ANTIBODY_BINDING|CD3D:ANTIBODY_BINDING|CD3E:ANTIBODY_BINDING|CD3G:ANTIBODY_BINDING",
        ),
        ("etanercept", "LTA:INHIBITOR|TNF:INHIBITOR"),
        ("degarelix", "GNRHR:ANTAGONIST"),
        # GUCY1A3 and GUCY1B3 are previous symbols of one gene each; GUCY1B2 is no human
        # protein-coding gene in HGNC
        ("nitric oxide", "GUCY1A1:ACTIVATOR|GUCY1A2:ACTIVATOR|GUCY1B1:ACTIVATOR"),
        # influenza neuraminidase ("NA", also a previous HGNC symbol of XK) and the
        # Plasmodium cytochrome b ("MT-CYB") are not human targets
        ("oseltamivir", ""),
        ("atovaquone", ""),
    ],
)
def test_targets_and_actions(rows: dict[str, dict[str, str]], name: str, targets: str) -> None:
    assert rows[name]["targets"] == targets


def test_dropped_symbols_are_counted() -> None:
    source = dc.Source.read(FIXTURE)
    _, counts = dc.drug_targets(source.targets, dc.Hgnc.load(dc.HGNC_TABLE))
    assert counts.not_in_hgnc == {"GUCY1B2": 1}
    assert counts.non_human["NA"] == 2 and counts.non_human["MT-CYB"] == 1
    assert counts.renamed == {"GUCY1A3->GUCY1A1": 1, "GUCY1B3->GUCY1B1": 1}
    assert "XK" not in {pair[0] for pairs in _.values() for pair in pairs}


def test_actions_are_one_token() -> None:
    assert dc.action("POSITIVE ALLOSTERIC MODULATOR") == "POSITIVE_ALLOSTERIC_MODULATOR"
    assert dc.action("") == dc.action("  ") == "UNKNOWN"


def test_identifiers(rows: dict[str, dict[str, str]]) -> None:
    donepezil = rows["donepezil"]
    assert donepezil["chembl"] == "CHEMBL1678|CHEMBL502" and donepezil["drugbank"] == "DB00843"
    assert donepezil["unii"] == "3O2T2PJ89D" and donepezil["mesh"] == "C076946"
    # MeSH descriptors come before supplementary concepts
    assert rows["erythromycin"]["mesh"] == "D004917|D004918|D015643|C010948|C011462"
    assert rows["secukinumab"]["classes"] == "Interleukin-17A Antagonist"


#: One real ingredient per rule of RULES, and the small-molecule default.
MODALITIES = {
    "fludeoxyglucose (18F)": "radiopharmaceutical",
    "brentuximab vedotin": "ADC",
    "blinatumomab": "bispecific antibody",
    "pembrolizumab": "monoclonal antibody",
    "secukinumab": "monoclonal antibody",
    "etanercept": "fusion protein",
    "mipomersen": "oligonucleotide",
    "interferon beta-1a": "cytokine",
    "pegaspargase": "protein",
    "insulin glargine": "peptide",
    "cisplatin": "chemotherapy",
    "testosterone": "hormone therapy",
    "degarelix": "hormone therapy",
    "prednisone": "small molecule",
    "iohexol": "diagnostic",
    "donepezil": "small molecule",
    "sildenafil": "small molecule",
    "losartan": "small molecule",
    "oseltamivir": "small molecule",
    # a polysaccharide with a structure id and classes is not called a small molecule
    "heparin": "",
}


@pytest.mark.parametrize(("name", "modality"), sorted(MODALITIES.items()))
def test_modality(rows: dict[str, dict[str, str]], name: str, modality: str) -> None:
    assert rows[name]["modality"] == modality


def evidence(name: str, *classes: str, structure: bool = True) -> dc.Evidence:
    return dc.Evidence(name, frozenset(classes), structure=structure, targeted=False)


#: Evidence built by hand: rules no DrugCentral 2016 ingredient exercises (vaccines), and
#: how the rules combine.
CONSTRUCTED = [
    (evidence("x vaccine", "PA:Immunologic Factors"), "vaccine"),
    (evidence("x", "EPC:Inactivated Poliovirus Vaccine"), "vaccine"),
    # a corticosteroid that also carries a sex-hormone class stays a small molecule
    (evidence("x", "EPC:Corticosteroid", "PA:Progestins"), "small molecule"),
    (evidence("x", "PA:Progestins"), "hormone therapy"),
    # a GnRH agonist is a peptide, but the hormone rule decides
    (
        evidence("x", "EPC:Gonadotropin Releasing Hormone Receptor Agonist", "CHEM:Insulin"),
        "hormone therapy",
    ),
    # rules that set nothing aside conflict: the cell stays empty
    (evidence("x", "EPC:Platinum-based Drug", "PA:Progestins"), ""),
    (evidence("xumab", "EPC:Antisense Oligonucleotide"), ""),
    # a radiolabel decides over the labelled molecule; a stable isotope is no label
    (evidence("ximab tiuxetan", "MoA:Radiopharmaceutical Activity"), "radiopharmaceutical"),
    (evidence("technetium Tc 99m xcept"), "radiopharmaceutical"),
    (evidence("urea C-13", "PA:Diuretics"), "small molecule"),
    # the small-molecule default needs a structure id and some class
    (evidence("x", "PA:Diuretics", structure=False), ""),
    (evidence("x"), ""),
    # peptide INN endings and cytotoxic-holding MeSH classes block the default
    (evidence("xrelin", "PA:Fertility Agents, Female"), ""),
    (evidence("x", "PA:Antibiotics, Antineoplastic"), ""),
]


@pytest.mark.parametrize(("case", "modality"), CONSTRUCTED)
def test_rules_on_constructed_evidence(case: dc.Evidence, modality: str) -> None:
    assert dc.modality(case) == modality


def test_every_rule_decides_a_case() -> None:
    """Each rule of the table matches a case above that expects its modality."""
    source = dc.Source.read(FIXTURE)
    classes = dc.class_items(source.classes)
    drugs = {name: drug for drug, name in source.names().items()}
    cases = [(evidence(n, *classes.get(drugs[n], ())), m) for n, m in MODALITIES.items()]
    for rule in dc.RULES:
        assert any(m == rule.modality and rule.matches(e) for e, m in cases + CONSTRUCTED), rule


def test_the_shipped_table() -> None:
    table = list(read_table(dc.OUTPUT))
    assert list(table[0]) == list(dc.COLUMNS)
    modalities = {row["modality"] for row in read_table("modalities.tsv")}
    genes = {row["symbol"] for row in read_table("hgnc.tsv.gz")}
    assert {row["modality"] for row in table} - {""} <= modalities
    symbols = {p.split(":")[0] for row in table for p in row["targets"].split("|") if p}
    assert symbols <= genes
    # 1,361 DrugCentral 2016 ingredients have a human efficacy target
    assert sum(1 for row in table if row["targets"]) >= 1300
    assert len({row["drugcentral_id"] for row in table}) == len(table) > 4000
    assert all(re.fullmatch(r"(DB\d{5})?(\|DB\d{5})*", row["drugbank"]) for row in table)
    header = gzip.decompress(dc.HGNC_TABLE.with_name(dc.OUTPUT).read_bytes()).decode()
    assert dc.ATTRIBUTION in header.split("\ndrugcentral_id\t", 1)[0]


def test_sources_name_every_shipped_table() -> None:
    data = dc.DATA_DIR
    sources = (data / "SOURCES.md").read_text("utf-8")
    for path in data.iterdir():
        if path.name != "SOURCES.md" and not path.name.startswith((".", "__")):
            assert f"`{path.name}`" in sources, path.name
