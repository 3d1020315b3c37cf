"""What runs one job: :func:`execute_job`, in a worker process of the executor (a local process
or a Dask worker), never in the web server's threads. The solve itself runs one level further
down, in the child process of :func:`optimizer.jobs.run_isolated`.

The worker talks to the job store only: it marks the attempt running, writes progress (at most
every ``progress_interval`` seconds), polls the job's cancel flag, and writes the outcome or
the error, each conditional on the attempt (a stale worker changes nothing). So progress and
cancel work for local processes and for a Dask cluster whose workers reach the database."""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
import uuid
from typing import Any

from optimizer.errors import ExitCode
from optimizer.service.store import JobState, JobStore, dump_json

log = logging.getLogger("optimizer.service")

#: Seconds between progress writes and cancel-flag reads.
PROGRESS_INTERVAL = 0.5

#: One store per database URL in a worker process (its engine pools the connections).
_stores: dict[str, JobStore] = {}
_stores_lock = threading.Lock()


def _store(database_url: str) -> JobStore:
    with _stores_lock:
        store = _stores.get(database_url)
        if store is None:
            store = _stores[database_url] = JobStore(database_url)
        return store


class _Watch:
    """The running attempt's link to the store: throttled progress writes, and the stop
    question (cancel requested, no longer this attempt's job, or over the wall-clock cap)."""

    def __init__(self, store: JobStore, job_id: str, attempt: int, max_seconds: float | None,
                 interval: float = PROGRESS_INTERVAL) -> None:
        self.store, self.job_id, self.attempt = store, job_id, attempt
        self.interval = interval
        self.start = time.monotonic()
        self.deadline = None if max_seconds is None else self.start + max_seconds
        self.timed_out = False
        self._last_write = 0.0
        self._last_poll = 0.0
        self._stop = False
        self._latest: dict[str, Any] | None = None  # the last report received
        self._written = True  # ... and whether it is in the store

    def progress(self, progress: Any) -> None:
        """A report from the solve: written now, or (within ``interval`` of the last write)
        kept and written by the next :meth:`cancelled` poll or :meth:`flush`: the last report
        is never lost."""
        data = progress.model_dump(mode="json") if hasattr(progress, "model_dump") else progress
        self._latest, self._written = dict(data), False
        if time.monotonic() - self._last_write >= self.interval:
            self.flush()

    def flush(self, heartbeat: bool = False) -> None:
        """Write the last report if it is not in the store yet; with ``heartbeat``, also the
        same report with ``elapsed`` advanced (a long step that reports nothing, e.g. a plan's
        routing, still shows the time going on)."""
        if self._latest is None or (self._written and not heartbeat):
            return
        data = dict(self._latest)
        data["elapsed"] = round(max(float(data.get("elapsed") or 0.0),
                                    time.monotonic() - self.start), 3)
        self._last_write, self._written = time.monotonic(), True
        try:
            self.store.progress(self.job_id, self.attempt, data)
        except Exception as exc:  # progress is best effort; the outcome is what counts
            log.warning("job %s: progress not written: %s", self.job_id, exc)

    def cancelled(self) -> bool:
        if self._stop:
            return True
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            self.timed_out = self._stop = True
            return True
        if now - self._last_poll >= self.interval:
            self._last_poll = now
            self.flush(heartbeat=now - self._last_write >= 2 * self.interval)
            try:
                self._stop = self.store.should_stop(self.job_id, self.attempt)
            except Exception as exc:  # the database is away for a moment: keep solving
                log.warning("job %s: cancel flag not read: %s", self.job_id, exc)
        return self._stop


_parent_watch: threading.Thread | None = None


def _exit_with_parent() -> None:
    """In a worker process started by multiprocessing (a local pool worker, a Dask worker):
    exit when the parent process dies, e.g. a server killed with ``kill -9`` (a pool worker
    would otherwise stay, idle, with its solve's forkserver). The solve's own child stops with
    its worker (``run_isolated``), and the restarted service fails the job with the reason."""
    global _parent_watch
    parent = multiprocessing.parent_process()
    if parent is None or _parent_watch is not None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    _parent_watch = threading.Thread(target=watch, name="optimizer-parent-watch", daemon=True)
    _parent_watch.start()


