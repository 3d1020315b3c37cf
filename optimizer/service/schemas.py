"""The service's JSON bodies as pydantic models (for the OpenAPI document and the answers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from optimizer.service.store import JobRecord, JobState

#: The request body of POST /v1/{kind}/jobs and /v1/{kind}/solve (documented in OpenAPI; the
#: body is read and checked by the service itself, so that errors name the field).
REQUEST_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object",
        "required": ["instance"],
        "additionalProperties": False,
        "properties": {
            "instance": {"type": "object", "description": "The instance in its native JSON "
                         "form (GET /v1/{kind}/schema)."},
            "options": {"type": "object", "description": "The solve options "
                        "(GET /v1/{kind}/options/schema); omitted = the defaults."},
        },
    }}},
}


class ErrorBody(BaseModel):
    """Every error: the CLI's exit code, one line, and the problems (record and field)."""

    code: int = Field(description="2 invalid input, 5 check failed, 1 internal error, "
                                  "130 cancelled/stopped")
    error: str
    problems: list[str] = Field(default_factory=list)


class JobLinks(BaseModel):
    """Where to find a job and its outputs."""

    model_config = ConfigDict(populate_by_name=True)

    self_: str = Field(alias="self")
    result: str
    report: str


class JobView(BaseModel):
    """A job as the API shows it (times in ISO 8601 UTC)."""

    id: str
    kind: str
    state: JobState
    created: str
    started: str | None = None
    finished: str | None = None
    attempt: int
    cancel_requested: bool
    options: dict[str, Any]
    progress: dict[str, Any] | None = Field(
        default=None, description="While running: elapsed, best, bound, gap, message.")
    status: str | None = Field(default=None, description="The solve status when done.")
    exit_code: int | None = Field(default=None, description="The CLI's exit code: 0 plan, "
                                  "3 infeasible, 4 no plan; a failed job's error code.")
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float | None = None
    summary: str | None = None
    error: ErrorBody | None = None
    worker: str | None = Field(default=None, description="host:pid of the worker process.")
    links: JobLinks

    @classmethod
    def of(cls, record: JobRecord) -> JobView:
        """The view of a stored job."""
        base = f"/v1/jobs/{record.id}"
        return cls(
            id=record.id, kind=record.kind, state=record.state, created=iso(record.created),
            started=iso(record.started), finished=iso(record.finished),
            attempt=record.attempt, cancel_requested=record.cancel_requested,
            options=record.options, progress=record.progress, status=record.status,
            exit_code=record.exit_code, objective=record.objective, bound=record.bound,
            gap=record.gap, seconds=record.seconds, summary=record.summary,
            error=ErrorBody(**record.error) if record.error else None, worker=record.worker,
            links=JobLinks(self_=base, result=f"{base}/result", report=f"{base}/report"))

    def json_data(self) -> dict[str, Any]:
        """JSON data (links.self by its name)."""
        return self.model_dump(mode="json", by_alias=True)


class JobList(BaseModel):
    """GET /v1/jobs."""

    jobs: list[JobView]


class Health(BaseModel):
    """GET /health."""

    status: str = Field(description="ok, or unavailable when the job store does not answer "
                                    "or the executor is broken (503)")
    version: str
    workers: int = Field(description="Jobs solved at once.")
    executor: str
    queue: int = Field(description="Jobs waiting.")
    running: int
    database: str
    executor_status: str = Field(default="ok", description="ok, or broken: jobs cannot run "
                                 "(problems says why; the details are in the service's log)")
    problems: list[str] = Field(default_factory=list)


def iso(seconds: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 UTC (millisecond precision)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")
