"""Settings read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (where pyproject.toml lives) when running from a checkout.
REPO_ROOT = Path(__file__).resolve().parent.parent


def bench_data_dir() -> Path:
    """Public benchmark data: ``$OPTIMIZER_BENCH_DATA``, else ``../shared/bench-data`` beside the
    repository."""
    configured = os.environ.get("OPTIMIZER_BENCH_DATA")
    if configured:
        return Path(configured).expanduser()
    return (REPO_ROOT.parent / "shared" / "bench-data").resolve()
