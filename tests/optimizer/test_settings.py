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


def test_missing_bench_data_is_one_line_naming_the_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from optimizer.settings import MissingBenchDataError, require_bench_data

    monkeypatch.setenv("OPTIMIZER_BENCH_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(MissingBenchDataError) as err:
        require_bench_data("solomon")
    assert str(tmp_path / "nowhere") in str(err.value)
    assert "OPTIMIZER_BENCH_DATA" in str(err.value) and "\n" not in str(err.value)
    monkeypatch.setenv("OPTIMIZER_BENCH_DATA", str(tmp_path))
    with pytest.raises(MissingBenchDataError, match="solomon"):
        require_bench_data("solomon")
    (tmp_path / "solomon").mkdir()
    assert require_bench_data("solomon") == tmp_path / "solomon"


@pytest.mark.parametrize("argv", [
    ["routing", "--suite", "smoke", "--time-limit", "1"],
    ["routing", "--suite", "solomon", "--time-limit", "1"],
    ["routing", "--suite", "full", "--time-limit", "1"],
])
def test_benchmark_commands_without_data_exit_7_with_one_line(
        argv: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.cli import main
    from optimizer.errors import ExitCode

    monkeypatch.setenv("OPTIMIZER_BENCH_DATA", str(tmp_path / "nowhere"))
    assert main([*argv, "--out", str(tmp_path / "results")]) == ExitCode.MISSING_DATA == 7
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(tmp_path / "nowhere") in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "results").exists()


def test_a_suite_file_missing_inside_the_data_folder_exits_7(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.cli import main

    (tmp_path / "cvrplib-x").mkdir()
    monkeypatch.setenv("OPTIMIZER_BENCH_DATA", str(tmp_path))
    assert main(["routing", "--suite", "smoke", "--out", str(tmp_path / "r")]) == 7
    assert "reference_values.csv" in capsys.readouterr().err


def test_benchmark_results_record_versions_commit_and_cpu(tmp_path: Path) -> None:
    """A real (tiny) frontier benchmark: its .csv and .md name the commit, the CPU and the
    solver library versions."""
    import pandas as pd

    from benchmarks.cli import main
    from benchmarks.metadata import cpu_model, git_commit, library_versions

    assert main(["frontier", "--suppliers", "4", "--products", "3", "--points", "2",
                 "--workers", "1", "--out", str(tmp_path)]) == 0
    [csv_path] = tmp_path.glob("*.csv")
    [md_path] = tmp_path.glob("*.md")
    frame = pd.read_csv(csv_path)
    versions = library_versions()
    for column in ("commit", "cpu", "python", "libraries"):
        assert frame[column].notna().all()
    assert (frame["commit"] == git_commit()).all()
    assert cpu_model() in frame["cpu"].iloc[0]
    text = md_path.read_text()
    for name in ("highspy", "pulp", "ortools", "pyvrp"):
        assert f"{name} {versions[name]}" in frame["libraries"].iloc[0]
        assert f"{name} {versions[name]}" in text
    assert git_commit() in text and cpu_model() in text
