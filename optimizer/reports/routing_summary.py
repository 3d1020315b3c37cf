"""Rich terminal summaries of route plans and check reports."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table

from models.routing import (
    CheckReport,
    RoutePlan,
    RoutingInstance,
    is_metric,
    time_text,
    window_text,
)
from models.solver import SolveStatus


def _distance(value: float, metric: bool) -> str:
    """km (metric) or plain instance units, one decimal."""
    return f"{value / 1000:,.1f}" if metric else f"{value:,.1f}"


def _duration(value: float, metric: bool) -> str:
    """Hours, two decimals (metric), or plain instance units, one decimal."""
    return f"{value / 3600:,.2f}" if metric else f"{value:,.1f}"


def plan_summary(plan: RoutePlan, inst: RoutingInstance | None = None,
                 top: int = 15) -> RenderableType:
    """Totals, the routes, and every unserved stop with its reason.

    With a geographic or matrix ``inst`` (metres, seconds): times as ``HH:MM`` (``1d 07:30``
    from the second day), distances in km, durations in hours. Planar instances (abstract
    units), or no instance: plain numbers, in "units"."""
    metric = is_metric(inst)
    km, h = ("km", "h") if metric else ("units", "units")
    s = plan.solve
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"{s.status.value.upper()} ({s.stop_reason}; {s.engine}, "
                           f"{s.seconds:.1f} s)")
    head.add_row("vehicles", f"{plan.vehicles_used} used, {len(plan.unused_vehicles)} unused")
    if not plan.routes and s.status in (SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION):
        head.add_row("cost", "no plan")  # not a plan costing 0
        return Group(head, *_unserved(plan))
    head.add_row("distance", f"{_distance(plan.distance, metric)} {km}")
    head.add_row("duration", f"{_duration(plan.duration, metric)} {h}")
    head.add_row("cost", f"{plan.cost:,.2f}" + (
        f" {inst.objective.currency}" if inst is not None and inst.objective.currency else ""))
    parts: list[RenderableType] = [head]
    currency = inst.objective.currency if inst is not None else None
    routes = Table(title=f"routes ({len(plan.routes)})"
                         + (f", first {top}" if len(plan.routes) > top else ""))
    routes.add_column("vehicle", no_wrap=True, overflow="fold", min_width=7)
    for name in ("stops", "start", "end", f"distance ({km})", f"duration ({h})"):
        routes.add_column(name, justify="right")
    routes.add_column("breaks")
    routes.add_column("cost" + (f" ({currency})" if currency else ""), justify="right")
    for r in plan.routes[:top]:
        breaks = ", ".join(f"{b.id} {window_text(b.start, b.end, metric)}" for b in r.breaks)
        routes.add_row(f"{r.vehicle_type}#{r.vehicle}", str(len(r.visits)),
                       time_text(r.start_time, metric), time_text(r.end_time, metric),
                       _distance(r.distance, metric), _duration(r.duration, metric), breaks,
                       f"{r.cost:,.2f}")
    parts.append(routes)
    parts += _unserved(plan)
    return Group(*parts)


def _unserved(plan: RoutePlan) -> list[RenderableType]:
    """Every unserved stop with its reason (nothing when none)."""
    if not plan.unserved:
        return []
    left = Table(title=f"unserved stops ({len(plan.unserved)})")
    left.add_column("stop", no_wrap=True, overflow="fold", min_width=4)
    left.add_column("reason", no_wrap=True, overflow="fold")
    left.add_column("detail")
    for u in plan.unserved:
        left.add_row(u.stop, u.reason, u.detail)
    return [left]


def check_summary(report: CheckReport, limit: int = 50) -> RenderableType:
    """The checker's violations, or a line saying the plan passed."""
    if report.ok:
        return (f"[bold green]plan passes every check[/] (recomputed distance "
                f"{report.distance:,.2f}, cost {report.cost:,.2f})")
    table = Table("rule", "subject", "by how much", "what is wrong",
                  title=f"[bold red]{len(report.violations)} violation(s)[/]")
    for v in report.violations[:limit]:
        table.add_row(v.rule, v.subject, f"{v.amount:,.6g}", v.message)
    return table
