"""Shared test fixtures: paths to shipped examples and test fixture files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
INSTANCES = ROOT / "instances"


@pytest.fixture
def sourcing_fixtures() -> Path:
    """tests/fixtures/sourcing."""
    return FIXTURES / "sourcing"


@pytest.fixture
def sourcing_instances() -> Path:
    """instances/sourcing (the shipped examples)."""
    return INSTANCES / "sourcing"
