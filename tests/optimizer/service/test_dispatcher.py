"""The dispatcher with a real local executor: a job whose worker task itself fails (here its
worker cannot open the job store) is failed with a generic internal error and an incident id
(no server path), exit code 1, and the dispatcher reports the problem (/health shows it)."""

from __future__ import annotations

import time
from pathlib import Path

from optimizer.executor import LocalExecutor
from optimizer.service.dispatcher import Dispatcher
from optimizer.service.store import JobState, JobStore, make_engine


def test_a_failing_worker_task_is_a_generic_internal_error_and_a_health_problem(
        tmp_path: Path) -> None:
    real = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    # the server's side works; a worker given this URL cannot create the database's folder
    store = JobStore(f"sqlite:///{blocked / 'jobs.sqlite3'}", engine=make_engine(real))
    job = store.create("sourcing", {}, "{}")
    with LocalExecutor(2) as executor:
        dispatcher = Dispatcher(store, executor, 1, poll=0.05)
        dispatcher.start()
        try:
            deadline = time.monotonic() + 60
            while (record := store.get(job.id)) is not None and \
                    not record.state.finished and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            dispatcher.stop()
    assert record is not None and record.state is JobState.FAILED
    assert record.exit_code == 1 and record.error is not None
    assert record.error["error"] == "internal error"
    assert record.error["problems"][0].startswith("incident ")
    assert str(tmp_path) not in str(record.error)
    assert dispatcher.problem is not None and "incident" in dispatcher.problem
