"""Rich terminal view of a network plan's delivery routes (outbound as routes): one line per
DC with its routes of a delivery day, and how they make the cost table's ``outbound`` line."""

from __future__ import annotations

from collections import Counter

from rich.table import Table

from models.network import NetworkPlan, Route
from optimizer.reports.console_tables import columns, fit, id_table


def hhmm(hours: float) -> str:
    """A duration in hours as ``H:MM`` (``9:44``)."""
    minutes = round(hours * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def routes_table(plan: NetworkPlan, delivery_days: float, currency: str | None = None
                 ) -> Table:
    """Per DC: routes of one delivery day by vehicle type, stops, units, km, hours (``H:MM``,
    the sum over its routes), the day's route cost and that × ``delivery_days`` (the DC's part
    of the ``outbound`` line)."""
    unit = f" ({currency})" if currency else ""
    table = columns(id_table("DC", title="delivery routes of one day, per DC"), "routes",
                    numeric=True)
    columns(table, "vehicles", numeric=False)
    columns(table, "stops", "units", "km", "hours", f"cost a day{unit}",
            f"cost per period{unit}")
    by_dc: dict[str, list[Route]] = {}
    for r in plan.routes:
        by_dc.setdefault(r.facility, []).append(r)
    for dc, routes in by_dc.items():
        kinds = Counter(r.vehicle_type for r in routes)
        day = sum(r.cost for r in routes)
        table.add_row(dc, f"{len(routes):,}", ", ".join(f"{n} × {k}" for k, n in kinds.items()),
                      f"{sum(len(r.stop_ids) for r in routes):,}",
                      f"{sum(r.load for r in routes):,.0f}",
                      f"{sum(r.km for r in routes):,.1f}",
                      hhmm(sum(r.hours for r in routes)), f"{day:,.2f}",
                      f"{day * delivery_days:,.2f}")
    day = sum(r.cost for r in plan.routes)
    table.caption = (f"{len(plan.routes):,} route(s) a day, "
                     f"{sum(r.km for r in plan.routes):,.1f} km; the cost table's outbound "
                     f"line = {day:,.2f} a day × {delivery_days:g} delivery day(s) = "
                     f"{day * delivery_days:,.2f}{' ' + currency if currency else ''} "
                     f"(per-unit outbound rates are not charged in routes mode)")
    return fit(table, 1)


__all__ = ["hhmm", "routes_table"]
