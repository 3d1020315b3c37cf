"""The fuzz corpus: bad inputs and faults for both problem kinds and every command.

Every case is built by mutating a shipped instance (``instances/``, ``tests/fixtures/``) in a
fresh folder, and declares the documented exit code (docs/sourcing-format.md,
docs/routing-format.md, optimizer/errors.py): 0 plan, 2 invalid input, 3 infeasible,
4 no plan, 5 check failed, 6 output not written, 130 interrupted. Where the issue leaves the
choice open (evaluate or refuse; a plan read as invalid or checked as wrong) two codes are
allowed, and a success must then prove it kept the data (a round trip, the same plan cost).

Classes follow issue 10 (sections 1 and 4). :func:`cases` lists them all; the slow ones
(10^6 records, a 100 x 400 solve interrupted) are in benchmarks/fuzz.py.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import csv
import hashlib
import io
import json
import math
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.fuzz.harness import ROOT, Case, Run, _in_process

SOURCING_JSON = ROOT / "tests" / "fixtures" / "sourcing" / "valid_small.json"
SOURCING_FOLDER = ROOT / "instances" / "sourcing" / "starter"
SOURCING_XLSX = ROOT / "instances" / "sourcing" / "starter.xlsx"
SOURCING_GENERATED = ROOT / "instances" / "sourcing" / "generated-20x50.json"
ROUTING_FOLDER = ROOT / "instances" / "routing" / "lunch-breaks-30"
ROUTING_XLSX = ROOT / "instances" / "routing" / "lunch-breaks-30.xlsx"
ROUTING_CITY = ROOT / "instances" / "routing" / "city-day-40.json"
SOLOMON = ROOT / "tests" / "fixtures" / "routing" / "tiny_solomon.txt"

#: A routing day small enough to solve in a second: skills, two windows, a pickup, a penalty.
ROUTING_TINY: dict[str, Any] = {
    "name": "tiny",
    "depots": [{"id": "D", "x": 0, "y": 0, "open": 0, "close": 100000}],
    "vehicle_types": [{"id": "van", "count": 2, "capacity": [10], "start_depot": "D",
                       "cost_per_km": 1000, "skills": ["cold"]}],
    "stops": [
        {"id": "a", "x": 10, "y": 20, "delivery": [3], "service_time": 60,
         "time_windows": [[0, 5000]], "skills": ["cold"]},
        {"id": "b", "x": 30, "y": 10, "delivery": [4], "service_time": 60},
        {"id": "c", "x": 20, "y": 20, "pickup": [2], "service_time": 60, "drop_penalty": 500},
        {"id": "d", "x": 5, "y": 25, "delivery": [2], "service_time": 60,
         "time_windows": [[0, 3000], [4000, 9000]]},
    ],
    "shipments": [],
}
ROUTING_SOLVE = ["--time-limit", "5", "--workers", "1", "--solution-limit", "20"]
#: Where a plan is needed: the solution limit ends the search in about a second; the time
#: limit only guards a slow machine.
ROUTING_SOLVE_PLAN = ["--time-limit", "20", "--workers", "1", "--solution-limit", "20"]

VRPLIB_CVRP = """NAME : tiny-cvrp
TYPE : CVRP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 10 0
3 0 10
4 10 10
5 5 5
DEMAND_SECTION
1 0
2 3
3 4
4 2
5 5
DEPOT_SECTION
1
-1
EOF
"""

#: The LKH-3 / Solomon-VRPLIB style: one global SERVICE_TIME (issue 10, section 1).
VRPLIB_VRPTW = """NAME : tiny-vrptw
TYPE : CVRPTW
DIMENSION : 5
VEHICLES : 3
CAPACITY : 10
SERVICE_TIME : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 10 0
3 0 10
4 10 10
5 5 5
DEMAND_SECTION
1 0
2 3
3 4
4 2
5 5
TIME_WINDOW_SECTION
1 0 1000
2 0 500
3 100 600
4 0 900
5 50 700
DEPOT_SECTION
1
-1
EOF
"""

LILIM = """2\t50\t1
0\t40\t50\t0\t0\t1236\t0\t0\t0
1\t45\t68\t10\t0\t1000\t10\t0\t2
2\t45\t70\t-10\t0\t1100\t10\t1\t0
3\t42\t66\t20\t0\t1000\t10\t0\t4
4\t42\t68\t-20\t0\t1100\t10\t3\t0
"""

CORDEAU = """2 2 4 1
0 80
1 37 52 0 7 1 4 1 2 4 8
2 49 49 0 30 1 4 1 2 4 8
3 52 64 0 16 1 4 1 2 4 8
4 20 26 0 9 1 4 1 2 4 8
5 30 40 0 0 0 0
"""


# --------------------------------------------------------------------------- helpers


def _is_root() -> str | None:
    return "running as root: file permissions do not bind" if os.geteuid() == 0 else None


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1, allow_nan=True))
    return path


def _quiet(argv: list[str]) -> int:
    code, output = _in_process(argv, 120.0)
    if code != 0:
        raise RuntimeError(f"optimizer {' '.join(argv)} -> {code}: {output[-600:]}")
    return 0


_CACHE: dict[str, Path] = {}


def _cache_dir() -> Path:
    """One scratch folder per process (reference plans and conversions), removed at exit."""
    if "dir" not in _CACHE:
        _CACHE["dir"] = Path(tempfile.mkdtemp(prefix="fuzz-cache-"))
        atexit.register(shutil.rmtree, _CACHE["dir"], ignore_errors=True)
    return _CACHE["dir"]


def _scratch(prefix: str) -> Path:
    """A fresh folder inside the process's scratch folder."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=_cache_dir()))


def _cached(key: str, make: Callable[[Path], None]) -> Path:
    """A file or folder made once per process (reference conversions and plans)."""
    if key not in _CACHE:
        target = _cache_dir() / key
        make(target)
        _CACHE[key] = target
    return _CACHE[key]


def sourcing_plan(instance: Path = SOURCING_JSON) -> Path:
    """plan.json of a clean sourcing instance (solved once)."""
    folder = _cached(f"splan-{instance.name}", lambda t: _quiet(
        ["sourcing", "solve", str(instance), "--out", str(t)]))
    return folder / "plan.json"


def routing_plan(instance: Path | None = None) -> Path:
    """plan.json of the tiny routing day (solved once)."""
    def make(target: Path) -> None:
        source = instance or _write_json(_cache_dir() / "tiny.json", ROUTING_TINY)
        _quiet(["routing", "solve", str(source), "--out", str(target), *ROUTING_SOLVE_PLAN])
    return _cached(f"rplan-{instance.name if instance else 'tiny'}", make) / "plan.json"


