"""The executor: local processes and a real Dask LocalCluster (processes, 2 workers)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from optimizer.executor import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    TaskResult,
    WorkerLost,
    make_executor,
)
from optimizer.formats.sourcing import read_sourcing_instance

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


# -- tasks (module level: pickled by reference) ---------------------------------------------

def square(x: int) -> int:
    return x * x


def fail_on_two(x: int) -> int:
    if x == 2:
        raise ValueError("two is refused")
    return x


def die_first_time(marker: str, value: int) -> int:
    """Kill this worker process on the first attempt (the marker file tells which)."""
    if not os.path.exists(marker):
        Path(marker).write_text("started")
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def always_die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _child() -> None:
    return None


def start_child() -> int:
    """Start a child process (refused in a daemonic process) and return its exit code."""
    process = multiprocessing.get_context("spawn").Process(target=_child)
    process.start()
    process.join()
    return int(process.exitcode or 0)


def echo(value: object) -> object:
    return value


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_executor() -> Iterator[DaskExecutor]:
    with DaskExecutor(local_workers=2) as executor:
        yield executor  # type: ignore[misc]


@pytest.fixture(scope="module")
def local_executor() -> Iterator[LocalExecutor]:
    with LocalExecutor(2) as executor:
        yield executor  # type: ignore[misc]


@pytest.fixture(params=["local", "dask"])
def executor(request: pytest.FixtureRequest) -> Executor:
    return request.getfixturevalue(f"{request.param}_executor")


# -- tests -------------------------------------------------------------------------------------

def test_map_keeps_the_task_order_and_reports_each(executor: Executor) -> None:
    seen: list[tuple[int, int]] = []
    result = executor.map(square, [(i,) for i in range(6)], lambda i, v: seen.append((i, v)))
    assert result == [0, 1, 4, 9, 16, 25]
    assert sorted(seen) == [(i, i * i) for i in range(6)]


def test_map_raises_the_first_error(executor: Executor) -> None:
    with pytest.raises(ValueError, match="two is refused"):
        executor.map(fail_on_two, [(i,) for i in range(4)])


def test_run_all_records_a_failure_and_finishes_the_others(executor: Executor) -> None:
    done: list[TaskResult] = []
    results = executor.run_all(fail_on_two, [(i,) for i in range(4)], done.append)
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.ok for r in results] == [True, True, False, True]
    assert [r.value for r in results] == [0, 1, None, 3]
    assert results[2].error == "ValueError: two is refused"
    assert all(r.attempts == 1 for r in results)
    assert sorted(r.index for r in done) == [0, 1, 2, 3]  # on_done once per task


def test_a_worker_killed_mid_task_is_retried(executor: Executor, tmp_path: Path) -> None:
    tasks = [(str(tmp_path / f"marker-{i}"), i) for i in range(3)]
    results = executor.run_all(die_first_time, tasks[:1]) + \
        executor.run_all(square, [(5,)])
    assert results[0].ok and results[0].value == 0 and results[0].attempts == 2
    assert results[1].ok and results[1].value == 25
    assert executor.map(die_first_time, tasks[1:]) == [1, 2]


def test_a_worker_lost_on_every_attempt_fails_that_task_only(executor: Executor) -> None:
    results = executor.run_all(always_die, [()], retries=1)
    assert not results[0].ok and results[0].attempts == 2
    assert "worker process died" in (results[0].error or "")
    assert executor.map(square, [(3,)]) == [9]  # the workers are back


def test_as_completed_yields_every_task(executor: Executor) -> None:
    tasks = [executor.submit(square, i) for i in range(4)]
    finished = list(executor.as_completed(tasks))
    assert sorted(t.result() for t in finished) == [0, 1, 4, 9]
    assert all(t.done() for t in tasks)


def test_a_task_may_start_a_child_process(executor: Executor) -> None:
    assert executor.map(start_child, [(), ()]) == [0, 0]


def test_pydantic_instances_round_trip(executor: Executor) -> None:
    instance = read_sourcing_instance(FIXTURES / "sourcing" / "valid_small.json")
    assert executor.map(echo, [(instance,)]) == [instance]


def test_one_local_worker_is_this_process() -> None:
    with LocalExecutor(1) as executor:
        assert executor.describe() == "this process"
        assert executor.map(os.getpid, [(), ()]) == [os.getpid(), os.getpid()]
        results = executor.run_all(fail_on_two, [(2,), (1,)])
    assert [r.ok for r in results] == [False, True]


def test_one_worker_kept_out_of_this_process() -> None:
    with LocalExecutor(1, in_process=False) as executor:
        assert executor.describe() == "1 local worker process"
        pids = executor.map(os.getpid, [(), ()])
    assert pids[0] == pids[1] != os.getpid()  # one worker process, not this one
    with pytest.raises(ValueError):
        LocalExecutor(2, in_process=True)


def test_make_executor_reads_the_cluster_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPTIMIZER_CLUSTER", raising=False)
    assert isinstance(make_executor(3), LocalExecutor) and make_executor(3).workers == 3
    monkeypatch.setenv("OPTIMIZER_CLUSTER", "tcp://127.0.0.1:1")
    made = make_executor(2)
    assert isinstance(made, DaskExecutor) and made.address == "tcp://127.0.0.1:1"
    assert isinstance(make_executor(2, "tcp://other:2"), DaskExecutor)


def test_a_cluster_given_by_address_is_not_closed(dask_executor: DaskExecutor) -> None:
    address = dask_executor.client.scheduler.address
    with DaskExecutor(address) as remote:
        assert remote.workers == 2
        assert remote.map(square, [(4,)]) == [16]
    assert dask_executor.map(square, [(2,)]) == [4]  # still up


def test_worker_lost_is_a_runtime_error() -> None:
    assert issubclass(WorkerLost, RuntimeError)


def test_the_cluster_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from optimizer.settings import cluster_address

    monkeypatch.setenv("OPTIMIZER_CLUSTER", "  ")
    assert cluster_address() is None
    monkeypatch.setenv("OPTIMIZER_CLUSTER", " tcp://10.0.0.5:8786 ")
    assert cluster_address() == "tcp://10.0.0.5:8786"


def worker_pid() -> int:
    return os.getpid()


def test_tasks_still_run_after_the_marker_folder_is_removed(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """A temp cleaner removing the marker folder must not fail every later task; and a worker
    lost after that is still retried (the folder is made again)."""
    import shutil
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with LocalExecutor(2) as executor:
        assert executor.map(square, [(2,)]) == [4]
        marks = executor._marks
        assert marks is not None and marks.parent == tmp_path
        shutil.rmtree(marks)
        assert executor.check() is None
        assert executor.map(square, [(3,), (4,)]) == [9, 16]
        shutil.rmtree(marks)
        results = executor.run_all(die_first_time, [(str(tmp_path / "died"), 7)])
        assert results[0].ok and results[0].value == 7 and results[0].attempts == 2


def test_warm_starts_every_worker_process_with_its_initializer() -> None:
    with LocalExecutor(2, initializer=_child) as executor:
        executor.warm()
        processes = executor._pool._processes  # type: ignore[union-attr]
        assert len(processes) == 2 and all(p.is_alive() for p in processes.values())
        assert executor.check() is None
