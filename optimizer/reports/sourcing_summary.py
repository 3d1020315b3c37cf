"""Rich terminal summaries of sourcing plans and check reports."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from models.sourcing import CheckReport, MarginalValues, SourcingPlan
from optimizer.reports.console_tables import (
    STATUS_STYLE,
    columns,
    fit,
    id_table,
    money,
    pct,
    unit,
)


def plan_summary(plan: SourcingPlan, top: int = 10,
                 currency: str | None = None) -> RenderableType:
    """Status, cost breakdown, suppliers and the most concentrated products; money with
    thousands separators and ``currency`` (the instance's ``policy.currency``) in the
    headers; ids are never cut."""
    s = plan.solve
    cur = unit(currency)
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"[{STATUS_STYLE[s.status]}]{s.status.value.upper()}[/] "
                           f"({s.stop_reason})")
    head.add_row("objective", money(s.objective) + (f" {currency}" if currency else ""))
    head.add_row("best bound", money(s.best_bound) + (f" {currency}" if currency else ""))
    head.add_row("gap", pct(s.gap, 4))
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
        cost = columns(Table(title=f"cost{cur}"), "onboarding", "purchase",
                        "shortage penalty", "total")
        cost.add_row(money(plan.cost.onboarding), money(plan.cost.purchase),
                     money(plan.cost.shortage_penalty), money(plan.cost.total))
        parts.append(cost)
        sup = columns(id_table("supplier", "region",
                                 title=f"suppliers used: {len(plan.suppliers)}"
                                 + (f" (top {top} by spend)" if len(plan.suppliers) > top
                                    else "")),
                       "units", f"spend{cur}", f"onboarding{cur}")
        for u in sorted(plan.suppliers, key=lambda u: -u.spend)[:top]:
            sup.add_row(u.supplier, u.region, f"{u.units:,.0f}", money(u.spend),
                        money(u.onboarding_cost))
        parts.append(fit(sup, 2))
        prod = columns(id_table("product",
                                  title="products" + (f" (top {top} by HHI)"
                                                      if len(plan.products) > top else "")),
                        "demand", "short", "suppl.", "top share", "HHI", "defect",
                        "lead (d)")
        for k in sorted(plan.products, key=lambda k: -k.hhi)[:top]:
            prod.add_row(k.product, f"{k.demand:,.0f}", f"{k.shortage:,.0f}", str(k.suppliers),
                         pct(max(k.supplier_shares.values(), default=None)), f"{k.hhi:.3f}",
                         pct(k.defect_rate, 2), "-" if k.max_lead_time_days is None
                         else f"{k.max_lead_time_days:g}")
        parts.append(fit(prod, 1))
    if plan.risk is not None:
        r = plan.risk
        risk = columns(id_table("scenario",
                                  title=f"scenarios{cur}: expected cost "
                                        f"{money(r.expected_cost)}, VaR {r.alpha:.0%} "
                                        f"{money(r.var)}, CVaR {r.alpha:.0%} "
                                        f"{money(r.cvar)}"),
                        "probability", f"cost{cur}", "spot units", "unmet units")
        for o in sorted(r.scenarios, key=lambda o: -o.cost)[:top]:
            risk.add_row(o.scenario, f"{o.probability:.2%}", money(o.cost),
                         f"{o.spot_units:,.0f}", f"{o.unmet_units:,.0f}")
        parts.append(fit(risk, 1))
    return Group(*parts)


def explanation_table(plan: SourcingPlan) -> RenderableType:
    """The rules the least-violating plan breaks, in business words."""
    assert plan.explanation is not None
    table = columns(id_table("rule", "subject",
                               title="[bold red]what has to give[/] (least total relative "
                                     "violation)", caption=plan.explanation.note),
                     "by how much")
    table.add_column("what would have to give")
    for r in plan.explanation.relaxations:
        table.add_row(r.title, r.subject, f"{r.amount:,.6g}", r.message)
    return fit(table, 2)


def marginals_table(values: MarginalValues, top: int = 20) -> RenderableType:
    """The largest marginal values (by size), with what they are conditional on."""
    table = columns(id_table("limit", "subject", title=f"marginal values (top {top} by "
                                                          f"size)", caption=values.basis),
                     "value")
    table.add_column("unit")
    for v in sorted(values.values, key=lambda v: -abs(v.value))[:top]:
        table.add_row(v.kind, v.subject, f"{v.value:,.4f}", v.unit)
    return fit(table, 2)


def check_summary(report: CheckReport, limit: int = 50) -> RenderableType:
    """The checker's violations, or a line saying the plan passed."""
    if report.ok:
        return f"[bold green]plan passes every check[/] (recomputed cost {report.total:,.2f})"
    table = columns(id_table("rule", "subject",
                               title=f"[bold red]{len(report.violations)} violation(s)[/]"),
                     "by how much")
    table.add_column("what is wrong")
    for v in report.violations[:limit]:
        table.add_row(v.rule, v.subject, f"{v.amount:,.6g}", v.message)
    return fit(table, 2)
