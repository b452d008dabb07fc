"""Benchmark tooling: synthetic corpora (:mod:`bench.generate`) for timing ingestion."""
