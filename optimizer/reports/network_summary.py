"""Rich terminal summary of a network plan: status, cost with bound and gap, open DCs, cost
lines (check reports use :func:`optimizer.reports.sourcing_summary.check_summary`)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from models.network import COST_LINES, NetworkPlan
from optimizer.reports.console_tables import STATUS_STYLE, columns, fit, id_table, pct

#: How each cost line is named for people (docs/network-format.md, "Cost").
COST_LABELS = {
    "facility_fixed": "DC fixed", "closing": "closing", "handling": "handling",
    "inbound": "inbound transport", "purchase": "purchase", "onboarding": "onboarding",
    "outbound": "outbound transport", "shortage": "shortage penalty", "total": "total",
}


def money(value: float | None, currency: str | None = None) -> str:
    """``1,234.50 EUR`` (``-`` for None)."""
    if value is None:
        return "-"
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def plan_summary(plan: NetworkPlan, currency: str | None = None) -> RenderableType:
    """Status and cost (with best bound and gap), the open DCs (:func:`facility_table`), the
    cost lines with their shares, and the reasons when the plan is infeasible."""
    s = plan.solve
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"[{STATUS_STYLE[s.status]}]{s.status.value.upper()}[/] "
                           f"({s.stop_reason})")
    head.add_row("total cost", money(s.objective, currency))
    head.add_row("best bound", money(s.best_bound, currency))
    head.add_row("gap", pct(s.gap, 4))
    head.add_row("method", f"{s.method.value} ({s.solver}); build {s.build_seconds:.2f} s, "
                           f"solve {s.solve_seconds:.2f} s; {s.variables:,} variables "
                           f"({s.integer_variables:,} integer), {s.constraints:,} constraints")
    if plan.facilities:
        opened = [f for f in plan.facilities if f.open]
        head.add_row("open DCs", f"{len(opened)} of {len(plan.facilities)}")
    parts: list[RenderableType] = [Panel(head, title=f"network plan: {plan.instance}")]
    if plan.infeasibility:
        why = Table("why the rules cannot all be met", show_header=True)
        for line in plan.infeasibility:
            why.add_row(line)
        parts.append(why)
    if plan.facilities:
        parts.append(facility_table(plan, currency))
    if plan.cost is not None:
        parts.append(cost_table(plan, currency))
    return Group(*parts)


#: Closed DCs named in the caption of the DC table; the rest are counted.
MAX_CLOSED_NAMED = 12


def facility_table(plan: NetworkPlan, currency: str | None = None) -> Table:
    """The open DCs (largest throughput first) with their input status, size, capacity,
    throughput, utilisation, fixed cost and customers; the closed ones named in the caption
    (existing DCs the plan closes first)."""
    cur = f" ({currency})" if currency else ""
    opened = sorted((f for f in plan.facilities if f.open), key=lambda f: -f.throughput)
    closed = sorted((f for f in plan.facilities if not f.open),
                    key=lambda f: (f.status != "existing", f.facility))
    caption = None
    if closed:
        named = ", ".join(f.facility + (" (existing, closed by the plan)"
                                        if f.status == "existing" else "")
                          for f in closed[:MAX_CLOSED_NAMED])
        more = len(closed) - MAX_CLOSED_NAMED
        caption = f"closed: {named}" + (f" and {more} more" if more > 0 else "")
    table = columns(id_table("DC", title=f"open DCs: {len(opened)} of "
                                           f"{len(plan.facilities)}", caption=caption),
                     "status", "size", numeric=False)
    columns(table, "capacity", "throughput", "utilisation", f"fixed cost{cur}", "customers")
    for f in opened:
        capacity = "unlimited" if f.capacity is None else (
            f"{f.capacity:,.0f}" + ("" if f.capacity_unit == "units" else f" {f.capacity_unit}"))
        table.add_row(f.facility, f.status, f.size or "-", capacity, f"{f.throughput:,.0f}",
                      pct(f.utilisation), money(f.fixed_cost), str(f.customers))
    return fit(table, 1)


def cost_table(plan: NetworkPlan, currency: str | None = None) -> Table:
    """The cost lines of a plan with their share of the total."""
    assert plan.cost is not None
    cur = f" ({currency})" if currency else ""
    total = plan.cost.total
    table = columns(Table("line", title=f"cost{cur}", pad_edge=False), "amount", "share")
    for line in (*COST_LINES, "total"):
        amount = getattr(plan.cost, line)
        share = amount / total if total else None
        style = "bold" if line == "total" else ""
        table.add_row(COST_LABELS[line], money(amount), pct(share), style=style)
    return table
