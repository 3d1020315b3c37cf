"""A traced frontier on disk: frontier.csv, frontier.json, frontier.png and each point's plan."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from optimizer.atomic import atomic_write_text
from optimizer.formats.sourcing import write_sourcing_plan
from optimizer.frontier import Frontier
from optimizer.reports.frontier_chart import write_frontier_chart

COLUMNS = ["index", "epsilon", "cost", "measure", "suppliers_used", "status", "gap", "seconds",
           "dominated", "cap_met", "note"]


def frontier_frame(frontier: Frontier) -> pd.DataFrame:
    """One row per point, in cap order."""
    rows = [p.model_dump(mode="json") for p in frontier.points]
    return pd.DataFrame(rows, columns=COLUMNS)


def write_frontier(frontier: Frontier, out_dir: Path | str) -> list[Path]:
    """Write the table, a JSON summary, the chart and ``points/NN/`` plans, each atomically."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "frontier.csv", out / "frontier.json", out / "frontier.png"]
    atomic_write_text(written[0], frontier_frame(frontier).to_csv(index=False))
    summary = {
        "instance": frontier.instance,
        "measure": frontier.measure.value,
        "least_measure": frontier.least,
        "least_measure_status": None if frontier.least_status is None
        else frontier.least_status.value,
        "seconds": round(frontier.seconds, 3),
        "workers": frontier.workers,
        "points": [p.model_dump(mode="json") for p in frontier.points],
    }
    atomic_write_text(written[1], json.dumps(summary, indent=2) + "\n")
    write_frontier_chart(frontier, written[2])
    for index, plan in sorted(frontier.plans.items()):
        written += write_sourcing_plan(plan, out / "points" / f"{index:02d}")
    return written
