"""The integrated instance: a network instance plus the representative delivery day.

An integrated instance is every table of a network instance (``docs/network-format.md``; its
``fleet`` is the last-mile fleet and ``network_policy.delivery_days`` the deliveries per
period, whatever ``network_policy.outbound`` says) plus:

* ``orders``: the orders of a representative delivery day, per customer zone;
* ``delivery_profile``: per zone, how its day volume is delivered when it has no orders (stops,
  service time, windows);
* ``scenarios``: named what-if rows (``models.integrated.scenarios``).

The network part is validated by :class:`models.network.NetworkInstance` itself; errors keep
their ``(table, row, field)`` locations, so every reader names the file, record and field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from models.network import FleetVehicle, NetworkInstance
from models.numbers import NotBool
from models.routing.data import Duration, TimeWindow, _windows
from models.sourcing.data import Id

Windows = Annotated[tuple[TimeWindow, ...], BeforeValidator(_windows)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _blank(value: Any) -> Any:
    """A blank cell (``""``) is no value."""
    return None if isinstance(value, str) and not value.strip() else value


def _text(value: Any) -> Any:
    """A scenario value cell: numbers and true/false kept as text (parsed when applied)."""
    value = _blank(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return value


class Order(_Frozen):
    """One order of the representative day. ``units`` weigh the order within its zone's day
    volume (docs/plan-format.md); ``lat``/``lon`` or ``x``/``y`` (the network's kind) place it
    (blank = at the zone); ``time_windows`` in the routing Times convention."""

    #: no ``#`` or ``@``: the day's stop ids add ``#k`` (split stops) and ``@DC`` (a zone
    #: served by several DCs) to order ids
    id: Annotated[str, Field(min_length=1, max_length=200,
                             pattern=r"^[^\s#@]([^#@]*[^\s#@])?$")]
    customer: Id
    units: Annotated[float, NotBool, Field(gt=0, le=1e9, allow_inf_nan=False)]
    lat: Annotated[float, NotBool, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, NotBool, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    x: Annotated[float, NotBool, Field(ge=-1e7, le=1e7, allow_inf_nan=False)] | None = None
    y: Annotated[float, NotBool, Field(ge=-1e7, le=1e7, allow_inf_nan=False)] | None = None
    service_time: Duration = 0.0
    time_windows: Windows = ()

    @model_validator(mode="after")
    def _pairs(self) -> Order:
        if (self.lat is None) != (self.lon is None) or (self.x is None) != (self.y is None):
            raise PydanticCustomError("coordinates", "give both lat and lon (or x and y), "
                                                     "or neither")
        if self.lat is not None and self.x is not None:
            raise PydanticCustomError("coordinates", "give lat/lon or x/y, not both")
        return self


class DeliveryProfile(_Frozen):
    """A zone without orders: its day volume is delivered as ``stops`` equal stops at the
    zone, each with ``service_time`` and ``time_windows``."""

    customer: Id
    stops: Annotated[int, NotBool, Field(ge=1, le=10_000)] = 1
    service_time: Duration = 0.0
    time_windows: Windows = ()


Operation = Literal["set", "multiply", "remove"]


class ScenarioChange(_Frozen):
    """One row of a what-if scenario: in ``table``, on the rows matching ``match``
    (``field=value``, several joined by ``;``; blank = every row), ``operation`` ``set``
    (``field`` := ``value``), ``multiply`` (``field`` × ``value``) or ``remove`` (the rows)."""

    scenario: Id
    table: Id
    match: Annotated[str | None, BeforeValidator(_blank)] = None
    field: Annotated[str | None, BeforeValidator(_blank)] = None
    operation: Operation
    value: Annotated[str | None, BeforeValidator(_text)] = None


#: Tables of the integrated instance that are not network tables.
OWN_TABLES = ("orders", "delivery_profile", "scenarios")


def _error(loc: tuple[str | int, ...], kind: str, message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)


def _as_details(error: ValidationError) -> list[InitErrorDetails]:
    """The errors of ``error`` as details to raise again (same locations, kinds, messages)."""
    return [_error(tuple(err["loc"]), err["type"], err["msg"], err.get("input"))
            for err in error.errors(include_url=False)]


class IntegratedInstance(_Frozen):
    """A network instance with its representative delivery day and scenarios.

    Build it with ``IntegratedInstance.model_validate(tables)`` from the flat tables (the JSON
    form: the network's tables and the tables of :data:`OWN_TABLES` side by side)."""

    name: str = "plan"
    network: NetworkInstance
    orders: tuple[Order, ...] = ()
    delivery_profile: tuple[DeliveryProfile, ...] = ()
    scenarios: tuple[ScenarioChange, ...] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _flat(cls, data: Any, handler: Any) -> IntegratedInstance:
        """Flat tables: the network's go to :class:`NetworkInstance`, the rest stay here;
        errors of both keep their table locations."""
        if not isinstance(data, Mapping) or "network" in data:
            return handler(data)
        network_keys = set(NetworkInstance.model_fields)
        network = {k: v for k, v in data.items() if k in network_keys}
        own = {k: v for k, v in data.items() if k not in network_keys or k == "name"}
        errors: list[InitErrorDetails] = []
        built = None
        try:
            built = NetworkInstance.model_validate(network)
        except ValidationError as exc:
            errors.extend(_as_details(exc))
        if built is None:
            # the own tables are checked too, against a stand-in network, for one full report
            try:
                handler({**own, "network": _STAND_IN})
            except ValidationError as exc:
                errors.extend(e for e in _as_details(exc) if e["loc"][:1] != ("network",))
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return handler({**own, "network": built})

    @model_validator(mode="after")
    def _references(self) -> IntegratedInstance:
        errors = list(self._reference_errors())
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def _reference_errors(self) -> Iterator[InitErrorDetails]:
        net = self.network
        if net is _STAND_IN:
            return
        customers = net.customer_by_id
        facilities = net.facility_by_id
        places = set(customers) | set(facilities) | {s.id for s in net.suppliers}
        kind = _coordinate_kind(net)
        seen: dict[str, int] = {}
        for i, order in enumerate(self.orders):
            if order.id in seen:
                yield _error(("orders", i, "id"), "duplicate",
                             f"duplicate of row {seen[order.id] + 1} (id={order.id!r})", order.id)
            seen.setdefault(order.id, i)
            if order.id in places:
                yield _error(("orders", i, "id"), "ambiguous_id",
                             f"id {order.id!r} is also a place of the network", order.id)
            if order.customer not in customers:
                yield _error(("orders", i, "customer"), "unknown_reference",
                             f"unknown customer {order.customer!r}", order.customer)
                continue
            own = "latlon" if order.lat is not None else "xy" if order.x is not None else None
            if own is not None and kind is not None and own != kind:
                field = "lat" if own == "latlon" else "x"
                yield _error(("orders", i, field), "coordinates",
                             f"the network's places have {'lat/lon' if kind == 'latlon' else 'x/y'}"
                             f"; give the order's location the same way", getattr(order, field))
            if own is None and customers[order.customer].located == "none":
                yield _error(("orders", i, "customer"), "no_location",
                             f"customer {order.customer!r} has no coordinates, so its orders "
                             f"need their own", order.customer)
        ordered = {o.customer for o in self.orders}
        profiled: dict[str, int] = {}
        for i, row in enumerate(self.delivery_profile):
            if row.customer not in customers:
                yield _error(("delivery_profile", i, "customer"), "unknown_reference",
                             f"unknown customer {row.customer!r}", row.customer)
            elif row.customer in profiled:
                yield _error(("delivery_profile", i, "customer"), "duplicate",
                             f"duplicate of row {profiled[row.customer] + 1}", row.customer)
            elif row.customer in ordered:
                yield _error(("delivery_profile", i, "customer"), "orders_and_profile",
                             f"zone {row.customer!r} has orders; a profile applies only to a "
                             f"zone without orders", row.customer)
            profiled.setdefault(row.customer, i)
        if not net.fleet:
            yield _error(("fleet",), "too_short", "the last mile needs a fleet table (at "
                                                  "least one vehicle type)", None)
        names = {s.scenario for s in self.scenarios}
        if "baseline" in names:
            i = next(i for i, s in enumerate(self.scenarios) if s.scenario == "baseline")
            yield _error(("scenarios", i, "scenario"), "reserved",
                         "'baseline' names the instance as given; call the scenario otherwise",
                         "baseline")

    # ---- views -----------------------------------------------------------------------------

    def fleet_at(self, facility: str) -> tuple[FleetVehicle, ...]:
        """The fleet's vehicle types available at DC ``facility``."""
        return tuple(v for v in self.network.fleet if v.facility in (None, facility))

    @property
    def delivery_days(self) -> float:
        """Deliveries per period (``network_policy.delivery_days``)."""
        return self.network.network_policy.delivery_days

    @property
    def currency(self) -> str | None:
        """The instance's currency label (``policy.currency``)."""
        return self.network.policy.currency

    @cached_property
    def orders_by_customer(self) -> dict[str, tuple[Order, ...]]:
        """Orders grouped by zone, in table order."""
        out: dict[str, list[Order]] = {}
        for o in self.orders:
            out.setdefault(o.customer, []).append(o)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def profile_by_customer(self) -> dict[str, DeliveryProfile]:
        """Delivery profiles keyed by zone."""
        return {p.customer: p for p in self.delivery_profile}

    @property
    def scenario_names(self) -> tuple[str, ...]:
        """The scenarios, in order of first appearance."""
        return tuple(dict.fromkeys(s.scenario for s in self.scenarios))

    def tables(self) -> dict[str, Any]:
        """The instance as flat plain tables (the JSON form); ``model_validate`` of them gives
        an equal instance."""
        data = self.network.model_dump(mode="json", exclude_none=True)
        data["name"] = self.name
        own = self.model_dump(mode="json", exclude_none=True, include=set(OWN_TABLES))
        data.update({key: value for key, value in own.items() if value})
        return data

    def model_copy(  # type: ignore[override]
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> IntegratedInstance:
        """A copy with flat table ``update`` applied, validated again."""
        del deep
        data = self.tables()
        data.update({k: _plain(v) for k, v in (update or {}).items()})
        return type(self).model_validate(data)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _coordinate_kind(net: NetworkInstance) -> Literal["latlon", "xy"] | None:
    for table in (net.facilities, net.customers):
        for record in table:
            if record.located != "none":
                return record.located
    return None


#: A placeholder network used only to check the own tables when the network itself failed.
_STAND_IN = NetworkInstance.model_validate({
    "products": [{"id": "p"}], "facilities": [{"id": "f"}], "customers": [{"id": "c"}],
    "demand": [{"customer": "c", "product": "p", "quantity": 0}]})

__all__ = ["DeliveryProfile", "IntegratedInstance", "Order", "ScenarioChange"]
