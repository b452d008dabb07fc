"""Landscape facets: phases, status, dates, enrollment, sponsors and places, field by field.

Every trial of the corpus's CSV and JSON sets is stored, and ``trial-facets`` must give, for
each, exactly what its record's CSV columns or API v2 JSON fields say (in Unicode NFKC, as
every reader normalizes text). The expected values are read from the raw files here,
independently of the readers, with a country table written by hand for the country names
the corpus's locations use.
"""

from __future__ import annotations

import csv
import json
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal

from tests.conftest import DATA, FIXED_TIME, read_records, stored
from trialgraph.cli import main
from trialgraph.coverage import Coverage
from trialgraph.mapping import map_record
from trialgraph.namespaces import TG
from trialgraph.normalize.facets import (
    PHASES,
    STATUSES,
    controlled,
    country_code,
    facets,
    location_country,
    organization_key,
)
from trialgraph.normalize.trial import normalize_record
from trialgraph.records import TrialRecord

#: The country names of the corpus's locations, coded by hand (ISO 3166-1 alpha-2).
COUNTRIES = {
    "United Arab Emirates": "AE", "Antigua and Barbuda": "AG", "Argentina": "AR",
    "Austria": "AT", "Australia": "AU", "Belgium": "BE", "Bulgaria": "BG", "Brazil": "BR",
    "Belarus": "BY", "Canada": "CA", "Democratic Republic of the Congo": "CD",
    "Switzerland": "CH", "Côte d’Ivoire": "CI", "Chile": "CL", "China": "CN",
    "Colombia": "CO", "Costa Rica": "CR", "Cuba": "CU", "Czech Republic": "CZ",
    "Czechia": "CZ", "Germany": "DE", "Denmark": "DK", "Dominican Republic": "DO",
    "Ecuador": "EC", "Estonia": "EE", "Egypt": "EG", "Spain": "ES", "Finland": "FI",
    "France": "FR", "United Kingdom": "GB", "Georgia": "GE", "Greece": "GR",
    "Guatemala": "GT", "Hong Kong": "HK", "Croatia": "HR", "Hungary": "HU",
    "Indonesia": "ID", "Ireland": "IE", "Israel": "IL", "India": "IN", "Iraq": "IQ",
    "Iceland": "IS", "Italy": "IT", "Jamaica": "JM", "Jordan": "JO", "Japan": "JP",
    "Kenya": "KE", "Kyrgyzstan": "KG", "Korea, Republic of": "KR", "South Korea": "KR",
    "Kuwait": "KW", "Kazakhstan": "KZ", "Lebanon": "LB", "Lithuania": "LT", "Latvia": "LV",
    "Morocco": "MA", "Mexico": "MX", "Malaysia": "MY", "Mozambique": "MZ", "Nigeria": "NG",
    "Netherlands": "NL", "Norway": "NO", "Nepal": "NP", "New Zealand": "NZ", "Panama": "PA",
    "Peru": "PE", "Philippines": "PH", "Pakistan": "PK", "Poland": "PL",
    "Puerto Rico": "PR", "Palestinian Territories, Occupied": "PS", "Portugal": "PT",
    "Romania": "RO", "Serbia": "RS", "Russia": "RU", "Russian Federation": "RU",
    "Saudi Arabia": "SA", "Sweden": "SE", "Singapore": "SG", "Slovenia": "SI",
    "Slovakia": "SK", "Thailand": "TH", "Tunisia": "TN", "Turkey": "TR",
    "Turkey (Türkiye)": "TR", "Taiwan": "TW", "Ukraine": "UA", "Uganda": "UG",
    "United States": "US", "Uruguay": "UY", "Venezuela": "VE", "Vietnam": "VN",
    "South Africa": "ZA", "Zambia": "ZM",
}  # fmt: skip

