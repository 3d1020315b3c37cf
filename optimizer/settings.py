"""Settings read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (where pyproject.toml lives) when running from a checkout.
REPO_ROOT = Path(__file__).resolve().parent.parent

#: How to point the benchmarks at the data (shown in the missing-data message).
BENCH_DATA_HINT = ("set OPTIMIZER_BENCH_DATA to the bench-data folder, or place it at "
                   "../shared/bench-data beside the repository")


class MissingBenchDataError(Exception):
    """The benchmark data folder, or a file a suite needs inside it, does not exist
    (the benchmark commands exit with ``ExitCode.MISSING_DATA``, 7)."""


def bench_data_dir() -> Path:
    """Public benchmark data: ``$OPTIMIZER_BENCH_DATA``, else ``../shared/bench-data`` beside the
    repository."""
    configured = os.environ.get("OPTIMIZER_BENCH_DATA")
    if configured:
        return Path(configured).expanduser()
    return (REPO_ROOT.parent / "shared" / "bench-data").resolve()


def require_bench_data(*parts: str) -> Path:
    """``bench_data_dir() / parts``, which must exist; else :class:`MissingBenchDataError` with a
    one-line message naming the path and how to set it."""
    root = bench_data_dir()
    if not root.is_dir():
        raise MissingBenchDataError(f"benchmark data folder {root} not found; {BENCH_DATA_HINT}")
    path = root.joinpath(*parts)
    if not path.exists():
        raise MissingBenchDataError(f"{path} not found in the benchmark data folder {root}; "
                                    f"{BENCH_DATA_HINT}")
    return path


def cluster_address() -> str | None:
    """The Dask scheduler to run many solves on: ``$OPTIMIZER_CLUSTER`` (``tcp://host:8786``),
    or None when unset or blank (local worker processes)."""
    value = os.environ.get("OPTIMIZER_CLUSTER", "").strip()
    return value or None
