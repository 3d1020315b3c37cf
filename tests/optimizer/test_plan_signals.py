"""Ctrl-C on ``optimizer plan`` while a DC's day is being routed: exit 130, nothing written,
no search process left. Before, a single run routed its days with OR-Tools in this process,
which swallowed Ctrl-C: the run went on and wrote its plan with exit 0.

No wall-clock assertions; the timeouts only keep a broken build from hanging the suite."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.models.integrated import tiny
from tests.optimizer.test_signals import ROOT, _alive, _children, _start

STARTER = ROOT / "instances" / "plan" / "starter.json"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_while_routing_a_day_exits_130_and_writes_nothing(
        tmp_path: Path, signum: signal.Signals) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny.tables()), encoding="utf-8")
    out = tmp_path / "out"
    # 600 s a day: a Ctrl-C that only took effect at the limit fails the wait below
    process = _start("plan", str(path), "--out", str(out), "--route-seconds", "600",
                     "--seed", "0")
    try:
        _interrupt(process, tmp_path, out, signum)
    finally:
        if process.poll() is None:  # a broken build: leave nothing running
            process.kill()
            process.wait()


def _interrupt(process: subprocess.Popen[str], tmp_path: Path, out: Path,
               signum: signal.Signals) -> None:
    children: set[int] = set()
    for _ in range(600):  # the network solve takes a moment; then a day's search starts
        children |= _children(process.pid)
        if children or process.poll() is not None:
            break
        time.sleep(0.1)
    assert process.poll() is None, "the run ended before routing its days"
    assert children, "no search process: the day is routed in this process"
    time.sleep(2.0)  # let the search import and start
    children |= _children(process.pid)
    process.send_signal(signum)
    code = process.wait(timeout=120)
    assert process.stdout is not None
    rest = process.stdout.read()
    assert code == 130, rest[-2000:]
    assert "nothing was written" in rest and "Traceback" not in rest
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    for _ in range(300):
        if not _alive(children):
            break
        time.sleep(0.1)
    assert _alive(children) == set()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_network_solve_of_one_run_exits_130_and_writes_nothing(
        tmp_path: Path, signum: signal.Signals) -> None:
    """``plan solve instances/plan/starter.json`` (one run): its network is solved by the
    location-routing search, which ran in the command's process, where HiGHS and OR-Tools
    swallow Ctrl-C and SIGTERM: SIGTERM 8 s after the start did not stop it, it ran to its
    network time limit, routed its days and wrote its plan. Now the run is in a worker process
    of its own, stopped at once. The 600 s network limit makes a swallowed signal fail the
    wait (there were no child processes at all then)."""
    out = tmp_path / "out"
    process = _start("plan", "solve", str(STARTER), "--out", str(out), "--time-limit", "600",
                     "--route-seconds", "600", "--seed", "0")
    try:
        _interrupt(process, tmp_path, out, signum)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_on_a_location_routing_search_exits_130_and_writes_nothing(
        tmp_path: Path, signum: signal.Signals) -> None:
    """``network solve --outbound routes``: before, the search ran to its limit after Ctrl-C
    (OR-Tools routing in the command's process swallowed it) and wrote its plan, exit 0."""
    from tests.models.network.routes_cases import tiny_data

    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_data()), encoding="utf-8")
    out = tmp_path / "out"
    process = _start("network", "solve", str(path), "--out", str(out), "--time-limit", "600")
    try:
        _interrupt(process, tmp_path, out, signum)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
