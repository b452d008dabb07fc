"""Every record of the bundled corpus reads without error, with the expected fields."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from trialgraph.records import RecordError, TrialRecord
from trialgraph.sources import read_sources

DATA = Path(__file__).resolve().parents[1] / "data"


def _read(*paths: Path) -> list[TrialRecord]:
    results = list(read_sources(str(p) for p in paths))
    errors = [r for r in results if isinstance(r, RecordError)]
    assert not errors, [str(e) for e in errors]
    return [r for r in results if isinstance(r, TrialRecord)]


def test_counts_per_format() -> None:
    records = _read(DATA / "seeds", DATA / "ctgov-json", DATA / "ctgov-csv")
    assert Counter(r.format for r in records) == {
        "plaintext": 5,
        "ctgov-json": 100,
        "ctgov-csv": 87,
    }
    csv_files = Counter(Path(r.source).name for r in records if r.format == "ctgov-csv")
    assert csv_files == {"oncology-a.csv": 43, "oncology-b.csv": 44}


def test_csv_fields() -> None:
    records = _read(DATA / "ctgov-csv" / "oncology-a.csv")
    first = records[0]
    assert first.location == "row=1"
    assert first.nct_id == "NCT05249127"
    assert first.acronym == "COBRA"
    assert first.phases == ("PHASE1", "PHASE2")
    assert first.enrollment == 52
    assert first.start_date == "2022-04-11"
    assert first.interventions[0].type == "DRUG"
    assert first.outcomes[0].time_frame == "up to 7 days post injection"
    assert records[-1].location == "row=43"
    assert all(r.title and r.nct_id for r in records)


def test_csv_us_dates_become_iso() -> None:
    records = _read(DATA / "ctgov-csv" / "oncology-b.csv")
    first = records[0]
    assert (first.start_date, first.primary_completion_date) == ("2019-01-01", "2021-09-15")
    for r in records:
        for value in (r.start_date, r.primary_completion_date, r.completion_date):
            assert value == "" or value[:4].isdigit(), value


def test_json_fields() -> None:
    records = _read(DATA / "ctgov-json")
    by_id = {r.nct_id: r for r in records}
    first = by_id["NCT06576635"]
    assert first.location == "index=0"
    assert first.acronym == "LUNG-05"
    assert first.other_ids == ("2024-0301",)
    assert first.start_date == "2024-12-16"
    assert first.enrollment == 29
    assert [i.name for i in first.interventions][:2] == ["Docetaxel", "Paclitaxel"]
    assert first.outcomes[0].time_frame == (
        "Every 6-8 weeks through study completion, an average of 2 years"
    )
    assert records[-1].location == "index=99"
    assert sum(bool(r.mesh_interventions) for r in records) > 0
    assert sum(bool(r.mesh_conditions) for r in records) > 0
    assert all(r.title for r in records)
