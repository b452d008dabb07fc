"""What the recognizers hand to the mapping: normalized, grounded facts about one record.

Each recognizer module (:mod:`.targets`, :mod:`.conditions`, :mod:`.products`,
:mod:`.endpoints`, :mod:`.durations`) returns these frozen types; none of them knows RDF.
Identifiers are CURIEs whose prefixes are in ``ontology/prefixes.json``; a concept nobody
has an identifier for has ``curie=None`` and is kept by its label.
"""

from __future__ import annotations

from dataclasses import dataclass

from trialgraph.records import OutcomeRole


@dataclass(frozen=True, slots=True)
class Target:
    """A molecular target: a gene product, an isoform, or a non-protein antigen.

    ``symbol`` is the HGNC approved symbol for a gene product, or a canonical name for an
    isoform (``CLDN18.2``) or antigen (``GD2``). ``curie`` is ``HGNC:<number>`` for a gene
    product; for others a standard identifier where one exists, else ``None``.
    ``parent`` is the gene's CURIE for an isoform.
    """

    symbol: str
    label: str
    curie: str | None
    kind: str  # "gene" | "isoform" | "antigen"
    parent: str | None = None
    xrefs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetMention:
    """A target named in a record, the text that named it, and the product aimed at it.

    ``intervention`` is the index into ``TrialRecord.interventions`` of the product aimed at
    the target, or ``None`` when the record names the target but not which product;
    ``component`` the index of that product among the intervention's products.
    ``derivation`` says how the target was found: from a curated drug row, the drug table,
    an INN stem, or the record's own words. ``population`` marks a target named as part of
    who is enrolled ("after anti-TNF failure", "PSEN1 mutation carriers"): never an aim.
    """

    target: Target
    text: str
    intervention: int | None
    component: int | None = None  # index into the intervention's products, where known
    derivation: str = "record-text"  # curated | drug-table | inn-stem | record-text
    population: bool = False  # named as the population's history or marker, not an aim


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition as written, resolved to a canonical concept where one matched.

    ``kind`` is one of :data:`CONDITION_KINDS`: for a concept, from its MeSH trees; for
    unmatched text, ``disease`` only when a disease head word shows it, else ``other``.
    """

    text: str
    label: str  # canonical concept label, or the cleaned text when unmapped
    curie: str | None  # MONDO (preferred for a disease) or a MeSH descriptor (MESH:D......)
    xrefs: tuple[str, ...] = ()  # NCIT:, MESH:, DOID:, ... from the release
    qualifiers: tuple[str, ...] = ()  # advanced, metastatic, recurrent, adult, ...
    kind: str = "other"  # one of CONDITION_KINDS


#: The kinds of a condition mention, in the order a concept's MeSH trees decide them.
CONDITION_KINDS = ("disease", "finding", "healthy", "procedure", "behaviour", "other")


@dataclass(frozen=True, slots=True)
class Product:
    """One distinct product (intervention) across trials.

    ``key`` is stable and shared: two records naming the same product ("U87 CAR-T",
    "U87 autologous CAR T-cell") give the same key, so the mapping mints one node; every
    other field is a function of the key.
    """

    key: str
    label: str
    modality: str | None  # "CAR-T", "monoclonal antibody", "chemotherapy", ...
    curie: str | None = None  # a standard drug identifier, where one is known
    xrefs: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # what the drug knowledge says it is aimed at
    actions: tuple[str, ...] = ()  # aligned with targets: INHIBITOR, AGONIST, ... or ""
    source: str | None = None  # the table the product's entry comes from (a derivation)
    derivations: tuple[str, ...] = ()  # aligned with targets: the table each comes from


@dataclass(frozen=True, slots=True)
class InterventionFacts:
    """What one intervention names: its products (several for a combination), and what
    the record adds that is not a property of the products.

    ``modality`` is the products' common modality, else (for a single product) what the
    description, the trial's title or the intervention type says; ``origin`` is
    ``autologous`` or ``allogeneic`` for a cell product where the record says.
    """

    products: tuple[Product, ...]
    modality: str | None = None
    origin: str | None = None

    @property
    def regimen(self) -> bool:
        """Whether the intervention combines several products."""
        return len(self.products) > 1


@dataclass(frozen=True, slots=True)
class Criterion:
    """Assessment criteria, e.g. RECIST 1.1 or CTCAE v5.0 (``version`` may be empty)."""

    key: str  # stable key, e.g. "RECIST-1.1", "CTCAE-5.0", "CTCAE"
    label: str  # "RECIST 1.1", "CTCAE v5.0"
    family: str  # "RECIST", "CTCAE", ...
    version: str = ""
    curie: str | None = None


@dataclass(frozen=True, slots=True)
class Analyte:
    """Something measured in a sample: a cytokine, an inflammatory marker or another
    laboratory analyte (HbA1c, LDL-C, NT-proBNP)."""

    key: str  # stable key, e.g. "IL-6"
    label: str  # display label, e.g. "IL-6", "IFN-γ"
    curie: str | None = None  # the gene (HGNC) or chemical, where known


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The interpretation of one outcome measure."""

    role: OutcomeRole
    codes: tuple[str, ...]  # endpoint codes of CONTRACT.md; ("OTHER",) when none matched
    category: str  # "safety" | "efficacy" | "pharmacokinetics" | "pharmacodynamics" | ...
    criteria: tuple[Criterion, ...] = ()
    analytes: tuple[Analyte, ...] = ()
    duration: str | None = None  # ISO 8601 duration, e.g. "P28D"
    # proportion | change | time-to-event | count | value, where the measure says
    measure_type: str | None = None
    direction: str | None = None  # higher-better | lower-better, where knowable
