"""Times in every input form (seconds, ``HH:MM``, ``HH:MM-HH:MM`` windows, absolute UNIX
times), windows that are not two values, an instance with nothing to plan, what-if copies
(``model_copy``), and a must-serve window past the horizon (exit 3, not "CP Solver fail")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook
from pydantic import ValidationError

from models.routing import RoutingInstance, RoutingOptions, check_plan, solve
from models.routing.explain import impossible_stops
from models.routing.ortools_engine import OrToolsModel, SearchSettings
from models.solver import SolveStatus
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.formats.routing import read_routing_instance

MIDNIGHT = int(dt.datetime(2026, 12, 2, tzinfo=dt.UTC).timestamp())  # 1796169600


def _day(**changes: Any) -> dict[str, Any]:
    """A small day in plain seconds; ``changes`` replace top-level tables."""
    data: dict[str, Any] = {
        "name": "times",
        "depots": [{"id": "D", "x": 0, "y": 0, "open": 25200, "close": 64800}],
        "vehicle_types": [{"id": "van", "count": 2, "capacity": [10], "start_depot": "D",
                           "shift_start": 27000, "shift_end": 63000, "max_duration": 30600,
                           "breaks": [{"id": "lunch", "earliest": 43200, "latest": 46800,
                                       "duration": 1800}]}],
        "stops": [
            {"id": "a", "x": 100, "y": 0, "delivery": [3], "service_time": 300,
             "time_windows": [[28800, 37800], [43200, 46800]]},
            {"id": "b", "x": 0, "y": 100, "delivery": [4], "service_time": 90.5},
        ],
    }
    data.update(changes)
    return data


EXPECTED = RoutingInstance.model_validate(_day())


def _clocks() -> dict[str, Any]:
    """The same day written with clocks and durations as text."""
    return _day(
        depots=[{"id": "D", "x": 0, "y": 0, "open": "07:00", "close": "18:00"}],
        vehicle_types=[{"id": "van", "count": 2, "capacity": [10], "start_depot": "D",
                        "shift_start": "7:30", "shift_end": "17:30:00", "max_duration": "8:30",
                        "breaks": "lunch@12:00-13:00+0:30"}],
        stops=[{"id": "a", "x": 100, "y": 0, "delivery": [3], "service_time": "0:05",
                "time_windows": "08:00-10:30; 12:00 - 13:00"},
               {"id": "b", "x": 0, "y": 100, "delivery": [4], "service_time": "0:01:30.5"}])


@pytest.mark.parametrize("windows", [
    "08:00-10:30;12:00-13:00",
    ["08:00-10:30", "12:00-13:00"],
    [["08:00", "10:30"], ["12:00:00", "13:00"]],
    [{"start": "08:00", "end": "10:30"}, {"start": 43200, "end": "13:00"}],
    [[28800, "10:30"], "43200-46800"],
    [[dt.time(8), dt.time(10, 30)], [dt.timedelta(hours=12), dt.timedelta(hours=13)]],
])
def test_window_forms_read_as_seconds(windows: Any) -> None:
    data = _day()
    data["stops"][0]["time_windows"] = windows
    assert RoutingInstance.model_validate(data) == EXPECTED


def test_clock_text_in_every_time_field() -> None:
    assert RoutingInstance.model_validate(_clocks()) == EXPECTED


def test_day_prefix_counts_days() -> None:
    data = _day()
    data["stops"][0]["time_windows"] = "1d 08:00-1d 10:30"
    data["depots"][0]["close"] = "2d 00:00"
    inst = RoutingInstance.model_validate(data)
    assert inst.stops[0].time_windows[0].start == 86400 + 28800
    assert inst.depots[0].close == 2 * 86400


def test_clocks_in_csv_cells(tmp_path: Path) -> None:
    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "depots.csv").write_text("id,x,y,open,close\nD,0,0,07:00,18:00\n")
    (folder / "vehicle_types.csv").write_text(
        "id,count,capacity,start_depot,shift_start,shift_end,max_duration,breaks\n"
        "van,2,10,D,07:30,17:30,8:30,lunch@12:00-13:00+0:30\n")
    (folder / "stops.csv").write_text(
        "id,x,y,delivery,service_time,time_windows\n"
        "a,100,0,3,0:05,08:00-10:30;12:00-13:00\n"
        "b,0,100,4,0:01:30.5,\n")
    inst = read_routing_instance(folder)
    assert inst.model_dump(exclude={"name"}) == EXPECTED.model_dump(exclude={"name"})


def test_clocks_in_excel_time_cells(tmp_path: Path) -> None:
    """Excel time-formatted cells (openpyxl writes ``datetime.time``) and text cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = "depots"
    sheet.append(["id", "x", "y", "open", "close"])
    sheet.append(["D", 0, 0, dt.time(7), dt.time(18)])
    vts = book.create_sheet("vehicle_types")
    vts.append(["id", "count", "capacity", "start_depot", "shift_start", "shift_end",
                "max_duration", "breaks"])
    vts.append(["van", 2, 10, "D", dt.time(7, 30), "17:30", dt.time(8, 30),
                "lunch@12:00-13:00+0:30"])
    stops = book.create_sheet("stops")
    stops.append(["id", "x", "y", "delivery", "service_time", "time_windows"])
    stops.append(["a", 100, 0, 3, dt.time(0, 5), "08:00-10:30;12:00-13:00"])
    stops.append(["b", 0, 100, 4, 90.5, None])
    path = tmp_path / "day.xlsx"
    book.save(path)
    inst = read_routing_instance(path)
    assert inst.model_dump(exclude={"name"}) == EXPECTED.model_dump(exclude={"name"})


