"""run_job on each kind's shipped example: a plan that passes the kind's independent checker,
the CLI's objective on the same options where the solve is deterministic, the CLI's plan JSON
and report; bad options, bad records and infeasible instances."""

from __future__ import annotations

import copy
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models.integrated import IntegratedPlan
from models.integrated import check_plan as check_integrated
from models.network import NetworkPlan
from models.network import check_plan as check_network
from models.routing import RoutePlan
from models.routing import check_plan as check_routing
from models.sourcing import SourcingPlan
from models.sourcing import check_plan as check_sourcing
from optimizer.formats.instance_data import read_instance_data
from optimizer.jobs import JobError, JobKind, JobOutcome, JobProgress, JobSpec, run_job

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = {
    JobKind.SOURCING: ROOT / "instances" / "sourcing" / "starter.json",
    JobKind.ROUTING: ROOT / "instances" / "routing" / "city-day-40.json",
    JobKind.NETWORK: ROOT / "instances" / "network" / "starter.json",
    JobKind.PLAN: ROOT / "instances" / "plan" / "starter.json",
}
#: Small limits; routing by iterations (reproducible), the MILPs proven optimal.
OPTIONS: dict[JobKind, dict[str, Any]] = {
    JobKind.SOURCING: {},
    JobKind.ROUTING: {"solution_limit": 50},
    JobKind.NETWORK: {},
    JobKind.PLAN: {"time_limit": 5, "route_seconds": 1},
}
CHECKS = {
    JobKind.SOURCING: (SourcingPlan, check_sourcing),
    JobKind.ROUTING: (RoutePlan, check_routing),
    JobKind.NETWORK: (NetworkPlan, check_network),
    JobKind.PLAN: (IntegratedPlan, check_integrated),
}


def _data(kind: JobKind) -> dict[str, Any]:
    return json.loads(EXAMPLES[kind].read_text(encoding="utf-8"))


