"""Many independent solves: local worker processes or a Dask cluster, results as each finishes.

One abstraction, two back ends (docs/batch.md, "Where the solves run"):

- :class:`LocalExecutor` -- a ``spawn`` process pool on this machine (one worker: this process).
  A worker process lost mid-task (killed, out of memory, a solver crash) breaks the pool: the
  pool is restarted and the unfinished tasks are submitted again; a task that was *running*
  when a pool broke has used an attempt, and after ``retries + 1`` attempts it fails with
  :class:`WorkerLost`.
- :class:`DaskExecutor` -- a ``dask.distributed`` cluster, given by its scheduler address or
  started here as a ``LocalCluster`` of single-threaded, *non-daemonic* worker processes (our
  routing solver and the job runner start child processes, which a daemonic process may not).
  A worker lost mid-task is handled by the scheduler, which runs the task again on another
  worker, up to its ``distributed.scheduler.allowed-failures`` (set to ``retries`` on a cluster
  started here); then the task fails with :class:`WorkerLost`.

On both, ``retries`` is about lost workers only: a task that *raises* is not run again (our
tasks are deterministic; the error is the answer). Tasks are ``fn(*args)`` with ``fn``
defined at module level (it is pickled by reference); arguments are pickled (cloudpickle on
Dask), so they must be picklable -- our frozen pydantic models are.

Inside ``with executor:`` SIGTERM raises :class:`KeyboardInterrupt` (in the main thread), and
on an error or interruption the worker processes are stopped and reaped (a cluster started
here is closed; a cluster given by address is left running, only our tasks are cancelled).
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from optimizer.settings import cluster_address

R = TypeVar("R")

#: Attempts after a lost worker unless a task says otherwise.
DEFAULT_RETRIES = 1


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class WorkerLost(RuntimeError):
    """The worker process running a task died (killed, out of memory, crashed) on every
    attempt the task was allowed."""


@dataclass(frozen=True)
class TaskResult:
    """One task of :meth:`Executor.run_all`: its value, or the error that stopped it."""

    index: int
    ok: bool
    value: Any = None
    error: str | None = None
    attempts: int = 1


def describe_error(error: BaseException) -> str:
    """One line for a task's error: the message, prefixed with the type unless it is a plain
    error whose message says it all."""
    text = " ".join(str(error).split())
    name = type(error).__name__
    if isinstance(error, WorkerLost) or not text:
        return text or name
    return f"{name}: {text}"


class Task(ABC):
    """A submitted task: ``result()`` waits for it (raising its error), ``done()``,
    ``cancel()``; ``key`` names it; ``attempts`` counts its runs so far."""

    key: str
    index: int

    @abstractmethod
    def result(self) -> Any:
        """The task's value (waiting for it), or its error raised."""

    @abstractmethod
    def done(self) -> bool:
        """Whether the task has finished (with a value or an error)."""

    @abstractmethod
    def cancel(self) -> None:
        """Cancel the task if it has not finished (a running local task runs on)."""

    @property
    @abstractmethod
    def attempts(self) -> int:
        """How many times the task has started (1 unless a worker was lost under it)."""

    def add_done_callback(self, fn: Callable[[], None]) -> None:  # noqa: B027
        """Call ``fn()`` (in some thread) when an attempt of the task ends; a hint to look at
        :meth:`done`, which may still be False (a task submitted again). Default: never."""


