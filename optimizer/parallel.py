"""Independent solves in worker processes, results handed back as they finish."""

from __future__ import annotations

import multiprocessing
import os
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
    calls so that workers start once."""

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.count > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.count,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=error is not None)
            self._pool = None

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
