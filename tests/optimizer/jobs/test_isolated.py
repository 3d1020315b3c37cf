"""run_isolated: the outcome of run_job from a child process, progress through the pipe,
cancel -> 130 with no process left, a dead child -> code 1, the child's errors intact."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from optimizer.jobs import JobError, JobProgress, JobSpec, run_isolated, run_job
from optimizer.jobs.isolated import job_context, start_method

ROOT = Path(__file__).resolve().parents[3]


def _data(path: str) -> dict[str, Any]:
    return json.loads((ROOT / "instances" / path).read_text(encoding="utf-8"))


def _job_processes() -> list[psutil.Process]:
    """Our descendants but the fork server and the resource tracker (our children, shared and
    long-lived); a job process forked by the fork server shows the server's command line."""
    out = []
    for p in psutil.Process().children(recursive=True):
        try:
            line = " ".join(p.cmdline())
            shared = p.ppid() == os.getpid() and ("forkserver import main" in line
                                                  or "resource_tracker import main" in line)
            if not shared and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            continue
    return out


def _job_leader() -> psutil.Process:
    """The job process: it leads its own process group (its searches join it)."""
    leaders = [p for p in _job_processes() if os.getpgid(p.pid) == p.pid]
    assert len(leaders) == 1, leaders
    return leaders[0]


def test_start_method_and_context() -> None:
    assert start_method() in ("forkserver", "spawn")
    assert job_context().get_start_method() == start_method()


def test_the_outcome_is_run_jobs() -> None:
    spec = JobSpec(kind="sourcing", instance=_data("sourcing/starter.json"))
    seen: list[JobProgress] = []
    outcome = run_isolated(spec, seen.append)
    here = run_job(spec)
    assert outcome.exit_code == 0 and outcome.status == "optimal"
    assert outcome.objective == pytest.approx(here.objective, rel=1e-9)
    assert outcome.plan == {**here.plan, "solve": outcome.plan["solve"]}
    assert seen and seen[-1].best == pytest.approx(here.objective, rel=1e-6)
    assert not _job_processes()


def test_routing_progress_arrives_through_the_pipe() -> None:
    seen: list[JobProgress] = []
    spec = JobSpec(kind="routing", instance=_data("routing/city-day-40.json"),
                   options={"solution_limit": 20})
    outcome = run_isolated(spec, seen.append)
    assert outcome.exit_code == 0
    assert any(p.best is not None for p in seen)
    assert not _job_processes()


def test_the_childs_errors_come_back_intact() -> None:
    data = _data("routing/city-day-40.json")
    data["stops"][3]["delivery"] = "lots"
    with pytest.raises(JobError) as caught:
        run_isolated(JobSpec(kind="routing", instance=data, label="req"))
    assert caught.value.code == 2
    assert caught.value.problems[0].startswith("req: stops[3]: field 'delivery'")
    data = _data("sourcing/infeasible.json")
    assert run_isolated(JobSpec(kind="sourcing", instance=data)).exit_code == 3


def test_cancel_stops_the_child_and_its_searches() -> None:
    seen: list[JobProgress] = []
    spec = JobSpec(kind="routing", instance=_data("routing/city-day-40.json"),
                   options={"time_limit": 600, "workers": 2})
    searching: list[int] = []

    def cancelled() -> bool:
        if not seen:
            return False
        if not searching:  # the job and its two search processes are running now
            searching.append(len(_job_processes()))
        return True

    with pytest.raises(JobError) as caught:
        run_isolated(spec, seen.append, cancelled, poll=0.05)
    assert caught.value.code == 130 and caught.value.error == "cancelled"
    assert caught.value.to_json() == {"code": 130, "error": "cancelled", "problems": []}
    assert searching and searching[0] >= 3  # the job and its two searches
    assert not multiprocessing.active_children() or all(
        p.name != "job-routing" for p in multiprocessing.active_children())
    assert not _job_processes()


def test_a_dead_child_is_an_internal_error() -> None:
    spec = JobSpec(kind="routing", instance=_data("routing/city-day-40.json"),
                   options={"time_limit": 600, "workers": 1})
    killed: list[int] = []

    def kill(_progress: JobProgress) -> None:
        if not killed:
            leader = _job_leader()
            killed.append(leader.pid)
            os.kill(leader.pid, signal.SIGKILL)

    with pytest.raises(JobError) as caught:
        run_isolated(spec, kill)
    assert caught.value.code == 1
    assert caught.value.error == f"worker process died (exit code {-signal.SIGKILL})"
    assert not _job_processes()  # its search process went with its group


PARENT = """
import json, sys
from pathlib import Path
from optimizer.jobs import JobSpec, run_isolated

def progress(_p):
    print("solving", flush=True)

if __name__ == "__main__":
    spec = JobSpec(kind="routing", instance=json.loads(Path(sys.argv[1]).read_text()),
                   options={"time_limit": 600, "workers": 2})
    run_isolated(spec, progress)
"""


def test_the_job_process_and_its_searches_exit_when_the_parent_dies(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script),
                               str(ROOT / "instances" / "routing" / "city-day-40.json")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT)
    try:
        assert parent.stdout is not None and parent.stdout.readline() == "solving\n"
        for _ in range(600):  # the searches are forked by the job's search fork server
            tree = psutil.Process(parent.pid).children(recursive=True)
            job = [p for p in tree if os.getpgid(p.pid) == p.pid]
            searches = [p for p in tree if job and os.getpgid(p.pid) == job[0].pid
                        and p.pid != job[0].pid and p.ppid() != job[0].pid]
            if len(searches) >= 2:
                break
            time.sleep(0.1)
        assert len(job) == 1
        assert len(searches) == 2
    finally:
        parent.kill()
        parent.wait()
    # a bounded wait (not a timing assertion): SIGTERM from PR_SET_PDEATHSIG / the watchdog
    _gone, alive = psutil.wait_procs(tree, timeout=60)
    assert not alive


def test_the_fork_server_holds_no_thread_to_copy() -> None:
    """Job processes are forked from the fork server: it must have imported the solvers
    without starting a thread (a forked solver thread would be a copy in an unknown state)."""
    if start_method() != "forkserver":
        pytest.skip("job processes start with spawn here")
    run_isolated(JobSpec(kind="sourcing", instance=_data("sourcing/starter.json")))
    servers = [p for p in psutil.Process().children()
               if "forkserver import main" in " ".join(p.cmdline())]
    assert len(servers) == 1
    assert servers[0].num_threads() == 1