#: The corpus sets with facets, each stored on its own (a trial in two files of one set
#: would otherwise be compared with the wrong file's row).
SETS = (
    "ctgov-csv/oncology-a.csv",
    "ctgov-csv/oncology-b.csv",
    "areas/ctgov-csv/cardiovascular-eye.csv",
    "ctgov-json/nsclc-studies.json",
    "ctgov-zip/urology-studies.json.zip",
)
FACET_COLUMNS = (
    "phase",
    "status",
    "sponsor",
    "sponsor_class",
    "start_date",
    "primary_completion_date",
    "completion_date",
    "enrollment",
    "countries",
    "enrollment_type",
    "study_type",
    "sites",
)


def _phases(values: list[str]) -> str:
    return "; ".join(p for p in PHASES if p in values)


def _csv_date(text: str) -> str:
    if not text or "-" in text:
        return text
    return datetime.strptime(text, "%m/%d/%Y").date().isoformat()


def _csv_country(entry: str) -> str:
    parts = [p.strip() for p in entry.split(",")]
    for size in (3, 2, 1):
        name = ", ".join(parts[-size:])
        if name in COUNTRIES:
            return COUNTRIES[name]
    return ""


def _codes(codes: list[str]) -> str:
    return "; ".join(sorted({c for c in codes if c}))


