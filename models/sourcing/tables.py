"""The tables of a sourcing instance (the same in JSON, CSV folders, Excel and DataFrames)."""

from __future__ import annotations

from models.sourcing.data import (
    Disruption,
    Offer,
    Policy,
    PriceBreak,
    Product,
    ProductPolicy,
    RiskPolicy,
    Scenario,
    Supplier,
)
from models.tables import TableSpec

SOURCING_TABLES: tuple[TableSpec, ...] = (
    TableSpec("products", Product),
    TableSpec("suppliers", Supplier),
    TableSpec("offers", Offer),
    TableSpec("price_breaks", PriceBreak, optional=True),
    TableSpec("policy", Policy, optional=True, single=True, list_fields=("must_use", "excluded")),
    TableSpec("product_policies", ProductPolicy, optional=True,
              list_fields=("must_use", "excluded")),
    TableSpec("scenarios", Scenario, optional=True),
    TableSpec("disruptions", Disruption, optional=True),
    TableSpec("risk", RiskPolicy, optional=True, single=True),
)
