"""The default distance kind of a routing instance (docs/routing-format.md, distance)."""

from __future__ import annotations

import pytest

from models.routing import RoutingInstance


def test_places_given_only_as_lat_lon_are_measured_on_the_globe_by_default() -> None:
    """A hand-typed day with Lat/Lon columns and no distance table was refused with 'distance
    kind euclidean needs x' on every place; with every place in lat/lon and no x/y, the
    default kind is haversine (docs/routing-format.md, distance)."""
    data = {"depots": [{"id": "Leeds", "lat": 53.796, "lon": -1.548}],
            "vehicle_types": [{"id": "van", "start_depot": "Leeds"}],
            "stops": [{"id": "York", "lat": 53.959, "lon": -1.0815}]}
    assert RoutingInstance.model_validate(data).distance.kind == "haversine"
    planar = {**data, "stops": [{"id": "York", "x": 1.0, "y": 2.0}]}
    with pytest.raises(ValueError):
        RoutingInstance.model_validate(planar)  # mixed: still euclidean, Leeds has no x/y
    explicit = {**data, "distance": {"kind": "euclidean"}}
    with pytest.raises(ValueError):
        RoutingInstance.model_validate(explicit)  # a stated kind is kept
