"""The job store's rules, on a real SQLite file: every worker write is conditional on its
attempt, the result and ``done`` go together, restarts fail running jobs and keep the queue."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from optimizer.service.settings import ServiceSettings, absolute_sqlite_url, is_loopback
from optimizer.service.store import STOPPED_REASON, JobState, JobStore
from optimizer.service.worker import _Watch


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    return JobStore(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")


def finish(store: JobStore, job_id: str, attempt: int, plan: str = '{"plan": 1}') -> bool:
    return store.done(job_id, attempt, status="optimal", exit_code=0, objective=1.0,
                      bound=float("nan"), gap=0.0, seconds=0.1, summary="ok",
                      result_json=plan, report_html="<html></html>")


def test_a_stale_attempt_changes_nothing(store: JobStore) -> None:
    job = store.create("sourcing", {}, "{}")
    first = store.claim(job.id)
    assert first == 1 and store.start(job.id, first, "h:1", 1)
    store.recover()  # the service restarted: the job failed with the reason
    assert not store.progress(job.id, first, {"elapsed": 1.0})
    assert not finish(store, job.id, first)
    assert not store.failed(job.id, first, {"code": 2, "error": "x", "problems": []})
    record = store.get(job.id)
    assert record is not None and record.state is JobState.FAILED
    assert record.error == {"code": 1, "error": STOPPED_REASON, "problems": []}
    assert store.result(job.id) is None
    assert store.should_stop(job.id, first)


def test_the_result_comes_with_done(store: JobStore) -> None:
    job = store.create("routing", {"time_limit": 1}, '{"stops": []}')
    attempt = store.claim(job.id)
    assert attempt is not None
    assert store.result(job.id) is None
    assert store.start(job.id, attempt, "h:2", 2)
    assert store.progress(job.id, attempt, {"elapsed": 0.5, "best": float("inf")})
    assert store.get(job.id).progress == {"elapsed": 0.5, "best": None}  # type: ignore[union-attr]
    assert finish(store, job.id, attempt)
    record = store.get(job.id)
    assert record is not None and record.state is JobState.DONE and record.bound is None
    assert store.result(job.id) == '{"plan": 1}' and store.report(job.id) == "<html></html>"
    assert not finish(store, job.id, attempt, '{"plan": 2}')  # done is final
    assert store.result(job.id) == '{"plan": 1}'


def test_cancel_release_and_the_queue_order(store: JobStore) -> None:
    a, b, c = (store.create("sourcing", {}, "{}") for _ in range(3))
    assert store.next_queued(2) == [a.id, b.id]
    assert store.next_queued(2, skip={a.id}) == [b.id, c.id]
    cancelled = store.cancel(b.id)
    assert cancelled is not None and cancelled.state is JobState.CANCELLED
    attempt = store.claim(a.id)
    assert attempt == 1
    assert store.release(a.id, attempt)  # handed out, not started, service stopping
    assert not store.start(a.id, attempt, "h:3", 3)  # the old task will not run it
    assert store.get(a.id).state is JobState.QUEUED  # type: ignore[union-attr]
    assert store.claim(b.id) is None
    again = store.claim(a.id)
    assert again == 3 and store.start(a.id, again, "h:3", 3)
    running = store.cancel(a.id)
    assert running is not None and running.state is JobState.RUNNING
    assert running.cancel_requested and store.should_stop(a.id, again)
    assert store.failed(a.id, again, {"code": 130, "error": "cancelled", "problems": []},
                        state=JobState.CANCELLED)
    assert store.counts() == {"queued": 1, "running": 0, "done": 0, "failed": 0,
                              "cancelled": 2}


def test_the_watch_stops_a_job_past_its_wall_clock_cap(store: JobStore) -> None:
    job = store.create("sourcing", {}, "{}", max_seconds=0.05)
    attempt = store.claim(job.id)
    assert attempt is not None and store.start(job.id, attempt, "h:4", 4)
    watch = _Watch(store, job.id, attempt, job.max_seconds, interval=0.01)
    assert not watch.cancelled()
    time.sleep(0.1)
    assert watch.cancelled() and watch.timed_out


def test_settings(tmp_path: Path) -> None:
    settings = ServiceSettings.from_env({"OPTIMIZER_SERVICE_DIR": str(tmp_path),
                                         "OPTIMIZER_SYNC_SECONDS": "5"}, workers=2)
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'jobs.sqlite3'}"
    assert settings.sync_seconds == 5 and settings.workers == 2 and settings.token is None
    assert absolute_sqlite_url("sqlite:///rel/jobs.db").startswith("sqlite:////")
    assert absolute_sqlite_url("postgresql://h/db") == "postgresql://h/db"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    with pytest.raises(Exception, match="OPTIMIZER_MAX_BODY_BYTES"):
        ServiceSettings.from_env({"OPTIMIZER_MAX_BODY_BYTES": "lots"})


def test_failed_and_cancelled_jobs_carry_their_exit_code(store: JobStore) -> None:
    queued = store.create("sourcing", {}, "{}")
    cancelled = store.cancel(queued.id)
    assert cancelled is not None and cancelled.state is JobState.CANCELLED
    assert cancelled.exit_code == 130 and cancelled.error["code"] == 130  # type: ignore[index]
    running = store.create("sourcing", {}, "{}")
    attempt = store.claim(running.id)
    assert attempt is not None and store.start(running.id, attempt, "h:5", 5)
    assert store.recover() == 1
    stopped = store.get(running.id)
    assert stopped is not None and stopped.exit_code == 1 and stopped.error["code"] == 1  # type: ignore[index]
    lost = store.create("sourcing", {}, "{}")
    attempt = store.claim(lost.id)
    assert attempt is not None and store.lost(lost.id, attempt, "incident x", worker_lost=False)
    failed = store.get(lost.id)
    assert failed is not None and failed.exit_code == 1 and failed.error["code"] == 1  # type: ignore[index]


def test_the_watch_keeps_the_last_report_and_shows_time_going_on(store: JobStore) -> None:
    job = store.create("plan", {}, "{}")
    attempt = store.claim(job.id)
    assert attempt is not None and store.start(job.id, attempt, "h:6", 6)
    watch = _Watch(store, job.id, attempt, None, interval=0.05)
    watch.progress({"elapsed": 0.01, "message": "baseline: network MIP"})
    watch.progress({"elapsed": 0.02, "message": "baseline: routing"})  # within the interval
    assert store.get(job.id).progress["message"] == "baseline: network MIP"  # type: ignore[index]
    time.sleep(0.06)
    watch.cancelled()  # the poll writes what was kept
    first = store.get(job.id).progress
    assert first is not None and first["message"] == "baseline: routing"
    time.sleep(0.12)
    watch.cancelled()  # nothing new for a while: the same report, elapsed advanced
    later = store.get(job.id).progress
    assert later is not None and later["message"] == "baseline: routing"
    assert later["elapsed"] > first["elapsed"]
