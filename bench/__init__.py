"""Benchmarks: speed and memory figures, measured and printed, never asserted in tests."""
