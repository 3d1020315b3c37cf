"""The network instance: validated, immutable data (pydantic v2).

Goods flow supplier -> distribution centre (DC, "facility") -> customer. The supplier echelon is
the sourcing model (its tables and rules, see ``docs/sourcing-format.md``) with a location per
supplier; it is optional: without suppliers, goods are available at every open DC at no cost
(the classic facility-location problem).

Units: quantities in units of product; money in one currency per period; distances in km
(great circle from ``lat``/``lon`` times ``transport.detour_factor``, or Euclidean from ``x``/``y``
taken as km, or a ``distances`` row); weights and volumes in any unit used consistently.

Validation happens once, in :meth:`NetworkInstance.model_validate`; every error carries a
location ``(table, row index, field)`` that the file readers turn into file/row/field messages.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from models.numbers import NotBool
from models.routing.data import Duration, Seconds
from models.sourcing.data import (
    Id,
    Money,
    Offer,
    Policy,
    PriceBreak,
    ProductPolicy,
    Quantity,
    Rate,
    SourcingInstance,
    Supplier,
    UnitPrice,
)
from models.sourcing.data import Product as SourcingProduct

#: Earth radius used for great-circle distances, km.
EARTH_RADIUS_KM = 6371.0088
#: A distance or a rate per km: at most 10^6 km / 10^6 per km.
Km = Annotated[float, NotBool, Field(ge=0, le=1e6, allow_inf_nan=False)]
PerKm = Annotated[float, NotBool, Field(ge=0, le=1e6, allow_inf_nan=False)]
Lat = Annotated[float, NotBool, Field(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float, NotBool, Field(ge=-180, le=180, allow_inf_nan=False)]
Coordinate = Annotated[float, NotBool, Field(ge=-1e7, le=1e7, allow_inf_nan=False)]
Positive = Annotated[float, NotBool, Field(gt=0, le=1e6, allow_inf_nan=False)]
Count = Annotated[int, NotBool, Field(ge=0, le=100_000)]
#: Units a vehicle carries: more than 0.
VehicleCapacity = Annotated[float, NotBool, Field(gt=0, le=1e9, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class FacilityStatus(StrEnum):
    """What the model may do with a DC."""

    CANDIDATE = "candidate"  # may open
    EXISTING = "existing"  # open unless the model closes it (then closing_cost is paid)
    MUST_OPEN = "must_open"
    MUST_CLOSE = "must_close"


class Outbound(StrEnum):
    """How the last mile (DC -> customer) is priced."""

    RATES = "rates"  # per unit: transport.outbound_* and the lanes' cost_per_unit
    ROUTES = "routes"  # vehicle routes from each DC (the fleet table)


class CapacityUnit(StrEnum):
    """What a DC's capacity counts: units of product, their weight or their volume."""

    UNITS = "units"
    WEIGHT = "weight"
    VOLUME = "volume"


class _Located(_Frozen):
    """A place: ``lat``/``lon`` or ``x``/``y`` (declared by each record after its id, so that
    tables list the id first)."""

    @model_validator(mode="after")
    def _pairs(self) -> _Located:
        lat, lon, x, y = (getattr(self, k) for k in ("lat", "lon", "x", "y"))
        if (lat is None) != (lon is None):
            raise PydanticCustomError("coordinates", "give both lat and lon, or neither")
        if (x is None) != (y is None):
            raise PydanticCustomError("coordinates", "give both x and y, or neither")
        if lat is not None and x is not None:
            raise PydanticCustomError("coordinates", "give lat/lon or x/y, not both")
        return self

    @property
    def located(self) -> Literal["latlon", "xy", "none"]:
        """Which coordinates the record has."""
        if self.lat is not None:
            return "latlon"
        return "xy" if self.x is not None else "none"


class Product(_Frozen):
    """A product. Weight and volume are needed only where a capacity or a rate counts them."""

    id: Id
    unit_weight: Positive | None = None
    unit_volume: Positive | None = None


class NetworkSupplier(Supplier, _Located):
    """A sourcing supplier (id, region, onboarding cost, capacity) with a location."""

    lat: Lat | None = None
    lon: Lon | None = None
    x: Coordinate | None = None
    y: Coordinate | None = None


