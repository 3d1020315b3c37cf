"""The network part of the fuzz corpus (``optimizer network ...``, docs/network-format.md).

Same contract and style as tests/fuzz/corpus.py: each case mutates a shipped network instance
(``tests/fixtures/network/valid_small{.json,/}``, ``instances/network/starter{/,.xlsx}``) or a
tiny benchmark file written in the case's folder, and declares the documented exit code.
Every case id starts with ``network-`` (or ``subprocess/network-``), so
``python -m pytest -q tests/fuzz -k network`` or ``python -m tests.fuzz.report --only network``
runs this part alone. Every solve is the 3-DC fixture (a fraction of a second in process);
reference plans are solved once per process.
"""

from __future__ import annotations

import copy
import json
import math
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.fuzz.corpus import (
    _cached,
    _copy,
    _fifo,
    _in_process,
    _is_number,
    _is_root,
    _quiet,
    _rows,
    _scratch,
    _write_json,
    _write_rows,
    no_formulas,
    round_trip,
    routing_plan,
    same_instance,
    sourcing_plan,
    stale_gone,
)
from tests.fuzz.harness import ROOT, Case, Run

NETWORK_JSON = ROOT / "tests" / "fixtures" / "network" / "valid_small.json"
NETWORK_SMALL_FOLDER = ROOT / "tests" / "fixtures" / "network" / "valid_small"
NETWORK_INFEASIBLE = ROOT / "tests" / "fixtures" / "network" / "infeasible.json"
NETWORK_FOLDER = ROOT / "instances" / "network" / "starter"
NETWORK_XLSX = ROOT / "instances" / "network" / "starter.xlsx"
NETWORK_STARTER_JSON = ROOT / "instances" / "network" / "starter.json"

#: A 3-facility x 4-customer OR-Library capacitated warehouse location file.
ORLIB_CAP = """3 4
100 500
120 600
80 400
30
10 20 30
40
25 15 35
20
30 30 10
50
12 40 28
"""
#: The same, with the word ``capacity`` in place of the capacities (capa/capb/capc style).
ORLIB_CAPA = ORLIB_CAP.replace("100 500", "capacity 500").replace(
    "120 600", "capacity 600").replace("80 400", "capacity 400")
#: A 3-facility x 4-customer Holmberg single-source file ("formatted" layout).
HOLMBERG = """3 4
100 120 80
500 600 400
30 40 20 50
10 20 30
25 15 35
30 30 10
12 40 28
"""


def network_plan(instance: Path = NETWORK_JSON) -> Path:
    """plan.json of a clean network instance (solved once per process)."""
    folder = _cached(f"nplan-{instance.name}", lambda t: _quiet(
        ["network", "solve", str(instance), "--out", str(t)]))
    return folder / "plan.json"


def _variant_plan(key: str, mutate: Callable[[dict[str, Any]], None]) -> tuple[Path, Path]:
    """A variant of valid_small.json (e.g. another instance) and its plan, made once."""
    def make(target: Path) -> None:
        target.mkdir()
        data = json.loads(NETWORK_JSON.read_text())
        mutate(data)
        inst = _write_json(target / "variant.json", data)
        _quiet(["network", "solve", str(inst), "--out", str(target / "plan")])
    folder = _cached(f"nvariant-{key}", make)
    return folder / "variant.json", folder / "plan" / "plan.json"


def _renamed_customer(data: dict[str, Any]) -> None:
    data["name"] = "other"
    data["customers"][0]["id"] = "C9"
    for row in data["demand"]:
        if row["customer"] == "C1":
            row["customer"] = "C9"


def _no_coordinates(data: dict[str, Any]) -> None:
    data["name"] = "nocoords"
    for table in ("customers", "facilities", "suppliers"):
        for rec in data[table]:
            rec.pop("x", None)
            rec.pop("y", None)
    data["transport"] = {"outbound_per_unit": 0.2}
    data.pop("lanes", None)
    data["network_policy"] = {"min_open": 1, "max_open": 2}


def _closed_f2(data: dict[str, Any]) -> None:
    """Another plan of the same network: F3 forced shut (customers change DC)."""
    data["facilities"][2]["status"] = "must_close"
    data["sizes"] = []
    data["facilities"][2].update(capacity=400.0, fixed_cost=1100.0)


def same_network(variant: Path, clean: Path) -> Callable[[], list[str]]:
    """Post-check: ``variant`` reads as exactly the clean network instance."""
    return same_instance("network", variant, clean)


def _files_in(out: Path, wanted: list[str], unwanted: list[str]) -> Callable[[], list[str]]:
    def post() -> list[str]:
        return ([f"{out} has no {n}" for n in wanted if not (out / n).exists()]
                + [f"{out} holds {n}" for n in unwanted if (out / n).exists()])
    return post


# --------------------------------------------------------------------------- JSON values


def _json_values() -> Iterator[Case]:
    """Bad values per table and field of valid_small.json, through solve and convert (every
    value) and check / plot (a sample: the same reader)."""
    fields: list[tuple[str, int | None, str, bool]] = [
        # (table, index, field, may the value be a negative number?)
        ("products", 0, "unit_weight", False), ("facilities", 0, "capacity", False),
        ("facilities", 0, "fixed_cost", False), ("facilities", 0, "handling_cost", False),
        ("facilities", 1, "closing_cost", False), ("facilities", 0, "x", True),
        ("sizes", 0, "capacity", False), ("sizes", 1, "fixed_cost", False),
        ("customers", 0, "y", True), ("demand", 0, "quantity", False),
        ("demand", 4, "shortage_penalty", False), ("suppliers", 0, "onboarding_cost", False),
        ("suppliers", 1, "x", True), ("offers", 0, "unit_price", False),
        ("offers", 1, "capacity", False), ("price_breaks", 0, "min_quantity", False),
        ("transport", None, "outbound_per_unit", False),
        ("transport", None, "inbound_per_weight_km", False),
        ("transport", None, "detour_factor", False), ("lanes", 1, "max_volume", False),
        ("lanes", 1, "cost_per_unit", False), ("network_policy", None, "min_open", False),
        ("network_policy", None, "max_open", False),
        ("network_policy", None, "max_service_km", False),
        ("policy", None, "max_supplier_share", False),
    ]
    values: list[Any] = [True, False, math.nan, math.inf, -math.inf, 1e308, "12abc", ""]
    mutations: list[tuple[str, int | None, str, Any, tuple[int, ...]]] = []
    for table, index, fld, negative_ok in fields:
        for value in values:
            if value is False and fld in ("x", "y"):
                continue
            mutations.append((table, index, fld, value, (2,)))
        if not negative_ok:
            mutations.append((table, index, fld, -1, (2,)))
    mutations += [
        # a JSON 1 for true is read as true, as sourcing reads ``whole_units: 1``
        ("lanes", 0, "forbidden", 1, (0, 2)), ("lanes", 0, "forbidden", "yes", (0, 2)),
        ("lanes", 0, "forbidden", math.nan, (2,)),
        ("network_policy", None, "single_sourcing", 1, (0, 2)),
        ("network_policy", None, "single_sourcing", "maybe", (2,)),
        ("network_policy", None, "min_open", 1.5, (2,)),
        ("network_policy", None, "max_open", 0, (2, 3)),
        ("network_policy", None, "service_level_share", 0.5, (2,)),  # without its km
        ("network_policy", None, "service_level_share", 1.5, (2,)),
        ("network_policy", None, "budget", math.nan, (2,)),
        ("transport", None, "detour_factor", 0.5, (2,)),
        ("facilities", 0, "status", "open", (2,)), ("facilities", 0, "status", "", (2,)),
        ("facilities", 0, "status", 1, (2,)), ("facilities", 0, "status", None, (0, 2)),
        ("facilities", 0, "capacity_unit", "kg", (2,)),
        ("facilities", 0, "capacity_unit", "volume", (2,)),  # no product has unit_volume
        ("facilities", 0, "closing_cost", 50.0, (0, 2)),  # a candidate's closing cost
        ("facilities", 2, "capacity", 100.0, (2,)),  # capacity beside its sizes rows
        ("customers", 0, "lat", 52.0, (2,)),  # lat beside x/y
        ("facilities", 0, "id", "", (2,)), ("customers", 1, "id", None, (2,)),
        ("customers", 1, "id", 7, (0, 2)), ("products", 0, "id", True, (2,)),
        ("demand", 0, "customer", "ZZ", (2,)), ("demand", 0, "product", "NOPE", (2,)),
        ("sizes", 0, "facility", "F9", (2,)), ("sizes", 0, "facility", "F1", (2,)),
        ("lanes", 0, "origin", "NOWHERE", (2,)), ("lanes", 0, "origin", "C1", (2,)),
        ("lanes", 1, "product", "NOPE", (2,)), ("offers", 0, "supplier", "S9", (2,)),
        ("offers", 0, "product", "P9", (2,)), ("price_breaks", 0, "product", "P9", (2,)),
        ("facilities", 1, "id", "F1", (2,)), ("customers", 0, "id", "F1", (2,)),
        ("suppliers", 0, "id", "C2", (2,)), ("products", 1, "id", "P1", (2,)),
        ("facilities", 0, "surprise", 1, (2,)), ("demand", 0, "quantity", "60", (0, 2)),
        ("demand", 0, "quantity", [60], (2,)), ("demand", 0, "quantity", {"v": 60}, (2,)),
        ("customers", 0, "x", "10", (0, 2)), ("customers", 0, "x", None, (2,)),
    ]
    sample = {True, 1e308}

    def apply(data: dict[str, Any], table: str, index: int | None, fld: str,
              value: Any) -> None:
        data.setdefault(table, {} if index is None else [])
        record = data[table] if index is None else data[table][index]
        record[fld] = value

    commands = ("solve", "convert", "check", "plot")
    for table, index, fld, value, expect in mutations:
        for command in commands:
            if command in ("check", "plot") and not any(
                    value is s or (isinstance(value, float) and value == s) for s in sample):
                continue
            if command in ("check", "plot") and expect != (2,):
                continue

            def build(d: Path, table=table, index=index, fld=fld, value=value, expect=expect,
                      command=command) -> Run:
                data = json.loads(NETWORK_JSON.read_text())
                apply(data, table, index, fld, value)
                inst = _write_json(d / "bad.json", data)
                out = {"solve": d / "out", "convert": d / "out.json", "plot": d / "map.png"}
                argv = {
                    "solve": ["network", "solve", str(inst), "--out", str(d / "out")],
                    "convert": ["network", "convert", str(inst), str(d / "out.json")],
                    "check": ["network", "check", str(inst), str(network_plan())],
                    "plot": ["network", "plot", str(inst), str(network_plan()), "--out",
                             str(d / "map.png")],
                }[command]
                # a mutation read as valid by solve may make the plan fail the check
                exp = expect + ((5,) if command == "check" and 0 in expect else ())
                # a refusal names the file and the field (docs: file: record: field: message)
                # (an unknown or wrong-kind reference: the id it gives)
                refs = ("customer", "product", "facility", "supplier", "origin", "destination")
                names = (("bad.json", str(value)) if fld in refs
                         else ("bad.json",) if fld == "id" else ("bad.json", fld))
                return Run(argv, exp, names, (inst,), out.get(command),
                           complete="plan.json" if command == "solve" else None)
            where = table if index is None else f"{table}.{index}"
            yield Case(f"network-{command}/json-value/{where}.{fld}={value!r}",
                       "network: JSON values per table and field", build)

    # Whole tables of the wrong shape, missing, empty or unknown.
    shapes: list[tuple[str, Callable[[dict[str, Any]], None], tuple[int, ...]]] = [
        ("facilities-is-object", lambda x: x.update(facilities={"id": "F1"}), (2,)),
        ("demand-is-text", lambda x: x.update(demand="C1,P1,60"), (2,)),
        ("network_policy-is-list", lambda x: x.update(network_policy=[{"min_open": 1}]),
         (2,)),
        ("transport-is-list", lambda x: x.update(transport=[]), (2,)),
        ("transport-is-null", lambda x: x.update(transport=None), (0, 2)),
        ("no-facilities", lambda x: x.pop("facilities"), (2,)),
        ("empty-facilities", lambda x: x.update(facilities=[], sizes=[],
                                                lanes=x["lanes"][1:]), (2, 3)),
        ("no-customers", lambda x: x.pop("customers"), (2,)),
        ("no-demand", lambda x: x.pop("demand"), (2,)),
        ("empty-demand", lambda x: x.update(demand=[]), (0, 2)),
        ("no-products", lambda x: x.pop("products"), (2,)),
        ("unknown-table-scenarios", lambda x: x.update(scenarios=[]), (2,)),
        ("unknown-table-risk", lambda x: x.update(risk={"alpha": 0.9}), (2,)),
        ("facility-record-is-number", lambda x: x["facilities"].append(7), (2,)),
        ("demand-record-null", lambda x: x["demand"].append(None), (2,)),
        ("duplicate-demand-row", lambda x: x["demand"].append(dict(x["demand"][0])), (2,)),
        ("duplicate-size-row", lambda x: x["sizes"].append(dict(x["sizes"][0])), (2,)),
        ("duplicate-offer", lambda x: x["offers"].append(dict(x["offers"][0])), (2,)),
        ("duplicate-lane", lambda x: x["lanes"].append(dict(x["lanes"][1])), (0, 2)),
        ("lane-customer-to-facility", lambda x: x["lanes"].append(
            {"origin": "C1", "destination": "F1", "forbidden": True}), (2,)),
        ("lane-supplier-to-customer", lambda x: x["lanes"].append(
            {"origin": "S1", "destination": "C1", "cost_per_unit": 1}), (2,)),
        ("min_open>max_open", lambda x: x["network_policy"].update(min_open=3, max_open=1),
         (2, 3)),
        ("must_open-and-max_open-0", lambda x: (x["facilities"][0].update(
            status="must_open"), x["network_policy"].update(max_open=0)), (2, 3)),
        ("all-must_close", lambda x: [f.update(status="must_close")
                                      for f in x["facilities"]], (2, 3)),
        ("suppliers-without-offers", lambda x: x.update(offers=[], price_breaks=[]), (2, 3)),
        ("lat-91", lambda x: [r.update(lat=91.0, lon=10.0) for t in (
            "facilities", "customers", "suppliers") for r in x[t] if
            not (r.pop("x", None), r.pop("y", None))], (2,)),
        ("lon-200", lambda x: [r.update(lat=50.0, lon=200.0) for t in (
            "facilities", "customers", "suppliers") for r in x[t] if
            not (r.pop("x", None), r.pop("y", None))], (2,)),
        ("distances-negative", lambda x: x.update(distances=[
            {"origin": "F1", "destination": "C1", "km": -5}]), (2,)),
        ("distances-unknown-place", lambda x: x.update(distances=[
            {"origin": "F1", "destination": "ZZ", "km": 5}]), (2,)),
        ("distances-nan", lambda x: x.update(distances=[
            {"origin": "F1", "destination": "C1", "km": math.nan}]), (2,)),
        ("whole_units-with-fractional-demand", lambda x: (x["policy"].update(
            whole_units=True), x["demand"][0].update(quantity=60.5)), (2,)),
        ("weight-capacity-without-unit_weight", lambda x: (x["facilities"][0].update(
            capacity_unit="weight"), x["products"][1].pop("unit_weight")), (2,)),
        ("name-is-number", lambda x: x.update(name=5), (0, 2)),
        ("top-level-list", lambda x: None, (2,)),
    ]
    for how, mutate, expect in shapes:
        for command in ("solve", "convert"):
            def sbuild(d: Path, how=how, mutate=mutate, expect=expect, command=command) -> Run:
                data = json.loads(NETWORK_JSON.read_text())
                mutate(data)
                if how == "top-level-list":
                    data = [data]
                inst = _write_json(d / "bad.json", data)
                if command == "solve":
                    return Run(["network", "solve", str(inst), "--out", str(d / "out")],
                               expect, ("bad.json",), (inst,), d / "out")
                return Run(["network", "convert", str(inst), str(d / "out.json")],
                           tuple(c for c in expect if c != 3) or (0,), ("bad.json",), (inst,),
                           d / "out.json", complete=None)
            yield Case(f"network-{command}/json-shape/{how}",
                       "network: unknown references, duplicates, tables of the wrong shape",
                       sbuild)


