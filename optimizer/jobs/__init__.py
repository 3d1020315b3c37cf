"""Jobs: one solve of any problem kind from JSON data, in this process (:func:`run_job`) or in
a child process of its own that can be cancelled (:func:`run_isolated`). The service, the
batch command and the executors run these (docs: contract section 2)."""

from optimizer.jobs.isolated import run_isolated
from optimizer.jobs.run import run_job
from optimizer.jobs.spec import (
    JobError,
    JobKind,
    JobOptions,
    JobOutcome,
    JobProgress,
    JobSpec,
    NetworkJobOptions,
    PlanJobOptions,
    RoutingJobOptions,
    SourcingJobOptions,
    parse_options,
)

__all__ = [
    "JobError",
    "JobKind",
    "JobOptions",
    "JobOutcome",
    "JobProgress",
    "JobSpec",
    "NetworkJobOptions",
    "PlanJobOptions",
    "RoutingJobOptions",
    "SourcingJobOptions",
    "parse_options",
    "run_isolated",
    "run_job",
]
