"""What every independent checker reports: violations with a stable rule code and a size.

Shared by the checkers of every model (it holds no model logic, so a checker stays independent
of the formulation it checks)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is a stable code, ``subject`` what it concerns, ``amount`` how
    far the plan is off (in the rule's own unit)."""

    rule: str
    subject: str
    message: str
    amount: float


@dataclass
class Report:
    """A list of violations; each model's checker extends it with what it recomputes."""

    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no rule is broken."""
        return not self.violations

    def rules(self) -> set[str]:
        """The codes of the broken rules."""
        return {v.rule for v in self.violations}

    def add(self, rule: str, subject: str, message: str, amount: float) -> None:
        """Record a violation."""
        self.violations.append(Violation(rule, subject, message, float(amount)))


def is_number(value: object) -> bool:
    """True for a finite int or float (NaN and ±inf are not numbers a plan may report)."""
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def agrees(reported: float | None, actual: float, tol: float) -> bool:
    """True when a reported figure equals the recomputed one within ``tol``. NaN and ±inf
    never agree with anything (not even themselves), so ``not agrees(...)`` is the test a
    checker uses: a comparison ``abs(a - b) > tol`` is False for NaN and lets it through."""
    if reported is None or not is_number(reported) or not is_number(actual):
        return False
    return abs(reported - actual) <= tol


def gap_amount(reported: float | None, actual: float) -> float:
    """How far a reported figure is off, for a violation's ``amount`` (inf when it is not a
    finite number)."""
    if reported is None or not is_number(reported) or not is_number(actual):
        return math.inf
    return reported - actual
