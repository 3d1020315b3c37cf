"""Plan tables people use: tidy (one fact per row, one column per capacity dimension),
currency and units in the column names, ``plan.xlsx`` beside the CSVs, ``plan.to_frames()``
from the model packages alone, console tables that never cut an id."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from rich.console import Console

from models.routing import RoutingInstance, RoutingSummary, assemble_plan
from models.solver import SolveStatus
from models.sourcing import SourcingInstance, solve
from optimizer.cli import main
from optimizer.formats.results import write_workbook
from optimizer.reports.sourcing_summary import plan_summary

ROOT = Path(__file__).resolve().parents[2]
LONG_ID = "HCM1-HO-CHI-MINH-CITY-PLANT"


def starter_data(sourcing_instances: Path, currency: str | None = "EUR",
                 long_id: bool = False) -> dict:
    text = (sourcing_instances / "starter.json").read_text()
    if long_id:
        text = text.replace('"HCM1"', f'"{LONG_ID}"')
    data = json.loads(text)
    if currency is not None:
        data["policy"]["currency"] = currency
    return data


def test_sourcing_frames_are_tidy(sourcing_instances: Path) -> None:
    inst = SourcingInstance.model_validate(starter_data(sourcing_instances, None))
    frames = solve(inst).to_frames()
    products, shares = frames["products"], frames["shares"]
    assert "supplier_shares" not in products.columns
    assert "region_shares" not in products.columns
    assert not products.map(lambda v: isinstance(v, str) and ":" in v).any().any()
    assert list(shares.columns) == ["product", "supplier", "region", "quantity", "share"]
    assert len(shares) == products.suppliers.sum()
    assert shares.groupby("product").share.sum().round(6).eq(1.0).all()
    merged = shares.merge(frames["allocations"], on=["product", "supplier"])
    assert (merged.quantity_x == merged.quantity_y).all()
    regions = frames["region_shares"]
    assert regions.groupby("product").share.sum().round(6).eq(1.0).all()


def test_money_columns_carry_the_currency(sourcing_instances: Path) -> None:
    inst = SourcingInstance.model_validate(starter_data(sourcing_instances))
    frames = solve(inst).to_frames(inst.policy.currency)
    assert list(frames["allocations"].columns) == [
        "supplier", "product", "quantity", "unit_price_EUR", "cost_EUR"]
    assert "spend_EUR" in frames["suppliers"].columns
    assert {"objective_EUR", "cost_total_EUR"} <= set(frames["summary"].columns)
    assert frames["summary"].currency[0] == "EUR"


def test_solve_writes_the_workbook_and_currency_columns(tmp_path: Path,
                                                         sourcing_instances: Path) -> None:
    source = tmp_path / "eur.json"
    source.write_text(json.dumps(starter_data(sourcing_instances)))
    out = tmp_path / "plan"
    assert main(["sourcing", "solve", str(source), "--out", str(out)]) == 0
    assert (out / "allocations.csv").read_text().startswith(
        "supplier,product,quantity,unit_price_EUR,cost_EUR")
    book = openpyxl.load_workbook(out / "plan.xlsx")
    csvs = sorted(p.stem for p in out.glob("*.csv"))
    assert sorted(book.sheetnames) == csvs
    for name in csvs:
        sheet = pd.read_excel(out / "plan.xlsx", sheet_name=name)
        table = pd.read_csv(out / f"{name}.csv")
        pd.testing.assert_frame_equal(sheet, table, check_dtype=False)


def test_workbook_text_is_never_a_formula(tmp_path: Path) -> None:
    write_workbook(tmp_path / "t.xlsx", {"t": pd.DataFrame({"id": ["=1+1", "a"],
                                                             "x": [1.5, float("nan")]})})
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")
    assert sheet["B3"].value is None


def routing_instance(currency: str | None = "EUR") -> RoutingInstance:
    return RoutingInstance.model_validate({
        "depots": [{"id": "D", "matrix_index": 0}],
        "vehicle_types": [{"id": "v", "capacity": [5, 2.5], "start_depot": "D"}],
        "stops": [{"id": "a", "matrix_index": 1, "delivery": [1, 0.5]},
                  {"id": "b", "matrix_index": 2, "delivery": [2, 1], "drop_penalty": 9}],
        "distance": {"kind": "matrix"},
        "matrix": {"distances": [[0, 4000, 5000], [4000, 0, 3000], [5000, 3000, 0]],
                   "durations": [[0, 600, 700], [600, 0, 400], [700, 400, 0]]},
        "objective": {"currency": currency},
    })


def test_routing_frames_have_a_column_per_dimension_and_units() -> None:
    inst = routing_instance()
    summary = RoutingSummary(status=SolveStatus.FEASIBLE, engine="hand", stop_reason="test")
    frames = assemble_plan(inst, [("v", 0, ("a", "b"))], summary).to_frames(inst)
    stops, routes = frames["stops"], frames["routes"]
    assert "load" not in stops.columns
    assert list(stops.load_1) == [3.0, 2.0, 0.0, 0.0]
    assert list(stops.load_2) == [1.5, 1.0, 0.0, 0.0]
    assert {"cost_EUR", "distance_m", "duration_s", "distance_km"} <= set(routes.columns)
    assert routes.distance_m[0] == 12000.0
    assert list(stops.arrival.fillna("")) == ["", "00:10", "00:17", "00:28"]
    assert "penalty_EUR" in frames["unserved"].columns


def test_to_frames_needs_no_optimizer_package() -> None:
    code = (
        "import sys\n"
        "sys.modules['optimizer'] = None  # importing it would fail\n"
        "import json\n"
        "from models.sourcing import SourcingInstance, solve\n"
        "inst = SourcingInstance.model_validate(json.load(open('instances/sourcing/"
        "starter.json')))\n"
        "frames = solve(inst).to_frames()\n"
        "print(sorted(frames))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "'shares'" in result.stdout


def test_console_tables_do_not_cut_ids(sourcing_instances: Path) -> None:
    inst = SourcingInstance.model_validate(starter_data(sourcing_instances, long_id=True))
    plan = solve(inst)
    console = Console(record=True, width=80, color_system=None)
    console.print(plan_summary(plan, currency="EUR"))
    text = console.export_text()
    assert LONG_ID in text
    assert "(EUR)" in text
    suppliers = text[text.index("suppliers used"):text.index("products")]
    assert "…" not in suppliers
    assert "103,700.00 EUR" in text


@pytest.mark.parametrize("measure_frame", ["summary", "allocations"])
def test_plan_frames_of_the_formats_module_are_the_models_frames(
        sourcing_instances: Path, measure_frame: str) -> None:
    from optimizer.formats.sourcing import plan_frames

    inst = SourcingInstance.model_validate(starter_data(sourcing_instances))
    plan = solve(inst)
    pd.testing.assert_frame_equal(plan_frames(plan, "EUR")[measure_frame],
                                  plan.to_frames("EUR")[measure_frame])


def test_a_piped_report_keeps_every_column(tmp_path: Path) -> None:
    """Output to a file or pipe (no terminal, no COLUMNS) was cropped at 80 columns: a products
    table with long ids lost its last column ('lead (d)' became 'le', values gone)."""
    import json
    import os
    import subprocess
    import sys

    data = json.loads((Path(__file__).resolve().parents[2] / "instances" / "sourcing"
                       / "starter.json").read_text())
    long = {p["id"]: f"{p['id']}-ORGANIC-EXTRA" for p in data["products"]}
    for p in data["products"]:
        p["id"] = long[p["id"]]
    for table in ("offers", "price_breaks", "product_policies"):
        for row in data.get(table, []):
            row["product"] = long[row["product"]]
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    result = subprocess.run([sys.executable, "-m", "optimizer", "sourcing", "solve", str(path)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "lead (d)" in result.stdout
    assert all(name in result.stdout for name in long.values())


def test_plan_xlsx_shows_money_shares_and_quantities_as_a_manager_reads_them(
        tmp_path: Path) -> None:
    """plan.xlsx used the General format everywhere (a 60 % share showed as 0.6)."""
    import openpyxl

    from optimizer.cli import main

    starter = Path(__file__).resolve().parents[2] / "instances" / "sourcing" / "starter.json"
    assert main(["sourcing", "solve", str(starter), "--out", str(tmp_path / "plan")]) == 0
    book = openpyxl.load_workbook(tmp_path / "plan" / "plan.xlsx")

    def style(sheet: str, column: str) -> str:
        ws = book[sheet]
        index = [c.value for c in ws[1]].index(column) + 1
        return ws.cell(row=2, column=index).number_format

    assert style("shares", "share") == "0.0%"
    assert style("products", "defect_rate") == "0.0%"
    assert style("allocations", "cost") == "#,##0.00"
    assert style("summary", "cost_total") == "#,##0.00"
    assert style("allocations", "quantity") == "#,##0.##"
    assert style("products", "hhi") == "General"
