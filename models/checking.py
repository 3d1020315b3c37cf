"""What every independent checker reports: violations with a stable rule code and a size.

Shared by the checkers of every model (it holds no model logic, so a checker stays independent
of the formulation it checks)."""

from __future__ import annotations

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
