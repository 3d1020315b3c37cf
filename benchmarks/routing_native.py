"""The native routing suite: realistic delivery days in the project's own instance format.

``benchmarks/native/`` holds about two dozen days: most are made by the seeded generator
(``models.routing.generate_day``) and then edited here for what the generator lacks (two time
windows per stop, optional stops with low or high drop penalties, planar x/y coordinates, a user
matrix, a cold-chain skill, one speed for the whole fleet so PyVRP can take the day); the rest
are hand-written JSON files, each stressing one thing. :func:`build` re-creates every generated
file byte for byte (``python -m benchmarks.routing_native``); the hand-written files are kept as
they are.

Each instance has a reference: the cheapest plan either engine found in ``factor`` x the time
limit (``references.csv``, re-derived by :func:`derive_references`, ``python -m benchmarks
routing-references``). A run reports per instance the plan cost, the gap to that reference
(negative when better), unserved stops and whether there was a plan at all.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from models.routing import (
    PlanCheckError,
    RoutePlan,
    RoutingInstance,
    RoutingOptions,
    generate_day,
    plan_key,
    pyvrp_unsupported,
)
from models.solver import SolveStatus
from optimizer.formats.routing import read_routing_instance
from optimizer.routing_portfolio import solve_portfolio

NATIVE_DIR = Path(__file__).resolve().parent / "native"
REFERENCES = NATIVE_DIR / "references.csv"
REFERENCE_COLUMNS = ("instance", "reference_cost", "engine", "seconds", "derived_with", "unserved")
HOUR = 3600.0
EARTH_RADIUS_M = 6_371_008.8

Data = dict[str, Any]
Edit = Callable[[Data, np.random.Generator], None]


# ---------------------------------------------------------------------------------------------
# Edits applied to a generated day (on its JSON tables, before validation)


def _customers(data: Data) -> list[Data]:
    """Customer stops (not the pickup or returns-desk stop of a shipment)."""
    paired = {x for s in data.get("shipments", []) for x in (s["pickup"], s["delivery"])}
    return [s for s in data["stops"] if s["id"] not in paired]


def _pick(rng: np.random.Generator, rows: Sequence[Data], share: float) -> list[Data]:
    count = min(len(rows), round(share * len(rows)))
    chosen = sorted(int(i) for i in rng.choice(len(rows), size=count, replace=False))
    return [rows[i] for i in chosen]


def same_speed(data: Data, rng: np.random.Generator, speed_kmh: float = 26.0) -> None:
    """One speed and detour for every vehicle type and no skills: a day PyVRP can take."""
    for vt in data["vehicle_types"]:
        vt["speed_kmh"], vt["detour_factor"], vt["skills"] = speed_kmh, 1.35, []
    for stop in data["stops"]:
        stop["skills"] = []


def two_windows(data: Data, rng: np.random.Generator, share: float) -> None:
    """``share`` of the customers get a morning and an afternoon window (1.5-3 h each)."""
    for stop in _pick(rng, _customers(data), share):
        am = float(rng.uniform(8 * HOUR, 10 * HOUR))
        pm = float(rng.uniform(13 * HOUR, 15.5 * HOUR))
        am_w, pm_w = (float(w) for w in rng.uniform(1.5 * HOUR, 3 * HOUR, size=2))
        stop["time_windows"] = [
            {"start": round(am, -2), "end": round(am + am_w, -2)},
            {"start": round(pm, -2), "end": round(pm + pm_w, -2)},
        ]


def penalties(data: Data, rng: np.random.Generator, share: float, low: int, high: int) -> None:
    """``share`` of the customers that must be served become optional, with a drop penalty
    drawn from [low, high] (5-20: often cheaper than serving; 500-2000: worth a detour)."""
    required = [s for s in _customers(data) if s.get("drop_penalty") is None]
    for stop in _pick(rng, required, share):
        stop["drop_penalty"] = float(rng.integers(low, high + 1))


def cold_chain(data: Data, rng: np.random.Generator, share: float) -> None:
    """``share`` of the customers without skills need a refrigerated van (skill ``cold``);
    every depot gets such vans."""
    plain = [s for s in _customers(data) if not s.get("skills")]
    chosen = _pick(rng, plain, share)
    for stop in chosen:
        stop["skills"] = ["cold"]
    depots = [d["id"] for d in data["depots"]]
    count = max(1, math.ceil(len(chosen) / len(depots) / 12))
    for k, depot in enumerate(depots):
        data["vehicle_types"].append({
            "id": f"cold-van-{k + 1}", "count": count, "capacity": [800.0, 8.0],
            "fixed_cost": 80.0, "cost_per_km": 0.45, "cost_per_hour": 30.0,
            "start_depot": depot, "shift_start": 6 * HOUR, "shift_end": 18 * HOUR,
            "max_duration": 10 * HOUR, "speed_kmh": 28.0, "detour_factor": 1.35,
            "skills": ["cold"]})


def planar(data: Data, rng: np.random.Generator, seconds_per_metre: float) -> None:
    """Latitude/longitude become x/y metres around the first depot (Euclidean distances,
    ``seconds_per_metre`` travel time); hourly costs stay."""
    lat0, lon0 = data["depots"][0]["lat"], data["depots"][0]["lon"]
    east = 111_320.0 * math.cos(math.radians(lat0))
    for row in [*data["depots"], *data["stops"]]:
        lat, lon = row.pop("lat"), row.pop("lon")
        row["x"] = float(round((lon - lon0) * east))
        row["y"] = float(round((lat - lat0) * 110_574.0))
    data["distance"] = {"kind": "euclidean", "rounding": "real",
                        "time_per_distance": seconds_per_metre}


def user_matrix(data: Data, rng: np.random.Generator, asymmetry: float,
                speed_kmh: float = 26.0) -> None:
    """A user matrix over the distinct locations, as a routing service would return it:
    great circle x 1.35, times a random factor in [1, 1 + asymmetry] drawn per direction,
    and one edge in 30 a detour of 1.4-2 x (so the triangle inequality fails here and there);
    durations at ``speed_kmh`` times a congestion factor of 0.85-1.35 per edge. Whole metres
    and seconds. The fleet's speed fields are made equal (the matrix gives the times)."""
    places = [*data["depots"], *data["stops"]]
    spots: dict[tuple[float, float], int] = {}
    for row in places:
        row["matrix_index"] = spots.setdefault((row["lat"], row["lon"]), len(spots))
    lat = np.radians([p[0] for p in spots])
    lon = np.radians([p[1] for p in spots])
    h = (np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
         + np.cos(lat)[:, None] * np.cos(lat)[None, :]
         * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2)
    great = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    n = len(spots)
    factor = 1.0 + asymmetry * rng.random((n, n))
    detour = rng.random((n, n)) < 1 / 30
    factor[detour] *= rng.uniform(1.4, 2.0, size=int(detour.sum()))
    distances = np.rint(great * 1.35 * factor)
    durations = np.rint(distances / (speed_kmh / 3.6) * rng.uniform(0.85, 1.35, size=(n, n)))
    np.fill_diagonal(distances, 0.0)
    np.fill_diagonal(durations, 0.0)
    data["distance"] = {"kind": "matrix", "rounding": "real", "time_per_distance": 1.0}
    data["matrix"] = {"distances": distances.tolist(), "durations": durations.tolist()}
    for vt in data["vehicle_types"]:
        vt["speed_kmh"], vt["detour_factor"] = speed_kmh, 1.35


