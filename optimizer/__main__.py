"""``python -m optimizer``."""

from optimizer.cli import run

run()