class Facility(_Located):
    """A candidate or existing DC. With one size, give ``capacity`` (None = unlimited) and
    ``fixed_cost`` here; with several, list them in the ``sizes`` table instead."""

    id: Id
    name: str = ""
    lat: Lat | None = None
    lon: Lon | None = None
    x: Coordinate | None = None
    y: Coordinate | None = None
    status: FacilityStatus = FacilityStatus.CANDIDATE
    capacity: Quantity | None = None
    fixed_cost: Money | None = None
    capacity_unit: CapacityUnit = CapacityUnit.UNITS
    handling_cost: UnitPrice = 0.0
    closing_cost: Money = 0.0


class Size(_Frozen):
    """One size option of a DC: its capacity (in the DC's capacity unit) and fixed cost per
    period. An open DC has exactly one of its sizes."""

    facility: Id
    size: Id
    capacity: Quantity | None = None
    fixed_cost: Money = 0.0


class Customer(_Located):
    """A customer or customer zone; ``service_time`` (seconds, or ``H:MM``) is spent at each
    delivery stop when the outbound is priced as routes."""

    id: Id
    name: str = ""
    lat: Lat | None = None
    lon: Lon | None = None
    x: Coordinate | None = None
    y: Coordinate | None = None
    service_time: Duration = 0.0


class FleetVehicle(_Frozen):
    """A last-mile vehicle type (outbound as routes): at DC ``facility`` (None = at every DC),
    ``count`` vehicles per DC per delivery day (None = unlimited), each carrying up to
    ``capacity`` units (all products together) on a route DC -> stops -> DC costing
    ``fixed_cost + cost_per_km * km + cost_per_hour * hours``; hours = km / ``speed_kmh`` +
    service times, at most ``max_duration`` (seconds) when given. ``shift_start`` (a clock time,
    seconds from midnight) is when its routes may leave the DC: it times the integrated plan's
    delivery day; the network's routes have no clock."""

    id: Id
    facility: Id | None = None
    capacity: VehicleCapacity
    count: Annotated[int, NotBool, Field(ge=1, le=100_000)] | None = None
    fixed_cost: Money = 0.0
    cost_per_km: PerKm = 0.0
    cost_per_hour: UnitPrice = 0.0
    speed_kmh: Positive = 40.0
    max_duration: Duration | None = None
    shift_start: Seconds = 0.0


class Demand(_Frozen):
    """What one customer needs of one product per period. With ``shortage_penalty`` (per unit)
    the demand may be left unmet at that price; without it, it must be met."""

    customer: Id
    product: Id
    quantity: Quantity
    shortage_penalty: UnitPrice | None = None


class Transport(_Frozen):
    """Cost per unit moved on a lane, by echelon: ``per_unit + per_unit_km * km +
    per_weight_km * unit_weight * km``; ``detour_factor`` turns great-circle km into road km."""

    inbound_per_unit: UnitPrice = 0.0
    inbound_per_unit_km: PerKm = 0.0
    inbound_per_weight_km: PerKm = 0.0
    outbound_per_unit: UnitPrice = 0.0
    outbound_per_unit_km: PerKm = 0.0
    outbound_per_weight_km: PerKm = 0.0
    detour_factor: Annotated[float, NotBool, Field(ge=1, le=5)] = 1.3


class Distance(_Frozen):
    """A road distance that replaces the computed one for one lane (either direction)."""

    origin: Id
    destination: Id
    km: Km


class Lane(_Frozen):
    """One lane (supplier -> DC or DC -> customer), for one product or (blank) all products:
    ``cost_per_unit`` replaces the transport rates, ``forbidden`` closes the lane, and
    ``max_volume`` caps the units it carries (over all products when ``product`` is blank)."""

    origin: Id
    destination: Id
    product: Id | None = None
    cost_per_unit: UnitPrice | None = None
    forbidden: bool = False
    max_volume: Quantity | None = None


