"""The sourcing CLI end to end, in-process (``optimizer.cli.main``) and as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from models.sourcing import SolveStatus
from optimizer.cli import main
from optimizer.formats.sourcing import read_sourcing_plan


def test_solve_writes_a_checked_plan(tmp_path: Path, sourcing_instances: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    code = main(["sourcing", "solve", str(sourcing_instances / "starter.json"), "--out", str(out)])
    assert code == 0
    assert "OPTIMAL" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "allocations.csv", "plan.json", "plan.xlsx", "products.csv", "region_shares.csv",
        "report.html", "shares.csv", "summary.csv", "suppliers.csv"]
    plan = read_sourcing_plan(out)
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert main(["sourcing", "check", str(sourcing_instances / "starter.json"), str(out)]) == 0


def test_check_rejects_a_tampered_plan(tmp_path: Path, sourcing_instances: Path) -> None:
    out = tmp_path / "plan"
    main(["sourcing", "solve", str(sourcing_instances / "starter.json"), "--out", str(out)])
    data = json.loads((out / "plan.json").read_text())
    data["allocations"][0]["quantity"] += 500
    (out / "plan.json").write_text(json.dumps(data))
    assert main(["sourcing", "check", str(sourcing_instances / "starter.json"), str(out)]) == 5


def test_infeasible_exits_3_and_writes_the_explanation(
    tmp_path: Path, sourcing_instances: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    code = main(["sourcing", "solve", str(sourcing_instances / "infeasible.json"),
                 "--out", str(out), "--json"])
    assert code == 3
    printed = json.loads(capsys.readouterr().out)
    relaxed = printed["explanation"]["relaxations"]
    assert [(r["rule"], r["subject"], r["amount"]) for r in relaxed] == [
        ("lead_time", "HCM1/TEE-BLK-M", 15.0)]
    plan = read_sourcing_plan(out)
    assert plan.solve.status == SolveStatus.INFEASIBLE
    assert plan.explanation is not None and plan.explanation.relaxations == tuple(
        plan.explanation.relaxations)
    assert "lead_time" in (out / "explanation.csv").read_text()


def test_marginals_are_written(tmp_path: Path, sourcing_instances: Path) -> None:
    out = tmp_path / "plan"
    code = main(["sourcing", "solve", str(sourcing_instances / "starter.json"), "--out",
                 str(out), "--marginals"])
    assert code == 0
    values = json.loads((out / "marginal_values.json").read_text())
    assert values["status"] == "optimal"
    assert "conditional on the chosen supplier set" in values["basis"]
    assert {v["kind"] for v in values["values"]} >= {"demand"}
    assert (out / "marginal_values.csv").read_text().startswith("kind,subject,value,unit")


def test_frontier_writes_table_chart_and_plans(tmp_path: Path) -> None:
    inst = tmp_path / "g.json"
    assert main(["sourcing", "generate", "--out", str(inst), "--suppliers", "6",
                 "--products", "5", "--seed", "3", "--scenarios", "4"]) == 0
    out = tmp_path / "frontier"
    code = main(["sourcing", "frontier", str(inst), "--out", str(out), "--measure", "cvar",
                 "--points", "4", "--workers", "1"])
    assert code == 0
    table = (out / "frontier.csv").read_text().splitlines()
    assert table[0].startswith("index,epsilon,cost,measure,suppliers_used,status,gap")
    assert len(table) == 1 + 4
    assert (out / "frontier.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (out / "points").iterdir()) == ["00", "01", "02", "03"]
    assert main(["sourcing", "check", str(inst), str(out / "points" / "00")]) == 0


def test_frontier_cvar_needs_scenarios(sourcing_instances: Path, tmp_path: Path) -> None:
    code = main(["sourcing", "frontier", str(sourcing_instances / "starter.json"), "--out",
                 str(tmp_path / "f"), "--measure", "cvar"])
    assert code == 2
    assert not (tmp_path / "f").exists()


def test_bad_input_exits_2_without_output(tmp_path: Path, sourcing_fixtures: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan"
    bad = sourcing_fixtures / "malformed" / "rate_out_of_range.json"
    assert main(["sourcing", "solve", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: offers[2]: field 'defect_rate'" in err
    assert "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("form, name", [("json", "g.json"), ("csv", "g"), ("excel", "g.xlsx")])
def test_generate_convert_round_trip(tmp_path: Path, form: str, name: str) -> None:
    target = tmp_path / name
    assert main(["sourcing", "generate", "--suppliers", "5", "--products", "6", "--seed", "3",
                 "--offers-per-product", "3", "--out", str(target)]) == 0
    back = tmp_path / "back.json"
    assert main(["sourcing", "convert", str(target), str(back)]) == 0
    plans = []
    for source in (target, back):
        out = tmp_path / f"plan-{source.name}"
        assert main(["sourcing", "solve", str(source), "--out", str(out)]) in (0, 3)
        plans.append(read_sourcing_plan(out))
    assert plans[0].allocations == plans[1].allocations
    assert plans[0].cost == plans[1].cost


def test_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sourcing", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["required"]) == {"products", "suppliers", "offers"}


def test_time_limited_solve_is_never_called_optimal_without_proof(
        tmp_path: Path, sourcing_instances: Path) -> None:
    out = tmp_path / "plan"
    code = main(["sourcing", "solve", str(sourcing_instances / "generated-20x50.json"),
                 "--gap", "0.05", "--out", str(out)])
    assert code == 0
    plan = read_sourcing_plan(out)
    assert plan.solve.gap is not None and plan.solve.best_bound is not None
    if plan.solve.status == SolveStatus.OPTIMAL:
        assert plan.solve.gap <= 1e-9
    else:
        assert plan.solve.status == SolveStatus.FEASIBLE
        assert 0 < plan.solve.gap <= 0.05


def test_module_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "optimizer", "sourcing", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "solve" in result.stdout and "check" in result.stdout