def _csv_expected(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            sites = [s for s in row["Locations"].split("|") if s.strip()]
            yield (
                row["NCT Number"],
                {
                    "phase": _phases(row["Phases"].split("|")),
                    "status": row["Study Status"],
                    "sponsor": row["Sponsor"].strip(),
                    "sponsor_class": row["Funder Type"],
                    "start_date": _csv_date(row["Start Date"]),
                    "primary_completion_date": _csv_date(row["Primary Completion Date"]),
                    "completion_date": _csv_date(row["Completion Date"]),
                    "enrollment": row["Enrollment"],
                    "countries": _codes([_csv_country(s) for s in sites]),
                    "enrollment_type": "",
                    "study_type": row["Study Type"],
                    "sites": str(len(sites)) if sites else "",
                },
            )


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return data if data != {} else ""


def _json_expected(study: dict[str, Any]) -> tuple[str, dict[str, str]]:
    p = study["protocolSection"]
    locations = _get(p, "contactsLocationsModule", "locations") or []
    count = _get(p, "designModule", "enrollmentInfo", "count")
    return _get(p, "identificationModule", "nctId"), {
        "phase": _phases(_get(p, "designModule", "phases") or []),
        "status": _get(p, "statusModule", "overallStatus"),
        "sponsor": _get(p, "sponsorCollaboratorsModule", "leadSponsor", "name"),
        "sponsor_class": _get(p, "sponsorCollaboratorsModule", "leadSponsor", "class"),
        "start_date": _get(p, "statusModule", "startDateStruct", "date"),
        "primary_completion_date": _get(p, "statusModule", "primaryCompletionDateStruct", "date"),
        "completion_date": _get(p, "statusModule", "completionDateStruct", "date"),
        "enrollment": str(count) if count != "" else "",
        "countries": _codes([COUNTRIES.get(loc.get("country", ""), "") for loc in locations]),
        "enrollment_type": _get(p, "designModule", "enrollmentInfo", "type") if count != "" else "",
        "study_type": _get(p, "designModule", "studyType"),
        "sites": str(len(locations)) if locations else "",
    }


def _expected(source: str) -> dict[str, dict[str, str]]:
    path = DATA / source
    if path.suffix == ".csv":
        return dict(_csv_expected(path))
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            studies = [
                json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")
            ]
    else:
        studies = json.loads(path.read_text("utf-8"))
    return dict(_json_expected(s) for s in studies)


def _rows(store: str, query: str, *params: str) -> list[dict[str, str]]:
    args = [a for p in params for a in ("--param", p)]
    result = CliRunner().invoke(main, ["query", query, "--store", store, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("source", SETS)
def test_facets_match_the_records_field_by_field(source: str, tmp_path: Path) -> None:
    expected = _expected(source)
    store = stored(tmp_path / "store", read_records([DATA / source]))
    rows = {r["trial"]: r for r in _rows(store, "trial-facets")}
    assert set(rows) == set(expected)
    wrong = []
    for trial, want in sorted(expected.items()):
        got = dict(rows[trial])
        got["countries"] = "; ".join(sorted(filter(None, got["countries"].split("; "))))
        for column in FACET_COLUMNS:
            if got[column] != unicodedata.normalize("NFKC", want[column]):
                wrong.append(f"{trial} {column}: {got[column]!r}, the record says {want[column]!r}")
    assert not wrong, "\n".join(wrong[:20])
    # the fields are there to be compared: most trials of every set have each of these
    for column in ("phase", "status", "sponsor", "start_date", "enrollment", "countries"):
        assert sum(bool(w[column]) for w in expected.values()) > len(expected) / 2, column


# ------------------------------------------------------------------ normalization


@pytest.mark.parametrize(
    ("names", "same"),
    [
        (("Pfizer", "Pfizer Inc.", "PFIZER, INC", "pfizer  inc"), True),
        (("Novo Nordisk A/S", "Novo Nordisk AS", "Novo Nordisk"), True),
        (("Jiangsu HengRui Medicine Co., Ltd.", "Jiangsu Hengrui Medicine Co. Ltd"), True),
        (("M.D. Anderson Cancer Center", "MD Anderson Cancer Center"), True),
        (("Eli Lilly and Company", "Eli Lilly & Co.", "Eli Lilly"), True),
        (("Bristol-Myers Squibb", "Bristol Myers Squibb"), True),
        (("Boehringer Ingelheim GmbH & Co. KG", "Boehringer Ingelheim"), True),
        # not one organization: a subsidiary, a campus, an abbreviation added
        (("Pfizer", "Pfizer Japan"), False),
        (("University of California, San Francisco", "University of California"), False),
        (("National Cancer Institute (NCI)", "National Cancer Institute"), False),
        (
            ("Assistance Publique - Hôpitaux de Paris", "Assistance Publique Hopitaux de Paris"),
            True,
        ),
    ],
)
def test_organization_keys_fold_only_what_never_tells_two_apart(
    names: tuple[str, ...], same: bool
) -> None:
    keys = {organization_key(n) for n in names}
    assert (len(keys) == 1) is same, keys


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert organization_key("Co.") == "co"
    assert organization_key("Company") == "company"


@pytest.mark.parametrize(
    ("text", "allowed", "value"),
    [
        ("PHASE2", PHASES, "PHASE2"),
        ("Phase 2", PHASES, "PHASE2"),
        ("Early Phase 1", PHASES, "EARLY_PHASE1"),
        ("N/A", PHASES, "NA"),
        ("Not Applicable", PHASES, "NA"),
        ("Phase 5", PHASES, None),
        ("Active, not recruiting", STATUSES, "ACTIVE_NOT_RECRUITING"),
        ("Unknown status", STATUSES, "UNKNOWN"),
        ("recruiting", STATUSES, "RECRUITING"),
        ("Halted", STATUSES, None),
    ],
)
def test_field_values_read_in_the_apis_and_in_older_spellings(
    text: str, allowed: frozenset[str] | tuple[str, ...], value: str | None
) -> None:
    assert controlled(text, allowed) == value


@pytest.mark.parametrize(
    ("location", "code", "written"),
    [
        ("Asan Medical Center, Seoul, Korea, Republic of", "KR", "Korea, Republic of"),
        ("Clinic, Kinshasa, Congo, The Democratic Republic of the", "CD", None),
        ("Hospital, Atlanta, Georgia, 30303, United States", "US", "United States"),
        ("Hospital, Tbilisi, Georgia", "GE", "Georgia"),
        ("Site, Belgrade, Former Serbia and Montenegro", "", "Former Serbia and Montenegro"),
        ("Pfizer Investigational Site", "", "Pfizer Investigational Site"),
    ],
)
def test_a_locations_country_is_the_longest_tail_that_names_one(
    location: str, code: str, written: str | None
) -> None:
    found, as_written = location_country(location)
    assert found == code
    if written is not None:
        assert as_written == written


def test_country_codes_come_from_iso_names_and_the_registrys_spellings() -> None:
    assert [country_code(n) for n in ("Viet Nam", "Vietnam", "Czechia", "Czech Republic")] == [
        "VN",
        "VN",
        "CZ",
        "CZ",
    ]
    assert country_code("Kosovo") is None  # no ISO 3166-1 code: kept as written
    assert country_code("Côte D'Ivoire") == country_code("Côte d’Ivoire") == "CI"
    assert country_code("Turkey (Türkiye)") == country_code("Türkiye") == "TR"


def _record(**fields: Any) -> TrialRecord:
    return TrialRecord(source="t.json", location="", format="ctgov-json", title="T", **fields)


def test_values_no_list_knows_are_kept_as_written_and_counted() -> None:
    record = _record(
        phases=("Phase 2/Phase 3", "Phase 9"),
        status="Halted",
        sponsor="Acme Inc.",
        sponsor_class="Charity",
        locations=("A, Paris, France", "B, Atlantis"),
    )
    found = facets(record)
    assert found.phases == ("PHASE2", "PHASE3")
    assert found.status == ""
    assert found.sponsor is not None and found.sponsor.cls == ""
    assert found.countries == ("FR",)
    assert found.site_count == 2
    assert set(found.unrecognized) == {
        ("phase", "Phase 9"),
        ("status", "Halted"),
        ("organization_class", "Charity"),
        ("country", "Atlantis"),
    }
    graph = {(q.predicate, q.object) for q in map_record(record, ingested_at=FIXED_TIME).quads}
    assert (TG.phaseAsWritten, Literal("Phase 9")) in graph
    assert (TG.statusAsWritten, Literal("Halted")) in graph
    assert (TG.countryAsWritten, Literal("Atlantis")) in graph
    assert (TG.country, Literal("FR")) in graph
    assert not any(p == TG.status for p, _ in graph)
    coverage = Coverage()
    coverage.add(normalize_record(record))
    assert coverage.figures()["sites_with_country"] == 0.5
    assert coverage.unrecognized_facets[("phase", "Phase 9")] == 1
    assert "Halted (status)" in coverage.report()


def test_unknown_stays_unknown_no_empty_literals(tmp_path: Path) -> None:
    records = list(read_records([DATA / "areas/ctgov-csv/cardiovascular-eye.csv"]))
    # the set has trials without phases, dates or enrollment
    assert any(not r.phases for r in records) and any(not r.start_date for r in records)
    for record in records:
        for quad in map_record(record, ingested_at=FIXED_TIME).quads:
            assert not (isinstance(quad.object, Literal) and quad.object.value == ""), (
                record.trial_id,
                quad.predicate,
            )


def test_one_organization_node_across_trials_keeps_every_name_as_written() -> None:
    a = _record(nct_id="NCT00000001", sponsor="Pfizer Inc.", sponsor_class="INDUSTRY")
    b = _record(nct_id="NCT00000002", sponsor="PFIZER", collaborators=("Pfizer",))
    quads = [q for r in (a, b) for q in map_record(r, ingested_at=FIXED_TIME).quads]
    sponsors = {q.object for q in quads if q.predicate in (TG.leadSponsor, TG.collaborator)}
    assert len(sponsors) == 1
    names: set[str] = set()
    classes: set[str] = set()
    for quad in quads:
        value = quad.object
        if isinstance(value, Literal):
            if quad.subject in sponsors and quad.predicate.value.endswith("label"):
                names.add(value.value)
            if quad.predicate == TG.organizationClass:
                classes.add(value.value)
    assert names == {"Pfizer Inc.", "PFIZER", "Pfizer"}
    assert classes == {"INDUSTRY"}  # the class only the first record gives


def test_a_name_of_no_letters_or_digits_is_no_organization() -> None:
    found = facets(_record(sponsor="--", collaborators=("...", "Acme")))
    assert found.sponsor is None
    assert [c.name for c in found.collaborators] == ["Acme"]
