"""Imports go one way: optimizer -> models, never back."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(folder: str) -> list[tuple[Path, str]]:
    found = []
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(path, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((path, node.module))
    return found


def test_models_never_import_optimizer() -> None:
    assert [f"{p}: {n}" for p, n in _imports("models") if n.split(".")[0] == "optimizer"] == []


def test_application_uses_only_the_public_model_api() -> None:
    """optimizer/ and benchmarks/ import models.sourcing, models.routing, models.network,
    models.integrated, models.solver, models.tables (the table rules the problems share) and
    models.search_processes (where search processes start: light, so that the command line
    can start them before it imports the engines), never a module inside a problem package."""
    public = {"models.sourcing", "models.routing", "models.network", "models.integrated",
              "models.solver", "models.tables", "models.search_processes"}
    offenders = [f"{p}: {n}" for folder in ("optimizer", "benchmarks")
                 for p, n in _imports(folder) if n.startswith("models") and n not in public]
    assert offenders == []


def test_checker_shares_no_code_with_the_formulation() -> None:
    source = (ROOT / "models" / "sourcing" / "checker.py").read_text()
    tree = ast.parse(source)
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not any("formulation" in m or m.endswith(".plan_kpis") for m in imported)
    assert "rules_for" not in source and "breaks_by_offer" not in source


def test_network_checker_shares_no_code_with_the_formulation() -> None:
    """The network checker reads the instance and the plan only: none of the modules that
    build, solve or assemble plans."""
    tree = ast.parse((ROOT / "models" / "network" / "checker.py").read_text())
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    forbidden = {"formulation", "lanes", "assemble", "lp_guided", "structure", "solve", "cflp"}
    assert not {m for m in imported if m.rsplit(".", 1)[-1].split("_")[0] in forbidden}
