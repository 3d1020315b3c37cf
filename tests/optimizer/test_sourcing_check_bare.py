"""``optimizer sourcing check INSTANCE TABLE``: a bare allocation table (a plan a person wrote
or edited) is priced by the checker with the instance's rules and checked against every rule;
exit 0 when it passes, 5 when it breaks a rule, 2 for a malformed table. And a tampered
``plan.json`` (NaN cost, optimal with a 50 % gap) fails the check."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from optimizer.cli import main

#: P: 10 units, hard. S0: 5 per unit, 4 per unit from 8 units on (all units), onboarding 3.
#: S1: 6 per unit, no onboarding. Buying 10 from S0 costs 3 + 10 x 4 = 43.
INSTANCE = {
    "name": "bare",
    "products": [{"id": "P", "demand": 10}],
    "suppliers": [{"id": "S0", "region": "R", "onboarding_cost": 3},
                  {"id": "S1", "region": "R"}],
    "offers": [{"supplier": "S0", "product": "P", "unit_price": 5},
               {"supplier": "S1", "product": "P", "unit_price": 6}],
    "price_breaks": [{"supplier": "S0", "product": "P", "min_quantity": 8, "unit_price": 4}],
}


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(INSTANCE))
    return path


def _check(instance: Path, table: Path, capsys: pytest.CaptureFixture[str]
           ) -> tuple[int, str]:
    code = main(["sourcing", "check", str(instance), str(table)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_csv_table_priced_with_the_price_break_and_onboarding(
    tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "edited.csv"
    table.write_text("supplier,product,quantity\nS0,P,10\n")
    code, out = _check(instance, table, capsys)
    assert code == 0, out
    assert "cost 43.00 = onboarding 3.00 + purchase 40.00" in out
    assert "passes every check" in out


def test_a_split_below_the_break_pays_the_base_price(
    tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 6 from S0 (below the break: 5 each) + 4 from S1 (6 each) + onboarding 3 = 57
    table = tmp_path / "split.csv"
    table.write_text("Supplier ; Product ; Quantity\nS0;P;6\nS1;P;4\n")  # European export
    code, out = _check(instance, table, capsys)
    assert code == 0, out
    assert "cost 57.00 = onboarding 3.00 + purchase 54.00" in out


def test_every_violation_is_listed_with_exit_5(
    tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "short.csv"
    table.write_text("supplier,product,quantity\nS0,P,7\nS2,P,1\n")
    code, out = _check(instance, table, capsys)
    assert code == 5, out
    assert "demand" in out and "unknown_offer" in out
    assert "cost 38.00" in out  # 3 + 7 x 5; S2 has no offer and is not priced


def test_excel_and_json_tables(tmp_path: Path, instance: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "edited.xlsx"
    pd.DataFrame([{"supplier": "S0", "product": "P", "quantity": 10}]).to_excel(
        book, sheet_name="Allocations", index=False)
    code, out = _check(instance, book, capsys)
    assert code == 0, out
    assert "cost 43.00" in out
    listed = tmp_path / "edited.json"
    listed.write_text(json.dumps([{"supplier": "S1", "product": "P", "quantity": 10}]))
    code, out = _check(instance, listed, capsys)
    assert code == 0, out
    assert "cost 60.00" in out
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"allocations": [
        {"supplier": "S1", "product": "P", "quantity": 10}]}))
    assert _check(instance, wrapped, capsys)[0] == 0


def test_a_plans_own_allocations_csv_can_be_edited(
    tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "plan"
    assert main(["sourcing", "solve", str(instance), "--out", str(out_dir)]) == 0
    capsys.readouterr()
    frame = pd.read_csv(out_dir / "allocations.csv")
    assert list(frame.columns[:3]) == ["supplier", "product", "quantity"]
    code, out = _check(instance, out_dir / "allocations.csv", capsys)
    assert code == 0, out
    assert "cost 43.00" in out
    frame.loc[0, "quantity"] = 9  # the person's edit; unit_price and cost are stale now
    frame.to_csv(out_dir / "allocations.csv", index=False)
    code, out = _check(instance, out_dir / "allocations.csv", capsys)
    assert code == 5 and "demand" in out


@pytest.mark.parametrize("content, where", [
    ("supplier,product,quantity\nS0,P,10\nS1,P,-3\n", "line 3: field 'quantity'"),
    ("supplier,product,quantity\nS0,P,ten\n", "line 2: field 'quantity'"),
    ("supplier,product,quantity\nS0,P,nan\n", "line 2: field 'quantity'"),
    ("supplier,product\nS0,P\n", "missing column 'quantity'"),
    ("supplier,product,qty\nS0,P,10\n", "unknown column 'qty'"),
    ("supplier,product,quantitty\nS0,P,10\n", "did you mean 'quantity'"),
    ("supplier,product,quantity\n,P,10\n", "line 2: field 'supplier'"),
    ("supplier,product,quantity\nS0,P,4\nS1,P,2\nS0,P,6\n", "line 4: field 'product'"),
])
def test_malformed_csv_exits_2_naming_file_row_and_field(
    tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str], content: str,
    where: str,
) -> None:
    table = tmp_path / "bad.csv"
    table.write_text(content)
    code, out = _check(instance, table, capsys)
    assert code == 2, out
    assert "bad.csv" in out and where in out, out
    assert "Traceback" not in out


@pytest.mark.parametrize("records, where", [
    ([{"supplier": "S0", "product": "P", "quantity": True}], "allocations[0]"),
    ([{"supplier": "S0", "product": "P"}], "missing column 'quantity'"),
    ([{"supplier": "S0", "product": "P", "quantity": 4}, {"supplier": "S1", "product": "P"}],
     "allocations[1]: field 'quantity'"),
    ({"rows": []}, "expected a list of records"),
])
def test_malformed_json_exits_2(tmp_path: Path, instance: Path,
                                capsys: pytest.CaptureFixture[str], records: object,
                                where: str) -> None:
    table = tmp_path / "bad.json"
    table.write_text(json.dumps(records))
    code, out = _check(instance, table, capsys)
    assert code == 2, out
    assert "bad.json" in out and where in out, out


def test_workbook_with_two_sheets_is_ambiguous(tmp_path: Path, instance: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as writer:
        for sheet in ("a", "b"):
            pd.DataFrame([{"supplier": "S0", "product": "P", "quantity": 10}]).to_excel(
                writer, sheet_name=sheet, index=False)
    code, out = _check(instance, book, capsys)
    assert code == 2 and "two.xlsx" in out and "one sheet" in out


# ---- plan.json figures --------------------------------------------------------------------

def _solved_plan(tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str]
                 ) -> tuple[Path, dict]:
    out_dir = tmp_path / "plan"
    assert main(["sourcing", "solve", str(instance), "--out", str(out_dir)]) == 0
    capsys.readouterr()
    return out_dir, json.loads((out_dir / "plan.json").read_text())


def test_plan_json_with_a_nan_total_fails(tmp_path: Path, instance: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out_dir, data = _solved_plan(tmp_path, instance, capsys)
    data["cost"]["total"] = math.nan
    (out_dir / "plan.json").write_text(json.dumps(data))  # writes NaN, as Python does
    code, out = _check(instance, out_dir, capsys)
    assert code in (2, 5), out  # refused as input or caught by the check, never passed
    assert "passes every check" not in out


def test_plan_json_optimal_with_a_50_percent_gap_fails(
    tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir, data = _solved_plan(tmp_path, instance, capsys)
    data["solve"]["best_bound"] = data["solve"]["objective"] / 2
    data["solve"]["gap"] = 0.5
    (out_dir / "plan.json").write_text(json.dumps(data))
    code, out = _check(instance, out_dir, capsys)
    assert code == 5 and "status" in out, out


def test_plan_json_with_an_altered_supplier_spend_fails(
    tmp_path: Path, instance: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir, data = _solved_plan(tmp_path, instance, capsys)
    data["suppliers"][0]["spend"] += 100
    (out_dir / "plan.json").write_text(json.dumps(data))
    code, out = _check(instance, out_dir, capsys)
    assert code == 5 and "supplier_figures" in out, out


@pytest.mark.parametrize("table", ["allocations.csv", "plan.xlsx"])
def test_a_plan_with_a_currency_checks_back_from_its_own_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    """The priced columns carry the currency (unit_price_EUR, cost_EUR): they are read, not
    refused as unknown columns (they were: exit 2 on the plan's own allocations.csv)."""
    path = tmp_path / "eur.json"
    path.write_text(json.dumps({**INSTANCE, "policy": {"currency": "EUR"}}))
    out_dir = tmp_path / "plan"
    assert main(["sourcing", "solve", str(path), "--out", str(out_dir)]) == 0
    capsys.readouterr()
    assert "cost_EUR" in pd.read_csv(out_dir / "allocations.csv").columns
    code, out = _check(path, out_dir / table, capsys)
    assert code == 0, out
    assert "43.00" in out
