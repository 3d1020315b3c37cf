"""Every fuzz case keeps the contract: its documented exit code (never 1), a message naming the
file, no traceback, no half-written output, no input touched (see tests/fuzz/harness.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.fuzz.corpus import cases
from tests.fuzz.harness import Case, execute

CASES = cases()


def test_the_corpus_is_large_and_covers_both_problems_and_every_command() -> None:
    assert len(CASES) >= 300
    commands = Counter(c.id.split("/")[0].removeprefix("subprocess/") for c in CASES)
    seen = {c.id.split("/")[1] if c.id.startswith("subprocess/") else c.id.split("/")[0]
            for c in CASES}
    wanted = {f"sourcing-{v}" for v in ("solve", "check", "convert", "frontier", "generate")}
    wanted |= {f"routing-{v}" for v in ("solve", "check", "convert", "plot", "generate")}
    assert wanted <= {s.split("--")[0] for s in seen} | set(commands), wanted - seen
    assert len({c.klass for c in CASES}) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    reason = case.skip() if case.skip else None
    if reason:
        pytest.skip(reason)
    outcome = execute(case, tmp_path)
    head = "\n".join(outcome.output.strip().splitlines()[:12])
    assert not outcome.problems, f"{'; '.join(outcome.problems)}\n--- output ---\n{head}"
