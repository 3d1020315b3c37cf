"""``optimizer routing check INSTANCE ROUTES``: bare route sequences a person wrote or edited,
scheduled and priced by the plan's rules, every violation reported (VROOM's plan mode); and
the plot/generate refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.routing import RoutingOptions
from optimizer.cli import main
from optimizer.cli.routing import edited_plan
from optimizer.errors import InputError
from optimizer.formats.route_sequences import read_route_sequences
from optimizer.formats.routing import read_routing_instance

# Planar, time = distance (time_per_distance 1). D(0,0); a(0,3) 4 units, service 2;
# b(4,3) 5 units, service 1, window [10, 12]; c(4,0) 3 units, optional (penalty 20).
INSTANCE = {
    "name": "hand",
    "depots": [{"id": "D", "x": 0.0, "y": 0.0}],
    "vehicle_types": [{"id": "van", "count": 2, "capacity": [10.0], "start_depot": "D",
                       "fixed_cost": 7.0, "cost_per_km": 1000.0, "cost_per_hour": 3600.0}],
    "stops": [
        {"id": "a", "x": 0.0, "y": 3.0, "delivery": [4.0], "service_time": 2.0},
        {"id": "b", "x": 4.0, "y": 3.0, "delivery": [5.0], "service_time": 1.0,
         "time_windows": [[10.0, 12.0]]},
        {"id": "c", "x": 4.0, "y": 0.0, "delivery": [3.0], "drop_penalty": 20.0},
    ],
}


def _hand_cost() -> float:
    """van#0 D -> a -> b -> D, c left out. Legs 3, 4, 5 (distance 12). Leaving at t it reaches
    b at t + 3 + 2 + 4 = t + 9; b opens at 10, so the van leaves at 1 instead of waiting, and is
    back at 1 + 12 + 2 + 1 = 16: duration 15. Cost: fixed 7 + 1000 per 1000 units x 12 +
    3600 per 3600 units x 15, plus c's penalty 20."""
    distance, duration = 3 + 4 + 5, (3 + 4 + 5) + 2 + 1
    return 7.0 + 1000.0 * distance / 1000 + 3600.0 * duration / 3600 + 20.0


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(INSTANCE))
    return path


def _run(capsys, *args: object) -> tuple[int, str]:
    code = main(["routing", *map(str, args)])
    out = capsys.readouterr()
    return code, " ".join((out.out + out.err).split())


def test_an_edited_csv_plan_is_priced_exactly(instance: Path, tmp_path: Path, capsys):
    routes = tmp_path / "edited.csv"
    routes.write_text("vehicle,stop\nvan#0,a\nvan#0,b\n")
    code, text = _run(capsys, "check", instance, routes)
    assert code == 0, text
    assert _hand_cost() == 54.0
    assert "plan passes every check" in text and "cost 54.00" in text
    assert "unserved stops (1)" in text
    inst = read_routing_instance(instance)
    plan = edited_plan(inst, read_route_sequences(routes, inst), routes)
    assert plan.cost == pytest.approx(_hand_cost(), abs=1e-9)
    assert plan.routes[0].start_time == pytest.approx(1.0)
    assert [u.stop for u in plan.unserved] == ["c"]


def test_an_edited_stops_csv_keeps_only_visit_rows(instance: Path, tmp_path: Path, capsys):
    routes = tmp_path / "stops.csv"  # the solver's stops.csv, reordered by hand
    routes.write_text(
        "Vehicle;Sequence;Kind;Stop;arrival\n"
        "van#0;1;depart;D;08:00\nvan#0;2;visit;a;x\nvan#0;3;visit;b;\nvan#0;4;return;D;\n")
    code, text = _run(capsys, "check", instance, routes)
    assert code == 0, text
    assert "cost 54.00" in text


def test_an_edited_json_plan_is_priced_exactly(instance: Path, tmp_path: Path, capsys):
    routes = tmp_path / "edited.json"
    routes.write_text(json.dumps([{"vehicle": "van#1", "stops": ["a", "b"]}]))
    code, text = _run(capsys, "check", instance, routes)
    assert code == 0, text
    assert "cost 54.00" in text


def test_capacity_and_window_violations_are_reported(instance: Path, tmp_path: Path, capsys):
    # D -> c (4) -> a (5) -> b (4): arrives at b at 4 + 5 + 2 + 4 = 15 > 12, carrying
    # 3 + 4 + 5 = 12 > 10.
    routes = tmp_path / "bad.json"
    routes.write_text(json.dumps({"routes": [{"vehicle": "van#0", "stops": ["c", "a", "b"]}]}))
    code, text = _run(capsys, "check", instance, routes)
    assert code == 5, text
    assert "INFEASIBLE" in text and "cost 46.00" in text  # 7 + 18 + 21, c served
    assert "capacity │ van#0 at the start │ 2 │ load 12 in dimension 1" in text
    assert "time_window │ b │ 3 │ service at 15 is outside" in text
    assert "plan passes" not in text


def test_an_unserved_mandatory_stop_is_reported(instance: Path, tmp_path: Path, capsys):
    routes = tmp_path / "short.csv"
    routes.write_text("vehicle,stop\nvan#0,a\n")
    code, text = _run(capsys, "check", instance, routes)
    assert code == 5
    assert "mandatory_unserved" in text


