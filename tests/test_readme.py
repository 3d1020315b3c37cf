"""The README's Python examples run as scripts (each in a fresh interpreter, from the
repository root), as a newcomer would paste them into a file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_the_readme_has_its_library_examples() -> None:
    assert len(BLOCKS) >= 2
    assert any("SourcingInstance.from_frames" in b and "to_frames" in b for b in BLOCKS)
    assert any("RoutingInstance.from_frames" in b and "to_frames" in b for b in BLOCKS)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_a_readme_example_runs_as_a_script(tmp_path: Path, index: int) -> None:
    script = tmp_path / f"example_{index}.py"
    script.write_text(BLOCKS[index])
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
