"""Benchmarks on the national-scale data set; run with ``make bench`` (never part of the tests)."""
