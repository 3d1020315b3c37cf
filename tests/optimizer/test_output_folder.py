"""--out folders: checked before solving, never an input, replaced as a whole, normal
permissions, nothing half-written on a fault (disk full, kill -9, Ctrl-C while writing)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.errors import ExitCode, InputError, OutputError
from optimizer.output_folder import check_output_folder, staged_folder

ROOT = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def siblings(folder: Path) -> list[str]:
    """Hidden leftovers (``.partial`` / ``.old``) beside ``folder``."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith("."))


@pytest.fixture
def starter(sourcing_instances: Path) -> Path:
    return sourcing_instances / "starter.json"


def test_files_of_an_earlier_run_do_not_stay(tmp_path: Path, starter: Path) -> None:
    out = tmp_path / "plan"
    assert main(["sourcing", "solve", str(starter), "--out", str(out), "--marginals"]) == 0
    assert (out / "marginal_values.csv").exists()
    assert main(["sourcing", "solve", str(starter), "--out", str(out)]) == 0
    assert not (out / "marginal_values.csv").exists()
    assert not (out / "marginal_values.json").exists()
    assert siblings(out) == []


def test_frontier_points_of_a_longer_run_do_not_stay(tmp_path: Path, starter: Path) -> None:
    out = tmp_path / "frontier"
    args = ["sourcing", "frontier", str(starter), "--out", str(out), "--workers", "1"]
    assert main([*args, "--points", "4"]) == 0
    assert (out / "points" / "03" / "plan.json").exists()
    assert main([*args, "--points", "2"]) == 0
    assert sorted(p.name for p in (out / "points").iterdir()) == ["00", "01"]