# ---------------------------------------------------------------------------------------------
# The generated days


@dataclass(frozen=True)
class Recipe:
    """One generated day: ``generate_day`` arguments, then edits (seeded from ``seed``)."""

    name: str
    day: dict[str, Any]
    edits: tuple[Edit, ...] = ()
    note: str = ""

    def data(self) -> Data:
        """The instance tables (validated)."""
        inst = generate_day(name=self.name, **self.day)
        data = inst.model_dump(mode="json", exclude_none=True)
        rng = np.random.default_rng([self.day.get("seed", 0), 7919])
        for edit in self.edits:
            edit(data, rng)
        inst = RoutingInstance.model_validate(data)
        return _tidy(inst.model_dump(mode="json", exclude_none=True))


GENERATED: tuple[Recipe, ...] = (
    Recipe("city-25-slots", dict(stops=25, seed=101, window_share=1.0, tightness=1.0,
                                 returns=1), (same_speed,), "one-hour slots for every customer"),
    Recipe("city-60-loose", dict(stops=60, seed=102, window_share=0.4, tightness=0.2,
                                 returns=3), (same_speed,), "few, wide windows"),
    Recipe("city-90-tight", dict(stops=90, seed=103, window_share=0.8, tightness=0.9,
                                 returns=4), (same_speed,), "most customers in 1-1.5 h windows"),
    Recipe("two-depots-120", dict(stops=120, depots=2, seed=104, window_share=0.6,
                                  tightness=0.5, returns=4), (same_speed,)),
    Recipe("three-depots-100-skills", dict(stops=100, depots=3, seed=105, window_share=0.5,
                                           tightness=0.6, returns=5), (),
           "as generated: tail-lift skill, vans faster than trucks"),
    Recipe("cold-chain-80", dict(stops=80, seed=106, window_share=0.6, tightness=0.4,
                                 returns=2), (partial(cold_chain, share=0.2),),
           "a fifth of the customers need a refrigerated van"),
    Recipe("lunch-breaks-70", dict(stops=70, seed=107, window_share=0.6, tightness=0.5,
                                   returns=3, breaks=True), ()),
    Recipe("lunch-breaks-110-two-depots", dict(stops=110, depots=2, seed=108, window_share=0.6,
                                               tightness=0.7, returns=4, breaks=True), ()),
    Recipe("two-windows-60", dict(stops=60, seed=109, window_share=0.5, tightness=0.5,
                                  returns=2), (partial(two_windows, share=0.35),)),
    Recipe("two-windows-breaks-100", dict(stops=100, depots=2, seed=110, window_share=0.4,
                                          tightness=0.6, returns=3, breaks=True),
           (partial(two_windows, share=0.3),)),
    Recipe("optional-low-50", dict(stops=50, seed=111, window_share=0.5, tightness=0.5,
                                   returns=2),
           (same_speed, partial(penalties, share=0.3, low=5, high=20)),
           "30 % of the customers optional at 5-20: often cheaper to drop"),
    Recipe("optional-high-80-two-depots", dict(stops=80, depots=2, seed=112, window_share=0.6,
                                               tightness=0.6, returns=2),
           (same_speed, partial(penalties, share=0.25, low=500, high=2000)),
           "25 % optional at 500-2000: worth serving"),
    Recipe("optional-mixed-120", dict(stops=120, seed=113, window_share=0.7, tightness=0.6,
                                      returns=3),
           (partial(penalties, share=0.15, low=5, high=20),
            partial(penalties, share=0.15, low=500, high=2000))),
    Recipe("planar-hourly-70", dict(stops=70, seed=114, window_share=0.6, tightness=0.5,
                                    returns=3),
           (same_speed, partial(planar, seconds_per_metre=0.14)),
           "x/y metres, about 26 km/h, hourly costs"),
    Recipe("planar-hourly-110-two-depots", dict(stops=110, depots=2, seed=115,
                                                window_share=0.5, tightness=0.4, returns=3),
           (partial(planar, seconds_per_metre=0.15),), "x/y metres, skills, hourly costs"),
    Recipe("matrix-asym-60", dict(stops=60, seed=116, window_share=0.6, tightness=0.5,
                                  returns=3),
           (same_speed, partial(user_matrix, asymmetry=0.25))),
    Recipe("matrix-asym-100-two-depots", dict(stops=100, depots=2, seed=117, window_share=0.5,
                                              tightness=0.6, returns=3, breaks=True),
           (partial(user_matrix, asymmetry=0.3), partial(penalties, share=0.1, low=5, high=20))),
)


