"""``optimizer plan`` the way a new analyst uses it: instances typed by hand as CSV folders and
workbooks, mistakes in them, and what the command says back (file, record, field; exit code;
nothing half-written)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from optimizer.cli import main
from optimizer.formats.integrated import read_plan, read_plan_instance, write_plan_instance
from tests.models.integrated import tiny

FAST = ["--route-seconds", "0.5"]


def _csv(tmp_path: Path, extra_scenario_line: str | None = None) -> Path:
    folder = tmp_path / "tiny"
    write_plan_instance(tiny.instance(), folder, "csv")
    if extra_scenario_line is not None:
        path = folder / "scenarios.csv"
        path.write_text(path.read_text(encoding="utf-8") + extra_scenario_line + "\n",
                        encoding="utf-8")
    return folder


def test_a_bad_scenario_row_of_a_csv_folder_names_the_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # header + two rows of the tiny instance, so the typo is on line 4
    folder = _csv(tmp_path, "typo,facilitys,id=DC-B,status,set,must_close")
    out = tmp_path / "out"
    assert main(["plan", str(folder), "--out", str(out), "--all-scenarios", *FAST]) == 2
    err = capsys.readouterr().err
    assert (f"{folder / 'scenarios.csv'}: line 4 (scenario 'typo'): field 'table': unknown "
            f"table 'facilitys' (did you mean 'facilities'?)") in " ".join(err.split())
    assert not out.exists()


def test_a_bad_scenario_row_of_a_workbook_names_the_sheet_and_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "tiny.xlsx"
    write_plan_instance(tiny.instance(), book, "excel")
    wb = load_workbook(book)
    wb["scenarios"].append(["typo", "facilities", "id=DC-B", "stauts", "set", "must_close"])
    wb.save(book)
    assert main(["plan", str(book), "--scenario", "typo", *FAST]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert ("sheet 'scenarios' row 4 (scenario 'typo'): field 'field': table 'facilities' has "
            "no field 'stauts' (did you mean 'status'?)") in err


def test_check_names_the_scenario_rows_of_an_invalid_changed_instance(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _csv(tmp_path, "neg,demand,customer=B1,quantity,set,\"-1,000\"")
    assert main(["plan", "check", str(folder), str(tmp_path), "--scenario", "neg"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert (f"{folder / 'scenarios.csv'}: line 4 (scenario 'neg'): the changed instance is not "
            f"valid: demand row 3 (customer=B1, product=P): field 'quantity'") in err


def test_a_scenario_without_a_plan_is_compared_as_blank_and_says_why(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An infeasible scenario has no DCs, routes or service: its comparison cells are blank
    (before: 0 routes, 0 served and every customer 'changing DC'), and the console says why."""
    folder = _csv(tmp_path, "tiny-dcs,facilities,,capacity,set,10")
    out = tmp_path / "out"
    assert main(["plan", str(folder), "--out", str(out), "--scenario", "tiny-dcs", *FAST]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "tiny-dcs: infeasible: " in printed and "capacit" in printed
    rows = pd.read_csv(out / "comparison.csv").set_index(["section", "item", "field"])
    for key in [("routes", "day", "routes"), ("service", "all", "served"),
                ("service", "all", "customers_changing_dc"), ("facility", "DC-A", "routes")]:
        assert pd.isna(rows.loc[key, "tiny-dcs"]), key
        assert pd.isna(rows.loc[key, "change_tiny-dcs"]), key
    assert rows.loc[("facility", "DC-A", "open"), "tiny-dcs"] == "-"
    assert float(rows.loc[("routes", "day", "routes"), "baseline"]) == 2


def test_a_plan_whose_days_are_not_routed_shows_no_total(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One van a DC that may drive 30 minutes: each zone alone is a 24-minute round trip, both
    need 41 minutes, so no DC's day can be routed. The network part has costs, but the plan
    has no total (before: a total without the last mile, as if it were the plan's cost)."""
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny.tables(fleet=[{
        "id": "van", "capacity": 1000, "count": 1, "fixed_cost": 10, "cost_per_km": 1,
        "speed_kmh": 50, "max_duration": "0:30"}])))
    out = tmp_path / "out"
    # 4: no search finds a plan (3 if a day were proven infeasible)
    assert main(["plan", str(path), "--out", str(out), *FAST]) in (3, 4)
    printed = " ".join(capsys.readouterr().out.split())
    assert ("total cost - (no plan: the cost chain below lacks the last mile of DC-A, DC-B)"
            in printed)
    assert "INCOMPLETE, DC-A, DC-B not routed" in printed
    assert pd.isna(pd.read_csv(out / "summary.csv").loc[0, "total"])
    assert read_plan(out).cost is not None  # plan.json keeps the network's lines
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "no plan: days not routed" in page and "INCOMPLETE: DC-A, DC-B not routed" in page
    from optimizer.reports.html_plan import plan_report

    inst = read_plan_instance(path)
    (chart,) = [s for s in plan_report(inst, read_plan(out)).sections
                if s.title.startswith("Cost chain")]
    assert '"Total"' not in chart.body and "last mile (routes)" not in chart.body


def test_checking_a_scenarios_plan_without_its_scenario_says_how(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: every figure the scenario changed was listed as a violation (98 for a fuel
    scenario of a 36-zone instance), in raw floats (1804956.5322499997, 1.61747e+06)."""
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny.tables()))
    out = tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), "--scenario", "demand-up", *FAST]) == 0
    scenario = out / "scenarios" / "demand-up"
    capsys.readouterr()
    assert main(["plan", "check", str(path), str(scenario)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert (f"this is the plan of scenario 'demand-up' (its instance is 'tiny-demand-up'); "
            f"check it against that scenario: optimizer plan check {path} {scenario} "
            f"--scenario demand-up") in err
    assert main(["plan", "check", str(path), str(scenario), "--scenario", "demand-up"]) == 0
    # a figure off in the baseline's plan is written with separators and its decimals
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    plan["cost"]["last_mile"] += 1000.25
    (out / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    capsys.readouterr()
    assert main(["plan", "check", str(path), str(out)]) == 5
    printed = " ".join(capsys.readouterr().out.split())
    assert re.search(r"1,\d{3}\.\d+, recomputed \d{3}\.\d+", printed), printed


def test_written_tables_show_windows_and_service_times_as_people_type_them(
        tmp_path: Path) -> None:
    """Before: orders.csv of the shipped example read '21600-32400' and '1200.0'."""
    inst = tiny.instance(orders=[{"id": "o1", "customer": "A1", "units": 1,
                                  "service_time": "0:20",
                                  "time_windows": "06:00-09:00;25:30-26:00"}],
                         delivery_profile=[{"customer": "B1", "stops": 2,
                                            "service_time": 90.5}])
    folder = tmp_path / "csv"
    write_plan_instance(inst, folder, "csv")
    orders = pd.read_csv(folder / "orders.csv", dtype=str).iloc[0]
    assert (orders["time_windows"], orders["service_time"]) == ("06:00-09:00;25:30-26:00",
                                                                "0:20")
    assert pd.read_csv(folder / "delivery_profile.csv", dtype=str).loc[0, "service_time"] \
        == "90.5"  # not whole minutes: seconds
    assert read_plan_instance(folder) == inst.model_copy(update={"name": "csv"})
    book = tmp_path / "book.xlsx"
    write_plan_instance(inst, book, "excel")
    assert read_plan_instance(book) == inst.model_copy(update={"name": "book"})


def test_the_baseline_report_holds_the_scenarios_comparison(tmp_path: Path) -> None:
    """Before: the comparison was only on the console and in comparison.csv; a manager opening
    report.html saw the baseline alone."""
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny.tables()))
    out = tmp_path / "out"
    assert main(["plan", str(path), "--out", str(out), "--scenario", "demand-up", *FAST]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="table-comparison"' in page
    assert "change_demand-up" in page and "scenarios/&lt;scenario&gt;/report.html" in page
    scenario_page = (out / "scenarios" / "demand-up" / "report.html").read_text(
        encoding="utf-8")
    assert 'id="table-comparison"' not in scenario_page
