"""The tables of an integrated instance: the network's and the representative day's."""

from __future__ import annotations

from models.integrated.data import (
    DeliveryProfile,
    Order,
    ScenarioChange,
)
from models.network import NETWORK_TABLES
from models.tables import TableSpec

#: The network's tables (with its fleet), then orders, delivery profiles and scenario rows.
INTEGRATED_TABLES: tuple[TableSpec, ...] = (
    *NETWORK_TABLES,
    TableSpec("orders", Order, optional=True, list_fields=("time_windows",)),
    TableSpec("delivery_profile", DeliveryProfile, optional=True, list_fields=("time_windows",)),
    TableSpec("scenarios", ScenarioChange, optional=True),
)
