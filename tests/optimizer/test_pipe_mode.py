"""Pipe mode: ``optimizer KIND solve -`` reads the native JSON instance from stdin, and
``--json`` keeps stdout to JSON only (the plan, or one error object on failure). The real CLI
in subprocesses, so that what reaches file descriptor 1 (solver libraries, worker processes)
is what a caller reads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {
    "sourcing": ROOT / "instances" / "sourcing" / "starter.json",
    "routing": ROOT / "instances" / "routing" / "city-day-40.json",
    "network": ROOT / "instances" / "network" / "starter.json",
    "plan": ROOT / "instances" / "plan" / "starter.json",
}
#: Short, reproducible limits per kind.
FAST = {
    "sourcing": [],
    "routing": ["--solution-limit", "20", "--workers", "1"],
    "network": [],
    "plan": ["--time-limit", "2", "--route-seconds", "0.5"],
}
#: A record and a field to spoil in each example: (table, index, field).
SPOILED = {
    "sourcing": ("offers", 2, "unit_price"),
    "routing": ("stops", 3, "delivery"),
    "network": ("demand", 1, "quantity"),
    "plan": ("demand", 1, "quantity"),
}


def _run(args: list[str], stdin: bytes | str, cwd: Path = ROOT
         ) -> subprocess.CompletedProcess[str]:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("OPTIMIZER_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "optimizer", *args], input=data,
                          capture_output=True, cwd=cwd, env=env, timeout=300)
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8"),
                                       done.stderr.decode("utf-8", "replace"))


def _only_json(done: subprocess.CompletedProcess[str]) -> Any:
    """Stdout is exactly one JSON document (nothing before or after it)."""
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"stdout is not only JSON:\n{done.stdout[:2000]}\nstderr:\n"
                    f"{done.stderr[-2000:]}")


def _error(done: subprocess.CompletedProcess[str], code: int) -> dict[str, Any]:
    assert done.returncode == code, done.stderr
    error = _only_json(done)
    assert set(error) == {"code", "error", "problems"}
    assert error["code"] == code
    return error


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_solve_reads_stdin_and_prints_only_the_plan_json(kind: str) -> None:
    done = _run([kind, "solve", "-", "--json", *FAST[kind]], EXAMPLES[kind].read_bytes())
    assert done.returncode == 0, done.stderr
    plan = _only_json(done)
    assert plan["instance"] == EXAMPLES[kind].stem
    assert plan["solve"]["status"] in ("optimal", "feasible")
    # the messages for people, the same summary as without --json, are on stderr (it was
    # empty: the summary was printed only without --json)
    assert re.search(rf"status +{plan['solve']['status'].upper()} \(", done.stderr), done.stderr
    if kind != "routing":  # the others' summaries are titled with the plan's kind and name
        title = "integrated" if kind == "plan" else kind
        assert f"{title} plan: {EXAMPLES[kind].stem}" in done.stderr


def test_malformed_json_is_an_error_object_naming_stdin_line_and_column() -> None:
    done = _run(["network", "solve", "-", "--json"], '{"name": "x",\n  "products": [1,,2]}')
    error = _error(done, 2)
    assert error["error"] == "invalid input"
    assert error["problems"] == ["<stdin>: line 2 column 18: invalid JSON: Expecting value"]
    assert "<stdin>: line 2 column 18" in done.stderr  # for people, on stderr


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_an_invalid_record_names_stdin_the_record_and_the_field(kind: str) -> None:
    table, index, field = SPOILED[kind]
    data = json.loads(EXAMPLES[kind].read_text(encoding="utf-8"))
    data[table][index][field] = "lots"
    error = _error(_run([kind, "solve", "-", "--json"], json.dumps(data)), 2)
    assert error["problems"][0].startswith(f"<stdin>: {table}[{index}]: field '{field}'")


@pytest.mark.parametrize("stdin", ["[1, 2]", "  \n"])
def test_a_list_or_nothing_on_stdin_is_invalid_input(stdin: str) -> None:
    error = _error(_run(["routing", "solve", "-", "--json"], stdin), 2)
    assert error["problems"][0].startswith("<stdin>: ")


def test_a_usage_error_under_json_is_an_error_object_too() -> None:
    error = _error(_run(["sourcing", "solve", "-", "--json", "--gap", "2"], "{}"), 2)
    assert error["error"] == "invalid usage" and "--gap" in error["problems"][0]


def test_stdin_takes_only_the_native_json_form() -> None:
    error = _error(_run(["network", "solve", "-", "--json", "--format", "csv"],
                        EXAMPLES["network"].read_bytes()), 2)
    assert error["problems"] == ["<stdin>: standard input takes the native JSON instance; "
                                 "--format csv needs a file"]


def test_infeasible_still_prints_the_plan_json_and_exits_3() -> None:
    infeasible = ROOT / "instances" / "sourcing" / "infeasible.json"
    done = _run(["sourcing", "solve", "-", "--json"], infeasible.read_bytes())
    assert done.returncode == 3, done.stderr
    assert _only_json(done)["solve"]["status"] == "infeasible"


def test_the_solver_log_goes_to_stderr_under_json() -> None:
    done = _run(["sourcing", "solve", "-", "--json", "--log"], EXAMPLES["sourcing"].read_bytes())
    assert done.returncode == 0, done.stderr
    assert _only_json(done)["solve"]["status"] == "optimal"
    assert "HiGHS" in done.stderr


def test_out_with_stdin_writes_the_folder_and_the_same_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    done = _run(["sourcing", "solve", "-", "--json", "--out", str(out)],
                EXAMPLES["sourcing"].read_bytes(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed = _only_json(done)
    written = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert written == printed
    assert (out / "report.html").is_file()
    assert f"plan written to {out}/ (plan.json" in re.sub(r"\s+", " ", done.stderr)


def test_an_unusable_out_under_json_is_an_error_object_before_solving(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    done = _run(["sourcing", "solve", "-", "--json", "--out", str(blocker / "plan")],
                EXAMPLES["sourcing"].read_bytes())
    error = _error(done, 2)
    assert error["problems"] == [f"{blocker / 'plan'}: cannot be created: {blocker} is a file, "
                                 f"not a folder"]


def test_without_json_stdin_gives_the_usual_summary() -> None:
    done = _run(["sourcing", "solve", "-"], EXAMPLES["sourcing"].read_bytes())
    assert done.returncode == 0, done.stderr
    assert "OPTIMAL" in done.stdout


# ---- the mechanism, in this process: what a library writes to fd 1 goes to stderr ----------

def _command_app(body: Any) -> Any:
    """A one-command app like the solve commands (``--json``, Ctrl-C exits 130)."""
    import typer

    from optimizer.cli.common import interrupt_exits_130, json_output

    app = typer.Typer()

    @app.command()
    @json_output
    @interrupt_exits_130
    def run(as_json: bool = typer.Option(False, "--json")) -> None:
        body()

    return app


def _run_in_process(body: Any, capfd: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from optimizer.cli.common import json_mode_scope

    with json_mode_scope(), pytest.raises(SystemExit) as exited:
        _command_app(body)(["--json"], prog_name="x")
    out, err = capfd.readouterr()
    return int(exited.value.code), out, err


def test_a_check_failure_prints_the_error_object_and_fd_1_chatter_goes_to_stderr(
        capfd: pytest.CaptureFixture[str]) -> None:
    from optimizer.cli.common import console, fail, print_json
    from optimizer.errors import ExitCode

    def body() -> None:
        os.write(1, b"banner from a C library\n")
        print("a stray print")
        console.print("a table")
        print_json({"partial": True})
        fail(ExitCode.CHECK_FAILED, "the plan failed the independent check",
             ["capacity DC1: over by 3"])

    code, out, err = _run_in_process(body, capfd)
    assert code == 5
    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(out)
    second = json.loads(out[end:])
    assert first == {"partial": True}
    assert second == {"code": 5, "error": "the plan failed the independent check",
                      "problems": ["capacity DC1: over by 3"]}
    for chatter in ("banner from a C library", "a stray print", "a table", "error:"):
        assert chatter in err


def test_an_interruption_under_json_is_error_object_130(capfd: pytest.CaptureFixture[str]
                                                        ) -> None:
    def body() -> None:
        raise KeyboardInterrupt

    code, out, _ = _run_in_process(body, capfd)
    assert code == 130
    assert json.loads(out) == {"code": 130, "error": "interrupted (Ctrl-C or SIGTERM): nothing "
                                                     "was written", "problems": []}


def test_without_json_stdout_is_left_alone(capfd: pytest.CaptureFixture[str]) -> None:
    from optimizer.cli.common import json_mode_scope

    with json_mode_scope(), pytest.raises(SystemExit):
        _command_app(lambda: os.write(1, b"plain\n"))([], prog_name="x")
    assert capfd.readouterr().out == "plain\n"


def test_a_bug_leaves_json_mode_on_for_main_to_print_the_error_object(
        capfd: pytest.CaptureFixture[str]) -> None:
    from optimizer.cli.common import json_mode, json_mode_scope

    def body() -> None:
        os.write(1, b"chatter\n")
        raise RuntimeError("a bug")

    with json_mode_scope():
        with pytest.raises(RuntimeError):
            _command_app(body)(["--json"], prog_name="x")
        assert json_mode()  # main() prints {"code": 1, "error": "internal error", ...}
    assert not json_mode()
    out, err = capfd.readouterr()
    assert out == "" and "chatter" in err
