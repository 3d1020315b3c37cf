"""The native routing suite: files parse, generated days are re-derivable, features covered.

No search runs here (speed is measured in ``python -m benchmarks routing --suite native``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks import routing_native as native
from benchmarks.cli import app
from models.routing import RoutingInstance
from optimizer.formats.routing import read_routing_instance


@pytest.fixture(scope="module")
def days() -> dict[str, RoutingInstance]:
    return {path.stem: read_routing_instance(path)
            for path in sorted(native.NATIVE_DIR.glob("*.json"))}


def test_every_file_parses_and_is_named_after_itself(days: dict[str, RoutingInstance]) -> None:
    assert len(days) >= 20
    assert all(inst.name == name for name, inst in days.items())
    assert sum(len(inst.stops) >= 100 for inst in days.values()) >= 2
    assert all(10 <= len(inst.stops) <= 130 for inst in days.values())
    size = sum(p.stat().st_size for p in native.NATIVE_DIR.iterdir())
    assert size < 3_000_000


def test_build_reproduces_the_generated_files_byte_for_byte(tmp_path: Path) -> None:
    written = native.build(tmp_path)
    assert [p.name for p in written] == [f"{r.name}.json" for r in native.GENERATED]
    for path in written:
        shipped = native.NATIVE_DIR / path.name
        assert shipped.read_bytes() == path.read_bytes(), (
            f"{path.name} differs from what build() makes: run python -m "
            f"benchmarks.routing_native, then re-derive the references")
    assert native.build(tmp_path) == written
    assert [p.read_bytes() for p in written] == [(tmp_path / p.name).read_bytes()
                                                 for p in written]


def test_cases_list_generated_and_hand_written_days() -> None:
    cases = native.cases()
    assert len(cases) >= 20
    origins = {c.name: c.origin for c in cases}
    assert sum(o == "generated" for o in origins.values()) == len(native.GENERATED)
    assert sum(o == "hand-written" for o in origins.values()) >= 6
    taken = [c for c in cases if c.pyvrp is None]
    assert 8 <= len(taken) < len(cases)  # PyVRP takes many days, not all


def test_the_suite_covers_every_feature(days: dict[str, RoutingInstance]) -> None:
    insts = list(days.values())

    def some(pred) -> bool:
        return any(pred(inst) for inst in insts)

    assert some(lambda i: any(len(s.time_windows) == 2 for s in i.stops))
    matrix = [i for i in insts if i.distance.kind == "matrix"]
    assert len(matrix) >= 2
    assert all(i.matrix is not None and i.matrix.durations is not None for i in matrix)
    assert some(lambda i: i.distance.kind == "haversine")
    assert some(lambda i: any(vt.breaks for vt in i.vehicle_types))
    assert some(lambda i: any(vt.breaks and vt.max_duration for vt in i.vehicle_types))
    assert some(lambda i: bool(i.shipments))
    assert some(lambda i: any(s.skills for s in i.stops))
    assert some(lambda i: len(i.depots) >= 2)
    assert some(lambda i: len(i.depots) >= 3)
    assert some(lambda i: i.distance.kind == "euclidean"
                and any(vt.cost_per_hour > 0 for vt in i.vehicle_types))
    assert some(lambda i: any(s.drop_penalty is not None and s.drop_penalty < 30
                              for s in i.stops))
    assert some(lambda i: any(s.drop_penalty is not None and s.drop_penalty > 400
                              for s in i.stops))
    assert some(lambda i: any(any(s.pickup) and any(s.delivery) for s in i.stops))
    assert some(lambda i: len({(vt.capacity, vt.cost_per_km, vt.cost_per_hour)
                               for vt in i.vehicle_types}) > 1)
    # optional shipments: both stops of a pair optional
    assert some(lambda i: any(i.stop_by_id[p.pickup].drop_penalty is not None
                              and i.stop_by_id[p.delivery].drop_penalty is not None
                              for p in i.shipments))
    tags = {t for c in native.cases() for t in c.features}
    assert {"two-windows", "matrix", "breaks", "shipments", "skills", "planar", "lat/lon",
            "optional-low", "optional-high", "mixed-fleet", "pickup+delivery",
            "hourly-cost"} <= tags


def test_a_user_matrix_may_break_the_triangle_inequality(days: dict[str, RoutingInstance]
                                                         ) -> None:
    inst = days["matrix-asym-60"]
    assert inst.matrix is not None
    d = inst.matrix.distances
    n = len(d)
    assert any(d[i][j] != d[j][i] for i in range(n) for j in range(n))
    assert any(d[i][j] > d[i][k] + d[k][j] + 1e-9
               for i in range(n) for j in range(n) for k in range(n))


def test_references_file_names_known_days() -> None:
    with native.REFERENCES.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == native.REFERENCE_COLUMNS
        rows = list(reader)
    names = {c.name for c in native.cases()}
    assert {r["instance"] for r in rows} <= names
    refs = native.read_references()
    assert all(r.cost is None or r.cost > 0 for r in refs.values())
    assert all(r.engine in ("pyvrp", "ortools", "none") for r in refs.values())


def _row(name: str, gap: float | None, check: str = "pass", ref: bool = True,
         unserved: int | None = 0) -> native.NativeRow:
    plan = check in ("pass", "FAIL")
    return native.NativeRow(
        instance=name, stops=10, features="", reference=100.0 if ref else None,
        cost=None if gap is None else 100.0 * (1 + gap), gap=gap,
        unserved=unserved if plan else None, has_plan=plan, reference_has_plan=ref,
        engine="pyvrp", engine_used="", wall_s=1.0, limit_s=1.0, check=check)


def test_summary_keeps_negative_gaps_and_counts_what_went_wrong() -> None:
    rows = [_row("a", -0.02), _row("b", 0.10, unserved=3), _row("c", None, "no plan"),
            _row("d", None, "n/a"), _row("e", 0.0, "FAIL")]
    s = native.summarize("pyvrp", rows)
    assert (s.instances, s.not_applicable, s.with_reference) == (4, 1, 4)
    assert s.mean_gap == pytest.approx((-0.02 + 0.10 + 0.0) / 3, abs=1e-6)
    assert s.max_gap == pytest.approx(0.10)
    assert (s.unserved, s.no_plan, s.lost, s.check_failed) == (3, 1, 1, 1)
    assert native.mean_gap_on(s, ["a", "d"]) == pytest.approx(-0.02)
    assert native.mean_gap_on(s, ["d"]) is None


def test_pyvrp_row_says_n_a_for_a_day_it_cannot_take(tmp_path: Path) -> None:
    case = next(c for c in native.cases() if c.name == "hand-breaks-maxdur-22")
    assert case.pyvrp is not None
    (row,) = native.run([case], 1.0, 1, "pyvrp", references={})
    assert (row.check, row.cost, row.has_plan, row.note) == ("n/a", None, False, case.pyvrp)
    result = CliRunner().invoke(app, ["routing", "--suite", "native", "--engine", "pyvrp",
                                      "--only", case.name, "--time-limit", "1",
                                      "--workers", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "routing-native-pyvrp-1s-1w.md").read_text()
    assert "n/a" in text and "driver breaks" in text
    assert (tmp_path / "routing-native-pyvrp-1s-1w.csv").exists()


def test_engines_and_only_belong_to_the_native_suite() -> None:
    result = CliRunner().invoke(app, ["routing", "--suite", "smoke", "--engines", "auto"])
    assert result.exit_code != 0
    result = CliRunner().invoke(app, ["routing", "--suite", "native", "--only", "no-such-day"])
    assert result.exit_code != 0