def test_clocks_in_data_frames() -> None:
    frames = {
        "depots": pd.DataFrame([{"id": "D", "x": 0, "y": 0, "open": "07:00",
                                 "close": "18:00"}]),
        "vehicle_types": pd.DataFrame([{"id": "van", "count": 2, "capacity": 10,
                                        "start_depot": "D", "shift_start": "07:30",
                                        "shift_end": "17:30", "max_duration": "8:30",
                                        "breaks": "lunch@12:00-13:00+0:30"}]),
        "stops": pd.DataFrame([
            {"id": "a", "x": 100, "y": 0, "delivery": 3, "service_time": "0:05",
             "time_windows": "08:00-10:30;12:00-13:00"},
            {"id": "b", "x": 0, "y": 100, "delivery": 4, "service_time": 90.5,
             "time_windows": ""}]),
    }
    inst = RoutingInstance.from_frames(frames, name="times")
    assert inst == EXPECTED


@pytest.mark.parametrize(("windows", "message"), [
    ([[28800, 36000, 50000]], "a time window is [start, end]: 3 value(s) given"),
    ([[32400]], "a time window is [start, end]: 1 value(s) given"),
    ([[]], "a time window is [start, end]: 0 value(s) given"),
    ([28800, 36000], "each time window is [start, end], 'start-end'"),
    ("08:00-10:30-11:00", "a time window is [start, end], 'start-end'"),
    ("8-x", "got '8-x'"),
    ("08:00", "got '08:00'"),
    ([["08:00", "10:75"]], "Input should be a valid number"),
    ([[True, 36000]], "a time, not true/false"),
    ([["26:00", "24:00"]], "the window ends before it starts"),
])
def test_malformed_windows_are_refused(windows: Any, message: str, tmp_path: Path) -> None:
    """A 3-number window was truncated to its first two, ``[[32400]]`` was an internal
    error; both are refused with the record and the field."""
    data = _day()
    data["stops"][1]["time_windows"] = windows
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    errors = caught.value.errors()
    assert errors[0]["loc"][:3] == ("stops", 1, "time_windows"), errors
    assert message in errors[0]["msg"], errors
    path = tmp_path / "day.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    with pytest.raises(InputError) as read:
        read_routing_instance(path)
    assert read.value.problems[0].startswith(f"{path}: stops[1]: field 'time_windows'")
    assert main(["routing", "solve", str(path), "--out", str(tmp_path / "plan")]) == 2
    assert not (tmp_path / "plan").exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("service_time", True, "a duration, not true/false"),
    ("service_time", "2026-12-02T08:00", "Input should be a valid number"),
    ("service_time", "0:75", "Input should be a valid number"),
    ("service_time", 8 * 86400, "less than or equal to 604800"),
])
def test_malformed_durations_are_refused(field: str, value: Any, message: str) -> None:
    data = _day()
    data["stops"][0][field] = value
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("stops", 0, field)
    assert message in caught.value.errors()[0]["msg"]


