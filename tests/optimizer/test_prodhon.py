"""The Prodhon location-routing reader (``--format prodhon``) and the lrp suite's independent
evaluator: coord20-5-1 field by field, the ceil(100 d) edge costs, line-numbered errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks.lrp_suite import evaluate, reference_values
from models.network import NetworkInstance
from optimizer.errors import InputError
from optimizer.formats.prodhon import parse_prodhon, read_prodhon, read_prodhon_problem
from optimizer.settings import bench_data_dir

DATA = bench_data_dir() / "lrp-prodhon"
needs_data = pytest.mark.skipif(not (DATA / "instances").is_dir(),
                                reason=f"no Prodhon benchmark data under {DATA}")
COORD20 = DATA / "instances" / "coord20-5-1.dat"

#: 2 customers, 2 depots: depots (0,0) (3,4); customers (0,1.5) (6,8); Q 12; capacities 15 12;
#: demands 4 7; opening costs 100 200; route cost 1000; integer costs.
TINY = "2\n2\n0 0\n3 4\n0 1.5\n6 8\n12\n15 12\n4 7\n100 200\n1000\n0\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.dat"
    path.write_text(text, encoding="utf-8")
    return path


@needs_data
def test_coord20_5_1_field_by_field() -> None:
    inst = read_prodhon(COORD20)
    assert isinstance(inst, NetworkInstance)
    assert inst.name == "coord20-5-1"
    assert [f.id for f in inst.facilities] == ["D1", "D2", "D3", "D4", "D5"]
    assert (inst.facilities[0].x, inst.facilities[0].y) == (6, 7)
    assert [f.capacity for f in inst.facilities] == [140] * 5
    assert [f.fixed_cost for f in inst.facilities] == [10841, 11961, 6091, 7570, 7497]
    assert len(inst.customers) == 20
    assert (inst.customers[0].x, inst.customers[0].y) == (20, 35)
    assert [d.quantity for d in inst.demand][:5] == [17, 18, 13, 19, 12]
    assert sum(d.quantity for d in inst.demand) == 315
    (van,) = inst.fleet
    assert (van.capacity, van.fixed_cost, van.cost_per_km, van.cost_per_hour, van.count,
            van.max_duration) == (70, 1000, 1, 0, None, None)
    assert inst.network_policy.outbound.value == "routes"
    assert inst.network_policy.delivery_days == 1
    km = {(d.origin, d.destination): d.km for d in inst.distances}
    assert len(km) == 5 * 20 + 20 * 19 // 2  # every depot-customer and customer pair once
    # D1 (6, 7) to C1 (20, 35): 100 * sqrt(14^2 + 28^2) = 3130.49... -> 3131
    assert km[("D1", "C1")] == 3131 == math.ceil(100 * math.hypot(14, 28))
    assert km[("C1", "C2")] == math.ceil(100 * math.hypot(20 - 8, 35 - 31))


@needs_data
def test_problem_matches_the_network_instance() -> None:
    p = read_prodhon_problem(COORD20)
    inst = read_prodhon(COORD20)
    assert p.shape == (5, 20)
    assert list(p.capacity) == [140] * 5
    assert p.km[0, 5] == 3131 and p.km[5, 0] == 3131
    km = {(d.origin, d.destination): d.km for d in inst.distances}
    assert all(p.km[5 + a, 5 + b] == km[(f"C{a + 1}", f"C{b + 1}")]
               for a in range(20) for b in range(a + 1, 20))
    assert p.vehicles[0].capacity == 70 and p.vehicles[0].fixed_cost == 1000


@needs_data
def test_reference_values_cover_every_file() -> None:
    refs = reference_values()
    assert len(refs) == 24 and refs["coord20-5-1"] == 54793
    assert all((DATA / "instances" / f"{name}.dat").is_file() for name in refs)


def test_tiny_file_ceil_costs(tmp_path: Path) -> None:
    p = read_prodhon_problem(write(tmp_path, TINY))
    # D1 -> C1: 150 exactly; D2 (3,4) -> C1 (0,1.5): 100 * 3.905... = 390.51 -> 391
    assert p.km[0, 2] == 150 and p.km[1, 2] == 391 and p.km[0, 1] == 500
    assert list(p.demand) == [4, 7] and list(p.fixed_cost) == [100, 200]


def test_evaluator_prices_and_rejects(tmp_path: Path) -> None:
    data = parse_prodhon(write(tmp_path, TINY))
    cost, problems = evaluate(data, [(0, [0, 1])])
    # D1 -> C1 150, C1 (0,1.5) -> C2 (6,8): 100 * 8.846 -> 885, C2 -> D1: 1000
    assert problems == [] and cost == 100 + 1000 + 150 + 885 + 1000
    _, problems = evaluate(data, [(0, [0]), (1, [0])])
    assert "customer 1 visited 2 times" in problems and "customer 2 visited 0 times" in problems
    tight = parse_prodhon(write(tmp_path, TINY.replace("15 12", "10 12")))
    _, problems = evaluate(tight, [(0, [0]), (0, [1])])
    assert problems == ["depot 1 serves 11 > its capacity 10"]
    small = parse_prodhon(write(tmp_path, TINY.replace("\n12\n", "\n8\n")))
    _, problems = evaluate(small, [(0, [0, 1])])
    assert problems == ["a route of depot 1 carries 11 > 8"]


@pytest.mark.parametrize(("text", "line", "words"), [
    (TINY.replace("\n0\n", "\n2\n"), 12, "cost code"),
    (TINY.rsplit("1000", 1)[0], 10, "ends where the cost of a route"),
    (TINY + "7\n", 13, "unexpected '7'"),
    (TINY.replace("3 4", "3 x"), 4, "'x' is not a number"),
    (TINY.replace("4 7", "4 -7"), 9, "demand of customer 2"),
])
def test_malformed_files_name_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_prodhon(path)
    message = str(err.value.problems[0])
    assert message.startswith(f"{path}: line {line}: not a valid prodhon file") and words in message


def test_demand_above_the_vehicle_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.replace("4 7", "4 13"))
    with pytest.raises(InputError, match="customer 2's demand 13 is above the vehicle capacity"):
        read_prodhon(path)


def test_coordinates_survive_in_the_km_matrix_symmetry(tmp_path: Path) -> None:
    p = read_prodhon_problem(write(tmp_path, TINY))
    assert np.array_equal(p.km, p.km.T) and np.all(np.diag(p.km) == 0)


@needs_data
def test_lrp_suite_lists_every_prodhon_file() -> None:
    from benchmarks.network_suite import cases

    listed = cases("lrp")
    assert [c.name for c in listed] == list(reference_values())
    assert all(c.lrp and c.path is not None and c.path.is_file() for c in listed)


def test_lrp_targets_marked_met_or_not() -> None:
    from dataclasses import replace

    from benchmarks.lrp_suite import LRPRow, targets

    row = LRPRow(instance="a", customers=20, facilities=5, status="feasible", objective=101.0,
                 published_optimum=100.0, gap_pct=1.0, matches=False, read_s=0.0, solve_s=1.0,
                 total_s=1.0, open_depots="1", routes=2, baseline=104.0, baseline_gap_pct=4.0,
                 baseline_s=1.0, baseline_open="1", baseline_check="pass",
                 method="location_routing", check="pass")
    met = targets([row, replace(row, instance="b", gap_pct=0.5)])
    assert "target: mean gap to the best-known values <= 1 %: met (0.75 %)" in met
    assert "target: no instance above 3 %: met (max 1.00 %, 0 above)" in met
    assert any("sequential baseline" in line and "mean gap 4.00 %" in line for line in met)
    missed = targets([row, replace(row, instance="b", gap_pct=3.5)])
    assert "target: mean gap to the best-known values <= 1 %: NOT met (2.25 %)" in missed
    assert "target: no instance above 3 %: NOT met (max 3.50 %, 1 above)" in missed
    failed = targets([row, replace(row, instance="b", check="FAIL")])
    assert "targets NOT met: 1 instance(s) without a valid plan" in failed
