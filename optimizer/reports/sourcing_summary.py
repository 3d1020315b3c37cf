"""Rich terminal summaries of sourcing plans and check reports."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from models.sourcing import CheckReport, MarginalValues, SolveStatus, SourcingPlan

_STATUS_STYLE = {
    SolveStatus.OPTIMAL: "bold green",
    SolveStatus.FEASIBLE: "bold yellow",
    SolveStatus.INFEASIBLE: "bold red",
    SolveStatus.UNBOUNDED: "bold red",
    SolveStatus.NO_SOLUTION: "bold red",
}


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def plan_summary(plan: SourcingPlan, top: int = 10) -> RenderableType:
    """Status, cost breakdown, suppliers and the most concentrated products."""
    s = plan.solve
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"[{_STATUS_STYLE[s.status]}]{s.status.value.upper()}[/] "
                           f"({s.stop_reason})")
    head.add_row("objective", _money(s.objective))
    head.add_row("best bound", _money(s.best_bound))
    head.add_row("gap", _pct(s.gap, 4))
    head.add_row("solver", f"{s.solver}; build {s.build_seconds:.2f} s, "
                           f"solve {s.solve_seconds:.2f} s"
                           + (f" in {s.rounds} rounds" if s.rounds > 1 else "")
                           + f"; {s.variables:,} variables ({s.integer_variables:,} integer), "
                             f"{s.constraints:,} constraints")
    parts: list[RenderableType] = [Panel(head, title=f"sourcing plan: {plan.instance}")]
    if plan.infeasibility:
        why = Table("why the rules cannot all be met (pre-checks)", show_header=True)
        for line in plan.infeasibility:
            why.add_row(line)
        parts.append(why)
    if plan.explanation is not None and plan.explanation.relaxations:
        parts.append(explanation_table(plan))
    if plan.cost is not None:
        cost = Table("onboarding", "purchase", "shortage penalty", "total", title="cost")
        cost.add_row(_money(plan.cost.onboarding), _money(plan.cost.purchase),
                     _money(plan.cost.shortage_penalty), _money(plan.cost.total))
        parts.append(cost)
        sup = Table("supplier", "region", "units", "spend", "onboarding",
                    title=f"suppliers used: {len(plan.suppliers)}"
                          + (f" (top {top} by spend)" if len(plan.suppliers) > top else ""))
        for u in sorted(plan.suppliers, key=lambda u: -u.spend)[:top]:
            sup.add_row(u.supplier, u.region, f"{u.units:,.0f}", _money(u.spend),
                        _money(u.onboarding_cost))
        parts.append(sup)
        prod = Table("product", "demand", "shortage", "suppliers", "max share", "HHI",
                     "defect", "max lead (d)",
                     title="products" + (f" (top {top} by HHI)" if len(plan.products) > top
                                         else ""))
        for k in sorted(plan.products, key=lambda k: -k.hhi)[:top]:
            prod.add_row(k.product, f"{k.demand:,.0f}", f"{k.shortage:,.0f}", str(k.suppliers),
                         _pct(max(k.supplier_shares.values(), default=None)), f"{k.hhi:.3f}",
                         _pct(k.defect_rate, 2), "-" if k.max_lead_time_days is None
                         else f"{k.max_lead_time_days:g}")
        parts.append(prod)
    if plan.risk is not None:
        r = plan.risk
        risk = Table("scenario", "probability", "cost", "spot units", "unmet units",
                     title=f"scenarios: expected cost {_money(r.expected_cost)}, "
                           f"VaR {r.alpha:.0%} {_money(r.var)}, CVaR {r.alpha:.0%} "
                           f"{_money(r.cvar)}")
        for o in sorted(r.scenarios, key=lambda o: -o.cost)[:top]:
            risk.add_row(o.scenario, f"{o.probability:.2%}", _money(o.cost),
                         f"{o.spot_units:,.0f}", f"{o.unmet_units:,.0f}")
        parts.append(risk)
    return Group(*parts)


def explanation_table(plan: SourcingPlan) -> RenderableType:
    """The rules the least-violating plan breaks, in business words."""
    assert plan.explanation is not None
    table = Table("rule", "subject", "by how much", "what would have to give",
                  title="[bold red]what has to give[/] (least total relative violation)",
                  caption=plan.explanation.note)
    for r in plan.explanation.relaxations:
        table.add_row(r.title, r.subject, f"{r.amount:,.6g}", r.message)
    return table


def marginals_table(values: MarginalValues, top: int = 20) -> RenderableType:
    """The largest marginal values (by size), with what they are conditional on."""
    table = Table("limit", "subject", "value", "unit",
                  title=f"marginal values (top {top} by size)", caption=values.basis)
    for v in sorted(values.values, key=lambda v: -abs(v.value))[:top]:
        table.add_row(v.kind, v.subject, f"{v.value:,.4f}", v.unit)
    return table


def check_summary(report: CheckReport, limit: int = 50) -> RenderableType:
    """The checker's violations, or a line saying the plan passed."""
    if report.ok:
        return f"[bold green]plan passes every check[/] (recomputed cost {report.total:,.2f})"
    table = Table("rule", "subject", "by how much", "what is wrong",
                  title=f"[bold red]{len(report.violations)} violation(s)[/]")
    for v in report.violations[:limit]:
        table.add_row(v.rule, v.subject, f"{v.amount:,.6g}", v.message)
    return table
