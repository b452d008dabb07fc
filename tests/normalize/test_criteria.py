"""Criteria versions in the spellings registries use (see ``_VERSION_AFTER``)."""

from __future__ import annotations

import pytest

from trialgraph.normalize.endpoints import find_criteria

CTCAE_5 = [("CTCAE-5.0", "CTCAE v5.0", "5.0")]
RECIST_11 = [("RECIST-1.1", "RECIST 1.1", "1.1")]

VERSION_SPELLINGS: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("CTCAE Version (v) 5.0", CTCAE_5),
    ("Common Terminology Criteria for Adverse Events (NCI CTCAE) Version (v) 5.0", CTCAE_5),
    ("Common Terminology Criteria for Adverse Events (CTCAE) version (v) 5. Will be", CTCAE_5),
    ("Response Evaluation Criteria In Solid Tumors (RECIST) version(v) 1.1 by", RECIST_11),
    ("RECIST version1.1", RECIST_11),
    ("RECIST v.1.1", RECIST_11),
    ("RECIST (version 1.1)", RECIST_11),
    ("RECIST guidelines (version 1.1)", RECIST_11),
    ("CTCAE v.5", CTCAE_5),
    ("CTCAE v 5.0", CTCAE_5),
    ("NCI-CTCAE 4.03", [("CTCAE-4.03", "CTCAE v4.03", "4.03")]),
    ("NCI CTCAE toxicity grading v4.03, Grade 3", [("CTCAE-4.03", "CTCAE v4.03", "4.03")]),
    ("(CTCAE) toxicity grading Version 5", CTCAE_5),
    ("Myeloma Working Group (IMWG) 2016 criteria", [("IMWG-2016", "IMWG 2016", "2016")]),
    ("iwCLL 2018 guidelines", [("iwCLL-2018", "iwCLL 2018", "2018")]),
]

# A grade, a cohort or a time frame after a name is no version.
NOT_VERSIONS: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("CTCAE grading 3 or higher", [("CTCAE", "CTCAE", "")]),
    ("CTCAE (v) grade 3", [("CTCAE", "CTCAE", "")]),
    ("RECIST - Cohort 2", [("RECIST", "RECIST", "")]),
    ("per RECIST)., Up to 2.5 years", [("RECIST", "RECIST", "")]),
    ("CTCAE version 7.0", [("CTCAE", "CTCAE", "")]),  # no such release
]


@pytest.mark.parametrize(("text", "expected"), VERSION_SPELLINGS + NOT_VERSIONS)
def test_version_spellings(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [(c.key, c.label, c.version) for c in find_criteria(text)] == expected
