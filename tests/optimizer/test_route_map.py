"""Route maps a manager can read: a legend entry per vehicle, labelled depots, axis units, the
lat/lon aspect, a large fleet's legend kept outside the map and capped."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from matplotlib.image import imread

from models.routing import RoutingInstance, RoutingSummary, assemble_plan
from models.solver import SolveStatus
from optimizer.reports.route_map import MAX_LEGEND_VEHICLES, route_map_figure, write_route_map

SUMMARY = RoutingSummary(status=SolveStatus.FEASIBLE, engine="test", stop_reason="")


def _instance(geo: bool, vehicles: int = 2, stops: int = 6) -> RoutingInstance:
    def place(i: int) -> dict[str, float]:
        if geo:
            return {"lat": 60.0 + 0.01 * (i % 5), "lon": 10.0 + 0.02 * (i // 5)}
        return {"x": 100.0 * (i % 5), "y": 100.0 * (i // 5)}

    depot = {"lat": 60.02, "lon": 10.05} if geo else {"x": 250.0, "y": 250.0}
    return RoutingInstance.model_validate({
        "name": "map-test",
        "depots": [{"id": "North DC", **depot}],
        "vehicle_types": [{"id": "van", "count": vehicles, "capacity": [100.0],
                           "start_depot": "North DC", "cost_per_km": 1.0}],
        "stops": [{"id": f"s{i}", **place(i), "delivery": [1.0],
                   **({} if i else {"drop_penalty": 5.0})} for i in range(stops)],
        "distance": {"kind": "haversine" if geo else "euclidean"},
    })


def _legend(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_geographic_map_has_vehicle_legend_depot_label_units_and_aspect(tmp_path: Path):
    inst = _instance(geo=True)
    plan = assemble_plan(inst, [("van", 0, ["s1", "s2", "s3"]), ("van", 1, ["s4", "s5"])],
                         SUMMARY)
    fig = route_map_figure(inst, plan)
    ax = fig.axes[0]
    legend = _legend(fig)
    for r in plan.routes:
        assert f"van#{r.vehicle}: {len(r.visits)} stops, {r.distance / 1000:,.1f} km" in legend
    assert "unserved (1)" in legend and "depot" in legend
    assert "North DC" in [t.get_text() for t in ax.texts]
    assert "degrees" in ax.get_xlabel() and "degrees" in ax.get_ylabel()
    mean_lat = (6 * 60.0 + 0.01 * (0 + 1 + 2 + 3 + 4 + 0) + 60.02) / 7
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(mean_lat)))
    out = tmp_path / "map.png"
    assert write_route_map(inst, plan, out)
    assert imread(out).shape[0] > 500


def test_planar_map_is_equal_aspect_in_instance_units():
    inst = _instance(geo=False)
    plan = assemble_plan(inst, [("van", 0, ["s0", "s1"])], SUMMARY)
    fig = route_map_figure(inst, plan)
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0
    assert "units" in ax.get_xlabel()
    assert f"van#0: 2 stops, {plan.routes[0].distance:,.1f} units" in _legend(fig)


def test_large_fleet_legend_is_outside_and_capped(tmp_path: Path):
    n = MAX_LEGEND_VEHICLES + 7
    inst = _instance(geo=False, vehicles=n, stops=2 * n)
    plan = assemble_plan(inst, [("van", k, [f"s{2 * k}", f"s{2 * k + 1}"]) for k in range(n)],
                         SUMMARY)
    fig = route_map_figure(inst, plan)
    legend = _legend(fig)
    vehicles = [t for t in legend if t.startswith("van#")]
    assert len(vehicles) == MAX_LEGEND_VEHICLES
    assert "+7 more vehicles" in legend
    fig.canvas.draw()  # outside: the legend lies right of the map
    box = fig.axes[0].get_legend().get_window_extent()
    assert box.x0 >= fig.axes[0].get_window_extent().x1
    assert write_route_map(inst, plan, tmp_path / "fleet.png")


def test_matrix_instance_without_coordinates_has_no_map(tmp_path: Path):
    inst = RoutingInstance.model_validate({
        "name": "m", "depots": [{"id": "D", "matrix_index": 0}],
        "vehicle_types": [{"id": "van", "count": 1, "capacity": [5.0], "start_depot": "D"}],
        "stops": [{"id": "a", "matrix_index": 1, "delivery": [1.0]}],
        "distance": {"kind": "matrix"},
        "matrix": {"distances": [[0, 10], [10, 0]]},
    })
    plan = assemble_plan(inst, [("van", 0, ["a"])], SUMMARY)
    assert not write_route_map(inst, plan, tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()
