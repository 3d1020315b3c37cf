"""The project's declared dependencies and their installed closure (for constraints.txt).

``python -m tests.dependencies`` prints the pins of every runtime and dev dependency,
transitively, at the versions installed now: the body of constraints.txt.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def declared(extra: str | None = None) -> list[Requirement]:
    """The runtime requirements of pyproject.toml, or those of one extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    items = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(r) for r in items]


def closure(requirements: list[Requirement]) -> dict[str, str]:
    """Canonical name -> installed version of the requirements and all they require
    (extras followed, environment markers evaluated here)."""
    found: dict[str, str] = {}
    todo = [(r, frozenset(r.extras)) for r in requirements]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        if (name, extras) in done:
            continue
        done.add((name, extras))
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            found[name] = "missing"
            continue
        found[name] = dist.version
        for text in dist.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e})
                                         for e in ("", *extras)):
                todo.append((sub, frozenset(sub.extras)))
    return found


def pins() -> dict[str, str]:
    """Canonical name -> pinned version in constraints.txt."""
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            found[canonicalize_name(name)] = pinned.strip()
    return found


def main() -> None:
    """Print the constraints (the installed closure of runtime + dev dependencies)."""
    installed = closure(declared() + declared("dev"))
    for name in sorted(installed):
        sys.stdout.write(f"{distribution(name).metadata['Name']}=={installed[name]}\n")


if __name__ == "__main__":
    main()
