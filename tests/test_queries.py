"""The query catalogue through ``trialgraph query``, on the five seed trials stored on disk.

Every ``queries/*.rq`` runs with the parameters of its case below and must give exactly the
rows of ``tests/cases/queries/CASE.tsv``. In those files a trial is written as its seed
(``seed-000``) rather than its hashed id, and multi-valued cells are sorted, so a reviewer
can check them against ``tests/data/seeds-expected.md``. Regenerate them after a deliberate
change with ``TRIALGRAPH_REGENERATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import DATA, FIXED_TIME, assert_golden_rows, read_records, stored, unordered
from trialgraph.cli import main
from trialgraph.pipeline import map_batch
from trialgraph.queries import QueryError, catalogue, load_query
from trialgraph.records import TrialRecord
from trialgraph.store import RemoteStore

GOLDEN = Path(__file__).parent / "cases" / "queries"

#: case name -> (query, parameters); every catalogue query has at least one case.
CASES: dict[str, tuple[str, dict[str, str]]] = {
    "trials": ("trials", {}),
    "trial-targets": ("trial-targets", {}),
    "trial-conditions": ("trial-conditions", {}),
    "trial-products": ("trial-products", {}),
    "trial-endpoints": ("trial-endpoints", {}),
    "trials-per-target": ("trials-per-target", {}),
    "trials-per-endpoint": ("trials-per-endpoint", {}),
    "trials-per-condition": ("trials-per-condition", {}),
    "trials-by-target-synonym": ("trials-by-target", {"target": "pd-1"}),
    "trials-by-target-parent-gene": ("trials-by-target", {"target": "CLDN18"}),
    "trials-by-target-curie": ("trials-by-target", {"target": "HGNC:7371"}),
    "trials-by-condition": ("trials-by-condition", {"condition": "Pancreatic Cancer"}),
    "trials-by-condition-as-written": ("trials-by-condition", {"condition": "Nasopharynx Cancer"}),
    "trials-by-condition-as-written-any-case": (
        "trials-by-condition",
        {"condition": "NASOPHARYNX cancer"},
    ),
    "targets-per-condition": ("targets-per-condition", {}),
    "targets-per-condition-one": ("targets-per-condition", {"condition": "NCIT:C9292"}),
    "products-in-several-trials": ("products-in-several-trials", {}),
    "products-in-one-or-more-trials": ("products-in-several-trials", {"min_trials": "1"}),
    "endpoints-by-role": ("endpoints-by-role", {}),
    "endpoint-follow-up": ("endpoint-follow-up", {}),
    "endpoint-follow-up-orr": ("endpoint-follow-up", {"code": "orr"}),
    "trials-by-criteria": ("trials-by-criteria", {}),
    "trials-by-criteria-any-ctcae": ("trials-by-criteria", {"criteria": "CTCAE"}),
    "trials-by-criteria-ctcae-5": ("trials-by-criteria", {"criteria": "ctcae 5.0"}),
    "analytes-across-trials": ("analytes-across-trials", {}),
    "combination-regimens": ("combination-regimens", {}),
    "trials-by-product": ("trials-by-product", {"product": "u87 car-t"}),
    "trials-by-product-as-written": (
        "trials-by-product",
        {"product": "Adoptive TIL-TCM transfer therapy"},
    ),
    "trials-by-product-as-written-any-case": (
        "trials-by-product",
        {"product": "adoptive til-tcm TRANSFER therapy"},
    ),
    "trial-profile": ("trial-profile", {"trial_id": "SEED-003"}),
    "modality-by-target": ("modality-by-target", {}),
    "similar-trials": ("similar-trials", {"trial_id": "SEED-000"}),
    "primary-endpoint-landscape": ("primary-endpoint-landscape", {"condition": "solid tumor"}),
    "trials-by-instrument": ("trials-by-instrument", {}),
    "trials-by-instrument-code-any-case": ("trials-by-instrument", {"instrument": "cmax"}),
}


@pytest.fixture(scope="module")
def seed_ids(seed_records: dict[str, TrialRecord]) -> dict[str, str]:
    """Trial id -> ``seed-NNN``."""
    return {r.trial_id: f"seed-{n}" for n, r in seed_records.items()}


@pytest.fixture(scope="module")
def store_dir(
    tmp_path_factory: pytest.TempPathFactory, seed_records: dict[str, TrialRecord]
) -> str:
    """An on-disk store holding the seed trials, loaded the way an ingest loads them."""
    return stored(tmp_path_factory.mktemp("queries") / "store", seed_records.values())


def run(store_dir: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["query", *args, "--store", store_dir])


def json_rows(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def normalized(row: dict[str, str], seed_ids: dict[str, str]) -> tuple[str, ...]:
    """A row with trial ids as seeds and multi-valued cells sorted."""
    cells = []
    for value in row.values():
        value = re.sub(r"TG[0-9a-f]{16}", lambda m: seed_ids.get(m[0], m[0]), value)
        cells.append(unordered(value))
    return tuple(cells)


def test_every_catalogue_query_has_a_case() -> None:
    from tests.test_facet_queries import FACET_CASES  # the landscape queries' cases

    cases = {query for query, _ in CASES.values()} | {q for q, _ in FACET_CASES.values()}
    assert set(catalogue()) == cases
    assert len(catalogue()) >= 5 + 12  # the contract's five and at least twelve analytic


@pytest.mark.parametrize("case", sorted(CASES))
def test_catalogue_query_gives_the_expected_rows(
    case: str, store_dir: str, seed_ids: dict[str, str]
) -> None:
    name, params = CASES[case]
    by_seed = {v: k for k, v in seed_ids.items()}
    args = [f"{k}={by_seed.get(v.lower(), v)}" for k, v in params.items()]
    result = run(store_dir, name, "--format", "json", *(a for p in args for a in ("--param", p)))
    rows = json_rows(result)
    if rows:
        assert tuple(rows[0]) == load_query(name).columns  # the header's columns, in order
    got = [normalized(r, seed_ids) for r in rows]
    assert_golden_rows(GOLDEN / f"{case}.tsv", load_query(name).columns, got)


def column(store_dir: str, name: str, col: str, *params: str) -> dict[str, str]:
    """``trial_ids``-style answers: first column -> the named column, one query run."""
    args = [a for p in params for a in ("--param", p)]
    return {
        next(iter(r.values())): r[col]
        for r in json_rows(run(store_dir, name, "--format", "json", *args))
    }


def test_the_seed_facts_across_trials(store_dir: str, seed_ids: dict[str, str]) -> None:
    """The 'across the five' facts of seeds-expected.md, asked of the analytic queries."""

    def seeds(cell: str) -> set[str]:
        return {seed_ids[t] for t in cell.split("; ")}

    products = column(store_dir, "products-in-several-trials", "trial_ids")
    assert {p: seeds(ids) for p, ids in products.items()} == {"U87 CAR-T": {"seed-000", "seed-001"}}
    diseases = column(store_dir, "trials-per-condition", "trial_ids")
    assert seeds(diseases["pancreatic cancer"]) == {"seed-000", "seed-004"}
    endpoints = column(store_dir, "trials-per-endpoint", "trial_ids")
    assert seeds(endpoints["ORR"]) == seeds(endpoints["PFS"]) == set(seed_ids.values())
    assert seeds(endpoints["DCR"]) == {"seed-000", "seed-001", "seed-003"}
    analytes = column(store_dir, "analytes-across-trials", "trial_ids")
    assert (
        seeds(analytes["IL-6"]) == seeds(analytes["IFN-γ"]) == {"seed-000", "seed-001", "seed-002"}
    )
    recist = column(store_dir, "trials-by-criteria", "title", "criteria=RECIST 1.1")
    assert {seed_ids[t] for t in recist} == {"seed-000", "seed-001", "seed-002", "seed-004"}


# Values that would change the query if they were pasted into its text.
INJECTIONS = [
    'pancreatic cancer" } UNION { ?t a ?any } #',
    "pancreatic cancer' } UNION { ?t a ?any } #",
    'x")) || true || ("',
    "} UNION { ?t ?p ?o }",
    '"""',
    "pancreatic cancer\\",
    "<urn:x> } DELETE WHERE { ?s ?p ?o",
    "?condition",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_param_finds_nothing_and_changes_nothing(
    value: str, store_dir: str
) -> None:
    before = json_rows(run(store_dir, "trials", "--format", "json"))
    result = run(
        store_dir, "trials-by-condition", "--param", f"condition={value}", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["trial,disease,disease_id,as_written,title"]
    assert json_rows(run(store_dir, "trials", "--format", "json")) == before


@pytest.mark.parametrize("value", ["2 } UNION { ?t ?p ?o }", "two", "2.5", ""])
def test_a_typed_param_refuses_a_value_of_another_type(value: str, store_dir: str) -> None:
    result = run(store_dir, "products-in-several-trials", "--param", f"min_trials={value}")
    assert result.exit_code == 2
    assert "min_trials takes a whole number" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-query"], "no query named 'no-such-query'"),
        (
            ["trials-by"],
            "Did you mean trials-by-condition, trials-by-criteria, trials-by-instrument, "
            "trials-by-product, trials-by-sponsor, trials-by-target?",
        ),
        (["trials-by-target"], "needs --param target=VALUE"),
        (["trials-by-target", "--param", "gene=MSLN"], "has no parameter 'gene'"),
        (["trials-by-target", "--param", "target"], "--param takes NAME=VALUE"),
        ([], "name a query"),
    ],
)
def test_mistakes_get_one_clear_line(args: list[str], message: str, store_dir: str) -> None:
    result = run(store_dir, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_list_and_help_show_every_query_with_its_parameters(store_dir: str) -> None:
    for args in (["--list"], ["--help"]):
        result = CliRunner().invoke(main, ["query", *args])
        assert result.exit_code == 0, result.output
        for named in catalogue().values():
            assert f"{named.name}  {named.summary}" in result.output
            for param in named.params:
                assert f"--param {param.name}=<{param.type}>  {param.description}" in result.output


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_output_formats_carry_the_same_rows(fmt: str, store_dir: str) -> None:
    result = run(store_dir, "trials-per-condition", "--format", fmt)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    if fmt == "json":
        assert [json.loads(line)["disease"] for line in lines][:2] == [
            "solid tumor",
            "pancreatic cancer",
        ]
    elif fmt == "table":
        assert lines[0].split() == ["disease", "disease_id", "trials", "trial_ids"]
        assert lines[-1] == "(4 rows)"
    else:
        delimiter = "," if fmt == "csv" else "\t"
        parsed = list(csv.reader(lines, delimiter=delimiter))
        assert parsed[0] == ["disease", "disease_id", "trials", "trial_ids"]
        assert [r[:3] for r in parsed[1:3]] == [
            ["solid tumor", "NCIT:C9292", "3"],
            ["pancreatic cancer", "MONDO:0009831", "2"],
        ]


def test_a_query_file_outside_the_catalogue_runs(store_dir: str, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text(
        "#+ summary: count\n#+ columns: n\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?t a <https://w3id.org/trialgraph/ontology#Trial> }\n",
        encoding="utf-8",
    )
    assert json_rows(run(store_dir, str(path), "--format", "json")) == [{"n": "5"}]


def test_a_malformed_header_is_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("#+ param: x (list) a list\nSELECT * WHERE { }\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"bad\.rq: malformed parameter header"):
        load_query(str(path))


def test_the_query_path_imports_no_orchestration(store_dir: str) -> None:
    """'trialgraph query' starts fast: Prefect and the mapping libraries stay unimported."""
    code = (
        "import sys\n"
        "from trialgraph.cli import main\n"
        f"main(['query', 'trials', '--store', {store_dir!r}, '--format', 'csv'],"
        " standalone_mode=False)\n"
        "heavy = {'prefect', 'rdflib', 'networkx', 'ftfy', 'ijson', 'sqlalchemy', 'fastapi'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.count("\n") == 6  # the header and the five seed trials
    assert done.stderr.strip() == "[]"


@pytest.fixture(scope="module")
def areas_store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An on-disk store holding the cardiovascular and eye records of the corpus."""
    records = read_records([DATA / "areas" / "ctgov-csv" / "cardiovascular-eye.csv"])
    return stored(tmp_path_factory.mktemp("areas") / "store", records)


def by_instrument(store_dir: str, asked: str) -> list[dict[str, str]]:
    """The rows of ``trials-by-instrument`` for one asked instrument or domain."""
    args = ["trials-by-instrument", "--format", "json", "--param", f"instrument={asked}"]
    return json_rows(run(store_dir, *args))


def test_trials_by_instrument_answers_codes_labels_and_domains(areas_store_dir: str) -> None:
    """The catalogue query finds an area's endpoints by code, label or domain, any case."""
    by_code = by_instrument(areas_store_dir, "iop")
    assert by_code and {r["endpoint"] for r in by_code} == {"IOP"}
    assert all(r["domain"] == "eye" and r["role"] for r in by_code)
    assert any(r["duration"].startswith("P") for r in by_code)
    assert by_instrument(areas_store_dir, "Intraocular PRESSURE") == by_code
    by_domain = by_instrument(areas_store_dir, "EYE")
    assert {r["endpoint"] for r in by_domain} > {"IOP"}
    assert {r["trial"] for r in by_code} <= {r["trial"] for r in by_domain}
    assert by_instrument(areas_store_dir, "no such scale") == []
    mlhfq = by_instrument(areas_store_dir, "minnesota living with heart failure questionnaire")
    assert mlhfq and {r["endpoint"] for r in mlhfq} == {"MLHFQ"}


def test_new_endpoint_columns_answer_the_new_concepts(areas_store_dir: str) -> None:
    """trial-endpoints gives an area's concepts with measure type, direction and domain."""
    rows = json_rows(run(areas_store_dir, "trial-endpoints", "--format", "json"))
    iop = [r for r in rows if r["endpoint"] == "IOP"]
    assert iop and all(r["domain"] == "eye" for r in iop)
    assert {r["measure_type"] for r in rows} >= {"change", "proportion", "value"}
    assert {r["direction"] for r in rows} >= {"higher-better", "lower-better", ""}
    per_endpoint = column(areas_store_dir, "trials-per-endpoint", "domain")
    assert per_endpoint["IOP"] == "eye" and per_endpoint["OTHER"] == ""


NASTY_VALUES = r"""#+ summary: values that need quoting in CSV
#+ columns: a, b, c
SELECT ?a ?b ?c WHERE {
  VALUES (?a ?b ?c) { ("x, y" "he said \"hi\"" "line one\nline two") ("plain" 12 UNDEF) }
}
"""


def test_csv_is_the_sparql_csv_results_format_with_every_row(
    store_dir: str, tmp_path: Path
) -> None:
    """CSV is written by Oxigraph (RFC 4180, CRLF line ends): the rows JSON gives, quoted
    where a value holds a comma, a quote or a line break."""
    for name in ("trials", "trial-endpoints", "trials-per-endpoint"):
        result = run(store_dir, name, "--format", "csv")
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes.endswith(b"\r\n")
        rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        expected = json_rows(run(store_dir, name, "--format", "json"))
        assert len(rows) == len(expected) > 0
        assert sorted(map(sorted, (r.items() for r in rows))) == sorted(
            map(sorted, (r.items() for r in expected))
        )
    path = tmp_path / "nasty.rq"
    path.write_text(NASTY_VALUES, encoding="utf-8")
    result = run(store_dir, str(path), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (
        b'a,b,c\r\n"x, y","he said ""hi""","line one\nline two"\r\nplain,12,\r\n'
    )
    assert list(csv.reader(io.StringIO(result.stdout, newline=""))) == [
        ["a", "b", "c"],
        ["x, y", 'he said "hi"', "line one\nline two"],
        ["plain", "12", ""],
    ]


def csv_rows(text: str) -> list[tuple[str, ...]]:
    """A CSV answer's rows, sorted, multi-valued cells as sets of values."""
    header, *body = csv.reader(io.StringIO(text, newline=""))
    return [tuple(header), *sorted(tuple(unordered(c) for c in row) for row in body)]


def test_csv_from_a_served_store_is_the_embedded_stores(
    store_dir: str, oxigraph_server: str, seed_records: dict[str, TrialRecord]
) -> None:
    remote = RemoteStore(oxigraph_server)
    remote._update("DROP ALL")
    remote.replace_trials(map_batch(list(seed_records.values()), FIXED_TIME).mapped)
    for name in ("trials", "trial-endpoints"):
        embedded = run(store_dir, name, "--format", "csv")
        served = CliRunner().invoke(
            main, ["query", name, "--endpoint", oxigraph_server, "--format", "csv"]
        )
        assert served.exit_code == 0, served.output
        assert csv_rows(served.stdout) == csv_rows(embedded.stdout)


def test_csv_of_a_query_that_is_not_a_select_is_a_clear_error(
    store_dir: str, tmp_path: Path
) -> None:
    path = tmp_path / "ask.rq"
    path.write_text("#+ summary: ask\nASK { ?s ?p ?o }\n", encoding="utf-8")
    result = run(store_dir, str(path), "--format", "csv")
    assert result.exit_code == 2
    assert "only SELECT is tabulated" in result.output
