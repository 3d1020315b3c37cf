"""Dependencies: every import is declared, every declaration is bounded, and constraints.txt
pins the whole installed closure that CI and the benchmarks use."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import packages_distributions, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.dependencies import ROOT, closure, declared, pins

LOCAL = {"optimizer", "models", "benchmarks", "tests"}
#: Solver libraries whose internals the models use: bounded below the next release that may
#: change them, whatever their version number says.
INTERNALS = {"pulp", "highspy", "ortools", "pyvrp"}
#: Distributions that come pinned with a declared one (pydantic requires one exact
#: pydantic-core, whose public errors, e.g. PydanticCustomError, the models raise).
PINNED_BY = {"pydantic-core": "pydantic"}


def _top_level_imports(folder: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(str(path.relative_to(ROOT)))
    return found


def _undeclared(folder: str, allowed: set[str]) -> list[str]:
    owners = packages_distributions()
    problems = []
    for module, where in sorted(_top_level_imports(folder).items()):
        if module in LOCAL or module in sys.stdlib_module_names or module == "__future__":
            continue
        dists = {PINNED_BY.get(canonicalize_name(d), canonicalize_name(d))
                 for d in owners.get(module, [])}
        if not dists & allowed:
            problems.append(f"{module} (imported in {where[0]}) comes from {sorted(dists)}, "
                            "which pyproject.toml does not declare")
    return problems


def test_every_import_of_the_product_and_the_harness_is_a_declared_dependency() -> None:
    runtime = {canonicalize_name(r.name) for r in declared()}
    assert [p for folder in ("optimizer", "models", "benchmarks")
            for p in _undeclared(folder, runtime)] == []


def test_every_import_of_the_tests_is_a_runtime_or_dev_dependency() -> None:
    allowed = {canonicalize_name(r.name) for r in declared() + declared("dev")}
    assert _undeclared("tests", allowed) == []


def _bounds(req: Requirement) -> tuple[bool, bool]:
    lower = any(s.operator in (">=", ">", "==", "~=") for s in req.specifier)
    upper = any(s.operator in ("<", "<=", "==", "~=") for s in req.specifier)
    return lower, upper


def test_every_dependency_has_a_lower_bound() -> None:
    assert [str(r) for r in declared() + declared("dev") if not _bounds(r)[0]] == []


def test_zero_x_and_internals_dependent_libraries_have_an_upper_bound() -> None:
    needy = [r for r in declared() + declared("dev")
             if canonicalize_name(r.name) in INTERNALS or Version(version(r.name)).major == 0]
    assert {canonicalize_name(r.name) for r in needy} >= INTERNALS | {"typer", "tabulate"}
    assert [str(r) for r in needy if not _bounds(r)[1]] == []


def test_installed_versions_satisfy_the_declared_ranges() -> None:
    assert [f"{r} (installed {version(r.name)})" for r in declared() + declared("dev")
            if not r.specifier.contains(version(r.name), prereleases=True)] == []


def test_tabulate_is_a_runtime_dependency_since_the_benchmark_reports_need_it() -> None:
    assert "tabulate" in {canonicalize_name(r.name) for r in declared()}


def test_constraints_pin_exactly_the_installed_closure() -> None:
    """constraints.txt = every runtime and dev dependency, transitively, at the installed
    version (refresh it with ``python -m tests.dependencies > constraints.txt``)."""
    want = closure(declared() + declared("dev"))
    got = pins()
    assert sorted(set(want) - set(got)) == [], "missing from constraints.txt"
    assert sorted(set(got) - set(want)) == [], "pinned but not needed"
    assert {n: (got[n], v) for n, v in want.items() if got[n] != v} == {}


def test_ci_and_the_benchmark_docs_install_with_the_constraints() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "-c constraints.txt" in ci
    assert "-c constraints.txt" in (ROOT / "benchmarks" / "README.md").read_text()


def test_constraints_file_is_at_the_repository_root() -> None:
    assert Path(ROOT / "constraints.txt").is_file()
