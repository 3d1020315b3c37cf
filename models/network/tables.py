"""The tables of a network instance (the same in JSON, CSV folders, Excel and DataFrames)."""

from __future__ import annotations

from models.network.data import (
    Customer,
    Demand,
    Distance,
    Facility,
    FleetVehicle,
    Lane,
    NetworkPolicy,
    NetworkSupplier,
    Product,
    Size,
    Transport,
)
from models.sourcing.data import Offer, Policy, PriceBreak, ProductPolicy
from models.tables import TableSpec

NETWORK_TABLES: tuple[TableSpec, ...] = (
    TableSpec("products", Product),
    TableSpec("facilities", Facility),
    TableSpec("sizes", Size, optional=True),
    TableSpec("customers", Customer),
    TableSpec("demand", Demand),
    TableSpec("suppliers", NetworkSupplier, optional=True),
    TableSpec("offers", Offer, optional=True),
    TableSpec("price_breaks", PriceBreak, optional=True),
    TableSpec("policy", Policy, optional=True, single=True, list_fields=("must_use", "excluded")),
    TableSpec("product_policies", ProductPolicy, optional=True,
              list_fields=("must_use", "excluded")),
    TableSpec("transport", Transport, optional=True, single=True),
    TableSpec("distances", Distance, optional=True),
    TableSpec("lanes", Lane, optional=True),
    TableSpec("network_policy", NetworkPolicy, optional=True, single=True),
    TableSpec("fleet", FleetVehicle, optional=True),
)
