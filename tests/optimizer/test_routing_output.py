"""Plan tables and console summary for people: clocks, km, hours, the route timeline."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from models.routing import (
    RoutePlan,
    RoutingInstance,
    RoutingSummary,
    assemble_plan,
    check_plan,
)
from models.routing.plan_frames import clock, plain
from models.solver import SolveStatus
from optimizer.formats.routing import plan_frames, read_routing_plan, write_routing_plan
from optimizer.reports.routing_summary import plan_summary

SUMMARY = RoutingSummary(status=SolveStatus.FEASIBLE, engine="hand", stop_reason="test")
#: Degrees of latitude that make 10 km on the meridian (haversine, detour 1).
STEP = math.degrees(10_000 / 6_371_008.8)
H = 3600.0


def geo_instance() -> RoutingInstance:
    """On one meridian, 10 km apart: b-a-D-c; 40 km/h, so 900 s a leg of 10 km. The van has a
    lunch break that must start in 11:45-11:50; the truck works the next day."""
    return RoutingInstance.model_validate({
        "name": "geo",
        "depots": [{"id": "D", "lat": 52.0, "lon": 5.0}],
        "vehicle_types": [
            {"id": "van", "capacity": [10], "start_depot": "D", "speed_kmh": 40,
             "detour_factor": 1, "shift_start": 7 * H,
             "breaks": [{"id": "lunch", "earliest": 11.75 * H, "latest": 11 * H + 50 * 60,
                         "duration": 1800}]},
            {"id": "truck", "capacity": [10], "start_depot": "D", "speed_kmh": 40,
             "detour_factor": 1},
        ],
        "stops": [
            {"id": "a", "lat": 52.0 + STEP, "lon": 5.0, "delivery": [2], "service_time": 600,
             "time_windows": [[11 * H, 11.5 * H]]},
            {"id": "b", "lat": 52.0 + 2 * STEP, "lon": 5.0, "delivery": [3], "service_time": 900,
             "time_windows": [[13 * H, 14 * H]]},
            {"id": "c", "lat": 52.0 - STEP, "lon": 5.0, "delivery": [1], "service_time": 600,
             "time_windows": [[24 * H + 7.5 * H, 24 * H + 8 * H]]},
            {"id": "e", "lat": 52.5, "lon": 5.5, "delivery": [1], "drop_penalty": 50,
             "time_windows": [[8 * H, 9 * H]]},
        ],
        "distance": {"kind": "haversine", "rounding": "nint"},
    })


def geo_plan(inst: RoutingInstance) -> RoutePlan:
    """The van leaves at 11:15: a 11:30-11:40, drives 10 min, lunch 11:50-12:20, drives 5 min,
    waits 12:25-13:00 at b, serves until 13:15, back 13:45. The truck serves c the next day."""
    plan = assemble_plan(inst, [("van", 0, ("a", "b")), ("truck", 0, ("c",))], SUMMARY,
                         unserved={"e": ("dropped_for_cost", "cheaper to drop")},
                         start_times={("van", 0): 11.25 * H})
    assert check_plan(inst, plan).ok
    return plan


def planar_instance() -> RoutingInstance:
    """Benchmark-like: abstract units, time = distance. ``van`` rests at 60-90 on its way to
    a; ``late`` must rest in [120, 250] but reaches c at 100 and waits for the break."""
    return RoutingInstance.model_validate({
        "name": "planar",
        "depots": [{"id": "D", "x": 0.0, "y": 0.0}],
        "vehicle_types": [
            {"id": "van", "capacity": [5], "start_depot": "D",
             "breaks": [{"earliest": 50, "latest": 60, "duration": 30}]},
            {"id": "late", "capacity": [5], "start_depot": "D",
             "breaks": [{"id": "rest", "earliest": 120, "latest": 250, "duration": 30}]},
        ],
        "stops": [
            {"id": "a", "x": 100.0, "y": 0.0, "delivery": [1], "service_time": 10,
             "time_windows": [[0, 1000]]},
            {"id": "b", "x": 100.0, "y": 50.0, "delivery": [1], "service_time": 5,
             "time_windows": [[300, 400]]},
            {"id": "c", "x": 0.0, "y": 100.0, "delivery": [1], "service_time": 200},
        ],
    })


def planar_plan(inst: RoutingInstance) -> RoutePlan:
    plan = assemble_plan(inst, [("van", 0, ("a", "b")), ("late", 0, ("c",))], SUMMARY,
                         start_times={("van", 0): 0.0, ("late", 0): 0.0})
    assert check_plan(inst, plan).ok
    return plan


@pytest.mark.parametrize(("seconds", "text"), [
    (0.0, "00:00"), (29.9, "00:00"), (30.0, "00:01"), (7.5 * H, "07:30"),
    (8 * H - 4e-7, "08:00"), (23 * H + 59 * 60 + 29, "23:59"), (23 * H + 59 * 60 + 30, "1d 00:00"),
    (31.5 * H, "1d 07:30"), (7 * 24 * H, "7d 00:00"),
])
def test_clock_rounds_to_the_minute_and_counts_days(seconds: float, text: str) -> None:
    assert clock(seconds) == text


def test_plain_numbers() -> None:
    assert [plain(v) for v in (0.0, 70.0000001, 416.803399, 912.5, -0.001)] == [
        "0", "70", "416.8", "912.5", "0"]


def test_geo_routes_table_has_clocks_km_and_hours() -> None:
    inst = geo_instance()
    routes = plan_frames(geo_plan(inst), inst)["routes"]
    assert list(routes.columns) == [
        "vehicle", "vehicle_type", "start_depot", "end_depot", "stops", "start", "end",
        "distance_km", "duration_h", "cost", "breaks", "start_s", "end_s", "distance_m",
        "duration_s"]
    van, truck = routes.to_dict("records")
    assert (van["vehicle"], van["start"], van["end"], van["stops"]) == (
        "van#0", "11:15", "13:45", 2)
    assert (van["start_s"], van["end_s"]) == (40500.0, 49500.0)
    assert (van["distance_m"], van["distance_km"]) == (40000.0, 40.0)
    assert (van["duration_s"], van["duration_h"]) == (9000.0, 2.5)
    assert van["breaks"] == "lunch@11:50-12:20"
    assert (truck["start"], truck["end"], truck["breaks"]) == ("1d 07:15", "1d 07:55", "")
    assert (truck["distance_km"], truck["duration_h"]) == (20.0, 0.67)


def test_geo_stops_table_is_the_route_timeline() -> None:
    inst = geo_instance()
    stops = plan_frames(geo_plan(inst), inst)["stops"]
    van = stops[stops.vehicle == "van#0"]
    assert list(van.sequence) == [1, 2, 3, 4, 5]
    assert list(zip(van.kind, van.stop, strict=True)) == [
        ("depart", "D"), ("visit", "a"), ("break", "lunch"), ("visit", "b"), ("return", "D")]
    rows = van.set_index("stop", drop=False)
    assert list(van.arrival.fillna("")) == ["", "11:30", "11:50", "12:25", "13:45"]
    assert list(van.service_start.fillna("")) == ["", "11:30", "11:50", "13:00", ""]
    assert list(van.departure.fillna("")) == ["11:15", "11:40", "12:20", "13:15", ""]
    assert list(van.window) == ["", "11:00-11:30", "11:45-11:50", "13:00-14:00", ""]
    assert rows.loc["b", "waiting_min"] == 35.0 and rows.loc["b", "waiting_s"] == 2100.0
    assert rows.loc["a", "waiting_min"] == 0.0 and rows.loc["lunch", "waiting_s"] == 0.0
    assert (rows.loc["b", "service_start_s"], rows.loc["b", "arrival_s"]) == (46800.0, 44700.0)
    # 10 min of the 15-min leg a-b are driven before lunch: 2/3 of its 10 km
    assert list(van.distance_km.fillna(-1)) == [-1, 10.0, 6.67, 3.33, 20.0]
    assert van.distance_m.sum() == pytest.approx(40000.0)
    assert list(van.load_1) == [5, 3, 3, 0, 0]
    assert (rows.loc["a", "lat"], rows.loc["a", "lon"]) == (52.0 + STEP, 5.0)
    assert pd.isna(rows.loc["lunch", "lat"])
    truck = stops[stops.vehicle == "truck#0"]
    assert list(truck.arrival.fillna("")) == ["", "1d 07:30", "1d 07:55"]
    assert list(truck.window) == ["", "1d 07:30-1d 08:00", ""]


def test_geo_unserved_keeps_its_columns_and_gains_the_location() -> None:
    inst = geo_instance()
    unserved = plan_frames(geo_plan(inst), inst)["unserved"]
    assert unserved.to_dict("records") == [{
        "stop": "e", "reason": "dropped_for_cost", "detail": "cheaper to drop", "penalty": 50.0,
        "lat": 52.5, "lon": 5.5, "window": "08:00-09:00"}]


def test_planar_tables_keep_plain_numbers() -> None:
    inst = planar_instance()
    frames = plan_frames(planar_plan(inst), inst)
    routes = frames["routes"]
    assert "distance_km" not in routes.columns and "duration_h" not in routes.columns
    van = routes.to_dict("records")[0]
    assert (van["start"], van["end"], van["breaks"]) == ("0", "416.8", "break@60-90")
    assert van["distance"] == pytest.approx(150 + math.hypot(100, 50))
    stops = frames["stops"]
    assert "distance_km" not in stops.columns and "waiting_min" not in stops.columns
    assert list(stops.columns[4:6]) == ["x", "y"]
    trip = stops[stops.vehicle == "van#0"]
    assert list(zip(trip.kind, trip.stop, strict=True)) == [
        ("depart", "D"), ("break", "break"), ("visit", "a"), ("visit", "b"), ("return", "D")]
    assert list(trip.arrival.fillna("")) == ["", "60", "130", "190", "416.8"]
    assert list(trip.window) == ["", "50-60", "0-1000", "300-400", ""]
    assert list(trip.waiting_s.fillna(-1)) == [-1, 0.0, 0.0, 110.0, -1]
    assert list(trip.distance.fillna(-1).round(6)) == [-1, 60.0, 40.0, 50.0, 111.803399]


def test_a_break_waited_for_shows_the_wait() -> None:
    """``late`` reaches c's road end at 100 but may rest only from 120: it stops driving at
    100, waits 20, rests 120-150, then arrives (the whole leg was driven before the rest)."""
    inst = planar_instance()
    stops = plan_frames(planar_plan(inst), inst)["stops"]
    trip = stops[stops.vehicle == "late#0"]
    assert list(trip.kind) == ["depart", "break", "visit", "return"]
    rest = trip.iloc[1]
    assert (rest.stop, rest.arrival, rest.service_start, rest.departure) == (
        "rest", "100", "120", "150")
    assert (rest.waiting_s, rest.distance) == (20.0, 100.0)
    assert (trip.iloc[2].arrival, trip.iloc[2].distance) == ("150", 0.0)


def test_matrix_instance_has_empty_locations() -> None:
    inst = RoutingInstance.model_validate({
        "depots": [{"id": "D", "matrix_index": 0}],
        "vehicle_types": [{"id": "v", "capacity": [5], "start_depot": "D"}],
        "stops": [{"id": "a", "matrix_index": 1, "delivery": [1]}],
        "distance": {"kind": "matrix"},
        "matrix": {"distances": [[0, 4000], [4000, 0]], "durations": [[0, 600], [600, 0]]},
    })
    plan = assemble_plan(inst, [("v", 0, ("a",))], SUMMARY)
    stops = plan_frames(plan, inst)["stops"]
    assert list(stops.distance_km.fillna(-1)) == [-1, 4.0, 4.0]
    assert list(stops.departure.fillna("")) == ["00:00", "00:10", ""]
    assert stops.lat.isna().all() and stops.lon.isna().all()


def test_written_files_and_plan_json_round_trip(tmp_path: Path) -> None:
    inst = geo_instance()
    plan = geo_plan(inst)
    written = write_routing_plan(plan, tmp_path / "out", inst)
    assert [p.name for p in written] == ["plan.json", "routes.csv", "stops.csv", "unserved.csv",
                                         "plan.xlsx", "report.html"]
    assert read_routing_plan(tmp_path / "out") == plan
    lines = (tmp_path / "out" / "stops.csv").read_text().splitlines()
    assert lines[0].startswith("vehicle,sequence,kind,stop,lat,lon,window,arrival,")
    assert lines[3].startswith("van#0,3,break,lunch,,,11:45-11:50,11:50,11:50,12:20,0.0,3.0,6.67,")
    routes = pd.read_csv(tmp_path / "out" / "routes.csv", dtype=str)
    assert list(routes.start) == ["11:15", "1d 07:15"]


def _text(renderable: object) -> str:
    console = Console(record=True, width=200, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_console_summary_in_km_and_hours() -> None:
    inst = geo_instance()
    text = _text(plan_summary(geo_plan(inst), inst))
    assert "60.0 km" in text and "3.17 h" in text
    assert "distance (km)" in text and "duration (h)" in text
    assert "11:15" in text and "13:45" in text and "1d 07:15" in text
    assert "lunch 11:50-12:20" in text and "40.0" in text and "2.50" in text


def test_console_summary_of_a_planar_plan_in_units() -> None:
    inst = planar_instance()
    text = _text(plan_summary(planar_plan(inst), inst))
    assert "units" in text and " km" not in text and " h " not in text
    assert "416.8" in text and "break 60-90" in text


def test_real_day_tables_have_no_float_noise(tmp_path: Path) -> None:
    """Seconds and metres to the millisecond/millimetre, money to the cent on a real day
    (stops.csv showed arrival_s 28799.999999 and waiting_s 1e-06)."""
    from models.routing import RoutingOptions, solve
    from optimizer.formats.routing import read_routing_instance

    inst = read_routing_instance(Path(__file__).resolve().parents[2] / "instances" / "routing"
                                 / "city-day-40.json")
    plan = solve(inst, RoutingOptions(time_limit=None, solution_limit=30))
    frames = plan.to_frames(inst)
    for column in ("arrival_s", "service_start_s", "departure_s", "waiting_s", "distance_m"):
        values = frames["stops"][column].dropna()
        assert (values == values.round(3)).all(), column
    costs = frames["routes"]["cost"]
    assert (costs == costs.round(2)).all()