def test_malformed_break_cell_is_refused() -> None:
    data = _day()
    data["vehicle_types"][0]["breaks"] = "lunch@12:00-13:00"
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("vehicle_types", 0, "breaks")
    assert "write a break as [id@]earliest-latest+duration" in caught.value.errors()[0]["msg"]


# -- absolute UNIX times --------------------------------------------------------------------

def _absolute(shift: int) -> dict[str, Any]:
    data = _day()
    data["depots"][0].update(open=shift + 25200, close=shift + 64800)
    vt = data["vehicle_types"][0]
    vt.update(shift_start=shift + 27000, shift_end=shift + 63000)
    vt["breaks"][0].update(earliest=shift + 43200, latest=shift + 46800)
    data["stops"][0]["time_windows"] = [[shift + 28800, shift + 37800],
                                        [shift + 43200, shift + 46800]]
    return data


def test_unix_times_become_seconds_from_midnight_of_the_first_day() -> None:
    inst = RoutingInstance.model_validate(_absolute(MIDNIGHT))
    assert inst.time_origin == MIDNIGHT
    assert inst.model_dump(exclude={"time_origin"}) == EXPECTED.model_dump(
        exclude={"time_origin"})
    # durations are never shifted; the dump is relative and reads back unchanged
    assert inst.stops[0].service_time == 300
    assert RoutingInstance.model_validate(inst.model_dump()) == inst


def test_iso_date_times_are_absolute_times() -> None:
    data = _day()
    data["depots"][0].update(open="2026-12-02T07:00:00Z", close="2026-12-02 19:00+01:00")
    vt = data["vehicle_types"][0]
    vt.update(shift_start="2026-12-02T07:30", shift_end="2026-12-02T17:30")
    vt["breaks"] = "lunch@2026-12-02T12:00-2026-12-02T13:00+0:30"
    data["stops"][0]["time_windows"] = ("2026-12-02T08:00-2026-12-02T10:30;"
                                        "2026-12-02T12:00-2026-12-02T13:00")
    inst = RoutingInstance.model_validate(data)
    assert inst.time_origin == MIDNIGHT
    assert inst.model_dump(exclude={"time_origin"}) == EXPECTED.model_dump(
        exclude={"time_origin"})


def test_unix_times_in_csv_cells(tmp_path: Path) -> None:
    m = MIDNIGHT
    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "depots.csv").write_text(f"id,x,y,open,close\nD,0,0,{m + 25200},{m + 64800}\n")
    (folder / "vehicle_types.csv").write_text(
        "id,count,capacity,start_depot,shift_start,shift_end,max_duration,breaks\n"
        f"van,2,10,D,{m + 27000},{m + 63000},30600,lunch@{m + 43200}-{m + 46800}+1800\n")
    (folder / "stops.csv").write_text(
        "id,x,y,delivery,service_time,time_windows\n"
        f"a,100,0,3,300,{m + 28800}-{m + 37800};{m + 43200}-{m + 46800}\n"
        "b,0,100,4,90.5,\n")
    inst = read_routing_instance(folder)
    assert inst.time_origin == MIDNIGHT
    assert inst.stops[0].time_windows == EXPECTED.stops[0].time_windows
    assert inst.vehicle_types[0] == EXPECTED.vehicle_types[0]


def test_a_later_first_day_and_a_given_origin() -> None:
    data = _absolute(MIDNIGHT + 86400)
    assert RoutingInstance.model_validate(data).time_origin == MIDNIGHT + 86400
    data["time_origin"] = MIDNIGHT
    inst = RoutingInstance.model_validate(data)
    assert inst.time_origin == MIDNIGHT
    assert inst.depots[0].open == 86400 + 25200


