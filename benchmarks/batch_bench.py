"""The batch benchmark: the same routing instances through ``optimizer batch``'s library on 1
and 2 local worker processes and on a Dask LocalCluster of 2 workers; wall time, speed-up, and
the executor's overhead per task (measured with a trivial task too).

The instances are generated deterministically (``models.routing.generate_day``, seeds 1..N)
and each solve stops at a fixed number of solutions (``--solution-limit``), so every
configuration does the same work; the time limit is only a safety net.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from optimizer.batch import BatchItem, folder_items, run_batch
from optimizer.executor import DaskExecutor, Executor, LocalExecutor


@dataclass(frozen=True)
class Config:
    """One way to run the batch."""

    name: str
    workers: int
    make: Callable[[], Executor]


CONFIGS = (
    Config("1 local worker (this process)", 1, lambda: LocalExecutor(1)),
    Config("2 local worker processes", 2, lambda: LocalExecutor(2)),
    Config("Dask LocalCluster, 2 workers", 2, lambda: DaskExecutor(None, local_workers=2)),
)


@dataclass(frozen=True)
class Measure:
    """One configuration's run of the batch and of the trivial tasks."""

    config: str
    workers: int
    wall_s: float
    solve_s: float
    ok: int
    failed: int
    overhead_per_task_ms: float
    trivial_per_task_ms: float
    start_s: float


def write_instances(folder: Path, count: int, stops: int) -> list[Path]:
    """``count`` delivery days of ``stops`` stops (seeds 1..count) as JSON files."""
    from models.routing import generate_day
    from optimizer.formats.routing import write_routing_instance

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(1, count + 1):
        path = folder / f"day-{stops}-{seed:03d}.json"
        write_routing_instance(generate_day(stops=stops, seed=seed,
                                            name=f"day-{stops}-{seed:03d}"), path, "json")
        paths.append(path)
    return paths


def trivial(value: int) -> int:
    """The trivial task: what the executor costs when the task costs nothing."""
    return value


def _trivial_ms(executor: Executor, tasks: int) -> float:
    executor.map(trivial, [(0,)] * 4)  # warm: the workers are started and have imported
    start = time.perf_counter()
    executor.map(trivial, [(i,) for i in range(tasks)])
    return 1000 * (time.perf_counter() - start) / tasks


def run_config(config: Config, items: list[BatchItem], out: Path, trivial_tasks: int
               ) -> Measure:
    """Run the batch on a fresh executor of ``config``, then the trivial tasks on another."""
    start = time.perf_counter()
    result = run_batch(items, out, config.make())
    wall = time.perf_counter() - start
    solve = sum(r.seconds for r in result.rows)
    started = time.perf_counter()
    with config.make() as executor:
        executor.map(trivial, [(0,)])
        start_s = time.perf_counter() - started
        trivial_ms = _trivial_ms(executor, trivial_tasks)
    # what each task cost beyond its own solve: the workers' busy time not spent solving
    overhead = 1000 * max(0.0, wall * config.workers - solve) / max(1, len(items))
    return Measure(config.name, config.workers, round(wall, 2), round(solve, 2),
                   len(result.rows) - result.failed, result.failed, round(overhead, 1),
                   round(trivial_ms, 2), round(start_s, 2))


def run(instances: int = 40, stops: int = 25, solution_limit: int = 100,
        time_limit: float = 30.0, trivial_tasks: int = 200,
        on_measure: Callable[[Measure], None] | None = None) -> list[Measure]:
    """Every configuration on the same ``instances`` generated days."""
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        folder = Path(tmp) / "instances"
        write_instances(folder, instances, stops)
        items = folder_items(folder, "routing", {"solution_limit": solution_limit,
                                                 "time_limit": time_limit, "seed": 0})
        measures = []
        for i, config in enumerate(CONFIGS):
            measure = run_config(config, items, Path(tmp) / f"out-{i}", trivial_tasks)
            measures.append(measure)
            if on_measure is not None:
                on_measure(measure)
    return measures


def report(measures: list[Measure], instances: int, stops: int, solution_limit: int,
           time_limit: float, machine: str) -> str:
    """The markdown report: one row per configuration."""
    base = measures[0].wall_s if measures else 0.0
    lines = [
        f"# batch-routing-{instances}x{stops}",
        "",
        f"{instances} generated delivery days (`generate_day(stops={stops}, seed=1..{instances})`"
        f"), routing job options solution_limit {solution_limit}, time_limit {time_limit:g} s, "
        f"seed 0; each configuration runs `optimizer.batch.run_batch` (read, solve, check, "
        f"write the plan folder, results.csv) on a fresh executor.",
        "",
        machine,
        "",
        "| configuration | workers | wall s | speed-up | sum of solves s | ok | failed | "
        "overhead per task ms | trivial task ms | first task s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in measures:
        speedup = base / m.wall_s if m.wall_s else 0.0
        lines.append(f"| {m.config} | {m.workers} | {m.wall_s:.2f} | {speedup:.2f} | "
                     f"{m.solve_s:.2f} | {m.ok} | {m.failed} | {m.overhead_per_task_ms:.1f} | "
                     f"{m.trivial_per_task_ms:.2f} | {m.start_s:.2f} |")
    lines += [
        "",
        "- speed-up: wall time of 1 local worker / this wall time.",
        "- overhead per task: (wall x workers - sum of the solves' own seconds) / instances: "
        "reading, writing the plan folder and report, the executor's round trips, idle "
        "workers at the end.",
        "- trivial task: wall time per task of mapping a task that returns at once, after "
        "warm-up (the executor's own cost per task: pickling, the pool's or the scheduler's "
        "round trip).",
        "- first task: starting the executor and running one trivial task (processes spawned, "
        "a LocalCluster's scheduler and nannies started).",
        "",
    ]
    return "\n".join(lines)