class Executor(ABC):
    """Runs ``fn(*args)`` tasks; a context manager (see the module docstring)."""

    workers: int

    def __init__(self) -> None:
        self._sigterm: Any = None
        self._counter = itertools.count()

    # -- life cycle ---------------------------------------------------------------------------
    def __enter__(self) -> Executor:
        if threading.current_thread() is threading.main_thread():
            self._sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            self.close(abort=error is not None)
        finally:
            if self._sigterm is not None:
                signal.signal(signal.SIGTERM, self._sigterm)
                self._sigterm = None

    @abstractmethod
    def start(self) -> None:
        """Start the workers (idempotent; :meth:`submit` starts them too)."""

    @abstractmethod
    def close(self, abort: bool = False) -> None:
        """Stop the workers: wait for running tasks, or with ``abort`` stop them now."""

    @abstractmethod
    def describe(self) -> str:
        """Where tasks run, for a progress line: "2 local worker processes", "Dask at ..."."""

    def warm(self) -> None:
        """Start the workers and wait until they are ready (default: :meth:`start`)."""
        self.start()

    def check(self) -> str | None:
        """None when tasks can run; else what is wrong (for a health check)."""
        return None

    # -- tasks --------------------------------------------------------------------------------
    @abstractmethod
    def submit(self, fn: Callable[..., Any], *args: Any, retries: int = DEFAULT_RETRIES
               ) -> Task:
        """Run ``fn(*args)`` on a worker; ``retries``: more attempts if a worker is lost."""

    @abstractmethod
    def as_completed(self, tasks: Iterable[Task]) -> Iterator[Task]:
        """The tasks, each as soon as it has finished."""

    def map(self, fn: Callable[..., R], tasks: Sequence[tuple[Any, ...]],
            on_done: Callable[[int, R], None] | None = None,
            retries: int = DEFAULT_RETRIES) -> list[R]:
        """``[fn(*task) for task in tasks]`` (order kept), in parallel; ``on_done(index,
        value)`` runs here as each task finishes. The first error is raised (the other tasks
        are cancelled)."""
        submitted = self._submit_all(fn, tasks, retries)
        results: list[Any] = [None] * len(submitted)
        try:
            for task in self.as_completed(submitted):
                results[task.index] = task.result()
                if on_done is not None:
                    on_done(task.index, results[task.index])
        except BaseException:
            for task in submitted:
                task.cancel()
            raise
        return results

    def run_all(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]],
                on_done: Callable[[TaskResult], None] | None = None,
                retries: int = DEFAULT_RETRIES) -> list[TaskResult]:
        """Every task run, failures captured (a failed task never stops the others):
        a :class:`TaskResult` per task, in task order; ``on_done(result)`` runs here as each
        finishes. Ctrl-C / SIGTERM still stops everything (:class:`KeyboardInterrupt`)."""
        submitted = self._submit_all(fn, tasks, retries)
        results: list[TaskResult | None] = [None] * len(submitted)
        try:
            for task in self.as_completed(submitted):
                try:
                    value = task.result()
                except Exception as exc:  # the task's error is its result
                    result = TaskResult(task.index, False, None, describe_error(exc),
                                        task.attempts)
                else:
                    result = TaskResult(task.index, True, value, None, task.attempts)
                results[task.index] = result
                if on_done is not None:
                    on_done(result)
        except BaseException:
            for task in submitted:
                task.cancel()
            raise
        return [r for r in results if r is not None]

    def _submit_all(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]],
                    retries: int) -> list[Task]:
        submitted = []
        for index, args in enumerate(tasks):
            task = self.submit(fn, *args, retries=retries)
            task.index = index
            submitted.append(task)
        return submitted


# -- local processes -----------------------------------------------------------------------

