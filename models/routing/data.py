"""The routing instance: validated, immutable data (pydantic v2).

Units: distances in metres, times in seconds from the start of the planning day, money in one
currency. Benchmark instances keep their own abstract units and state them in ``distance``.
Times are also read as ``HH:MM`` text, ``start-end`` window text and absolute UNIX or ISO times
(shifted to ``time_origin``): :func:`clock`, :func:`duration` and docs/routing-format.md, "Times".

Locations are planar ``x``/``y`` (metres, Euclidean), ``lat``/``lon`` (degrees, great-circle
distance times a road-detour factor), or indices into a user-supplied matrix. Validation happens
once; every error carries a location ``(table, row, field)``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from models.numbers import NotBool
from models.tables import CellError, number_list

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]


# Upper limits far above any real day that keep the engines' integer arithmetic (int64, loads
# in thousandths, money in up to 10^9 units per currency unit) exact: 1e308 is a typing error.
#: A load, capacity: at most 10^12 units.
Quantity = Annotated[float, NotBool, Field(ge=0, le=1e12, allow_inf_nan=False)]
#: A fixed cost or drop penalty: at most 10^9 currency units.
Amount = Annotated[float, NotBool, Field(ge=0, le=1e9, allow_inf_nan=False)]
#: A price per km or per hour: at most 10^5 currency units.
Price = Annotated[float, NotBool, Field(ge=0, le=1e5, allow_inf_nan=False)]
#: A distance (metres, or instance units): at most 10^9.
Length = Annotated[float, NotBool, Field(ge=0, le=1e9, allow_inf_nan=False)]
#: A planar coordinate: at most 10^8 from the origin.
Coordinate = Annotated[float, NotBool, Field(ge=-1e8, le=1e8, allow_inf_nan=False)]
#: A day is at most a week of seconds; larger numbers are input mistakes.
WEEK = 7 * 86400
#: Clock values at or above this (2001-09-09 UTC) are absolute UNIX times (see
#: :class:`RoutingInstance`); below it they are seconds from the start of the planning day.
ABSOLUTE_FROM = 10**9
#: The largest absolute time read (2**40 s, about the year 36812).
ABSOLUTE_UNTIL = 2**40

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_CLOCK = r"(?:(\d+)\s*d\s*)?(\d{1,3}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?"
_DATETIME = r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
_PLAIN_CLOCK = r"(?:\d+\s*d\s*)?\d{1,3}:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"
_TIME = f"(?:{_DATETIME}|{_PLAIN_CLOCK}|{_NUMBER})"
_DURATION = f"(?:{_PLAIN_CLOCK}|{_NUMBER})"
_WINDOW = re.compile(rf"\s*({_TIME})\s*-\s*({_TIME})\s*")
_BREAK = re.compile(rf"(?:(.*)@)?\s*({_TIME})\s*-\s*({_TIME})\s*\+\s*({_DURATION})\s*", re.S)


def _clock_text(text: str) -> float | None:
    """``HH:MM``, ``HH:MM:SS`` or ``Nd HH:MM`` in seconds; None for anything else."""
    match = re.fullmatch(_CLOCK, text.strip())
    if match is None:
        return None
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds or 0)


def _unix(moment: dt.datetime) -> float:
    """UNIX seconds of a date and time (naive ones are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def clock(value: Any) -> Any:
    """A time (``open``, ``close``, shifts, windows, break windows) in seconds. Numbers are
    seconds; ``HH:MM`` / ``HH:MM:SS`` (``1d 07:30`` from the second day on) and
    ``datetime.time`` are times of day; ISO date-times (``2026-12-02T08:00``, UTC unless they
    state an offset) and ``datetime`` values are absolute UNIX times. Anything else is left for
    the field to refuse."""
    if isinstance(value, bool):
        raise PydanticCustomError("time_format", "a time, not true/false")
    if isinstance(value, dt.datetime):
        return _unix(value)
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, str):
        seconds = _clock_text(value)
        if seconds is not None:
            return seconds
        if re.fullmatch(_DATETIME, value.strip()):
            return _unix(dt.datetime.fromisoformat(value.strip()))
    return value


def duration(value: Any) -> Any:
    """A duration (``service_time``, a break's ``duration``, ``max_duration``) in seconds:
    numbers, ``H:MM`` / ``H:MM:SS`` (hours and minutes: ``0:30`` is half an hour),
    ``datetime.timedelta`` and ``datetime.time`` (an Excel duration cell)."""
    if isinstance(value, bool):
        raise PydanticCustomError("time_format", "a duration, not true/false")
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("time_format", "a duration, not a date and time")
    if isinstance(value, str):
        seconds = _clock_text(value)
        return value if seconds is None else seconds
    return clock(value)