def _nothing() -> None:
    """The warm-up's job process."""


def warm_worker() -> None:
    """The initializer of the service's local worker processes (run once as each starts,
    before the first job): import the job layer and start the fork server job processes
    come from (:func:`optimizer.jobs.isolated.job_context`; it imports the solvers and warms
    the report builder), which would otherwise cost the first job of each worker seconds.
    A failure here only costs that time later."""
    _exit_with_parent()
    try:
        from optimizer.jobs.isolated import job_context, start_method

        context = job_context()
        if start_method() == "forkserver":
            # one empty job process: returns once the fork server has imported its modules
            # (starting it alone returns before that)
            process = context.Process(target=_nothing, name="warm-up")
            process.start()
            process.join()
    except Exception as exc:  # the first job will start it (and say what is wrong)
        log.warning("worker warm-up failed: %s: %s", type(exc).__name__, exc)


def _internal(job_id: str, details: str, trace: bool = False) -> dict[str, Any]:
    """A job's internal error as clients see it (a generic message and an incident id); the
    details are logged with the id."""
    incident = uuid.uuid4().hex[:12]
    log.error("job %s: internal error (incident %s): %s", job_id, incident, details,
              exc_info=trace)
    return {"code": int(ExitCode.INTERNAL_ERROR), "error": "internal error",
            "problems": [f"incident {incident}: the details are in the service's log"]}


def execute_job(database_url: str, job_id: str, attempt: int) -> str:
    """Run attempt ``attempt`` of job ``job_id`` of the store at ``database_url`` and record
    how it ended. Returns the job's state afterwards as the worker saw it (``"skipped"`` when
    the attempt was no longer to be run: cancelled, finished or re-dispatched meanwhile).

    Module-level and with plain arguments: the executor pickles it by reference."""
    from optimizer.jobs import JobError, JobSpec, run_isolated

    _exit_with_parent()
    store = _store(database_url)
    if not store.start(job_id, attempt, f"{socket.gethostname()}:{os.getpid()}", os.getpid()):
        return "skipped"
    record = store.get(job_id)
    instance = store.instance(job_id)
    if record is None or instance is None:
        return "skipped"
    watch = _Watch(store, job_id, attempt, record.max_seconds)
    try:
        import json

        spec = JobSpec(kind=record.kind, instance=json.loads(instance),
                       options=record.options, label="instance")
        outcome = run_isolated(spec, on_progress=watch.progress, cancelled=watch.cancelled)
        watch.flush()
    except JobError as exc:
        if exc.code == 130 and watch.timed_out:
            store.failed(job_id, attempt, {
                "code": 130, "problems": [],
                "error": f"stopped after {record.max_seconds:g} s, the service's wall-clock "
                         "limit per job"})
            return JobState.FAILED.value
        if exc.code == 130:
            store.failed(job_id, attempt, exc.to_json(), state=JobState.CANCELLED)
            return JobState.CANCELLED.value
        if exc.code == ExitCode.INTERNAL_ERROR and exc.error.startswith("internal error"):
            # a bug in the solve: its message may name server paths; it goes to the log
            store.failed(job_id, attempt, _internal(job_id, f"{exc.error} {exc.problems}"))
            return JobState.FAILED.value
        store.failed(job_id, attempt, exc.to_json())
        return JobState.FAILED.value
    except Exception as exc:  # a bug: say so in the job, keep the traceback in the log
        store.failed(job_id, attempt, _internal(job_id, f"{type(exc).__name__}: {exc}",
                                                trace=True))
        return JobState.FAILED.value
    store.done(job_id, attempt, status=outcome.status, exit_code=outcome.exit_code,
               objective=outcome.objective, bound=outcome.bound, gap=outcome.gap,
               seconds=outcome.seconds, summary=outcome.summary,
               result_json=dump_json(outcome.plan), report_html=outcome.report_html)
    return JobState.DONE.value
