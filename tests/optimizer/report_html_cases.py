"""Result folders with report.html for the report tests: one small case per problem kind,
written by the real writers, with hostile ids (script injection, template-literal
interpolation, backslash escapes, HTML) in the places a user's file puts them."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from models.routing import RoutingInstance, RoutingSummary, assemble_plan, check_plan
from models.solver import SolveStatus
from tests.conftest import FIXTURES, INSTANCES

#: An id that breaks a page that escapes carelessly: it closes a script, interpolates in a JS
#: template literal (and sets the page title if run), starts a JS escape sequence, and is HTML.
HOSTILE = 'X`1${document.title="PWNED"}</script><b>bold</b>\\u'
H = 3600.0
#: Degrees of latitude that make 10 km on the meridian (haversine, detour 1).
STEP = math.degrees(10_000 / 6_371_008.8)


def renamed(data: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """``data`` with every JSON string exactly ``old`` replaced by ``new``."""
    return json.loads(json.dumps(data).replace(json.dumps(old), json.dumps(new)))


def routing_case() -> tuple[RoutingInstance, Any]:
    """A geographic day (clocks, km): depot, a van with a lunch break (drive, wait, service,
    break bars), a truck on the next day (``1d`` times), a dropped stop. The depot, a stop and
    the van's type carry hostile ids."""
    inst = RoutingInstance.model_validate({
        "name": "report-geo",
        "depots": [{"id": HOSTILE + "D", "lat": 52.0, "lon": 5.0}],
        "vehicle_types": [
            {"id": HOSTILE + "V", "capacity": [10], "start_depot": HOSTILE + "D",
             "speed_kmh": 40, "detour_factor": 1, "shift_start": 7 * H,
             "fixed_cost": 30, "cost_per_km": 0.5, "cost_per_hour": 20,
             "breaks": [{"id": "lunch", "earliest": 11.75 * H, "latest": 11 * H + 50 * 60,
                         "duration": 1800}]},
            {"id": "truck", "capacity": [10], "start_depot": HOSTILE + "D", "speed_kmh": 40,
             "detour_factor": 1, "fixed_cost": 30, "cost_per_km": 0.5, "cost_per_hour": 20},
        ],
        "stops": [
            {"id": HOSTILE, "lat": 52.0 + STEP, "lon": 5.0, "delivery": [2],
             "service_time": 600, "time_windows": [[11 * H, 11.5 * H]]},
            {"id": "b", "lat": 52.0 + 2 * STEP, "lon": 5.0, "delivery": [3],
             "service_time": 900, "time_windows": [[13 * H, 14 * H]]},
            {"id": "c", "lat": 52.0 - STEP, "lon": 5.0, "delivery": [1], "service_time": 600,
             "time_windows": [[24 * H + 7.5 * H, 24 * H + 8 * H]]},
            {"id": "e", "lat": 52.5, "lon": 5.5, "delivery": [1], "drop_penalty": 50,
             "time_windows": [[8 * H, 9 * H]]},
        ],
        "distance": {"kind": "haversine", "rounding": "nint"},
        "objective": {"currency": "EUR"},
    })
    summary = RoutingSummary(status=SolveStatus.FEASIBLE, engine="hand", stop_reason="test")
    plan = assemble_plan(inst, [(HOSTILE + "V", 0, (HOSTILE, "b")), ("truck", 0, ("c",))],
                         summary, unserved={"e": ("dropped_for_cost", "cheaper to drop")},
                         start_times={(HOSTILE + "V", 0): 11.25 * H})
    assert check_plan(inst, plan).ok
    return inst, plan


def write_routing(out: Path) -> Path:
    from optimizer.formats.routing import write_routing_plan

    inst, plan = routing_case()
    write_routing_plan(plan, out, inst)
    return out


def network_case(name: str = "valid_small.json") -> tuple[Any, Any]:
    """The small network fixture (x/y places) with a hostile customer, DC and supplier."""
    from models.network import NetworkInstance, solve

    data = json.loads((FIXTURES / "network" / name).read_text())
    for old in ("C1", "F1", "S1"):
        data = renamed(data, old, HOSTILE + old)
    inst = NetworkInstance.model_validate(data)
    return inst, solve(inst)


def write_network(out: Path, name: str = "valid_small.json") -> Path:
    from optimizer.formats.network import write_network_plan

    inst, plan = network_case(name)
    write_network_plan(plan, out, inst)
    return out


def write_network_starter(out: Path) -> Path:
    """The shipped starter network (lat/lon places: the map draws the country outlines)."""
    from models.network import solve
    from optimizer.formats.network import read_network_instance, write_network_plan

    inst = read_network_instance(INSTANCES / "network" / "starter.json")
    write_network_plan(solve(inst), out, inst)
    return out


def sourcing_instance(path: Path) -> Any:
    from models.sourcing import SourcingInstance

    data = renamed(json.loads(path.read_text()), "S1", HOSTILE)
    if "policy" in data:
        data["policy"]["currency"] = "EUR"
    return SourcingInstance.model_validate(data)


def write_sourcing(out: Path, path: Path | None = None) -> Path:
    from models.sourcing import solve
    from optimizer.formats.sourcing import write_sourcing_plan

    inst = sourcing_instance(path or FIXTURES / "sourcing" / "valid_small.json")
    write_sourcing_plan(solve(inst), out, inst.policy.currency)
    return out


def write_frontier_case(out: Path) -> Path:
    from models.solver import SolverOptions
    from models.sourcing.frontier import Measure
    from optimizer.formats.frontier import write_frontier
    from optimizer.frontier import trace_frontier

    inst = sourcing_instance(FIXTURES / "sourcing" / "valid_small.json")
    frontier = trace_frontier(inst, Measure.MAX_SHARE, 3, SolverOptions(), workers=1)
    write_frontier(frontier, out, inst.policy.currency)
    return out


class PageParts(HTMLParser):
    """A page's tags with ``src``/``href``, its script blocks and its text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self._in_script = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "data", "srcset", "action") and value is not None:
                self.links.append((tag, name, value))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def remote_links(parts: PageParts) -> list[tuple[str, str, str]]:
    """Attributes that would load something from elsewhere (not the page, not data:)."""
    return [(tag, name, value) for tag, name, value in parts.links
            if not (value.startswith(("#", "data:")) or value == "")]
