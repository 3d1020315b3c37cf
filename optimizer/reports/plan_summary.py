"""Rich terminal views of an integrated plan: the summary (status, cost chain, each DC's day)
and the comparison of several plans (baseline and scenarios, or any plan folders)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from models.integrated import CHAIN, IntegratedPlan
from optimizer.reports.console_tables import STATUS_STYLE, columns, id_table

#: How each cost line is named for people.
LABELS = {"purchase": "purchase", "onboarding": "onboarding", "inbound": "inbound transport",
          "facility_fixed": "DC fixed", "closing": "DC closing", "handling": "DC handling",
          "last_mile": "last mile (routes)", "shortage": "shortage penalty", "total": "total"}


def _money(value: float | None, currency: str | None = None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def plan_summary(plan: IntegratedPlan) -> RenderableType:
    """Status, total, the cost chain upstream → DC → last mile, and each open DC's day."""
    s, cur = plan.solve, plan.currency
    head = Table.grid(padding=(0, 2))
    head.add_row("status", f"[{STATUS_STYLE[s.status]}]{s.status.value.upper()}[/] "
                           f"({s.stop_reason})")
    head.add_row("network", f"{s.network_status.value} ({s.network_method}); open DCs: "
                            f"{', '.join(plan.open_facilities) or '-'}")
    missing = not_routed(plan)
    head.add_row("total cost", _money(plan.cost.total if plan.cost and not missing else None,
                                      cur) + (" (no plan: the cost chain below lacks the last "
                                              "mile of " + ", ".join(missing) + ")"
                                              if missing else ""))
    head.add_row("last mile", f"{len(plan.routes)} route(s) a delivery day × "
                              f"{plan.delivery_days:g} delivery days ({s.routing_engines or '-'})")
    head.add_row("seconds", f"{s.seconds:.1f}")
    parts: list[RenderableType] = [Panel(head, title=f"integrated plan: {plan.instance}")]
    if plan.problems:
        why = Table("problems", show_header=True)
        for line in plan.problems[:20]:
            why.add_row(line)
        parts.append(why)
    if plan.cost is not None:
        unit = f" ({cur})" if cur else ""
        title = ("cost chain per period" if not missing else
                 f"cost chain per period: INCOMPLETE, {', '.join(missing)} not routed")
        chain = columns(Table(title=title), "stage", "line", numeric=False)
        columns(chain, f"cost{unit}", "share")
        lines = plan.cost.model_dump()
        total = lines["total"] or 1.0
        for stage, line in CHAIN:
            style = "bold" if line == "total" else None
            if missing and line in ("total", "last_mile"):
                chain.add_row(stage, LABELS[line], "-", "-", style=style)  # not known
                continue
            chain.add_row(stage, LABELS[line], _money(lines[line]),
                          "-" if missing else f"{lines[line] / total:.1%}", style=style)
        chain.caption = (f"the network's own outbound line ({_money(lines['network_outbound'])}) "
                         f"is replaced by the last mile, not added")
        parts.append(chain)
    if plan.facilities:
        unit = f" ({cur})" if cur else ""
        days = columns(id_table("DC", title="representative delivery day per DC"), "zones",
                       "stops", "units", "routes", "km", "hours", f"day cost{unit}",
                       f"period cost{unit}")
        for f in plan.facilities:
            days.add_row(f.facility, str(f.zones), str(f.stops), f"{f.units:,.0f}",
                         str(f.routes), f"{f.km:,.1f}", f"{f.hours:,.1f}", _money(f.day_cost),
                         _money(f.period_cost))
        parts.append(days)
    return Group(*parts)


def not_routed(plan: IntegratedPlan) -> list[str]:
    """The DCs whose day has no plan (their last mile is missing from the cost chain)."""
    if plan.solve.status.has_solution:
        return []
    return [d.facility for d in plan.days if not d.plan.solve.status.has_solution
            or d.plan.unserved]


@dataclass(frozen=True)
class Comparison:
    """Several plans side by side: ``rows`` (section, item, field, one column per plan, then
    ``change_<name>`` per plan after the first: the number minus the first plan's, or
    ``changed`` / blank for text)."""

    names: tuple[str, ...]
    rows: pd.DataFrame


