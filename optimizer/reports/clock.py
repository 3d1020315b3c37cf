"""Times, distances and durations for people: ``HH:MM`` clocks, km and hours.

Units follow the instance's distance kind. Geographic (``haversine``) and ``matrix`` instances
are in metres and seconds: times read as clocks, distances as km, durations as hours. Planar
(``euclidean``) instances keep the abstract units of their coordinates (the benchmark sets):
their numbers are shown plainly, never as clocks, km or hours.

Clock rule: a time is rounded to the nearest minute and shown as ``HH:MM``; from the second
day on it gets a day prefix: 31.5 h after the start of the planning day is ``1d 07:30``.
"""

from __future__ import annotations

import math

from models.routing import RoutingInstance

#: Seconds in a week: the default closing time of a depot (``models.routing.Depot``).
WEEK = 7 * 86400.0


def is_metric(inst: RoutingInstance | None) -> bool:
    """True when the instance counts in metres and seconds (geographic or matrix); False for
    planar instances (abstract units) and when no instance is known."""
    return inst is not None and inst.distance.kind != "euclidean"


def clock(seconds: float) -> str:
    """``HH:MM`` (nearest minute), with a day prefix from the second day: ``1d 07:30``."""
    if seconds < 0:
        return "-" + clock(-seconds)
    minutes = math.floor(seconds / 60.0 + 0.5)
    days, rest = divmod(minutes, 1440)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{days}d {text}" if days else text


def plain(value: float, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and no trailing zeros: ``912.5``, ``70``."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return "0" if text in ("-0", "") else text


def time_text(value: float, metric: bool) -> str:
    """A clock for metric instances, the plain number for planar ones."""
    return clock(value) if metric else plain(value)


def window_text(start: float, end: float, metric: bool) -> str:
    """``08:00-10:30`` (metric) or ``120-250`` (planar)."""
    return f"{time_text(start, metric)}-{time_text(end, metric)}"


def km(metres: float) -> float:
    """Metres to km, rounded to 10 m."""
    return round(metres / 1000.0, 2)


def hours(seconds: float) -> float:
    """Seconds to hours, rounded to 36 s."""
    return round(seconds / 3600.0, 2)


def minutes(seconds: float) -> float:
    """Seconds to minutes, rounded to 6 s."""
    return round(seconds / 60.0, 1)