def _tidy(data: Data) -> Data:
    """Drop empty lists (the defaults) so the files stay short."""
    out: Data = {}
    for key, value in data.items():
        if isinstance(value, list) and not value:
            continue
        if isinstance(value, list) and key != "matrix":
            value = [{k: v for k, v in row.items() if v != []} if isinstance(row, dict) else row
                     for row in value]
        out[key] = value
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def dumps(data: Data) -> str:
    """The instance as JSON, one depot/vehicle type/stop/shipment/matrix row per line."""
    def one(value: Any) -> str:
        return json.dumps(value, separators=(", ", ": "))

    lines = ["{"]
    keys = list(data)
    for k, key in enumerate(keys):
        value, comma = data[key], "," if k < len(keys) - 1 else ""
        if key == "matrix":
            parts = [name for name in ("distances", "durations") if value.get(name) is not None]
            lines.append('  "matrix": {')
            for j, name in enumerate(parts):
                rows = value[name]
                lines.append(f'    "{name}": [')
                lines += [f"      [{','.join(_number(v) for v in row)}]"
                          f"{',' if i < len(rows) - 1 else ''}" for i, row in enumerate(rows)]
                lines.append(f"    ]{',' if j < len(parts) - 1 else ''}")
            lines.append(f"  }}{comma}")
        elif isinstance(value, list):
            lines.append(f"  {json.dumps(key)}: [")
            lines += [f"    {one(row)}{',' if i < len(value) - 1 else ''}"
                      for i, row in enumerate(value)]
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {one(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def build(folder: Path = NATIVE_DIR) -> list[Path]:
    """Write every generated day into ``folder`` (deterministic: same bytes every time)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for recipe in GENERATED:
        path = folder / f"{recipe.name}.json"
        path.write_text(dumps(recipe.data()), encoding="utf-8")
        written.append(path)
    return written


# ---------------------------------------------------------------------------------------------
# Cases, features, references


@dataclass(frozen=True)
class NativeCase:
    """One native day. ``pyvrp`` says why PyVRP cannot take it (None: it can)."""

    name: str
    path: Path
    origin: str
    stops: int
    features: tuple[str, ...]
    pyvrp: str | None

    def instance(self) -> RoutingInstance:
        """The validated instance."""
        return read_routing_instance(self.path)


def features(inst: RoutingInstance) -> tuple[str, ...]:
    """What a day exercises, as short tags."""
    tags = [{"haversine": "lat/lon", "euclidean": "planar", "matrix": "matrix"}[
        inst.distance.kind]]
    if any(vt.cost_per_hour > 0 for vt in inst.vehicle_types):
        tags.append("hourly-cost")
    if len(inst.depots) > 1:
        tags.append(f"{len(inst.depots)}-depots")
    per_depot: dict[str, set[tuple]] = {}
    for vt in inst.vehicle_types:
        per_depot.setdefault(vt.start_depot, set()).add(
            (vt.capacity, vt.fixed_cost, vt.cost_per_km, vt.cost_per_hour, vt.skills))
    if any(len(kinds) > 1 for kinds in per_depot.values()):
        tags.append("mixed-fleet")
    if any(len(s.time_windows) > 1 for s in inst.stops):
        tags.append("two-windows")
    elif any(s.time_windows for s in inst.stops):
        tags.append("windows")
    if any(vt.breaks for vt in inst.vehicle_types):
        tags.append("breaks")
    if inst.shipments:
        tags.append("shipments")
    if any(s.skills for s in inst.stops):
        tags.append("skills")
    if any(any(s.pickup) and any(s.delivery) for s in inst.stops):
        tags.append("pickup+delivery")
    drops = [s.drop_penalty for s in inst.stops if s.drop_penalty is not None]
    if any(p < 30 for p in drops):
        tags.append("optional-low")
    if any(30 <= p <= 400 for p in drops):
        tags.append("optional")
    if any(p > 400 for p in drops):
        tags.append("optional-high")
    return tuple(tags)


def cases(folder: Path = NATIVE_DIR) -> list[NativeCase]:
    """Every day in ``folder``, by name."""
    generated = {r.name for r in GENERATED}
    out = []
    for path in sorted(folder.glob("*.json")):
        inst = read_routing_instance(path)
        out.append(NativeCase(
            name=path.stem, path=path,
            origin="generated" if path.stem in generated else "hand-written",
            stops=len(inst.stops), features=features(inst), pyvrp=pyvrp_unsupported(inst)))
    return out


@dataclass(frozen=True)
class Reference:
    """The best plan either engine found for one day (``cost`` None: none found)."""

    cost: float | None
    engine: str
    seconds: float
    derived_with: str
    unserved: int | None


def read_references(path: Path = REFERENCES) -> dict[str, Reference]:
    """``references.csv`` keyed by instance (empty when the file is missing or header-only)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["instance"]: Reference(
            cost=float(row["reference_cost"]) if row["reference_cost"] else None,
            engine=row["engine"], seconds=float(row["seconds"] or 0),
            derived_with=row["derived_with"],
            unserved=int(row["unserved"]) if row.get("unserved") else None)
            for row in csv.DictReader(fh)}


def write_references(rows: Iterable[dict[str, Any]], path: Path = REFERENCES) -> None:
    """Write ``references.csv`` (columns :data:`REFERENCE_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REFERENCE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in REFERENCE_COLUMNS})
    path.write_text(buffer.getvalue(), encoding="utf-8")


def has_plan(plan: RoutePlan) -> bool:
    """Whether the search returned a plan at all."""
    return plan.solve.status != SolveStatus.NO_SOLUTION


def derive_references(time_limit_factor: float = 10, base_limit: float = 30, workers: int = 2,
                      names: Sequence[str] | None = None, seed: int = 0,
                      derived_with: str = "",
                      on_row: Callable[[dict[str, Any]], None] | None = None,
                      ) -> list[dict[str, Any]]:
    """Solve each day (``names``, default all) with each engine that takes it (PyVRP where
    it can, OR-Tools always) for ``time_limit_factor`` x ``base_limit`` seconds with
    ``workers`` portfolio members, and keep the best checked plan (fewer unserved must-serve
    stops, then cost). A plan rejected by the checker is no reference. Rows for
    :func:`write_references`; ``seconds`` is the limit each engine had."""
    limit = time_limit_factor * base_limit
    derived_with = derived_with or (
        f"python -m benchmarks routing-references --time-limit {base_limit:g} "
        f"--factor {time_limit_factor:g} --workers {workers}")
    chosen = cases()
    if names is not None:
        unknown = set(names) - {c.name for c in chosen}
        if unknown:
            raise ValueError(f"unknown native instance(s): {', '.join(sorted(unknown))}")
        chosen = [c for c in chosen if c.name in set(names)]
    rows = []
    for case in chosen:
        inst = case.instance()
        best: RoutePlan | None = None
        best_engine = "none"
        for engine in (["pyvrp"] if case.pyvrp is None else []) + ["ortools"]:
            options = RoutingOptions(time_limit=limit, engine=engine, seed=seed)  # type: ignore[arg-type]
            try:
                plan = solve_portfolio(inst, options, workers)
            except PlanCheckError:
                continue
            if has_plan(plan) and (best is None or plan_key(inst, plan) < plan_key(inst, best)):
                best, best_engine = plan, engine
        row = {"instance": case.name, "reference_cost": "" if best is None else best.cost,
               "engine": best_engine, "seconds": limit, "derived_with": derived_with,
               "unserved": "" if best is None else len(best.unserved)}
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Running the suite


@dataclass(frozen=True)
class NativeRow:
    """One day solved by one engine. ``check``: pass, FAIL (checker), no plan, error, n/a
    (PyVRP cannot take the day; ``note`` says why)."""

    instance: str
    stops: int
    features: str
    reference: float | None
    cost: float | None
    gap: float | None
    unserved: int | None
    has_plan: bool
    reference_has_plan: bool | None
    engine: str
    engine_used: str
    wall_s: float
    limit_s: float
    check: str
    note: str = ""


def run(cases_: Sequence[NativeCase], time_limit: float, workers: int, engine: str = "auto",
        references: dict[str, Reference] | None = None, seed: int = 0) -> Iterator[NativeRow]:
    """Solve each day with ``engine`` and compare with its reference."""
    refs = read_references() if references is None else references
    for case in cases_:
        ref = refs.get(case.name)
        ref_cost = None if ref is None else ref.cost
        common = dict(instance=case.name, stops=case.stops, features=" ".join(case.features),
                      reference=ref_cost, reference_has_plan=None if ref is None
                      else ref.cost is not None, engine=engine, limit_s=time_limit)
        if engine == "pyvrp" and case.pyvrp is not None:
            yield NativeRow(**common, cost=None, gap=None, unserved=None, has_plan=False,
                            engine_used="n/a", wall_s=0.0, check="n/a", note=case.pyvrp)
            continue
        inst = case.instance()
        options = RoutingOptions(time_limit=time_limit, engine=engine, seed=seed)  # type: ignore[arg-type]
        start = time.perf_counter()
        check, note = "pass", ""
        try:
            plan: RoutePlan | None = solve_portfolio(inst, options, workers)
        except PlanCheckError as exc:
            plan, check, note = exc.plan, "FAIL", str(exc)[:300]
        except RuntimeError as exc:  # a search process that failed: report, go on
            plan, check, note = None, "error", str(exc)[:300]
        wall = time.perf_counter() - start
        found = plan is not None and has_plan(plan)
        cost = plan.cost if found and plan is not None else None
        gap = None if cost is None or not ref_cost else round((cost - ref_cost) / ref_cost, 6)
        yield NativeRow(
            **common, cost=cost, gap=gap,
            unserved=len(plan.unserved) if found and plan is not None else None,
            has_plan=found, engine_used=plan.solve.engine if plan is not None else "",
            wall_s=round(wall, 2), check=check if found or check != "pass" else "no plan",
            note=note)


@dataclass
class Summary:
    """One engine over the suite. ``instances``: days it ran (PyVRP: the days it takes);
    ``lost``: days whose reference has a plan and the run has none."""

    engine: str
    instances: int = 0
    not_applicable: int = 0
    with_reference: int = 0
    mean_gap: float | None = None
    max_gap: float | None = None
    unserved: int = 0
    no_plan: int = 0
    lost: int = 0
    check_failed: int = 0
    gaps: dict[str, float] = field(default_factory=dict, repr=False)


def summarize(engine: str, rows: Sequence[NativeRow]) -> Summary:
    """Mean and max gap (over the days with a plan and a reference), unserved total, days
    without a plan, days lost against the reference, checker failures."""
    ran = [r for r in rows if r.check != "n/a"]
    gaps = {r.instance: r.gap for r in ran if r.gap is not None}
    return Summary(
        engine=engine, instances=len(ran), not_applicable=len(rows) - len(ran),
        with_reference=sum(1 for r in ran if r.reference is not None),
        mean_gap=round(sum(gaps.values()) / len(gaps), 6) if gaps else None,
        max_gap=max(gaps.values()) if gaps else None,
        unserved=sum(r.unserved or 0 for r in ran),
        no_plan=sum(1 for r in ran if not r.has_plan),
        lost=sum(1 for r in ran if r.reference_has_plan and not r.has_plan),
        check_failed=sum(1 for r in ran if r.check == "FAIL"), gaps=gaps)


def mean_gap_on(summary: Summary, names: Iterable[str]) -> float | None:
    """The engine's mean gap over ``names`` only (to compare engines on the same days)."""
    values = [summary.gaps[n] for n in names if n in summary.gaps]
    return round(sum(values) / len(values), 6) if values else None


if __name__ == "__main__":
    for written in build():
        print(written)
