"""Property tests: arbitrary input never crashes validation; every returned plan is checked."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.sourcing import SolverOptions, SolveStatus, check_plan, solve
from optimizer.errors import InputError
from optimizer.formats.sourcing import read_sourcing_instance

SUPPLIERS = ["A", "B", "C"]
PRODUCTS = ["P", "Q"]
numbers = st.one_of(st.floats(-5, 200, allow_nan=False), st.integers(-3, 200))
maybe = st.one_of(st.none(), numbers, st.text(max_size=3), st.booleans())


@st.composite
def instance_dicts(draw: st.DrawFn, valid_shape: bool) -> dict[str, Any]:
    value = st.floats(0, 50, allow_nan=False) if valid_shape else maybe
    rate = st.floats(0, 1) if valid_shape else maybe
    demand = st.one_of(st.just(0), st.integers(1, 40)) if valid_shape else maybe
    products = [{"id": p, "demand": draw(demand)} for p in PRODUCTS]
    if draw(st.booleans()):
        products[0]["shortage_penalty"] = draw(st.floats(0, 30) if valid_shape else maybe)
    suppliers = [{"id": s, "region": draw(st.sampled_from(["X", "Y"])),
                  "onboarding_cost": draw(value)} for s in SUPPLIERS]
    if draw(st.booleans()):
        suppliers[0]["capacity"] = draw(value)
    offers = []
    for p in PRODUCTS:
        for k, s in enumerate(SUPPLIERS):
            if (valid_shape and k < 2) or draw(st.booleans()):
                offers.append({"supplier": draw(st.sampled_from([*SUPPLIERS, "Z"]))
                               if not valid_shape else s, "product": p,
                               "unit_price": draw(value),
                               "moq": draw(st.floats(0, 8) if valid_shape else maybe),
                               "capacity": draw(st.one_of(st.none(), value)),
                               "defect_rate": draw(rate), "on_time_rate": draw(rate),
                               "lead_time_days": draw(value)})
    breaks = []
    if offers and draw(st.booleans()):
        o = offers[0]
        breaks.append({"supplier": o["supplier"], "product": o["product"],
                       "min_quantity": draw(st.floats(1, 30) if valid_shape else maybe),
                       "unit_price": draw(st.floats(0, 1)) * o["unit_price"]
                       if valid_shape else draw(value)})
    policy = {
        "max_supplier_share": draw(st.one_of(st.none(), st.floats(0.3, 1.0))),
        "min_suppliers": draw(st.one_of(st.none(), st.integers(0, 2))),
        "min_share": draw(st.one_of(st.none(), st.floats(0, 0.4))),
        "max_region_share": draw(st.one_of(st.none(), st.floats(0.5, 1.0))),
        "max_defect_rate": draw(st.one_of(st.none(), rate)),
        "budget": draw(st.one_of(st.none(), st.floats(0, 3000))),
        "whole_units": draw(st.booleans()),
    }
    data = {"products": products, "suppliers": suppliers, "offers": offers,
            "price_breaks": breaks, "policy": {k: v for k, v in policy.items() if v is not None}}
    if draw(st.booleans()):  # disruption scenarios
        for product in products:
            product["spot_price"] = draw(st.floats(0, 80) if valid_shape else maybe)
        data["scenarios"] = [{"id": "s1", "probability": draw(st.floats(0.01, 0.5))
                              if valid_shape else draw(maybe)},
                             {"id": "s2", "probability": draw(st.floats(0.01, 0.5))}]
        data["disruptions"] = [
            {"scenario": "s1", "supplier": "A", "capacity_loss": draw(rate)},
            {"scenario": "s2", "region": draw(st.sampled_from(["X", "Y"])),
             "capacity_loss": draw(rate),
             "price_multiplier": draw(st.floats(0.5, 2) if valid_shape else maybe)}]
        data["risk"] = {"alpha": draw(st.floats(0, 0.99) if valid_shape else maybe),
                        "cvar_weight": draw(rate)}
    return data


def _read(data: dict[str, Any]):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.json"
        path.write_text(json.dumps(data))
        return read_sourcing_instance(path)


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(instance_dicts(valid_shape=False))
def test_validation_never_crashes(data: dict[str, Any]) -> None:
    try:
        _read(data)
    except InputError as exc:
        assert exc.problems and all(p.startswith("/") for p in exc.problems)


@settings(max_examples=200, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(instance_dicts(valid_shape=True))
def test_every_returned_plan_passes_the_checker(data: dict[str, Any]) -> None:
    try:
        inst = _read(data)
    except InputError:
        return  # e.g. a price break above the base price: rejected, with a message
    plan = solve(inst, SolverOptions(seed=1))
    if plan.solve.status.has_solution:
        assert check_plan(inst, plan).ok
    elif plan.solve.status == SolveStatus.INFEASIBLE:
        # the elastic re-solve must find a rule to break: an infeasible verdict (including a
        # pre-check) with nothing to relax would be a false alarm
        assert plan.explanation is not None and plan.explanation.relaxations, plan
