"""The dispatcher: a thread of the server that hands queued jobs, oldest first, to the executor
(at most ``limit`` at once) as ``execute_job(database_url, job_id, attempt)`` tasks, and fails
a job whose worker was lost. It never solves anything itself."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from optimizer.executor import WorkerLost
from optimizer.service.store import JobStore
from optimizer.service.worker import execute_job

log = logging.getLogger("optimizer.service")


class Dispatcher:
    """Runs queued jobs of ``store`` on ``executor``, ``limit`` at a time.

    Only the dispatcher's thread touches the executor. :meth:`wake` after a submission makes
    it look at once, and so does a task's end; otherwise it looks every ``poll`` seconds."""

    def __init__(self, store: JobStore, executor: Any, limit: int, poll: float = 0.25,
                 on_finished: Callable[[str], None] | None = None) -> None:
        self.store, self.executor, self.limit, self.poll = store, executor, max(1, limit), poll
        #: Called (in the dispatcher's thread) with a job's id when its task has ended.
        self.on_finished = on_finished
        self._active: dict[str, tuple[Any, int]] = {}
        #: Set when a job's worker task itself failed (not the solve: the machinery around
        #: it), cleared by the next task that runs; reported by /health.
        self.problem: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="optimizer-dispatcher",
                                        daemon=True)

    @property
    def running(self) -> int:
        """Jobs handed to the executor and not finished."""
        return len(self._active)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def wake(self) -> None:
        """Look for queued jobs now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop handing out jobs and wait for the thread (not for the running jobs)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def release(self) -> None:
        """After :meth:`stop`: the jobs handed out but not started stay queued for the next
        start, and their tasks, should a worker pick them up now, will not run them."""
        for job_id, (task, attempt) in self._active.items():
            task.cancel()
            self.store.release(job_id, attempt)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception:  # the database away for a moment: try again
                log.exception("dispatcher: step failed")
            self._wake.wait(self.poll)
            self._wake.clear()

    def _step(self) -> None:
        for job_id, (task, attempt) in list(self._active.items()):
            if not task.done():
                continue
            del self._active[job_id]
            try:
                task.result()
            except BaseException as exc:  # the worker died, or execute_job itself failed
                lost = isinstance(exc, WorkerLost)
                incident = uuid.uuid4().hex[:12]
                # the details (paths, messages) stay in the log; the job says where to look
                log.error("job %s attempt %d (incident %s): %s: %s", job_id, attempt, incident,
                          type(exc).__name__, exc)
                problem = (str(exc) if lost else
                           f"incident {incident}: the details are in the service's log")
                self.store.lost(job_id, attempt, problem, worker_lost=lost)
                if not lost:
                    self.problem = (f"the last job's worker task failed ({type(exc).__name__}, "
                                    f"incident {incident})")
            else:
                self.problem = None
            if self.on_finished is not None:
                self.on_finished(job_id)
        free = self.limit - len(self._active)
        if free <= 0 or self._stop.is_set():
            return
        for job_id in self.store.next_queued(free, skip=self._active):
            attempt = self.store.claim(job_id)
            if attempt is None:  # cancelled meanwhile
                continue
            task = self.executor.submit(execute_job, self.store.url, job_id, attempt)
            self._active[job_id] = (task, attempt)
            add_callback = getattr(task, "add_done_callback", None)
            if add_callback is not None:  # look as soon as it ends, not at the next poll
                add_callback(self.wake)
