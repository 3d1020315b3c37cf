"""The routing CLI and native formats: messages for malformed input, round trips, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.routing import check_plan
from optimizer.cli import main
from optimizer.errors import InputError
from optimizer.formats.routing import (
    read_routing_instance,
    read_routing_plan,
    routing_tables,
    write_routing_instance,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "routing"
INSTANCES = Path(__file__).resolve().parents[2] / "instances" / "routing"

EXPECTED = {
    "break_reversed.json": "vehicle_types[0]: field 'breaks': latest is before earliest",
    "capacity_dimensions.json":
        "stops[1]: field 'delivery': 2 values, the instance uses 1 dimension(s)",
    "duplicate_stop.json": "stops[3]: field 'id': duplicate of stops[0] (id='a')",
    "missing_coordinates.json":
        "stops[1]: field 'x': distance kind 'euclidean' needs 'x'",
    "negative_service.json":
        "stops[2]: field 'service_time': Input should be greater than or equal to 0 (got -5)",
    "shipment_unknown_stop.json": "shipments[0]: field 'delivery': unknown stop 'zz'",
    "unknown_depot.json": "vehicle_types[0]: field 'start_depot': unknown depot 'X'",
    "unknown_field.json":
        "stops[2]: field 'colour': unknown field (not part of the format; see the schema "
        "command)",
    "window_reversed.json": "stops[0]: field 'time_windows': the window ends before it starts",
}


def test_every_malformed_fixture_has_an_expectation() -> None:
    assert {p.name for p in (FIXTURES / "malformed").iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_input_names_file_record_and_field(name: str) -> None:
    path = FIXTURES / "malformed" / name
    with pytest.raises(InputError) as caught:
        read_routing_instance(path)
    assert caught.value.problems == [f"{path}: {EXPECTED[name]}"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_input_exits_2_without_output(name: str, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    code = main(["routing", "solve", str(FIXTURES / "malformed" / name), "--out", str(out)])
    assert code == 2
    assert not out.exists()


@pytest.mark.parametrize("form", ["csv", "excel"])
def test_shipped_forms_match_json(form: str) -> None:
    for json_file in sorted(INSTANCES.glob("*.json")):
        other = json_file.with_suffix(".xlsx" if form == "excel" else "")
        assert routing_tables(read_routing_instance(other)) == routing_tables(
            read_routing_instance(json_file))


def test_round_trip_through_every_form(tmp_path: Path) -> None:
    inst = read_routing_instance(FIXTURES / "valid_small.json")
    for target, form in ((tmp_path / "small", "csv"), (tmp_path / "small.xlsx", "excel")):
        write_routing_instance(inst, target, form)
        assert routing_tables(read_routing_instance(target)) == routing_tables(inst)


def test_solve_writes_a_checked_plan_and_check_accepts_it(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    instance = INSTANCES / "city-day-40.json"
    code = main(["routing", "solve", str(instance), "--out", str(out), "--time-limit", "3"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "map.png", "plan.json", "plan.xlsx", "report.html", "routes.csv", "stops.csv",
        "unserved.csv"]
    plan = read_routing_plan(out)
    assert check_plan(read_routing_instance(instance), plan).ok
    assert main(["routing", "check", str(instance), str(out)]) == 0
    data = json.loads((out / "plan.json").read_text())
    data["routes"][0]["visits"][0]["arrival"] -= 100
    (out / "plan.json").write_text(json.dumps(data))
    assert main(["routing", "check", str(instance), str(out)]) == 5


def test_benchmark_format_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (FIXTURES / "tiny_solomon.txt").read_text()
    assert "VEHICLE" in text
    code = main(["routing", "solve", str(FIXTURES / "tiny_solomon.txt"), "--format", "solomon",
                 "--solution-limit", "50", "--json"])
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["vehicles_used"] >= 1 and plan["unserved"] == []


def test_infeasible_stop_exits_3(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "valid_small.json").read_text())
    data["stops"][0]["delivery"] = [50]
    path = tmp_path / "too_big.json"
    path.write_text(json.dumps(data))
    out = tmp_path / "plan"
    assert main(["routing", "solve", str(path), "--out", str(out), "--solution-limit", "20"]) == 3
    plan = read_routing_plan(out)
    assert [(u.stop, u.reason) for u in plan.unserved] == [("a", "capacity")]
    # as docs/routing-format.md says: the other stops are routed and costed, and the checker
    # finds exactly the impossible stop left out
    served = {v.stop for r in plan.routes for v in r.visits}
    assert served == {s["id"] for s in data["stops"]} - {"a"}
    assert plan.cost > 0
    report = check_plan(read_routing_instance(path), plan)
    assert [(v.rule, v.subject) for v in report.violations] == [("mandatory_unserved", "a")]
    assert main(["routing", "check", str(path), str(out)]) == 5


def test_user_matrix_in_a_csv_folder(tmp_path: Path) -> None:
    data = {
        "name": "m", "depots": [{"id": "D", "matrix_index": 0}],
        "vehicle_types": [{"id": "v", "count": 1, "capacity": [5], "start_depot": "D",
                           "cost_per_km": 1000}],
        "stops": [{"id": "a", "matrix_index": 1, "delivery": [1]},
                  {"id": "b", "matrix_index": 2, "delivery": [1]}],
        "distance": {"kind": "matrix"},
        "matrix": {"distances": [[0, 4, 9], [4, 0, 3], [9, 3, 0]],
                   "durations": [[0, 40, 90], [40, 0, 30], [90, 30, 0]]},
    }
    folder = tmp_path / "m"
    from models.routing import RoutingInstance
    from models.routing.solve import RoutingOptions, solve

    inst = RoutingInstance.model_validate(data)
    write_routing_instance(inst, folder, "csv")
    assert (folder / "distances.csv").read_text().splitlines()[0] == "0,4,9"
    again = read_routing_instance(folder)
    assert again.matrix == inst.matrix
    plan = solve(again, RoutingOptions(time_limit=None, solution_limit=20, isolate=False))
    assert plan.distance == 4 + 3 + 9  # D-a-b-D, either direction


def test_matrix_csv_errors_name_line_and_column(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    (folder).mkdir()
    inst = read_routing_instance(FIXTURES / "valid_small.json")
    write_routing_instance(inst, folder, "csv")
    (folder / "distances.csv").write_text("0,1\n1,x\n")
    with pytest.raises(InputError) as caught:
        read_routing_instance(folder)
    assert caught.value.problems == [f"{folder / 'distances.csv'}: line 2: column 2: not a "
                                     f"number ('x')"]


def test_generated_day_with_breaks_solves_end_to_end(tmp_path: Path) -> None:
    day, out = tmp_path / "day.json", tmp_path / "plan"
    assert main(["routing", "generate", "--stops", "12", "--seed", "3", "--breaks",
                 "--out", str(day)]) == 0
    assert main(["routing", "solve", str(day), "--solution-limit", "20", "--workers", "1",
                 "--out", str(out)]) == 0
    plan = read_routing_plan(out)
    assert plan.routes and all(len(r.breaks) == 1 for r in plan.routes)
    assert check_plan(read_routing_instance(day), plan).ok
