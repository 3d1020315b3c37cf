"""What a job is: its kind, its options (the CLI solve command's, validated once), its progress,
its outcome and its error (docs: contract section 2).

The options of each kind carry the names, defaults and ranges of the ``optimizer KIND solve``
flags (snake_case). Options that only make sense on a terminal or for files (``--log``,
``--json``, ``--out``, ``--format``) are not job options; a job's routing searches default to
one worker (a service job must not take every core).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from models.routing import FIRST_SOLUTION, MAX_SEED, METAHEURISTIC, Engine
from optimizer.errors import ExitCode, InputError


class JobKind(StrEnum):
    """The problem kinds a job solves (one per ``optimizer KIND solve`` command)."""

    SOURCING = "sourcing"
    ROUTING = "routing"
    NETWORK = "network"
    PLAN = "plan"


class _Options(BaseModel):
    # strict: JSON true is not 1 s, "2" is not 2, "yes" is not true (an integer is a float)
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


#: The values ``optimizer routing solve`` accepts (the routing model's own tables).
FirstSolution = Literal[tuple(FIRST_SOLUTION)]  # type: ignore[valid-type]
Metaheuristic = Literal[tuple(METAHEURISTIC)]  # type: ignore[valid-type]

Seconds = Annotated[float, Field(ge=0.001, allow_inf_nan=False)]
Gap = Annotated[float, Field(ge=0.0, le=0.999, allow_inf_nan=False)]


class SourcingJobOptions(_Options):
    """``optimizer sourcing solve`` options."""

    solver: Literal["highs", "cbc"] = "highs"
    time_limit: Seconds | None = Field(default=None, description="Seconds (none: no limit).")
    gap: Gap = Field(default=0.0, description="Relative gap at which to stop (0 = prove "
                                              "optimality).")
    threads: Annotated[int, Field(ge=1)] | None = None
    seed: int = Field(default=0, description="Solver random seed.")
    marginals: bool = Field(default=False, description="Also report marginal values of "
                                                       "capacities, demands and share caps.")


class RoutingJobOptions(_Options):
    """``optimizer routing solve`` options (``workers`` defaults to 1 here)."""

    time_limit: Annotated[float, Field(ge=0.1, le=7 * 86400, allow_inf_nan=False)] | None = \
        Field(default=10.0, description="Seconds (at most a week).")
    solution_limit: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Stop after this many solutions (reproducible).")
    first_solution: FirstSolution = Field(  # type: ignore[valid-type]
        default="auto", description=", ".join(FIRST_SOLUTION) + ".")
    metaheuristic: Metaheuristic = Field(  # type: ignore[valid-type]
        default="gls", description=", ".join(METAHEURISTIC) + ".")
    engine: Engine = "auto"
    workers: Annotated[int, Field(ge=1)] = Field(
        default=1, description="Independent searches run at once (processes).")
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = Field(
        default=0, description="Seed of the first search.")


class NetworkJobOptions(_Options):
    """``optimizer network solve`` options."""

    method: Literal["auto", "milp", "facility-location"] = "auto"
    outbound: Literal["rates", "routes"] | None = Field(
        default=None, description="Overrides the instance's network_policy.outbound.")
    solver: Literal["highs", "cbc"] = "highs"
    time_limit: Seconds | None = None
    gap: Gap = 0.0
    threads: Annotated[int, Field(ge=1)] | None = None
    seed: int = 0


class PlanJobOptions(_Options):
    """``optimizer plan solve`` options (``scenarios`` for ``--scenario``, repeated)."""

    scenarios: list[str] = Field(default_factory=list, description="Also solve these "
                                                                   "scenarios.")
    all_scenarios: bool = False
    time_limit: Seconds | None = Field(default=None, description="Seconds for the network "
                                                                 "solve.")
    route_seconds: Annotated[float, Field(ge=0.1, allow_inf_nan=False)] = Field(
        default=5.0, description="Seconds for the routing search of each DC's day.")
    gap: Gap = 0.0
    seed: Annotated[int, Field(ge=0)] = 0


JobOptions = SourcingJobOptions | RoutingJobOptions | NetworkJobOptions | PlanJobOptions

#: The options model of each kind.
OPTIONS: dict[JobKind, type[_Options]] = {
    JobKind.SOURCING: SourcingJobOptions,
    JobKind.ROUTING: RoutingJobOptions,
    JobKind.NETWORK: NetworkJobOptions,
    JobKind.PLAN: PlanJobOptions,
}


def job_kind(kind: JobKind | str) -> JobKind:
    """``kind`` as a :class:`JobKind`; :class:`InputError` for an unknown one."""
    try:
        return JobKind(kind)
    except ValueError:
        raise InputError([f"unknown kind {kind!r}; use "
                          f"{', '.join(k.value for k in JobKind)}"]) from None


def parse_options(kind: JobKind | str, data: dict[str, Any] | None) -> JobOptions:
    """The options of a ``kind`` job from JSON data (None or {} = the defaults); raises
    :class:`InputError` with one problem per bad field (``options: field 'gap': ...``)."""
    model = OPTIONS[job_kind(kind)]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([f"options: must be an object, not {type(data).__name__}"])
    try:
        return model.model_validate(data)  # type: ignore[return-value]
    except ValidationError as exc:
        raise InputError([_problem(err) for err in exc.errors(include_url=False)]) from None


def _problem(err: Any) -> str:
    loc = [str(part) for part in err["loc"]]
    field = loc[0] if loc else ""
    rest = "".join(f"[{p}]" for p in loc[1:])
    if err["type"] == "extra_forbidden":
        return f"options: field '{field}{rest}': unknown option"
    return f"options: field '{field}{rest}': {err['msg']}"


class JobSpec(BaseModel):
    """One job: the instance as its native JSON data, the options as JSON data (validated by
    :func:`parse_options` when the job runs or is submitted) and a label naming the instance
    in error messages (instead of a file name)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: JobKind
    instance: dict[str, Any]
    options: dict[str, Any] = Field(default_factory=dict)
    label: str = "request"