def _cli_json(*args: str) -> dict[str, Any]:
    """The plan JSON of ``optimizer ... --json`` (a separate process, as a user runs it)."""
    done = subprocess.run([sys.executable, "-m", "optimizer", *args, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def outcomes() -> dict[JobKind, JobOutcome]:
    return {kind: run_job(JobSpec(kind=kind, instance=_data(kind), options=OPTIONS[kind],
                                  label=EXAMPLES[kind].name))
            for kind in JobKind}


@pytest.mark.parametrize("kind", list(JobKind))
def test_the_plan_passes_the_independent_checker(kind: JobKind,
                                                 outcomes: dict[JobKind, JobOutcome]) -> None:
    outcome = outcomes[kind]
    assert outcome.kind == kind and outcome.exit_code == 0
    assert outcome.status in ("optimal", "feasible")
    model, check = CHECKS[kind]
    plan = model.model_validate(outcome.plan)
    report = check(read_instance_data(kind, _data(kind), "x"), plan)
    assert report.ok, report.violations
    assert outcome.report_html is not None and outcome.report_html.startswith("<!DOCTYPE html>")
    assert outcome.summary.startswith(f"{kind.value} ")
    assert outcome.objective is not None and outcome.seconds > 0


@pytest.mark.parametrize(("kind", "args"), [
    (JobKind.SOURCING, []),
    (JobKind.NETWORK, []),
    (JobKind.ROUTING, ["--solution-limit", "50", "--workers", "1"]),
])
def test_the_same_objective_as_the_cli(kind: JobKind, args: list[str],
                                       outcomes: dict[JobKind, JobOutcome]) -> None:
    cli = _cli_json(kind.value, "solve", str(EXAMPLES[kind]), *args)
    outcome = outcomes[kind]
    if kind == JobKind.ROUTING:
        assert outcome.objective == pytest.approx(cli["cost"], rel=1e-9)
        assert outcome.plan["routes"] == cli["routes"]
    else:
        assert outcome.status == cli["solve"]["status"] == "optimal"
        assert outcome.objective == pytest.approx(cli["solve"]["objective"], rel=1e-9)
        assert outcome.plan.keys() == cli.keys()


def test_sourcing_marginals_are_in_the_plan_json_and_the_report() -> None:
    outcome = run_job(JobSpec(kind="sourcing", instance=_data(JobKind.SOURCING),
                              options={"marginals": True}))
    values = outcome.plan["marginal_values"]["values"]
    assert values and {"kind", "subject", "value", "unit"} <= set(values[0])
    assert "marginal_values" in (outcome.report_html or "")


def test_bad_options_are_invalid_input_naming_the_field() -> None:
    with pytest.raises(JobError) as caught:
        run_job(JobSpec(kind="routing", instance=_data(JobKind.ROUTING),
                        options={"time_limit": -1, "colour": "red"}))
    assert caught.value.code == 2 and caught.value.error == "invalid input"
    assert caught.value.problems[0].startswith("options: field 'time_limit'")
    assert caught.value.problems[1] == "options: field 'colour': unknown option"


def test_options_the_instance_cannot_take_are_invalid_input() -> None:
    with pytest.raises(JobError) as caught:  # no time limit and no solution limit
        run_job(JobSpec(kind="routing", instance=_data(JobKind.ROUTING),
                        options={"time_limit": None}))
    assert caught.value.code == 2
    assert caught.value.problems == ["options: give a time limit or a solution limit"]
    with pytest.raises(JobError) as caught:
        run_job(JobSpec(kind="plan", instance=_data(JobKind.PLAN),
                        options={"scenarios": ["no-such-scenario"]}, label="day.json"))
    assert caught.value.code == 2 and "no-such-scenario" in caught.value.problems[0]


@pytest.mark.parametrize(("kind", "table", "index", "field"), [
    (JobKind.SOURCING, "offers", 2, "unit_price"),
    (JobKind.ROUTING, "stops", 3, "delivery"),
    (JobKind.NETWORK, "demand", 1, "quantity"),
    (JobKind.PLAN, "demand", 1, "quantity"),
])
def test_a_bad_record_is_invalid_input_naming_label_record_and_field(
        kind: JobKind, table: str, index: int, field: str) -> None:
    data = copy.deepcopy(_data(kind))
    data[table][index][field] = "lots"
    with pytest.raises(JobError) as caught:
        run_job(JobSpec(kind=kind, instance=data, label="request 7"))
    error = caught.value
    assert error.code == 2
    assert error.problems[0].startswith(f"request 7: {table}[{index}]: field '{field}'")
    assert error.to_json()["code"] == 2


def test_an_infeasible_instance_is_an_outcome_with_exit_code_3() -> None:
    data = json.loads((ROOT / "instances" / "sourcing" / "infeasible.json").read_text())
    outcome = run_job(JobSpec(kind="sourcing", instance=data))
    assert outcome.status == "infeasible" and outcome.exit_code == 3
    assert outcome.objective is None
    assert outcome.plan["solve"]["status"] == "infeasible"
    assert outcome.report_html is not None


def test_routing_progress_reports_a_best_cost() -> None:
    seen: list[JobProgress] = []
    outcome = run_job(JobSpec(kind="routing", instance=_data(JobKind.ROUTING),
                              options={"solution_limit": 20}), seen.append)
    assert outcome.exit_code == 0
    costs = [p.best for p in seen if p.best is not None]
    assert costs and all(c >= outcome.objective - 1e-6 for c in costs)  # type: ignore[operator]
    assert all(b.elapsed >= a.elapsed for a, b in itertools.pairwise(seen))


def test_mip_progress_reports_the_incumbent_bound_and_gap() -> None:
    seen: list[JobProgress] = []
    outcome = run_job(JobSpec(kind="network", instance=_data(JobKind.NETWORK)), seen.append)
    assert outcome.status == "optimal"
    assert seen, "a proven-optimal MIP reports at least its final figures"
    last = seen[-1]
    assert last.best == pytest.approx(outcome.objective, rel=1e-6)
    assert last.bound is not None and last.gap is not None


def test_the_report_is_the_one_the_cli_writes_for_the_plan(
        tmp_path: Path, outcomes: dict[JobKind, JobOutcome]) -> None:
    from optimizer.formats.network import write_network_plan
    from optimizer.formats.routing import write_routing_plan
    from optimizer.formats.sourcing import write_sourcing_plan

    inst = {kind: read_instance_data(kind, _data(kind), "x") for kind in JobKind}
    writers = {
        JobKind.SOURCING: lambda plan, out: write_sourcing_plan(
            plan, out, inst[JobKind.SOURCING].policy.currency),
        JobKind.ROUTING: lambda plan, out: write_routing_plan(plan, out, inst[JobKind.ROUTING]),
        JobKind.NETWORK: lambda plan, out: write_network_plan(plan, out, inst[JobKind.NETWORK],
                                                              with_map=False),
    }
    for kind, write in writers.items():
        outcome = outcomes[kind]
        model, _check = CHECKS[kind]
        out = tmp_path / kind.value
        write(model.model_validate(outcome.plan), out)
        written = (out / "report.html").read_text(encoding="utf-8")
        assert _folium_ids(written) == _folium_ids(outcome.report_html or ""), kind
        assert json.loads((out / "plan.json").read_text(encoding="utf-8")) == outcome.plan, kind


def _folium_ids(html: str) -> str:
    """The page with the map's element names (folium draws a random hex id per element) and
    the minute it was made equal."""
    html = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "TIME UTC", html)
    return re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_ID", html)


def test_a_plan_the_checker_rejects_is_error_5_listing_the_violations(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the real solve; the independent checker is made to find one violation
    sourcing_solve = sys.modules["models.sourcing.solve"]  # the package's solve() shadows it
    real = sourcing_solve.check_plan

    def strict(instance: Any, plan: Any) -> Any:
        report = real(instance, plan)
        report.add("capacity", "S1", "made up for the test", 1.0)
        return report

    monkeypatch.setattr(sourcing_solve, "check_plan", strict)
    with pytest.raises(JobError) as caught:
        run_job(JobSpec(kind="sourcing", instance=_data(JobKind.SOURCING)))
    assert caught.value.code == 5
    assert caught.value.problems == ["capacity S1: made up for the test"]


def test_a_plan_reports_no_bound_for_a_cost_the_network_mip_did_not_bound(
        outcomes: dict[JobKind, JobOutcome]) -> None:
    """The plan's objective is its total cost (routed days included); the network MIP's
    bound and gap are about the MIP's own objective and are reported only when it is that
    cost."""
    outcome = outcomes[JobKind.PLAN]
    network = outcome.plan["network"]["solve"]["objective"]
    assert outcome.objective is not None and network is not None
    if abs(network - outcome.objective) > 1e-6 * abs(outcome.objective):
        assert outcome.bound is None and outcome.gap is None
    else:
        assert outcome.bound is not None


def test_a_solve_without_a_plan_ends_its_progress_without_figures() -> None:
    """The elastic re-solve that explains an infeasible instance is a MIP too: its figures are
    not an incumbent, so the last report says how the solve ended, without figures."""
    data = json.loads((ROOT / "instances" / "sourcing" / "infeasible.json").read_text())
    seen: list[JobProgress] = []
    outcome = run_job(JobSpec(kind="sourcing", instance=data), seen.append)
    assert outcome.status == "infeasible"
    assert seen and seen[-1].best is None and seen[-1].bound is None
    assert seen[-1].message.startswith("infeasible")
