"""What a benchmark result was measured with: library versions, git commit, CPU, Python.

Every result file the harness writes carries it: a block under the Markdown title, and columns
(``commit``, ``cpu``, ``python``, ``libraries``) on every CSV row, so a number can always be
traced to the code and the machine that produced it.
"""

from __future__ import annotations

import os
import platform
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from optimizer.settings import REPO_ROOT

#: The libraries whose versions decide the numbers (solvers first).
LIBRARIES = ("supply-network-optimizer", "highspy", "pulp", "ortools", "pyvrp", "vrplib",
             "numpy", "pandas", "pydantic")


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else the platform's word)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def git_commit() -> str:
    """The checkout's commit (short hash), with ``+dirty`` when tracked files differ from it;
    ``unknown`` outside a git checkout."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO_ROOT,
                              capture_output=True, text=True, check=True, timeout=10).stdout
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO_ROOT, capture_output=True, text=True, check=True,
                               timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head.strip() + ("+dirty" if dirty.strip() else "")


def library_versions() -> dict[str, str]:
    """Installed version of each of :data:`LIBRARIES` (``missing`` when not installed)."""
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


@cache
def run_metadata() -> dict[str, str]:
    """Commit, CPU model and count, Python and library versions of this run."""
    return {
        "commit": git_commit(),
        "cpu": f"{cpu_model()} ({os.cpu_count()} logical CPUs)",
        "python": f"{platform.python_implementation()} {platform.python_version()} on "
                  f"{platform.system()} {platform.machine()}",
        "libraries": "; ".join(f"{k} {v}" for k, v in library_versions().items()),
    }


def metadata_markdown() -> str:
    """The metadata as a Markdown list (goes under a report's title)."""
    meta = run_metadata()
    return "\n".join(f"- {key}: {value}" for key, value in meta.items()) + "\n"


def with_metadata(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the metadata as trailing columns on every row."""
    return frame.assign(**run_metadata())