def test_mixed_absolute_and_relative_times_are_refused(tmp_path: Path) -> None:
    data = _absolute(MIDNIGHT)
    data["depots"][0]["close"] = 64800
    data["stops"][0]["time_windows"][1] = "12:00-13:00"
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    locs = [e["loc"] for e in caught.value.errors()]
    assert locs == [("depots", 0, "close"), ("stops", 0, "time_windows", 1)]
    assert "absolute UNIX times elsewhere in the instance" in caught.value.errors()[0]["msg"]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["routing", "solve", str(path)]) == 2


def test_absolute_times_beyond_a_week_are_refused() -> None:
    data = _absolute(MIDNIGHT)
    data["stops"][0]["time_windows"][1] = [MIDNIGHT + 9 * 86400, MIDNIGHT + 9 * 86400 + 60]
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    assert caught.value.errors()[0]["loc"][:4] == ("stops", 0, "time_windows", 1)


# -- nothing to plan --------------------------------------------------------------------

def test_an_instance_without_stops_is_refused(tmp_path: Path) -> None:
    """A folder without stops.csv (and without shipments.csv) solved to an empty plan."""
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(_day(stops=[]))
    assert caught.value.errors()[0]["loc"] == ("stops",)
    folder = tmp_path / "day"
    folder.mkdir()
    (folder / "depots.csv").write_text("id,x,y\nD,0,0\n")
    (folder / "vehicle_types.csv").write_text("id,count,capacity,start_depot\nvan,1,10,D\n")
    with pytest.raises(InputError) as read:
        read_routing_instance(folder)
    assert read.value.problems[0].startswith(str(folder))
    assert "stops" in read.value.problems[0]
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(_day(stops=[])), encoding="utf-8")
    with pytest.raises(InputError) as read:
        read_routing_instance(empty)
    assert read.value.problems == [f"{empty}: stops: the instance has no stops (and so no "
                                   f"shipments): "
                                   f"there is nothing to plan"]
    out = tmp_path / "plan"
    assert main(["routing", "solve", str(folder), "--out", str(out)]) == 2
    assert not out.exists()


# -- what-if copies -------------------------------------------------------------------------

QUICK = RoutingOptions(time_limit=None, solution_limit=50, engine="ortools", isolate=False)


def test_a_copy_does_not_reuse_the_originals_views() -> None:
    inst = RoutingInstance.model_validate(_day())
    solve(inst, QUICK)  # fills the cached views
    assert inst.stop_by_id["a"].delivery == (3.0,)
    stops = [s.model_dump() for s in inst.stops]
    stops[0]["delivery"] = [7]
    stops[0]["time_windows"] = [[43200, 46800]]
    copy = inst.model_copy(update={"stops": stops})
    assert copy.stop_by_id["a"].delivery == (7.0,)
    assert copy.stop_by_id["a"].time_windows[0].start == 43200
    assert inst.stop_by_id["a"].delivery == (3.0,)
    plan = solve(copy, QUICK)
    assert plan.solve.status == SolveStatus.FEASIBLE
    assert check_plan(copy, plan).ok
    # the copy's plan is not the original's: 7 units at "a"
    loads = [r.start_load for r in plan.routes if any(v.stop == "a" for v in r.visits)]
    assert loads and loads[0][0] >= 7


@pytest.mark.parametrize("update", [
    {"stops": [{"id": "a"}]},  # no location
    {"stops": []},  # nothing to plan
    {"colour": "red"},  # not a field
    {"vehicle_types": [{"id": "van", "count": 1, "capacity": [1, 2], "start_depot": "D"}]},
    {"depots": [{"id": "E", "x": 0, "y": 0}]},  # the vehicles' depot is gone
])
def test_an_invalid_copy_raises(update: dict[str, Any]) -> None:
    inst = RoutingInstance.model_validate(_day())
    with pytest.raises(ValidationError):
        inst.model_copy(update=update)


