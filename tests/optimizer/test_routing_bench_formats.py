"""Benchmark files in: VRPLIB VRPTW with one global SERVICE_TIME, the format detected from the
file, and every malformed file refused with a message naming the file (and the line) — exit 2,
never an internal error."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from models.routing import RoutingInstance
from optimizer.cli import main
from optimizer.cli.routing import Convention, Format, load_instance
from optimizer.errors import InputError
from optimizer.formats.routing_bench import detect_format, read_benchmark, read_solution
from optimizer.settings import bench_data_dir

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "routing"
BENCH = FIXTURES / "bench"
SOLOMON_TXT = FIXTURES / "tiny_solomon.txt"
DATA = bench_data_dir()


def _same_instance(a: RoutingInstance, b: RoutingInstance) -> None:
    assert a.model_dump(exclude={"name"}) == b.model_dump(exclude={"name"})


# -- 1. VRPLIB VRPTW with one global SERVICE_TIME -------------------------------------------

def test_global_service_time_is_every_customers_service_time() -> None:
    """The fixture is tiny_solomon.txt written the LKH-3 way (``SERVICE_TIME : 10``); the old
    reader failed with "'int' object is not subscriptable"."""
    inst = read_benchmark(BENCH / "tiny_service.vrp", "vrplib")
    assert [s.service_time for s in inst.stops] == [10.0] * 5
    assert [s.id for s in inst.stops] == ["1", "2", "3", "4", "5"]
    assert inst.depots[0].open == 0 and inst.depots[0].close == 1236
    assert inst.stops[1].time_windows[0].start == 100 and inst.stops[1].time_windows[0].end == 400
    assert inst.vehicle_types[0].count == 3 and inst.vehicle_types[0].capacity == (50.0,)
    _same_instance(inst, read_benchmark(SOLOMON_TXT, "solomon"))


def test_service_time_section_per_node_and_a_depot_not_first(tmp_path: Path) -> None:
    """A ``SERVICE_TIME_SECTION`` gives each node its own time; the depot is the node the
    ``DEPOT_SECTION`` names (here node 2), and the other nodes keep their numbers as ids."""
    text = _edit(BENCH / "tiny_service.vrp", "SERVICE_TIME : 10\n", "")
    text = text.replace("DEPOT_SECTION\n1\n", "SERVICE_TIME_SECTION\n1 0\n2 0\n3 5\n4 6\n5 7\n"
                                              "6 8\nDEPOT_SECTION\n2\n")
    path = tmp_path / "section.vrp"
    path.write_text(text, encoding="utf-8")
    inst = read_benchmark(path)
    assert (inst.depots[0].x, inst.depots[0].y) == (45, 68)
    assert (inst.depots[0].open, inst.depots[0].close) == (0, 1000)
    assert [(s.id, s.service_time) for s in inst.stops] == [
        ("0", 0.0), ("2", 5.0), ("3", 6.0), ("4", 7.0), ("5", 8.0)]


def test_solution_files_and_their_errors(tmp_path: Path) -> None:
    sol = tmp_path / "tiny.sol"
    sol.write_text("Route #1: 1 2\nRoute #2: 3\nCost 30\n", encoding="utf-8")
    assert read_solution(sol) == [["1", "2"], ["3"]]
    folder = tmp_path / "folder.sol"
    folder.mkdir()
    for path, message in ((folder, "a folder, not a benchmark file"),
                          (tmp_path / "none.sol", "no such file")):
        with pytest.raises(InputError) as caught:
            read_solution(path)
        assert caught.value.problems == [f"{path}: {message}"]


SOLOMON_NAMES = sorted(p.stem for p in (DATA / "solomon" / "vrplib").glob("*.vrp")) \
    if (DATA / "solomon" / "vrplib").exists() else []


@pytest.mark.skipif(not SOLOMON_NAMES, reason=f"no Solomon VRPLIB files under {DATA}")
@pytest.mark.parametrize("name", SOLOMON_NAMES)
@pytest.mark.parametrize("convention", ["dimacs", "hierarchical"])
def test_solomon_vrplib_file_equals_its_text_version(name: str, convention: str) -> None:
    vrp = read_benchmark(DATA / "solomon" / "vrplib" / f"{name}.vrp", convention=convention)
    txt = read_benchmark(DATA / "solomon" / "txt" / f"{name}.txt", convention=convention)
    _same_instance(vrp, txt)


@pytest.mark.skipif(not SOLOMON_NAMES, reason=f"no Solomon VRPLIB files under {DATA}")
def test_c101_values_as_published() -> None:
    """C101 by hand from the Solomon text file: customer 1 at (45, 68), demand 10, window
    912-967, service 90; the depot opens 0-1236; 25 vehicles of 200."""
    inst = read_benchmark(DATA / "solomon" / "vrplib" / "C101.vrp")
    one = inst.stop_by_id["1"]
    assert (one.x, one.y, one.delivery, one.service_time) == (45, 68, (10.0,), 90.0)
    assert (one.time_windows[0].start, one.time_windows[0].end) == (912, 967)
    assert (inst.depots[0].open, inst.depots[0].close) == (0, 1236)
    assert len(inst.stops) == 100 and inst.vehicle_types[0].count == 25
    assert {s.service_time for s in inst.stops} == {90.0}


# -- 2. the format from the file ------------------------------------------------------------

KNOWN = {
    "tiny_service.vrp": "vrplib",
    "tiny_cvrp.vrp": "vrplib",
    "tiny_lilim.txt": "lilim",
    "tiny_cordeau.txt": "cordeau",
}
FILES = {**{name: BENCH / name for name in KNOWN}, "tiny_solomon.txt": SOLOMON_TXT}
FORMATS = {**KNOWN, "tiny_solomon.txt": "solomon"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_format_detected_from_the_file(name: str, tmp_path: Path) -> None:
    path = FILES[name]
    assert detect_format(path) == FORMATS[name]
    renamed = tmp_path / "instance.dat"  # from the content alone
    renamed.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert detect_format(renamed) == FORMATS[name]
    read = load_instance(renamed, Format.native, Convention.dimacs)
    _same_instance(read, read_benchmark(path, FORMATS[name]))


def test_every_bench_fixture_is_covered() -> None:
    assert {p.name for p in BENCH.iterdir()} == set(KNOWN)


def test_fixture_contents() -> None:
    lilim = read_benchmark(BENCH / "tiny_lilim.txt")
    assert [(p.pickup, p.delivery) for p in lilim.shipments] == [("2", "4"), ("3", "1")]
    assert lilim.stop_by_id["1"].delivery == (10.0,) and lilim.stop_by_id["3"].pickup == (10.0,)
    cordeau = read_benchmark(BENCH / "tiny_cordeau.txt")
    assert [d.id for d in cordeau.depots] == ["D0", "D1"]
    assert [vt.max_duration for vt in cordeau.vehicle_types] == [None, 100.0]
    assert [s.delivery for s in cordeau.stops] == [(7.0,), (9.0,), (12.0,)]


def test_solve_detects_the_format_without_the_option(tmp_path: Path) -> None:
    """Depot (0,0), customers (3,4) 4, (6,8) 5, (-3,4) 6, capacity 10: the best plan is
    0-(3,4)-(6,8)-0 and 0-(-3,4)-0 = 20 + 10 (the old CLI said "unknown instance form")."""
    out = tmp_path / "plan"
    code = main(["routing", "solve", str(BENCH / "tiny_cvrp.vrp"), "--out", str(out),
                 "--engine", "ortools", "--workers", "1", "--solution-limit", "100",
                 "--time-limit", "30"])
    assert code == 0
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["cost"] == pytest.approx(30.0)


def test_an_unknown_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello world\nthis is not an instance\n", encoding="utf-8")
    assert detect_format(path) is None
    with pytest.raises(InputError) as caught:
        load_instance(path, Format.native, Convention.dimacs)
    assert caught.value.problems[0].startswith(f"{path}: neither a native instance")
    assert main(["routing", "solve", str(path)]) == 2


# -- malformed files ------------------------------------------------------------------------

def _edit(source: Path, old: str, new: str, count: int = 1) -> str:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, count)


def _drop_line(source: Path, number: int) -> str:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(lines[:number - 1] + lines[number:])


SOLOMON_LINE = {k: f"    {k}      " for k in range(6)}
#: name -> (format, file text, expected part of the message)
MALFORMED: dict[str, tuple[str, str, str]] = {
    "solomon_no_customer_section": (
        "solomon", SOLOMON_TXT.read_text(encoding="utf-8").split("CUSTOMER")[0],
        "not a valid solomon file: no VEHICLE or no CUSTOMER section"),
    "solomon_garbled_x": (
        "solomon", _edit(SOLOMON_TXT, "45         70", "4x5         70"),
        "line 12: not a valid solomon file: value 2 ('4x5') is not a number"),
    "solomon_short_line": (
        "solomon", _edit(SOLOMON_TXT, "100        400         10", "100        400"),
        "line 12: not a valid solomon file: expected 7 numbers"),
    "solomon_no_fleet": (
        "solomon", _edit(SOLOMON_TXT, "  3         50\n", ""),
        "line 3: not a valid solomon file: no vehicle number and capacity"),
    "solomon_fractional_fleet": (
        "solomon", _edit(SOLOMON_TXT, "  3         50", "  3.5         50"),
        "line 5: not a valid solomon file: the number of vehicles must be a whole number"),
    "solomon_duplicate_customer": (
        "solomon", _edit(SOLOMON_TXT, "    3      42", "    2      42"),
        "line 13: not a valid solomon file: customer 2 again (first on line 12)"),
    "solomon_depot_only": (
        "solomon", SOLOMON_TXT.read_text(encoding="utf-8").split("    1      45")[0],
        "not a valid solomon file: needs the depot and at least one customer line"),
    "solomon_words_among_customers": (
        "solomon", _edit(SOLOMON_TXT, "    3      42", "oops\n    3      42"),
        "line 13: not a valid solomon file: not a customer line: 'oops'"),
    "solomon_negative_demand": (
        "solomon", _edit(SOLOMON_TXT, "68         10", "68         -10"),
        "line 11: stops.0.delivery.0: Input should be greater than or equal to 0"),
    "solomon_window_reversed": (
        "solomon", _edit(SOLOMON_TXT, "100        400", "400        100"),
        "line 12: stops.1.time_windows.0: the window ends before it starts"),
    "vrplib_short_demand": (
        "vrplib", _drop_line(BENCH / "tiny_service.vrp", 21),
        "not a valid vrplib file: DEMAND_SECTION has 5 entries, DIMENSION is 6"),
    "vrplib_no_demand": (
        "vrplib", _edit(BENCH / "tiny_cvrp.vrp", "DEMAND_SECTION", "DEMANDS"),
        "not a valid vrplib file"),
    "vrplib_garbled_coordinate": (
        "vrplib", _edit(BENCH / "tiny_cvrp.vrp", "3 6 8", "3 6 8o"),
        "not a valid vrplib file"),
    "vrplib_depot_out_of_range": (
        "vrplib", _edit(BENCH / "tiny_cvrp.vrp", "DEPOT_SECTION\n1", "DEPOT_SECTION\n9"),
        "not a valid vrplib file: DEPOT_SECTION must name one depot among the 4 nodes"),
    "vrplib_no_capacity": (
        "vrplib", _edit(BENCH / "tiny_cvrp.vrp", "CAPACITY : 10\n", ""),
        "not a valid vrplib file: no CAPACITY line"),
    "vrplib_window_one_value": (
        "vrplib", _edit(BENCH / "tiny_service.vrp", "3 100 400", "3 100"),
        "not a valid vrplib file"),
    "vrplib_truncated": (
        "vrplib", (BENCH / "tiny_service.vrp").read_text(encoding="utf-8")[:200],
        "not a valid vrplib file"),
    "vrplib_empty": ("vrplib", "", "not a valid vrplib file"),
    "vrplib_unknown_edge_weight_type": (
        "vrplib", _edit(BENCH / "tiny_cvrp.vrp", "EUC_2D", "MAGIC_3D"),
        "not a valid vrplib file: EDGE_WEIGHT_TYPE MAGIC_3D is not read (EUC_2D or EXPLICIT)"),
    "lilim_short_header": (
        "lilim", _edit(BENCH / "tiny_lilim.txt", "2\t20\t1", "2\t20"),
        "line 1: not a valid lilim file: expected 3 numbers (vehicles, capacity, speed), "
        "found 2"),
    "lilim_pair_not_named_back": (
        "lilim", _edit(BENCH / "tiny_lilim.txt", "-5\t50\t900\t10\t2", "-5\t50\t900\t10\t3"),
        "line 4: not a valid lilim file: node 2 names 4 as its delivery, but node 4 does not "
        "name 2 back"),
    "lilim_short_line": (
        "lilim", _edit(BENCH / "tiny_lilim.txt", "\t0\t4\n", "\n"),
        "line 4: not a valid lilim file: expected 9 numbers"),
    "lilim_garbled": (
        "lilim", _edit(BENCH / "tiny_lilim.txt", "42\t66", "4Z\t66"),
        "line 5: not a valid lilim file: value 2 ('4Z') is not a number"),
    "lilim_depot_not_first": (
        "lilim", _drop_line(BENCH / "tiny_lilim.txt", 2),
        "line 2: not a valid lilim file: the first node (the depot) is 1, not 0"),
    "cordeau_other_type": (
        "cordeau", _edit(BENCH / "tiny_cordeau.txt", "2 2 3 2", "1 2 3 2"),
        "line 1: not a valid cordeau file: problem type 1, only 2 (MDVRP) is read"),
    "cordeau_missing_depot": (
        "cordeau", _drop_line(BENCH / "tiny_cordeau.txt", 7),
        "not a valid cordeau file: expected 8 non-empty lines"),
    "cordeau_garbled_capacity": (
        "cordeau", _edit(BENCH / "tiny_cordeau.txt", "0 30", "0 3O"),
        "line 2: not a valid cordeau file: value 2 ('3O') is not a number"),
    "cordeau_short_customer": (
        "cordeau", _edit(BENCH / "tiny_cordeau.txt", " 2 20 10 2 9 1 4 1 2 4 8", " 2 20 10"),
        "line 5: not a valid cordeau file: expected 5 or more numbers"),
    "cordeau_extra_line": (
        "cordeau", BENCH.joinpath("tiny_cordeau.txt").read_text(encoding="utf-8") + "6 1 1\n",
        "line 9: not a valid cordeau file: expected 8 non-empty lines"),
    "cordeau_negative_service": (
        "cordeau", _edit(BENCH / "tiny_cordeau.txt", " 1 10 10 2 7", " 1 10 10 -2 7"),
        "line 4: stops.0.service_time: Input should be greater than or equal to 0"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_benchmark_file_names_file_and_line(name: str, tmp_path: Path) -> None:
    fmt, text, expected = MALFORMED[name]
    path = tmp_path / f"{name}.{'vrp' if fmt == 'vrplib' else 'txt'}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_benchmark(path, fmt)
    problems = caught.value.problems
    assert all(p.startswith(f"{path}: ") for p in problems), problems
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_benchmark_file_exits_2(name: str, tmp_path: Path) -> None:
    fmt, text, _expected = MALFORMED[name]
    path = tmp_path / f"{name}.{'vrp' if fmt == 'vrplib' else 'txt'}"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "plan"
    assert main(["routing", "solve", str(path), "--format", fmt, "--out", str(out)]) == 2
    assert not out.exists()


def test_not_text_a_folder_or_missing(tmp_path: Path) -> None:
    utf16 = tmp_path / "c101.txt"
    utf16.write_text(SOLOMON_TXT.read_text(encoding="utf-8"), encoding="utf-16")
    folder = tmp_path / "folder.vrp"
    folder.mkdir()
    for path, message in ((utf16, "not a UTF-8 text file"),
                          (folder, "a folder, not a benchmark file"),
                          (tmp_path / "missing.vrp", "no such file")):
        with pytest.raises(InputError) as caught:
            read_benchmark(path, "solomon")
        assert caught.value.problems == [f"{path}: {message}" + (" (byte 0)" if path == utf16
                                                                 else "")]
        assert main(["routing", "solve", str(path), "--format", "solomon"]) == 2


def _mutations(text: str, rng: random.Random) -> str:
    """One random damage: truncation, a garbled or deleted value, a lost or doubled line."""
    lines = text.splitlines(keepends=True)
    kind = rng.randrange(5)
    if kind == 0:
        return text[:rng.randrange(len(text))]
    k = rng.randrange(len(lines))
    if kind == 1:
        return "".join(lines[:k] + lines[k + 1:])
    if kind == 2:
        return "".join(lines[:k + 1] + lines[k:])
    words = lines[k].split()
    if not words:
        return text
    w = rng.randrange(len(words))
    words[w] = rng.choice(["x", "-1", "1e400", "nan", "", "3.7", "99999999999", "inf"]) \
        if kind == 3 else words[w] + rng.choice(["x", ".5.5", "--"])
    lines[k] = " ".join(words) + "\n"
    return "".join(lines)


@pytest.mark.parametrize("name", sorted(FILES))
def test_fuzzed_files_are_read_or_refused_cleanly(name: str, tmp_path: Path) -> None:
    """200 seeded damages of each fixture: each reads as an instance or is an InputError
    naming the file (with and without --format); no other exception."""
    rng = random.Random(f"bench-fuzz-{name}")
    source = FILES[name].read_text(encoding="utf-8")
    refused = 0
    for case in range(200):
        path = tmp_path / f"{case}{FILES[name].suffix}"
        path.write_text(_mutations(source, rng), encoding="utf-8")
        for fmt in (FORMATS[name], None):
            try:
                if fmt is None:
                    load_instance(path, Format.native, Convention.dimacs)
                else:
                    read_benchmark(path, fmt)
            except InputError as exc:
                refused += 1
                assert all(p.startswith(f"{path}: ") for p in exc.problems), exc.problems
    assert refused > 50  # the damage does reach the readers
