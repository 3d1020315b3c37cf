"""``optimizer network ...`` end to end, in-process (``optimizer.cli.main``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from models.network import SolveStatus
from models.network.checker import check_plan
from optimizer.cli import main
from optimizer.formats.network import (
    read_network_instance,
    read_network_plan,
    write_network_instance,
)

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "instances" / "network"
FIXTURES = ROOT / "tests" / "fixtures" / "network"
SMALL = FIXTURES / "valid_small.json"

PLAN_FILES = ["cost.csv", "customers.csv", "facilities.csv", "flows.csv", "network.png",
              "plan.json", "plan.xlsx", "purchases.csv", "report.html", "shortages.csv",
              "summary.csv"]


@pytest.mark.parametrize("form", ["starter.json", "starter", "starter.xlsx"])
def test_solve_the_shipped_example_in_each_form(
    tmp_path: Path, form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    assert main(["network", "solve", str(STARTER / form), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "OPTIMAL" in printed and "DC-HEF" in printed and "outbound transport" in printed
    assert sorted(p.name for p in out.iterdir()) == PLAN_FILES
    plan = read_network_plan(out)
    inst = read_network_instance(STARTER / form)
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert check_plan(inst, plan).ok  # the written plan, re-checked from the files
    assert main(["network", "check", str(STARTER / form), str(out)]) == 0
    facilities = pd.read_csv(out / "facilities.csv")
    assert set(facilities.facility) == {"DC-HAM", "DC-HEF", "DC-NUE"}
    assert facilities.throughput.sum() == pytest.approx(
        sum(d.quantity for d in inst.demand) - sum(s.quantity for s in plan.shortages))
    assert (out / "network.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_infeasible_exits_3_with_the_reasons(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    assert main(["network", "solve", str(FIXTURES / "infeasible.json"), "--out", str(out)]) == 3
    printed = capsys.readouterr().out
    assert "INFEASIBLE" in printed and "why the rules cannot all be met" in printed
    plan = read_network_plan(out)
    assert plan.solve.status == SolveStatus.INFEASIBLE and plan.infeasibility
    assert plan.infeasibility[0] == "the solver proved that no plan meets every rule together"
    assert any(r.startswith("dropping at most 2 open DCs (network_policy.max_open) alone makes")
               for r in plan.infeasibility)
    assert plan.infeasibility[0] in " ".join(printed.split())
    assert not (out / "network.png").exists()


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "malformed").iterdir()))
def test_malformed_input_exits_2_naming_file_record_and_field(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = FIXTURES / "malformed" / name
    out = tmp_path / "plan"
    assert main(["network", "solve", str(folder), "--out", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "invalid input" in err and "Traceback" not in err
    assert f"{folder}/" in err and ".csv" in err  # the file
    record_level = name not in ("unknown_column", "missing_column", "missing_table",
                                "unknown_table")
    if record_level:
        assert ": line " in err and ": field '" in err  # the record and the field
    assert not out.exists()  # nothing written


def _tamper(out: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((out / "plan.json").read_text())
    change(data)
    (out / "plan.json").write_text(json.dumps(data))


@pytest.fixture(scope="module")
def small_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """valid_small solved once by the CLI (its plan folder)."""
    out = tmp_path_factory.mktemp("small") / "plan"
    assert main(["network", "solve", str(SMALL), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("what", ["flow", "open", "cost"])
def test_check_rejects_a_tampered_plan(tmp_path: Path, small_plan: Path, what: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    (out / "plan.json").write_text((small_plan / "plan.json").read_text())

    def change(data: dict) -> None:  # type: ignore[type-arg]
        if what == "flow":
            data["flows"][0]["quantity"] += 25
        elif what == "open":
            for f in data["facilities"]:
                if f["open"]:
                    f["open"] = False
                    break
        else:
            data["cost"]["outbound"] -= 100
            data["cost"]["total"] -= 100
            data["solve"]["objective"] -= 100

    _tamper(out, change)
    capsys.readouterr()
    assert main(["network", "check", str(SMALL), str(out)]) == 5
    assert "violation(s)" in capsys.readouterr().out
    assert main(["network", "check", str(SMALL), str(small_plan)]) == 0


def test_compare_two_plans_of_the_same_network(tmp_path: Path, small_plan: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Plan B: the same network with the DC that A opens first closed."""
    inst = read_network_instance(SMALL)
    a = read_network_plan(small_plan)
    closed = a.open_facilities[0]
    facilities = [f.model_dump() | ({"status": "must_close", "closing_cost": 0.0}
                                    if f.id == closed else {}) for f in inst.facilities]
    whatif = tmp_path / "whatif.json"
    write_network_instance(inst.model_copy(update={"facilities": facilities}), whatif, "json")
    assert main(["network", "solve", str(whatif), "--out", str(tmp_path / "b")]) == 0
    b = read_network_plan(tmp_path / "b")
    assert closed not in b.open_facilities
    capsys.readouterr()
    table = tmp_path / "compare.csv"
    assert main(["network", "compare", str(SMALL), str(small_plan), str(tmp_path / "b"),
                 "--out", str(table)]) == 0
    printed = capsys.readouterr().out
    assert "A: " in printed and "passes the checker" in printed
    assert "customers that changed DC" in printed or "no customer changed DC" in printed
    rows = pd.read_csv(table, dtype=str, keep_default_na=False)
    assert list(rows.columns) == ["section", "item", "field", "a", "b", "difference"]
    opened = rows[(rows.section == "facility") & (rows.field == "open")]
    assert opened[opened.item == closed][["a", "b", "difference"]].values.tolist() == [
        ["yes", "no", "closed"]]
    total = rows[(rows.section == "cost") & (rows.item == "total")].iloc[0]
    assert float(total.difference) == pytest.approx(b.cost.total - a.cost.total)
    changed = rows[(rows.section == "customer") & (rows.field == "facilities")]
    expected = {c.customer for c in a.customers
                if c.facilities != next(x.facilities for x in b.customers
                                        if x.customer == c.customer)}
    assert set(changed.item) == expected and expected  # the customers of the closed DC moved


