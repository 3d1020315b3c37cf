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
    heads = {c.id.removeprefix("subprocess/").split("/")[0].split("--")[0] for c in CASES}
    wanted = {f"sourcing-{v}" for v in ("solve", "check", "convert", "frontier", "generate")}
    wanted |= {f"routing-{v}" for v in ("solve", "check", "convert", "plot", "generate")}
    assert wanted <= heads, wanted - heads
    classes = Counter(c.klass for c in CASES)
    assert len(classes) >= 25 and min(classes.values()) >= 2
    assert sum(c.subprocess for c in CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    reason = case.skip() if case.skip else None
    if reason:
        pytest.skip(reason)
    outcome = execute(case, tmp_path)
    head = "\n".join(outcome.output.strip().splitlines()[:12])
    assert not outcome.problems, f"{'; '.join(outcome.problems)}\n--- output ---\n{head}"


def test_the_runner_reports_every_broken_promise(tmp_path: Path) -> None:
    """The checks can fail: a wrong code, an unnamed file, a touched input, a half-written
    output and a failed post-check are each reported."""
    from tests.fuzz.corpus import SOURCING_JSON
    from tests.fuzz.harness import Run

    def truncated(d: Path) -> Run:
        inst = d / "inst.json"
        inst.write_text(SOURCING_JSON.read_text()[:50])
        return Run(["sourcing", "solve", str(inst)], (0,), ("other-name.json",), (inst,))

    got = execute(Case("t/code", "k", truncated), tmp_path / "a")
    assert got.code == 2 and got.problems == [
        "exit 2, expected 0", "the message does not name 'other-name.json'"]

    from tests.fuzz.harness import Outcome, snapshot, verdict

    touched = tmp_path / "touched.csv"
    touched.write_text("a\n")
    before = {str(touched): snapshot(touched)}
    touched.write_text("b\n")
    run = Run(["x"], (2,), ("touched.csv",), (touched,))
    assert verdict(run, Outcome(1, "Traceback (most recent call last)", 0.0), before, None) == [
        "exit 1, expected 2", "a traceback in the output", f"input {touched} was modified"]

    def half(d: Path) -> Run:
        (d / "out").mkdir()
        return Run(["sourcing", "solve", str(SOURCING_JSON), "--out", str(d / "out")], (0,),
                   (), (), d / "out", complete="no-such-file.json",
                   post=lambda: ["post-check ran"])

    got = execute(Case("t/out", "k", half), tmp_path / "c")
    assert got.problems == [f"exit 0 but {tmp_path / 'c' / 'out'} has no no-such-file.json"]

    def post(d: Path) -> Run:
        return Run(["sourcing", "solve", str(SOURCING_JSON)], (0,), (), (),
                   post=lambda: ["post-check ran"])

    assert execute(Case("t/post", "k", post), tmp_path / "d").problems == ["post-check ran"]
