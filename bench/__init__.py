"""Benchmarks: scripts run by hand (python -m bench.NAME), not tests."""
