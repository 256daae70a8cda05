"""Benchmarks: each module runs with `.venv/bin/python -m benchmarks.<module>` and prints its figures."""
