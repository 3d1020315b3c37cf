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


class InputError(Exception):
    """Bad input. ``problems`` are complete sentences naming the file, the record and the field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
