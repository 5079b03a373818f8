"""Benchmarks (`python -m bench`): each figure measured against a baseline in the same run.

Not tests: `make test` never runs them. Figures go to docs/benchmarks.md.
"""
