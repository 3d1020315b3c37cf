"""``optimizer network solve --outbound routes`` end to end, in-process, and a routes-mode
instance in every native form (docs/network-format.md, "Outbound as routes")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from models.network import NetworkInstance
from optimizer.cli import main
from optimizer.formats.network import read_network_instance, write_network_instance
from tests.models.network.routes_cases import brute_force, tiny_data

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "instances" / "network" / "starter.json"

#: A 2-depot, 4-customer file in the Prodhon layout: n, m, depot x y, customer x y, Q, depot
#: capacities, demands, opening costs, route cost F, cost code 0 (edges ceil(100 d)).
PRODHON = """4
2

0 0
10 0

1 1
2 -1
9 1
11 -1

30

50
50

10
10
10
10

100
100

20

0
"""


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())


@pytest.fixture
def tiny_json(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    data = tiny_data()
    data["customers"][0]["service_time"] = "0:05"
    path.write_text(json.dumps(data))
    return path


def test_solve_routes_writes_the_routes_and_passes_check(
        tmp_path: Path, tiny_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    assert main(["network", "solve", str(tiny_json), "--time-limit", "3", "--out",
                 str(out)]) == 0
    printed = _out(capsys)
    # the routes per DC: vehicles, stops, hours as H:MM, and how they make the outbound line
    assert "delivery routes of one day, per DC" in printed and "× van" in printed
    assert re.search(r"\b\d+:\d\d\b", printed), printed
    assert "the cost table's outbound line = " in printed and "× 1 delivery day(s)" in printed
    names = {p.name for p in out.iterdir()}
    assert {"routes.csv", "plan.json", "cost.csv", "plan.xlsx"} <= names
    routes = pd.read_csv(out / "routes.csv")
    assert list(routes.columns) == ["facility", "vehicle_type", "route", "stops", "load", "km",
                                    "hours", "cost"]
    plan = json.loads((out / "plan.json").read_text())
    assert plan["solve"]["method"] == "location_routing"
    assert plan["solve"]["status"] == "feasible" and plan["solve"]["best_bound"] is None
    assert len(plan["routes"]) == len(routes)
    cost = pd.read_csv(out / "cost.csv").set_index("line")["cost"]
    assert cost["outbound"] == pytest.approx(routes["cost"].sum())  # one delivery day
    assert main(["network", "check", str(tiny_json), str(out)]) == 0
    # a corrupted route fails the check (exit 5)
    plan["routes"][0]["km"] += 1.0
    (out / "plan.json").write_text(json.dumps(plan))
    assert main(["network", "check", str(tiny_json), str(out)]) == 5
    assert "route_figures" in _out(capsys)


def test_outbound_option_overrides_the_instance(
        tmp_path: Path, tiny_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rates"
    assert main(["network", "solve", str(tiny_json), "--outbound", "rates", "--out",
                 str(out)]) == 0
    assert "routes.csv" not in {p.name for p in out.iterdir()}
    assert json.loads((out / "plan.json").read_text())["solve"]["method"] != "location_routing"
    # the other way: a rates instance with a fleet, solved and checked as routes
    data = tiny_data()
    data["network_policy"] = {}
    rates = tmp_path / "rates.json"
    rates.write_text(json.dumps(data))
    out = tmp_path / "routes"
    assert main(["network", "solve", str(rates), "--outbound", "routes", "--time-limit", "3",
                 "--out", str(out)]) == 0
    assert (out / "routes.csv").exists()
    assert main(["network", "check", str(rates), str(out), "--outbound", "routes"]) == 0
    capsys.readouterr()
    assert main(["network", "check", str(rates), str(out)]) == 5  # checked as rates
    assert "route_unknown" in _out(capsys)


def test_outbound_routes_without_a_fleet_exits_2_naming_the_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "solve", str(STARTER), "--outbound", "routes"]) == 2
    printed = _out(capsys)
    assert f"{STARTER}: fleet: network_policy.outbound is 'routes', so the fleet table needs " \
           f"at least one vehicle type (--outbound routes)" in printed


def test_an_unknown_fleet_facility_exits_2_naming_file_record_and_field(
        tmp_path: Path, tiny_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "tiny"
    assert main(["network", "convert", str(tiny_json), str(folder)]) == 0
    fleet = folder / "fleet.csv"
    frame = pd.read_csv(fleet)
    frame["facility"] = "F9"
    frame.to_csv(fleet, index=False)
    capsys.readouterr()
    assert main(["network", "solve", str(folder)]) == 2
    assert f"{fleet}: line 2: field 'facility': unknown facility 'F9'" in _out(capsys)


def test_a_routes_instance_without_its_fleet_file_exits_2(
        tmp_path: Path, tiny_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "tiny"
    assert main(["network", "convert", str(tiny_json), str(folder)]) == 0
    (folder / "fleet.csv").unlink()
    capsys.readouterr()
    assert main(["network", "solve", str(folder)]) == 2
    assert f"{folder / 'fleet.csv'}: network_policy.outbound is 'routes'" in _out(capsys)


def test_a_method_other_than_auto_is_refused_in_routes_mode(
        tiny_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "solve", str(tiny_json), "--method", "milp"]) == 2
    assert "--method milp does not apply to the outbound as routes" in _out(capsys)


def test_a_routes_instance_round_trips_through_every_form(tmp_path: Path) -> None:
    data = tiny_data(delivery_days=3)
    data["customers"][1]["service_time"] = "0:30"
    data["fleet"].append({"id": "truck", "facility": "F2", "capacity": 25, "count": 2,
                          "cost_per_hour": 12.5, "speed_kmh": 55, "max_duration": "7:30"})
    original = NetworkInstance.model_validate(data)
    for name, form in (("copy", "csv"), ("copy.xlsx", "excel"), ("copy.json", "json")):
        write_network_instance(original, tmp_path / name, form)  # type: ignore[arg-type]
        back = read_network_instance(tmp_path / name)
        assert back.model_copy(update={"name": original.name}) == original, form
        assert back.fleet[1].max_duration == 7.5 * 3600 and back.routes_mode


def test_prodhon_file_solves_in_routes_mode(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mini.dat"
    path.write_text(PRODHON)
    out = tmp_path / "plan"
    assert main(["network", "solve", str(path), "--format", "prodhon", "--time-limit", "2",
                 "--out", str(out)]) == 0
    plan = json.loads((out / "plan.json").read_text())
    assert plan["solve"]["method"] == "location_routing" and plan["routes"]
    assert main(["network", "check", str(path), str(out), "--format", "prodhon"]) == 0
    assert main(["network", "solve", str(path), "--format", "prodhon", "--capacity",
                 "5"]) == 2


def test_cli_reaches_the_brute_force_optimum(tmp_path: Path) -> None:
    data = tiny_data()
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(data))
    out = tmp_path / "plan"
    assert main(["network", "solve", str(path), "--time-limit", "3", "--out", str(out)]) == 0
    total = pd.read_csv(out / "cost.csv").set_index("line")["cost"]["total"]
    assert total == pytest.approx(brute_force(), rel=1e-9)
