"""report.html of an integrated plan (optimizer/reports/html_plan.py): what the map's pop-ups
and colours tell a reader (units, clock times, windows; every route in its DC's colour)."""

from __future__ import annotations

import re

from models.integrated import IntegratedOptions, solve
from optimizer.reports.html_plan import _layers
from tests.models.integrated import tiny


def _plan() -> tuple[object, object]:
    # vans of 60 units: each zone (50 units a day) is a route of its own, two per DC
    data = tiny.tables(fleet=[{"id": "van", "capacity": 60, "fixed_cost": 10,
                               "cost_per_km": 1, "speed_kmh": 50}],
                       orders=[{"id": "o1", "customer": "A1", "units": 1, "x": 0, "y": 12,
                                "service_time": "0:10", "time_windows": "08:00-12:00"}])
    inst = tiny.IntegratedInstance.model_validate(data)
    return inst, solve(inst, IntegratedOptions(routing=tiny.ROUTING))


def test_routes_are_drawn_in_their_dcs_colour_with_clock_times_and_units() -> None:
    inst, plan = _plan()
    layers, planar = _layers(inst, plan)  # type: ignore[misc, arg-type]
    assert planar
    by_name = {layer.name: layer for layer in layers}
    dc_colour = {p.label: p.color for p in by_name["DCs"].items}
    routes = by_name["Routes of the day"].items
    assert len(routes) == 4  # before: four palette colours, two of them another DC's
    for line in routes:
        dc = line.label.split()[0]
        assert line.color == dc_colour[dc]
        fields = dict(line.fields)
        assert fields["load"].endswith(" units")
        assert re.fullmatch(r"\d\d:\d\d → \d\d:\d\d \(\d+:\d\d\)", fields["leaves → back"])
    (order,) = by_name["Order stops"].items
    fields = dict(order.fields)
    assert fields["window"] == "08:00-12:00" and fields["load"] == "50 units a day"
    assert re.fullmatch(r"\d\d:\d\d", fields["delivered at"])
    zone = next(p for p in by_name["Zones"].items if p.label == "B1")
    assert dict(zone.fields)["demand"] == "100 units per period"


def test_a_plan_without_a_solution_says_how_much_demand_it_leaves() -> None:
    """Before: 'Demand served - / 0 of 0 units' (the plan has no customer rows)."""
    from optimizer.reports.html_plan import plan_report

    data = tiny.tables(facilities=[{"id": "DC-A", "x": 0, "y": 0, "capacity": 10},
                                   {"id": "DC-B", "x": 100, "y": 0, "capacity": 10}])
    inst = tiny.IntegratedInstance.model_validate(data)
    plan = solve(inst, IntegratedOptions(routing=tiny.ROUTING))
    assert not plan.solve.status.has_solution
    (kpis,) = [s for s in plan_report(inst, plan).sections if s.kind == "kpis"]
    assert "0 of 400 units" in str(kpis.data) + kpis.body
