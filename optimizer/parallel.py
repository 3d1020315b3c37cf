"""Independent solves in worker processes, results handed back as they finish."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from types import TracebackType
from typing import Any, TypeVar

R = TypeVar("R")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Workers:
    """A pool of ``count`` worker processes, or this process alone when ``count`` is 1.

    Processes are started with ``spawn``: solver libraries hold threads that ``fork`` would copy
    in an unknown state. Use as a context manager; the pool lives across several :meth:`map`
    calls so that workers start once.

    Inside the context SIGTERM raises :class:`KeyboardInterrupt` (in the main thread), and on
    any error or interruption the worker processes are terminated and reaped before the error
    goes on: no worker and no resource tracker outlives the command."""

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self._pool: ProcessPoolExecutor | None = None
        self._sigterm: Any = None

    def __enter__(self) -> Workers:
        if threading.current_thread() is threading.main_thread():
            self._sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)
        if self.count > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.count,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if self._pool is not None:
                if error is not None:
                    self._terminate()
                else:
                    self._pool.shutdown(wait=True)
                self._pool = None
        finally:
            if self._sigterm is not None:
                signal.signal(signal.SIGTERM, self._sigterm)
                self._sigterm = None

    def _terminate(self) -> None:
        """Stop the workers now (a running solve is not waited for) and reap them."""
        assert self._pool is not None
        # ProcessPoolExecutor has no public way to stop running tasks before Python 3.14
        # (terminate_workers); its worker processes are in ``_processes``.
        processes = list(getattr(self._pool, "_processes", {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()

    def map(
        self,
        function: Callable[..., R],
        tasks: Sequence[tuple[Any, ...]],
        on_done: Callable[[int, R], None] | None = None,
    ) -> list[R]:
        """``[function(*task) for task in tasks]``, in parallel; ``on_done(index, result)`` runs
        here as each task finishes. ``function`` must be defined at module level."""
        results: list[Any] = [None] * len(tasks)
        if self._pool is None:
            for i, task in enumerate(tasks):
                results[i] = function(*task)
                if on_done is not None:
                    on_done(i, results[i])
            return results
        futures: dict[Future[R], int] = {self._pool.submit(function, *task): i
                                         for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if on_done is not None:
                on_done(i, results[i])
        return results


def _raise_interrupt(signum: int, frame: object) -> None:
    """SIGTERM handler: stop like Ctrl-C (the caller cleans up and exits with code 130)."""
    raise KeyboardInterrupt
