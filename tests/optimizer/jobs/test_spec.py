"""Job options mirror the CLI solve commands (names, defaults, ranges); bad options are invalid
input naming the field; a job error travels as its JSON object."""

from __future__ import annotations

import inspect
import pickle
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from optimizer.cli import network, plan, routing, sourcing
from optimizer.errors import InputError
from optimizer.jobs import (
    JobError,
    JobKind,
    JobSpec,
    NetworkJobOptions,
    PlanJobOptions,
    RoutingJobOptions,
    SourcingJobOptions,
    parse_options,
)

COMMANDS = {
    JobKind.SOURCING: (sourcing.solve_command, SourcingJobOptions),
    JobKind.ROUTING: (routing.solve_command, RoutingJobOptions),
    JobKind.NETWORK: (network.solve_command, NetworkJobOptions),
    JobKind.PLAN: (plan.solve_command, PlanJobOptions),
}
#: Job options named otherwise than their flag, or with another default (documented).
RENAMED = {"scenarios": "scenario"}
OWN_DEFAULT = {(JobKind.ROUTING, "workers"): 1}  # a job must not take every core


def _flags(command: Any) -> dict[str, tuple[Any, float | None, float | None]]:
    """The command's options: name -> (default, min, max)."""
    function = inspect.unwrap(command)
    hints = typing.get_type_hints(function, include_extras=True)
    out = {}
    for name, parameter in inspect.signature(function).parameters.items():
        info = next(iter(getattr(hints[name], "__metadata__", ())), None)
        default = getattr(parameter.default, "value", parameter.default)
        out[name] = (default, getattr(info, "min", None), getattr(info, "max", None))
    return out


def _range(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    """The option's (minimum, maximum) from the model's JSON Schema (as clients see it)."""
    prop = model.model_json_schema()["properties"][name]
    for part in [prop, *prop.get("anyOf", [])]:
        if "minimum" in part or "maximum" in part:
            return part.get("minimum"), part.get("maximum")
    return None, None


@pytest.mark.parametrize("kind", list(JobKind))
def test_options_have_the_flags_names_defaults_and_ranges(kind: JobKind) -> None:
    command, model = COMMANDS[kind]
    flags = _flags(command)
    defaults = model()
    for name in model.model_fields:
        flag = RENAMED.get(name, name)
        if name == "all_scenarios" or flag in flags:
            default, low, high = flags[flag]
            expected = OWN_DEFAULT.get((kind, name), default)
            got = getattr(defaults, name)
            assert got == (expected or [] if name == "scenarios" else expected), name
            if name != "workers" or kind != JobKind.ROUTING:
                assert _range(model, name) == (low, high), name
        else:
            pytest.fail(f"{kind}: option {name} is not a flag of the solve command")


def test_defaults_from_none_or_empty() -> None:
    assert parse_options("routing", None) == RoutingJobOptions()
    assert parse_options(JobKind.SOURCING, {}) == SourcingJobOptions()
    assert parse_options("plan", {"scenarios": ["a"], "route_seconds": 1}).scenarios == ["a"]


@pytest.mark.parametrize(("kind", "options", "field"), [
    ("sourcing", {"gap": 2}, "gap"),
    ("sourcing", {"time_limit": 0}, "time_limit"),
    ("sourcing", {"solver": "gurobi"}, "solver"),
    ("routing", {"seed": -1}, "seed"),
    ("routing", {"workers": 0}, "workers"),
    ("routing", {"engine": "fast"}, "engine"),
    ("network", {"outbound": "trucks"}, "outbound"),
    ("network", {"method": "lp"}, "method"),
    ("plan", {"route_seconds": 0.01}, "route_seconds"),
    ("plan", {"scenarios": "north"}, "scenarios"),
])
def test_bad_options_name_the_field(kind: str, options: dict, field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_options(kind, options)
    assert caught.value.problems[0].startswith(f"options: field '{field}'")


def test_unknown_options_and_non_objects_are_refused() -> None:
    with pytest.raises(InputError) as caught:
        parse_options("routing", {"time_limit": 1, "log": True, "out": "/tmp/x"})
    assert caught.value.problems == ["options: field 'log': unknown option",
                                     "options: field 'out': unknown option"]
    with pytest.raises(InputError, match="options: must be an object"):
        parse_options("routing", [1])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown kind 'fleet'"):
        parse_options("fleet", {})


def test_options_are_frozen() -> None:
    options = RoutingJobOptions()
    with pytest.raises(ValueError):
        options.seed = 3  # type: ignore[misc]


def test_job_error_json_and_pickling() -> None:
    error = JobError(2, "invalid input", ["request: stops[3]: field 'delivery': bad"])
    assert error.to_json() == {"code": 2, "error": "invalid input",
                               "problems": ["request: stops[3]: field 'delivery': bad"]}
    back = pickle.loads(pickle.dumps(error))
    assert (back.code, back.error, back.problems) == (2, "invalid input", error.problems)
    assert JobError.invalid(["x"]).to_json() == {"code": 2, "error": "invalid input",
                                                 "problems": ["x"]}


def test_spec_defaults_and_kind() -> None:
    spec = JobSpec(kind="routing", instance={"name": "x"})
    assert spec.kind is JobKind.ROUTING and spec.options == {} and spec.label == "request"
    with pytest.raises(ValueError):
        JobSpec(kind="fleet", instance={})
