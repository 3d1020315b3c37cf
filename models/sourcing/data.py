"""The sourcing instance: validated, immutable data (pydantic v2).

Units: quantities in units of product, prices and costs in one currency, weights in any unit
used consistently by ``Product.unit_weight`` and a weight-based ``Supplier.capacity``, lead times
in days, rates as fractions in [0, 1].

Validation happens once, in :meth:`SourcingInstance.model_validate`; every error carries a
location ``(table, row index, field)`` that the file readers turn into file/row/field messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from models.numbers import NotBool

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]
# Upper limits far above any real instance that keep every coefficient and the objective well
# inside what the MILP solvers treat as finite (HiGHS: 1e20); 1e308 is a typing error.
#: A quantity (demand, capacity, MOQ, tier threshold): at most 10^9 units.
Quantity = Annotated[float, NotBool, Field(ge=0, le=1e9, allow_inf_nan=False)]
#: A price per unit (purchase, shortage, spot): at most 10^6.
UnitPrice = Annotated[float, NotBool, Field(ge=0, le=1e6, allow_inf_nan=False)]
#: A lead time: at most 10 years of days.
Days = Annotated[float, NotBool, Field(ge=0, le=3650, allow_inf_nan=False)]
#: A total amount of money (onboarding, budget, CVaR limit): at most 10^15.
Money = Annotated[float, NotBool, Field(ge=0, le=1e15, allow_inf_nan=False)]
Rate = Annotated[float, NotBool, Field(ge=0, le=1, allow_inf_nan=False)]
Share = Annotated[float, NotBool, Field(gt=0, le=1, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Product(_Frozen):
    """A product to buy. ``shortage_penalty`` per unit makes demand soft; absent, demand is hard.
    ``spot_price`` per unit is what the spot market charges in a disruption scenario."""

    id: Id
    demand: Quantity
    unit_weight: Annotated[float, NotBool, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None
    shortage_penalty: UnitPrice | None = None
    spot_price: UnitPrice | None = None


class Supplier(_Frozen):
    """A supplier. ``capacity`` bounds its total volume over all products, in ``capacity_unit``."""

    id: Id
    name: str = ""
    region: Id
    onboarding_cost: Money = 0.0
    capacity: Quantity | None = None
    capacity_unit: Literal["units", "weight"] = "units"


class Offer(_Frozen):
    """What one supplier offers for one product (base price, before any quantity discount)."""

    supplier: Id
    product: Id
    unit_price: UnitPrice
    capacity: Quantity | None = None
    moq: Quantity = 0.0
    lead_time_days: Days = 0.0
    defect_rate: Rate = 0.0
    on_time_rate: Rate = 1.0


class PriceBreak(_Frozen):
    """All-units discount: an order of at least ``min_quantity`` pays ``unit_price`` per unit,
    on every unit of the order."""

    supplier: Id
    product: Id
    min_quantity: Annotated[float, NotBool, Field(gt=0, le=1e9, allow_inf_nan=False)]
    unit_price: UnitPrice


class Scenario(_Frozen):
    """A disruption scenario with its probability. The probabilities of all scenarios sum to at
    most 1; the rest is the nominal scenario in which nothing happens."""

    id: Id
    probability: Annotated[float, NotBool, Field(gt=0, le=1, allow_inf_nan=False)]
    description: str = ""


class Disruption(_Frozen):
    """What one scenario does to one supplier, or to every supplier of one region (give exactly
    one of ``supplier`` and ``region``): it delivers ``1 - capacity_loss`` of every contracted
    quantity and charges ``price_multiplier`` times the contract price for what it delivers."""

    scenario: Id
    supplier: Id | None = None
    region: Id | None = None
    capacity_loss: Rate = 0.0
    price_multiplier: Annotated[float, NotBool, Field(gt=0, le=100, allow_inf_nan=False)] = 1.0


class RiskPolicy(_Frozen):
    """How scenario costs are weighed. The objective is
    ``(1 - cvar_weight) * expected cost + cvar_weight * CVaR_alpha(cost)``; with ``cvar_limit``
    the plan's CVaR must also stay at or below that amount."""

    alpha: Annotated[float, NotBool, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.95
    cvar_weight: Rate = 0.0
    cvar_limit: Money | None = None


_LIST_FIELDS = ("must_use", "excluded")


def _split_list(value: Any) -> Any:
    """Accept a list, or a ';'/','-separated string (as in CSV and Excel cells)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]
    return value


class PolicyRules(_Frozen):
    """Business rules; ``None`` means the rule is off (or, in an override, inherited)."""

    max_supplier_share: Share | None = None
    min_suppliers: Annotated[int, NotBool, Field(ge=0, le=1000)] | None = None
    min_share: Rate | None = None
    max_region_share: Share | None = None
    max_defect_rate: Rate | None = None
    min_on_time_rate: Rate | None = None
    max_lead_time_days: Days | None = None
    budget: Money | None = None
    must_use: tuple[Id, ...] = ()
    excluded: tuple[Id, ...] = ()

    @field_validator(*_LIST_FIELDS, mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split_list(value)


class Policy(PolicyRules):
    """Global rules. ``must_use`` suppliers must be onboarded and supply something;
    ``excluded`` suppliers may supply nothing; ``budget`` caps onboarding + purchase spend;
    ``whole_units`` makes every ordered quantity an integer."""

    whole_units: bool = False
    #: Currency of every money amount (e.g. ``EUR``); a label for reports, never converted.
    currency: Annotated[str, Field(min_length=1, max_length=12)] | None = None


class ProductPolicy(PolicyRules):
    """Per-product override. Unset rules inherit the global policy; ``must_use`` suppliers must
    supply this product; ``excluded`` adds to the global exclusions; ``budget`` caps this
    product's purchase spend."""

    product: Id


class ResolvedRules(_Frozen):
    """The rules in force for one product after applying its override."""

    max_supplier_share: float | None
    min_suppliers: int
    min_share: float
    max_region_share: float | None
    max_defect_rate: float | None
    min_on_time_rate: float | None
    max_lead_time_days: float | None
    budget: float | None
    must_use: frozenset[str]
    excluded: frozenset[str]


_INHERITED = (
    "max_supplier_share",
    "min_suppliers",
    "min_share",
    "max_region_share",
    "max_defect_rate",
    "min_on_time_rate",
    "max_lead_time_days",
)


def _error(loc: tuple[str | int, ...], kind: str, message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError(kind, message), loc=loc, input=value
    )


class SourcingInstance(_Frozen):
    """A complete sourcing instance. Build it with ``SourcingInstance.model_validate(data)``."""

    name: str = "sourcing"
    products: tuple[Product, ...] = Field(min_length=1)
    suppliers: tuple[Supplier, ...] = Field(min_length=1)
    offers: tuple[Offer, ...] = Field(min_length=1)
    price_breaks: tuple[PriceBreak, ...] = ()
    policy: Policy = Policy()
    product_policies: tuple[ProductPolicy, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    disruptions: tuple[Disruption, ...] = ()
    risk: RiskPolicy = RiskPolicy()

    @model_validator(mode="after")
    def _cross_references(self) -> SourcingInstance:
        errors = list(self._reference_errors())
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def model_copy(  # type: ignore[override]
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> SourcingInstance:
        """A what-if copy: the instance's data with ``update`` applied, **validated again**
        (a change that breaks a rule raises :class:`pydantic.ValidationError`) and with fresh
        cached views (pydantic's own ``model_copy`` neither validates the update nor drops the
        cached lookups, so a copy would keep the original's products and rules). ``deep`` is
        accepted for compatibility; the copy never shares mutable state."""
        del deep
        data = self.model_dump()
        data.update({key: _plain(value) for key, value in (update or {}).items()})
        return type(self).model_validate(data)

    def _reference_errors(self) -> Iterator[InitErrorDetails]:
        yield from _duplicates("products", [(p.id,) for p in self.products], ("id",))
        yield from _duplicates("suppliers", [(s.id,) for s in self.suppliers], ("id",))
        yield from _duplicates(
            "offers", [(o.supplier, o.product) for o in self.offers], ("supplier", "product")
        )
        yield from _duplicates(
            "price_breaks",
            [(b.supplier, b.product, b.min_quantity) for b in self.price_breaks],
            ("supplier", "product", "min_quantity"),
        )
        yield from _duplicates(
            "product_policies", [(p.product,) for p in self.product_policies], ("product",)
        )
        products = {p.id: p for p in self.products}
        suppliers = {s.id: s for s in self.suppliers}
        offers = {(o.supplier, o.product): o for o in self.offers}
        if self.policy.whole_units:
            for i, product in enumerate(self.products):
                if product.demand != int(product.demand):
                    yield _error(("products", i, "demand"), "whole_units",
                                 f"demand {product.demand:g} is not a whole number, but the "
                                 f"policy asks for whole units", product.demand)
        for i, offer in enumerate(self.offers):
            if offer.supplier not in suppliers:
                yield _error(("offers", i, "supplier"), "unknown_reference",
                             f"unknown supplier {offer.supplier!r}", offer.supplier)
            if offer.product not in products:
                yield _error(("offers", i, "product"), "unknown_reference",
                             f"unknown product {offer.product!r}", offer.product)
            elif offer.supplier in suppliers:
                supplier = suppliers[offer.supplier]
                if (
                    supplier.capacity is not None
                    and supplier.capacity_unit == "weight"
                    and products[offer.product].unit_weight is None
                ):
                    yield _error(
                        ("offers", i, "product"), "missing_weight",
                        f"supplier {supplier.id!r} has a weight capacity, so product "
                        f"{offer.product!r} needs a unit_weight", offer.product,
                    )
        for i, brk in enumerate(self.price_breaks):
            offer = offers.get((brk.supplier, brk.product))
            if offer is None:
                yield _error(("price_breaks", i, "product"), "unknown_reference",
                             f"no offer from supplier {brk.supplier!r} for product "
                             f"{brk.product!r}", brk.product)
        yield from self._price_break_order(offers)
        yield from self._policy_references("policy", self.policy, suppliers)
        for i, override in enumerate(self.product_policies):
            if override.product not in products:
                yield _error(("product_policies", i, "product"), "unknown_reference",
                             f"unknown product {override.product!r}", override.product)
            yield from self._policy_references(("product_policies", i), override, suppliers)
        yield from self._scenario_errors(suppliers)

    def _scenario_errors(self, suppliers: dict[str, Supplier]) -> Iterator[InitErrorDetails]:
        yield from _duplicates("scenarios", [(s.id,) for s in self.scenarios], ("id",))
        yield from _duplicates(
            "disruptions",
            [(d.scenario, d.supplier or "", d.region or "") for d in self.disruptions],
            ("scenario", "supplier", "region"),
        )
        total = 0.0
        for i, scenario in enumerate(self.scenarios):
            total += scenario.probability
            if total > 1 + 1e-9:
                yield _error(("scenarios", i, "probability"), "probability_sum",
                             f"scenario probabilities add up to {total:g} here, more than 1",
                             scenario.probability)
                break
        scenario_ids = {s.id for s in self.scenarios}
        regions = {s.region for s in self.suppliers}
        for i, d in enumerate(self.disruptions):
            if d.scenario not in scenario_ids:
                yield _error(("disruptions", i, "scenario"), "unknown_reference",
                             f"unknown scenario {d.scenario!r}", d.scenario)
            if (d.supplier is None) == (d.region is None):
                yield _error(("disruptions", i, "supplier"), "one_target",
                             "give exactly one of supplier and region", d.supplier)
            elif d.supplier is not None and d.supplier not in suppliers:
                yield _error(("disruptions", i, "supplier"), "unknown_reference",
                             f"unknown supplier {d.supplier!r}", d.supplier)
            elif d.region is not None and d.region not in regions:
                yield _error(("disruptions", i, "region"), "unknown_reference",
                             f"no supplier is in region {d.region!r}", d.region)
        if self.scenarios:
            for i, product in enumerate(self.products):
                if (product.demand > 0 and product.spot_price is None
                        and product.shortage_penalty is None):
                    yield _error(("products", i, "spot_price"), "recourse",
                                 "with scenarios, every product needs a recourse when a "
                                 "supplier fails: give a spot_price or a shortage_penalty",
                                 None)

    def _price_break_order(
        self, offers: dict[tuple[str, str], Offer]
    ) -> Iterator[InitErrorDetails]:
        by_offer: dict[tuple[str, str], list[tuple[int, PriceBreak]]] = {}
        for i, brk in enumerate(self.price_breaks):
            by_offer.setdefault((brk.supplier, brk.product), []).append((i, brk))
        for key, rows in by_offer.items():
            if key not in offers:
                continue
            price = offers[key].unit_price
            for i, brk in sorted(rows, key=lambda row: row[1].min_quantity):
                if brk.unit_price > price:
                    yield _error(
                        ("price_breaks", i, "unit_price"), "price_increase",
                        f"price {brk.unit_price:g} at {brk.min_quantity:g} units is above the "
                        f"price {price:g} for smaller orders; all-units breaks must not raise "
                        f"the price", brk.unit_price,
                    )
                price = min(price, brk.unit_price)

    @staticmethod
    def _policy_references(
        where: str | tuple[str, int], rules: PolicyRules, suppliers: dict[str, Supplier]
    ) -> Iterator[InitErrorDetails]:
        prefix = (where,) if isinstance(where, str) else where
        for field in _LIST_FIELDS:
            for k, supplier_id in enumerate(getattr(rules, field)):
                if supplier_id not in suppliers:
                    yield _error((*prefix, field, k), "unknown_reference",
                                 f"unknown supplier {supplier_id!r}", supplier_id)

    # ---- convenient, read-only views -------------------------------------------------------

    @cached_property
    def product_by_id(self) -> dict[str, Product]:
        """Products keyed by id."""
        return {p.id: p for p in self.products}

    @cached_property
    def supplier_by_id(self) -> dict[str, Supplier]:
        """Suppliers keyed by id."""
        return {s.id: s for s in self.suppliers}

    @cached_property
    def offer_by_key(self) -> dict[tuple[str, str], Offer]:
        """Offers keyed by (supplier, product)."""
        return {(o.supplier, o.product): o for o in self.offers}

    @cached_property
    def breaks_by_offer(self) -> dict[tuple[str, str], tuple[PriceBreak, ...]]:
        """Price breaks per (supplier, product), ascending by ``min_quantity``."""
        grouped: dict[tuple[str, str], list[PriceBreak]] = {}
        for brk in self.price_breaks:
            grouped.setdefault((brk.supplier, brk.product), []).append(brk)
        return {k: tuple(sorted(v, key=lambda b: b.min_quantity)) for k, v in grouped.items()}

    @property
    def nominal_probability(self) -> float:
        """Probability of the scenario in which nothing happens (1 minus the scenarios')."""
        return max(0.0, 1.0 - sum(s.probability for s in self.scenarios))

    def scenario_effects(self, scenario_id: str) -> dict[str, tuple[float, float]]:
        """``{supplier: (delivered fraction, price multiplier)}`` for the suppliers a scenario
        hits; a supplier hit directly and through its region gets both effects multiplied."""
        return self._effects.get(scenario_id, {})

    @cached_property
    def _effects(self) -> dict[str, dict[str, tuple[float, float]]]:
        by_region: dict[str, list[str]] = {}
        for s in self.suppliers:
            by_region.setdefault(s.region, []).append(s.id)
        effects: dict[str, dict[str, tuple[float, float]]] = {}
        for d in self.disruptions:
            effect = effects.setdefault(d.scenario, {})
            hit = [d.supplier] if d.supplier is not None else by_region.get(d.region or "", [])
            for supplier_id in hit:
                r, m = effect.get(supplier_id, (1.0, 1.0))
                effect[supplier_id] = (r * (1.0 - d.capacity_loss), m * d.price_multiplier)
        return effects

    def recourse_price(self, product_id: str) -> tuple[float, str]:
        """Cost per missing unit in a disruption and how it is covered: the cheaper of the spot
        market (``"spot"``) and leaving it unmet at the shortage penalty (``"unmet"``)."""
        product = self.product_by_id[product_id]
        options = []
        if product.spot_price is not None:
            options.append((product.spot_price, "spot"))
        if product.shortage_penalty is not None:
            options.append((product.shortage_penalty, "unmet"))
        return min(options) if options else (0.0, "unmet")

    def rules_for(self, product_id: str) -> ResolvedRules:
        """The rules in force for ``product_id`` (global policy with its override applied)."""
        return self._resolved_rules[product_id]

    @cached_property
    def _resolved_rules(self) -> dict[str, ResolvedRules]:
        overrides = {o.product: o for o in self.product_policies}
        resolved = {}
        for product in self.products:
            override = overrides.get(product.id)
            values: dict[str, Any] = {}
            for field in _INHERITED:
                value = getattr(override, field) if override is not None else None
                values[field] = value if value is not None else getattr(self.policy, field)
            values["min_suppliers"] = values["min_suppliers"] or 0
            values["min_share"] = values["min_share"] or 0.0
            values["budget"] = override.budget if override is not None else None
            values["must_use"] = frozenset(override.must_use if override is not None else ())
            values["excluded"] = frozenset(self.policy.excluded) | frozenset(
                override.excluded if override is not None else ()
            )
            resolved[product.id] = ResolvedRules(**values)
        return resolved

    # ---- DataFrames ------------------------------------------------------------------------

    @classmethod
    def from_frames(cls, frames: Mapping[str, Any], name: str = "sourcing") -> SourcingInstance:
        """An instance from DataFrames keyed by table name (``products``, ``suppliers``,
        ``offers``, optional ``price_breaks``, ``policy``, ...), read by the rules of CSV and
        Excel files (names matched loosely, blank rows skipped, ``60%`` and ``15,000`` read).

        Raises :class:`models.tables.TableError` whose problems name the table, the index
        label and the field."""
        from models.sourcing.tables import SOURCING_TABLES
        from models.tables import frames_to_instance

        return frames_to_instance(cls, frames, SOURCING_TABLES, name)

    def to_frames(self) -> dict[str, Any]:
        """Every table as a DataFrame (a one-record table as one row); ``from_frames`` reads
        them back as an equal instance."""
        from models.sourcing.tables import SOURCING_TABLES
        from models.tables import instance_frames

        return instance_frames(self, SOURCING_TABLES)


def _plain(value: Any) -> Any:
    """``value`` with every pydantic model in it dumped to plain data, so that validating it
    again checks nested records too (a nested model instance would be taken as it is)."""
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
