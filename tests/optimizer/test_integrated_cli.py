"""``optimizer plan ...`` end to end, in-process (``optimizer.cli.main``): files, exit codes,
scenarios in worker processes, check, compare, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from models.integrated import check_plan
from models.solver import SolveStatus
from optimizer.cli import main
from optimizer.formats.integrated import read_plan, read_plan_instance
from tests.models.integrated import tiny

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "instances" / "plan"
PLAN_FILES = {"cost.csv", "customers.csv", "facilities.csv", "flows.csv", "plan.json",
              "plan.xlsx", "purchases.csv", "routes.csv", "shortages.csv", "stops.csv",
              "summary.csv"}
FAST = ["--route-seconds", "0.5"]


def _write(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny.tables(**changes)), encoding="utf-8")
    return path


def test_plan_instance_out_writes_a_checked_plan(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path, out = _write(tmp_path), tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), *FAST]) == 0
    printed = capsys.readouterr().out
    assert "FEASIBLE" in printed and "last mile" in printed and "replaced" in printed
    assert {p.name for p in out.iterdir()} >= PLAN_FILES
    plan = read_plan(out)
    assert plan.cost.total == pytest.approx(tiny.TOTAL)
    assert check_plan(read_plan_instance(path), plan).ok
    cost = pd.read_csv(out / "cost.csv")
    assert list(cost.line) == ["purchase", "onboarding", "inbound", "facility_fixed", "closing",
                               "handling", "last_mile", "shortage", "total", "network_outbound"]
    routes = pd.read_csv(out / "routes.csv")
    assert len(routes) == 2 and routes.km.tolist() == pytest.approx([tiny.ROUTE_KM] * 2)
    assert main(["plan", "check", str(path), str(out)]) == 0


def test_plan_solve_is_the_same_command(tmp_path: Path) -> None:
    assert main(["plan", "solve", str(_write(tmp_path)), *FAST, "--json"]) == 0


def test_scenarios_run_side_by_side_in_workers(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path, out = _write(tmp_path), tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), "--all-scenarios", "--workers", "2",
                 *FAST]) == 0
    assert "comparison" in capsys.readouterr().out
    inst = read_plan_instance(path)
    closed = read_plan(out / "scenarios" / "close-b")
    assert closed.open_facilities == ("DC-A",)
    from models.integrated import apply_scenario

    assert check_plan(apply_scenario(inst, "close-b"), closed).ok
    up = read_plan(out / "scenarios" / "demand-up")
    assert sum(c.served for c in up.customers) == pytest.approx(600)
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns[:6]) == ["section", "item", "field", "baseline", "close-b",
                                       "demand-up"]
    opened = table[(table.section == "facility") & (table.item == "DC-B")
                   & (table.field == "open")]
    assert opened[["baseline", "close-b"]].values.tolist() == [["yes", "no"]]
    closed_dir = str(out / "scenarios" / "close-b")
    assert main(["plan", "check", str(path), closed_dir, "--scenario", "close-b"]) == 0
    assert main(["plan", "check", str(path), closed_dir]) == 2  # a scenario's plan: says how


def test_a_bad_scenario_row_is_exit_2_naming_it_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"scenario": "oops", "table": "facilities", "match": "id=DC-Z", "field": "status",
             "operation": "set", "value": "must_close"}]
    path, out = _write(tmp_path, scenarios=rows), tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), "--scenario", "oops", *FAST]) == 2
    err = capsys.readouterr().err
    assert "tiny.json: scenarios[0] (scenario 'oops'): field 'match'" in err and "DC-Z" in err
    assert not out.exists()
    assert main(["plan", str(path), "--scenario", "nope", *FAST]) == 2
    assert "no such scenario" in capsys.readouterr().err


def test_invalid_instance_is_exit_2_naming_file_record_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, orders=[{"id": "o1", "customer": "Z9", "units": 1}])
    assert main(["plan", str(path), *FAST]) == 2
    err = capsys.readouterr().err
    assert "tiny.json" in err and "orders[0]" in err and "customer" in err


def test_infeasible_is_exit_3_and_the_plan_says_why(tmp_path: Path) -> None:
    facilities = [dict(f, capacity=150) for f in tiny.TABLES["facilities"]]
    path, out = _write(tmp_path, facilities=facilities), tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), *FAST]) == 3
    plan = read_plan(out)
    assert plan.solve.status == SolveStatus.INFEASIBLE and plan.problems


def test_check_fails_with_exit_5_on_an_edited_plan(tmp_path: Path) -> None:
    path, out = _write(tmp_path), tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), *FAST]) == 0
    data = json.loads((out / "plan.json").read_text())
    data["cost"]["last_mile"] -= 10
    (out / "plan.json").write_text(json.dumps(data))
    assert main(["plan", "check", str(path), str(out)]) == 5


def test_out_holding_other_files_is_refused_before_solving(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["plan", str(_write(tmp_path)), "--out", str(out), *FAST]) == 2
    assert (out / "notes.txt").read_text() == "keep me"


def test_compare_two_plan_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["plan", str(_write(tmp_path)), "--out", str(a), *FAST]) == 0
    fleet = [dict(tiny.TABLES["fleet"][0], cost_per_km=2)]
    (tmp_path / "b.json").write_text(json.dumps(tiny.tables(fleet=fleet)))
    assert main(["plan", str(tmp_path / "b.json"), "--out", str(b), *FAST]) == 0
    csv = tmp_path / "cmp.csv"
    assert main(["plan", "compare", str(a), str(b), "--out", str(csv)]) == 0
    table = pd.read_csv(csv)
    row = table[(table.section == "cost") & (table.item == "last_mile")].iloc[0]
    assert row["change_b"] == pytest.approx(2 * 2 * tiny.ROUTE_KM)  # 1 more per km, 2 routes
    assert "comparison" in capsys.readouterr().out
    assert main(["plan", "compare", str(a)]) == 2


def test_schema_lists_the_network_and_day_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"facilities", "fleet", "orders", "delivery_profile", "scenarios"} <= set(
        schema["properties"])


def test_the_shipped_example_solves_and_passes_the_checker(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["plan", str(STARTER / "starter.json"), "--out", str(out),
                 "--time-limit", "5", "--route-seconds", "1"]) == 0
    plan = read_plan(out)
    assert plan.open_facilities and plan.routes and plan.cost.last_mile > 0
    assert plan.solve.network_method == "location_routing"  # the network priced routes too
    assert main(["plan", "check", str(STARTER / "starter.json"), str(out)]) == 0


def test_report_html_is_written_with_the_plan(tmp_path: Path) -> None:
    pytest.importorskip("optimizer.reports.html")
    path, out = _write(tmp_path), tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), "--scenario", "close-b", *FAST]) == 0
    for folder in (out, out / "scenarios" / "close-b"):
        page = (folder / "report.html").read_text(encoding="utf-8")
        assert "Integrated plan: tiny" in page and "last mile (routes)" in page
        assert "<script src=\"http" not in page  # self-contained


def test_a_day_without_distances_is_exit_2_naming_the_places(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Zones without coordinates, priced by lanes rows: the network solves, but the day's
    routes need km between the zones (refused, naming them)."""
    customers = [{"id": c} for c in ("A1", "A2", "B1", "B2")]
    lanes = [{"origin": dc, "destination": c, "cost_per_unit": 1.0 if dc[-1] == c[0] else 50.0}
             for dc in ("DC-A", "DC-B") for c in ("A1", "A2", "B1", "B2")]
    path = _write(tmp_path, customers=customers, lanes=lanes, transport={})
    assert main(["plan", str(path), *FAST]) == 2
    err = capsys.readouterr().err
    assert "no distance between" in err and "DC-A" in err
