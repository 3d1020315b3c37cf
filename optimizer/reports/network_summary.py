"""Rich terminal summary of a network plan: status, cost with bound and gap, open DCs, cost
lines (check reports use :func:`optimizer.reports.sourcing_summary.check_summary`)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from models.network import NetworkPlan
from models.network.checker import COST_LINES
from optimizer.reports.sourcing_summary import _STATUS_STYLE, _columns, _fit, _id_table, _pct

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
    """Status and cost (with best bound and gap), the DCs (open ones with size, throughput and
    utilisation; closed ones listed), the cost lines with their shares, and the reasons when
    the plan is infeasible."""
    s = plan.solve
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"[{_STATUS_STYLE[s.status]}]{s.status.value.upper()}[/] "
                           f"({s.stop_reason})")
    head.add_row("total cost", money(s.objective, currency))
    head.add_row("best bound", money(s.best_bound, currency))
    head.add_row("gap", _pct(s.gap, 4))
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
        cur = f" ({currency})" if currency else ""
        dcs = _columns(_id_table("DC", title="distribution centres"), "open", "size",
                       "capacity", "throughput", "utilisation", f"fixed cost{cur}",
                       "customers")
        for f in sorted(plan.facilities, key=lambda f: (not f.open, f.facility)):
            capacity = "unlimited" if f.capacity is None else (
                f"{f.capacity:,.0f}" + ("" if f.capacity_unit == "units"
                                        else f" {f.capacity_unit}"))
            dcs.add_row(f.facility, "[green]yes[/]" if f.open else "[dim]no[/]",
                        f.size or "-", capacity if f.open else "-",
                        f"{f.throughput:,.0f}", _pct(f.utilisation) if f.open else "-",
                        money(f.fixed_cost) if f.open else "-", str(f.customers))
        parts.append(_fit(dcs, 1))
    if plan.cost is not None:
        parts.append(cost_table(plan, currency))
    return Group(*parts)


def cost_table(plan: NetworkPlan, currency: str | None = None) -> Table:
    """The cost lines of a plan with their share of the total."""
    assert plan.cost is not None
    cur = f" ({currency})" if currency else ""
    total = plan.cost.total
    table = _columns(Table("line", title=f"cost{cur}", pad_edge=False), "amount", "share")
    for line in (*COST_LINES, "total"):
        amount = getattr(plan.cost, line)
        share = amount / total if total else None
        style = "bold" if line == "total" else ""
        table.add_row(COST_LABELS[line], money(amount), _pct(share), style=style)
    return table