def reference_json(kind: str, instance: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The clean instance converted to JSON (what a mutated copy must read as)."""
    key = hashlib.sha256(f"{kind} {instance.resolve()} {extra}".encode()).hexdigest()[:16]
    path = _cached(f"ref-{kind}-{instance.name}-{key}.json", lambda t: _quiet(
        [kind, "convert", str(instance), str(t), *extra]))
    return _comparable(json.loads(path.read_text()))


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data.pop("name", None)
    return data


def same_instance(kind: str, variant: Path, clean: Path, extra: tuple[str, ...] = ()
                  ) -> Callable[[], list[str]]:
    """Post-check: ``variant`` reads as exactly the clean instance."""
    def post() -> list[str]:
        target = _scratch("fuzz-same-") / "variant.json"
        code, output = _in_process([kind, "convert", str(variant), str(target), *extra], 120.0)
        if code != 0:
            return [f"reading it again failed ({code}): {output[-300:]}"]
        got = _comparable(json.loads(target.read_text()))
        want = reference_json(kind, clean, extra)
        if got != want:
            diff = [k for k in set(got) | set(want) if got.get(k) != want.get(k)]
            return [f"read as a different instance (tables differing: {sorted(diff)})"]
        return []
    return post


def round_trip(kind: str, source: Path, converted: Path) -> Callable[[], list[str]]:
    """Post-check: converting back gives the source instance (nothing split or rewritten)."""
    def post() -> list[str]:
        back = _scratch("fuzz-back-") / "back.json"
        code, output = _in_process([kind, "convert", str(converted), str(back)], 120.0)
        if code != 0:
            return [f"the converted instance does not read back ({code}): {output[-300:]}"]
        original = _scratch("fuzz-orig-") / "orig.json"
        _quiet([kind, "convert", str(source), str(original)])
        if _comparable(json.loads(back.read_text())) != _comparable(
                json.loads(original.read_text())):
            return ["the round trip changed the instance"]
        return []
    return post


def no_formulas(book: Path) -> Callable[[], list[str]]:
    """Post-check: no cell of the workbook is a formula."""
    def post() -> list[str]:
        import openpyxl

        wb = openpyxl.load_workbook(book)
        found = [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows()
                 for c in row if c.data_type == "f"]
        return [f"cells written as formulas: {found[:5]}"] if found else []
    return post


def same_cost(instance: Path, out: Path) -> Callable[[], list[str]]:
    """Post-check: the plan costs what the clean instance's plan costs."""
    def post() -> list[str]:
        want = json.loads(sourcing_plan(instance).read_text())["cost"]["total"]
        got = json.loads((out / "plan.json").read_text())["cost"]["total"]
        return [] if math.isclose(got, want, rel_tol=1e-9) else [
            f"plan cost {got:,.2f}, the clean instance's plan costs {want:,.2f}"]
    return post


def stale_gone(out: Path, stale: list[str]) -> Callable[[], list[str]]:
    """Post-check: files of an earlier run are gone; new files readable by others."""
    def post() -> list[str]:
        problems = [f"{name} of an earlier run sits beside the new plan" for name in stale
                    if (out / name).exists()]
        private = [p.name for p in out.rglob("*") if p.is_file() and p.stat().st_mode & 0o044
                   != 0o044]
        if private:
            problems.append(f"files not readable by group/others (umask 022): {private[:5]}")
        return problems
    return post


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _copy(src: Path, folder: Path, name: str | None = None) -> Path:
    target = folder / (name or src.name)
    if src.is_dir():
        shutil.copytree(src, target)
    else:
        shutil.copy(src, target)
    return target


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# --------------------------------------------------------------------------- case families


def _json_values() -> Iterator[Case]:
    """Bad values in a JSON instance (booleans as numbers, 1e308, NaN, infinities, text),
    through every command that reads an instance."""
    sourcing: list[tuple[str, int | None, str, Any, tuple[int, ...]]] = []
    for table, index, fld in [("products", 0, "demand"), ("offers", 0, "unit_price"),
                              ("offers", 0, "capacity"), ("offers", 2, "moq"),
                              ("suppliers", 0, "onboarding_cost"),
                              ("price_breaks", 0, "min_quantity"),
                              ("products", 1, "unit_weight")]:
        sourcing += [(table, index, fld, True, (2,)), (table, index, fld, False, (2,)),
                     (table, index, fld, math.nan, (2,)), (table, index, fld, -math.inf, (2,))]
        big = (0, 2) if fld in ("capacity",) else (2,)
        sourcing += [(table, index, fld, 1e308, big), (table, index, fld, math.inf, big),
                     (table, index, fld, "12abc", (2,))]
    sourcing += [("policy", None, "max_supplier_share", True, (2,)),
                 ("policy", None, "max_supplier_share", math.nan, (2,)),
                 ("policy", None, "budget", math.nan, (2,)),
                 ("policy", None, "whole_units", 1.5, (2,)),
                 ("policy", None, "min_suppliers", True, (2,))]
    commands = {
        "solve": lambda inst, d: ["sourcing", "solve", str(inst), "--out", str(d / "out")],
        "check": lambda inst, d: ["sourcing", "check", str(inst), str(sourcing_plan())],
        "convert": lambda inst, d: ["sourcing", "convert", str(inst), str(d / "out")],
        "frontier": lambda inst, d: ["sourcing", "frontier", str(inst), "--out", str(d / "out"),
                                     "--points", "2", "--workers", "1"],
    }
    for table, index, fld, value, expect in sourcing:
        for command, argv in commands.items():
            if command in ("check", "frontier") and not (value is True or value == 1e308):
                continue  # the same reader: a sample of the values is enough there
            def build(d: Path, table=table, index=index, fld=fld, value=value, expect=expect,
                      argv=argv) -> Run:
                data = json.loads(SOURCING_JSON.read_text())
                record = data[table] if index is None else data[table][index]
                record[fld] = value
                inst = _write_json(d / "bad.json", data)
                words = argv(inst, d)
                complete = None if "convert" in words else "plan.json"
                if "frontier" in words:
                    complete = "frontier.json"
                return Run(words, expect, ("bad.json",), (inst,),
                           None if "check" in words else d / "out", complete=complete)
            yield Case(f"sourcing-{command}/json-value/{table}.{fld}={value!r}",
                       "JSON booleans, 1e308, NaN and infinities", build)

    routing: list[tuple[str, str, Any, tuple[int, ...]]] = [
        ("stops.0", "time_windows", [[0, 100, 200]], (2,)),
        ("stops.0", "time_windows", [[32400]], (2,)),
        ("stops.0", "time_windows", [32400, 36000], (2,)),
        ("stops.0", "time_windows", [[]], (2,)),
        ("stops.0", "time_windows", [["a", "b"]], (2,)),
        ("stops.0", "time_windows", [[0, math.nan]], (2,)),
        ("stops.0", "time_windows", [[0, 1e308]], (2,)),
        ("stops.0", "time_windows", [[True, 500]], (2,)),
        ("vehicle_types.0", "count", True, (2,)),
        ("vehicle_types.0", "count", 1.5, (2,)),
        ("vehicle_types.0", "capacity", [True], (2,)),
        ("vehicle_types.0", "capacity", [math.nan], (2,)),
        ("vehicle_types.0", "capacity", [1e308], (0, 2)),
        ("vehicle_types.0", "cost_per_km", math.inf, (2,)),
        ("stops.1", "delivery", [True], (2,)),
        ("stops.1", "delivery", [math.nan], (2,)),
        ("stops.1", "service_time", True, (2,)),
        ("stops.1", "service_time", 1e308, (2,)),
        ("stops.1", "service_time", math.nan, (2,)),
        ("stops.1", "x", 1e308, (2,)),
        ("stops.1", "x", math.nan, (2,)),
        ("stops.1", "x", math.inf, (2,)),
        ("stops.2", "drop_penalty", True, (2,)),
        ("stops.2", "drop_penalty", math.nan, (2,)),
        ("depots.0", "close", math.nan, (2,)),
        ("depots.0", "y", "north", (2,)),
    ]
    rcommands = {
        "solve": lambda inst, d: ["routing", "solve", str(inst), "--out", str(d / "out"),
                                  *ROUTING_SOLVE],
        "check": lambda inst, d: ["routing", "check", str(inst), str(routing_plan())],
        "convert": lambda inst, d: ["routing", "convert", str(inst), str(d / "out.json")],
        "plot": lambda inst, d: ["routing", "plot", str(inst), str(routing_plan()), "--out",
                                 str(d / "map.png")],
    }
    for where, fld, value, expect in routing:
        for command, argv in rcommands.items():
            if command != "solve" and expect == (0, 2):
                continue
            if command in ("check", "plot") and routing.index((where, fld, value, expect)) % 3:
                continue  # the same reader: every third value is enough there
            def rbuild(d: Path, where=where, fld=fld, value=value, expect=expect,
                       argv=argv, command=command) -> Run:
                data = copy.deepcopy(ROUTING_TINY)
                table, index = where.split(".")
                data[table][int(index)][fld] = value
                inst = _write_json(d / "bad.json", data)
                out = {"solve": d / "out", "convert": d / "out.json", "plot": d / "map.png"}
                return Run(argv(inst, d), expect, ("bad.json",), (inst,), out.get(command),
                           complete="plan.json" if command == "solve" else None)
            yield Case(f"routing-{command}/json-value/{where}.{fld}={value!r}",
                       "JSON booleans, 1e308, NaN, 3-number and [[32400]] windows", rbuild)


def _files() -> Iterator[Case]:
    """Unreadable instance files: empty, truncated, junk, UTF-16, a folder, chmod 000,
    a missing path, a wrong suffix, for every command."""
    def write(kind: str, how: str, d: Path) -> Path:
        src = SOURCING_JSON if kind == "sourcing" else None
        text = src.read_text() if src else json.dumps(ROUTING_TINY)
        path = d / "inst.json"
        if how == "empty":
            path.write_text("")
        elif how == "truncated":
            path.write_text(text[: len(text) // 2])
        elif how == "junk":
            path.write_bytes(bytes(range(256)) * 4)
        elif how == "list":
            path.write_text("[1, 2, 3]")
        elif how == "null":
            path.write_text("null")
        elif how == "folder":
            path.mkdir()
        elif how == "chmod000":
            path.write_text(text)
            path.chmod(0)
        elif how == "missing":
            pass
        elif how == "txt-suffix":
            path = d / "inst.txt"
            path.write_text(text)
        elif how == "xlsx-text":
            path = d / "inst.xlsx"
            path.write_text(text)
        elif how == "xlsx-junk-zip":
            import zipfile

            path = d / "inst.xlsx"
            with zipfile.ZipFile(path, "w") as z:
                z.writestr("hello.txt", "not a workbook")
        elif how == "empty-folder":
            path = d / "inst"
            path.mkdir()
        elif how == "folder-of-junk":
            path = d / "inst"
            path.mkdir()
            (path / "readme.md").write_text("# notes\n")
            (path / "data.bin").write_bytes(b"\x00\x01")
        return path

    hows = ["empty", "truncated", "junk", "list", "null", "folder", "chmod000", "missing",
            "txt-suffix", "xlsx-text", "xlsx-junk-zip", "empty-folder", "folder-of-junk"]
    for kind in ("sourcing", "routing"):
        commands = ["solve", "check", "convert"] + (["frontier"] if kind == "sourcing"
                                                    else ["plot"])
        for how in hows:
            for command in commands:
                def build(d: Path, kind=kind, how=how, command=command) -> Run:
                    inst = write(kind, how, d)
                    plan = sourcing_plan() if kind == "sourcing" else routing_plan()
                    argv = {
                        "solve": [kind, "solve", str(inst), "--out", str(d / "out")]
                        + (ROUTING_SOLVE if kind == "routing" else []),
                        "check": [kind, "check", str(inst), str(plan)],
                        "convert": [kind, "convert", str(inst), str(d / "out.json")],
                        "frontier": [kind, "frontier", str(inst), "--out", str(d / "out"),
                                     "--points", "2", "--workers", "1"],
                        "plot": [kind, "plot", str(inst), str(plan), "--out",
                                 str(d / "map.png")],
                    }[command]
                    out = d / ("out.json" if command == "convert" else
                               "map.png" if command == "plot" else "out")
                    inputs = (inst,) if os.path.lexists(inst) else ()
                    return Run(argv, (2,), (inst.name,), inputs, out)
                skip = _is_root if how == "chmod000" else None
                yield Case(f"{kind}-{command}/file/{how}", "unreadable instance files", build,
                           skip=skip)
        # UTF-16 and a BOM: read them or refuse them, never crash.
        for encoding in ("utf-16", "utf-8-sig", "utf-32"):
            def ubuild(d: Path, kind=kind, encoding=encoding) -> Run:
                text = (SOURCING_JSON.read_text() if kind == "sourcing"
                        else json.dumps(ROUTING_TINY))
                inst = d / "inst.json"
                inst.write_text(text, encoding=encoding)
                clean = SOURCING_JSON if kind == "sourcing" else _write_json(
                    _cache_dir() / "tiny.json", ROUTING_TINY)
                return Run([kind, "convert", str(inst), str(d / "out.json")], (0, 2),
                           ("inst.json",), (inst,), d / "out.json", complete=None,
                           post=same_instance(kind, inst, clean))
            yield Case(f"{kind}-convert/file/{encoding}", "UTF-16 files", ubuild)


def _fifos() -> Iterator[Case]:
    """A FIFO named like an instance, a plan or a table: refused, never waited on."""
    def make(kind: str, what: str, d: Path) -> Run:
        plan = str(sourcing_plan() if kind == "sourcing" else routing_plan())
        clean = str(SOURCING_JSON if kind == "sourcing" else _write_json(
            d / "tiny.json", ROUTING_TINY))
        if what == "instance":
            fifo = _fifo(d / "inst.json")
            argv = [kind, "solve", str(fifo), "--out", str(d / "out")]
        elif what == "convert":
            fifo = _fifo(d / "inst.json")
            argv = [kind, "convert", str(fifo), str(d / "out.json")]
        elif what == "plan":
            fifo = _fifo(d / "plan.json")
            argv = [kind, "check", clean, str(fifo)]
        elif what == "plan-folder":
            (d / "planfolder").mkdir()
            fifo = _fifo(d / "planfolder" / "plan.json")
            argv = [kind, "check", clean, str(d / "planfolder")]
        elif what == "plot-plan":
            fifo = _fifo(d / "plan.json")
            argv = [kind, "plot", clean, str(fifo), "--out", str(d / "map.png")]
        else:  # a table of a CSV folder
            folder = _copy(SOURCING_FOLDER if kind == "sourcing" else ROUTING_FOLDER, d)
            table = folder / ("offers.csv" if kind == "sourcing" else "stops.csv")
            table.unlink()
            fifo = _fifo(table)
            argv = [kind, "convert", str(folder), str(d / "out.json")]
            del plan
        return Run(argv, (2,), (fifo.name,), (), timeout=20.0)

    for kind in ("sourcing", "routing"):
        whats = ["instance", "convert", "plan", "plan-folder", "table"]
        if kind == "routing":
            whats.append("plot-plan")
        for what in whats:
            yield Case(f"{kind}/fifo/{what}", "a FIFO named .json (must not hang)",
                       lambda d, kind=kind, what=what: make(kind, what, d), subprocess=True)


def _sourcing_tables() -> Iterator[Case]:
    """Misnamed files, sheets and columns; blank rows; locale numbers; ';' CSV; formulas;
    a stray far cell; UTF-16 tables; a table that is a folder or unreadable."""
    ok_files = {"Policy.csv": "policy.csv", "POLICY.csv": "policy.csv",
                "Price_Breaks.csv": "price_breaks.csv", "Offers.csv": "offers.csv",
                "PRODUCTS.csv": "products.csv", "Product_Policies.csv": "product_policies.csv",
                "policy.CSV": "policy.csv"}
    bad_files = {"policies.csv": "policy.csv", "price_break.csv": "price_breaks.csv",
                 "pricebreaks.csv": "price_breaks.csv",
                 "product_policy.csv": "product_policies.csv", "offer.csv": "offers.csv",
                 "supplier.csv": "suppliers.csv"}

    def folder_case(new: str, old: str, expect: tuple[int, ...], command: str) -> Case:
        def build(d: Path) -> Run:
            folder = _copy(SOURCING_FOLDER, d)
            (folder / old).rename(folder / new)
            if command == "solve":
                out = d / "out"
                return Run(["sourcing", "solve", str(folder), "--out", str(out)], expect,
                           (new,), (folder,), out, post=same_cost(SOURCING_FOLDER, out))
            if command == "check":
                return Run(["sourcing", "check", str(folder),
                            str(sourcing_plan(SOURCING_FOLDER))], expect, (new,), (folder,))
            return Run(["sourcing", "convert", str(folder), str(d / "out.json")], expect,
                       (new,), (folder,), d / "out.json", complete=None,
                       post=same_instance("sourcing", folder, SOURCING_FOLDER))
        return Case(f"sourcing-{command}/csv-file-name/{old}->{new}",
                    "misnamed tables (files)", build)

    for command in ("solve", "convert", "check"):
        for new, old in ok_files.items():
            yield folder_case(new, old, (0,), command)
        for new, old in bad_files.items():
            yield folder_case(new, old, (2,), command)

    for extra, expect in (("notes.csv", (0,)), ("README.csv", (0,)), ("_scratch.csv", (0,)),
                          ("remarks.csv", (2,)), ("prices.csv", (2,))):
        def extra_table(d: Path, extra=extra, expect=expect) -> Run:
            folder = _copy(SOURCING_FOLDER, d)
            (folder / extra).write_text("remark\nask Anna about DHK1\n")
            out = d / "out"
            return Run(["sourcing", "solve", str(folder), "--out", str(out)], expect,
                       (extra,), (folder,), out, post=same_cost(SOURCING_FOLDER, out))
        yield Case(f"sourcing-solve/csv-file-name/extra-{extra}", "misnamed tables (files)",
                   extra_table)

    # Sheets.
    ok_sheets = {"Policy": "policy", "POLICY": "policy", "Price_Breaks": "price_breaks",
                 " policy ": "policy", "Offers": "offers"}
    bad_sheets = {"policies": "policy", "price_break": "price_breaks", "Sheet1": "policy",
                  "product_policy": "product_policies"}
    for command in ("solve", "convert"):
        for sheets, expect in ((ok_sheets, (0,)), (bad_sheets, (2,))):
            for new, old in sheets.items():
                def sbuild(d: Path, new=new, old=old, expect=expect, command=command) -> Run:
                    import openpyxl

                    book = _copy(SOURCING_XLSX, d)
                    wb = openpyxl.load_workbook(book)
                    wb[old].title = "renaming"  # openpyxl would make 'Policy' 'Policy1'
                    wb["renaming"].title = new
                    wb.save(book)
                    if command == "solve":
                        out = d / "out"
                        return Run(["sourcing", "solve", str(book), "--out", str(out)], expect,
                                   ("starter.xlsx", new.strip()), (book,), out,
                                   post=same_cost(SOURCING_XLSX, out))
                    return Run(["sourcing", "convert", str(book), str(d / "out.json")], expect,
                               ("starter.xlsx", new.strip()), (book,), d / "out.json",
                               complete=None,
                               post=same_instance("sourcing", book, SOURCING_XLSX))
                yield Case(f"sourcing-{command}/sheet-name/{old}->{new!r}",
                           "misnamed tables (sheets)", sbuild)

    # Columns (CSV and Excel).
    ok_columns = [("offers.csv", "unit_price", "Unit_Price"), ("offers.csv", "unit_price",
                                                                " unit_price "),
                  ("products.csv", "demand", "DEMAND"), ("policy.csv", "max_supplier_share",
                                                         "Max_Supplier_Share")]
    bad_columns = [("offers.csv", "unit_price", "unit_prise"), ("products.csv", "demand",
                                                               "demnd"),
                   ("policy.csv", "max_supplier_share", "max_share"),
                   ("price_breaks.csv", "min_quantity", "min_qty"),
                   ("offers.csv", None, "notes"), ("suppliers.csv", None, "Comment")]
    ok_columns += [("offers.csv", None, "_notes"), ("suppliers.csv", None, "# comment")]
    for columns, expect in ((ok_columns, (0,)), (bad_columns, (2,))):
        for table, old, new in columns:
            for form in ("csv", "xlsx"):
                def cbuild(d: Path, table=table, old=old, new=new, expect=expect,
                           form=form) -> Run:
                    if form == "csv":
                        inst = _copy(SOURCING_FOLDER, d)
                        rows = _rows(inst / table)
                        if old is None:
                            rows = [r + ([new] if i == 0 else ["x"]) for i, r in
                                    enumerate(rows)]
                        else:
                            rows[0] = [new if c == old else c for c in rows[0]]
                        _write_rows(inst / table, rows)
                        clean, names = SOURCING_FOLDER, (table, new.strip())
                    else:
                        import openpyxl

                        inst = _copy(SOURCING_XLSX, d)
                        wb = openpyxl.load_workbook(inst)
                        ws = wb[table.removesuffix(".csv")]
                        if old is None:
                            col = ws.max_column + 1
                            ws.cell(1, col, new)
                            ws.cell(2, col, "x")
                        else:
                            for cell in ws[1]:
                                if cell.value == old:
                                    cell.value = new
                        wb.save(inst)
                        clean, names = SOURCING_XLSX, ("starter.xlsx", new.strip())
                    return Run(["sourcing", "convert", str(inst), str(d / "out.json")], expect,
                               names, (inst,), d / "out.json", complete=None,
                               post=same_instance("sourcing", inst, clean))
                yield Case(f"sourcing-convert/{form}-column/{table}:{old}->{new!r}",
                           "misnamed columns", cbuild)

    # Blank rows, locale numbers, ';' CSV.
    def mutate_csv(d: Path, how: str) -> tuple[Path, tuple[int, ...], tuple[str, ...]]:
        inst = _copy(SOURCING_FOLDER, d)
        offers = _rows(inst / "offers.csv")
        products = _rows(inst / "products.csv")
        policy = _rows(inst / "policy.csv")
        width = len(offers[0])
        expect: tuple[int, ...] = (0,)
        names: tuple[str, ...] = ()
        if how == "blank-line":
            offers.insert(3, [])
        elif how == "blank-commas":
            offers.insert(3, [""] * width)
        elif how == "blank-spaces":
            offers.insert(3, [" "] * width)
        elif how == "trailing-blank":
            offers += [[""] * width, [""] * width]
        elif how == "partial-row":
            offers.insert(3, ["DHK1"] + [""] * (width - 1))
            expect, names = (2,), ("offers.csv",)
        elif how == "thousands-comma":
            products[1][1] = "12,000"
        elif how == "thousands-space":
            products[1][1] = "12 000"
        elif how == "thousands-nbsp":
            products[1][1] = "12\u00a0000"
        elif how == "percent":
            policy[1][0] = "60%"
        elif how == "percent-space":
            policy[1][0] = "60 %"
        elif how == "word-number":
            products[1][1] = "twelve thousand"
            expect, names = (2,), ("products.csv",)
        elif how == "empty-required":
            products[1][1] = ""
            expect, names = (2,), ("products.csv",)
        elif how == "formula-text":
            offers[1][2] = "=2.1"
            expect, names = (2,), ("offers.csv",)
        _write_rows(inst / "offers.csv", offers)
        _write_rows(inst / "products.csv", products)
        _write_rows(inst / "policy.csv", policy)
        if how == "semicolon":
            for table in inst.glob("*.csv"):
                _write_rows(table, _rows(table), delimiter=";")
        elif how == "semicolon-one":
            _write_rows(inst / "offers.csv", _rows(inst / "offers.csv"), delimiter=";")
        elif how == "tab":
            for table in inst.glob("*.csv"):
                _write_rows(table, _rows(table), delimiter="\t")
        elif how == "crlf":
            for table in inst.glob("*.csv"):
                table.write_bytes(table.read_bytes().replace(b"\n", b"\r\n"))
        elif how == "bom":
            for table in inst.glob("*.csv"):
                table.write_text(table.read_text(), encoding="utf-8-sig")
        elif how in ("utf-16", "utf-32"):  # with a byte order mark: read
            (inst / "offers.csv").write_text((inst / "offers.csv").read_text(), encoding=how)
        elif how == "latin-1":
            text = (inst / "suppliers.csv").read_text().replace("Dhaka Knitwear",
                                                                 "Dhaka Tricot\u00e9")
            (inst / "suppliers.csv").write_bytes(text.encode("latin-1"))
            expect, names = (2,), ("suppliers.csv",)
        elif how == "table-is-folder":
            (inst / "offers.csv").unlink()
            (inst / "offers.csv").mkdir()
            expect, names = (2,), ("offers.csv",)
        elif how == "table-chmod000":
            (inst / "offers.csv").chmod(0)
            expect, names = (2,), ("offers.csv",)
        elif how == "required-missing":
            (inst / "products.csv").unlink()
            expect, names = (2,), ("products.csv",)
        elif how == "table-empty-file":
            (inst / "offers.csv").write_text("")
            expect, names = (2,), ("offers.csv",)
        elif how == "header-only":
            (inst / "offers.csv").write_text(",".join(offers[0]) + "\n")
            expect, names = (2,), ("offers.csv",)
        elif how == "symlink-table":
            target = d / "elsewhere.csv"
            shutil.move(inst / "offers.csv", target)
            (inst / "offers.csv").symlink_to(target)
        elif how == "binary-table":
            (inst / "offers.csv").write_bytes(bytes(range(256)))
            expect, names = (2,), ("offers.csv",)
        return inst, expect, names

    hows = ["blank-line", "blank-commas", "blank-spaces", "trailing-blank", "partial-row",
            "thousands-comma", "thousands-space", "thousands-nbsp", "percent", "percent-space",
            "word-number", "empty-required", "formula-text", "semicolon", "semicolon-one",
            "tab", "crlf", "bom", "utf-16", "utf-32", "latin-1", "table-is-folder",
            "table-chmod000", "required-missing", "table-empty-file", "header-only",
            "symlink-table", "binary-table"]
    for how in hows:
        for command in ("convert", "solve"):
            def tbuild(d: Path, how=how, command=command) -> Run:
                inst, expect, names = mutate_csv(d, how)
                if command == "solve":
                    out = d / "out"
                    return Run(["sourcing", "solve", str(inst), "--out", str(out)], expect,
                               names, (inst,), out, post=same_cost(SOURCING_FOLDER, out))
                return Run(["sourcing", "convert", str(inst), str(d / "out.json")], expect,
                           names, (inst,), d / "out.json", complete=None,
                           post=same_instance("sourcing", inst, SOURCING_FOLDER))
            skip = _is_root if how == "table-chmod000" else None
            yield Case(f"sourcing-{command}/csv/{how}", _csv_class(how), tbuild, skip=skip)

    # Excel realities.
    def mutate_xlsx(d: Path, how: str) -> tuple[Path, tuple[int, ...], tuple[str, ...]]:
        import openpyxl

        book = _copy(SOURCING_XLSX, d)
        wb = openpyxl.load_workbook(book)
        offers, products, policy = wb["offers"], wb["products"], wb["policy"]
        expect: tuple[int, ...] = (0,)
        names: tuple[str, ...] = ("starter.xlsx",)
        if how == "blank-row":
            offers.insert_rows(4)
        elif how == "blank-rows-end":
            offers.cell(offers.max_row + 3, 1, None)
            offers.cell(offers.max_row + 5, 2, "")
        elif how == "partial-row":
            offers.insert_rows(4)
            offers.cell(4, 1, "DHK1")
            expect = (2,)
        elif how == "text-thousands":
            products.cell(2, 2, "12,000")
        elif how == "text-percent":
            policy.cell(2, 1, "60%")
        elif how == "text-number":
            products.cell(2, 2, "12000")
        elif how == "formula-no-value":
            offers.cell(2, 5, "=1500*2")
            expect, names = (2,), ("starter.xlsx", "offers")
        elif how == "formula-required":
            products.cell(2, 2, "=SUM(B3:B4)")
            expect = (2,)
        elif how == "stray-far-cell":
            offers.cell(1048576, 1, "x")
            expect = (2,)
        elif how == "stray-far-column":
            offers.cell(3, 40, "x")
            expect = (2,)
        elif how == "bool-quantity":
            products.cell(2, 2, True)
            expect = (2,)
        elif how == "huge":
            products.cell(2, 2, 1e308)
            expect = (2,)
        elif how == "date-cell":
            import datetime

            offers.cell(2, 3, datetime.datetime(2024, 1, 2))
            expect = (2,)
        elif how == "error-cell":
            offers.cell(2, 3, "#DIV/0!")
            expect = (2,)
        elif how == "extra-sheet":
            wb.create_sheet("remarks").cell(1, 1, "ask Anna")
            expect, names = (2,), ("starter.xlsx", "remarks")
        elif how == "notes-sheet":
            wb.create_sheet("Notes").cell(1, 1, "ask Anna")
        elif how == "underscore-sheet":
            wb.create_sheet("_scratch").cell(1, 1, "ask Anna")
        elif how == "missing-sheet":
            del wb["offers"]
            expect, names = (2,), ("starter.xlsx", "offers")
        elif how == "hidden-header-space":
            offers.cell(1, 3, "unit_price ")
        wb.save(book)
        return book, expect, names

    xhows = ["blank-row", "blank-rows-end", "partial-row", "text-thousands", "text-percent",
             "text-number", "formula-no-value", "formula-required", "stray-far-cell",
             "stray-far-column",
             "bool-quantity", "huge", "date-cell", "error-cell", "extra-sheet", "notes-sheet",
             "underscore-sheet",
             "missing-sheet", "hidden-header-space"]
    for how in xhows:
        for command in ("convert", "solve"):
            def xbuild(d: Path, how=how, command=command) -> Run:
                book, expect, names = mutate_xlsx(d, how)
                if command == "solve":
                    out = d / "out"
                    post = same_cost(SOURCING_XLSX, out)
                    return Run(["sourcing", "solve", str(book), "--out", str(out)], expect,
                               names, (book,), out, post=post)
                post = same_instance("sourcing", book, SOURCING_XLSX)
                return Run(["sourcing", "convert", str(book), str(d / "out.json")], expect,
                           names, (book,), d / "out.json", complete=None, post=post)
            yield Case(f"sourcing-{command}/xlsx/{how}", _xlsx_class(how), xbuild)


def _csv_class(how: str) -> str:
    if how.startswith("blank") or how in ("trailing-blank", "partial-row"):
        return "blank rows"
    if how.startswith("thousands") or how.startswith("percent") or how == "word-number":
        return "locale numbers"
    if how in ("semicolon", "semicolon-one", "tab", "crlf", "bom"):
        return "';' CSV and other dialects"
    if how in ("utf-16", "utf-32", "latin-1"):
        return "UTF-16 files"
    return "table files that are folders, unreadable, empty or missing"


def _xlsx_class(how: str) -> str:
    if how.startswith("formula"):
        return "formula cells without values"
    if how.startswith("stray"):
        return "stray cells (Excel row 1,048,576)"
    if how in ("extra-sheet", "missing-sheet"):
        return "misnamed tables (sheets)"
    if how.startswith("blank") or how == "partial-row":
        return "blank rows"
    if how.startswith("text"):
        return "locale numbers"
    return "JSON booleans, 1e308, NaN and infinities"


def _routing_tables() -> Iterator[Case]:
    """The routing CSV folder and workbook: misnamed files/columns, a folder without
    stops.csv, blank rows, ';' CSV, HH:MM windows, lists with ',' and ';'."""
    def mutate(d: Path, how: str) -> tuple[Path, tuple[int, ...], tuple[str, ...]]:
        inst = _copy(ROUTING_FOLDER, d)
        stops = _rows(inst / "stops.csv")
        header = stops[0]
        expect: tuple[int, ...] = (0,)
        names: tuple[str, ...] = ()
        tw = header.index("time_windows")
        st = header.index("service_time")
        if how == "no-stops.csv":
            (inst / "stops.csv").unlink()
            return inst, (2,), ("stops.csv",)
        if how == "Stops.csv":
            (inst / "stops.csv").rename(inst / "Stops.csv")
            return inst, (0,), ()
        if how in ("stop.csv", "customers.csv"):
            (inst / "stops.csv").rename(inst / how)
            return inst, (2,), (how,)
        if how == "vehicle_type.csv":
            (inst / "vehicle_types.csv").rename(inst / how)
            return inst, (2,), (how,)
        if how == "Vehicle_Types.csv":
            (inst / "vehicle_types.csv").rename(inst / how)
            return inst, (0,), ()
        if how == "no-depots.csv":
            (inst / "depots.csv").unlink()
            return inst, (2,), ("depots.csv",)
        if how == "stops-is-folder":
            (inst / "stops.csv").unlink()
            (inst / "stops.csv").mkdir()
            return inst, (2,), ("stops.csv",)
        if how == "stops-chmod000":
            (inst / "stops.csv").chmod(0)
            return inst, (2,), ("stops.csv",)
        if how == "stops-empty":
            (inst / "stops.csv").write_text("")
            return inst, (2,), ("stops.csv",)
        if how == "stops-header-only":
            (inst / "stops.csv").write_text(",".join(header) + "\n")
            return inst, (0, 2), ("stops.csv",)
        if how == "Service_Time-column":
            header[st] = "Service_Time"
        elif how == "service_tme-column":
            header[st] = "service_tme"
            expect, names = (2,), ("stops.csv", "service_tme")
        elif how == "notes-column":
            stops = [r + (["notes"] if i == 0 else ["call first"]) for i, r in enumerate(stops)]
        elif how == "blank-row":
            stops.insert(4, [""] * len(header))
        elif how == "partial-row":
            stops.insert(4, ["52.3"] + [""] * (len(header) - 1))
            expect, names = (2,), ("stops.csv",)
        elif how == "hhmm-window":
            def aligned(cell: str) -> bool:
                return bool(cell) and all(float(v) % 60 == 0 for v in cell.replace(
                    ";", "-").split("-"))
            row = next(r for r in stops[1:] if aligned(r[tw]))
            start, end = (int(float(v)) for v in row[tw].split(";")[0].split("-"))
            row[tw] = f"{start // 3600:02d}:{start % 3600 // 60:02d}-" \
                      f"{end // 3600:02d}:{end % 3600 // 60:02d}"
        elif how == "three-number-window":
            stops[1][tw] = "28800-30000-32000"
            expect, names = (2,), ("stops.csv",)
        elif how == "one-number-window":
            stops[1][tw] = "32400"
            expect, names = (2,), ("stops.csv",)
        elif how == "garbage-window":
            stops[1][tw] = "morning"
            expect, names = (2,), ("stops.csv",)
        elif how == "comma-window-list":
            stops[1][tw] = "28800-30000,32000-36000"
            expect, names = (0, 2), ("stops.csv",)
        elif how == "nan-service":
            stops[1][st] = "nan"
            expect, names = (2,), ("stops.csv",)
        elif how == "inf-service":
            stops[1][st] = "inf"
            expect, names = (2,), ("stops.csv",)
        elif how == "huge-service":
            stops[1][st] = "1e308"
            expect, names = (2,), ("stops.csv",)
        elif how == "bool-service":
            stops[1][st] = "TRUE"
            expect, names = (2,), ("stops.csv",)
        elif how == "service-space":
            stops[1][st] = f" {stops[1][st]} "
        _write_rows(inst / "stops.csv", stops)
        if how == "semicolon":
            for table in inst.glob("*.csv"):
                _write_rows(table, _rows(table), delimiter=";")
            expect = (0,)
        elif how == "utf-16":
            (inst / "stops.csv").write_text((inst / "stops.csv").read_text(), encoding="utf-16")
            expect, names = (0, 2), ("stops.csv",)
        return inst, expect, names

    hows = ["no-stops.csv", "Stops.csv", "stop.csv", "customers.csv", "vehicle_type.csv",
            "Vehicle_Types.csv", "no-depots.csv", "stops-is-folder", "stops-chmod000",
            "stops-empty", "stops-header-only", "Service_Time-column", "service_tme-column",
            "notes-column", "blank-row", "partial-row", "hhmm-window", "three-number-window",
            "one-number-window", "garbage-window", "comma-window-list", "nan-service",
            "inf-service", "huge-service", "bool-service",
            "service-space", "semicolon", "utf-16"]
    for how in hows:
        commands = ["convert", "solve"] if how in ("no-stops.csv", "stops-header-only",
                                                   "three-number-window", "stop.csv") \
            else ["convert"]
        for command in commands:
            def build(d: Path, how=how, command=command) -> Run:
                inst, expect, names = mutate(d, how)
                if how == "notes-column":
                    expect, names = (2,), ("stops.csv", "notes")
                if command == "solve":
                    return Run(["routing", "solve", str(inst), "--out", str(d / "out"),
                                *ROUTING_SOLVE], expect if expect != (0, 2) else (2,),
                               names, (inst,), d / "out")
                post = same_instance("routing", inst, ROUTING_FOLDER)
                return Run(["routing", "convert", str(inst), str(d / "out.json")], expect,
                           names, (inst,), d / "out.json", complete=None, post=post)
            skip = _is_root if how == "stops-chmod000" else None
            klass = ("a folder without stops.csv" if how == "no-stops.csv"
                     else "3-number and [[32400]] windows" if "window" in how
                     else "routing tables: names, blank rows, dialects, numbers")
            yield Case(f"routing-{command}/csv/{how}", klass, build, skip=skip)

    for how, expect in [("Stops", (0,)), ("stop", (2,)), ("extra-sheet", (2,)),
                        ("notes-sheet", (0,)), ("blank-row", (0,)), ("formula-service", (2,)),
                        ("formula-no-value-service", (2,)), ("stray-far-cell", (2,))]:
        def xbuild(d: Path, how=how, expect=expect) -> Run:
            import openpyxl

            book = _copy(ROUTING_XLSX, d)
            wb = openpyxl.load_workbook(book)
            ws = wb["stops"]
            head = [c.value for c in ws[1]]
            col = head.index("service_time") + 1
            names: tuple[str, ...] = ("lunch-breaks-30.xlsx",)
            post = same_instance("routing", book, ROUTING_XLSX)
            if how in ("Stops", "stop"):
                ws.title = "renaming"  # openpyxl would make 'Stops' 'Stops1'
                ws.title = how
                names += (how,)
            elif how == "extra-sheet":
                wb.create_sheet("Remarks").cell(1, 1, "x")
                names += ("Remarks",)
            elif how == "notes-sheet":
                wb.create_sheet("Notes").cell(1, 1, "x")
            elif how == "blank-row":
                ws.insert_rows(5)
            elif how == "formula-service":
                ws.cell(2, col, "=480")
                post = None
            elif how == "formula-no-value-service":
                ws.cell(2, col, "=A2*0+600")
                post = None
            elif how == "stray-far-cell":
                ws.cell(1048576, 1, "x")
            wb.save(book)
            return Run(["routing", "convert", str(book), str(d / "out.json")], expect, names,
                       (book,), d / "out.json", complete=None, post=post)
        klass = ("formula cells without values" if how.startswith("formula")
                 else "stray cells (Excel row 1,048,576)" if how.startswith("stray")
                 else "routing tables: names, blank rows, dialects, numbers")
        yield Case(f"routing-convert/xlsx/{how}", klass, xbuild)


def _ids() -> Iterator[Case]:
    """Ids and skills the list-cell grammar cannot round-trip, ids starting with '='."""
    weird = ["A;B", "A,B", "=HYPERLINK(\"x\")", "=1+1", "+SUM(1)", "-1+2", "@cmd", " S1",
             "A\nB", "A\"B", "s1", "S1 ", "\U0001F600", "\u05e9\u05d5\u05e7", "e\u0301",
             "X" * 3000, "1e3", "TRUE", "00123", "nan"]
    for ident in weird:
        for form, target in (("csv", "out"), ("excel", "out.xlsx")):
            def build(d: Path, ident=ident, target=target) -> Run:
                data = json.loads(SOURCING_JSON.read_text())
                old = data["suppliers"][1]["id"]
                data["suppliers"][1]["id"] = ident
                for table in ("offers", "price_breaks"):
                    for rec in data[table]:
                        if rec["supplier"] == old:
                            rec["supplier"] = ident
                data["policy"]["must_use"] = [ident, "S1"]
                inst = _write_json(d / "ids.json", data)
                out = d / target
                posts = [round_trip("sourcing", inst, out)]
                if target.endswith(".xlsx"):
                    posts.append(no_formulas(out))
                return Run(["sourcing", "convert", str(inst), str(out)], (0, 2), ("ids.json",),
                           (inst,), out, complete=None,
                           post=lambda posts=posts: [p for f in posts for p in f()])
            yield Case(f"sourcing-convert/id/{ident!r}->{form}",
                       "ids with ',' / ';' / leading '='", build)
        for form, target in (("csv", "out"), ("excel", "out.xlsx")):
            for where in ("stop", "skill"):
                def rbuild(d: Path, ident=ident, target=target, where=where) -> Run:
                    data = copy.deepcopy(ROUTING_TINY)
                    if where == "stop":
                        data["stops"][1]["id"] = ident
                    else:
                        data["stops"][0]["skills"] = [ident]
                        data["vehicle_types"][0]["skills"] = [ident, "cold"]
                    inst = _write_json(d / "ids.json", data)
                    out = d / target
                    posts = [round_trip("routing", inst, out)]
                    if target.endswith(".xlsx"):
                        posts.append(no_formulas(out))
                    return Run(["routing", "convert", str(inst), str(out)], (0, 2),
                               ("ids.json",), (inst,), out, complete=None,
                               post=lambda posts=posts: [p for f in posts for p in f()])
                yield Case(f"routing-convert/{where}/{ident!r}->{form}",
                           "ids with ',' / ';' / leading '='", rbuild)


def _sourcing_plans() -> Iterator[Case]:
    """Plans given to ``sourcing check``: NaN/inf, tampered numbers and statuses, broken files,
    a plan of another instance or problem."""
    def tamper(plan: dict[str, Any], how: str) -> None:
        alloc = plan["allocations"]
        if how.startswith("cost.total="):
            plan["cost"]["total"] = float(how.split("=")[1])
        elif how == "cost.total+1":
            plan["cost"]["total"] += 1
        elif how == "cost.purchase+1":
            plan["cost"]["purchase"] += 1
        elif how == "cost.onboarding-1":
            plan["cost"]["onboarding"] -= 1
        elif how == "supplier.spend+1":
            plan["suppliers"][0]["spend"] += 1
        elif how == "supplier.spend=nan":
            plan["suppliers"][0]["spend"] = math.nan
        elif how == "supplier.units+1":
            plan["suppliers"][0]["units"] += 1
        elif how == "supplier.onboarding_cost=0":
            plan["suppliers"][0]["onboarding_cost"] = 0
        elif how.startswith("quantity="):
            alloc[0]["quantity"] = float(how.split("=")[1])
        elif how == "quantity+1":
            alloc[0]["quantity"] += 1
        elif how == "unit_price-0.1":
            alloc[0]["unit_price"] -= 0.1
        elif how == "unit_price=nan":
            alloc[0]["unit_price"] = math.nan
        elif how == "allocation.cost+1":
            alloc[0]["cost"] += 1
        elif how == "allocation.cost=inf":
            alloc[0]["cost"] = math.inf
        elif how == "allocation-removed":
            del alloc[0]
        elif how == "allocation-duplicated":
            alloc.append(dict(alloc[0]))
        elif how == "unknown-supplier":
            alloc[0]["supplier"] = "ZZ"
        elif how == "unknown-product":
            alloc[0]["product"] = "NOPE"
        elif how == "status-optimal-gap-50%":
            plan["solve"]["status"] = "optimal"
            plan["solve"]["gap"] = 0.5
            plan["solve"]["best_bound"] = plan["solve"]["objective"] / 2
        elif how == "bound-above-objective":
            plan["solve"]["best_bound"] = plan["solve"]["objective"] + 10
        elif how == "objective=nan":
            plan["solve"]["objective"] = math.nan
        elif how == "objective+1":
            plan["solve"]["objective"] += 1
        elif how == "gap=nan":
            plan["solve"]["gap"] = math.nan
        elif how == "status-bogus":
            plan["solve"]["status"] = "excellent"
        elif how == "status-infeasible":
            plan["solve"]["status"] = "infeasible"
        elif how == "quantity-true":
            alloc[0]["quantity"] = True
        elif how == "quantity-text":
            alloc[0]["quantity"] = "fifty"
        elif how == "no-allocations-key":
            del plan["allocations"]
        elif how == "products-kpi-altered":
            first = plan["products"][0]
            key = next(k for k, v in first.items() if isinstance(v, float) and v)
            first[key] = first[key] * 1.5 + 1

    hows = ["cost.total=nan", "cost.total=inf", "cost.total=-inf", "cost.total+1",
            "cost.purchase+1", "cost.onboarding-1", "supplier.spend+1", "supplier.spend=nan",
            "supplier.units+1", "supplier.onboarding_cost=0", "quantity=nan", "quantity=inf",
            "quantity=-1", "quantity=1e308", "quantity+1", "unit_price-0.1", "unit_price=nan",
            "allocation.cost+1", "allocation.cost=inf", "allocation-removed",
            "allocation-duplicated", "unknown-supplier", "unknown-product",
            "status-optimal-gap-50%", "bound-above-objective", "objective=nan", "objective+1",
            "gap=nan", "status-bogus", "status-infeasible", "quantity-true", "quantity-text",
            "no-allocations-key", "products-kpi-altered"]
    invalid = {"status-bogus", "quantity-text"}
    either = {"quantity-true", "quantity=-1", "no-allocations-key"}
    for how in hows:
        def build(d: Path, how=how) -> Run:
            plan = json.loads(sourcing_plan().read_text())
            tamper(plan, how)
            path = _write_json(d / "plan.json", plan)
            expect = (2,) if how in invalid else (2, 5) if "nan" in how or "inf" in how \
                or how in either else (5,)
            return Run(["sourcing", "check", str(SOURCING_JSON), str(path)], expect,
                       ("plan.json",), (path, SOURCING_JSON))
        klass = ("NaN/inf in plans given to check" if "nan" in how or "inf" in how
                 else "tampered plans")
        yield Case(f"sourcing-check/plan/{how}", klass, build)

    for how, expect in [("truncated", (2,)), ("empty", (2,)), ("list", (2,)), ("utf-16", (0, 2)),
                        ("missing", (2,)), ("folder-without-plan", (2,)),
                        ("routing-plan", (2,)), ("other-instance", (2, 5)),
                        ("plan-is-folder", (2,)), ("chmod000", (2,)), ("junk", (2,))]:
        def fbuild(d: Path, how=how, expect=expect) -> Run:
            text = sourcing_plan().read_text()
            path = d / "plan.json"
            if how == "truncated":
                path.write_text(text[: len(text) // 2])
            elif how == "empty":
                path.write_text("")
            elif how == "list":
                path.write_text("[]")
            elif how == "utf-16":
                path.write_text(text, encoding="utf-16")
            elif how == "folder-without-plan":
                path = d / "results"
                path.mkdir()
                (path / "allocations.csv").write_text("supplier,product,quantity\n")
            elif how == "routing-plan":
                shutil.copy(routing_plan(), path)
            elif how == "other-instance":
                shutil.copy(sourcing_plan(SOURCING_FOLDER), path)
            elif how == "plan-is-folder":
                path.mkdir()
            elif how == "chmod000":
                path.write_text(text)
                path.chmod(0)
            elif how == "junk":
                path.write_bytes(b"\xff\xfe\x00garbage\x00" * 50)
            inputs = (path,) if os.path.lexists(path) else ()
            return Run(["sourcing", "check", str(SOURCING_JSON), str(path)], expect,
                       (path.name,), (*inputs, SOURCING_JSON))
        klass = "UTF-16 files" if how == "utf-16" else (
            "plot/check with another instance's plan" if how in ("other-instance",
                                                                  "routing-plan")
            else "unreadable plan files")
        yield Case(f"sourcing-check/plan-file/{how}", klass, fbuild,
                   skip=_is_root if how == "chmod000" else None)


def _routing_plans() -> Iterator[Case]:
    """Plans given to ``routing check`` and ``routing plot``."""
    def tamper(plan: dict[str, Any], how: str) -> None:
        route = plan["routes"][0]
        visit = route["visits"][0]
        if how == "arrival=nan":
            visit["arrival"] = math.nan
        elif how == "arrival=inf":
            visit["arrival"] = math.inf
        elif how == "arrival-1000":
            visit["arrival"] -= 1000
            visit["start"] -= 1000
            visit["departure"] -= 1000
        elif how == "start-before-arrival":
            visit["start"] = visit["arrival"] - 5
        elif how == "route.distance=nan":
            route["distance"] = math.nan
        elif how == "route.distance*0.5":
            route["distance"] *= 0.5
        elif how == "route.cost+1":
            route["cost"] += 1
        elif how == "route.cost=nan":
            route["cost"] = math.nan
        elif how == "cost+1":
            plan["cost"] += 1
        elif how == "cost=nan":
            plan["cost"] = math.nan
        elif how == "distance=-inf":
            plan["distance"] = -math.inf
        elif how == "duration+1":
            plan["duration"] += 1
        elif how == "visit-removed":
            mandatory = next(i for i, v in enumerate(route["visits"]) if v["stop"] != "c")
            del route["visits"][mandatory]
        elif how == "visit-duplicated":
            route["visits"].append(dict(route["visits"][-1]))
        elif how == "unknown-stop":
            visit["stop"] = "zz"
        elif how == "unknown-vehicle":
            route["vehicle_type"] = "truck"
        elif how == "vehicle-reused":
            plan["routes"].append(copy.deepcopy(route))
        elif how == "load+100":
            visit["load"] = [v + 100 for v in visit["load"]]
        elif how == "load=nan":
            visit["load"] = [math.nan]
        elif how == "start_load=nan":
            route["start_load"] = [math.nan]
        elif how == "end_time=inf":
            route["end_time"] = math.inf
        elif how == "vehicles_used+1":
            plan["vehicles_used"] += 1
        elif how == "status-bogus":
            plan["solve"]["status"] = "great"
        elif how == "visits-not-a-list":
            route["visits"] = "a;b"
        elif how == "arrival-text":
            visit["arrival"] = "nine"

    hows = ["arrival=nan", "arrival=inf", "arrival-1000", "start-before-arrival",
            "route.distance=nan", "route.distance*0.5", "route.cost+1", "route.cost=nan",
            "cost+1", "cost=nan", "distance=-inf", "duration+1", "visit-removed",
            "visit-duplicated", "unknown-stop", "unknown-vehicle", "vehicle-reused",
            "load+100", "load=nan", "start_load=nan", "end_time=inf", "vehicles_used+1",
            "status-bogus", "visits-not-a-list", "arrival-text"]
    invalid = {"status-bogus", "visits-not-a-list", "arrival-text"}
    for how in hows:
        for command in ("check", "plot"):
            if command == "plot" and how not in ("arrival=nan", "unknown-stop", "status-bogus",
                                                 "unknown-vehicle", "visits-not-a-list",
                                                 "vehicle-reused", "route.distance=nan"):
                continue
            def build(d: Path, how=how, command=command) -> Run:
                plan = json.loads(routing_plan().read_text())
                tamper(plan, how)
                path = _write_json(d / "plan.json", plan)
                inst = _write_json(d / "tiny.json", ROUTING_TINY)
                expect = (2,) if how in invalid else (2, 5) if "nan" in how or "inf" in how \
                    else (5,)
                if command == "plot":  # drawing need not check; a crash or a lie is wrong
                    expect = (2,) if how in invalid else (2, 5) if how == "unknown-stop" \
                        else (0, 2, 5)
                    return Run(["routing", "plot", str(inst), str(path), "--out",
                                str(d / "map.png")], expect, ("plan.json",), (path, inst),
                               d / "map.png", complete=None)
                return Run(["routing", "check", str(inst), str(path)], expect, ("plan.json",),
                           (path, inst))
            klass = ("NaN/inf in plans given to check" if "nan" in how or "inf" in how
                     else "tampered plans")
            yield Case(f"routing-{command}/plan/{how}", klass, build)

    for how, expect in [("truncated", (2,)), ("empty", (2,)), ("utf-16", (0, 2)),
                        ("missing", (2,)), ("sourcing-plan", (2,)),
                        ("other-instance", (2, 5)), ("folder-without-plan", (2,)),
                        ("chmod000", (2,))]:
        for command in ("check", "plot"):
            def fbuild(d: Path, how=how, expect=expect, command=command) -> Run:
                text = routing_plan().read_text()
                inst = _write_json(d / "tiny.json", ROUTING_TINY)
                path = d / "plan.json"
                if how == "truncated":
                    path.write_text(text[: len(text) // 2])
                elif how == "empty":
                    path.write_text("")
                elif how == "utf-16":
                    path.write_text(text, encoding="utf-16")
                elif how == "sourcing-plan":
                    shutil.copy(sourcing_plan(), path)
                elif how == "other-instance":
                    other = _copy(ROUTING_CITY, d)
                    data = json.loads(text)
                    path.write_text(json.dumps(data))
                    inst = other
                elif how == "folder-without-plan":
                    path = d / "results"
                    path.mkdir()
                    (path / "routes.csv").write_text("vehicle\n")
                elif how == "chmod000":
                    path.write_text(text)
                    path.chmod(0)
                inputs = (path,) if os.path.lexists(path) else ()
                if command == "plot":
                    if how == "other-instance":
                        expect = (2,)
                    return Run(["routing", "plot", str(inst), str(path), "--out",
                                str(d / "map.png")], expect, (path.name,), (*inputs, inst),
                               d / "map.png", complete=None)
                return Run(["routing", "check", str(inst), str(path)], expect, (path.name,),
                           (*inputs, inst))
            klass = "UTF-16 files" if how == "utf-16" else (
                "plot/check with another instance's plan" if how in ("other-instance",
                                                                      "sourcing-plan")
                else "unreadable plan files")
            yield Case(f"routing-{command}/plan-file/{how}", klass, fbuild,
                       skip=_is_root if how == "chmod000" else None)


def _bare_plans() -> Iterator[Case]:
    """Plans a person wrote: a bare allocation table (sourcing check) and bare routes (routing
    check and plot), valid and malformed, in CSV, Excel and JSON."""
    allocations = [["supplier", "product", "quantity"], ["S1", "P1", "50"], ["S2", "P1", "50"],
                   ["S1", "P2", "50"]]
    sourcing: dict[str, tuple[Callable[[list[list[str]]], None], tuple[int, ...]]] = {
        "as-solved": (lambda r: None, (0,)),
        "quantity-changed": (lambda r: r[1].__setitem__(2, "70"), (5,)),
        "quantity-nan": (lambda r: r[1].__setitem__(2, "nan"), (2,)),
        "quantity-inf": (lambda r: r[1].__setitem__(2, "inf"), (2,)),
        "quantity-negative": (lambda r: r[1].__setitem__(2, "-5"), (2,)),
        "quantity-text": (lambda r: r[1].__setitem__(2, "fifty"), (2,)),
        "quantity-thousands": (lambda r: r[1].__setitem__(2, "1,000"), (5,)),
        "quantity-column-misspelt": (lambda r: r[0].__setitem__(2, "quantty"), (2,)),
        "product-column-missing": (lambda r: [row.pop(1) for row in r], (2,)),
        "unknown-supplier": (lambda r: r[1].__setitem__(0, "ZZ"), (5,)),
        "empty-id": (lambda r: r[1].__setitem__(0, ""), (2,)),
        "duplicate-row": (lambda r: r.append(list(r[1])), (2,)),
        "blank-row": (lambda r: r.insert(2, ["", "", ""]), (0,)),
        "header-only": (lambda r: r.__delitem__(slice(1, None)), (5,)),
    }
    for how, (change, expect) in sourcing.items():
        for form in ("csv", "json", "xlsx"):
            if form != "csv" and how not in ("as-solved", "quantity-nan", "quantity-changed",
                                             "duplicate-row", "quantity-column-misspelt"):
                continue
            def build(d: Path, change=change, expect=expect, form=form) -> Run:
                rows = copy.deepcopy(allocations)
                change(rows)
                if form == "csv":
                    path = d / "edited.csv"
                    _write_rows(path, rows)
                elif form == "json":
                    path = d / "edited.json"
                    records = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
                    for rec in records:
                        with contextlib.suppress(KeyError, ValueError):
                            rec["quantity"] = float(rec["quantity"])
                    path.write_text(json.dumps({"allocations": records}, allow_nan=True))
                else:
                    import openpyxl

                    path = d / "edited.xlsx"
                    wb = openpyxl.Workbook()
                    ws = wb.active
                    ws.title = "allocations"
                    for row in rows:
                        ws.append([float(v) if v.replace(".", "").isdigit() else v
                                   for v in row])
                    wb.save(path)
                return Run(["sourcing", "check", str(SOURCING_JSON), str(path)], expect,
                           (path.name,), (path, SOURCING_JSON))
            yield Case(f"sourcing-check/bare-table/{how}/{form}", "bare plans given to check",
                       build)

    routes = [["vehicle", "stop"], ["van#0", "d"], ["van#0", "a"], ["van#0", "c"],
              ["van#0", "b"]]
    routing: dict[str, tuple[Callable[[list[list[str]]], None], tuple[int, ...]]] = {
        "as-planned": (lambda r: None, (0,)),
        "mandatory-stop-left-out": (lambda r: r.pop(4), (5,)),
        "stop-twice": (lambda r: r.append(["van#1", "a"]), (5,)),
        "unknown-stop": (lambda r: r[1].__setitem__(1, "zz"), (2, 5)),
        "unknown-vehicle": (lambda r: r[1].__setitem__(0, "truck#0"), (2, 5)),
        "vehicle-index-out-of-range": (lambda r: r[1].__setitem__(0, "van#9"), (2, 5)),
        "column-misspelt": (lambda r: r[0].__setitem__(1, "stp"), (2,)),
        "empty-stop": (lambda r: r[2].__setitem__(1, ""), (2,)),
        "sequence-out-of-order": (lambda r: [r[0].append("sequence")] + [
            row.append(str(n)) for n, row in zip((3, 1, 2, 4), r[1:], strict=False)], (2,)),
        "semicolon": (lambda r: None, (0,)),
    }
    for how, (change, expect) in routing.items():
        for command in ("check", "plot"):
            if command == "plot" and how not in ("as-planned", "unknown-stop", "column-misspelt"):
                continue
            def rbuild(d: Path, change=change, expect=expect, how=how, command=command) -> Run:
                rows = copy.deepcopy(routes)
                change(rows)
                path = d / "routes.csv"
                _write_rows(path, rows, delimiter=";" if how == "semicolon" else ",")
                inst = _write_json(d / "tiny.json", ROUTING_TINY)
                if command == "plot":
                    want = (2,) if how == "unknown-stop" else expect
                    return Run(["routing", "plot", str(inst), str(path), "--out",
                                str(d / "map.png")], want, (path.name,), (path, inst),
                               d / "map.png", complete=None)
                return Run(["routing", "check", str(inst), str(path)], expect, (path.name,),
                           (path, inst))
            yield Case(f"routing-{command}/bare-routes/{how}", "bare plans given to check",
                       rbuild)
    for how, text, expect in [
            ("json-list", '[{"vehicle": "van#0", "stops": ["d", "a", "c", "b"]}]', (0,)),
            ("json-routes", '{"routes": [{"vehicle": "van#0", "stops": ["d", "a", "c", "b"]}]}',
             (0,)),
            ("json-vehicle-reused", '[{"vehicle": "van#0", "stops": ["d", "a"]}, '
             '{"vehicle": "van#0", "stops": ["c", "b"]}]', (5,)),
            ("json-stops-not-list", '[{"vehicle": "van#0", "stops": "d;a;c;b"}]', (2,)),
            ("json-stop-number", '[{"vehicle": "van#0", "stops": [1, 2]}]', (2, 5)),
            ("json-nan", '[{"vehicle": "van#0", "stops": ["d", NaN]}]', (2,))]:
        def jbuild(d: Path, text=text, expect=expect) -> Run:
            path = d / "routes.json"
            path.write_text(text)
            inst = _write_json(d / "tiny.json", ROUTING_TINY)
            return Run(["routing", "check", str(inst), str(path)], expect, (path.name,),
                       (path, inst))
        yield Case(f"routing-check/bare-routes/{how}", "bare plans given to check", jbuild)


def _options() -> Iterator[Case]:
    """Options: --time-limit inf/nan, seeds, counts, --measure without scenarios."""
    sjson, tiny = str(SOURCING_JSON), "tiny.json"
    table: list[tuple[str, list[str], tuple[int, ...], str]] = []
    for value in ("inf", "nan", "-1", "0", "1e308", "abc", "-inf"):
        unlimited = (0, 2) if value in ("inf", "1e308") else (2,)  # sourcing: no limit
        table += [
            (f"sourcing-solve/--time-limit={value}",
             ["sourcing", "solve", sjson, "--time-limit", value], unlimited, "--time-limit"),
            (f"sourcing-frontier/--time-limit={value}",
             ["sourcing", "frontier", sjson, "--out", "out", "--time-limit", value,
              "--points", "2", "--workers", "1"], unlimited, "--time-limit"),
            (f"routing-solve/--time-limit={value}",
             ["routing", "solve", tiny, "--time-limit", value, "--workers", "1"], (2,),
             "--time-limit"),
        ]
    for value in ("nan", "inf", "-0.1", "1"):
        table += [(f"sourcing-solve/--gap={value}", ["sourcing", "solve", sjson, "--gap", value],
                   (2,), "--gap")]
    table += [
        ("sourcing-solve/--threads=0", ["sourcing", "solve", sjson, "--threads", "0"], (2,),
         "--threads"),
        ("sourcing-solve/--seed=-1", ["sourcing", "solve", sjson, "--seed", "-1"], (0, 2),
         "--seed"),
        ("sourcing-solve/--seed=2**70", ["sourcing", "solve", sjson, "--seed", str(2**70)],
         (0, 2), "--seed"),
        ("sourcing-solve/--solver=gurobi", ["sourcing", "solve", sjson, "--solver", "gurobi"],
         (2,), "--solver"),
        ("sourcing-frontier/--workers=0", ["sourcing", "frontier", sjson, "--out", "out",
                                           "--workers", "0"], (2,), "--workers"),
        ("sourcing-frontier/--points=1", ["sourcing", "frontier", sjson, "--out", "out",
                                          "--points", "1"], (2,), "--points"),
        ("sourcing-frontier/--measure=cvar-without-scenarios",
         ["sourcing", "frontier", sjson, "--out", "out", "--measure", "cvar", "--points", "2",
          "--workers", "1"], (2,), "scenario"),
        ("sourcing-frontier/--seed=-1", ["sourcing", "frontier", sjson, "--out", "out",
                                         "--seed", "-1", "--points", "2", "--workers", "1"],
         (0, 2), "--seed"),
        ("routing-solve/--workers=0", ["routing", "solve", tiny, "--workers", "0"], (2,),
         "--workers"),
        ("routing-solve/--solution-limit=0", ["routing", "solve", tiny, "--solution-limit",
                                              "0"], (2,), "--solution-limit"),
        ("routing-solve/--engine=bogus", ["routing", "solve", tiny, "--engine", "bogus",
                                          "--time-limit", "1"], (2,), "bogus"),
        ("routing-solve/--metaheuristic=bogus", ["routing", "solve", tiny, "--metaheuristic",
                                                 "bogus", "--time-limit", "1"], (2,), "bogus"),
        ("routing-solve/--first-solution=bogus", ["routing", "solve", tiny,
                                                  "--first-solution", "bogus",
                                                  "--time-limit", "1"], (2,), "bogus"),
        ("routing-solve/--format=bogus", ["routing", "solve", tiny, "--format", "bogus"], (2,),
         "bogus"),
        ("routing-solve/--seed=-1", ["routing", "solve", tiny, "--seed", "-1", *ROUTING_SOLVE],
         (0, 2), "--seed"),
        ("routing-solve/--convention-without-solomon",
         ["routing", "solve", tiny, "--convention", "hierarchical", *ROUTING_SOLVE], (0, 2),
         "--convention"),
    ]
    for kind in ("sourcing", "routing"):
        for value in ("-1", "-99999999999", str(2**64), str(2**70)):
            for form in ("json", "csv", "excel"):
                target = {"json": "gen.json", "csv": "gen", "excel": "gen.xlsx"}[form]
                extra = ["--products", "3", "--suppliers", "3"] if kind == "sourcing" else [
                    "--stops", "5"]
                table.append((f"{kind}-generate/--seed={value}/{form}",
                              [kind, "generate", "--out", target, "--seed", value, *extra]
                              + (["--form", form] if kind == "sourcing" else []),
                              (0, 2), "--seed"))
    table += [
        ("sourcing-generate/--suppliers=1", ["sourcing", "generate", "--out", "g.json",
                                             "--suppliers", "1"], (2,), "--suppliers"),
        ("routing-generate/--window-share=nan", ["routing", "generate", "--out", "g.json",
                                                 "--window-share", "nan"], (2,),
         "--window-share"),
        ("routing-generate/--tightness=inf", ["routing", "generate", "--out", "g.json",
                                              "--tightness", "inf"], (2,), "--tightness"),
        ("routing-generate/--stops=0", ["routing", "generate", "--out", "g.json", "--stops",
                                        "0"], (2,), "--stops"),
        ("sourcing-generate/unknown-form", ["sourcing", "generate", "--out", "g.parquet",
                                            "--products", "3"], (0, 2), "g.parquet"),
        ("routing-generate/unknown-suffix", ["routing", "generate", "--out", "g.parquet",
                                             "--stops", "3"], (0, 2), "g.parquet"),
        ("sourcing-convert/unknown-form", ["sourcing", "convert", sjson, "x.parquet"], (0, 2),
         "x.parquet"),
    ]
    for ident, argv, expect, name in table:
        def build(d: Path, argv=argv, expect=expect, name=name) -> Run:
            _write_json(d / "tiny.json", ROUTING_TINY)
            out = None
            if "--out" in argv:
                out = d / argv[argv.index("--out") + 1]
            complete = "frontier.json" if "frontier" in argv else (
                "plan.json" if "solve" in argv else None)
            return Run(argv, expect, (name,), (SOURCING_JSON,), out, complete=complete)
        klass = ("generate --seed -1" if "generate/--seed" in ident
                 else "--time-limit inf and other options")
        yield Case(ident, klass, build)


def _outputs() -> Iterator[Case]:
    """--out: under a file, too long, read-only, equal to or holding the input,
    an existing file; stale files of an earlier run; file permissions."""
    def argv_for(command: str, inst: Path, out: Path, d: Path, plan: bool = False
                 ) -> list[str]:
        kind, verb = command.split("-")
        if verb == "solve":
            return [kind, "solve", str(inst), "--out", str(out)] + (
                (ROUTING_SOLVE_PLAN if plan else ROUTING_SOLVE) if kind == "routing" else [])
        if verb == "frontier":
            return [kind, "frontier", str(inst), "--out", str(out), "--points", "2",
                    "--workers", "1"]
        if verb == "convert":
            return [kind, "convert", str(inst), str(out)]
        if verb == "generate":
            return [kind, "generate", "--out", str(out)] + (
                ["--products", "3", "--suppliers", "3"] if kind == "sourcing"
                else ["--stops", "5"])
        return [kind, "plot", str(inst), str(routing_plan()), "--out", str(out)]

    def instance_for(kind: str, d: Path, folder: bool = False) -> Path:
        if kind == "sourcing":
            return _copy(SOURCING_FOLDER, d) if folder else _copy(SOURCING_JSON, d)
        return _copy(ROUTING_FOLDER, d) if folder else _write_json(d / "tiny.json",
                                                                    ROUTING_TINY)

    commands = ["sourcing-solve", "sourcing-frontier", "sourcing-convert", "sourcing-generate",
                "routing-solve", "routing-convert", "routing-generate", "routing-plot"]
    targets = {"sourcing-convert": "out.xlsx", "routing-convert": "out.json",
               "routing-plot": "map.png", "sourcing-generate": "gen.json",
               "routing-generate": "gen.json"}
    for command in commands:
        complete = ("frontier.json" if command.endswith("frontier") else
                    "plan.json" if command.endswith("solve") else None)
        for how in ("under-a-file", "name-too-long", "read-only", "existing-file",
                    "existing-folder-for-file", "existing-fifo", "empty-string"):
            if how == "existing-fifo" and complete is not None:
                continue
            if how == "existing-folder-for-file" and complete is not None:
                continue
            if how == "existing-file" and complete is None:
                continue
            def build(d: Path, command=command, how=how, complete=complete) -> Run:
                kind = command.split("-")[0]
                inst = instance_for(kind, d)
                name = targets.get(command, "out")
                names: tuple[str, ...]
                if how == "under-a-file":
                    (d / "afile").write_text("x")
                    out = d / "afile" / name
                    names = ("afile",)
                elif how == "name-too-long":
                    out = d / ("x" * 300 + Path(name).suffix)
                    names = ("xxxxxxxxxx",)
                elif how == "read-only":
                    (d / "locked").mkdir()
                    (d / "locked").chmod(0o555)
                    out = d / "locked" / name
                    names = ("locked",)
                elif how == "existing-file":
                    out = d / "out"
                    out.write_text("my notes\n")
                    names = ("out",)
                elif how == "existing-fifo":  # stands for a device: never replace one
                    out = _fifo(d / name)
                    names = (name,)
                elif how == "existing-folder-for-file":
                    out = d / name
                    out.mkdir()
                    (out / "keep.txt").write_text("mine")
                    names = (name,)
                else:
                    out = Path("")
                    names = ()
                argv = argv_for(command, inst, out, d)
                if how == "empty-string":  # Path("") is "."; pass a really empty argument
                    argv = ["" if a == "." else a for a in argv]
                expect = (2,)  # docs, Outputs: an unusable --out is exit 2 before solving
                return Run(argv, expect, names, (inst,),
                           None if how == "empty-string" else out,
                           complete=complete, timeout=20.0 if how == "existing-fifo" else None)
            skip = _is_root if how == "read-only" else None
            yield Case(f"{command}/out/{how}", "read-only, full or invalid --out", build,
                       skip=skip)

    for command in ("sourcing-solve", "sourcing-frontier", "sourcing-convert",
                    "routing-solve", "routing-convert"):
        for how in ("equals-input-folder", "holds-input-file", "holds-input-folder",
                    "inside-input-folder"):
            if command.endswith("convert") and how == "inside-input-folder":
                continue
            def ebuild(d: Path, command=command, how=how) -> Run:
                kind = command.split("-")[0]
                if how == "equals-input-folder":
                    inst = instance_for(kind, d, folder=True)
                    out = inst
                elif how == "holds-input-file":
                    out = d / "work"
                    out.mkdir()
                    inst = instance_for(kind, out)
                elif how == "holds-input-folder":
                    out = d / "work"
                    out.mkdir()
                    inst = instance_for(kind, out, folder=True)
                else:
                    inst = instance_for(kind, d, folder=True)
                    out = inst / "plan"
                argv = argv_for(command, inst, out, d)
                if command == "sourcing-convert":
                    argv += ["--form", "csv"]
                expect = (0, 2) if how == "inside-input-folder" else (2,)
                inputs = tuple(inst.glob("*.csv")) if how == "inside-input-folder" else (inst,)
                return Run(argv, expect, (out.name,), inputs, None, complete=None)
            yield Case(f"{command}/out/{how}", "--out equal to the input folder", ebuild)

    for command in ("sourcing-solve", "sourcing-frontier", "routing-solve"):
        def sbuild(d: Path, command=command) -> Run:
            kind = command.split("-")[0]
            inst = instance_for(kind, d)
            out = d / "out"
            _quiet(argv_for(command, inst, out, d, plan=True))  # an earlier run, then files
            stale = ["explanation.csv", "marginal_values.csv", "marginal_values.json",
                     "points/07/plan.json", "frontier.png", "unserved.csv", "map.png"]
            for name in stale:
                if (out / name).exists():
                    continue
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_text("from an earlier run\n")
            produced = {"sourcing-solve": {"plan.json"}, "sourcing-frontier": {
                "frontier.png"}, "routing-solve": {"unserved.csv", "map.png"}}[command]
            stale = [s for s in stale if s not in produced]
            return Run(argv_for(command, inst, out, d, plan=True), (0,), (), (inst,), out,
                       complete="frontier.json" if "frontier" in command else "plan.json",
                       post=stale_gone(out, stale))
        yield Case(f"{command}/out/stale-files-of-an-earlier-run",
                   "half-written or mixed --out folders", sbuild)


ROUTING_MATRIX: dict[str, Any] = {
    "name": "mtx",
    "depots": [{"id": "D", "matrix_index": 0}],
    "vehicle_types": [{"id": "van", "count": 1, "capacity": [10], "start_depot": "D",
                       "speed_kmh": 30}],
    "stops": [{"id": "a", "matrix_index": 1, "delivery": [3]},
              {"id": "b", "matrix_index": 2, "delivery": [4]}],
    "distance": {"kind": "matrix"},
    "matrix": {"distances": [[0, 1000, 2000], [1000, 0, 1500], [2000, 1500, 0]]},
}


def _more_tables() -> Iterator[Case]:
    """Spreadsheet rules of docs/sourcing-format.md "Tables in CSV and Excel" beyond the
    classes of the issue: two names for one table, decimal commas, ambiguous numbers, the header
    below blank rows, a value without a header; routing matrices; round trips of every shipped
    instance through every form."""
    def sourcing_folder(how: str, d: Path) -> tuple[Path, tuple[int, ...], tuple[str, ...]]:
        inst = _copy(SOURCING_FOLDER, d)
        offers = _rows(inst / "offers.csv")
        policy = _rows(inst / "policy.csv")
        if how == "two-names-for-one-table":
            shutil.copy(inst / "policy.csv", inst / "Policy.csv")
            return inst, (2,), ("olicy",)
        if how == "spaced-table-name":
            (inst / "price_breaks.csv").rename(inst / "Price Breaks.csv")
            return inst, (0,), ()
        if how == "dashed-table-name":
            (inst / "product_policies.csv").rename(inst / "product-policies.csv")
            return inst, (0,), ()
        if how == "two-names-for-one-column":
            offers = [[*r, r[2]] for r in offers]
            offers[0][-1] = "Unit Price"
            _write_rows(inst / "offers.csv", offers)
            return inst, (2,), ("offers.csv",)
        if how == "decimal-comma-in-semicolon-csv":
            for table in inst.glob("*.csv"):
                rows = _rows(table)
                rows = [rows[0]] + [[c.replace(".", ",") if _is_number(c) else c for c in r]
                                    for r in rows[1:]]
                _write_rows(table, rows, delimiter=";")
            return inst, (0,), ()
        if how == "ambiguous-15.000-in-semicolon-csv":
            products = _rows(inst / "products.csv")
            products[1][1] = "12.000"
            _write_rows(inst / "products.csv", products)
            for table in inst.glob("*.csv"):
                _write_rows(table, _rows(table), delimiter=";")
            return inst, (2,), ("products.csv",)
        if how == "decimal-comma-in-comma-csv":
            offers[1][2] = "2,1"
            _write_rows(inst / "offers.csv", offers)
            return inst, (2,), ("offers.csv",)
        if how == "header-below-blank-lines":
            (inst / "offers.csv").write_text("\n,,,\n" + (inst / "offers.csv").read_text())
            return inst, (0,), ()
        if how == "value-without-header":
            offers[2] = offers[2] + ["stray"]
            _write_rows(inst / "offers.csv", offers)
            return inst, (2,), ("offers.csv",)
        if how == "percent-over-100":
            policy[1][0] = "160%"
            _write_rows(inst / "policy.csv", policy)
            return inst, (2,), ("policy.csv",)
        if how == "hidden-and-lock-files":
            (inst / ".offers.csv").write_text("junk\n")
            (inst / "~$offers.csv").write_text("junk\n")
            return inst, (0,), ()
        if how == "non-csv-file":
            (inst / "offers.txt").write_text("junk\n")
            return inst, (0,), ()
        raise ValueError(how)

    for how in ("two-names-for-one-table", "spaced-table-name", "dashed-table-name",
                "two-names-for-one-column", "decimal-comma-in-semicolon-csv",
                "ambiguous-15.000-in-semicolon-csv", "decimal-comma-in-comma-csv",
                "header-below-blank-lines", "value-without-header", "percent-over-100",
                "hidden-and-lock-files", "non-csv-file"):
        def build(d: Path, how=how) -> Run:
            inst, expect, names = sourcing_folder(how, d)
            return Run(["sourcing", "convert", str(inst), str(d / "out.json")], expect, names,
                       (inst,), d / "out.json", complete=None,
                       post=same_instance("sourcing", inst, SOURCING_FOLDER))
        yield Case(f"sourcing-convert/csv-rules/{how}", "spreadsheet rules (docs)", build)

    def header_rows_down(d: Path) -> Run:
        import openpyxl

        book = _copy(SOURCING_XLSX, d)
        wb = openpyxl.load_workbook(book)
        wb["offers"].insert_rows(1, 2)
        wb.save(book)
        return Run(["sourcing", "convert", str(book), str(d / "out.json")], (0,), (), (book,),
                   d / "out.json", complete=None,
                   post=same_instance("sourcing", book, SOURCING_XLSX))
    yield Case("sourcing-convert/xlsx-rules/header-below-blank-rows", "spreadsheet rules (docs)",
               header_rows_down)

    matrix_cases: dict[str, tuple[Callable[[dict[str, Any]], None], tuple[int, ...]]] = {
        "clean": (lambda m: None, (0,)),
        "not-square": (lambda m: m["matrix"]["distances"][1].pop(), (2,)),
        "too-small": (lambda m: m["matrix"]["distances"].pop(), (2,)),
        "negative": (lambda m: m["matrix"]["distances"][0].__setitem__(1, -5), (2,)),
        "nan": (lambda m: m["matrix"]["distances"][0].__setitem__(1, math.nan), (2,)),
        "bool": (lambda m: m["matrix"]["distances"][0].__setitem__(1, True), (2,)),
        "index-out-of-range": (lambda m: m["stops"][0].__setitem__("matrix_index", 7), (2,)),
        "index-negative": (lambda m: m["stops"][0].__setitem__("matrix_index", -1), (2,)),
        "no-matrix": (lambda m: m.pop("matrix"), (2,)),
        "durations-wrong-size": (lambda m: m["matrix"].__setitem__("durations", [[0]]), (2,)),
    }
    for how, (change, expect) in matrix_cases.items():
        for command in ("convert", "solve"):
            if command == "solve" and how not in ("clean", "not-square", "nan",
                                                  "index-out-of-range"):
                continue
            def mbuild(d: Path, change=change, expect=expect, command=command) -> Run:
                data = copy.deepcopy(ROUTING_MATRIX)
                change(data)
                inst = _write_json(d / "mtx.json", data)
                if command == "solve":
                    return Run(["routing", "solve", str(inst), "--out", str(d / "out"),
                                *ROUTING_SOLVE_PLAN], expect, ("mtx.json",), (inst,),
                               d / "out")
                return Run(["routing", "convert", str(inst), str(d / "out")], expect,
                           ("mtx.json",), (inst,), d / "out", complete=None,
                           post=round_trip("routing", inst, d / "out"))
            yield Case(f"routing-{command}/matrix/{how}", "routing matrices", mbuild)

    def matrix_csv(how: str) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            src = _write_json(d / "mtx.json", ROUTING_MATRIX)
            folder = d / "mtx"
            _quiet(["routing", "convert", str(src), str(folder)])
            table = folder / "distances.csv"
            if how == "no-distances.csv":
                table.unlink()
            elif how == "ragged-row":
                table.write_text("0,1000,2000\n1000,0\n2000,1500,0\n")
            elif how == "text-cell":
                table.write_text("0,1000,2000\n1000,0,far\n2000,1500,0\n")
            elif how == "header-row":
                table.write_text("a,b,c\n" + table.read_text())
            expect = (0, 2) if how == "header-row" else (2,)
            return Run(["routing", "convert", str(folder), str(d / "out.json")], expect,
                       ("distances.csv",), (folder,), d / "out.json", complete=None)
        return build
    for how in ("no-distances.csv", "ragged-row", "text-cell", "header-row"):
        yield Case(f"routing-convert/matrix-csv/{how}", "routing matrices", matrix_csv(how))

    shipped = [("sourcing", ROOT / "instances" / "sourcing" / name) for name in (
        "starter", "starter.json", "starter.xlsx", "disruption", "disruption.json",
        "disruption.xlsx", "generated-20x50.json", "infeasible.xlsx")]
    shipped += [("routing", ROOT / "instances" / "routing" / name) for name in (
        "city-day-40.json", "lunch-breaks-30", "lunch-breaks-30.xlsx", "two-depots-120.json")]
    for kind, source in shipped:
        for target in ("json", "csv", "xlsx"):
            def rtbuild(d: Path, kind=kind, source=source, target=target) -> Run:
                out = d / {"json": "copy.json", "csv": "copy", "xlsx": "copy.xlsx"}[target]
                return Run([kind, "convert", str(source), str(out)], (0,), (), (source,), out,
                           complete=None, post=round_trip(kind, source, out))
            yield Case(f"{kind}-convert/round-trip/{source.name}->{target}",
                       "shipped instances round-trip through every form", rtbuild)

    def edited_instance(d: Path) -> Run:
        data = json.loads(SOURCING_JSON.read_text())
        data["products"][0]["demand"] = 120
        inst = _write_json(d / "edited.json", data)
        return Run(["sourcing", "check", str(inst), str(sourcing_plan())], (5,), (),
                   (inst,))
    yield Case("sourcing-check/plan-of-the-instance-before-an-edit", "tampered plans",
               edited_instance)


def _times() -> Iterator[Case]:
    """Time values of docs/routing-format.md "Times": every documented spelling reads as the
    seconds it stands for; the rest (and mixes of absolute and relative clocks) are refused."""
    def set_field(data: dict[str, Any], where: str, value: Any) -> None:
        table, index, fld = where.split(".")
        data[table][int(index)][fld] = value

    same: list[tuple[str, str, Any, Any]] = [
        ("window-hhmm", "stops.0.time_windows", ["00:00-01:23:20"], [[0, 5000]]),
        ("window-pair-strings", "stops.0.time_windows", [["00:00", "01:23:20"]], [[0, 5000]]),
        ("window-dict", "stops.0.time_windows", [{"start": 0, "end": 5000}], [[0, 5000]]),
        ("close-26h", "depots.0.close", "26:00", 93600),
        ("close-day-prefix", "depots.0.close", "1d 02:00", 93600),
        ("service-h:mm", "stops.1.service_time", "0:01", 60),
        ("service-h:mm:ss", "stops.1.service_time", "0:01:00", 60),
    ]
    for how, where, value, clean_value in same:
        def build(d: Path, where=where, value=value, clean_value=clean_value) -> Run:
            data = copy.deepcopy(ROUTING_TINY)
            set_field(data, where, value)
            inst = _write_json(d / "times.json", data)
            clean = copy.deepcopy(ROUTING_TINY)
            set_field(clean, where, clean_value)
            ref = _write_json(d / "clean.json", clean)
            return Run(["routing", "convert", str(inst), str(d / "out.json")], (0,), (),
                       (inst,), d / "out.json", complete=None,
                       post=same_instance("routing", inst, ref))
        yield Case(f"routing-convert/times/{how}", "times: HH:MM, durations, absolute", build)

    refused: list[tuple[str, str, Any]] = [
        ("window-reversed-hhmm", "stops.0.time_windows", ["10:00-09:00"]),
        ("minutes-60", "depots.0.close", "09:60"),
        ("clock-text", "depots.0.close", "noon"),
        ("beyond-7-days", "depots.0.close", 604801),
        ("beyond-7-days-hhmm", "depots.0.close", "170:00"),
        ("service-date", "stops.1.service_time", "2026-12-02T08:00"),
        ("service-negative", "stops.1.service_time", "-0:10"),
        ("window-bool", "stops.0.time_windows", [[False, True]]),
        ("absolute-mixed-with-relative", "depots.0.close", 1_764_662_400 + 36000),
        ("iso-garbage", "depots.0.close", "2026-13-45T99:00"),
    ]
    for how, where, value in refused:
        for command in ("convert", "solve"):
            if command == "solve" and how not in ("window-reversed-hhmm",
                                                  "absolute-mixed-with-relative"):
                continue
            def rbuild(d: Path, where=where, value=value, command=command) -> Run:
                data = copy.deepcopy(ROUTING_TINY)
                set_field(data, where, value)
                inst = _write_json(d / "times.json", data)
                if command == "solve":
                    return Run(["routing", "solve", str(inst), "--out", str(d / "out"),
                                *ROUTING_SOLVE], (2,), ("times.json",), (inst,), d / "out")
                return Run(["routing", "convert", str(inst), str(d / "out.json")], (2,),
                           ("times.json",), (inst,), d / "out.json", complete=None)
            yield Case(f"routing-{command}/times/{how}", "times: HH:MM, durations, absolute",
                       rbuild)

    def absolute(d: Path) -> Run:
        """Every clock absolute (UNIX seconds of 2025-12-02): the same day as the relative one."""
        midnight = 1_764_633_600  # 2025-12-02 00:00 UTC
        data = copy.deepcopy(ROUTING_TINY)
        data["depots"][0]["open"] = midnight
        data["depots"][0]["close"] = midnight + 100000
        for stop in data["stops"]:
            if "time_windows" in stop:
                stop["time_windows"] = [[midnight + a, midnight + b]
                                        for a, b in stop["time_windows"]]
        inst = _write_json(d / "absolute.json", data)
        out = d / "copy"

        def post() -> list[str]:
            target = _scratch("fuzz-abs-") / "back.json"
            code, output = _in_process(["routing", "convert", str(out), str(target)], 120.0)
            if code != 0:
                return [f"the CSV copy does not read back ({code}): {output[-300:]}"]
            got = json.loads(target.read_text())
            problems = []
            if got.get("time_origin") != midnight:
                problems.append(f"time_origin {got.get('time_origin')}, expected {midnight}")
            if got["depots"][0].get("close") != 100000:
                problems.append(f"close {got['depots'][0].get('close')}, expected 100000")
            return problems
        return Run(["routing", "convert", str(inst), str(out)], (0,), (), (inst,), out,
                   complete=None, post=post)
    yield Case("routing-convert/times/absolute-unix-through-csv",
               "times: HH:MM, durations, absolute", absolute)


def _sourcing_semantics() -> Iterator[Case]:
    """The rules of docs/sourcing-format.md that an independent re-implementation found the
    model, pre-checks and checker disagreeing on (issue 10, section 1)."""
    def instance(d: Path, change: Callable[[dict[str, Any]], None]) -> Path:
        data = json.loads(SOURCING_JSON.read_text())
        data["offers"][0].pop("capacity", None)
        change(data)
        return _write_json(d / "rules.json", data)

    def zero_demand_must_use(data: dict[str, Any]) -> None:
        data["products"][1]["demand"] = 0
        data["product_policies"] = [{"product": "P2", "must_use": ["S1"]}]

    def zero_demand_must_use_global(data: dict[str, Any]) -> None:
        data["products"].append({"id": "P3", "demand": 0})
        data["offers"].append({"supplier": "S2", "product": "P3", "unit_price": 9})

    cases_: list[tuple[str, Callable[[dict[str, Any]], None], tuple[int, ...], str]] = [
        ("product-must-use-on-zero-demand", zero_demand_must_use, (0,), "solve"),
        ("zero-demand-product-with-an-offer", zero_demand_must_use_global, (0,), "solve"),
        ("whole-units-fractional-demand",
         lambda d: (d["policy"].update(whole_units=True),
                    d["products"][0].update(demand=100.5)), (2,), "solve"),
        ("whole-units-whole-demand", lambda d: d["policy"].update(whole_units=True), (0,),
         "solve"),
        ("must-use-excluded", lambda d: d["policy"].update(must_use=["S2"], excluded=["S2"]),
         (3,), "solve"),
    ]
    for how, change, expect, command in cases_:
        def build(d: Path, change=change, expect=expect, command=command) -> Run:
            inst = instance(d, change)
            out = d / "out"

            def post() -> list[str]:
                code, output = _in_process(["sourcing", "check", str(inst), str(out)], 120.0)
                return [] if code == 0 else [f"its own plan fails check ({code}): "
                                             f"{output[-300:]}"]
            return Run(["sourcing", command, str(inst), "--out", str(out)], expect,
                       ("rules.json",), (inst,), out, post=post)
        yield Case(f"sourcing-{command}/rules/{how}", "sourcing rules: model, pre-checks and "
                   "checker agree", build)

    tables = {
        "must-use-supplier-with-half-a-unit": ([["S1", "P1", "99.5"], ["S2", "P1", "0.5"],
                                                ["S1", "P2", "50"]], (5,), ("must_use",)),
        "must-use-supplier-with-one-unit": ([["S1", "P1", "99"], ["S2", "P1", "1"],
                                             ["S1", "P2", "50"]], (0,), ()),
        "buying-above-demand": ([["S1", "P1", "101"], ["S2", "P1", "1"],
                                 ["S1", "P2", "50"]], (5,), ("over_purchase",)),
    }
    for how, (rows, expect, mentions) in tables.items():
        def tbuild(d: Path, rows=rows, expect=expect, mentions=mentions) -> Run:
            inst = instance(d, lambda data: data["policy"].update(must_use=["S2"]))
            path = d / "edited.csv"
            _write_rows(path, [["supplier", "product", "quantity"], *rows])
            return Run(["sourcing", "check", str(inst), str(path)], expect, ("edited.csv",),
                       (inst, path), mentions=mentions)
        yield Case(f"sourcing-check/rules/{how}", "sourcing rules: model, pre-checks and "
                   "checker agree", tbuild)


ROUTING_BREAKS = ROOT / "instances" / "routing" / "lunch-breaks-30.json"
SOURCING_RISK = ROOT / "instances" / "sourcing" / "disruption.json"


def _richer_plans() -> Iterator[Case]:
    """Plans with driver breaks and with disruption risk, tampered; a plan's own tables read
    back by check; frontier --caps."""
    def breaks(how: str) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            plan = json.loads(routing_plan(ROUTING_BREAKS).read_text())
            route = next(r for r in plan["routes"] if r["breaks"])
            brk = route["breaks"][0]
            if how == "break-removed":
                route["breaks"] = []
            elif how == "break-shortened":
                brk["end"] = brk["start"] + 60
            elif how == "break-too-late":
                brk["start"] += 20000
                brk["end"] += 20000
            elif how == "break-nan":
                brk["start"] = math.nan
            elif how == "break-leg-out-of-range":
                brk["leg"] = 99
            elif how == "break-unknown-id":
                brk["id"] = "siesta"
            path = _write_json(d / "plan.json", plan)
            expect = (2, 5) if how in ("break-nan", "break-leg-out-of-range") else (5,)
            return Run(["routing", "check", str(ROUTING_BREAKS), str(path)], expect,
                       ("plan.json",), (path,))
        return build
    for how in ("break-removed", "break-shortened", "break-too-late", "break-nan",
                "break-leg-out-of-range", "break-unknown-id"):
        yield Case(f"routing-check/breaks/{how}", "tampered plans", breaks(how))

    def risk(how: str) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            plan = json.loads(sourcing_plan(SOURCING_RISK).read_text())
            figures = plan["risk"]
            if how in ("cvar", "var", "expected_cost", "objective"):
                figures[how] *= 0.9
            elif how == "cvar-nan":
                figures["cvar"] = math.nan
            elif how == "scenario-cost":
                figures["scenarios"][1]["cost"] -= 100
            elif how == "scenario-probability":
                figures["scenarios"][1]["probability"] += 0.1
            elif how == "scenario-dropped":
                figures["scenarios"].pop()
            elif how == "alpha":
                figures["alpha"] = 0.5
            path = _write_json(d / "plan.json", plan)
            return Run(["sourcing", "check", str(SOURCING_RISK), str(path)],
                       (2, 5) if how == "cvar-nan" else (5,), ("plan.json",), (path,))
        return build
    for how in ("cvar", "var", "expected_cost", "objective", "cvar-nan", "scenario-cost",
                "scenario-probability", "scenario-dropped", "alpha"):
        yield Case(f"sourcing-check/risk/{how}", "tampered plans", risk(how))

    own = [("sourcing", SOURCING_JSON, "allocations.csv"), ("sourcing", SOURCING_JSON,
                                                            "plan.xlsx"),
           ("sourcing", SOURCING_RISK, "allocations.csv"), ("routing", None, "stops.csv")]
    for kind, inst, table in own:
        def obuild(d: Path, kind=kind, inst=inst, table=table) -> Run:
            if kind == "sourcing":
                plan_dir = sourcing_plan(inst).parent
                instance = inst
            else:
                plan_dir = routing_plan().parent
                instance = _cache_dir() / "tiny.json"
            path = _copy(plan_dir / table, d)
            return Run([kind, "check", str(instance), str(path)], (0,), (), (path,))
        name = inst.name if inst else "tiny"
        yield Case(f"{kind}-check/own-output/{name}/{table}", "bare plans given to check",
                   obuild)

    for caps, expect in (("0.9,0.8", (0,)), ("0.7,abc", (2,)), ("1.5", (2,)), ("-0.1", (2,)),
                         ("nan", (2,)), ("inf", (2,)), ("", (2,)), ("0.9,,0.8", (2,))):
        def cbuild(d: Path, caps=caps, expect=expect) -> Run:
            return Run(["sourcing", "frontier", str(SOURCING_JSON), "--out", str(d / "out"),
                        "--caps", caps, "--workers", "1"], expect, ("--caps",),
                       (SOURCING_JSON,), d / "out", complete="frontier.json")
        yield Case(f"sourcing-frontier/--caps={caps!r}", "--time-limit inf and other options",
                   cbuild)


#: Cell values a random mutation writes: the spreadsheet and JSON oddities of the issue.
ODD_CELLS = ["", " ", "-1", "0", "-0", "1e308", "-1e308", "1e-300", "nan", "inf", "TRUE",
             "false", "=1+1", "1,5", "15,000", "12 000", "60%", "160%", "abc", "9" * 40,
             "None", "null", "\u00a0", "1;2", "a,b", "08:00", "25:61", "1d 07:30", "[1]",
             "0x10", "1_000", "²", "٣", "\x00"]
ODD_VALUES: list[Any] = [None, True, False, 0, -1, 1e308, math.nan, math.inf, "", "abc",
                         [], {}, [1, 2, 3], [[32400]], {"a": 1}, "08:00", 2**70, -2**70, 0.5]


def _random_mutations(seeds: int = 24) -> Iterator[Case]:
    """Seeded random mutations: a random cell of a CSV table, or a random value anywhere in a
    JSON instance, replaced by an oddity. ``convert`` must read the instance (0) or refuse it
    naming the file (2) -- never crash, never hang."""
    import random

    def csv_case(kind: str, seed: int, solve: bool = False) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            rng = random.Random(f"{kind}-csv-{seed}")
            inst = _copy(SOURCING_FOLDER if kind == "sourcing" else ROUTING_FOLDER, d)
            tables = sorted(inst.glob("*.csv"))
            for _ in range(rng.choice((1, 1, 2, 3))):
                table = rng.choice(tables)
                rows = _rows(table)
                if len(rows) < 2 or not rows[0]:
                    continue
                r, c = rng.randrange(len(rows)), rng.randrange(len(rows[0]))
                while len(rows[r]) <= c:
                    rows[r].append("")
                rows[r][c] = rng.choice(ODD_CELLS)
                _write_rows(table, rows)
            if solve:
                return Run([kind, "solve", str(inst), "--out", str(d / "out")], (0, 2, 3, 4),
                           (".csv",), (inst,), d / "out")
            return Run([kind, "convert", str(inst), str(d / "out.json")], (0, 2), (".csv",),
                       (inst,), d / "out.json", complete=None)
        return build

    def json_case(kind: str, seed: int) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            rng = random.Random(f"{kind}-json-{seed}")
            data = (json.loads(SOURCING_JSON.read_text()) if kind == "sourcing"
                    else copy.deepcopy(ROUTING_TINY))
            for _ in range(rng.choice((1, 1, 2))):
                slots: list[tuple[Any, Any]] = []

                def walk(node: Any, slots: list[tuple[Any, Any]] = slots) -> None:
                    if isinstance(node, dict):
                        for key, value in node.items():
                            slots.append((node, key))
                            walk(value)
                    elif isinstance(node, list):
                        for index, value in enumerate(node):
                            slots.append((node, index))
                            walk(value)
                walk(data)
                parent, key = rng.choice(slots)
                if isinstance(parent, dict) and rng.random() < 0.2:
                    del parent[key]
                else:
                    parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
            inst = _write_json(d / "mutated.json", data)
            return Run([kind, "convert", str(inst), str(d / "out.json")], (0, 2),
                       ("mutated.json",), (inst,), d / "out.json", complete=None)
        return build

    def xlsx_case(kind: str, seed: int) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            import datetime

            import openpyxl

            rng = random.Random(f"{kind}-xlsx-{seed}")
            book = _copy(SOURCING_XLSX if kind == "sourcing" else ROUTING_XLSX, d)
            wb = openpyxl.load_workbook(book)
            odd: list[Any] = [*ODD_CELLS[:-1], 1e308, -1.0, True, False, 0.5, 10**20,
                              datetime.datetime(2026, 12, 2, 8), datetime.time(8, 30),
                              datetime.timedelta(minutes=30), "=SUM(1,2)", "#N/A"]
            for _ in range(rng.choice((1, 1, 2))):
                ws = rng.choice(wb.worksheets)
                row = rng.randrange(1, ws.max_row + 2)
                col = rng.randrange(1, ws.max_column + 2)
                ws.cell(row, col, rng.choice(odd))
            wb.save(book)
            return Run([kind, "convert", str(book), str(d / "out.json")], (0, 2),
                       (book.name,), (book,), d / "out.json", complete=None)
        return build

    def plan_case(kind: str, seed: int) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            rng = random.Random(f"{kind}-plan-{seed}")
            source = sourcing_plan() if kind == "sourcing" else routing_plan()
            plan = json.loads(source.read_text())
            slots: list[tuple[Any, Any]] = []

            def walk(node: Any) -> None:
                if isinstance(node, dict):
                    for key, value in node.items():
                        slots.append((node, key))
                        walk(value)
                elif isinstance(node, list):
                    for index, value in enumerate(node):
                        slots.append((node, index))
                        walk(value)
            walk(plan)
            parent, key = rng.choice(slots)
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
            path = _write_json(d / "plan.json", plan)
            instance = SOURCING_JSON if kind == "sourcing" else _cache_dir() / "tiny.json"
            return Run([kind, "check", str(instance), str(path)], (0, 2, 5), ("plan.json",),
                       (path,))
        return build

    for kind in ("sourcing", "routing"):
        for seed in range(seeds // 2):
            yield Case(f"{kind}-convert/random-xlsx-cell/{seed}", "seeded random mutations",
                       xlsx_case(kind, seed))
            yield Case(f"{kind}-check/random-plan-value/{seed}", "seeded random mutations",
                       plan_case(kind, seed))
        for seed in range(seeds):
            yield Case(f"{kind}-convert/random-csv-cell/{seed}", "seeded random mutations",
                       csv_case(kind, seed))
            yield Case(f"{kind}-convert/random-json-value/{seed}", "seeded random mutations",
                       json_case(kind, seed))
            if kind == "sourcing":
                yield Case(f"sourcing-solve/random-csv-cell/{seed}", "seeded random mutations",
                           csv_case(kind, seed, solve=True))


def _command_paths() -> Iterator[Case]:
    """Less travelled options on odd instances: --marginals on infeasible and risk instances,
    frontier measures, Solomon conventions, engines that do not take an instance, and
    generated instances solved in every form."""
    infeasible = ROOT / "instances" / "sourcing" / "infeasible.json"
    table: list[tuple[str, list[str], tuple[int, ...], str | None]] = [
        ("sourcing-solve/--marginals/valid", ["sourcing", "solve", str(SOURCING_JSON),
                                              "--marginals"], (0,), "plan.json"),
        ("sourcing-solve/--marginals/infeasible", ["sourcing", "solve", str(infeasible),
                                                   "--marginals"], (3,), "plan.json"),
        ("sourcing-solve/--marginals/risk", ["sourcing", "solve", str(SOURCING_RISK),
                                             "--marginals"], (0,), "plan.json"),
        ("sourcing-solve/--json/infeasible", ["sourcing", "solve", str(infeasible), "--json"],
         (3,), "plan.json"),
        ("sourcing-frontier/--measure=hhi", ["sourcing", "frontier", str(SOURCING_JSON),
                                             "--measure", "hhi", "--points", "3", "--workers",
                                             "1"], (0,), "frontier.json"),
        ("sourcing-frontier/--measure=cvar/risk", ["sourcing", "frontier", str(SOURCING_RISK),
                                                   "--measure", "cvar", "--points", "3",
                                                   "--workers", "1"], (0,), "frontier.json"),
        ("sourcing-frontier/infeasible", ["sourcing", "frontier", str(infeasible), "--points",
                                          "3", "--workers", "1"], (3,), "frontier.json"),
        ("routing-solve/solomon-hierarchical", ["routing", "solve", str(SOLOMON), "--format",
                                                "solomon", "--convention", "hierarchical",
                                                *ROUTING_SOLVE_PLAN], (0,), "plan.json"),
        ("routing-solve/--engine=pyvrp/breaks", ["routing", "solve", str(ROUTING_BREAKS),
                                                 "--engine", "pyvrp", *ROUTING_SOLVE],
         (2,), "plan.json"),
        ("routing-solve/--engine=pyvrp/skills", ["routing", "solve", "tiny.json", "--engine",
                                                 "pyvrp", *ROUTING_SOLVE], (2,), "plan.json"),
    ]
    table += [
        ("sourcing-solve/--time-limit=0.001/generated", ["sourcing", "solve",
                                                         str(SOURCING_GENERATED),
                                                         "--time-limit", "0.001"],
         (0, 4), "plan.json"),
        ("sourcing-solve/--solver=cbc/--time-limit=0.001", ["sourcing", "solve",
                                                            str(SOURCING_GENERATED), "--solver",
                                                            "cbc", "--time-limit", "0.001"],
         (0, 4), "plan.json"),
        ("sourcing-solve/--solver=cbc/risk", ["sourcing", "solve", str(SOURCING_RISK),
                                              "--solver", "cbc"], (0,), "plan.json"),
        ("sourcing-solve/--solver=cbc/infeasible", ["sourcing", "solve", str(infeasible),
                                                    "--solver", "cbc"], (3,), "plan.json"),
        ("sourcing-solve/--gap=0.999", ["sourcing", "solve", str(SOURCING_GENERATED), "--gap",
                                        "0.999"], (0,), "plan.json"),
        ("sourcing-frontier/--time-limit=0.001", ["sourcing", "frontier",
                                                  str(SOURCING_GENERATED), "--time-limit",
                                                  "0.001", "--points", "3", "--workers", "2"],
         (0, 4), "frontier.json"),
        ("routing-solve/--time-limit=0.1/--solution-limit=1", ["routing", "solve",
                                                               str(ROUTING_CITY), "--time-limit",
                                                               "0.1", "--solution-limit", "1",
                                                               "--workers", "1"],
         (0, 4), "plan.json"),
        ("routing-solve/--workers=2/--engine=auto", ["routing", "solve", "tiny.json",
                                                     "--workers", "2", "--time-limit", "2"],
         (0,), "plan.json"),
    ]
    for ident, argv, expect, complete in table:
        def build(d: Path, argv=argv, expect=expect, complete=complete) -> Run:
            _write_json(d / "tiny.json", ROUTING_TINY)
            return Run([*argv, "--out", str(d / "out")], expect, (), (), d / "out",
                       complete=complete)
        yield Case(ident, "less travelled options", build)

    for kind in ("sourcing", "routing"):
        for form, target in (("json", "gen.json"), ("csv", "gen"), ("excel", "gen.xlsx")):
            def gbuild(d: Path, kind=kind, form=form, target=target) -> Run:
                extra = (["--products", "4", "--suppliers", "4", "--seed", "7", "--form", form]
                         if kind == "sourcing" else ["--stops", "8", "--seed", "7", "--breaks"])
                _quiet([kind, "generate", "--out", str(d / target), *extra])
                argv = [kind, "solve", str(d / target), "--out", str(d / "out")]
                if kind == "routing":
                    argv += ROUTING_SOLVE_PLAN
                out = d / "out"

                def post() -> list[str]:
                    code, output = _in_process([kind, "check", str(d / target), str(out)],
                                               120.0)
                    return [] if code == 0 else [f"check of its plan: exit {code}: "
                                                 f"{output[-300:]}"]
                return Run(argv, (0, 3) if kind == "sourcing" else (0,), (), (d / target,),
                           out, post=post)
            yield Case(f"{kind}-generate/then-solve-and-check/{form}", "less travelled options",
                       gbuild)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return "." in text


def _full_disk() -> Iterator[Case]:
    """A full disk while writing (a file size limit in a real process): exit 6 naming the
    path, and the output as it was (absent, or the earlier run intact)."""
    def make(command: str, earlier: bool) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            kind, verb = command.split("-")
            inst = _copy(SOURCING_FOLDER, d) if kind == "sourcing" else _write_json(
                d / "tiny.json", ROUTING_TINY)
            out = d / {"convert": "out.xlsx", "plot": "map.png"}.get(verb, "out")
            argv = {"solve": [kind, "solve", str(inst), "--out", str(out)]
                    + (ROUTING_SOLVE_PLAN if kind == "routing" else []),
                    "frontier": [kind, "frontier", str(inst), "--out", str(out), "--points",
                                 "3", "--workers", "1"],
                    "convert": [kind, "convert", str(inst), str(out)],
                    "plot": [kind, "plot", str(inst), str(routing_plan()), "--out",
                             str(out)]}[verb]
            if earlier:
                _quiet(argv)
            complete = {"solve": "plan.json", "frontier": "frontier.json"}.get(verb)
            return Run(argv, (6,), (out.name,), (inst,), out, complete=complete,
                       file_size_limit=4096, timeout=60.0)
        return build

    for command in ("sourcing-solve", "sourcing-frontier", "sourcing-convert",
                    "routing-solve", "routing-plot"):
        for earlier in (False, True):
            yield Case(f"{command}/full-disk/{'over-an-earlier-run' if earlier else 'new'}",
                       "a full disk while writing", make(command, earlier), subprocess=True)


def _routing_runtime() -> Iterator[Case]:
    """A mandatory stop that no vehicle can serve in time: exit 3, not an engine failure."""
    variants = {
        "window-after-depot-close": lambda s, v, d: s.update(time_windows=[[150000, 160000]]),
        "window-after-shift": lambda s, v, d: (v.update(shift_start=0, shift_end=3000),
                                               s.update(time_windows=[[5000, 6000]])),
        "service-longer-than-day": lambda s, v, d: s.update(service_time=200000),
        "too-heavy": lambda s, v, d: s.update(delivery=[50]),
        "skill-nobody-has": lambda s, v, d: s.update(skills=["crane"]),
        "far-beyond-max-distance": lambda s, v, d: (v.update(max_distance=10),
                                                    s.update(x=500, y=500)),
        "after-depot-close-tight": lambda s, v, d: (d.update(close=4000),
                                                    s.update(time_windows=[[4500, 5000]])),
    }
    for how, change in variants.items():
        for engine in ("auto", "ortools", "pyvrp"):
            def build(d: Path, change=change, engine=engine, how=how) -> Run:
                data = copy.deepcopy(ROUTING_TINY)
                stop = data["stops"][1]
                change(stop, data["vehicle_types"][0], data["depots"][0])
                if how != "skill-nobody-has":
                    data["vehicle_types"][0].pop("skills")
                    data["stops"][0].pop("skills")
                if engine == "pyvrp":  # PyVRP takes one window per stop
                    data["stops"][3]["time_windows"] = [[0, 9000]]
                inst = _write_json(d / "late.json", data)
                return Run(["routing", "solve", str(inst), "--out", str(d / "out"),
                            "--engine", engine, *ROUTING_SOLVE], (3,) if engine != "pyvrp"
                           or how != "skill-nobody-has" else (2, 3), ("b",), (inst,),
                           d / "out")
            yield Case(f"routing-solve/mandatory/{how}/{engine}",
                       "mandatory stop after depot close", build)


def _benchmarks() -> Iterator[Case]:
    """Malformed Solomon / VRPLIB / Li & Lim / Cordeau files, with and without --format."""
    solomon = SOLOMON.read_text()
    lines = solomon.splitlines()
    customer_start = next(i for i, line in enumerate(lines) if line.strip().startswith("0 "))

    def solomon_mutation(how: str) -> str:
        body = list(lines)
        if how == "truncated-mid-line":
            return "\n".join(body[:customer_start + 2]) + "\n    2      45"
        if how == "non-numeric":
            body[customer_start + 1] = body[customer_start + 1].replace("68", "6x8", 1)
        elif how == "no-vehicle-section":
            body = [line for line in body if "VEHICLE" not in line and "CAPACITY" not in line
                    and line.strip() != "3         50"]
        elif how == "no-customer-section":
            body = body[:customer_start - 2]
        elif how == "capacity-text":
            body = [line.replace("  3         50", "  3         fifty") for line in body]
        elif how == "vehicles-zero":
            body = [line.replace("  3         50", "  0         50") for line in body]
        elif how == "negative-demand":
            parts = body[customer_start + 1].split()
            parts[3] = "-10"
            body[customer_start + 1] = "  ".join(parts)
        elif how == "ready-after-due":
            parts = body[customer_start + 1].split()
            parts[4], parts[5] = "900", "100"
            body[customer_start + 1] = "  ".join(parts)
        elif how == "duplicate-customer":
            body.append(body[customer_start + 1])
        elif how == "too-few-fields":
            body[customer_start + 1] = "  1  45  68  10"
        elif how == "too-many-fields":
            body[customer_start + 1] += "  7  8"
        elif how == "nan-coordinate":
            parts = body[customer_start + 1].split()
            parts[1] = "nan"
            body[customer_start + 1] = "  ".join(parts)
        elif how == "huge-coordinate":
            parts = body[customer_start + 1].split()
            parts[1] = "1e308"
            body[customer_start + 1] = "  ".join(parts)
        elif how == "empty":
            return ""
        elif how == "name-only":
            return "C101\n"
        elif how == "binary":
            return "\x00\x01\x02" * 40
        elif how == "depot-only":
            body = body[:customer_start + 1]
        return "\n".join(body) + "\n"

    for how in ["truncated-mid-line", "non-numeric", "no-vehicle-section",
                "no-customer-section", "capacity-text", "vehicles-zero", "negative-demand",
                "ready-after-due", "duplicate-customer", "too-few-fields", "too-many-fields",
                "nan-coordinate", "huge-coordinate", "empty", "name-only", "binary",
                "depot-only"]:
        for mode in ("convert --format solomon", "convert", "solve --format solomon",
                     "check --format solomon"):
            if how not in ("truncated-mid-line", "non-numeric", "empty", "capacity-text") \
                    and mode != "convert --format solomon":
                continue
            def build(d: Path, how=how, mode=mode) -> Run:
                path = d / "bad.txt"
                path.write_text(solomon_mutation(how))
                verb, *extra = mode.split()
                argv = ["routing", verb, str(path)]
                if verb == "convert":
                    argv.append(str(d / "out.json"))
                elif verb == "check":
                    argv.append(str(routing_plan()))
                else:
                    argv += ["--out", str(d / "out"), *ROUTING_SOLVE]
                expect = (0, 2) if how in ("too-many-fields", "depot-only") else (2,)
                return Run(argv + extra, expect, ("bad.txt",), (path,))
            yield Case(f"routing-{mode.replace(' ', '')}/solomon/{how}",
                       "malformed Solomon/VRPLIB/Li&Lim/Cordeau files", build)

    def vrplib_mutation(text: str, how: str) -> str:
        if how == "no-dimension":
            return text.replace("DIMENSION : 5\n", "")
        if how == "dimension-too-large":
            return text.replace("DIMENSION : 5", "DIMENSION : 9")
        if how == "dimension-text":
            return text.replace("DIMENSION : 5", "DIMENSION : five")
        if how == "no-capacity":
            return text.replace("CAPACITY : 10\n", "")
        if how == "capacity-negative":
            return text.replace("CAPACITY : 10", "CAPACITY : -10")
        if how == "edge-weight-unknown":
            return text.replace("EUC_2D", "MAGIC_3D")
        if how == "non-numeric-coordinate":
            return text.replace("2 10 0\n", "2 1O 0\n")
        if how == "no-demand-section":
            start = text.index("DEMAND_SECTION")
            end = text.index("TIME_WINDOW_SECTION" if "TIME_WINDOW" in text
                             else "DEPOT_SECTION")
            return text[:start] + text[end:]
        if how == "no-depot-section":
            return text[: text.index("DEPOT_SECTION")] + "EOF\n"
        if how == "depot-out-of-range":
            return text.replace("DEPOT_SECTION\n1\n", "DEPOT_SECTION\n42\n")
        if how == "negative-demand":
            return text.replace("DEMAND_SECTION\n1 0\n2 3", "DEMAND_SECTION\n1 0\n2 -3")
        if how == "demand-over-capacity":
            return text.replace("5 5\nDEPOT", "5 50\nDEPOT").replace("5 5\nTIME", "5 50\nTIME")
        if how == "truncated":
            return text[: len(text) // 2]
        if how == "empty":
            return ""
        if how == "window-reversed":
            return text.replace("3 100 600", "3 600 100")
        if how == "service-time-text":
            return text.replace("SERVICE_TIME : 10", "SERVICE_TIME : ten")
        if how == "service-time-negative":
            return text.replace("SERVICE_TIME : 10", "SERVICE_TIME : -10")
        if how == "missing-window-row":
            return text.replace("4 0 900\n", "")
        return text

    for base, label in ((VRPLIB_CVRP, "cvrp"), (VRPLIB_VRPTW, "vrptw")):
        for how in ["clean", "no-dimension", "dimension-too-large", "dimension-text",
                    "no-capacity", "capacity-negative", "edge-weight-unknown",
                    "non-numeric-coordinate", "no-demand-section", "no-depot-section",
                    "depot-out-of-range", "negative-demand", "demand-over-capacity",
                    "truncated", "empty", "window-reversed", "service-time-text",
                    "service-time-negative", "missing-window-row"]:
            if label == "cvrp" and ("window" in how or "service" in how):
                continue
            for mode in ("convert --format vrplib", "convert"):
                if mode == "convert" and how not in ("clean", "truncated", "empty"):
                    continue
                def vbuild(d: Path, base=base, how=how, mode=mode, label=label) -> Run:
                    path = d / f"bad-{label}.vrp"
                    path.write_text(vrplib_mutation(base, how))
                    verb, *extra = mode.split()
                    expect = (0,) if how == "clean" else (0, 3) if how == \
                        "demand-over-capacity" else (2,)
                    return Run(["routing", verb, str(path), str(d / "out.json"), *extra],
                               expect, (path.name,), (path,), d / "out.json", complete=None)
                cls = ("VRPLIB with a global SERVICE_TIME, format detection"
                       if how == "clean" else "malformed Solomon/VRPLIB/Li&Lim/Cordeau files")
                yield Case(f"routing-{mode.replace(' ', '')}/vrplib-{label}/{how}", cls,
                           vbuild)

    def lilim_mutation(how: str) -> str:
        rows = [line.split("\t") for line in LILIM.strip().splitlines()]
        if how == "partner-out-of-range":
            rows[2][8] = "99"
        elif how == "pair-mismatch":
            rows[2][8] = "3"
        elif how == "missing-field":
            rows[3] = rows[3][:-1]
        elif how == "non-numeric":
            rows[2][1] = "4S"
        elif how == "empty":
            return ""
        elif how == "header-only":
            rows = rows[:1]
        elif how == "truncated":
            return LILIM[: len(LILIM) // 2]
        elif how == "delivery-without-pickup":
            rows[3][7] = "0"
        elif how == "nan-coordinate":
            rows[2][1] = "nan"
        return "\n".join("\t".join(r) for r in rows) + "\n"

    for how in ["clean", "partner-out-of-range", "pair-mismatch", "missing-field", "non-numeric",
                "empty", "header-only", "truncated", "delivery-without-pickup",
                "nan-coordinate"]:
        for mode in ("convert --format lilim", "convert"):
            if mode == "convert" and how not in ("clean", "truncated", "non-numeric"):
                continue
            def lbuild(d: Path, how=how, mode=mode) -> Run:
                path = d / "lc-bad.txt"
                path.write_text(lilim_mutation(how))
                verb, *extra = mode.split()
                expect = (0,) if how == "clean" else (0, 2) if how == "header-only" else (2,)
                return Run(["routing", verb, str(path), str(d / "out.json"), *extra], expect,
                           (path.name,), (path,), d / "out.json", complete=None)
            cls = ("VRPLIB with a global SERVICE_TIME, format detection" if how == "clean"
                   else "malformed Solomon/VRPLIB/Li&Lim/Cordeau files")
            yield Case(f"routing-{mode.replace(' ', '')}/lilim/{how}", cls, lbuild)

    def cordeau_mutation(how: str) -> str:
        lines_ = CORDEAU.strip().splitlines()
        if how == "type-3":
            lines_[0] = "3 2 4 1"
        elif how == "too-many-depots-declared":
            lines_[0] = "2 2 4 3"
        elif how == "too-few-customers":
            lines_[0] = "2 2 9 1"
        elif how == "non-numeric":
            lines_[3] = lines_[3].replace("49", "4g")
        elif how == "truncated":
            lines_ = lines_[:4]
        elif how == "empty":
            return ""
        elif how == "short-header":
            lines_[0] = "2 2"
        elif how == "negative-capacity":
            lines_[1] = "0 -80"
        return "\n".join(lines_) + "\n"

    for how in ["clean", "type-3", "too-many-depots-declared", "too-few-customers",
                "non-numeric", "truncated", "empty", "short-header", "negative-capacity"]:
        for mode in ("convert --format cordeau", "convert"):
            if mode == "convert" and how not in ("clean", "truncated"):
                continue
            def cbuild(d: Path, how=how, mode=mode) -> Run:
                path = d / "p-bad.txt"
                path.write_text(cordeau_mutation(how))
                verb, *extra = mode.split()
                expect = (0,) if how == "clean" else (2,)
                return Run(["routing", verb, str(path), str(d / "out.json"), *extra], expect,
                           (path.name,), (path,), d / "out.json", complete=None)
            cls = ("VRPLIB with a global SERVICE_TIME, format detection" if how == "clean"
                   else "malformed Solomon/VRPLIB/Li&Lim/Cordeau files")
            yield Case(f"routing-{mode.replace(' ', '')}/cordeau/{how}", cls, cbuild)

    def detect(d: Path) -> Run:
        path = _copy(SOLOMON, d)
        return Run(["routing", "convert", str(path), str(d / "out.json")], (0,), (), (path,),
                   d / "out.json", complete=None)
    yield Case("routing-convert/solomon/detected-without---format",
               "VRPLIB with a global SERVICE_TIME, format detection", detect)

    def wrong_format(d: Path) -> Run:
        path = d / "inst.vrp"
        path.write_text(VRPLIB_CVRP)
        return Run(["routing", "convert", str(path), str(d / "out.json"), "--format",
                    "solomon"], (2,), ("inst.vrp",), (path,), d / "out.json", complete=None)
    yield Case("routing-convert/vrplib-read-as-solomon", "malformed Solomon/VRPLIB/Li&Lim/"
               "Cordeau files", wrong_format)


def _floods() -> Iterator[Case]:
    """Thousands of bad records: a capped listing (the 10^6 version is in benchmarks/)."""
    def sourcing_csv(d: Path) -> Run:
        inst = _copy(SOURCING_FOLDER, d)
        rows = _rows(inst / "offers.csv")
        bad = [["DHK1", f"P{i}", "-1", "", "", "", "", ""] for i in range(5000)]
        _write_rows(inst / "offers.csv", rows + bad)
        return Run(["sourcing", "solve", str(inst), "--out", str(d / "out")], (2,),
                   ("offers.csv",), (inst,), d / "out")

    def sourcing_json(d: Path) -> Run:
        data = json.loads(SOURCING_JSON.read_text())
        data["products"] += [{"id": f"X{i}", "demand": -1} for i in range(5000)]
        inst = _write_json(d / "flood.json", data)
        return Run(["sourcing", "check", str(inst), str(sourcing_plan())], (2,),
                   ("flood.json",), (inst,))

    def routing_json(d: Path) -> Run:
        data = copy.deepcopy(ROUTING_TINY)
        data["stops"] += [{"id": f"s{i}", "x": 1, "y": 1, "time_windows": [[5, 1]]}
                          for i in range(5000)]
        inst = _write_json(d / "flood.json", data)
        return Run(["routing", "convert", str(inst), str(d / "out.json")], (2,),
                   ("flood.json",), (inst,), d / "out.json", complete=None)

    def routing_csv(d: Path) -> Run:
        inst = _copy(ROUTING_FOLDER, d)
        rows = _rows(inst / "stops.csv")
        width = len(rows[0])
        rows += [["x"] * width for _ in range(5000)]
        _write_rows(inst / "stops.csv", rows)
        return Run(["routing", "solve", str(inst), "--out", str(d / "out"), *ROUTING_SOLVE],
                   (2,), ("stops.csv",), (inst,), d / "out")

    for name, build in [("sourcing-solve/5000-bad-offers-csv", sourcing_csv),
                        ("sourcing-check/5000-bad-products-json", sourcing_json),
                        ("routing-convert/5000-bad-stops-json", routing_json),
                        ("routing-solve/5000-bad-stops-csv", routing_csv)]:
        yield Case(name, "floods of bad records", build)


def _subprocess_cases() -> Iterator[Case]:
    """Real processes: tracebacks on stderr, exit codes through sys.exit, and signals."""
    def truncated(d: Path) -> Run:
        inst = d / "inst.json"
        inst.write_text(SOURCING_JSON.read_text()[:100])
        return Run(["sourcing", "solve", str(inst), "--out", str(d / "out")], (2,),
                   ("inst.json",), (inst,), d / "out")
    yield Case("subprocess/sourcing-solve/truncated-json", "unreadable instance files",
               truncated, subprocess=True)

    def bad_solomon(d: Path) -> Run:
        path = d / "bad.txt"
        path.write_text(SOLOMON.read_text().replace("45", "4x5", 1))
        return Run(["routing", "solve", str(path), "--format", "solomon", "--out",
                    str(d / "out"), *ROUTING_SOLVE], (2,), ("bad.txt",), (path,), d / "out")
    yield Case("subprocess/routing-solve/malformed-solomon",
               "malformed Solomon/VRPLIB/Li&Lim/Cordeau files", bad_solomon, subprocess=True)

    def inf_limit(d: Path) -> Run:
        inst = _write_json(d / "tiny.json", ROUTING_TINY)
        return Run(["routing", "solve", str(inst), "--time-limit", "inf", "--out",
                    str(d / "out")], (2,), ("--time-limit",), (inst,), d / "out")
    yield Case("subprocess/routing-solve/--time-limit=inf", "--time-limit inf and other options",
               inf_limit, subprocess=True)

    def under_file(d: Path) -> Run:
        (d / "afile").write_text("x")
        return Run(["sourcing", "solve", str(SOURCING_JSON), "--out", str(d / "afile" / "p")],
                   (2,), ("afile",), (SOURCING_JSON,), d / "afile" / "p")
    yield Case("subprocess/sourcing-solve/out-under-a-file", "read-only, full or invalid --out",
               under_file, subprocess=True)

    for sig, name in ((signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")):
        def routing_signal(d: Path, sig=sig) -> Run:
            inst = _copy(ROUTING_CITY, d)
            return Run(["routing", "solve", str(inst), "--out", str(d / "out"), "--time-limit",
                        "60", "--workers", "2"], (0, 130), (), (inst,), d / "out",
                       signal=sig, signal_after=5.0, timeout=45.0)
        yield Case(f"subprocess/routing-solve/{name}", "signals and half-written folders",
                   routing_signal, subprocess=True)

        def frontier_signal(d: Path, sig=sig) -> Run:
            inst = _copy(SOURCING_GENERATED, d)
            return Run(["sourcing", "frontier", str(inst), "--out", str(d / "out"), "--points",
                        "200", "--workers", "2"], (130,), (), (inst,), d / "out",
                       complete="frontier.json", signal=sig, signal_after=4.0, timeout=45.0)
        yield Case(f"subprocess/sourcing-frontier/{name}", "signals and half-written folders",
                   frontier_signal, subprocess=True)


def cases() -> list[Case]:
    """The whole CI corpus."""
    found = [*_json_values(), *_files(), *_fifos(), *_sourcing_tables(), *_routing_tables(),
             *_ids(), *_sourcing_plans(), *_routing_plans(), *_bare_plans(), *_options(),
             *_outputs(), *_full_disk(), *_more_tables(), *_times(),
             *_sourcing_semantics(), *_richer_plans(), *_random_mutations(),
             *_command_paths(),
             *_routing_runtime(), *_benchmarks(), *_floods(), *_subprocess_cases()]
    from tests.fuzz.network_corpus import network_cases  # imports this module's helpers

    found += network_cases()
    ids = [c.id for c in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate fuzz case ids: {sorted(duplicates)[:5]}")
    return found