def test_a_record_copy_is_validated_too() -> None:
    stop = EXPECTED.stops[0]
    assert stop.model_copy(update={"time_windows": "09:00-10:00"}).time_windows[0].start == 32400
    with pytest.raises(ValidationError):
        stop.model_copy(update={"time_windows": [[1, 2, 3]]})


# -- a must-serve window past the horizon ----------------------------------------------------

def _late() -> RoutingInstance:
    data = _day()
    data["vehicle_types"][0].update(shift_end=36000, max_duration=None, breaks=[])
    data["depots"][0]["close"] = 36000
    data["stops"][0]["time_windows"] = [[40000, 50000]]
    return RoutingInstance.model_validate(data)


def test_window_past_the_horizon_builds_an_ortools_model() -> None:
    """Every vehicle's day ends at 36000 (the time horizon); the old model set the stop's
    window 40000-50000 on a cumul bounded by the horizon: "CP Solver fail" (exit 1)."""
    inst = _late()
    impossible = impossible_stops(inst)
    assert set(impossible) == {"a"}
    found: list = []
    OrToolsModel(inst, frozenset(impossible)).search(SearchSettings(time_limit=None,
                                                                    solution_limit=20),
                                                     found.append)
    assert found and all("a" not in stops for *_x, stops in found[-1].sequences)
    found = []  # even unexcluded (a caller without the pre-check): left out, no failure
    OrToolsModel(inst, soft=True).search(SearchSettings(time_limit=None, solution_limit=20),
                                         found.append)


def test_window_past_the_horizon_is_infeasible_with_a_reason(tmp_path: Path) -> None:
    inst = _late()
    plan = solve(inst, QUICK)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert [(u.stop, u.reason) for u in plan.unserved] == [("a", "time_window")]
    path = tmp_path / "late.json"
    path.write_text(json.dumps(inst.model_dump(mode="json")), encoding="utf-8")
    code = main(["routing", "solve", str(path), "--engine", "ortools", "--workers", "1",
                 "--solution-limit", "50", "--time-limit", "30"])
    assert code == 3


@pytest.mark.parametrize(("table", "field", "value"), [
    ("stops", "delivery", [True]),
    ("stops", "x", False),
    ("stops", "drop_penalty", True),
    ("vehicle_types", "count", True),
    ("vehicle_types", "capacity", [True]),
    ("vehicle_types", "cost_per_km", False),
])
def test_true_and_false_are_not_numbers_in_the_library(table: str, field: str,
                                                       value: Any) -> None:
    """``RoutingInstance.model_validate`` took ``true`` as 1 (the file readers refuse it)."""
    data = _day()
    data[table][0][field] = value
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    assert any(e["loc"][:3] == (table, 0, field) and e["msg"] == "a number, not true/false"
               for e in caught.value.errors()), caught.value.errors()


@pytest.mark.parametrize("origin", ["soon", 1.5, True, -86400])
def test_a_bad_time_origin_is_one_problem(origin: Any) -> None:
    data = _absolute(MIDNIGHT)
    data["time_origin"] = origin
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    assert [e["loc"] for e in caught.value.errors()] == [("time_origin",)]


@pytest.mark.parametrize("origin", [str(MIDNIGHT), float(MIDNIGHT)])
def test_a_time_origin_as_text_or_a_whole_float(origin: Any) -> None:
    data = _absolute(MIDNIGHT)
    data["time_origin"] = origin
    assert RoutingInstance.model_validate(data).time_origin == MIDNIGHT


@pytest.mark.parametrize("absolute", [False, True])
@pytest.mark.parametrize("value", [1e300, 1e18, 2.0**40 + 1])
def test_times_beyond_any_calendar_are_refused_by_the_field(value: float,
                                                            absolute: bool) -> None:
    data = _absolute(MIDNIGHT) if absolute else _day()
    data["stops"][0]["time_windows"] = [[value, value]]
    with pytest.raises(ValidationError) as caught:
        RoutingInstance.model_validate(data)
    assert caught.value.errors()[0]["loc"] == ("stops", 0, "time_windows", 0, "start")
    assert caught.value.errors()[0]["type"] == "less_than_equal"
