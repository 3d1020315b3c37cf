"""The tables of a routing instance (the same in JSON, CSV folders, Excel and DataFrames).

A user matrix is not a table: it is inline in JSON, ``distances.csv`` / ``durations.csv`` in a
CSV folder, and the ``matrix`` argument of ``RoutingInstance.from_frames``."""

from __future__ import annotations

from models.routing.data import Depot, DistanceSpec, Objective, Shipment, Stop, VehicleType
from models.tables import TableSpec

ROUTING_TABLES: tuple[TableSpec, ...] = (
    TableSpec("depots", Depot),
    TableSpec("vehicle_types", VehicleType, list_fields=("capacity", "skills", "breaks")),
    # required in CSV, Excel and frames: a folder whose stops file is missing or misnamed
    # must not solve to an empty plan (an empty stops table is an explicit "no stops")
    TableSpec("stops", Stop, list_fields=("delivery", "pickup", "skills", "time_windows")),
    TableSpec("shipments", Shipment, optional=True),
    TableSpec("distance", DistanceSpec, optional=True, single=True),
    TableSpec("objective", Objective, optional=True, single=True),
)
#: CSV files of a routing folder that are not tables: the user matrix (square, no header).
MATRIX_FILES = ("distances", "durations")
