"""The benchmark-data path setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.settings import REPO_ROOT, bench_data_dir


def test_default_is_shared_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPTIMIZER_BENCH_DATA", raising=False)
    assert bench_data_dir() == (REPO_ROOT.parent / "shared" / "bench-data").resolve()


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPTIMIZER_BENCH_DATA", str(tmp_path))
    assert bench_data_dir() == tmp_path
