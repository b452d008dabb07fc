"""Shared paths for the reader tests."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS / "data"
CASES = TESTS / "cases" / "seeds"
