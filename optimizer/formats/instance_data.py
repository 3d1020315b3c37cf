"""An instance of any problem kind from its native JSON form, already parsed (a request body,
stdin): the one entry point the pipe mode, the job runner and the service share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from optimizer.errors import InputError
from optimizer.formats.integrated import read_plan_data
from optimizer.formats.network import read_network_data
from optimizer.formats.routing import read_routing_data
from optimizer.formats.sourcing import read_sourcing_data

__all__ = ["INSTANCE_READERS", "read_instance_data"]

#: The reader of each problem kind, by the kind's name (``JobKind`` values).
INSTANCE_READERS: dict[str, Callable[[Any, str], BaseModel]] = {
    "sourcing": read_sourcing_data,
    "routing": read_routing_data,
    "network": read_network_data,
    "plan": read_plan_data,
}


def read_instance_data(kind: str, data: Any, label: str = "<stdin>") -> BaseModel:
    """Validate ``data`` (parsed JSON, the native instance form of ``kind``: ``"sourcing"``,
    ``"routing"``, ``"network"`` or ``"plan"``, or the ``JobKind`` member) into its instance.

    Raises :class:`InputError` whose problems name ``label``, the record and the field
    (``<stdin>: stops[3]: field 'demand': ...``); an unknown kind or a top level that is not
    an object is an :class:`InputError` too."""
    reader = INSTANCE_READERS.get(str(kind))
    if reader is None:
        raise InputError([f"{label}: unknown problem kind {str(kind)!r}; expected one of "
                          f"{', '.join(INSTANCE_READERS)}"])
    return reader(data, label)
