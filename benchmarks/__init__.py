"""Benchmark harness: ``python -m benchmarks sourcing --suite smoke|full``.

Speed is measured here, never asserted in tests. Every plan still goes through the independent
checker; a run with a rejected plan exits non-zero.
"""