def test_compare_refuses_a_plan_of_another_network(tmp_path: Path, small_plan: Path) -> None:
    out = tmp_path / "starter-plan"
    other = json.loads((small_plan / "plan.json").read_text())
    other["customers"][0]["customer"] = "Z-ELSEWHERE"
    out.mkdir()
    (out / "plan.json").write_text(json.dumps(other))
    assert main(["network", "compare", str(SMALL), str(small_plan), str(out)]) == 2


def test_method_facility_location_is_refused_when_it_does_not_apply(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "solve", str(SMALL), "--method", "facility-location"]) == 2
    assert "it has a supplier echelon" in capsys.readouterr().err


def test_capacity_is_refused_for_a_native_instance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "solve", str(SMALL), "--capacity", "100"]) == 2
    assert "--capacity applies only to --format orlib-cap" in capsys.readouterr().err


ORLIB = """2 3
capacity 50
capacity 60
30
10 20
40
15 5
20
8 9
"""


def test_orlib_benchmark_with_capacity(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A benchmark has no coordinates: the plan is written without a map, and the console
    says why."""
    path = tmp_path / "capx.txt"
    path.write_text(ORLIB)
    out = tmp_path / "plan"
    assert main(["network", "solve", str(path), "--format", "orlib-cap", "--capacity", "70",
                 "--out", str(out)]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "no network map" in printed
    assert sorted(p.name for p in out.iterdir()) == [n for n in PLAN_FILES
                                                     if n != "network.png"]
    plan = read_network_plan(out)
    # Demand 90 > capacity 70: both DCs open (50 + 60); F1 serves C1 (10) and C3 (8), F2
    # serves C2 (5), within the capacities (50 and 40): 110 + 23.
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert plan.cost.total == pytest.approx(133.0)
    assert main(["network", "check", str(path), str(out), "--format", "orlib-cap",
                 "--capacity", "70"]) == 0


def test_an_output_folder_with_other_files_is_refused_before_solving(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["network", "solve", str(SMALL), "--out", str(out)]) == 2
    assert (out / "notes.txt").read_text() == "keep me"


def test_convert_between_forms(tmp_path: Path) -> None:
    assert main(["network", "convert", str(SMALL), str(tmp_path / "small.xlsx")]) == 0
    assert main(["network", "convert", str(tmp_path / "small.xlsx"), str(tmp_path / "csv")]) == 0
    back = read_network_instance(tmp_path / "csv")
    assert back.model_copy(update={"name": "valid_small"}) == read_network_instance(SMALL)


def test_schema_describes_every_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["network", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"products", "facilities", "sizes", "customers", "demand", "suppliers", "offers",
            "lanes", "transport", "network_policy"} <= set(schema["properties"])


def test_generate_then_solve(tmp_path: Path) -> None:
    path = tmp_path / "gen.json"
    assert main(["network", "generate", "--out", str(path), "--suppliers", "0",
                 "--facilities", "3", "--customers", "8", "--products", "1",
                 "--seed", "4"]) == 0
    inst = read_network_instance(path)
    assert inst.name == "gen" and len(inst.customers) == 8 and len(inst.facilities) == 3
    assert main(["network", "solve", str(path), "--out", str(tmp_path / "plan")]) == 0
    assert main(["network", "generate", "--out", str(tmp_path / "x.json"),
                 "--suppliers", "1"]) == 2


def test_plot_draws_a_written_plan(tmp_path: Path, small_plan: Path) -> None:
    png = tmp_path / "map.png"
    assert main(["network", "plot", str(SMALL), str(small_plan), "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


def _no_solution(inst, options, method="auto"):  # type: ignore[no-untyped-def]
    from models.network import Method, NetworkPlan, NetworkSolveSummary

    summary = NetworkSolveSummary(status=SolveStatus.NO_SOLUTION, stop_reason="time limit",
                                  method=Method.MILP, solver="highs", objective=None,
                                  best_bound=1.0, gap=None)
    return NetworkPlan(instance=inst.name, solve=summary)


def test_no_plan_within_the_limits_exits_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("optimizer.jobs.steps.solve_network", _no_solution)
    out = tmp_path / "plan"
    assert main(["network", "solve", str(SMALL), "--out", str(out), "--json"]) == 4
    assert json.loads(capsys.readouterr().out)["solve"]["status"] == "no_solution"
    assert read_network_plan(out).solve.status == SolveStatus.NO_SOLUTION


def test_a_plan_failing_the_checker_exits_5_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from models.network import PlanCheckError
    from models.network.checker import NetworkCheckReport

    def broken(inst, options, method="auto"):  # type: ignore[no-untyped-def]
        report = NetworkCheckReport()
        report.add("balance", "F1/P1", "into F1 is 10 more than out of it", 10.0)
        raise PlanCheckError(_no_solution(inst, options), report)

    monkeypatch.setattr("optimizer.jobs.steps.solve_network", broken)
    out = tmp_path / "plan"
    assert main(["network", "solve", str(SMALL), "--out", str(out)]) == 5
    captured = capsys.readouterr()
    assert "balance" in captured.out and "nothing was written" in captured.err
    assert not out.exists()


def test_ctrl_c_without_a_plan_exits_130_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(inst, options, method="auto"):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr("optimizer.jobs.steps.solve_network", interrupted)
    out = tmp_path / "plan"
    assert main(["network", "solve", str(SMALL), "--out", str(out)]) == 130
    assert "nothing was written" in capsys.readouterr().err
    assert not out.exists()


def test_ctrl_c_with_a_plan_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """An interrupted solve that returns its incumbent: written, said so, exit 0."""
    from models.network import solve as real_solve
    from models.solver import INTERRUPTED_REASON

    def interrupted(inst, options, method="auto"):  # type: ignore[no-untyped-def]
        plan = real_solve(inst, options, method)
        stopped = plan.solve.model_copy(update={"stop_reason": INTERRUPTED_REASON})
        return plan.model_copy(update={"solve": stopped})

    monkeypatch.setattr("optimizer.jobs.steps.solve_network", interrupted)
    out = tmp_path / "plan"
    assert main(["network", "solve", str(SMALL), "--out", str(out)]) == 0
    assert "interrupted" in capsys.readouterr().err
    assert read_network_plan(out).solve.stop_reason == INTERRUPTED_REASON


HOLMBERG = """2 3
50 60
50 60
30 40 20
10 20
15 5
8 9
"""


def test_holmberg_benchmark_single_source(tmp_path: Path) -> None:
    """Every customer on one DC: C1 and C3 on F1 (50 units, its capacity), C2 on F2."""
    path = tmp_path / "p0.txt"
    path.write_text(HOLMBERG)
    out = tmp_path / "plan"
    assert main(["network", "solve", str(path), "--format", "holmberg", "--method",
                 "facility-location", "--out", str(out)]) == 0
    plan = read_network_plan(out)
    assert plan.solve.method == "facility-location"
    assert plan.cost.total == pytest.approx(133.0)
    assert {c.customer: c.facilities for c in plan.customers} == {
        "C1": "F1", "C2": "F2", "C3": "F1"}
    assert main(["network", "solve", str(path), "--format", "holmberg", "--capacity",
                 "10"]) == 2


def test_summary_shows_open_dcs_and_names_closed_ones(
        small_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["network", "solve", str(SMALL)]) == 0
    printed = capsys.readouterr().out
    plan = read_network_plan(small_plan)
    opened = [f for f in plan.facilities if f.open]
    closed = [f.facility for f in plan.facilities if not f.open]
    assert f"open DCs: {len(opened)} of 3" in printed
    assert f"closed: {', '.join(closed)}" in printed
    for f in opened:
        row = next(line for line in printed.splitlines() if line.startswith(f"│{f.facility} "))
        assert f"{f.utilisation:.1%}" in row and f.size in row and f.status in row
    assert "total cost  5,025.46 EUR" in printed


def test_a_benchmark_file_without_format_is_named_as_such(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cap41.txt"
    path.write_text(ORLIB)
    assert main(["network", "solve", str(path)]) == 2
    assert "a benchmark file needs --format orlib-cap or --format holmberg" in \
        " ".join(capsys.readouterr().err.split())


def test_the_command_runs_as_a_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "optimizer", "network", "solve", str(SMALL),
                             "--json"], capture_output=True, text=True, timeout=300,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["solve"]["status"] == "optimal"


def test_check_of_a_plan_without_a_solution_fails_on_demand(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An 'infeasible' plan serves nothing: checked against a network with demand it fails
    (exit 5), as a sourcing plan without allocations does; it was 'passes every check'."""
    out = tmp_path / "plan"
    assert main(["network", "solve", str(FIXTURES / "infeasible.json"), "--out", str(out)]) == 3
    capsys.readouterr()
    assert main(["network", "check", str(FIXTURES / "valid_small.json"), str(out)]) == 5
    assert "serves no demand" in " ".join(capsys.readouterr().out.split())
