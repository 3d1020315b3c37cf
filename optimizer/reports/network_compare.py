"""Two plans of the same network side by side: open DCs, cost lines, customers that changed DC.

:func:`compare_rows` gives one tidy table (``section, item, field, a, b, difference``) that is
both the CSV (``optimizer network compare ... --out compare.csv``) and the source of the Rich
tables of :func:`compare_tables`:

* ``facility`` rows: per DC that differs or is open in either plan, ``open`` (yes/no),
  ``size``, ``throughput`` and ``utilisation``;
* ``cost`` rows: every cost line and ``total`` with B - A;
* ``customer`` rows: every customer whose serving DCs differ (``facilities``, ``;``-separated,
  blank when nothing is delivered), with its cost to serve in each plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from rich.console import Group, RenderableType
from rich.table import Table

from models.network import COST_LINES, NetworkInstance, NetworkPlan
from optimizer.reports.console_tables import columns, fit, id_table
from optimizer.reports.network_summary import COST_LABELS

COLUMNS = ["section", "item", "field", "a", "b", "difference"]


@dataclass(frozen=True)
class Comparison:
    """The rows of a comparison and the figures the console headline needs."""

    rows: pd.DataFrame
    changed_customers: int
    total_a: float | None
    total_b: float | None


def plan_mismatch(inst: NetworkInstance, plan: NetworkPlan) -> list[str]:
    """Ids in ``plan`` that ``inst`` does not have (a plan of another network)."""
    places = {p.id for p in (*inst.suppliers, *inst.facilities, *inst.customers)}
    unknown = [f"facility {f.facility}" for f in plan.facilities
               if f.facility not in inst.facility_by_id]
    unknown += [f"customer {c.customer}" for c in plan.customers
                if c.customer not in inst.customer_by_id]
    unknown += [f"place {p}" for flow in plan.flows for p in (flow.origin, flow.destination)
                if p not in places]
    return list(dict.fromkeys(unknown))


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def compare_plans(inst: NetworkInstance, a: NetworkPlan, b: NetworkPlan) -> Comparison:
    """Compare plan ``a`` with plan ``b`` of ``inst`` (differences are b - a)."""
    rows: list[tuple[object, ...]] = []
    use_a = {f.facility: f for f in a.facilities}
    use_b = {f.facility: f for f in b.facilities}
    for f in inst.facilities:
        fa, fb = use_a.get(f.id), use_b.get(f.id)
        open_a, open_b = bool(fa and fa.open), bool(fb and fb.open)
        if not (open_a or open_b):
            continue
        rows.append(("facility", f.id, "open", "yes" if open_a else "no",
                     "yes" if open_b else "no", "" if open_a == open_b else
                     ("opened" if open_b else "closed")))
        size_a = fa.size if fa and fa.open else None
        size_b = fb.size if fb and fb.open else None
        rows.append(("facility", f.id, "size", size_a, size_b,
                     "" if size_a == size_b else "changed"))
        through_a = fa.throughput if fa else 0.0
        through_b = fb.throughput if fb else 0.0
        rows.append(("facility", f.id, "throughput", through_a, through_b,
                     through_b - through_a))
        util_a = fa.utilisation if fa and fa.open else None
        util_b = fb.utilisation if fb and fb.open else None
        rows.append(("facility", f.id, "utilisation", util_a, util_b,
                     _difference(util_a, util_b)))
    for line in (*COST_LINES, "total"):
        va = getattr(a.cost, line) if a.cost is not None else None
        vb = getattr(b.cost, line) if b.cost is not None else None
        rows.append(("cost", line, "cost", va, vb, _difference(va, vb)))
    serve_a = {c.customer: c for c in a.customers}
    serve_b = {c.customer: c for c in b.customers}
    changed = 0
    for c in inst.customers:
        ca, cb = serve_a.get(c.id), serve_b.get(c.id)
        dcs_a = ca.facilities if ca else ""
        dcs_b = cb.facilities if cb else ""
        if dcs_a == dcs_b:
            continue
        changed += 1
        rows.append(("customer", c.id, "facilities", dcs_a, dcs_b, "changed"))
        cost_a = ca.cost_to_serve if ca else None
        cost_b = cb.cost_to_serve if cb else None
        rows.append(("customer", c.id, "cost_to_serve", cost_a, cost_b,
                     _difference(cost_a, cost_b)))
    return Comparison(pd.DataFrame(rows, columns=COLUMNS), changed, a.objective, b.objective)


def _shown(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"{value:,.{digits}f}"
    return str(value)


def _signed(value: object, digits: int = 2) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool) and value == value:
        if abs(value) < 0.5 * 10 ** -digits:
            return "0"
        colour = "red" if value > 0 else "green"
        return f"[{colour}]{value:+,.{digits}f}[/]"
    return _shown(value, digits)


def compare_tables(comparison: Comparison, name_a: str = "A", name_b: str = "B",
                   currency: str | None = None, top: int = 30) -> RenderableType:
    """The comparison as Rich tables: DCs (open, size, throughput, utilisation in each plan),
    cost lines with B - A (red: B costs more), and the customers that changed DC (the first
    ``top``, largest change in cost to serve first)."""
    rows = comparison.rows
    cur = f" ({currency})" if currency else ""
    parts: list[RenderableType] = []
    dcs = columns(id_table("DC", title="distribution centres"),
                   f"open {name_a}", f"open {name_b}", f"size {name_a}", f"size {name_b}",
                   f"throughput {name_a}", f"throughput {name_b}", "change")
    facility = rows[rows.section == "facility"]
    for dc, group in facility.groupby("item", sort=False):
        value = {r.field: r for r in group.itertuples()}
        change = value["open"].difference or ("resized" if value["size"].difference else "")
        dcs.add_row(str(dc), value["open"].a, value["open"].b, _shown(value["size"].a),
                    _shown(value["size"].b), _shown(value["throughput"].a, 0),
                    _shown(value["throughput"].b, 0),
                    f"[bold]{change}[/]" if change else "")
    parts.append(fit(dcs, 1))
    cost = columns(Table("line", title=f"cost{cur}", pad_edge=False), name_a, name_b,
                    f"{name_b} - {name_a}")
    for r in rows[rows.section == "cost"].itertuples():
        cost.add_row(COST_LABELS[r.item], _shown(r.a), _shown(r.b), _signed(r.difference),
                     style="bold" if r.item == "total" else "")
    parts.append(cost)
    customers = rows[rows.section == "customer"]
    if comparison.changed_customers:
        served = customers[customers.field == "facilities"].set_index("item")
        costs = customers[customers.field == "cost_to_serve"].set_index("item")
        order = sorted(served.index, key=lambda c: -abs(costs.difference[c])
                       if isinstance(costs.difference[c], float | int) else 0.0)
        table = columns(id_table(
            "customer", f"DC {name_a}", f"DC {name_b}",
            title=f"customers that changed DC: {comparison.changed_customers}"
                  + (f" (top {top} by change in cost to serve)"
                     if comparison.changed_customers > top else "")),
            f"cost to serve {name_a}{cur}", f"cost to serve {name_b}{cur}", "change")
        for c in order[:top]:
            table.add_row(str(c), served.a[c] or "-", served.b[c] or "-", _shown(costs.a[c]),
                          _shown(costs.b[c]), _signed(costs.difference[c]))
        parts.append(fit(table, 3))
    else:
        parts.append("no customer changed DC")
    return Group(*parts)
