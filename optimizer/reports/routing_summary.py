"""Rich terminal summaries of route plans and check reports."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table

from models.routing import CheckReport, RoutePlan


def plan_summary(plan: RoutePlan, top: int = 15) -> RenderableType:
    """Totals, the routes, and every unserved stop with its reason."""
    s = plan.solve
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"{s.status.value.upper()} ({s.stop_reason}; {s.engine}, "
                           f"{s.seconds:.1f} s)")
    head.add_row("vehicles", f"{plan.vehicles_used} used, {len(plan.unused_vehicles)} unused")
    head.add_row("distance", f"{plan.distance:,.2f}")
    head.add_row("duration", f"{plan.duration:,.1f}")
    head.add_row("cost", f"{plan.cost:,.2f}")
    parts: list[RenderableType] = [head]
    routes = Table("vehicle", "stops", "start", "end", "distance", "cost",
                   title=f"routes ({len(plan.routes)})"
                         + (f", first {top}" if len(plan.routes) > top else ""))
    for r in plan.routes[:top]:
        routes.add_row(f"{r.vehicle_type}#{r.vehicle}", str(len(r.visits)),
                       f"{r.start_time:g}", f"{r.end_time:g}", f"{r.distance:,.1f}",
                       f"{r.cost:,.2f}")
    parts.append(routes)
    if plan.unserved:
        left = Table("stop", "reason", "detail", title=f"unserved stops ({len(plan.unserved)})")
        for u in plan.unserved:
            left.add_row(u.stop, u.reason, u.detail)
        parts.append(left)
    return Group(*parts)


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
