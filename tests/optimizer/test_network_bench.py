"""The facility-location benchmark readers: OR-Library CFLP (``orlib-cap``, with ``capacity``
for capa/capb/capc) and Holmberg SSCFLP (``holmberg``), their line-numbered errors, and the
published optima."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from optimizer.errors import InputError
from optimizer.formats.network_bench import published_optimum, read_network_benchmark
from optimizer.settings import bench_data_dir

DATA = bench_data_dir()
ORLIB = DATA / "orlib-cflp" / "instances"
HOLMBERG = DATA / "other" / "sscflp_holmberg" / "instances"
needs_data = pytest.mark.skipif(not (ORLIB.is_dir() and HOLMBERG.is_dir()),
                                reason=f"no facility-location benchmark data under {DATA}")

#: A two-facility, three-customer OR-Library file: ``m n``, ``capacity fixed`` per facility,
#: then per customer its demand and the cost of serving all of it from each facility.
TINY_ORLIB = """\
 2 3
 100 50.
 80 70.
 10
 20.0 40.0
 5
 30.0
 10.0
 4
 8. 8.
"""
TINY_HOLMBERG = """\
2 3
100 80
50.0 70.0
10 5 4
20.0 40.0
30.0 10.0
8.0 8.0
"""


def _write(tmp_path: Path, text: str, name: str = "tiny.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _message(path: Path, fmt: str, capacity: float | None = None) -> str:
    with pytest.raises(InputError) as caught:
        read_network_benchmark(path, fmt, capacity)  # type: ignore[arg-type]
    assert len(caught.value.problems) == 1
    return caught.value.problems[0]


def test_tiny_orlib_maps_every_table(tmp_path: Path) -> None:
    inst = read_network_benchmark(_write(tmp_path, TINY_ORLIB), "orlib-cap")
    assert inst.name == "tiny"
    assert [p.id for p in inst.products] == ["P"]
    assert [(f.id, f.capacity, f.fixed_cost, f.status.value) for f in inst.facilities] == [
        ("F1", 100.0, 50.0, "candidate"), ("F2", 80.0, 70.0, "candidate")]
    assert [c.located for c in inst.customers] == ["none"] * 3
    assert [(d.customer, d.product, d.quantity, d.shortage_penalty) for d in inst.demand] == [
        ("C1", "P", 10.0, None), ("C2", "P", 5.0, None), ("C3", "P", 4.0, None)]
    costs = {(n.origin, n.destination): n.cost_per_unit for n in inst.lanes}
    assert costs == {("F1", "C1"): 2.0, ("F2", "C1"): 4.0, ("F1", "C2"): 6.0,
                     ("F2", "C2"): 2.0, ("F1", "C3"): 2.0, ("F2", "C3"): 2.0}
    assert all(n.product is None and not n.forbidden and n.max_volume is None
               for n in inst.lanes)
    assert not inst.network_policy.single_sourcing
    t = inst.transport
    assert (t.outbound_per_unit, t.outbound_per_unit_km, t.outbound_per_weight_km) == (0, 0, 0)


def test_tiny_holmberg_is_single_source_with_the_same_data(tmp_path: Path) -> None:
    orlib = read_network_benchmark(_write(tmp_path, TINY_ORLIB), "orlib-cap")
    holmberg = read_network_benchmark(_write(tmp_path, TINY_HOLMBERG, "tiny"), "holmberg")
    assert holmberg.network_policy.single_sourcing
    assert holmberg.model_dump(exclude={"network_policy"}) == orlib.model_dump(
        exclude={"network_policy"})


@needs_data
def test_cap41_sizes_and_per_unit_costs() -> None:
    inst = read_network_benchmark(ORLIB / "cap41.txt", "orlib-cap")
    assert inst.name == "cap41"
    assert (len(inst.facilities), len(inst.customers), len(inst.lanes)) == (16, 50, 800)
    assert {f.capacity for f in inst.facilities} == {5000.0}
    assert inst.facility_by_id["F1"].fixed_cost == 7500.0
    assert inst.facility_by_id["F11"].fixed_cost == 0.0  # the file's 11th line: '5000 0.'
    demand = {d.customer: d.quantity for d in inst.demand}
    assert (demand["C1"], demand["C2"], demand["C3"]) == (146.0, 87.0, 672.0)
    assert sum(demand.values()) == 58268.0
    # customer 1: demand 146, serving all of it from F1 costs 6739.725, from F16 6051.7
    assert inst.lane_cost("F1", "C1", "P") == pytest.approx(6739.725 / 146, rel=1e-15)
    assert inst.lane_cost("F16", "C1", "P") == pytest.approx(6051.7 / 146, rel=1e-15)
    assert inst.lane_cost("F1", "C2", "P") == pytest.approx(3204.8625 / 87, rel=1e-15)


@needs_data
def test_capa_needs_its_capacity_and_names_it() -> None:
    problem = _message(ORLIB / "capa.txt", "orlib-cap")
    assert problem.startswith(f"{ORLIB / 'capa.txt'}: line 2: ")
    assert "--capacity" in problem
    inst = read_network_benchmark(ORLIB / "capa.txt", "orlib-cap", capacity=8000)
    assert inst.name == "capa_8000"
    assert (len(inst.facilities), len(inst.customers), len(inst.lanes)) == (100, 1000, 100_000)
    assert {f.capacity for f in inst.facilities} == {8000.0}
    assert inst.facility_by_id["F1"].fixed_cost == 2141200.0
    assert published_optimum(inst.name) == 19240822.449


@needs_data
def test_capacity_refused_where_the_file_states_capacities() -> None:
    problem = _message(ORLIB / "cap41.txt", "orlib-cap", capacity=5000)
    assert "--capacity 5000 given" in problem and "capa/capb/capc" in problem
    problem = _message(HOLMBERG / "p1", "holmberg", capacity=5000)
    assert "--capacity applies only" in problem


@needs_data
def test_holmberg_p1() -> None:
    inst = read_network_benchmark(HOLMBERG / "p1", "holmberg")
    assert inst.name == "p1"
    assert inst.network_policy.single_sourcing
    assert (len(inst.facilities), len(inst.customers), len(inst.lanes)) == (10, 50, 500)
    assert [f.capacity for f in inst.facilities[:3]] == [258.0, 128.0, 296.0]
    assert [f.fixed_cost for f in inst.facilities[:3]] == [366.0, 314.0, 504.0]
    assert [d.quantity for d in inst.demand[:3]] == [49.0, 29.0, 23.0]
    # row j of the cost block is customer j's cost at each facility: C1 at F1 costs 260
    assert inst.lane_cost("F1", "C1", "P") == pytest.approx(260 / 49, rel=1e-15)
    assert inst.lane_cost("F10", "C1", "P") == pytest.approx(567 / 49, rel=1e-15)
    assert inst.lane_cost("F1", "C2", "P") == pytest.approx(239 / 29, rel=1e-15)


@needs_data
def test_published_optima() -> None:
    assert published_optimum("cap41") == 1040444.375
    assert published_optimum("cap134") == 928941.75
    assert published_optimum("capc_7250") == 11505767.394
    assert published_optimum("p1") == 8848.0
    assert published_optimum("p71") == 25540.0
    assert published_optimum("p72") is None
    assert published_optimum("capa") is None  # a template needs its capacity


@pytest.mark.parametrize(("text", "fmt", "line", "words"), [
    (TINY_ORLIB.replace(" 80 70.", " 80 seventy"), "orlib-cap", 3,
     "'seventy' is not a number (the fixed cost of facility 2)"),
    (TINY_ORLIB.replace(" 5\n", " -5\n"), "orlib-cap", 6,
     "the demand of customer 2 must be above 0, found -5"),
    (TINY_ORLIB.replace(" 5\n", " 0\n"), "orlib-cap", 6,
     "the demand of customer 2 must be above 0"),
    (TINY_ORLIB.replace(" 8. 8.\n", " 8.\n"), "orlib-cap", 10,
     "the file ends where the cost of customer 3 at facility 2 was expected"),
    (TINY_ORLIB + " 9\n", "orlib-cap", 11, "unexpected '9' after the last customer"),
    (TINY_ORLIB.replace(" 2 3", " 2.5 3"), "orlib-cap", 1,
     "the number of facilities must be a whole number"),
    (TINY_ORLIB.replace(" 80 70.", " capacity 70."), "orlib-cap", 3,
     "1 of 2 facilities have the capacity 'capacity'"),
    (TINY_ORLIB.replace(" 100 50.", " capacity 50."), "orlib-cap", 3,
     "1 of 2 facilities have the capacity 'capacity'"),
    (TINY_ORLIB.replace(" 80 70.", " lots 70."), "orlib-cap", 3, "'lots' is not a capacity"),
    (TINY_HOLMBERG.replace("30.0 10.0", "30.0 x"), "holmberg", 6,
     "'x' is not a number (the cost of customer 2 at facility 2)"),
    (TINY_HOLMBERG.replace("10 5 4", "10 5"), "holmberg", 7,
     "the file ends where the cost of customer 3 at facility 2 was expected"),
    ("", "holmberg", 0, "the file ends where the number of facilities was expected"),
], ids=["word-for-number", "negative-demand", "zero-demand", "short", "trailing",
        "fractional-count", "mixed-capacity-word", "mixed-capacity-word-first",
        "bad-capacity", "holmberg-word", "holmberg-short-demand", "empty"])
def test_malformed_files_name_the_line(tmp_path: Path, text: str, fmt: str, line: int,
                                       words: str) -> None:
    path = _write(tmp_path, text)
    problem = _message(path, fmt)
    where = f"line {line}: " if line else ""
    assert problem.startswith(f"{path}: {where}not a valid {fmt} file: "), problem
    assert words in problem, problem


def test_unreadable_paths(tmp_path: Path) -> None:
    assert _message(tmp_path / "none.txt", "orlib-cap").endswith("no such file")
    assert "a folder" in _message(tmp_path, "holmberg")
    path = _write(tmp_path, TINY_ORLIB)
    path.write_bytes(b"\xff\xfe 2 3")
    assert "not a UTF-8 text file" in _message(path, "orlib-cap")
    assert "unknown benchmark format" in _message(path, "cflp")


def test_orlib_mapping_prices_full_service_at_the_file_cost(tmp_path: Path) -> None:
    """Serving all of a customer's demand from a facility costs exactly the file's c_ij."""
    inst = read_network_benchmark(_write(tmp_path, TINY_ORLIB), "orlib-cap")
    demand = {d.customer: d.quantity for d in inst.demand}
    file_costs = {("F1", "C1"): 20.0, ("F2", "C1"): 40.0, ("F1", "C2"): 30.0,
                  ("F2", "C2"): 10.0, ("F1", "C3"): 8.0, ("F2", "C3"): 8.0}
    for (i, j), cost in file_costs.items():
        assert math.isclose(inst.lane_cost(i, j, "P") * demand[j], cost, rel_tol=1e-15)


@needs_data
@pytest.mark.parametrize(("name", "fmt", "path"), [
    ("cap41", "orlib-cap", "cap41.txt"), ("cap71", "orlib-cap", "cap71.txt"),
    ("cap131", "orlib-cap", "cap131.txt"), ("p1", "holmberg", "p1"), ("p2", "holmberg", "p2"),
])
def test_solved_to_the_published_optimum(name: str, fmt: str, path: str) -> None:
    from models.network import SolverOptions, SolveStatus, solve
    from models.network.checker import check_plan

    folder = ORLIB if fmt == "orlib-cap" else HOLMBERG
    inst = read_network_benchmark(folder / path, fmt)  # type: ignore[arg-type]
    plan = solve(inst, SolverOptions(time_limit=60, threads=1))
    assert plan.solve.status == SolveStatus.OPTIMAL
    assert math.isclose(plan.objective, published_optimum(name), rel_tol=1e-6, abs_tol=0)
    assert check_plan(inst, plan).ok
    if fmt == "holmberg":  # single source: one DC per customer
        assert all(";" not in c.facilities for c in plan.customers)


@needs_data
def test_network_benchmark_command(tmp_path: Path) -> None:
    from benchmarks.cli import main

    out = tmp_path / "results"
    assert main(["network", "--suite", "orlib-small", "--only", "cap41,cap51",
                 "--out", str(out)]) == 0
    text = (out / "network-orlib-small.md").read_text(encoding="utf-8")
    assert "- 2 of 2 at the published optimum" in text
    assert "target: all 2 proven optimal at the published optimum in under 10 s in total: met" \
        in text
    assert "| cap41      |" in text and "1,040,444.375" in text and "- commit: " in text
    import pandas as pd

    table = pd.read_csv(out / "network-orlib-small.csv")
    assert list(table["instance"]) == ["cap41", "cap51"]
    assert list(table["check"]) == ["pass", "pass"] and table["matches"].all()
    assert {"build_s", "solve_s", "total_s", "method", "commit", "cpu"} <= set(table.columns)
    assert main(["network", "--suite", "orlib-small", "--only", "cap999",
                 "--out", str(out)]) == 2
    assert main(["network", "--suite", "everything", "--out", str(out)]) == 2
    assert main(["network", "--suite", "orlib-small", "--only", ",", "--out", str(out)]) == 2
    assert "PARTIAL" not in text


@needs_data
def test_a_stopped_network_benchmark_leaves_the_rows_so_far(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import network_suite
    from benchmarks.cli import main

    real = network_suite.run

    def stopped_after_one(chosen, options, *more):  # Ctrl-C while the second instance solves
        yield from real(chosen[:1], options, *more)
        raise KeyboardInterrupt

    monkeypatch.setattr(network_suite, "run", stopped_after_one)
    code = main(["network", "--suite", "orlib-small", "--only", "cap41,cap51",
                 "--out", str(tmp_path)])
    assert code != 0  # click turns Ctrl-C into "Aborted!", exit 1
    text = (tmp_path / "network-orlib-small.md").read_text(encoding="utf-8")
    assert "- PARTIAL: 1 of 2 instances so far" in text and "| cap41 " in text
    assert "cap51" not in text


def test_network_benchmark_without_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.cli import main

    monkeypatch.setenv("OPTIMIZER_BENCH_DATA", str(tmp_path / "nowhere"))
    assert main(["network", "--suite", "holmberg", "--out", str(tmp_path)]) == 7
    monkeypatch.setenv("OPTIMIZER_BENCH_DATA", str(tmp_path))
    assert main(["network", "--suite", "orlib-large", "--out", str(tmp_path)]) == 7
    assert not list(tmp_path.glob("network-*"))


@needs_data
def test_every_suite_instance_parses_with_a_published_optimum() -> None:
    """The suites list 37 + 12 + 71 instances; each file parses and its optimum is known."""
    from benchmarks.network_suite import cases

    listed = {suite: cases(suite) for suite in ("orlib-small", "orlib-large", "holmberg")}
    assert [len(v) for v in listed.values()] == [37, 12, 71]
    assert len(cases("generated")) == 3
    templates = set()
    for suite, chosen in listed.items():
        for case in chosen:
            assert case.published is not None and case.published > 0, case.name
            if suite == "orlib-large":
                if case.path in templates:
                    continue  # one capacity per template file is enough to parse it
                templates.add(case.path)
            inst = case.instance()
            assert inst.name == case.name
            expected = {"orlib-small": (50,), "orlib-large": (1000,),
                        "holmberg": (50, 70, 80, 90, 100, 150, 200)}[suite]
            assert len(inst.customers) in expected, case.name
            assert len(inst.lanes) == len(inst.facilities) * len(inst.customers)
