"""A suite's instances through the executor: one at a time in this process by default (the
timings of a benchmark are its own), or ``--jobs N`` local worker processes, or a Dask cluster
(``--cluster ADDRESS``; ``--cluster local`` starts a LocalCluster of ``--jobs`` workers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from optimizer.executor import DaskExecutor, Executor, LocalExecutor

#: ``--cluster`` value that starts a Dask LocalCluster here.
LOCAL_CLUSTER = "local"


def suite_executor(jobs: int = 1, cluster: str | None = None) -> Executor:
    """The executor for ``--jobs`` / ``--cluster`` (the benchmarks ignore $OPTIMIZER_CLUSTER:
    a benchmark runs alone unless told otherwise)."""
    if cluster == LOCAL_CLUSTER:
        return DaskExecutor(None, local_workers=max(1, jobs))
    if cluster:
        return DaskExecutor(cluster)
    return LocalExecutor(max(1, jobs))


def each_finished(fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], jobs: int = 1,
                  cluster: str | None = None) -> Iterator[Any]:
    """``fn(*task)`` for every task, yielded as each finishes (in task order with one job and
    no cluster); the first error is raised. ``fn`` must be defined at module level."""
    with suite_executor(jobs, cluster) as executor:
        submitted = [executor.submit(fn, *task) for task in tasks]
        for task in executor.as_completed(submitted):
            yield task.result()


def describe(jobs: int = 1, cluster: str | None = None) -> str:
    """How the instances ran, for a report's header."""
    if cluster == LOCAL_CLUSTER:
        return f"{jobs} instance(s) at once on a local Dask cluster"
    if cluster:
        return f"instances on the Dask cluster at {cluster}"
    return "one instance at a time" if jobs <= 1 else f"{jobs} instances at once (processes)"
