"""Normalization and the outcome splitter: examples and properties."""

from __future__ import annotations

import contextlib
import io
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from trialgraph.sources import ctgov_csv, ctgov_json, detect_format, plaintext
from trialgraph.sources.base import resolve
from trialgraph.sources.ctgov_outcomes import read_outcome_cell, split_fields
from trialgraph.text import clean, parse_intervention

# Text that looks like registry cells: the splitter's separators and brackets are common.
cells = st.lists(
    st.one_of(
        st.sampled_from([*",|()[] \n\\.abcXYZ019:、（），", "Day 1", "an average of", ", "]),
        st.characters(),
    ),
    max_size=80,
).map("".join)
_SPACE = re.compile(r"\s+")


def _kept(whole: str, parts: list[str]) -> bool:
    """Whether ``parts``, in order, are ``whole`` without whitespace and some separators.

    That is what splitting keeps: every non-space character of the cleaned cell, in order,
    except the ``,`` and ``|`` characters it split at.
    """
    rest = iter(_SPACE.sub("", whole))
    for ch in _SPACE.sub("", "".join(parts)):
        for skipped in rest:
            if skipped == ch:
                break
            if skipped not in ",|":
                return False
        else:
            return False
    return all(ch in ",|" for ch in rest)


@given(cells)
@settings(max_examples=300)
def test_split_fields_keeps_content(text: str) -> None:
    measure, description, time_frame = split_fields(clean(text))
    assert _kept(clean(text), [measure, description, time_frame])


@given(cells)
@example("\\\x08|\x80")  # a control character between an escape and a pipe
@settings(max_examples=300)
def test_read_outcome_cell_keeps_content(cell: str) -> None:
    outcomes = read_outcome_cell(cell, "secondary")
    parts = [p for o in outcomes for p in (o.measure, o.description, o.time_frame)]
    assert _kept(clean(cell), parts)
    assert all(o.role == "secondary" for o in outcomes)


@given(st.text(max_size=300))
def test_clean_never_raises_and_is_stable_without_backslashes(text: str) -> None:
    cleaned = clean(text)
    assert cleaned == cleaned.strip()
    if "\\" not in text:
        assert clean(cleaned) == cleaned


@given(st.binary(max_size=400))
@settings(max_examples=200)
def test_readers_never_raise(data: bytes) -> None:
    readers = (
        plaintext.read,
        ctgov_csv.read,
        ctgov_json.read,
        ctgov_json.read_lines,
        ctgov_json.read_document,
    )
    for read in readers:
        list(resolve(read(io.BytesIO(data), "fuzz"), None))  # split, then parsed
    with contextlib.suppress(ValueError):
        detect_format(data)


@given(cells)
def test_parse_intervention_never_raises(text: str) -> None:
    intervention = parse_intervention(text)
    assert intervention.type in {"OTHER"} or intervention.raw_type == ""


def test_an_escaped_pipe_does_not_split() -> None:
    # an unescaped pipe ends an outcome even inside brackets: no JSON field holds one
    cell = r"AE (grade 3, Counted, 1 year|ORR \| DCR, Rates, 2 years"
    assert [(o.measure, o.time_frame) for o in read_outcome_cell(cell, "primary")] == [
        ("AE (grade 3", "1 year"),
        ("ORR | DCR", "2 years"),
    ]


def test_markdown_escapes_and_newlines_in_descriptions() -> None:
    cell = (
        "PFS, Time to PD\\* or death,\nby RECIST \\> 1.1., "
        "Through study completion, an average of 2 years"
    )
    [o] = read_outcome_cell(cell, "primary")
    assert o.measure == "PFS"
    assert o.description == "Time to PD* or death,\nby RECIST > 1.1."
    assert o.time_frame == "Through study completion, an average of 2 years"


def test_time_frame_lists_and_continuations() -> None:
    assert split_fields("QoL, EORTC QLQ-C30 score., Baseline, Week 12, Week 24")[2] == (
        "Baseline, Week 12, Week 24"
    )
    assert split_fields(
        "PFS, Progression., From randomization to progression or death, whichever came first, "
        "assessed up to 100 months"
    )[2] == (
        "From randomization to progression or death, whichever came first, assessed up to "
        "100 months"
    )
    assert split_fields("AE, Graded by CTCAE version 5.0, up to 7 days post injection") == (
        "AE",
        "Graded by CTCAE version 5.0",
        "up to 7 days post injection",
    )
    assert split_fields("Cmax, Peak, 2 years") == ("Cmax", "Peak", "2 years")
    assert split_fields("OS, 2 years") == ("OS", "", "2 years")


def test_unknown_intervention_type_is_kept() -> None:
    intervention = parse_intervention("CELL_THERAPY: TIL")
    assert (intervention.type, intervention.raw_type, intervention.name) == (
        "OTHER",
        "CELL_THERAPY",
        "TIL",
    )
    assert parse_intervention("Combination Product: X").type == "COMBINATION_PRODUCT"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "identificationModule",
                    "briefTitle",
                    "nctId",
                    "outcomesModule",
                    "primaryOutcomes",
                    "measure",
                    "designModule",
                    "enrollmentInfo",
                    "count",
                    "phases",
                    "armsInterventionsModule",
                    "interventions",
                    "type",
                    "name",
                    "otherNames",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@given(json_values)
def test_study_record_never_raises_on_odd_shapes(protocol: object) -> None:
    ctgov_json.study_record({"protocolSection": protocol}, "fuzz", "index=0")
