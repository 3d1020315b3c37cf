"""PyVRP called directly on a benchmark file, as its own documentation runs it: the baseline
that ``python -m benchmarks versus`` sets the product beside.

``python -m benchmarks.pyvrp_direct FILE SECONDS ROUNDING [FLEET]`` reads the VRPLIB file with
``pyvrp.read`` (``round`` for CVRPLIB X, ``dimacs`` for Solomon), optionally sets the fleet
size, runs ``pyvrp.solve`` for SECONDS with seed 0 in this one process, and prints one JSON
line: ``cost`` (PyVRP's own, in the file's units after rounding), ``routes``, ``feasible``,
``iterations``, ``search_s`` and ``wall_s`` (from this process's start, imports included).
No code of the optimiser runs here.
"""

from __future__ import annotations

import json
import sys
import time

import psutil


def main(argv: list[str]) -> None:
    """Run once (see the module docstring)."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    path, seconds, rounding = argv[0], float(argv[1]), argv[2]
    data = pyvrp.read(path, round_func=rounding)
    if len(argv) > 3:
        vt = data.vehicle_type(0)
        data = data.replace(vehicle_types=[vt.replace(num_available=int(argv[3]))])
    start = time.perf_counter()
    result = pyvrp.solve(data, MaxRuntime(seconds), seed=0, display=False)
    search = time.perf_counter() - start
    best = result.best
    scale = 10 if rounding == "dimacs" else 1
    print(json.dumps({
        "cost": best.distance() / scale if best.is_feasible() else None,
        "routes": best.num_routes(), "feasible": best.is_feasible(),
        "iterations": result.num_iterations, "search_s": round(search, 2),
        "wall_s": round(time.time() - psutil.Process().create_time(), 2)}))


if __name__ == "__main__":
    main(sys.argv[1:])
