"""Imports go one way: optimizer -> models, never back."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_models_never_import_optimizer() -> None:
    offenders = []
    for path in (ROOT / "models").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] == "optimizer"]
    assert offenders == []


def test_checker_shares_no_code_with_the_formulation() -> None:
    source = (ROOT / "models" / "sourcing" / "checker.py").read_text()
    tree = ast.parse(source)
    imported = {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert not any("formulation" in m or m.endswith(".plan_kpis") for m in imported)
    assert "rules_for" not in source and "breaks_by_offer" not in source