class LocalTask(Task):
    """A task of a :class:`LocalExecutor`."""

    def __init__(self, executor: LocalExecutor, key: str, fn: Callable[..., Any],
                 args: tuple[Any, ...], retries: int) -> None:
        self.key, self.index = key, 0
        self._executor, self._fn, self._args, self._retries = executor, fn, args, retries
        self._future: Future[Any] | None = None
        self._generation = -1
        self._final_attempts: int | None = None
        self._final: tuple[bool, Any] | None = None  # (ok, value or error)
        self._cancelled = False
        self._callbacks: list[Callable[[], None]] = []
        #: Broken pools this task was in (a bound on resubmissions should the marker files
        #: that count its runs be lost: a temp cleaner removed them).
        self._breaks = 0

    @property
    def attempts(self) -> int:
        if self._final_attempts is not None:
            return self._final_attempts
        return max(1, self._executor._starts(self))

    def add_done_callback(self, fn: Callable[[], None]) -> None:
        self._callbacks.append(fn)
        if self._future is not None:
            self._future.add_done_callback(lambda _future: fn())

    def done(self) -> bool:
        if self._final is None and self._future is not None and self._future.done():
            self._settle()
        return self._final is not None

    def cancel(self) -> None:
        self._cancelled = True
        if self._future is not None:
            self._future.cancel()

    def result(self) -> Any:
        while self._final is None:
            if self._future is None:  # this process is the worker
                self._run_here()
                break
            wait([self._future])
            self._settle()
        ok, value = self._final
        if not ok:
            raise value
        return value

    def _run_here(self) -> None:
        try:
            self._final = (True, self._fn(*self._args))
        except Exception as exc:
            self._final = (False, exc)
        self._final_attempts = 1

    def _settle(self) -> None:
        """The future has finished: keep its outcome, or submit again after a lost worker."""
        assert self._future is not None
        future = self._future
        if future.cancelled():
            self._final = (False, RuntimeError("cancelled"))
            return
        error = future.exception()
        starts = self._executor._starts(self)
        if not isinstance(error, BrokenProcessPool) or self._cancelled:
            self._final = (True, future.result()) if error is None else (False, error)
            self._final_attempts = max(1, starts)
            return
        self._executor._restart_after(self)
        self._breaks += 1
        if self._executor._deaths(self) > self._retries or \
                self._breaks > self._retries + MAX_EXTRA_BREAKS:
            self._final_attempts = starts
            self._final = (False, _lost(starts))
            return
        self._executor._resubmit(self)


class LocalExecutor(Executor):
    """``workers`` processes on this machine (started with ``spawn``: solver libraries hold
    threads that ``fork`` would copy in an unknown state), or this process alone when
    ``workers`` is 1 (tasks then run one by one when their result is asked for, and a lost
    worker is this process: no retry). ``in_process=False`` keeps even one worker out of this
    process (a run that Ctrl-C must be able to stop, a service's jobs)."""

    def __init__(self, workers: int = 1,
                 initializer: Callable[[], None] | None = None, *,
                 in_process: bool | None = None) -> None:
        super().__init__()
        self.workers = max(1, workers)
        #: Tasks run in this process (by default when there is one worker).
        self.in_process = self.workers == 1 if in_process is None else in_process
        if self.in_process and self.workers > 1:
            raise ValueError("in_process needs workers=1")
        #: Run once in each worker process as it starts (e.g. warming caches).
        self.initializer = initializer
        self._pool: ProcessPoolExecutor | None = None
        self._generation = 0
        self._marks: Path | None = None

    def describe(self) -> str:
        if self.in_process:
            return "this process"
        return f"{self.workers} local worker process{'' if self.workers == 1 else 'es'}"

    def start(self) -> None:
        if self._marks is None:
            self._marks = _marks_folder()
        if not self.in_process and self._pool is None:
            self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=self.initializer)

    def warm(self) -> None:
        """Start every worker process now (each runs :attr:`initializer`) and wait until they
        are ready, so that the first tasks do not pay for it. Nothing to do with one worker."""
        self.start()
        if self._pool is None:
            return
        # the pool starts a process per task while none is idle: one quick task per worker
        for future in [self._pool.submit(_ready) for _ in range(self.workers)]:
            future.result()

    def check(self) -> str | None:
        """None when tasks can run; else what is wrong (for a health check)."""
        if self._pool is not None and getattr(self._pool, "_broken", False):
            return "the worker pool is broken (it is restarted with the next task)"
        return None

    def close(self, abort: bool = False) -> None:
        try:
            if self._pool is not None:
                if abort:
                    self._terminate(self._pool)
                else:
                    self._pool.shutdown(wait=True)
                self._pool = None
        finally:
            if self._marks is not None:
                shutil.rmtree(self._marks, ignore_errors=True)
                self._marks = None

    @staticmethod
    def _terminate(pool: ProcessPoolExecutor) -> None:
        """Stop the workers now (a running solve is not waited for) and reap them."""
        # ProcessPoolExecutor has no public way to stop running tasks before Python 3.14
        # (terminate_workers); its worker processes are in ``_processes``.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()

    def submit(self, fn: Callable[..., Any], *args: Any, retries: int = DEFAULT_RETRIES
               ) -> LocalTask:
        self.start()
        task = LocalTask(self, f"{getattr(fn, '__name__', 'task')}-{next(self._counter)}",
                         fn, args, max(0, retries))
        if self._pool is not None:
            self._send(task)
        return task

    def _send(self, task: LocalTask) -> None:
        assert self._pool is not None and self._marks is not None
        with contextlib.suppress(OSError):  # a temp cleaner may have removed it
            self._marks.mkdir(parents=True, exist_ok=True)
        task._generation = self._generation
        task._future = self._pool.submit(_run_marked, str(self._marks), task.key, task._fn,
                                         task._args)
        for fn in task._callbacks:
            task._future.add_done_callback(lambda _future, fn=fn: fn())

    def _restart_after(self, task: LocalTask) -> None:
        """The pool ``task`` was sent to broke: a new pool, unless that was done already."""
        if task._generation == self._generation:
            if self._pool is not None:
                self._terminate(self._pool)
            self._pool = self._new_pool()
            self._generation += 1

    def _resubmit(self, task: LocalTask) -> None:
        """After a broken pool: the task again, in the new pool."""
        self._restart_after(task)
        self._send(task)

    def _starts(self, task: LocalTask) -> int:
        """How many times the task has started (its marker file)."""
        if self._marks is None:
            return 1 if task._final is not None else 0
        return _read_marks(self._marks / task.key)[0]

    def _deaths(self, task: LocalTask) -> int:
        """How many of the task's runs never ended (their worker died)."""
        if self._marks is None:
            return 0
        starts, ends = _read_marks(self._marks / task.key)
        return starts - ends

    def as_completed(self, tasks: Iterable[Task]) -> Iterator[Task]:
        pending: list[LocalTask] = [t for t in tasks if isinstance(t, LocalTask)]
        while pending:
            here = [t for t in pending if t._future is None]
            for task in here:  # this process is the worker: run them in order
                if task._final is None:
                    task._run_here()
                pending.remove(task)
                yield task
            if not pending:
                return
            for task in [t for t in pending if t.done()]:
                pending.remove(task)
                yield task
            if pending:
                wait([t._future for t in pending if t._future is not None],
                     return_when=FIRST_COMPLETED)


