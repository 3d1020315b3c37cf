"""models.solver: the HiGHS banner is kept off stdout without swallowing other threads' output
(print and os.write(1, ...)) written meanwhile; MIP progress reports the incumbent, the bound
and the gap. Each output test runs in a fresh process: the banner comes with the process's
first Highs() only."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models.solver import MipProgress, reporting_progress
from models.sourcing import SolverOptions, solve
from optimizer.formats.sourcing import read_sourcing_instance

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done


def test_output_written_while_the_banner_is_absorbed_is_kept() -> None:
    # the writer thread writes exactly while fd 1 is redirected: the first Highs() waits for it
    done = _run("""
        import os, threading
        import highspy
        from models import solver

        real = highspy.Highs
        go, written = threading.Event(), threading.Event()

        def writer():
            go.wait()
            print("print from a thread", flush=True)
            os.write(1, b"os.write from a thread\\n")
            written.set()

        def first_highs(*args):
            go.set()
            written.wait(10)
            return real(*args)

        threading.Thread(target=writer).start()
        highspy.Highs = first_highs
        solver.absorb_highs_banner()
        highspy.Highs = real
        print("after", flush=True)
    """)
    assert done.stdout.splitlines() == ["print from a thread", "os.write from a thread", "after"]


def test_a_thread_printing_during_a_solve_loses_nothing() -> None:
    done = _run("""
        import os, sys, threading
        from models.sourcing import SolverOptions, solve
        from optimizer.formats.sourcing import read_sourcing_instance

        inst = read_sourcing_instance("instances/sourcing/starter.json")
        stop = threading.Event()
        count = [0]

        def writer():
            while not stop.is_set() or count[0] < 50:
                count[0] += 1
                if count[0] % 2:
                    print(f"line {count[0]}", flush=True)
                else:
                    os.write(1, f"line {count[0]}\\n".encode())

        thread = threading.Thread(target=writer)
        thread.start()
        for seed in range(3):
            plan = solve(inst, SolverOptions(seed=seed))
        stop.set()
        thread.join()
        print(f"count {count[0]} status {plan.solve.status.value}", flush=True)
    """)
    lines = done.stdout.splitlines()
    count = int(lines[-1].split()[1])
    assert lines[-1].endswith("status optimal")
    assert sorted(lines[:-1], key=lambda s: int(s.split()[1])) == \
        [f"line {i}" for i in range(1, count + 1)]
    assert "HiGHS" not in done.stdout and "third-party" not in done.stdout


def test_the_log_option_still_shows_the_solver_log() -> None:
    done = _run("""
        from models.sourcing import SolverOptions, solve
        from optimizer.formats.sourcing import read_sourcing_instance

        solve(read_sourcing_instance("instances/sourcing/starter.json"), SolverOptions(log=True))
    """)
    assert "Running HiGHS" in done.stdout


def test_mip_progress_reports_incumbent_bound_and_gap() -> None:
    inst = read_sourcing_instance(ROOT / "instances" / "sourcing" / "generated-20x50.json")
    seen: list[MipProgress] = []
    with reporting_progress(seen.append):
        plan = solve(inst, SolverOptions(gap=0.01))
    assert plan.solve.status.has_solution
    assert seen
    last = seen[-1]
    assert last.objective == pytest.approx(plan.solve.objective, rel=1e-6)
    assert last.bound is not None and last.bound <= last.objective + 1e-6
    assert last.gap is not None and last.gap <= 0.01 + 1e-9
    for p in seen:
        assert p.objective is None or p.bound is None or p.bound <= p.objective + 1e-6
    # outside the scope nothing reports
    before = len(seen)
    solve(read_sourcing_instance(ROOT / "instances" / "sourcing" / "starter.json"))
    assert len(seen) == before


def test_the_facility_location_engine_prints_no_banner_and_keeps_other_output() -> None:
    done = _run("""
        import os
        from models.network.cflp_mip import new_highs

        os.write(1, b"before\\n")
        new_highs(1.0, None)
        print("after", flush=True)
    """)
    assert done.stdout.splitlines() == ["before", "after"]
