"""Benchmarks for the national register on PostgreSQL: `python -m bench` (or `make bench`).

They print figures against the targets; they never fail on a missed target, only on an error."""
