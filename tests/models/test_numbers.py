"""JSON true/false are never numbers, whichever way an instance is built."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.sourcing import SourcingInstance

BASE = {"products": [{"id": "P", "demand": 10}], "suppliers": [{"id": "S", "region": "r"}],
        "offers": [{"supplier": "S", "product": "P", "unit_price": 1}]}


@pytest.mark.parametrize(("table", "field", "value"), [
    ("products", "demand", True), ("offers", "unit_price", False),
    ("suppliers", "onboarding_cost", True), ("policy", "min_suppliers", True),
    ("policy", "max_supplier_share", True),
])
def test_a_library_caller_cannot_pass_true_as_a_number(table: str, field: str,
                                                       value: bool) -> None:
    data = {k: [dict(r) for r in v] for k, v in BASE.items()}
    if table == "policy":
        data["policy"] = {field: value}
    else:
        data[table][0][field] = value
    with pytest.raises(ValidationError, match="not true/false"):
        SourcingInstance.model_validate(data)
