"""The product beside PyVRP called directly, in one run (issue 14).

Per instance: PyVRP alone (:mod:`benchmarks.pyvrp_direct`, one process) and ``optimizer
routing solve --workers 1`` at the same time, one core each; then ``optimizer routing solve
--workers 2`` alone on both cores. Every product run is the real command in a new process
(plan checked, outputs written), timed from its start to its exit; PyVRP alone is given the
same seconds of search (its wall time adds reading the file and start-up).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.routing_suite import Case, suite

#: CVRPLIB X instances tuned on (every sixth of x-mid from the second); the rest are held out.
TUNE_EVERY, TUNE_FROM = 6, 1


@dataclass(frozen=True)
class Run:
    """One configuration on one instance."""

    distance: float | None
    wall_s: float
    note: str


@dataclass(frozen=True)
class VersusRow:
    """One instance: PyVRP alone, the product with 1 and with 2 workers."""

    set: str
    instance: str
    n: int
    tuned_on: bool
    reference: float
    direct: float | None
    direct_wall_s: float
    one: float | None
    one_wall_s: float
    two: float | None
    two_wall_s: float
    gap_direct: float | None
    gap_one: float | None
    gap_two: float | None
    notes: str


def versus_cases(name: str) -> list[Case]:
    """``x-mid`` (59), ``solomon`` (56), ``tune`` (the X instances tuned on), ``held-out``."""
    x_mid = suite("x-mid")
    tune = x_mid[TUNE_FROM::TUNE_EVERY]
    if name == "tune":
        return tune
    if name == "held-out":
        return [c for c in x_mid if c not in tune]
    if name in ("x-mid", "solomon"):
        return suite(name)
    raise ValueError(f"unknown suite {name!r}: x-mid, solomon, tune or held-out")


def tuned_on(case: Case) -> bool:
    """Whether the instance is one of those the parameters were tuned on."""
    return case in versus_cases("tune")


def _direct_command(case: Case, seconds: float) -> list[str]:
    if case.set == "X":
        k = int(case.name.rsplit("-k", 1)[1])
        return [sys.executable, "-m", "benchmarks.pyvrp_direct", str(case.path), str(seconds),
                "round", str(k + max(3, math.ceil(0.2 * k)))]
    vrp = case.path.parent.parent / "vrplib" / f"{case.name}.vrp"
    return [sys.executable, "-m", "benchmarks.pyvrp_direct", str(vrp), str(seconds), "dimacs"]


def _product_command(case: Case, seconds: float, workers: int, out: Path) -> list[str]:
    exe = shutil.which("optimizer", path=str(Path(sys.executable).parent)) or "optimizer"
    return [exe, "routing", "solve", str(case.path), "--format", case.fmt, "--workers",
            str(workers), "--time-limit", str(seconds), "--json", "--out", str(out)]


def _start(command: list[str]) -> tuple[subprocess.Popen[str], float]:
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True), time.perf_counter()


def _finish(process: subprocess.Popen[str], started: float, product: bool) -> Run:
    out, err = process.communicate()
    wall = time.perf_counter() - started
    try:
        data = json.loads(out.strip().splitlines()[-1] if not product else out)
    except (json.JSONDecodeError, IndexError):
        tail = (err.strip().splitlines() or ["no output"])[-1]
        return Run(None, round(wall, 2), f"exit {process.returncode}: {tail[:120]}")
    if product:
        if process.returncode != 0 or not data.get("routes"):
            return Run(None, round(wall, 2), f"exit {process.returncode}")
        solve = data["solve"]
        return Run(float(data["distance"]), round(wall, 2),
                   f"{solve['engine']}: {solve['stop_reason']}")
    return Run(data["cost"], round(wall, 2), f"{data['iterations']} iterations")


def compare(case: Case, seconds: float) -> VersusRow:
    """PyVRP alone and the product at 1 worker side by side, then the product at 2 workers."""
    with tempfile.TemporaryDirectory(prefix="versus-") as tmp:
        direct = _start(_direct_command(case, seconds))
        one = _start(_product_command(case, seconds, 1, Path(tmp) / "one"))
        direct_run, one_run = _finish(*direct, False), _finish(*one, True)
        two_run = _finish(*_start(_product_command(case, seconds, 2, Path(tmp) / "two")), True)

    def gap(run: Run) -> float | None:
        return None if run.distance is None else round(
            (run.distance - case.reference) / case.reference, 6)

    return VersusRow(
        set=case.set, instance=case.name, n=case.size, tuned_on=tuned_on(case),
        reference=case.reference, direct=direct_run.distance, direct_wall_s=direct_run.wall_s,
        one=one_run.distance, one_wall_s=one_run.wall_s, two=two_run.distance,
        two_wall_s=two_run.wall_s, gap_direct=gap(direct_run), gap_one=gap(one_run),
        gap_two=gap(two_run),
        notes=f"direct: {direct_run.note} | 1w: {one_run.note} | 2w: {two_run.note}")


def run(cases: list[Case], seconds: float,
        shown: Callable[[VersusRow], None] | None = None) -> Iterator[VersusRow]:
    """Compare on each case in turn (alone on the machine: the runs use both cores)."""
    for case in cases:
        row = compare(case, seconds)
        if shown is not None:
            shown(row)
        yield row


def as_dicts(rows: list[VersusRow]) -> list[dict[str, object]]:
    """Rows for a data frame."""
    return [asdict(r) for r in rows]