class NetworkPolicy(_Frozen):
    """Rules on the network as a whole; ``None`` means the rule is off."""

    min_open: Count = 0
    max_open: Count | None = None
    single_sourcing: bool = False
    max_service_km: Km | None = None
    service_level_share: Rate | None = None
    service_level_km: Km | None = None
    budget: Money | None = None
    outbound: Outbound = Outbound.RATES
    delivery_days: Positive = 1.0

    @model_validator(mode="after")
    def _consistent(self) -> NetworkPolicy:
        if self.max_open is not None and self.max_open < self.min_open:
            raise PydanticCustomError("open_range", "max_open is below min_open")
        if (self.service_level_share is None) != (self.service_level_km is None):
            raise PydanticCustomError(
                "service_level", "give both service_level_share and service_level_km, or neither")
        return self


def _error(loc: tuple[str | int, ...], kind: str, message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)


class SizeOption(_Frozen):
    """A size as the model sees it (resolved from ``facilities`` or ``sizes``)."""

    size: str
    capacity: float | None
    fixed_cost: float


class NetworkInstance(_Frozen):
    """A complete network instance. Build it with ``NetworkInstance.model_validate(data)``."""

    name: str = "network"
    products: tuple[Product, ...] = Field(min_length=1)
    facilities: tuple[Facility, ...] = Field(min_length=1)
    sizes: tuple[Size, ...] = ()
    customers: tuple[Customer, ...] = Field(min_length=1)
    demand: tuple[Demand, ...] = Field(min_length=1)
    suppliers: tuple[NetworkSupplier, ...] = ()
    offers: tuple[Offer, ...] = ()
    price_breaks: tuple[PriceBreak, ...] = ()
    policy: Policy = Policy()
    product_policies: tuple[ProductPolicy, ...] = ()
    transport: Transport = Transport()
    distances: tuple[Distance, ...] = ()
    lanes: tuple[Lane, ...] = ()
    network_policy: NetworkPolicy = NetworkPolicy()
    fleet: tuple[FleetVehicle, ...] = ()

    @model_validator(mode="after")
    def _cross_references(self) -> NetworkInstance:
        errors = list(self._reference_errors())
        if not errors:
            errors = list(self._lane_errors())
        if not errors and self.routes_mode:
            errors = list(self._route_distance_errors())
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def model_copy(  # type: ignore[override]
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> NetworkInstance:
        """A what-if copy with ``update`` applied, validated again (see the sourcing
        instance's ``model_copy``)."""
        del deep
        data = self.model_dump()
        data.update({key: _plain(value) for key, value in (update or {}).items()})
        return type(self).model_validate(data)

    # ---- validation --------------------------------------------------------------------------

    def _reference_errors(self) -> Iterator[InitErrorDetails]:
        yield from _duplicates("products", [(p.id,) for p in self.products], ("id",))
        yield from _duplicates("facilities", [(f.id,) for f in self.facilities], ("id",))
        yield from _duplicates("customers", [(c.id,) for c in self.customers], ("id",))
        yield from _duplicates("suppliers", [(s.id,) for s in self.suppliers], ("id",))
        yield from _duplicates("sizes", [(s.facility, s.size) for s in self.sizes],
                               ("facility", "size"))
        yield from _duplicates("demand", [(d.customer, d.product) for d in self.demand],
                               ("customer", "product"))
        yield from _duplicates("distances", [(d.origin, d.destination) for d in self.distances],
                               ("origin", "destination"))
        yield from _duplicates("lanes", [(n.origin, n.destination, n.product or "")
                                         for n in self.lanes],
                               ("origin", "destination", "product"))
        places = {}
        for table in ("suppliers", "facilities", "customers"):
            for i, record in enumerate(getattr(self, table)):
                if record.id in places and places[record.id][0] != table:
                    kind = {"suppliers": "supplier", "facilities": "facility",
                            "customers": "customer"}[places[record.id][0]]
                    yield _error((table, i, "id"), "ambiguous_id",
                                 f"id {record.id!r} is also a {kind}; "
                                 f"suppliers, facilities and customers need distinct ids",
                                 record.id)
                places.setdefault(record.id, (table, i))
        located = [(t, i, r) for t in ("suppliers", "facilities", "customers")
                   for i, r in enumerate(getattr(self, t)) if r.located != "none"]
        counts = {k: sum(1 for *_x, r in located if r.located == k) for k in ("latlon", "xy")}
        if all(counts.values()):
            odd = min(counts, key=lambda k: (counts[k], k))
            table, i, record = next((t, i, r) for t, i, r in located if r.located == odd)
            field = "x" if odd == "xy" else "lat"
            other = "lat/lon" if odd == "xy" else "x/y"
            yield _error((table, i, field), "coordinates",
                         f"has {field.replace('x', 'x/y').replace('lat', 'lat/lon')} while "
                         f"{counts['latlon' if odd == 'xy' else 'xy']} other places have "
                         f"{other}; use one kind of coordinates for the whole network",
                         getattr(record, field))
        products = {p.id: p for p in self.products}
        facilities = {f.id for f in self.facilities}
        customers = {c.id for c in self.customers}
        sized: dict[str, int] = {}
        for i, size in enumerate(self.sizes):
            if size.facility not in facilities:
                yield _error(("sizes", i, "facility"), "unknown_reference",
                             f"unknown facility {size.facility!r}", size.facility)
            sized[size.facility] = sized.get(size.facility, 0) + 1
        for i, f in enumerate(self.facilities):
            if f.id in sized and (f.capacity is not None or f.fixed_cost is not None):
                yield _error(("facilities", i, "capacity"), "sizes_twice",
                             f"facility {f.id!r} has rows in the sizes table; give its "
                             f"capacity and fixed_cost there, not here", f.capacity)
            if f.closing_cost > 0 and f.status != FacilityStatus.EXISTING:
                yield _error(("facilities", i, "closing_cost"), "closing_cost",
                             "a closing cost applies only to an existing facility", f.closing_cost)
            unit = f.capacity_unit
            if unit != CapacityUnit.UNITS and any(s.capacity is not None for s in
                                                  self.size_options(f.id)):
                attribute = f"unit_{unit.value}"
                for p in self.products:
                    if getattr(p, attribute) is None:
                        yield _error(("facilities", i, "capacity_unit"), "missing_" + unit,
                                     f"facility {f.id!r} has a {unit.value} capacity, so "
                                     f"product {p.id!r} needs a {attribute}", unit.value)
                        break
        if self.transport.inbound_per_weight_km > 0 or self.transport.outbound_per_weight_km > 0:
            for i, p in enumerate(self.products):
                if p.unit_weight is None:
                    yield _error(("products", i, "unit_weight"), "missing_weight",
                                 "transport is priced per weight-km, so every product needs "
                                 "a unit_weight", None)
        for i, d in enumerate(self.demand):
            if d.customer not in customers:
                yield _error(("demand", i, "customer"), "unknown_reference",
                             f"unknown customer {d.customer!r}", d.customer)
            if d.product not in products:
                yield _error(("demand", i, "product"), "unknown_reference",
                             f"unknown product {d.product!r}", d.product)
            if self.policy.whole_units and d.quantity != int(d.quantity):
                yield _error(("demand", i, "quantity"), "whole_units",
                             f"quantity {d.quantity:g} is not a whole number, but the policy "
                             f"asks for whole units", d.quantity)
        for i, dist in enumerate(self.distances):
            for field in ("origin", "destination"):
                if getattr(dist, field) not in places:
                    yield _error(("distances", i, field), "unknown_reference",
                                 f"unknown place {getattr(dist, field)!r}", getattr(dist, field))
        for i, lane in enumerate(self.lanes):
            origin = places.get(lane.origin, ("", 0))[0]
            destination = places.get(lane.destination, ("", 0))[0]
            unknown = [f for f in ("origin", "destination") if getattr(lane, f) not in places]
            for field in unknown:
                yield _error(("lanes", i, field), "unknown_reference",
                             f"unknown place {getattr(lane, field)!r}", getattr(lane, field))
            if not unknown and (origin, destination) not in (("suppliers", "facilities"),
                                             ("facilities", "customers")):
                yield _error(("lanes", i, "destination"), "lane_ends",
                             f"a lane runs from a supplier to a facility or from a facility to "
                             f"a customer, not from {lane.origin!r} to {lane.destination!r}",
                             lane.destination)
            if lane.product is not None and lane.product not in products:
                yield _error(("lanes", i, "product"), "unknown_reference",
                             f"unknown product {lane.product!r}", lane.product)
        yield from _duplicates("fleet", [(v.id,) for v in self.fleet], ("id",))
        for i, vehicle in enumerate(self.fleet):
            if vehicle.facility is not None and vehicle.facility not in facilities:
                yield _error(("fleet", i, "facility"), "unknown_reference",
                             f"unknown facility {vehicle.facility!r} (a vehicle type is based "
                             f"at a DC of the facilities table, or blank for every DC)",
                             vehicle.facility)
        if self.routes_mode and not self.fleet:
            yield _error(("fleet",), "routes_fleet",
                         "network_policy.outbound is 'routes', so the fleet table needs at "
                         "least one vehicle type", None)
        if self.routes_mode and self.network_policy.budget is not None:
            yield _error(("network_policy", "budget"), "routes_budget",
                         "a network budget cannot be used with outbound 'routes' (the route "
                         "cost is known only after routing); remove the budget or use "
                         "outbound 'rates'", self.network_policy.budget)
        if self.network_policy.max_open is not None:
            forced = sum(1 for f in self.facilities if f.status == FacilityStatus.MUST_OPEN)
            if forced > self.network_policy.max_open:
                yield _error(("network_policy", "max_open"), "open_range",
                             f"{forced} facilities must open, more than max_open "
                             f"{self.network_policy.max_open}", self.network_policy.max_open)
        if self.suppliers or self.offers:
            yield from self._sourcing_errors()

    def _sourcing_errors(self) -> Iterator[InitErrorDetails]:
        """The sourcing tables are checked by the sourcing model's own rules."""
        if not self.suppliers:
            yield _error(("suppliers",), "too_short", "offers need a suppliers table", None)
            return
        if not self.offers:
            yield _error(("offers",), "too_short",
                         "suppliers need offers (which products each supplies, at what price)",
                         None)
            return
        try:
            self.sourcing_instance(check=True)
        except ValidationError as exc:
            for err in exc.errors():
                if err["loc"] and err["loc"][0] == "products":
                    continue  # network products are checked above
                yield InitErrorDetails(type=PydanticCustomError(err["type"], err["msg"]),
                                       loc=err["loc"], input=err.get("input"))

    def _lane_errors(self) -> Iterator[InitErrorDetails]:
        """Every lane whose cost or rule needs a distance must have one."""
        t = self.transport
        policy = self.network_policy
        rated = not self.routes_mode  # routes mode does not charge the outbound rates
        outbound_km = ((rated and (t.outbound_per_unit_km > 0 or t.outbound_per_weight_km > 0))
                       or policy.max_service_km is not None or policy.service_level_km is not None)
        inbound_km = t.inbound_per_unit_km > 0 or t.inbound_per_weight_km > 0
        priced = {(n.origin, n.destination) for n in self.lanes
                  if n.product is None and (n.cost_per_unit is not None or n.forbidden)}
        checks = []
        if inbound_km:
            checks.append(("suppliers", self.suppliers, self.facilities, "inbound"))
        if outbound_km:
            checks.append(("facilities", self.facilities, self.customers, "outbound"))
        for table, origins, destinations, what in checks:
            for i, o in enumerate(origins):
                for d in destinations:
                    if self.distance(o.id, d.id) is None and (o.id, d.id) not in priced:
                        yield _error((table, i, "id"), "no_distance",
                                     f"no distance from {o.id!r} to {d.id!r}: give both "
                                     f"coordinates, a distances row, or a lanes row with a "
                                     f"cost_per_unit (the {what} rates or service rules need "
                                     f"km)", o.id)
                        return

    def _route_distance_errors(self) -> Iterator[InitErrorDetails]:
        """Routes mode: every DC with a vehicle type needs km to every customer it may serve,
        and every two customers need km between them."""
        forbidden = {(n.origin, n.destination) for n in self.lanes
                     if n.product is None and n.forbidden}
        for i, f in enumerate(self.facilities):
            if not self.vehicles_at(f.id):
                continue
            for c in self.customers:
                if (f.id, c.id) not in forbidden and (
                        self.distance(f.id, c.id) is None or self.distance(c.id, f.id) is None):
                    yield _error(("facilities", i, "id"), "no_distance",
                                 f"no distance from {f.id!r} to {c.id!r}: outbound as routes "
                                 f"needs km between every DC and customer (give both "
                                 f"coordinates or a distances row)", f.id)
                    return
        for i, a in enumerate(self.customers):
            for b in self.customers[i + 1:]:
                if self.distance(a.id, b.id) is None or self.distance(b.id, a.id) is None:
                    yield _error(("customers", i, "id"), "no_distance",
                                 f"no distance from {a.id!r} to {b.id!r}: outbound as routes "
                                 f"needs km between every two customers (give both "
                                 f"coordinates or a distances row)", a.id)
                    return

    # ---- views -----------------------------------------------------------------------------

    @property
    def routes_mode(self) -> bool:
        """Whether the last mile is priced as vehicle routes (``network_policy.outbound``)."""
        return self.network_policy.outbound == Outbound.ROUTES

    def vehicles_at(self, facility_id: str) -> tuple[FleetVehicle, ...]:
        """The fleet's vehicle types available at DC ``facility_id``."""
        return tuple(v for v in self.fleet if v.facility is None or v.facility == facility_id)

    def fleet_capacity(self, facility_id: str) -> float | None:
        """Most units DC ``facility_id``'s fleet can deliver per period in routes mode:
        ``delivery_days`` × Σ ``count`` × ``capacity`` over its vehicle types (at most
        ``count`` routes of a type a day), or None when some type there has no ``count`` (or
        the DC has no vehicles: it serves no one in routes mode)."""
        types = self.vehicles_at(facility_id)
        if not types or any(v.count is None for v in types):
            return None
        return self.network_policy.delivery_days * sum(v.count * v.capacity for v in types)

    @cached_property
    def product_by_id(self) -> dict[str, Product]:
        """Products keyed by id."""
        return {p.id: p for p in self.products}

    @cached_property
    def facility_by_id(self) -> dict[str, Facility]:
        """Facilities keyed by id."""
        return {f.id: f for f in self.facilities}

    @cached_property
    def customer_by_id(self) -> dict[str, Customer]:
        """Customers keyed by id."""
        return {c.id: c for c in self.customers}

    @cached_property
    def supplier_by_id(self) -> dict[str, NetworkSupplier]:
        """Suppliers keyed by id."""
        return {s.id: s for s in self.suppliers}

    @cached_property
    def _sizes(self) -> dict[str, tuple[SizeOption, ...]]:
        grouped: dict[str, list[SizeOption]] = {}
        for s in self.sizes:
            grouped.setdefault(s.facility, []).append(
                SizeOption(size=s.size, capacity=s.capacity, fixed_cost=s.fixed_cost))
        for f in self.facilities:
            if f.id not in grouped:
                grouped[f.id] = [SizeOption(size="standard", capacity=f.capacity,
                                            fixed_cost=f.fixed_cost or 0.0)]
        return {k: tuple(v) for k, v in grouped.items()}

    def size_options(self, facility_id: str) -> tuple[SizeOption, ...]:
        """The sizes a DC may have (one, ``standard``, when it has no rows in ``sizes``)."""
        return self._sizes.get(facility_id, ())

    @cached_property
    def demand_by_product(self) -> dict[str, float]:
        """Total demand per product over all customers."""
        total = {p.id: 0.0 for p in self.products}
        for d in self.demand:
            if d.product in total:  # an unknown product is a validation error of its own
                total[d.product] += d.quantity
        return total

    @cached_property
    def _distance_rows(self) -> dict[tuple[str, str], float]:
        out = {(d.origin, d.destination): d.km for d in self.distances}
        for d in self.distances:  # a pair's own row wins over the reverse pair's row
            out.setdefault((d.destination, d.origin), d.km)
        return out

    @cached_property
    def _places(self) -> dict[str, _Located]:
        return {r.id: r for t in ("suppliers", "facilities", "customers")
                for r in getattr(self, t)}

    def distance(self, origin: str, destination: str) -> float | None:
        """Road km from ``origin`` to ``destination``: the ``distances`` row if there is one,
        else from the coordinates (None when either place has none)."""
        given = self._distance_rows.get((origin, destination))
        if given is not None:
            return given
        a, b = self._places[origin], self._places[destination]
        if a.located == "latlon" and b.located == "latlon":
            return great_circle_km(a.lat, a.lon, b.lat, b.lon) * self.transport.detour_factor
        if a.located == "xy" and b.located == "xy":
            return math.hypot(a.x - b.x, a.y - b.y)
        return None

    @cached_property
    def lane_rules(self) -> dict[tuple[str, str, str | None], Lane]:
        """Lanes keyed by (origin, destination, product or None)."""
        return {(n.origin, n.destination, n.product): n for n in self.lanes}

    def lane_cost(self, origin: str, destination: str, product: str) -> float | None:
        """Cost per unit of ``product`` on a lane, or None when the lane is closed (forbidden,
        or beyond the maximum service distance for an outbound lane). A product-specific
        ``lanes`` row wins over an all-products row, which wins over the transport rates."""
        rules = self.lane_rules
        specific = rules.get((origin, destination, product))
        general = rules.get((origin, destination, None))
        if (specific is not None and specific.forbidden) or (general is not None
                                                              and general.forbidden):
            return None
        outbound = origin in self.facility_by_id
        limit = self.network_policy.max_service_km
        if outbound and limit is not None:
            km = self.distance(origin, destination)
            if km is not None and km > limit:
                return None
        for rule in (specific, general):
            if rule is not None and rule.cost_per_unit is not None:
                return rule.cost_per_unit
        t = self.transport
        if outbound:
            rates = (t.outbound_per_unit, t.outbound_per_unit_km, t.outbound_per_weight_km)
        else:
            rates = (t.inbound_per_unit, t.inbound_per_unit_km, t.inbound_per_weight_km)
        if rates[1] == 0 and rates[2] == 0:
            return rates[0]
        km = self.distance(origin, destination)
        if km is None:
            return None
        weight = self.product_by_id[product].unit_weight or 0.0
        return rates[0] + rates[1] * km + rates[2] * weight * km

    def sourcing_instance(self, check: bool = False) -> SourcingInstance:
        """The supplier echelon as a sourcing instance: one product per network product with
        the network's total demand; a product with a shortage penalty at any customer is soft
        (penalty 0 here: the network prices shortages per customer). ``check`` validates it
        again (the network's own validation does); else it is built without re-validation."""
        soft = {d.product for d in self.demand if d.shortage_penalty is not None}
        products = [SourcingProduct(id=p.id, demand=self.demand_by_product[p.id],
                                    unit_weight=p.unit_weight,
                                    shortage_penalty=0.0 if p.id in soft else None)
                    for p in self.products]
        suppliers = [Supplier(**s.model_dump(exclude={"lat", "lon", "x", "y"}))
                     for s in self.suppliers]
        data = {"name": self.name, "products": products, "suppliers": suppliers,
                "offers": list(self.offers), "price_breaks": list(self.price_breaks),
                "policy": self.policy, "product_policies": list(self.product_policies)}
        if check:
            return SourcingInstance.model_validate(_plain(data))
        return SourcingInstance.model_construct(**{k: tuple(v) if isinstance(v, list) else v
                                                   for k, v in data.items()})

    # ---- DataFrames --------------------------------------------------------------------------

    @classmethod
    def from_frames(cls, frames: Mapping[str, Any], name: str = "network") -> NetworkInstance:
        """An instance from DataFrames keyed by table name, read by the rules of CSV and Excel
        files. Raises :class:`models.tables.TableError` naming the table, index and field."""
        from models.network.tables import NETWORK_TABLES
        from models.tables import frames_to_instance

        return frames_to_instance(cls, frames, NETWORK_TABLES, name)

    def to_frames(self) -> dict[str, Any]:
        """Every table as a DataFrame; ``from_frames`` reads them back as an equal instance."""
        from models.network.tables import NETWORK_TABLES
        from models.tables import instance_frames

        return instance_frames(self, NETWORK_TABLES)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _duplicates(
    table: str, keys: list[tuple[Any, ...]], fields: tuple[str, ...]
) -> Iterator[InitErrorDetails]:
    first: dict[tuple[Any, ...], int] = {}
    for i, key in enumerate(keys):
        if key in first:
            shown = ", ".join(f"{f}={v!r}" for f, v in zip(fields, key, strict=True))
            yield _error((table, i, fields[-1]), "duplicate",
                         f"duplicate of row {first[key] + 1} ({shown})", key[-1])
        else:
            first[key] = i