# --------------------------------------------------------------------------- files and FIFOs


def _files() -> Iterator[Case]:
    """Unreadable instance files for every network command that reads one."""
    hows = ["empty", "truncated", "junk", "list", "null", "folder", "chmod000", "missing",
            "txt-suffix", "xlsx-text", "xlsx-junk-zip", "empty-folder", "folder-of-junk"]

    def write(how: str, d: Path) -> Path:
        text = NETWORK_JSON.read_text()
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

    for how in hows:
        for command in ("solve", "check", "convert", "plot", "compare"):
            if command in ("plot", "compare") and how not in ("truncated", "missing",
                                                              "folder-of-junk"):
                continue

            def build(d: Path, how=how, command=command) -> Run:
                inst = write(how, d)
                plan = str(network_plan())
                argv = {
                    "solve": ["network", "solve", str(inst), "--out", str(d / "out")],
                    "check": ["network", "check", str(inst), plan],
                    "convert": ["network", "convert", str(inst), str(d / "out.json")],
                    "plot": ["network", "plot", str(inst), plan, "--out", str(d / "map.png")],
                    "compare": ["network", "compare", str(inst), plan, plan, "--out",
                                str(d / "cmp.csv")],
                }[command]
                out = {"solve": d / "out", "convert": d / "out.json", "plot": d / "map.png",
                       "compare": d / "cmp.csv"}.get(command)
                inputs = (inst,) if os.path.lexists(inst) else ()
                return Run(argv, (2,), (inst.name,), inputs, out,
                           complete="plan.json" if command == "solve" else None)
            yield Case(f"network-{command}/file/{how}", "network: unreadable instance files",
                       build, skip=_is_root if how == "chmod000" else None)

    for encoding in ("utf-16", "utf-8-sig", "utf-32"):
        def ubuild(d: Path, encoding=encoding) -> Run:
            inst = d / "inst.json"
            inst.write_text(NETWORK_JSON.read_text(), encoding=encoding)
            return Run(["network", "convert", str(inst), str(d / "out.json")], (0, 2),
                       ("inst.json",), (inst,), d / "out.json", complete=None,
                       post=same_network(inst, NETWORK_JSON))
        yield Case(f"network-convert/file/{encoding}", "network: unreadable instance files",
                   ubuild)


def _fifos() -> Iterator[Case]:
    """A FIFO named like an instance, a plan or a table: refused, never waited on."""
    def make(what: str, d: Path) -> Run:
        clean = str(NETWORK_JSON)
        if what == "instance":
            fifo = _fifo(d / "inst.json")
            argv = ["network", "solve", str(fifo), "--out", str(d / "out")]
        elif what == "plan":
            fifo = _fifo(d / "plan.json")
            argv = ["network", "check", clean, str(fifo)]
        elif what == "compare-plan":
            fifo = _fifo(d / "plan.json")
            argv = ["network", "compare", clean, str(network_plan()), str(fifo)]
        elif what == "bench-file":
            fifo = _fifo(d / "cap41.txt")
            argv = ["network", "convert", str(fifo), str(d / "out.json"), "--format",
                    "orlib-cap"]
        else:
            folder = _copy(NETWORK_SMALL_FOLDER, d)
            (folder / "demand.csv").unlink()
            fifo = _fifo(folder / "demand.csv")
            argv = ["network", "convert", str(folder), str(d / "out.json")]
        return Run(argv, (2,), (fifo.name,), (), timeout=20.0)

    for what in ("instance", "plan", "compare-plan", "bench-file", "table"):
        yield Case(f"subprocess/network/fifo/{what}", "network: a FIFO named like an input",
                   lambda d, what=what: make(what, d), subprocess=True)


# --------------------------------------------------------------------------- CSV and Excel


