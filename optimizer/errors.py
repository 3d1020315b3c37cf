"""Errors the application reports to users, and the CLI's exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the ``optimizer`` command (documented in docs/sourcing-format.md)."""

    OK = 0
    INTERNAL_ERROR = 1
    INVALID_INPUT = 2
    INFEASIBLE = 3
    NO_SOLUTION = 4
    CHECK_FAILED = 5
    #: The plan could not be written (disk full, folder not writable); nothing half-written.
    OUTPUT_FAILED = 6
    #: Benchmark data (``OPTIMIZER_BENCH_DATA`` / ``../shared/bench-data``) is missing.
    MISSING_DATA = 7
    #: ``optimizer batch`` ran, but some instance failed or has no plan (see results.csv).
    BATCH_INCOMPLETE = 8
    #: Stopped by Ctrl-C / SIGTERM with no plan to keep; nothing was written (a sourcing solve
    #: that has an incumbent keeps it, says so, and exits 0).
    INTERRUPTED = 130


class InputError(Exception):
    """Bad input. ``problems`` are complete sentences naming the file, the record and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class OutputError(Exception):
    """An output path that cannot be used or written; ``problems`` name the path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


#: At most this many problems are listed; the rest are counted.
MAX_LISTED_PROBLEMS = 50
