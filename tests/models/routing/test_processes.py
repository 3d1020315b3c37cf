"""A search process that dies is an error that says so, never "no plan found" with cost 0."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from models.routing import RoutingOptions, SearchProcessError, solve
from optimizer.routing_portfolio import solve_portfolio
from tests.models.routing.tiny import tiny_instance

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
from models.routing import RoutingOptions, solve
from tests.models.routing.tiny import tiny_instance

plan = solve(tiny_instance(1), RoutingOptions(time_limit=2, engine="{engine}"))
print("STATUS", plan.solve.status.value, plan.cost)
"""


def _run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    script = tmp_path / "plain_script.py"
    script.write_text(textwrap.dedent(body))
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_a_script_without_the_main_guard_fails_with_the_hint(tmp_path: Path,
                                                             engine: str) -> None:
    done = _run_script(tmp_path, SCRIPT.format(engine=engine))
    assert done.returncode != 0
    assert "STATUS" not in done.stdout  # no "no_solution" with cost 0
    assert "SearchProcessError" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr


def test_the_same_script_with_the_guard_solves(tmp_path: Path) -> None:
    body = "if __name__ == \"__main__\":\n" + textwrap.indent(
        SCRIPT.format(engine="auto"), "    ")
    done = _run_script(tmp_path, body)
    assert done.returncode == 0, done.stderr
    assert "STATUS feasible" in done.stdout


def _kill_child_after_first_solution(run, kill: int | None = None) -> BaseException | None:
    """Run ``run(on_improve)`` in a thread, SIGKILL its search processes (the first ``kill``
    of them) once one has reported a solution; the exception the run raised (None if it
    returned). The run must end within 60 s (its time limit is far longer)."""
    first = threading.Event()
    outcome: list[BaseException | None] = [None]

    def on_improve(_elapsed: float, objective: float | None) -> None:
        if objective is not None and objective >= 0:
            first.set()

    def target() -> None:
        try:
            run(on_improve)
        except BaseException as exc:  # handed to the test
            outcome[0] = exc

    thread = threading.Thread(target=target)
    thread.start()
    assert first.wait(timeout=60), "the search never reported a solution"
    children = multiprocessing.active_children()
    assert children
    for child in children[:kill]:
        os.kill(child.pid, signal.SIGKILL)
    thread.join(timeout=60)
    assert not thread.is_alive()
    return outcome[0]


def test_a_search_process_killed_mid_solve_raises() -> None:
    inst = tiny_instance(2, stops=8, vehicles=5)
    options = RoutingOptions(time_limit=600, engine="ortools")
    error = _kill_child_after_first_solution(lambda show: solve(inst, options, show))
    assert isinstance(error, SearchProcessError), error
    assert "killed by SIGKILL" in str(error)
    assert error.exitcode == -signal.SIGKILL
    assert error.best is not None  # the solution it had sent is kept on the error


def test_a_portfolio_member_killed_mid_solve_stops_the_others_and_raises() -> None:
    inst = tiny_instance(3, stops=8, vehicles=5)
    options = RoutingOptions(time_limit=600, engine="ortools")
    error = _kill_child_after_first_solution(
        lambda show: solve_portfolio(inst, options, 2, show), kill=1)
    assert isinstance(error, SearchProcessError), error
    assert "killed by SIGKILL" in str(error)
    assert not multiprocessing.active_children()  # the other member was stopped too