Seconds = Annotated[float, BeforeValidator(clock, json_schema_input_type=float | str),
                    Field(ge=0, le=WEEK, allow_inf_nan=False)]
Duration = Annotated[float, BeforeValidator(duration, json_schema_input_type=float | str),
                     Field(ge=0, le=WEEK, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self:
        """A validated copy with ``update`` applied: the same rules as any input (an invalid
        update raises ``ValidationError``), and none of the original's cached views."""
        del deep  # frozen and rebuilt from plain data: every copy is independent
        return self.model_validate({**self.model_dump(exclude_unset=False), **(update or {})})


def _split(value: Any) -> Any:
    """Ids from CSV/Excel cells and strings: ``a;b`` or ``a,b`` (an id holding ``;`` or ``,``
    cannot be written to a cell; see ``models.tables.list_cell_problems``)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.replace(",", ";").split(";") if p.strip())
    return value


def _numbers(value: Any) -> Any:
    """Quantities: a number, a list, or a string of values separated by ``;`` (``12.5;0.3``),
    read by the rule of every list cell (``models.tables.number_list``): a ``,`` is refused,
    never read as a decimal comma or a second value."""
    if isinstance(value, int | float):
        return (value,)
    if isinstance(value, str):
        try:
            return tuple(number_list(value))
        except CellError as exc:
            raise PydanticCustomError("list_format", str(exc)) from None
    return value


class TimeWindow(_Frozen):
    """Service may start at any time in [start, end]."""

    start: Seconds
    end: Seconds

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.end < self.start:
            raise PydanticCustomError("window_order", "the window ends before it starts")
        return self


_WINDOW_FORMS = "[start, end], 'start-end' (e.g. '08:00-10:30' or '28800-37800') or " \
    "{start, end}"


def _window(value: Any) -> Any:
    """One window as ``{start, end}`` (values still to be validated as times)."""
    if isinstance(value, str):
        match = _WINDOW.fullmatch(value)
        if match is None:
            if "," in value and all(_WINDOW.fullmatch(p) for p in value.split(",")):
                raise PydanticCustomError(
                    "window_format", f"separate time windows with ';', not ',': write "
                                     f"{';'.join(p.strip() for p in value.split(','))!r}")
            raise PydanticCustomError("window_format", f"a time window is {_WINDOW_FORMS}; "
                                                       f"got {value.strip()!r}")
        return {"start": match[1], "end": match[2]}
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise PydanticCustomError("window_format", f"a time window is [start, end]: "
                                                       f"{len(value)} value(s) given")
        return {"start": value[0], "end": value[1]}
    if isinstance(value, dict | TimeWindow):
        return value
    raise PydanticCustomError("window_format", f"each time window is {_WINDOW_FORMS}; got "
                                               f"{value!r} (one window is [[start, end]])")


def _windows(value: Any) -> Any:
    """``"08:00-10:00;28800-36000"`` or ``[[28800, 36000]]``, ``["08:00-10:00"]`` or
    ``[{start, end}]``; a window of other than two values is refused."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(_window(part) for part in value.split(";") if part.strip())
    if isinstance(value, list | tuple):
        return tuple(_window(w) for w in value)
    return value


class _Located(_Frozen):
    x: Coordinate | None = None
    y: Coordinate | None = None
    lat: Annotated[float, NotBool, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, NotBool, Field(ge=-180, le=180)] | None = None
    #: Row/column of this place in a user-supplied matrix.
    matrix_index: Annotated[int, NotBool, Field(ge=0)] | None = None


class Depot(_Located):
    """A depot; vehicles start and end their routes at depots, inside its opening hours."""

    id: Id
    open: Seconds = 0.0
    close: Seconds = 7 * 86400


class Break(_Frozen):
    """A driver break: ``duration`` seconds starting inside [``earliest``, ``latest``], taken
    while travelling or waiting between two stops (never during service). A route still
    running at a break's ``latest`` start must take it; a route back before then need not."""

    id: Id = "break"
    earliest: Seconds
    latest: Seconds
    duration: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Break:
        if self.latest < self.earliest:
            raise PydanticCustomError("window_order", "latest is before earliest")
        return self


def _breaks(value: Any) -> Any:
    """``"lunch@43200-46800+1800;45000-50000+900"``: [id@]earliest-latest+duration."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        out = []
        for n, part in enumerate(p.strip() for p in value.split(";") if p.strip()):
            match = _BREAK.fullmatch(part)
            if match is None:
                raise PydanticCustomError("break_format", "write a break as [id@]earliest-"
                                          "latest+duration, e.g. 43200-46800+1800 or "
                                          f"lunch@12:00-13:00+0:30; got {part!r}")
            name, earliest, latest, length = match.groups()
            out.append({"id": (name or "").strip() or f"break{n + 1}", "earliest": earliest,
                        "latest": latest, "duration": length})
        return tuple(out)
    return value


class VehicleType(_Frozen):
    """``count`` identical vehicles. ``capacity`` has one entry per dimension (e.g. weight,
    volume); ``end_depot`` None means back to the start depot."""

    id: Id
    count: Annotated[int, NotBool, Field(ge=1, le=10000)] = 1
    capacity: tuple[Quantity, ...] = ()
    fixed_cost: Amount = 0.0
    cost_per_km: Price = 1.0
    cost_per_hour: Price = 0.0
    start_depot: Id
    end_depot: Id | None = None
    shift_start: Seconds = 0.0
    shift_end: Seconds = 7 * 86400
    max_duration: Duration | None = None
    max_distance: Length | None = None
    speed_kmh: Annotated[float, NotBool, Field(gt=0, le=1000, allow_inf_nan=False)] = 40.0
    detour_factor: Annotated[float, NotBool, Field(ge=1, le=5)] = 1.3
    skills: tuple[Id, ...] = ()
    breaks: tuple[Break, ...] = ()

    @field_validator("skills", mode="before")
    @classmethod
    def _skills(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("breaks", mode="before")
    @classmethod
    def _breaks(cls, value: Any) -> Any:
        return _breaks(value)

    @model_validator(mode="after")
    def _distinct_breaks(self) -> VehicleType:
        ids = [b.id for b in self.breaks]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("duplicate", "two breaks of one vehicle type share an id")
        return self

    @field_validator("capacity", mode="before")
    @classmethod
    def _capacity(cls, value: Any) -> Any:
        return _numbers(value)


class Stop(_Located):
    """A customer stop: deliver and/or pick up quantities (one per capacity dimension).

    ``drop_penalty`` None means the stop must be served; otherwise the plan may leave it
    unserved at that cost."""

    id: Id
    delivery: tuple[Quantity, ...] = ()
    pickup: tuple[Quantity, ...] = ()
    service_time: Duration = 0.0
    time_windows: tuple[TimeWindow, ...] = ()
    skills: tuple[Id, ...] = ()
    drop_penalty: Amount | None = None

    @field_validator("skills", mode="before")
    @classmethod
    def _skills(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("delivery", "pickup", mode="before")
    @classmethod
    def _amounts(cls, value: Any) -> Any:
        return _numbers(value)

    @field_validator("time_windows", mode="before")
    @classmethod
    def _time_windows(cls, value: Any) -> Any:
        return _windows(value)


class Shipment(_Frozen):
    """A pickup-and-delivery pair: the same vehicle visits ``pickup`` before ``delivery``."""

    pickup: Id
    delivery: Id


Rounding = Literal["real", "nint", "trunc1"]


class DistanceSpec(_Frozen):
    """How distances and travel times are computed.

    ``euclidean``: from x/y; ``haversine``: great circle from lat/lon times the vehicle type's
    detour factor; ``matrix``: the instance's ``matrix``. ``rounding`` applies per edge:
    ``real`` (double precision), ``nint`` (nearest integer, TSPLIB), ``trunc1`` (down to one
    decimal, DIMACS). ``time_per_distance`` turns a distance into travel seconds for planar
    instances (benchmarks use 1); geographic instances use each vehicle type's speed."""

    kind: Literal["euclidean", "haversine", "matrix"] = "euclidean"
    rounding: Rounding = "real"
    time_per_distance: Annotated[float, NotBool, Field(gt=0, le=1e4, allow_inf_nan=False)] = 1.0


class MatrixData(_Frozen):
    """User-supplied square matrices (metres, seconds), indexed by ``matrix_index``."""

    distances: tuple[tuple[Length, ...], ...]
    durations: tuple[tuple[Annotated[float, NotBool, Field(ge=0, le=WEEK)], ...], ...] | None = None


class Objective(_Frozen):
    """``cost``: fixed + distance + time costs + drop penalties. ``vehicles_then_distance``:
    the benchmark convention of Li & Lim and Solomon hierarchical tables."""

    kind: Literal["cost", "vehicles_then_distance"] = "cost"
    #: Currency of every money amount (e.g. ``EUR``); a label for reports, never converted.
    currency: Annotated[str, Field(min_length=1, max_length=12)] | None = None


def _error(loc: tuple[str | int, ...], kind: str, message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)


_Slot = tuple[dict[str, Any], str, float, tuple[str | int, ...]]


def _clock_slots(data: dict[str, Any]) -> tuple[dict[str, Any], list[_Slot]]:
    """A copy of ``data`` whose records holding clock values are fresh dicts (window and break
    cells parsed into records), and every clock value given, in seconds, with its place. Values
    that do not parse are left for the field validators to report."""
    data = dict(data)
    slots: list[_Slot] = []

    def rows(name: str) -> list[Any]:
        value = data.get(name)
        if not isinstance(value, list | tuple):
            return []
        data[name] = [dict(r) if isinstance(r, dict) else r for r in value]
        return data[name]

    def note(holder: dict[str, Any], key: str, loc: tuple[str | int, ...]) -> None:
        try:
            value = clock(holder.get(key))
            if isinstance(value, str):  # a number in a CSV/Excel cell
                value = float(value)
        except (ValueError, PydanticCustomError):
            return
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and math.isfinite(value):
            slots.append((holder, key, float(value), loc))

    def records(holder: dict[str, Any], key: str, parse: Callable[[Any], Any]
                ) -> list[dict[str, Any]]:
        try:
            parsed = parse(holder.get(key))
        except (ValueError, PydanticCustomError):
            return []
        if not isinstance(parsed, list | tuple) or not all(isinstance(r, dict) for r in parsed):
            return []
        holder[key] = [dict(r) for r in parsed]
        return holder[key]

    for i, depot in enumerate(rows("depots")):
        if isinstance(depot, dict):
            for key in ("open", "close"):
                note(depot, key, ("depots", i, key))
    for i, vt in enumerate(rows("vehicle_types")):
        if isinstance(vt, dict):
            for key in ("shift_start", "shift_end"):
                note(vt, key, ("vehicle_types", i, key))
            for j, brk in enumerate(records(vt, "breaks", _breaks)):
                for key in ("earliest", "latest"):
                    note(brk, key, ("vehicle_types", i, "breaks", j))
    for i, stop in enumerate(rows("stops")):
        if isinstance(stop, dict):
            for j, window in enumerate(records(stop, "time_windows", _windows)):
                for key in ("start", "end"):
                    note(window, key, ("stops", i, "time_windows", j))
    return data, slots


def _shift_absolute(data: dict[str, Any]) -> dict[str, Any]:
    """VROOM's convention made explicit: when any clock value is an absolute UNIX time
    (>= ``ABSOLUTE_FROM``), every clock value given must be one, and all become seconds from
    ``time_origin`` (given, or midnight UTC of the earliest day)."""
    copy, slots = _clock_slots(data)
    absolute = [seconds for *_x, seconds, _loc in slots
                if ABSOLUTE_FROM <= seconds <= ABSOLUTE_UNTIL]
    if not absolute:
        return data
    origin = data.get("time_origin")
    if (isinstance(origin, str) and origin.strip().isdigit()) \
            or (isinstance(origin, float) and origin.is_integer()):
        origin = int(origin)
    if origin is None:  # midnight UTC (UNIX time counts 86400 s a day, no leap seconds)
        origin = int(min(absolute) // 86400 * 86400)
        copy["time_origin"] = origin
    if not isinstance(origin, int) or isinstance(origin, bool) \
            or not 0 <= origin <= ABSOLUTE_UNTIL:
        raise ValidationError.from_exception_data("RoutingInstance", [_error(
            ("time_origin",), "time_origin", "UNIX seconds: a whole number, 0 or more", origin)])
    mixed = {loc: seconds for _h, _k, seconds, loc in slots if seconds < ABSOLUTE_FROM}
    early = {loc: seconds for _h, _k, seconds, loc in slots
             if ABSOLUTE_FROM <= seconds < origin}
    errors = [_error(loc, "mixed_times", "absolute UNIX times elsewhere in the instance "
                     "(e.g. " + _iso(max(absolute)) + "): give this time as one too", seconds)
              for loc, seconds in mixed.items()]
    errors += [_error(loc, "before_origin", f"before the time origin {_iso(origin)}", seconds)
               for loc, seconds in early.items()]
    if errors:
        raise ValidationError.from_exception_data("RoutingInstance", errors)
    for holder, key, seconds, _loc in slots:
        if seconds <= ABSOLUTE_UNTIL:  # larger ones stay, for the field to refuse
            holder[key] = seconds - origin
    return copy


def _iso(seconds: float) -> str:
    """A UNIX time as a UTC date and time (the number itself when out of the calendar)."""
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (ValueError, OverflowError, OSError):
        return f"{seconds:.15g}"


class RoutingInstance(_Frozen):
    """A complete routing instance. Build with ``RoutingInstance.model_validate(data)``."""

    name: str = "routing"
    depots: tuple[Depot, ...] = Field(min_length=1)
    vehicle_types: tuple[VehicleType, ...] = Field(min_length=1)
    stops: tuple[Stop, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    distance: DistanceSpec = DistanceSpec()
    matrix: MatrixData | None = None
    objective: Objective = Objective()
    #: UNIX time (seconds, UTC) of time 0 when the instance was given in absolute UNIX times
    #: (set by validation: midnight UTC of the earliest day); None for day-relative times.
    time_origin: Annotated[int, Field(ge=0, le=ABSOLUTE_UNTIL)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _distance_kind(cls, data: Any) -> Any:
        """Without a ``distance`` kind and a matrix, places that all have ``lat``/``lon`` and
        none ``x``/``y`` are measured on the globe (``haversine``), not as planar x/y."""
        if not isinstance(data, dict) or data.get("matrix") is not None:
            return data
        spec = data.get("distance")
        if spec is not None and (not isinstance(spec, dict) or spec.get("kind") is not None):
            return data
        places = [q for table in ("depots", "stops")
                  if isinstance(data.get(table), list | tuple) for q in data[table]]

        def has(place: Any, name: str) -> bool:  # malformed records are left to validation
            value = place.get(name) if isinstance(place, dict) else getattr(place, name, None)
            return value is not None and value != ""

        if places and all(has(q, "lat") and has(q, "lon") and not has(q, "x")
                          and not has(q, "y") for q in places):
            data = {**data, "distance": {**(spec or {}), "kind": "haversine"}}
        return data

    @model_validator(mode="before")
    @classmethod
    def _absolute_times(cls, data: Any) -> Any:
        """Absolute UNIX times (VROOM's convention, every clock value >= 10^9) become seconds
        from ``time_origin``; a mix of absolute and day-relative times is refused."""
        if not isinstance(data, dict):
            return data
        return _shift_absolute(data)

    @model_validator(mode="after")
    def _references(self) -> RoutingInstance:
        errors = list(self._reference_errors())
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def _reference_errors(self) -> Iterator[InitErrorDetails]:
        if not self.stops:
            yield _error(("stops",), "no_stops", "the instance has no stops (and so no "
                                                 "shipments): there is nothing to plan", ())
        ids: dict[str, tuple[str, int]] = {}
        for table, rows in (("depots", self.depots), ("stops", self.stops)):
            for i, row in enumerate(rows):
                if row.id in ids:
                    first = ids[row.id]
                    yield _error((table, i, "id"), "duplicate",
                                 f"duplicate of {first[0]}[{first[1]}] (id={row.id!r})", row.id)
                else:
                    ids[row.id] = (table, i)
        seen_types: set[str] = set()
        for i, vt in enumerate(self.vehicle_types):
            if vt.id in seen_types:
                yield _error(("vehicle_types", i, "id"), "duplicate", f"duplicate id {vt.id!r}",
                             vt.id)
            seen_types.add(vt.id)
        depots = {d.id for d in self.depots}
        dims = self.dimensions
        for i, vt in enumerate(self.vehicle_types):
            for field in ("start_depot", "end_depot"):
                value = getattr(vt, field)
                if value is not None and value not in depots:
                    yield _error(("vehicle_types", i, field), "unknown_reference",
                                 f"unknown depot {value!r}", value)
            if len(vt.capacity) != dims:
                yield _error(("vehicle_types", i, "capacity"), "dimensions",
                             f"{len(vt.capacity)} capacity values, the instance uses {dims} "
                             f"dimension(s)", vt.capacity)
            if vt.shift_end < vt.shift_start:
                yield _error(("vehicle_types", i, "shift_end"), "window_order",
                             "the shift ends before it starts", vt.shift_end)
        for i, stop in enumerate(self.stops):
            for field in ("delivery", "pickup"):
                values = getattr(stop, field)
                if values and len(values) != dims:
                    yield _error(("stops", i, field), "dimensions",
                                 f"{len(values)} values, the instance uses {dims} dimension(s)",
                                 values)
        stops = {s.id for s in self.stops}
        in_pair: dict[str, int] = {}
        for i, pair in enumerate(self.shipments):
            for field in ("pickup", "delivery"):
                value = getattr(pair, field)
                if value not in stops:
                    yield _error(("shipments", i, field), "unknown_reference",
                                 f"unknown stop {value!r}", value)
                elif value in in_pair:
                    yield _error(("shipments", i, field), "duplicate",
                                 f"stop {value!r} is already in shipments[{in_pair[value]}]",
                                 value)
                else:
                    in_pair[value] = i
            if pair.pickup == pair.delivery:
                yield _error(("shipments", i, "delivery"), "same_stop",
                             "pickup and delivery are the same stop", pair.delivery)
        yield from self._location_errors()

    def _location_errors(self) -> Iterator[InitErrorDetails]:
        kind = self.distance.kind
        need = {"euclidean": ("x", "y"), "haversine": ("lat", "lon"),
                "matrix": ("matrix_index",)}[kind]
        size = None
        if kind == "matrix":
            if self.matrix is None:
                yield _error(("matrix",), "missing_matrix", "distance kind 'matrix' needs a matrix",
                             None)
                return
            size = len(self.matrix.distances)
            rows = [self.matrix.distances] + ([self.matrix.durations]
                                              if self.matrix.durations else [])
            for table in rows:
                if len(table) != size or any(len(r) != size for r in table):
                    yield _error(("matrix",), "not_square", f"the matrix must be {size} x "
                                                            f"{size}", None)
                    return
        for table, rows in (("depots", self.depots), ("stops", self.stops)):
            for i, row in enumerate(rows):
                for field in need:
                    value = getattr(row, field)
                    if value is None:
                        yield _error((table, i, field), "missing_location",
                                     f"distance kind {kind!r} needs '{field}'", None)
                    elif size is not None and value >= size:
                        yield _error((table, i, field), "out_of_range",
                                     f"index {value} outside the {size} x {size} matrix", value)

    @cached_property
    def dimensions(self) -> int:
        """Number of capacity dimensions (0 when no vehicle states a capacity)."""
        return max((len(v.capacity) for v in self.vehicle_types), default=0)

    @cached_property
    def stop_by_id(self) -> dict[str, Stop]:
        """Stops keyed by id."""
        return {s.id: s for s in self.stops}

    @cached_property
    def depot_by_id(self) -> dict[str, Depot]:
        """Depots keyed by id."""
        return {d.id: d for d in self.depots}

    @cached_property
    def vehicle_type_by_id(self) -> dict[str, VehicleType]:
        """Vehicle types keyed by id."""
        return {v.id: v for v in self.vehicle_types}

    @cached_property
    def vehicle_count(self) -> int:
        """Number of vehicles over all types."""
        return sum(vt.count for vt in self.vehicle_types)

    @cached_property
    def vehicles(self) -> tuple[tuple[str, int], ...]:
        """Every vehicle as (vehicle type id, index within the type)."""
        return tuple((vt.id, k) for vt in self.vehicle_types for k in range(vt.count))

    # ---- DataFrames ------------------------------------------------------------------------

    @classmethod
    def from_frames(cls, frames: Mapping[str, Any], name: str = "routing",
                    matrix: Mapping[str, Any] | None = None) -> RoutingInstance:
        """An instance from DataFrames keyed by table name (``depots``, ``vehicle_types``,
        ``stops``, ...), read by the rules of CSV and Excel files; ``matrix`` is the optional
        user matrix (``{"distances": [[...]], "durations": [[...]]}``).

        Raises :class:`models.tables.TableError` whose problems name the table, the index
        label and the field."""
        from models.routing.tables import ROUTING_TABLES
        from models.tables import frames_to_instance

        extra = {"matrix": matrix} if matrix is not None else None
        return frames_to_instance(cls, frames, ROUTING_TABLES, name, extra)

    def to_frames(self) -> dict[str, Any]:
        """Every table as a DataFrame (a one-record table as one row; the user matrix is
        ``self.matrix``); ``from_frames`` reads them back as an equal instance."""
        from models.routing.tables import ROUTING_TABLES
        from models.tables import instance_frames

        return instance_frames(self, ROUTING_TABLES)