#: Broken pools a task may sit in beyond its retries (pools broken under it by other tasks,
#: before it started) before it fails anyway: the marker files that tell those apart may be
#: gone (a temp cleaner), and a task must not be resubmitted forever.
MAX_EXTRA_BREAKS = 5

#: Prefix of the folders of task marker files (``<prefix><pid>-<random>`` in the temp dir).
MARKS_PREFIX = "optimizer-tasks-"


def _marks_folder() -> Path:
    """A new folder for this executor's marker files; the folders of processes that are gone
    (killed with -9: no cleanup ran) are removed first."""
    root = Path(tempfile.gettempdir())
    for old in root.glob(f"{MARKS_PREFIX}*-*"):
        pid = old.name[len(MARKS_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{MARKS_PREFIX}{os.getpid()}-"))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, another user's
        return True
    return True


def _ready() -> int:
    """A task that does nothing (starts a worker process: :meth:`LocalExecutor.warm`)."""
    return os.getpid()


def _mark(folder: str, key: str, what: str = "start") -> None:
    """Append ``start <pid>`` or ``end <pid>`` to the task's marker file. The folder is made
    again if it was removed (temp cleaners do that); a marker that cannot be written is left
    out (it only counts attempts after a lost worker) and never fails the task."""
    path = os.path.join(folder, key)
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except FileNotFoundError:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, f"{what} {os.getpid()}\n".encode())
        finally:
            os.close(fd)
    except OSError:
        pass


def _read_marks(marker: Path) -> tuple[int, int]:
    """(starts, ends) noted in a task's marker file; a start without an end is a run whose
    worker died."""
    try:
        lines = marker.read_text().split("\n")
    except OSError:  # not started yet, or its folder was removed
        return 0, 0
    return (sum(line.startswith("start ") for line in lines),
            sum(line.startswith("end ") for line in lines))


def _lost(starts: int) -> WorkerLost:
    return WorkerLost(f"the worker process died while running this task ({starts} attempt"
                      f"{'s' if starts > 1 else ''})")


def _run_marked(folder: str | None, key: str, fn: Callable[..., Any], args: tuple[Any, ...]
                ) -> Any:
    """In a worker process: note that the task started and ended (for the attempt count: a
    worker may die after a task ended but before its result left), run it."""
    if folder is None:
        return fn(*args)
    _mark(folder, key)
    try:
        return fn(*args)
    finally:
        _mark(folder, key, "end")


# -- Dask ------------------------------------------------------------------------------------

class DaskTask(Task):
    """A task of a :class:`DaskExecutor` (a ``distributed.Future``, replaced when the task is
    submitted again after a lost worker)."""

    def __init__(self, executor: DaskExecutor, key: str, fn: Callable[..., Any],
                 args: tuple[Any, ...], retries: int) -> None:
        self.key, self.index = key, 0
        self._executor, self._fn, self._args, self._retries = executor, fn, args, retries
        self.future: Any = None
        self._final: tuple[bool, Any] | None = None
        self._final_attempts: int | None = None

    @property
    def attempts(self) -> int:
        if self._final_attempts is not None:
            return self._final_attempts
        return max(1, self._executor._starts(self))

    def done(self) -> bool:
        if self._final is None and self.future.done():
            self._settle()
        return self._final is not None

    def cancel(self) -> None:
        if self._final is None:  # also forgets a finished task's result on the cluster
            self.future.cancel()

    def result(self) -> Any:
        from distributed import wait as dask_wait

        while self._final is None:
            dask_wait([self.future])
            self._settle()
        ok, value = self._final
        if not ok:
            raise value
        return value

    def _settle(self) -> None:
        """The future has finished: keep its outcome, or submit again after a lost worker."""
        from distributed import KilledWorker

        future = self.future
        if future.status == "finished":
            self._final = (True, future.result())
        elif future.status == "cancelled":
            self._final = (False, RuntimeError("cancelled"))
        else:
            error = future.exception()
            if not isinstance(error, KilledWorker):
                self._final = (False, error)
            elif self._executor._marks is None:  # a cluster of others: its scheduler retried
                self._final_attempts = error.allowed_failures + 1
                self._final = (False, WorkerLost(
                    f"the worker process died while running this task "
                    f"({self._final_attempts} attempts)"))
            elif self._executor._deaths(self) <= self._retries:
                # died under it, before it started, or after it ended (its result not yet
                # sent): again
                self._executor._send(self)
                return
            else:
                self._final_attempts = self._executor._starts(self)
                self._final = (False, _lost(self._final_attempts))
        if self._final_attempts is None:
            self._final_attempts = self._executor._attempts(self)
        # the outcome is kept here: the cluster forgets the task (a result kept there would
        # be computed again when the worker holding it is lost)
        future.release()


class DaskExecutor(Executor):
    """Tasks on a Dask cluster: the scheduler at ``address``, or a ``LocalCluster`` of
    ``local_workers`` single-threaded, non-daemonic worker processes started here (and closed
    with the executor).

    On a cluster started here a task whose worker died is submitted again while it has
    attempts left (``retries`` per task); a task waiting on a worker that died has not used
    an attempt. On a cluster given by address, the scheduler's own
    ``distributed.scheduler.allowed-failures`` decides (Dask's default: 3 more runs)."""

    def __init__(self, address: str | None = None, *, local_workers: int = 2) -> None:
        super().__init__()
        self.address = address
        self.workers = max(1, local_workers)
        self.client: Any = None
        self._cluster: Any = None
        self._config: Any = None
        self._marks: Path | None = None

    def describe(self) -> str:
        if self.address is None:
            return f"a local Dask cluster of {self.workers} workers"
        if self.client is None:  # the thread count is known once connected
            return f"the Dask cluster at {self.address}"
        return f"the Dask cluster at {self.address} ({self.workers} worker threads)"

    def start(self) -> None:
        if self.client is not None:
            return
        import dask
        from distributed import Client, LocalCluster

        if self.address is not None:
            self.client = Client(self.address)
            threads = sum(w.get("nthreads", 1)
                          for w in self.client.scheduler_info()["workers"].values())
            self.workers = max(1, threads)
            return
        # read by the nannies each time they (re)start a worker, so kept set until close;
        # allowed-failures 0: a worker's death fails its tasks at once and this executor
        # decides (its marker files tell whether the task had started); lost-worker-timeout:
        # the cluster drops a worker for good if it is down that long after *some* earlier
        # loss (15 s by default: a worker killed twice, restarting slowly, was dropped)
        self._config = dask.config.set({"distributed.worker.daemon": False,
                                        "distributed.scheduler.allowed-failures": 0,
                                        "distributed.deploy.lost-worker-timeout": "86400s"})
        try:
            self._marks = _marks_folder()
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
            self.client = Client(self._cluster)
        except BaseException:
            self.close(abort=True)
            raise

    def close(self, abort: bool = False) -> None:
        try:
            if self.client is not None:
                self.client.close()
        finally:
            self.client = None
            try:
                if self._cluster is not None:
                    self._cluster.close()
            finally:
                self._cluster = None
                if self._config is not None:
                    self._config.__exit__(None, None, None)
                    self._config = None
                if self._marks is not None:
                    shutil.rmtree(self._marks, ignore_errors=True)
                    self._marks = None

    def submit(self, fn: Callable[..., Any], *args: Any, retries: int = DEFAULT_RETRIES
               ) -> DaskTask:
        self.start()
        task = DaskTask(self, f"{getattr(fn, '__name__', 'task')}-{uuid.uuid4().hex}", fn, args,
                        max(0, retries))
        self._send(task)
        return task

    def _send(self, task: DaskTask) -> None:
        # a new key for each attempt; retries=0: a task that raised is not run again
        marks = None if self._marks is None else str(self._marks)
        if self._marks is not None:
            with contextlib.suppress(OSError):  # a temp cleaner may have removed it
                self._marks.mkdir(parents=True, exist_ok=True)
        task.future = self.client.submit(_run_marked, marks, task.key, task._fn, task._args,
                                         key=f"{task.key}-{uuid.uuid4().hex[:8]}",
                                         pure=False, retries=0)

    def _starts(self, task: DaskTask) -> int:
        if self._marks is None:
            return 1
        return _read_marks(self._marks / task.key)[0]

    def _deaths(self, task: DaskTask) -> int:
        if self._marks is None:
            return 0
        starts, ends = _read_marks(self._marks / task.key)
        return starts - ends

    def _attempts(self, task: DaskTask) -> int:
        """Runs of a finished task: its marker (a cluster started here), else 1 + the workers
        that died under it (the scheduler's count)."""
        if self._marks is not None:
            return max(1, self._starts(task))
        try:
            return 1 + int(self.client.run_on_scheduler(_suspicious, task.future.key))
        except Exception:  # a scheduler that refuses run_on_scheduler
            return 1

    def as_completed(self, tasks: Iterable[Task]) -> Iterator[Task]:
        from distributed import as_completed

        by_future = {t.future: t for t in tasks if isinstance(t, DaskTask)}
        if not by_future:
            return
        finished = as_completed(list(by_future))
        for future in finished:
            task = by_future.pop(future)
            if task.done():
                yield task
            else:  # submitted again
                by_future[task.future] = task
                finished.add(task.future)


def _suspicious(key: str, dask_scheduler: Any = None) -> int:
    """On the scheduler: how many workers died while running ``key``."""
    state = dask_scheduler.tasks.get(key) if dask_scheduler is not None else None
    return 0 if state is None else int(state.suspicious)


def make_executor(workers: int | None = None, cluster: str | None = None) -> Executor:
    """The executor for ``--workers`` / ``--cluster``: the Dask scheduler at ``cluster``, else
    at ``$OPTIMIZER_CLUSTER``, else ``workers`` local processes (default: all cores)."""
    address = cluster or cluster_address()
    if address:
        return DaskExecutor(address)
    return LocalExecutor(workers or default_workers())


def _raise_interrupt(signum: int, frame: object) -> None:
    """SIGTERM handler: stop like Ctrl-C (the caller cleans up and exits with code 130)."""
    raise KeyboardInterrupt