class JobProgress(BaseModel):
    """How far a running job is: seconds since it started, the best cost so far, the best
    bound and the relative gap (HiGHS MIPs), and a short message."""

    model_config = ConfigDict(frozen=True)

    elapsed: float
    best: float | None = None
    bound: float | None = None
    gap: float | None = None
    message: str = ""


class JobOutcome(BaseModel):
    """A finished job. ``plan`` is exactly the JSON the CLI writes as plan.json (and prints
    with --json); ``report_html`` is its report.html. Infeasible and no-plan outcomes are
    outcomes (``exit_code`` 3 / 4), not errors."""

    model_config = ConfigDict(frozen=True)

    kind: JobKind
    #: A :class:`models.solver.SolveStatus` value.
    status: str
    #: The CLI's exit code for this outcome: 0 plan, 3 infeasible, 4 no plan (ExitCode).
    exit_code: int
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float
    plan: dict[str, Any]
    report_html: str | None = None
    summary: str


class JobError(Exception):
    """A job that produced no outcome. ``code`` is the CLI's exit code: 2 invalid input
    (instance or options), 5 the plan failed the independent check, 1 internal error, 130
    cancelled."""

    def __init__(self, code: int, error: str, problems: list[str] | None = None) -> None:
        super().__init__(error if not problems else f"{error}: " + "; ".join(problems))
        self.code = int(code)
        self.error = error
        self.problems = list(problems or [])

    def __reduce__(self) -> tuple[Any, ...]:  # travels back from a worker process intact
        return (JobError, (self.code, self.error, self.problems))

    def to_json(self) -> dict[str, Any]:
        """``{"code": 2, "error": "invalid input", "problems": [...]}``."""
        return {"code": self.code, "error": self.error, "problems": list(self.problems)}

    @classmethod
    def invalid(cls, problems: list[str]) -> JobError:
        """Invalid input (code 2)."""
        return cls(int(ExitCode.INVALID_INPUT), "invalid input", problems)