def _csv_tables() -> Iterator[Case]:
    """The starter network as a CSV folder: misspelt files and columns, notes, blank rows,
    locale numbers, dialects, encodings, tables that are folders or missing."""
    def mutate(d: Path, how: str) -> tuple[Path, tuple[int, ...], tuple[str, ...]]:
        inst = _copy(NETWORK_FOLDER, d)
        demand = _rows(inst / "demand.csv")
        facilities = _rows(inst / "facilities.csv")
        npolicy = _rows(inst / "network_policy.csv")
        policy = _rows(inst / "policy.csv")
        q = demand[0].index("quantity")
        cap = facilities[0].index("capacity")
        share = npolicy[0].index("service_level_share")
        ok: tuple[tuple[int, ...], tuple[str, ...]] = ((0,), ())

        def bad(table: str, *more: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
            return (2,), (table, *more)
        expect, names = ok
        renames = {"Facilities.csv": ("facilities.csv", True),
                   "NETWORK_POLICY.csv": ("network_policy.csv", True),
                   "network-policy.csv": ("network_policy.csv", True),
                   "Network Policy.csv": ("network_policy.csv", True),
                   "facility.csv": ("facilities.csv", False),
                   "customer.csv": ("customers.csv", False),
                   "demands.csv": ("demand.csv", False),
                   "size.csv": ("sizes.csv", False),
                   "networkpolicy.csv": ("network_policy.csv", False),
                   "transports.csv": ("transport.csv", False)}
        if how.startswith("file:"):
            new = how.removeprefix("file:")
            old, fine = renames[new]
            (inst / old).rename(inst / new)
            return (inst, *((ok) if fine else bad(new)))
        if how.startswith("missing:"):
            (inst / how.removeprefix("missing:")).unlink()
            return inst, (2,), (how.removeprefix("missing:"),)
        if how.startswith("extra:"):
            name = how.removeprefix("extra:")
            (inst / name).write_text("remark\nask Anna about DC-HAM\n")
            return (inst, *(ok if name in ("notes.csv", "README.csv", "_scratch.csv")
                            else bad(name)))
        if how == "column:Capacity":
            facilities[0][cap] = "Capacity"
        elif how == "column: capacity ":
            facilities[0][cap] = " capacity "
        elif how == "column:capacty":
            facilities[0][cap] = "capacty"
            expect, names = bad("facilities.csv", "capacty")
        elif how == "column:qty":
            demand[0][q] = "qty"
            expect, names = bad("demand.csv", "qty")
        elif how == "column:_notes":
            facilities = [r + (["_notes"] if i == 0 else ["call Anna"])
                          for i, r in enumerate(facilities)]
        elif how == "column:Comment":
            facilities = [r + (["Comment"] if i == 0 else ["call Anna"])
                          for i, r in enumerate(facilities)]
            expect, names = bad("facilities.csv", "Comment")
        elif how == "two-names-for-one-column":
            demand = [[*r, r[q]] for r in demand]
            demand[0][-1] = "Quantity"
            expect, names = bad("demand.csv")
        elif how == "blank-line":
            demand.insert(3, [])
        elif how == "blank-commas":
            demand.insert(3, [""] * len(demand[0]))
        elif how == "trailing-blank":
            demand += [[""] * len(demand[0])] * 2
        elif how == "partial-row":
            demand.insert(3, ["Z-BERLIN-1"] + [""] * (len(demand[0]) - 1))
            expect, names = bad("demand.csv")
        elif how == "value-without-header":
            demand[2] = demand[2] + ["stray"]
            expect, names = bad("demand.csv")
        elif how == "thousands-comma":
            demand[1][q] = f"{float(demand[1][q]):,.0f}"
        elif how == "thousands-space":
            demand[1][q] = f"{float(demand[1][q]):,.0f}".replace(",", " ")
        elif how == "thousands-nbsp":
            demand[1][q] = f"{float(demand[1][q]):,.0f}".replace(",", "\u00a0")
        elif how == "percent":
            npolicy[1][share] = f"{float(npolicy[1][share]) * 100:g}%"
            policy[1][0] = f"{float(policy[1][0]) * 100:g}%"
        elif how == "percent-over-100":
            npolicy[1][share] = "170%"
            expect, names = bad("network_policy.csv")
        elif how == "decimal-comma-in-comma-csv":
            facilities[1][facilities[0].index("handling_cost")] = "0,14"
            expect, names = bad("facilities.csv")
        elif how == "word-number":
            demand[1][q] = "nine thousand"
            expect, names = bad("demand.csv")
        elif how == "empty-required":
            demand[1][q] = ""
            expect, names = bad("demand.csv")
        elif how == "formula-text":
            demand[1][q] = "=9000"
            expect, names = bad("demand.csv")
        elif how in ("nan", "inf", "1e308", "-5", "TRUE"):
            demand[1][q] = how
            expect, names = bad("demand.csv")
        elif how == "status-spaced-capitalised":
            facilities[1][facilities[0].index("status")] = " Candidate "
            expect = (0, 2)
        elif how == "status-bogus":
            facilities[1][facilities[0].index("status")] = "maybe"
            expect, names = bad("facilities.csv")
        elif how == "single_sourcing-yes":
            npolicy[1][npolicy[0].index("single_sourcing")] = "yes"
            expect = (0, 2)
        elif how == "single_sourcing-2":
            npolicy[1][npolicy[0].index("single_sourcing")] = "2"
            expect, names = bad("network_policy.csv")
        elif how == "two-policy-rows":
            npolicy.append(list(npolicy[1]))
            expect, names = bad("network_policy.csv")
        elif how == "unknown-demand-customer":
            demand[1][0] = "Z-NOWHERE"
            expect, names = bad("demand.csv", "Z-NOWHERE")
        elif how == "duplicate-customer":
            customers = _rows(inst / "customers.csv")
            customers.append(list(customers[1]))
            _write_rows(inst / "customers.csv", customers)
            expect, names = bad("customers.csv")
        elif how == "size-of-unknown-dc":
            sizes = _rows(inst / "sizes.csv")
            sizes[1][0] = "DC-NOWHERE"
            _write_rows(inst / "sizes.csv", sizes)
            expect, names = bad("sizes.csv", "DC-NOWHERE")
        _write_rows(inst / "demand.csv", demand)
        _write_rows(inst / "facilities.csv", facilities)
        _write_rows(inst / "network_policy.csv", npolicy)
        _write_rows(inst / "policy.csv", policy)
        if how == "semicolon-with-dot-decimals":  # docs: '13.405' is ambiguous there
            for table in inst.glob("*.csv"):
                _write_rows(table, _rows(table), delimiter=";")
            expect, names = bad("customers.csv", "13.405")
        elif how == "decimal-comma-in-semicolon-csv":
            for table in inst.glob("*.csv"):
                rows = _rows(table)
                rows = [rows[0]] + [[c.replace(".", ",") if _is_number(c) else c for c in r]
                                    for r in rows[1:]]
                _write_rows(table, rows, delimiter=";")
        elif how == "tab":
            for table in inst.glob("*.csv"):
                _write_rows(table, _rows(table), delimiter="\t")
        elif how == "crlf":
            for table in inst.glob("*.csv"):
                table.write_bytes(table.read_bytes().replace(b"\n", b"\r\n"))
        elif how == "bom":
            for table in inst.glob("*.csv"):
                table.write_text(table.read_text(), encoding="utf-8-sig")
        elif how == "utf-16":
            (inst / "demand.csv").write_text((inst / "demand.csv").read_text(),
                                             encoding="utf-16")
        elif how == "latin-1":
            text = (inst / "customers.csv").read_text().replace("zone 1", "zone \u00e9", 1)
            (inst / "customers.csv").write_bytes(text.encode("latin-1"))
            expect, names = bad("customers.csv")
        elif how == "table-is-folder":
            (inst / "demand.csv").unlink()
            (inst / "demand.csv").mkdir()
            expect, names = bad("demand.csv")
        elif how == "table-chmod000":
            (inst / "demand.csv").chmod(0)
            expect, names = bad("demand.csv")
        elif how == "table-empty-file":
            (inst / "demand.csv").write_text("")
            expect, names = bad("demand.csv")
        elif how == "header-only-demand":
            (inst / "demand.csv").write_text(",".join(demand[0]) + "\n")
            expect, names = (0, 2), ("demand.csv",)
        elif how == "binary-table":
            (inst / "facilities.csv").write_bytes(bytes(range(256)))
            expect, names = bad("facilities.csv")
        elif how == "hidden-and-lock-files":
            (inst / ".demand.csv").write_text("junk\n")
            (inst / "~$demand.csv").write_text("junk\n")
        elif how == "two-names-for-one-table":
            shutil.copy(inst / "sizes.csv", inst / "Sizes.csv")
            expect, names = bad("izes")
        return inst, expect, names

    hows = [f"file:{n}" for n in ("Facilities.csv", "NETWORK_POLICY.csv", "network-policy.csv",
                                  "Network Policy.csv", "facility.csv", "customer.csv",
                                  "demands.csv", "size.csv", "networkpolicy.csv",
                                  "transports.csv")]
    hows += [f"missing:{n}" for n in ("facilities.csv", "customers.csv", "demand.csv",
                                      "products.csv")]
    hows += [f"extra:{n}" for n in ("notes.csv", "README.csv", "_scratch.csv", "remarks.csv",
                                    "lane.csv")]
    hows += ["column:Capacity", "column: capacity ", "column:capacty", "column:qty",
             "column:_notes", "column:Comment", "two-names-for-one-column", "blank-line",
             "blank-commas", "trailing-blank", "partial-row", "value-without-header",
             "thousands-comma", "thousands-space", "thousands-nbsp", "percent",
             "percent-over-100", "decimal-comma-in-comma-csv", "word-number",
             "empty-required", "formula-text", "nan", "inf", "1e308", "-5", "TRUE",
             "status-spaced-capitalised", "status-bogus", "single_sourcing-yes",
             "single_sourcing-2", "two-policy-rows", "unknown-demand-customer",
             "duplicate-customer", "size-of-unknown-dc", "semicolon-with-dot-decimals",
             "decimal-comma-in-semicolon-csv", "tab", "crlf", "bom", "utf-16", "latin-1",
             "table-is-folder", "table-chmod000", "table-empty-file", "header-only-demand",
             "binary-table", "hidden-and-lock-files", "two-names-for-one-table"]
    for how in hows:
        def build(d: Path, how=how) -> Run:
            inst, expect, names = mutate(d, how)
            return Run(["network", "convert", str(inst), str(d / "out.json")], expect, names,
                       (inst,), d / "out.json", complete=None,
                       post=None if how in ("header-only-demand",) else
                       same_network(inst, NETWORK_FOLDER))
        yield Case(f"network-convert/csv/{how}", _csv_class(how), build,
                   skip=_is_root if how == "table-chmod000" else None)

    # A few through solve (the tiny fixture folder): a refusal before any solve, and a read.
    for how, expect in (("missing-demand", (2,)), ("blank-row", (0,)), ("thousands", (2,)),
                        ("semicolon", (0,)), ("misspelt-column", (2,))):
        def sbuild(d: Path, how=how, expect=expect) -> Run:
            inst = _copy(NETWORK_SMALL_FOLDER, d)
            demand = _rows(inst / "demand.csv")
            names: tuple[str, ...] = ("demand.csv",)
            if how == "missing-demand":
                (inst / "demand.csv").unlink()
            elif how == "blank-row":
                demand.insert(2, [""] * len(demand[0]))
            elif how == "thousands":
                demand[1][2] = "60,000,0"
            elif how == "misspelt-column":
                demand[0][2] = "quantitiy"
                names = ("demand.csv", "quantitiy")
            if how != "missing-demand":
                _write_rows(inst / "demand.csv", demand)
            if how == "semicolon":
                for table in inst.glob("*.csv"):
                    _write_rows(table, _rows(table), delimiter=";")
            out = d / "out"
            return Run(["network", "solve", str(inst), "--out", str(out)], expect, names,
                       (inst,), out, post=same_network_cost(out))
        yield Case(f"network-solve/csv/{how}", _csv_class(how), sbuild)


def small_workbook() -> Path:
    """valid_small as a workbook (converted once per process)."""
    return _cached("valid_small.xlsx", lambda t: _quiet(
        ["network", "convert", str(NETWORK_JSON), str(t)]))


def _xlsx_solves() -> Iterator[Case]:
    """A few solves from a workbook: a blank row and renamed sheets read, a formula without
    a value and a misspelt sheet refused before solving."""
    for how, expect in (("clean", (0,)), ("blank-row", (0,)), ("Facilities-sheet", (0,)),
                        ("formula-no-value", (2,)), ("facility-sheet", (2,))):
        def build(d: Path, how=how, expect=expect) -> Run:
            import openpyxl

            book = _copy(small_workbook(), d)
            wb = openpyxl.load_workbook(book)
            names: tuple[str, ...] = ("valid_small.xlsx",)
            if how == "blank-row":
                wb["demand"].insert_rows(3)
            elif how in ("Facilities-sheet", "facility-sheet"):
                wb["facilities"].title = "renaming"
                wb["renaming"].title = how.removesuffix("-sheet")
                names += (how.removesuffix("-sheet"),)
            elif how == "formula-no-value":
                wb["demand"].cell(2, 3, "=30*2")
                names += ("demand",)
            wb.save(book)
            out = d / "out"
            return Run(["network", "solve", str(book), "--out", str(out)], expect, names,
                       (book,), out, post=same_network_cost(out))
        yield Case(f"network-solve/xlsx/{how}", "network: bad cells in CSV and Excel", build)


def same_network_cost(out: Path) -> Callable[[], list[str]]:
    """Post-check: the plan costs what valid_small's plan costs."""
    def post() -> list[str]:
        want = json.loads(network_plan().read_text())["cost"]["total"]
        got = json.loads((out / "plan.json").read_text())["cost"]["total"]
        return [] if math.isclose(got, want, rel_tol=1e-9) else [
            f"plan cost {got:,.2f}, the clean instance's plan costs {want:,.2f}"]
    return post


def _csv_class(how: str) -> str:
    if how.startswith(("file:", "missing", "extra:", "two-names-for-one-table")):
        return "network: misnamed, missing or extra tables"
    if how.startswith("column") or how == "two-names-for-one-column":
        return "network: misnamed columns"
    if how.startswith(("blank", "trailing", "partial", "value-without")):
        return "network: blank and partial rows"
    if how.startswith(("thousands", "percent", "decimal", "word")) or how == "semicolon":
        return "network: locale numbers and CSV dialects"
    if how in ("tab", "crlf", "bom", "utf-16", "latin-1"):
        return "network: locale numbers and CSV dialects"
    if how.startswith("table") or how in ("binary-table", "header-only-demand",
                                          "hidden-and-lock-files"):
        return "network: table files that are folders, unreadable, empty or missing"
    return "network: bad cells in CSV and Excel"


def _xlsx() -> Iterator[Case]:
    """The starter workbook: renamed/extra/missing sheets, blank rows, text numbers, formulas
    without values, a stray far cell, dates, errors, booleans."""
    def mutate(d: Path, how: str) -> tuple[Path, tuple[int, ...], tuple[str, ...]]:
        import datetime

        import openpyxl

        book = _copy(NETWORK_XLSX, d)
        wb = openpyxl.load_workbook(book)
        demand, facilities, npolicy = wb["demand"], wb["facilities"], wb["network_policy"]
        head = [c.value for c in demand[1]]
        q = head.index("quantity") + 1
        expect: tuple[int, ...] = (0,)
        names: tuple[str, ...] = ("starter.xlsx",)
        if how.startswith("sheet:"):
            old, new = how.removeprefix("sheet:").split("->")
            wb[old].title = "renaming"
            wb["renaming"].title = new
            fine = new.strip().lower().replace(" ", "_") == old
            expect, names = ((0,), ()) if fine else ((2,), ("starter.xlsx", new.strip()))
        elif how == "blank-row":
            demand.insert_rows(4)
        elif how == "blank-rows-end":
            demand.cell(demand.max_row + 3, 1, None)
            demand.cell(demand.max_row + 5, 2, "")
        elif how == "header-below-blank-rows":
            demand.insert_rows(1, 2)
        elif how == "partial-row":
            demand.insert_rows(4)
            demand.cell(4, 1, "Z-BERLIN-1")
            expect = (2,)
        elif how == "text-thousands":
            demand.cell(2, q, f"{demand.cell(2, q).value:,.0f}")
        elif how == "text-number":
            demand.cell(2, q, str(demand.cell(2, q).value))
        elif how == "text-percent":
            col = [c.value for c in npolicy[1]].index("service_level_share") + 1
            npolicy.cell(2, col, f"{npolicy.cell(2, col).value * 100:g}%")
        elif how == "formula-no-value":
            demand.cell(2, q, "=4500*2")
            expect = (2,)
        elif how == "formula-capacity":
            col = [c.value for c in facilities[1]].index("capacity") + 1
            facilities.cell(2, col, "=1600000")
            expect = (2,)
        elif how == "stray-far-cell":
            demand.cell(1048576, 1, "x")
            expect = (2,)
        elif how == "stray-far-column":
            demand.cell(2, 16384, "x")
            expect = (2,)
        elif how == "bool-quantity":
            demand.cell(2, q, True)
            expect = (2,)
        elif how == "huge":
            demand.cell(2, q, 1e308)
            expect = (2,)
        elif how == "date-cell":
            demand.cell(2, q, datetime.datetime(2024, 1, 2))
            expect = (2,)
        elif how == "error-cell":
            demand.cell(2, q, "#DIV/0!")
            expect = (2,)
        elif how == "extra-sheet":
            wb.create_sheet("remarks").cell(1, 1, "ask Anna")
            expect, names = (2,), ("starter.xlsx", "remarks")
        elif how == "notes-sheet":
            wb.create_sheet("Notes").cell(1, 1, "ask Anna")
        elif how == "underscore-sheet":
            wb.create_sheet("_scratch").cell(1, 1, "ask Anna")
        elif how.startswith("missing-sheet:"):
            del wb[how.removeprefix("missing-sheet:")]
            expect, names = (2,), ("starter.xlsx", how.removeprefix("missing-sheet:"))
        elif how == "hidden-header-space":
            demand.cell(1, q, "quantity ")
        elif how == "misspelt-column":
            demand.cell(1, q, "quantiy")
            expect, names = (2,), ("starter.xlsx", "quantiy")
        elif how == "number-ids":
            customers = wb["customers"]
            col = [c.value for c in customers[1]].index("id") + 1
            old = customers.cell(2, col).value
            customers.cell(2, col, 12345)
            for row in demand.iter_rows(min_row=2):
                if row[0].value == old:
                    row[0].value = 12345
            expect, names = (0, 2), ("starter.xlsx",)
        wb.save(book)
        return book, expect, names

    hows = ["sheet:facilities->Facilities", "sheet:network_policy->Network Policy",
            "sheet:sizes-> sizes ", "sheet:facilities->facility", "sheet:demand->Sheet1",
            "sheet:network_policy->policy2", "blank-row", "blank-rows-end",
            "header-below-blank-rows", "partial-row", "text-thousands", "text-number",
            "text-percent", "formula-no-value", "formula-capacity", "stray-far-cell",
            "stray-far-column", "bool-quantity", "huge", "date-cell", "error-cell",
            "extra-sheet", "notes-sheet", "underscore-sheet", "missing-sheet:facilities",
            "missing-sheet:demand", "hidden-header-space", "misspelt-column", "number-ids"]
    for how in hows:
        def build(d: Path, how=how) -> Run:
            book, expect, names = mutate(d, how)
            post = None if how == "number-ids" else same_network(book, NETWORK_XLSX)
            return Run(["network", "convert", str(book), str(d / "out.json")], expect, names,
                       (book,), d / "out.json", complete=None, post=post)
        klass = ("network: formula cells without values" if how.startswith("formula")
                 else "network: stray cells (Excel row 1,048,576)" if how.startswith("stray")
                 else "network: misnamed, missing or extra tables" if "sheet" in how
                 else "network: bad cells in CSV and Excel")
        yield Case(f"network-convert/xlsx/{how}", klass, build)


# --------------------------------------------------------------------------- outputs


def _outputs() -> Iterator[Case]:
    """--out under a file, too long, read-only, an existing file, a FIFO, an empty string;
    over the input; stale files of an earlier run."""
    commands = ["network-solve", "network-convert", "network-convert-csv", "network-generate",
                "network-plot", "network-compare"]
    targets = {"network-convert": "out.xlsx", "network-convert-csv": "out",
               "network-generate": "gen.json", "network-plot": "map.png",
               "network-compare": "cmp.csv", "network-solve": "out"}

    def argv_for(command: str, inst: Path, out: Path) -> list[str]:
        plan = str(network_plan())
        return {
            "network-solve": ["network", "solve", str(inst), "--out", str(out)],
            "network-convert": ["network", "convert", str(inst), str(out)],
            "network-convert-csv": ["network", "convert", str(inst), str(out)],
            "network-generate": ["network", "generate", "--out", str(out), "--suppliers", "2",
                                 "--facilities", "3", "--customers", "5", "--products", "1"],
            "network-plot": ["network", "plot", str(inst), plan, "--out", str(out)],
            "network-compare": ["network", "compare", str(inst), plan, plan, "--out",
                                str(out)],
        }[command]

    for command in commands:
        folder_out = command in ("network-solve", "network-convert-csv")
        complete = "plan.json" if command == "network-solve" else None
        for how in ("under-a-file", "name-too-long", "read-only", "existing-file",
                    "existing-folder-for-file", "existing-fifo", "empty-string"):
            if how == "existing-fifo" and folder_out:
                continue
            if how == "existing-folder-for-file" and folder_out:
                continue
            if how == "existing-file" and not folder_out:
                continue

            def build(d: Path, command=command, how=how, complete=complete) -> Run:
                inst = _copy(NETWORK_JSON, d)
                name = targets[command]
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
                    out = d / name
                    out.write_text("my notes\n")
                    names = (name,)
                elif how == "existing-fifo":
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
                argv = argv_for(command, inst, out)
                if how == "empty-string":
                    argv = ["" if a == "." else a for a in argv]
                return Run(argv, (2,), names, (inst,), None if how == "empty-string" else out,
                           complete=complete,
                           timeout=20.0 if how == "existing-fifo" else None)
            yield Case(f"{command}/out/{how}", "network: read-only, full or invalid --out",
                       build, skip=_is_root if how == "read-only" else None)

    # --out over the input itself.
    overs: list[tuple[str, str]] = [
        ("network-solve", "equals-input-folder"), ("network-solve", "holds-input-file"),
        ("network-solve", "holds-input-folder"), ("network-solve", "inside-input-folder"),
        ("network-convert-csv", "equals-input-folder"),
        ("network-convert-csv", "holds-input-file"), ("network-convert", "equals-input-file"),
        ("network-convert", "same-file-other-spelling"),
        ("network-plot", "equals-plan-file"), ("network-plot", "equals-instance-file"),
        ("network-compare", "equals-plan-a"), ("network-compare", "equals-instance-file"),
    ]
    for command, how in overs:
        def obuild(d: Path, command=command, how=how) -> Run:
            if how == "equals-input-folder":
                inst = _copy(NETWORK_SMALL_FOLDER, d)
                out = inst
            elif how == "holds-input-file":
                out = d / "work"
                out.mkdir()
                inst = _copy(NETWORK_JSON, out)
            elif how == "holds-input-folder":
                out = d / "work"
                out.mkdir()
                inst = _copy(NETWORK_SMALL_FOLDER, out)
            elif how == "inside-input-folder":
                inst = _copy(NETWORK_SMALL_FOLDER, d)
                out = inst / "plan"
            elif how == "equals-input-file":
                inst = _copy(NETWORK_JSON, d)
                out = inst
            elif how == "same-file-other-spelling":
                inst = _copy(NETWORK_JSON, d)
                (d / "sub").mkdir()
                out = d / "sub" / ".." / inst.name
            elif how in ("equals-plan-file", "equals-plan-a"):
                inst = _copy(NETWORK_JSON, d)
                out = _copy(network_plan(), d)
            else:  # equals-instance-file
                inst = _copy(NETWORK_JSON, d)
                out = inst
            if command == "network-plot":
                plan = out if how == "equals-plan-file" else network_plan()
                argv = ["network", "plot", str(inst), str(plan), "--out", str(out)]
            elif command == "network-compare":
                plan_a = out if how == "equals-plan-a" else network_plan()
                argv = ["network", "compare", str(inst), str(plan_a), str(network_plan()),
                        "--out", str(out)]
            else:
                argv = argv_for(command, inst, out)
            expect = (0, 2) if how == "inside-input-folder" else (2,)
            inputs: tuple[Path, ...] = ((tuple(inst.glob("*.csv")) if how ==
                                         "inside-input-folder" else (inst,))
                                        + ((out,) if out.is_file() else ()))
            return Run(argv, expect, (out.name,), inputs, None, complete=None)
        yield Case(f"{command}/out/{how}", "network: --out over the input", obuild)

    def stale(d: Path) -> Run:
        inst = _copy(NETWORK_JSON, d)
        out = d / "out"
        _quiet(["network", "solve", str(inst), "--out", str(out)])
        names = ["network.png", "explanation.csv", "frontier.png", "points/07/plan.json"]
        written = ["network.png"]
        for name in names:
            if not (out / name).exists():
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_text("from an earlier run\n")
        return Run(["network", "solve", str(inst), "--out", str(out)], (0,), (), (inst,), out,
                   post=stale_gone(out, [n for n in names if n not in written]))
    yield Case("network-solve/out/stale-files-of-an-earlier-run",
               "network: read-only, full or invalid --out", stale)

    def foreign(d: Path) -> Run:
        inst = _copy(NETWORK_JSON, d)
        out = d / "out"
        out.mkdir()
        (out / "thesis.docx").write_text("mine")
        return Run(["network", "solve", str(inst), "--out", str(out)], (2,), ("out",), (inst,),
                   out)
    yield Case("network-solve/out/folder-of-other-files",
               "network: read-only, full or invalid --out", foreign)

    def over_sourcing(d: Path) -> Run:
        inst = _copy(NETWORK_JSON, d)
        out = d / "out"
        shutil.copytree(sourcing_plan().parent, out)
        return Run(["network", "solve", str(inst), "--out", str(out)], (0, 2), ("out",),
                   (inst,), out, post=_files_in(out, ["plan.json", "network.png"],
                                                ["allocations.csv"]))
    yield Case("network-solve/out/over-a-sourcing-result",
               "network: read-only, full or invalid --out", over_sourcing)

    def full_disk(d: Path) -> Run:
        inst = _copy(NETWORK_JSON, d)
        return Run(["network", "solve", str(inst), "--out", str(d / "out")], (6,), ("out",),
                   (inst,), d / "out", file_size_limit=2000)
    yield Case("subprocess/network-solve/full-disk", "network: read-only, full or invalid --out",
               full_disk, subprocess=True)


# --------------------------------------------------------------------------- plans


def _plans() -> Iterator[Case]:
    """Plans given to ``network check``: tampered numbers (the checker names the rule),
    NaN/inf, broken files, a plan of another instance or problem."""
    def tamper(plan: dict[str, Any], how: str) -> str | None:
        """Apply ``how``; return the rule code the checker must name (None: any)."""
        flows = plan["flows"]
        out_flow = next(f for f in flows if f["echelon"] == "outbound")
        in_flow = next(f for f in flows if f["echelon"] == "inbound")
        open_dc = next(f for f in plan["facilities"] if f["open"])
        closed_dc = next(f for f in plan["facilities"] if not f["open"])
        if how == "cost.total+1":
            plan["cost"]["total"] += 1
            return "cost"
        if how.startswith("cost.total="):
            plan["cost"]["total"] = float(how.split("=")[1])
            return None
        if how == "cost.outbound-1":
            plan["cost"]["outbound"] -= 1
            return "cost"
        if how == "cost.facility_fixed=0":
            plan["cost"]["facility_fixed"] = 0.0
            return "cost"
        if how == "outbound.quantity+1":
            out_flow["quantity"] += 1
            return None
        if how == "inbound.quantity+5":
            in_flow["quantity"] += 5
            return None
        if how.startswith("outbound.quantity="):
            out_flow["quantity"] = float(how.split("=")[1])
            return None
        if how == "outbound.quantity=-1":
            out_flow["quantity"] = -1.0
            return "negative_flow"
        if how == "outbound.quantity-true":
            out_flow["quantity"] = True
            return None
        if how == "outbound.quantity-text":
            out_flow["quantity"] = "fifty"
            return None
        if how == "outbound.cost+1":
            out_flow["cost"] += 1
            return "cost"
        if how == "outbound.km+1":
            out_flow["km"] += 1
            return "flow_figures"
        if how == "flow-to-unknown-customer":
            out_flow["destination"] = "ZZ"
            return "unknown_place"
        if how == "flow-unknown-product":
            out_flow["product"] = "NOPE"
            return "unknown_product"
        if how == "flow-customer-to-dc":
            out_flow["origin"], out_flow["destination"] = out_flow["destination"], \
                out_flow["origin"]
            return "bad_lane"
        if how == "flow-on-forbidden-lane":
            out_flow["origin"], out_flow["destination"] = "F1", "C2"
            return None
        if how == "flow-removed":
            flows.remove(out_flow)
            return None
        if how == "flow-duplicated":
            flows.append(dict(out_flow))
            return None
        if how == "dc-closed-with-flow":
            open_dc["open"] = False
            return None
        if how == "closed-dc-opened":
            closed_dc["open"] = True
            return None
        if how == "dc-size-bogus":
            open_dc["size"] = "XXL"
            return None
        if how == "dc-throughput+1":
            open_dc["throughput"] += 1
            return "facility_figures"
        if how == "dc-utilisation=nan":
            open_dc["utilisation"] = math.nan
            return None
        if how == "facility-row-removed":
            plan["facilities"].remove(closed_dc)
            return None
        if how == "purchase.quantity+1":
            plan["purchases"][0]["quantity"] += 1
            return None
        if how == "purchase.unit_price-0.5":
            plan["purchases"][0]["unit_price"] -= 0.5
            return None
        if how == "purchase-unknown-supplier":
            plan["purchases"][0]["supplier"] = "S9"
            return None
        if how == "customer.cost_to_serve+1":
            plan["customers"][0]["cost_to_serve"] += 1
            return None
        if how == "customer.facilities-wrong":
            plan["customers"][0]["facilities"] = "F1"
            return "customer_figures"
        if how == "shortage-invented":
            plan["shortages"].append({"customer": "C1", "product": "P1", "quantity": 1.0,
                                      "penalty": 0.0})
            return None
        if how == "status-optimal-gap-50%":
            plan["solve"]["gap"] = 0.5
            plan["solve"]["best_bound"] = plan["solve"]["objective"] / 2
            return "solve"
        if how == "objective+1":
            plan["solve"]["objective"] += 1
            return None
        if how == "objective=nan":
            plan["solve"]["objective"] = math.nan
            return None
        if how == "bound-above-objective":
            plan["solve"]["best_bound"] = plan["solve"]["objective"] + 10
            return None
        if how == "status-bogus":
            plan["solve"]["status"] = "excellent"
            return None
        if how == "status-infeasible":
            plan["solve"]["status"] = "infeasible"
            return None
        if how == "no-flows-key":
            del plan["flows"]
            return None
        if how == "flows-is-object":
            plan["flows"] = {"a": 1}
            return None
        if how == "instance-renamed":
            plan["instance"] = "someone-else"
            return None
        raise ValueError(how)

    hows = ["cost.total+1", "cost.total=nan", "cost.total=inf", "cost.total=-inf",
            "cost.outbound-1", "cost.facility_fixed=0", "outbound.quantity+1",
            "inbound.quantity+5", "outbound.quantity=nan", "outbound.quantity=inf",
            "outbound.quantity=1e308", "outbound.quantity=-1", "outbound.quantity-true",
            "outbound.quantity-text", "outbound.cost+1", "outbound.km+1",
            "flow-to-unknown-customer", "flow-unknown-product", "flow-customer-to-dc",
            "flow-on-forbidden-lane", "flow-removed", "flow-duplicated", "dc-closed-with-flow",
            "closed-dc-opened", "dc-size-bogus", "dc-throughput+1", "dc-utilisation=nan",
            "facility-row-removed", "purchase.quantity+1", "purchase.unit_price-0.5",
            "purchase-unknown-supplier", "customer.cost_to_serve+1",
            "customer.facilities-wrong", "shortage-invented", "status-optimal-gap-50%",
            "objective+1", "objective=nan", "bound-above-objective", "status-bogus",
            "status-infeasible", "no-flows-key", "flows-is-object", "instance-renamed"]
    invalid = {"status-bogus", "outbound.quantity-text", "flows-is-object"}
    either = {"outbound.quantity-true", "no-flows-key", "facility-row-removed",
              "instance-renamed", "outbound.quantity=-1"}
    for how in hows:
        def build(d: Path, how=how) -> Run:
            plan = json.loads(network_plan().read_text())
            rule = tamper(plan, how)
            path = _write_json(d / "plan.json", plan)
            expect: tuple[int, ...] = ((2,) if how in invalid else (2, 5) if (
                "nan" in how or "inf" in how or how in either) else (5,))
            if how == "instance-renamed":
                expect = (0, 2, 5)
            return Run(["network", "check", str(NETWORK_JSON), str(path)], expect,
                       ("plan.json",), (path, NETWORK_JSON),
                       mentions=(rule,) if rule and expect == (5,) else ())
        klass = ("network: NaN/inf in plans given to check" if "nan" in how or "inf" in how
                 else "network: tampered plans")
        yield Case(f"network-check/plan/{how}", klass, build)

    files = [("truncated", (2,)), ("empty", (2,)), ("list", (2,)), ("null", (2,)),
             ("utf-16", (0, 2)), ("missing", (2,)), ("folder-without-plan", (2,)),
             ("folder-with-plan", (0,)), ("sourcing-plan", (2,)), ("routing-plan", (2,)),
             ("other-instance", (2, 5)), ("plan-is-folder", (2,)),
             ("chmod000", (2,)), ("junk", (2,)), ("flows-csv-given", (2,))]
    for how, expect in files:
        def fbuild(d: Path, how=how, expect=expect) -> Run:
            text = network_plan().read_text()
            path = d / "plan.json"
            if how == "truncated":
                path.write_text(text[: len(text) // 2])
            elif how == "empty":
                path.write_text("")
            elif how == "list":
                path.write_text("[]")
            elif how == "null":
                path.write_text("null")
            elif how == "utf-16":
                path.write_text(text, encoding="utf-16")
            elif how == "folder-without-plan":
                path = d / "results"
                path.mkdir()
                (path / "flows.csv").write_text("echelon,origin,destination\n")
            elif how == "folder-with-plan":
                path = d / "results"
                shutil.copytree(network_plan().parent, path)
            elif how == "sourcing-plan":
                shutil.copy(sourcing_plan(), path)
            elif how == "routing-plan":
                shutil.copy(routing_plan(), path)
            elif how == "other-instance":
                shutil.copy(_variant_plan("renamed", _renamed_customer)[1], path)
            elif how == "infeasible-plan":
                shutil.copy(infeasible_plan(), path)
            elif how == "plan-is-folder":
                path.mkdir()
            elif how == "chmod000":
                path.write_text(text)
                path.chmod(0)
            elif how == "junk":
                path.write_bytes(b"\xff\xfe\x00garbage\x00" * 50)
            elif how == "flows-csv-given":
                path = _copy(network_plan().parent / "flows.csv", d)
            inputs = (path,) if os.path.lexists(path) else ()
            return Run(["network", "check", str(NETWORK_JSON), str(path)], expect,
                       (path.name,), (*inputs, NETWORK_JSON))
        yield Case(f"network-check/plan-file/{how}", "network: unreadable or foreign plans",
                   fbuild, skip=_is_root if how == "chmod000" else None)


def infeasible_plan() -> Path:
    """plan.json of the infeasible fixture (solve exits 3 and still writes it)."""
    def make(target: Path) -> None:
        code, output = _in_process(["network", "solve", str(NETWORK_INFEASIBLE), "--out",
                                    str(target)], 120.0)
        if code != 3 or not (target / "plan.json").exists():
            raise RuntimeError(f"infeasible fixture -> {code}: {output[-400:]}")
    return _cached("nplan-infeasible", make) / "plan.json"


def _compare() -> Iterator[Case]:
    """``network compare``: two plans of one network, a plan of another, plans without a
    solution, tampered or broken plans."""
    def build_for(how: str) -> Callable[[Path], Run]:
        def build(d: Path) -> Run:
            inst = NETWORK_JSON
            a = network_plan()
            b = network_plan()
            expect: tuple[int, ...] = (0,)
            names: tuple[str, ...] = ()
            mentions: tuple[str, ...] = ()
            out = d / "cmp.csv"
            post: Callable[[], list[str]] | None = None
            if how == "same-plan-twice":
                pass
            elif how == "two-plans-of-one-network":
                b = _variant_plan("closed-f3", _closed_f2)[1]
                b = _copy(b, d, "other.json")
                post = _compare_rows(out, wanted_section="customer")
            elif how == "plan-folders":
                a = b = network_plan().parent
            elif how == "plan-of-another-instance":
                b = _copy(_variant_plan("renamed", _renamed_customer)[1], d, "other.json")
                expect, names = (2,), ("other.json",)
            elif how == "infeasible-plan":
                b = _copy(infeasible_plan(), d, "inf.json")
                expect, names = (2,), ("inf.json",)
            elif how == "sourcing-plan":
                b = _copy(sourcing_plan(), d, "sourcing.json")
                expect, names = (2,), ("sourcing.json",)
            elif how == "tampered-plan":
                plan = json.loads(a.read_text())
                plan["cost"]["total"] += 1
                b = _write_json(d / "tampered.json", plan)
                mentions = ("fails the checker",)
            elif how == "nan-plan":
                plan = json.loads(a.read_text())
                plan["cost"]["total"] = math.nan
                b = _write_json(d / "nan.json", plan)
                expect, names = (0, 2), ("nan.json",)
            elif how == "truncated-plan":
                b = d / "cut.json"
                b.write_text(a.read_text()[:300])
                expect, names = (2,), ("cut.json",)
            elif how == "missing-plan":
                b = d / "nothere.json"
                expect, names = (2,), ("nothere.json",)
            elif how == "other-instance-argument":
                inst = _variant_plan("renamed", _renamed_customer)[0]
                expect, names = (2,), ("plan.json",)
            elif how == "no-out":
                out = None  # type: ignore[assignment]
            argv = ["network", "compare", str(inst), str(a), str(b)]
            if out is not None:
                argv += ["--out", str(out)]
            inputs = tuple(p for p in (a, b) if os.path.lexists(p))
            return Run(argv, expect, names, inputs, out, complete=None, post=post,
                       mentions=mentions)
        return build

    for how in ("same-plan-twice", "two-plans-of-one-network", "plan-folders",
                "plan-of-another-instance", "infeasible-plan", "sourcing-plan",
                "tampered-plan", "nan-plan", "truncated-plan", "missing-plan",
                "other-instance-argument", "no-out"):
        yield Case(f"network-compare/{how}", "network: compare with mismatched plans",
                   build_for(how))


def _compare_rows(out: Path, wanted_section: str) -> Callable[[], list[str]]:
    def post() -> list[str]:
        rows = _rows(out)
        if not rows or rows[0][:3] != ["section", "item", "field"]:
            return [f"{out.name}: header {rows[:1]}"]
        if not any(r[0] == wanted_section for r in rows[1:]):
            return [f"{out.name} has no '{wanted_section}' rows for two different plans"]
        return []
    return post


# --------------------------------------------------------------------------- round trips, ids


def _round_trips() -> Iterator[Case]:
    """convert between every form and back (nothing split or rewritten); odd ids."""
    sources = [NETWORK_JSON, NETWORK_SMALL_FOLDER, NETWORK_XLSX, NETWORK_FOLDER,
               NETWORK_STARTER_JSON]
    for source in sources:
        for target in ("out.json", "out", "out.xlsx"):
            if source.suffix == ".json" and target == "out.json":
                continue
            def build(d: Path, source=source, target=target) -> Run:
                out = d / target
                posts = [round_trip("network", source, out)]
                if target.endswith(".xlsx"):
                    posts.append(no_formulas(out))
                return Run(["network", "convert", str(source), str(out)], (0,), (), (source,),
                           out, complete=None,
                           post=lambda posts=posts: [p for f in posts for p in f()])
            yield Case(f"network-convert/round-trip/{source.name}->{target}",
                       "network: convert round trips", build)

    weird = ["A;B", "A,B", "=1+1", "+SUM(1)", "@cmd", " F1", "F1 ", "A\"B", "TRUE", "00123",
             "1e3", "nan", "\U0001F600", "e\u0301", "X" * 500]
    for ident in weird:
        for where in ("facility", "customer", "product"):
            for form, target in (("csv", "out"), ("excel", "out.xlsx")):
                def ibuild(d: Path, ident=ident, where=where, target=target) -> Run:
                    data = json.loads(NETWORK_JSON.read_text())
                    rename(data, where, ident)
                    inst = _write_json(d / "ids.json", data)
                    out = d / target
                    posts = [round_trip("network", inst, out)]
                    if target.endswith(".xlsx"):
                        posts.append(no_formulas(out))
                    return Run(["network", "convert", str(inst), str(out)], (0, 2),
                               ("ids.json",), (inst,), out, complete=None,
                               post=lambda posts=posts: [p for f in posts for p in f()])
                yield Case(f"network-convert/{where}-id/{ident!r}->{form}",
                           "network: ids with ',' / ';' / leading '='", ibuild)


def rename(data: dict[str, Any], where: str, ident: str) -> None:
    """Rename F3 / C2 / P2 everywhere in a valid_small dict."""
    old = {"facility": "F3", "customer": "C2", "product": "P2"}[where]
    table = {"facility": "facilities", "customer": "customers", "product": "products"}[where]
    for rec in data[table]:
        if rec["id"] == old:
            rec["id"] = ident
    for name in ("sizes", "demand", "offers", "price_breaks", "lanes"):
        for rec in data.get(name, []):
            for key in ("facility", "customer", "product", "origin", "destination"):
                if rec.get(key) == old:
                    rec[key] = ident


# --------------------------------------------------------------------------- plot, options


def _plot_and_options() -> Iterator[Case]:
    """plot without coordinates, the solve without a map; options out of range; generate;
    infeasible and forced-status networks."""
    def no_coords_plot(d: Path) -> Run:
        inst, plan = _variant_plan("nocoords", _no_coordinates)
        return Run(["network", "plot", str(inst), str(plan), "--out", str(d / "map.png")],
                   (2,), (inst.name,), (inst, plan), d / "map.png", complete=None)
    yield Case("network-plot/plan-without-coordinates", "network: plot and maps",
               no_coords_plot)

    def no_coords_solve(d: Path) -> Run:
        data = json.loads(NETWORK_JSON.read_text())
        _no_coordinates(data)
        inst = _write_json(d / "nocoords.json", data)
        out = d / "out"
        return Run(["network", "solve", str(inst), "--out", str(out)], (0,), (), (inst,), out,
                   post=_files_in(out, ["plan.json", "flows.csv"], ["network.png"]),
                   mentions=("network.png",))
    yield Case("network-solve/without-coordinates-writes-no-map", "network: plot and maps",
               no_coords_solve)

    def some_coords(d: Path) -> Run:
        data = json.loads(NETWORK_JSON.read_text())
        data["customers"][0].pop("x")
        data["customers"][0].pop("y")
        data["distances"] = [{"origin": f, "destination": "C1", "km": 20.0}
                             for f in ("F1", "F2", "F3")]
        inst = _write_json(d / "partial.json", data)
        return Run(["network", "plot", str(inst), str(network_plan()), "--out",
                    str(d / "map.png")], (2,), ("partial.json",), (inst,), d / "map.png",
                   complete=None)
    yield Case("network-plot/one-customer-without-coordinates", "network: plot and maps",
               some_coords)

    def bench_plot(d: Path) -> Run:
        path = d / "cap1.txt"
        path.write_text(ORLIB_CAP)
        _quiet(["network", "solve", str(path), "--format", "orlib-cap", "--out",
                str(d / "plan")])
        return Run(["network", "plot", str(path), str(d / "plan"), "--format", "orlib-cap",
                    "--out", str(d / "map.png")], (2,), ("cap1.txt",), (path,),
                   d / "map.png", complete=None)
    yield Case("network-plot/orlib-cap-plan-without-coordinates", "network: plot and maps",
               bench_plot)

    def plot_ok(d: Path) -> Run:
        out = d / "map.png"
        return Run(["network", "plot", str(NETWORK_JSON), str(network_plan()), "--out",
                    str(out)], (0,), (), (NETWORK_JSON,), out, complete=None,
                   post=lambda: [] if out.read_bytes()[:4] == b"\x89PNG" else ["not a PNG"])
    yield Case("network-plot/clean", "network: plot and maps", plot_ok)

    def plot_other(d: Path) -> Run:
        plan = _copy(_variant_plan("renamed", _renamed_customer)[1], d, "other.json")
        return Run(["network", "plot", str(NETWORK_JSON), str(plan), "--out",
                    str(d / "map.png")], (2,), ("other.json",), (plan,), d / "map.png",
                   complete=None)
    yield Case("network-plot/plan-of-another-instance", "network: plot and maps", plot_other)

    def plot_sourcing(d: Path) -> Run:
        plan = _copy(sourcing_plan(), d, "sourcing.json")
        return Run(["network", "plot", str(NETWORK_JSON), str(plan), "--out",
                    str(d / "map.png")], (2,), ("sourcing.json",), (plan,), d / "map.png",
                   complete=None)
    yield Case("network-plot/sourcing-plan", "network: plot and maps", plot_sourcing)

    options: list[tuple[str, list[str], tuple[int, ...], tuple[str, ...]]] = [
        ("--time-limit=0", ["--time-limit", "0"], (2,), ("--time-limit",)),
        ("--time-limit=-1", ["--time-limit", "-1"], (2,), ("--time-limit",)),
        ("--time-limit=nan", ["--time-limit", "nan"], (2,), ("--time-limit",)),
        ("--time-limit=inf", ["--time-limit", "inf"], (0, 2), ("--time-limit",)),
        ("--time-limit=1e308", ["--time-limit", "1e308"], (0, 2), ("--time-limit",)),
        ("--gap=1.5", ["--gap", "1.5"], (2,), ("--gap",)),
        ("--gap=nan", ["--gap", "nan"], (2,), ("--gap",)),
        ("--gap=-0.1", ["--gap", "-0.1"], (2,), ("--gap",)),
        ("--threads=0", ["--threads", "0"], (2,), ("--threads",)),
        ("--method=bogus", ["--method", "bogus"], (2,), ("--method",)),
        ("--method=facility-location-on-a-network", ["--method", "facility-location"], (2,),
         ("facility-location",)),
        ("--format=csv-on-a-json", ["--format", "csv"], (2,), ("valid_small.json",)),
        ("--format=xlsx-on-a-json", ["--format", "xlsx"], (2,), ("valid_small.json",)),
        ("--format=orlib-cap-on-a-json", ["--format", "orlib-cap"], (2,),
         ("valid_small.json",)),
        ("--format=holmberg-on-a-json", ["--format", "holmberg"], (2,),
         ("valid_small.json",)),
        ("--capacity-on-a-json", ["--capacity", "100"], (2,), ("--capacity",)),
        ("--solver=cbc", ["--solver", "cbc"], (0,), ()),
        ("--method=milp", ["--method", "milp"], (0,), ()),
        ("--json", ["--json"], (0,), ()),
        ("--seed=-1", ["--seed", "-1"], (0, 2), ()),
    ]
    for name, extra, expect, names in options:
        def obuild(d: Path, extra=extra, expect=expect, names=names) -> Run:
            out = d / "out"
            return Run(["network", "solve", str(NETWORK_JSON), "--out", str(out), *extra],
                       expect, names, (NETWORK_JSON,), out,
                       post=same_network_cost(out) if expect == (0,) else None)
        yield Case(f"network-solve/option/{name}", "network: options out of range", obuild)

    gens: list[tuple[str, list[str], tuple[int, ...]]] = [
        ("--suppliers=1", ["--suppliers", "1"], (2,)),
        ("--suppliers=-1", ["--suppliers", "-1"], (2,)),
        ("--facilities=2", ["--facilities", "2"], (2,)),
        ("--customers=0", ["--customers", "0"], (2,)),
        ("--products=0", ["--products", "0"], (2,)),
        ("--seed=-1", ["--seed", "-1"], (2,)),
        ("--customers=abc", ["--customers", "abc"], (2,)),
    ]
    for name, extra, expect in gens:
        def gbuild(d: Path, extra=extra, expect=expect) -> Run:
            out = d / "gen.json"
            return Run(["network", "generate", "--out", str(out), "--facilities", "3",
                        "--customers", "5", "--products", "1", *extra], expect, (), (), out,
                       complete=None)
        yield Case(f"network-generate/option/{name}", "network: options out of range", gbuild)

    for form, name in (("json", "gen.json"), ("csv", "gen"), ("xlsx", "gen.xlsx")):
        for rules in ("--rules", "--no-rules"):
            def tbuild(d: Path, name=name, rules=rules) -> Run:
                gen = d / name
                _quiet(["network", "generate", "--out", str(gen), "--suppliers", "2",
                        "--facilities", "3", "--customers", "6", "--products", "2",
                        "--seed", "3", rules])
                _quiet(["network", "solve", str(gen), "--out", str(d / "first"),
                        "--time-limit", "20"])
                return Run(["network", "check", str(gen), str(d / "first")], (0,), (), (gen,))
            yield Case(f"network-generate/then-solve-and-check/{form}{rules}",
                       "network: generate, solve, check", tbuild)

    def schema(d: Path) -> Run:
        return Run(["network", "schema"], (0,), (), ())
    yield Case("network-schema/prints", "network: generate, solve, check", schema)

    def infeasible(d: Path) -> Run:
        inst = _copy(NETWORK_INFEASIBLE, d)
        out = d / "out"
        return Run(["network", "solve", str(inst), "--out", str(out)], (3,), (), (inst,), out,
                   complete="plan.json")
    yield Case("network-solve/infeasible-fixture", "network: generate, solve, check",
               infeasible)

    def infeasible_written(d: Path) -> Run:
        plan = _copy(infeasible_plan(), d)
        return Run(["network", "check", str(NETWORK_INFEASIBLE), str(plan)], (0, 5), (),
                   (plan,))
    yield Case("network-check/the-infeasible-plan-on-its-instance",
               "network: generate, solve, check", infeasible_written)

    def too_much_demand(d: Path) -> Run:
        data = json.loads(NETWORK_JSON.read_text())
        data["demand"][0]["quantity"] = 5000.0
        inst = _write_json(d / "big.json", data)
        return Run(["network", "solve", str(inst), "--out", str(d / "out")], (3,), (),
                   (inst,), d / "out", complete="plan.json")
    yield Case("network-solve/demand-above-every-capacity", "network: generate, solve, check",
               too_much_demand)


# --------------------------------------------------------------------------- benchmarks


def _benchmarks() -> Iterator[Case]:
    """--format orlib-cap / holmberg on small files written in the case's folder."""
    def orlib(how: str) -> tuple[str, list[str], tuple[int, ...]]:
        text, extra, expect = ORLIB_CAP, [], (2,)
        lines = text.splitlines()
        if how == "clean":
            expect = (0,)
        elif how == "capa-with-capacity":
            text, extra, expect = ORLIB_CAPA, ["--capacity", "150"], (0,)
        elif how == "capa-without-capacity":
            text = ORLIB_CAPA
        elif how == "capacity-on-a-numeric-file":
            extra = ["--capacity", "150"]
        elif how in ("capacity=nan", "capacity=-5", "capacity=inf", "capacity=0",
                     "capacity=abc"):
            text, extra = ORLIB_CAPA, ["--capacity", how.split("=")[1]]
            expect = (0, 2, 3) if how == "capacity=0" else (2,)  # 0: no DC can serve
        elif how == "mixed-number-and-word":
            text = text.replace("100 500", "capacity 500")
            extra = ["--capacity", "150"]
        elif how == "non-number":
            text = text.replace("25 15 35", "25 1x5 35")
        elif how == "nan-token":
            text = text.replace("25 15 35", "25 nan 35")
        elif how == "inf-token":
            text = text.replace("25 15 35", "25 inf 35")
        elif how == "huge-cost":
            text = text.replace("25 15 35", "25 1e308 35")
            expect = (0, 2)
        elif how == "demand-0":
            text = text.replace("\n40\n", "\n0\n")
        elif how == "demand-negative":
            text = text.replace("\n40\n", "\n-40\n")
        elif how == "negative-capacity":
            text = text.replace("100 500", "-100 500")
        elif how == "truncated":
            text = "\n".join(lines[:-2]) + "\n"
        elif how == "surplus-number":
            text = text + "7\n"
        elif how == "empty":
            text = ""
        elif how == "header-only":
            text = "3 4\n"
        elif how == "header-one-number":
            text = "3\n" + "\n".join(lines[1:]) + "\n"
        elif how == "zero-facilities":
            text = "0 4\n30\n40\n20\n50\n"
        elif how == "zero-customers":
            text = "3 0\n100 500\n120 600\n80 400\n"
        elif how == "fractional-header":
            text = "2.5 4\n" + "\n".join(lines[1:]) + "\n"
        elif how == "binary":
            text = "\x00\x01\x02 junk"
        elif how == "holmberg-file-as-orlib":
            text = HOLMBERG
        elif how == "capacity-below-demand":
            text = text.replace("100 500", "10 500").replace("120 600", "10 600").replace(
                "80 400", "10 400")
            expect = (3,)
        return text, extra, expect

    ohows = ["clean", "capa-with-capacity", "capa-without-capacity",
             "capacity-on-a-numeric-file", "capacity=nan", "capacity=-5", "capacity=inf",
             "capacity=0", "capacity=abc", "mixed-number-and-word", "non-number", "nan-token",
             "inf-token", "huge-cost", "demand-0", "demand-negative", "negative-capacity",
             "truncated", "surplus-number", "empty", "header-only", "header-one-number",
             "zero-facilities", "zero-customers", "fractional-header", "binary",
             "capacity-below-demand"]
    for how in ohows:
        for verb in ("convert", "solve"):
            if verb == "solve" and how not in ("clean", "capa-with-capacity",
                                               "capa-without-capacity", "truncated",
                                               "capacity-below-demand", "huge-cost",
                                               "capacity=0"):
                continue
            if verb == "convert" and how == "capacity-below-demand":
                continue
            def build(d: Path, how=how, verb=verb) -> Run:
                text, extra, expect = orlib(how)
                path = d / "cap1.txt"
                path.write_text(text)
                names = ("--capacity",) if how == "capacity=abc" else ("cap1.txt",)
                if verb == "convert":
                    expect = tuple(c for c in expect if c != 3) or (0,)
                    return Run(["network", "convert", str(path), str(d / "out.json"),
                                "--format", "orlib-cap", *extra], expect, names,
                               (path,), d / "out.json", complete=None)
                return Run(["network", "solve", str(path), "--format", "orlib-cap", "--out",
                            str(d / "out"), *extra],
                           (2, 3) if how == "capacity=0" else expect,
                           names, (path,), d / "out")
            cls = ("network: benchmark files, clean" if how in ("clean", "capa-with-capacity")
                   else "network: malformed OR-Library / Holmberg files")
            yield Case(f"network-{verb}/orlib-cap/{how}", cls, build)

    def holmberg(how: str) -> tuple[str, list[str], tuple[int, ...]]:
        text, extra, expect = HOLMBERG, [], (2,)
        lines = text.splitlines()
        if how == "clean":
            expect = (0,)
        elif how == "with-capacity":
            extra = ["--capacity", "100"]
        elif how == "truncated":
            text = "\n".join(lines[:-1]) + "\n"
        elif how == "surplus-number":
            text += "9\n"
        elif how == "non-number":
            text = text.replace("25 15 35", "25 x 35")
        elif how == "nan-token":
            text = text.replace("25 15 35", "25 nan 35")
        elif how == "demand-0":
            text = text.replace("30 40 20 50", "30 0 20 50")
        elif how == "negative-capacity":
            text = text.replace("100 120 80", "100 -120 80")
        elif how == "header-mismatch":
            text = "4 4\n" + "\n".join(lines[1:]) + "\n"
        elif how == "empty":
            text = ""
        elif how == "capa-word":
            text = text.replace("100 120 80", "capacity capacity capacity")
        return text, extra, expect

    for how in ("clean", "with-capacity", "truncated", "surplus-number", "non-number",
                "nan-token", "demand-0", "negative-capacity", "header-mismatch", "empty",
                "capa-word"):
        for verb in ("convert", "solve"):
            if verb == "solve" and how not in ("clean", "truncated", "with-capacity"):
                continue
            def hbuild(d: Path, how=how, verb=verb) -> Run:
                text, extra, expect = holmberg(how)
                path = d / "p1.txt"
                path.write_text(text)
                if verb == "convert":
                    return Run(["network", "convert", str(path), str(d / "out.json"),
                                "--format", "holmberg", *extra], expect, ("p1.txt",), (path,),
                               d / "out.json", complete=None)
                return Run(["network", "solve", str(path), "--format", "holmberg", "--out",
                            str(d / "out"), *extra], expect, ("p1.txt",), (path,), d / "out")
            cls = ("network: benchmark files, clean" if how == "clean"
                   else "network: malformed OR-Library / Holmberg files")
            yield Case(f"network-{verb}/holmberg/{how}", cls, hbuild)

    def undetected(d: Path) -> Run:
        path = d / "cap1.txt"
        path.write_text(ORLIB_CAP)
        return Run(["network", "solve", str(path), "--out", str(d / "out")], (2,),
                   ("cap1.txt", "--format"), (path,), d / "out")
    yield Case("network-solve/orlib-cap/without---format",
               "network: malformed OR-Library / Holmberg files", undetected)

    def bench_folder(d: Path) -> Run:
        folder = _copy(NETWORK_SMALL_FOLDER, d)
        return Run(["network", "convert", str(folder), str(d / "out.json"), "--format",
                    "orlib-cap"], (2,), ("valid_small",), (folder,), d / "out.json",
                   complete=None)
    yield Case("network-convert/orlib-cap/a-csv-folder",
               "network: malformed OR-Library / Holmberg files", bench_folder)

    def bench_check(d: Path) -> Run:
        path = d / "cap1.txt"
        path.write_text(ORLIB_CAP)
        _quiet(["network", "solve", str(path), "--format", "orlib-cap", "--out",
                str(d / "plan")])
        plan = json.loads((d / "plan" / "plan.json").read_text())
        plan["cost"]["total"] += 1
        tampered = _write_json(d / "tampered.json", plan)
        return Run(["network", "check", str(path), str(tampered), "--format", "orlib-cap"],
                   (5,), (), (path, tampered), mentions=("cost",))
    yield Case("network-check/orlib-cap/tampered-plan", "network: tampered plans", bench_check)

    for how in ("two-capacities", "capacity-on-a-numeric-file"):
        def bench_compare(d: Path, how=how) -> Run:
            path = d / "cap1.txt"
            path.write_text(ORLIB_CAPA)
            for value in ("150", "400"):
                _quiet(["network", "solve", str(path), "--format", "orlib-cap", "--capacity",
                        value, "--out", str(d / f"plan{value}")])
            argv = ["network", "compare", str(path), str(d / "plan150"), str(d / "plan400"),
                    "--format", "orlib-cap", "--capacity", "150", "--out", str(d / "cmp.csv")]
            expect: tuple[int, ...] = (0,)
            if how == "capacity-on-a-numeric-file":
                path.write_text(ORLIB_CAP)
                expect = (2,)
            return Run(argv, expect, ("cap1.txt",), (path,), d / "cmp.csv", complete=None)
        yield Case(f"network-compare/orlib-cap/{how}", "network: compare with mismatched plans",
                   bench_compare)

    def bench_roundtrip(d: Path) -> Run:
        path = d / "p1.txt"
        path.write_text(HOLMBERG)
        out = d / "p1.xlsx"
        return Run(["network", "convert", str(path), str(out), "--format", "holmberg"], (0,),
                   (), (path,), out, complete=None, post=_bench_round_trip(path, out))
    yield Case("network-convert/holmberg/to-xlsx-and-back", "network: convert round trips",
               bench_roundtrip)


def _bench_round_trip(path: Path, book: Path) -> Callable[[], list[str]]:
    def post() -> list[str]:
        first = _scratch("fuzz-nb-") / "a.json"
        _quiet(["network", "convert", str(path), str(first), "--format", "holmberg"])
        back = _scratch("fuzz-nb-") / "b.json"
        code, output = _in_process(["network", "convert", str(book), str(back)], 120.0)
        if code != 0:
            return [f"the workbook does not read back ({code}): {output[-300:]}"]
        a, b = json.loads(first.read_text()), json.loads(back.read_text())
        a.pop("name", None)
        b.pop("name", None)
        return [] if a == b else ["the round trip changed the instance"]
    return post


# --------------------------------------------------------------------------- floods, processes


def _floods_and_processes() -> Iterator[Case]:
    """Thousands of bad records (a capped listing); real processes."""
    def demand_json(d: Path) -> Run:
        data = json.loads(NETWORK_JSON.read_text())
        data["demand"] += [{"customer": f"X{i}", "product": "P1", "quantity": -1}
                           for i in range(5000)]
        inst = _write_json(d / "flood.json", data)
        return Run(["network", "convert", str(inst), str(d / "out.json")], (2,),
                   ("flood.json",), (inst,), d / "out.json", complete=None)
    yield Case("network-convert/5000-bad-demand-json", "network: floods of bad records",
               demand_json)

    def customers_csv(d: Path) -> Run:
        inst = _copy(NETWORK_SMALL_FOLDER, d)
        rows = _rows(inst / "customers.csv")
        rows += [["x", "y", f"Q{i}", ""] for i in range(5000)]
        _write_rows(inst / "customers.csv", rows)
        return Run(["network", "solve", str(inst), "--out", str(d / "out")], (2,),
                   ("customers.csv",), (inst,), d / "out")
    yield Case("network-solve/5000-bad-customers-csv", "network: floods of bad records",
               customers_csv)

    def truncated(d: Path) -> Run:
        inst = d / "inst.json"
        inst.write_text(NETWORK_JSON.read_text()[:100])
        return Run(["network", "solve", str(inst), "--out", str(d / "out")], (2,),
                   ("inst.json",), (inst,), d / "out")
    yield Case("subprocess/network-solve/truncated-json", "network: unreadable instance files",
               truncated, subprocess=True)

    def bad_bench(d: Path) -> Run:
        path = d / "cap1.txt"
        path.write_text(ORLIB_CAP.replace("25 15 35", "25 1x5 35"))
        return Run(["network", "solve", str(path), "--format", "orlib-cap", "--out",
                    str(d / "out")], (2,), ("cap1.txt",), (path,), d / "out")
    yield Case("subprocess/network-solve/malformed-orlib-cap",
               "network: malformed OR-Library / Holmberg files", bad_bench, subprocess=True)

    def clean(d: Path) -> Run:
        inst = _copy(NETWORK_JSON, d)
        return Run(["network", "solve", str(inst), "--out", str(d / "out")], (0,), (),
                   (inst,), d / "out")
    yield Case("subprocess/network-solve/clean", "network: generate, solve, check", clean,
               subprocess=True)


#: A network with the classic facility-location structure (one product, no suppliers): solve
#: takes the facility-location engine (--method auto), not the network MILP.
FACILITY_NETWORK: dict[str, Any] = {
    "name": "fl",
    "products": [{"id": "P"}],
    "facilities": [{"id": "F1", "x": 0, "y": 0, "capacity": 40, "fixed_cost": 10},
                   {"id": "F2", "x": 5, "y": 0, "capacity": 100, "fixed_cost": 20},
                   {"id": "F3", "x": 2, "y": 4, "capacity": 30, "fixed_cost": 5}],
    "customers": [{"id": "C1", "x": 1, "y": 1}, {"id": "C2", "x": 4, "y": 1},
                  {"id": "C3", "x": 2, "y": 3}],
    "demand": [{"customer": "C1", "product": "P", "quantity": 10},
               {"customer": "C2", "product": "P", "quantity": 20},
               {"customer": "C3", "product": "P", "quantity": 15}],
    "transport": {"outbound_per_unit_km": 1},
}


def _facility_structure() -> Iterator[Case]:
    """Edge values on the facility-location path (the engine the benchmarks use): zero and
    unlimited capacities, zero demand, forced statuses, single sourcing."""
    def set_(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
        def go(data: dict[str, Any]) -> None:
            table, index, fld = path.split(".")
            data[table][int(index)][fld] = value
        return go

    def sizes_zero(data: dict[str, Any]) -> None:
        f = data["facilities"][0]
        f.pop("capacity")
        f.pop("fixed_cost")
        data["sizes"] = [{"facility": "F1", "size": "none", "capacity": 0, "fixed_cost": 1},
                         {"facility": "F1", "size": "big", "capacity": 90, "fixed_cost": 30}]

    def all_zero_capacity(data: dict[str, Any]) -> None:
        for f in data["facilities"]:
            f["capacity"] = 0

    def all_zero_demand(data: dict[str, Any]) -> None:
        for row in data["demand"]:
            row["quantity"] = 0

    def close_all_but_f3(data: dict[str, Any]) -> None:
        data["facilities"][0]["status"] = "must_close"
        data["facilities"][1]["status"] = "must_close"

    def single(data: dict[str, Any]) -> None:
        data["network_policy"] = {"single_sourcing": True}

    def far(data: dict[str, Any]) -> None:
        data["network_policy"] = {"max_service_km": 0.5}

    def unlimited(data: dict[str, Any]) -> None:
        for f in data["facilities"]:
            f.pop("capacity")

    variants: list[tuple[str, Callable[[dict[str, Any]], None], tuple[int, ...]]] = [
        ("clean", lambda x: None, (0,)),
        ("one-dc-capacity-0", set_("facilities.0.capacity", 0), (0,)),
        ("a-size-with-capacity-0", sizes_zero, (0,)),
        ("every-dc-capacity-0", all_zero_capacity, (3,)),
        ("a-demand-of-0", set_("demand.0.quantity", 0), (0,)),
        ("every-demand-0", all_zero_demand, (0,)),
        ("fixed-cost-0", set_("facilities.1.fixed_cost", 0), (0,)),
        ("unlimited-capacities", unlimited, (0,)),
        ("must_open", set_("facilities.2.status", "must_open"), (0,)),
        ("existing-with-closing-cost", lambda x: x["facilities"][1].update(
            status="existing", closing_cost=7), (0,)),
        ("must_close-all-but-a-too-small-dc", close_all_but_f3, (3,)),
        ("single-sourcing", single, (0,)),
        ("service-distance-too-short", far, (3,)),
        ("shortage-penalty", set_("demand.1.shortage_penalty", 0.5), (0,)),
    ]
    for how, mutate, expect in variants:
        for method in ("auto", "facility-location"):
            def build(d: Path, mutate=mutate, expect=expect, method=method) -> Run:
                data = copy.deepcopy(FACILITY_NETWORK)
                mutate(data)
                inst = _write_json(d / "fl.json", data)
                out = d / "out"
                post = _checks_clean(inst, out) if expect == (0,) else None
                return Run(["network", "solve", str(inst), "--out", str(out), "--method",
                            method], expect + ((2,) if method != "auto" else ()), ("fl.json",),
                           (inst,), out, complete="plan.json", post=post)
            yield Case(f"network-solve/facility-structure/{how}/{method}",
                       "network: the facility-location engine at the edges", build)


def _checks_clean(inst: Path, out: Path) -> Callable[[], list[str]]:
    """Post-check: the written plan passes ``network check`` on its instance."""
    def post() -> list[str]:
        code, output = _in_process(["network", "check", str(inst), str(out)], 120.0)
        return [] if code == 0 else [f"the written plan fails the checker ({code}): "
                                     f"{output[-300:]}"]
    return post


def _generated_network() -> Path:
    """A generated network whose solve takes well over 5 s (for the signal cases)."""
    return _cached("ngen-10x15x300x4.json", lambda t: _quiet(
        ["network", "generate", "--out", str(t), "--suppliers", "10", "--facilities", "15",
         "--customers", "300", "--products", "4"]))


def _signals() -> Iterator[Case]:
    """Ctrl-C / SIGTERM / kill -9 during a solve that writes --out: exit 0 (the best plan so
    far, checked) or 130, the folder absent or complete, no worker left."""
    for sig, name, expect in ((signal.SIGINT, "SIGINT", (0, 130)),
                              (signal.SIGTERM, "SIGTERM", (0, 130)),
                              (signal.SIGKILL, "kill-9", (0, "killed by signal 9"))):
        def build(d: Path, sig=sig, expect=expect) -> Run:
            inst = _copy(_generated_network(), d, "gen.json")
            return Run(["network", "solve", str(inst), "--out", str(d / "out")], expect, (),
                       (inst,), d / "out", signal=sig, signal_after=5.0, timeout=60.0)
        yield Case(f"subprocess/network-solve/{name}", "network: signals and half-written "
                   "folders", build, subprocess=True)


def network_cases() -> list[Case]:
    """Every network case of the CI corpus."""
    return [*_json_values(), *_files(), *_fifos(), *_csv_tables(), *_xlsx(), *_xlsx_solves(),
            *_outputs(), *_plans(), *_compare(), *_round_trips(), *_plot_and_options(),
            *_benchmarks(), *_facility_structure(), *_floods_and_processes(), *_signals()]

