"""The plan's tables tell the day's clock: when each route leaves and is back, when each stop
is reached and served (HH:MM), so an analyst sees the delivery time of every order."""

from __future__ import annotations

from models.integrated import IntegratedOptions, solve
from models.routing import clock
from tests.models.integrated import tiny


def test_routes_and_stops_carry_their_clock_times() -> None:
    inst = tiny.instance(orders=[{"id": "o1", "customer": "A1", "units": 1, "x": 0, "y": 12,
                                  "service_time": "0:10", "time_windows": "08:00-12:00"}])
    plan = solve(inst, IntegratedOptions(routing=tiny.ROUTING))
    frames = plan.to_frames()
    routes = frames["routes"].set_index("facility")
    stops = frames["stops"].set_index("stop")
    day = {d.facility: d.plan for d in plan.days}
    for dc in ("DC-A", "DC-B"):
        (route,) = day[dc].routes
        assert routes.loc[dc, "start"] == clock(route.start_time)  # the routing convention
        assert routes.loc[dc, "end"] == clock(route.end_time)
    # o1 may not be served before 08:00; the van waits if it comes early
    assert stops.loc["o1", "service_start"] >= "08:00"
    assert stops.loc["o1", "arrival"] <= stops.loc["o1", "service_start"]
    assert list(frames["stops"].columns[-2:]) == ["arrival", "service_start"]