def compare_plans(plans: dict[str, IntegratedPlan]) -> Comparison:
    """The differences that matter: status, cost lines, open DCs, suppliers used, the day's
    routes, vehicles, km and stops, and service (served units, shortage, customers whose DC
    changes). The first plan is the reference."""
    names = tuple(plans)
    rows: list[list[object]] = []

    def add(section: str, item: str, field: str, values: list[object]) -> None:
        first = values[0]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        changes: list[object] = [
            float(v) - float(first) if numeric else  # type: ignore[arg-type]
            ("" if str(v) == str(first) else "changed") for v in values[1:]]
        rows.append([section, item, field, *values, *changes])

    ps = list(plans.values())
    nan = float("nan")

    def each(value: Callable[[IntegratedPlan], object], blank: object = nan) -> list[object]:
        """``value`` of every plan; ``blank`` for a plan without a solution (it has no DCs,
        routes or service to compare: 0 would read as a change)."""
        return [value(p) if p.solve.status.has_solution else blank for p in ps]

    add("solve", "plan", "status", [p.solve.status.value for p in ps])
    for _stage, line in CHAIN:
        add("cost", line, "cost", [p.cost.model_dump()[line] if p.cost else float("nan")
                                   for p in ps])
    dcs = sorted({f for p in ps for f in p.open_facilities})
    for dc in dcs:
        add("facility", dc, "open", each(lambda p, dc=dc: "yes" if dc in p.open_facilities
                                         else "no", "-"))
        day = [{f.facility: f for f in p.facilities}.get(dc) for p in ps]
        add("facility", dc, "routes", each(lambda p, dc=dc: sum(
            1 for r in p.routes if r.facility == dc)))
        add("facility", dc, "period_cost", [
            (d.period_cost if d else 0.0) if p.solve.status.has_solution else nan
            for d, p in zip(day, ps, strict=True)])
    suppliers = sorted({x.supplier for p in ps for x in p.network.purchases})
    for sup in suppliers:
        add("supplier", sup, "units", each(lambda p, sup=sup: sum(
            x.quantity for x in p.network.purchases if x.supplier == sup)))
    add("routes", "day", "routes", each(lambda p: len(p.routes)))
    add("routes", "day", "vehicles", each(lambda p: len({(r.facility, r.vehicle)
                                                        for r in p.routes})))
    add("routes", "day", "km", each(lambda p: sum(r.km for r in p.routes)))
    add("routes", "day", "stops", each(lambda p: len(p.stops)))
    add("service", "all", "served", each(lambda p: sum(c.served for c in p.customers)))
    add("service", "all", "shortage", each(lambda p: sum(c.shortage for c in p.customers)))
    serving = [{c.customer: c.facilities for c in p.customers} for p in ps]
    solved = [s for s, p in zip(serving, ps, strict=True) if p.customers]
    moved = sorted(c for c in serving[0] if len({s.get(c, "") for s in solved}) > 1)
    add("service", "all", "customers_changing_dc", [0] + [
        sum(1 for c in serving[0] if s.get(c, "") != serving[0][c])
        if p.solve.status.has_solution else nan
        for s, p in zip(serving[1:], ps[1:], strict=True)])
    for c in moved[:30]:
        add("customer", c, "facilities", [s.get(c, "") if p.solve.status.has_solution
                                          else "-" for s, p in zip(serving, ps, strict=True)])
    frame = pd.DataFrame(rows, columns=["section", "item", "field", *names,
                                        *(f"change_{n}" for n in names[1:])])
    return Comparison(names, frame)


def why_no_plan(plans: dict[str, IntegratedPlan], most: int = 3) -> list[str]:
    """For each plan without a solution, why (its first ``most`` problems): the comparison
    shows only its status."""
    out = []
    for name, plan in plans.items():
        if plan.solve.status.has_solution:
            continue
        reasons = list(plan.problems) or [plan.solve.stop_reason]
        more = f" (and {len(reasons) - most} more)" if len(reasons) > most else ""
        out.append(f"{name}: {plan.solve.status.value}: {' | '.join(reasons[:most])}{more}")
    return out


def comparison_table(comparison: Comparison, currency: str | None = None) -> Table:
    """The comparison as one Rich table (numbers with thousands separators)."""
    unit = f" ({currency})" if currency else ""
    names = comparison.names
    two = len(names) == 2
    title = (f"comparison (change = {names[1]} − {names[0]})" if two else
             f"comparison (reference: {names[0]}; changes in the CSV)")
    table = columns(Table(title=title + unit), "section", "item", "field", numeric=False)
    columns(table, *names, *(["change"] if two else []))
    width = 3 + len(names) + (1 if two else 0)
    for row in comparison.rows.itertuples(index=False):
        table.add_row(*(_cell(v) for v in list(row)[:width]))
    return table


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "-" if value != value else f"{value:,.2f}"
    return str(value)