@pytest.mark.parametrize(("content", "message"), [
    ("vehicle,stop\nvan#0,a\nvan#0,zz\n", "line 3: field 'stop': unknown stop 'zz'"),
    ("vehicle,stop\nvan#0,a\nvan#0,B\n", "unknown stop 'B' (did you mean 'b'?)"),
    ("vehicle,stop\nvan#0,D\n", "line 2: field 'stop': 'D' is a depot"),
    ("vehicle,stop\nvan#5,a\n", "line 2: field 'vehicle': no vehicle 'van#5' in the fleet"),
    ("vehicle,stop\nvan,a\n", "vehicle type 'van' has 2 vehicles"),
    ("vehicle,sequence,stop\nvan#0,2,a\nvan#0,1,b\n",
     "line 3: field 'sequence': 1 after 2 (line 2)"),
    ("vehicel,stop\nvan#0,a\n", "missing column(s) vehicle"),
])
def test_bad_route_files_name_file_line_and_field(instance: Path, tmp_path: Path, capsys,
                                                  content: str, message: str):
    routes = tmp_path / "edited.csv"
    routes.write_text(content)
    code, text = _run(capsys, "check", instance, routes)
    assert code == 2, text
    assert str(routes) in text and message in text
    assert "Traceback" not in text


def test_bad_json_routes_are_input_errors(instance: Path, tmp_path: Path):
    inst = read_routing_instance(instance)
    routes = tmp_path / "r.json"
    routes.write_text(json.dumps([{"vehicle": "van#0", "stops": "a"}]))
    with pytest.raises(InputError, match=r"routes\[0\]: field 'stops' must be a list"):
        read_route_sequences(routes, inst)


def test_plot_with_another_instances_plan_names_both_files(instance: Path, tmp_path: Path,
                                                           capsys):
    other = dict(INSTANCE, name="other",
                 stops=[dict(s, id=f"o{s['id']}") for s in INSTANCE["stops"]])
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other))
    routes = tmp_path / "o.csv"
    routes.write_text("vehicle,stop\nvan#0,oa\n")
    plan_dir = tmp_path / "plan"
    # a plan of the other instance, written by check's own assembly (no solver needed)
    inst = read_routing_instance(other_path)
    from optimizer.formats.routing import write_routing_plan

    write_routing_plan(edited_plan(inst, read_route_sequences(routes, inst), routes),
                       plan_dir, inst)
    code, text = _run(capsys, "plot", instance, plan_dir, "--out", tmp_path / "map.png")
    assert code == 2, text
    assert str(plan_dir) in text and str(instance) in text
    assert "stop oa" in text
    assert not (tmp_path / "map.png").exists()


def test_generate_with_a_negative_seed_is_a_clean_error(tmp_path: Path, capsys):
    code, text = _run(capsys, "generate", "--seed", "-1", "--out", tmp_path / "d.json")
    assert code == 2, text
    assert "--seed" in text and "Traceback" not in text
    assert not (tmp_path / "d.json").exists()


def test_solve_with_a_negative_seed_is_a_clean_error(instance: Path, capsys):
    code, text = _run(capsys, "solve", instance, "--seed", "-1", "--time-limit", "1")
    assert code == 2, text
    assert "--seed" in text and "internal error" not in text
    with pytest.raises(ValueError, match="seed must be between 0 and"):
        RoutingOptions(seed=-1)


def _plan_folder(instance: Path, tmp_path: Path) -> Path:
    """A plan of ``instance`` written by check's own assembly (no solver needed)."""
    from optimizer.formats.routing import write_routing_plan

    inst = read_routing_instance(instance)
    routes = tmp_path / "r.csv"
    routes.write_text("vehicle,stop\nvan#0,a\nvan#0,b\n")
    folder = tmp_path / "plan"
    write_routing_plan(edited_plan(inst, read_route_sequences(routes, inst), routes), folder,
                       inst)
    return folder


def test_plot_refuses_an_out_that_is_a_folder_or_an_input(instance: Path, tmp_path: Path,
                                                          capsys):
    folder = _plan_folder(instance, tmp_path)
    before = (folder / "plan.json").read_bytes(), instance.read_bytes()
    for out in (tmp_path, folder / "plan.json", instance):
        code, text = _run(capsys, "plot", instance, folder, "--out", out)
        assert code == 2, text
        assert str(out) in text and "internal error" not in text
    assert ((folder / "plan.json").read_bytes(), instance.read_bytes()) == before
    code, text = _run(capsys, "plot", instance, folder, "--out", tmp_path / "map.png")
    assert code == 0, text
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG")


def test_plot_draws_bare_routes(instance: Path, tmp_path: Path, capsys):
    routes = tmp_path / "edited.csv"
    routes.write_text("vehicle,stop\nvan#0,a\nvan#0,b\n")
    code, text = _run(capsys, "plot", instance, routes, "--out", tmp_path / "edited.png")
    assert code == 0, text
    assert (tmp_path / "edited.png").read_bytes().startswith(b"\x89PNG")


def test_a_late_visit_on_a_real_day_is_reported_once_in_clock_time(tmp_path: Path,
                                                                   capsys) -> None:
    """Seconds-of-day instances: the window violation reads 'service at 14:51 ... (09:00-11:30):
    N min off', once (float noise between the claimed and recomputed start listed it twice)."""
    day = {"depots": [{"id": "D", "lat": 45.76, "lon": 4.83, "open": "06:00", "close": "20:00"}],
           "vehicle_types": [{"id": "van", "count": 1, "capacity": [100], "start_depot": "D",
                              "shift_start": "13:00"}],
           "stops": [{"id": "a", "lat": 45.77, "lon": 4.85, "delivery": [1],
                      "time_windows": ["09:00-11:30"]}],
           "distance": {"kind": "haversine"}}
    inst = tmp_path / "day.json"
    inst.write_text(json.dumps(day))
    routes = tmp_path / "routes.csv"
    routes.write_text("vehicle,stop\nvan#0,a\n")
    code = main(["routing", "check", str(inst), str(routes)])
    text = " ".join(capsys.readouterr().out.split())
    assert code == 5
    assert text.count("time_window") == 1
    assert "(09:00-11:30)" in text and "min off" in text and "service at 13:" in text
