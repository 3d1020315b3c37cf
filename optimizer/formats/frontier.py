"""A traced frontier on disk: frontier.csv, frontier.json, frontier.png and each point's plan.

The folder is replaced as a whole (:mod:`optimizer.output_folder`): the ``points/NN`` plans of
an earlier, longer frontier never sit beside a new one."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from optimizer.formats.sourcing import write_plan_files
from optimizer.frontier import Frontier
from optimizer.output_folder import FRONTIER_MARKERS, staged_folder
from optimizer.reports.frontier_chart import write_frontier_chart

COLUMNS = ["index", "epsilon", "cost", "measure", "suppliers_used", "status", "gap", "seconds",
           "dominated", "cap_met", "note"]


def frontier_frame(frontier: Frontier, currency: str | None = None) -> pd.DataFrame:
    """One row per point, in cap order (``cost_EUR`` with a currency)."""
    rows = [p.model_dump(mode="json") for p in frontier.points]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["knee"] = [p.index == frontier.knee for p in frontier.points]
    return frame.rename(columns={"cost": f"cost_{currency}"} if currency else {})


def write_frontier(frontier: Frontier, out_dir: Path | str, currency: str | None = None,
                   inputs: Iterable[Path | str] = (), report: bool = True) -> list[Path]:
    """Replace ``out_dir`` by the table, a JSON summary, the chart, with ``report``
    ``report.html`` (docs/report.md), and ``points/NN/`` plans."""
    out = Path(out_dir)
    names = ["frontier.csv", "frontier.json", "frontier.png"]
    frame = frontier_frame(frontier, currency)
    with staged_folder(out, inputs, FRONTIER_MARKERS) as stage:
        (stage / names[0]).write_text(frame.to_csv(index=False), encoding="utf-8")
        summary = {
            "instance": frontier.instance,
            "measure": frontier.measure.value,
            "currency": currency,
            "least_measure": frontier.least,
            "least_measure_status": None if frontier.least_status is None
            else frontier.least_status.value,
            "knee": frontier.knee,
            "seconds": round(frontier.seconds, 3),
            "workers": frontier.workers,
            "points": [p.model_dump(mode="json") for p in frontier.points],
        }
        (stage / names[1]).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        write_frontier_chart(frontier, stage / names[2], currency)
        if report:
            from optimizer.reports.html import REPORT_FILE
            from optimizer.reports.html.frontier import frontier_report

            frontier_report(frontier, frame, currency).write(stage / REPORT_FILE)
            names.append(REPORT_FILE)
        for index, plan in sorted(frontier.plans.items()):
            folder = stage / "points" / f"{index:02d}"
            folder.mkdir(parents=True)
            names += [f"points/{index:02d}/{name}"
                      for name in write_plan_files(plan, folder, currency)]
    return [out / name for name in names]
