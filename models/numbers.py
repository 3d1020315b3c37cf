"""Number rules shared by every problem's data types."""

from __future__ import annotations

from typing import Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _not_bool(value: Any) -> Any:
    """JSON ``true``/``false`` are not numbers (pydantic would take them as 1 and 0)."""
    if isinstance(value, bool):
        raise PydanticCustomError("bool_number", "a number, not true/false")
    return value


#: Put in an ``Annotated`` number type: refuses ``true``/``false`` (in every input form).
NotBool = BeforeValidator(_not_bool)
