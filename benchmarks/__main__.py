"""``python -m benchmarks``."""

from benchmarks.cli import run

run()