def test_files_get_the_users_normal_permissions(tmp_path: Path, starter: Path) -> None:
    old = os.umask(0o022)
    try:
        assert main(["sourcing", "solve", str(starter), "--out", str(tmp_path / "p")]) == 0
        assert main(["sourcing", "convert", str(starter), str(tmp_path / "i.json")]) == 0
    finally:
        os.umask(old)
    for path in [*(tmp_path / "p").iterdir(), tmp_path / "i.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    assert stat.S_IMODE((tmp_path / "p").stat().st_mode) == 0o755


def test_solve_into_the_instance_folder_is_refused(tmp_path: Path, starter: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "inst"
    assert main(["sourcing", "convert", str(starter), str(folder)]) == 0
    before = snapshot(folder)
    assert main(["sourcing", "solve", str(folder), "--out", str(folder)]) == ExitCode.INVALID_INPUT
    assert "is or holds the input" in capsys.readouterr().err
    assert snapshot(folder) == before
    # a folder holding the instance is refused too
    assert main(["sourcing", "solve", str(folder), "--out", str(tmp_path)]) == 2
    assert snapshot(folder) == before


def test_routing_solve_into_the_instance_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "day"
    assert main(["routing", "generate", "--out", str(folder), "--stops", "4"]) == 0
    before = snapshot(folder)
    assert main(["routing", "solve", str(folder), "--out", str(folder),
                 "--time-limit", "0.5"]) == ExitCode.INVALID_INPUT
    assert snapshot(folder) == before


def test_convert_onto_its_own_input_is_refused(tmp_path: Path, starter: Path) -> None:
    copy = tmp_path / "s.json"
    shutil.copy(starter, copy)
    assert main(["sourcing", "convert", str(copy), str(copy)]) == 2
    assert copy.read_bytes() == starter.read_bytes()


def test_a_folder_of_other_files_is_not_replaced(tmp_path: Path, starter: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["sourcing", "solve", str(starter), "--out", str(out)]) == 2
    assert "holds other files (notes.txt)" in capsys.readouterr().err
    assert snapshot(out) == {"notes.txt": b"keep me"}


@pytest.mark.parametrize("make_out", [
    lambda tmp: tmp / "a-file" / "plan",              # a path through a file
    lambda tmp: tmp / ("x" * 300),                     # a name too long
    lambda tmp: tmp / "a-file",                        # an existing file
])
def test_an_unusable_out_is_refused_before_solving(tmp_path: Path, starter: Path, make_out,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("x")
    out = make_out(tmp_path)

    def no_solve(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("solved before checking --out")

    monkeypatch.setattr("optimizer.cli.sourcing.solve", no_solve)
    assert main(["sourcing", "solve", str(starter), "--out", str(out)]) == 2
    assert str(out)[:60] in capsys.readouterr().err.replace("\n", "")


def test_a_write_error_becomes_output_error_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "result"
    out.mkdir()
    (out / "plan.json").write_text("{}")
    with (pytest.raises(OutputError, match="result: could not be written"),
          staged_folder(out) as stage):
        (stage / "plan.json").write_text("new")
        raise OSError(28, "No space left on device", str(stage / "a.csv"))
    assert snapshot(out) == {"plan.json": b"{}"}
    assert siblings(out) == []


def test_check_output_folder_accepts_absent_empty_and_earlier_results(tmp_path: Path) -> None:
    check_output_folder(tmp_path / "new" / "deeper")
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "plan.json").write_text("{}")
    (tmp_path / "old" / "stale.csv").write_text("")
    check_output_folder(tmp_path / "old")
    with pytest.raises(InputError):
        check_output_folder(tmp_path / "old", markers=("frontier.json",))


def test_ctrl_c_while_writing_leaves_the_earlier_result(tmp_path: Path, starter: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "plan"
    assert main(["sourcing", "solve", str(starter), "--out", str(out), "--marginals"]) == 0
    before = snapshot(out)
    calls = {"n": 0}
    original = pd.DataFrame.to_csv

    def interrupted(self: pd.DataFrame, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    assert main(["sourcing", "solve", str(starter), "--out", str(out)]) == 130
    assert snapshot(out) == before
    assert siblings(out) == []


def _run(code: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limits() -> None:
        if limit_bytes is not None:  # a "full disk": writes beyond the limit fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, preexec_fn=limits, timeout=300, check=False)


def test_a_full_disk_exits_6_and_keeps_the_earlier_result(tmp_path: Path, starter: Path) -> None:
    out = tmp_path / "plan"
    assert main(["sourcing", "solve", str(starter), "--out", str(out)]) == 0
    before = snapshot(out)
    size = max(len(v) for v in before.values())  # plan.json cannot be written again
    result = _run(f"import sys; from optimizer.cli import main; "
                  f"sys.exit(main(['sourcing', 'solve', {str(starter)!r}, '--out', "
                  f"{str(out)!r}, '--marginals']))", limit_bytes=size // 2)
    assert result.returncode == ExitCode.OUTPUT_FAILED, result.stderr
    assert "could not be written" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(out) == before
    assert siblings(out) == []


def test_kill_9_while_writing_leaves_the_earlier_result(tmp_path: Path, starter: Path) -> None:
    out = tmp_path / "plan"
    assert main(["sourcing", "solve", str(starter), "--out", str(out), "--marginals"]) == 0
    before = snapshot(out)
    result = _run(
        "import os, signal, pandas as pd\n"
        "from optimizer.cli import main\n"
        "calls = [0]\n"
        "original = pd.DataFrame.to_csv\n"
        "def dying(self, *a, **k):\n"
        "    calls[0] += 1\n"
        "    if calls[0] == 3:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return original(self, *a, **k)\n"
        "pd.DataFrame.to_csv = dying\n"
        f"main(['sourcing', 'solve', {str(starter)!r}, '--out', {str(out)!r}])\n")
    assert result.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    assert json.loads((out / "plan.json").read_text())["instance"] == "starter"
    leftovers = siblings(out)  # kill -9 can leave only a hidden staging folder
    assert all(name.endswith(".partial") for name in leftovers)


def test_convert_over_an_earlier_instance_folder_drops_its_stale_tables(
        tmp_path: Path, starter: Path, sourcing_instances: Path) -> None:
    folder = tmp_path / "inst"
    assert main(["sourcing", "convert", str(starter), str(folder)]) == 0
    assert (folder / "product_policies.csv").exists()
    generated = sourcing_instances / "generated-20x50.json"
    assert main(["sourcing", "convert", str(generated), str(folder)]) == 0
    assert not (folder / "product_policies.csv").exists()  # it would change the instance
    assert main(["sourcing", "convert", str(folder), str(tmp_path / "back.json")]) == 0
    assert json.loads((tmp_path / "back.json").read_text())["name"] != "starter"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_parent_is_refused_before_solving(tmp_path: Path, starter: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        assert main(["sourcing", "solve", str(starter), "--out", str(parent / "p")]) == 2
    finally:
        parent.chmod(0o755)


@pytest.mark.parametrize("kind", ["sourcing", "routing"])
def test_an_output_file_of_an_earlier_run_is_replaced(tmp_path: Path, kind: str) -> None:
    """Writing a generated instance twice to the same file replaces it (the existing file is
    the output, not a folder in the way)."""
    out = tmp_path / "day.json"
    args = (["sourcing", "generate", "--suppliers", "3", "--products", "2"] if kind == "sourcing"
            else ["routing", "generate", "--stops", "5"])
    assert main([*args, "--seed", "1", "--out", str(out)]) == ExitCode.OK
    first = out.read_text()
    assert main([*args, "--seed", "1", "--out", str(out)]) == ExitCode.OK
    assert out.read_text() == first


@pytest.mark.parametrize("command", [["sourcing", "generate", "--suppliers", "3"],
                                     ["routing", "generate", "--stops", "5"]])
def test_an_output_that_is_a_fifo_or_device_is_refused_and_kept(tmp_path: Path,
                                                                 command: list[str]) -> None:
    """An existing --out that is not a regular file is refused before anything (as root, the
    atomic rename once replaced /dev/full with a file)."""
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    assert main([*command, "--out", str(fifo)]) == ExitCode.INVALID_INPUT
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_the_atomic_writer_never_renames_over_a_special_file(tmp_path: Path) -> None:
    from optimizer.atomic import atomic_write_text

    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        atomic_write_text(fifo, "a,b\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


@pytest.mark.parametrize("kind", ["utf-16", "fifo"])
def test_a_plan_folder_whose_plan_json_is_utf16_or_a_fifo(tmp_path: Path, starter: Path,
                                                         kind: str) -> None:
    """check INSTANCE FOLDER: a UTF-16 plan.json is read (it was exit 1); a FIFO named
    plan.json is refused, never opened (it hung)."""
    out = tmp_path / "plan"
    assert main(["sourcing", "solve", str(starter), "--out", str(out)]) == ExitCode.OK
    plan = out / "plan.json"
    text = plan.read_text(encoding="utf-8")
    plan.unlink()
    if kind == "fifo":
        os.mkfifo(plan)
        assert main(["sourcing", "check", str(starter), str(out)]) == ExitCode.INVALID_INPUT
    else:
        plan.write_bytes(text.encode("utf-16"))
        assert main(["sourcing", "check", str(starter), str(out)]) == ExitCode.OK
