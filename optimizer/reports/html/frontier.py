"""report.html of a traced frontier: the frontier chart (cost against the diversification
measure, the knee marked), the cost-optimal and knee plans' key figures, and the frontier
table (the frame frontier.csv holds). Each point's own plan stays in ``points/NN/`` (tables
only: a report per point would repeat the page's libraries)."""

from __future__ import annotations

import pandas as pd

from optimizer.frontier import Frontier
from optimizer.reports.frontier_chart import AXIS
from optimizer.reports.html.charts import FrontierPoint
from optimizer.reports.html.page import Kpi, Report, number


def _measure_text(measure: str, value: float | None, currency: str | None) -> str:
    if value is None:
        return "-"
    if measure == "max-share":
        return f"{value:.1%}"
    if measure == "hhi":
        return f"{value:.3f}"
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def frontier_report(frontier: Frontier, frame: pd.DataFrame,
                    currency: str | None = None) -> Report:
    """The report of a frontier; ``frame`` is the table written as frontier.csv."""
    measure = frontier.measure.value
    report = Report(f"Frontier: {frontier.instance}", currency=currency,
                    subtitle=f"cost against {AXIS.get(measure, measure)}; "
                             f"{len(frontier.points)} solves in {frontier.seconds:.1f} s on "
                             f"{frontier.workers} worker(s)")
    solved = [p for p in frontier.points if p.cost is not None and p.measure is not None]
    knee = frontier.knee
    kpis = [Kpi("Points", f"{len(frontier.points):,}",
                f"{len(frontier.efficient):,} efficient")]
    if solved:
        cheapest = min(solved, key=lambda p: p.cost)  # type: ignore[arg-type, return-value]
        kpis.append(Kpi("Least cost", report.money(cheapest.cost),
                        f"{measure} {_measure_text(measure, cheapest.measure, currency)}"))
        safest = min(solved, key=lambda p: p.measure)  # type: ignore[arg-type, return-value]
        kpis.append(Kpi(f"Least {measure}", _measure_text(measure, safest.measure, currency),
                        f"cost {report.money(safest.cost)}"))
    if knee is not None:
        point = next(p for p in frontier.points if p.index == knee)
        kpis.append(Kpi("Knee", f"point {knee}",
                        f"{measure} {_measure_text(measure, point.measure, currency)}, "
                        f"cost {report.money(point.cost)}"))
    report.add_kpis(kpis)
    if solved:
        report.add_frontier(
            [FrontierPoint(float(p.measure), float(p.cost),  # type: ignore[arg-type]
                           f"point {p.index}" + ("" if p.epsilon is None
                                                 else f", cap {number(p.epsilon, 4)}"),
                           dominated=p.dominated, knee=p.index == knee) for p in solved],
            AXIS.get(measure, measure), title="Frontier",
            x_format=".0%" if measure == "max-share" else "")
    failed = [f"point {p.index}: {p.status.value}" + (f" ({p.note})" if p.note else "")
              for p in frontier.points if p.cost is None]
    if failed:
        report.add_notes("Points without a plan", failed, level="warning")
    return report.add_table("frontier", frame,
                            note="each point's plan is in points/NN/ beside this page")
