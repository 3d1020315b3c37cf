"""Result folders: ``plan.json`` and its CSV tables, and reading a result JSON back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from optimizer.atomic import atomic_write_text
from optimizer.errors import InputError


def write_result_folder(
    out_dir: Path | str, documents: Mapping[str, Any], frames: Mapping[str, pd.DataFrame]
) -> list[Path]:
    """Write ``<name>.json`` per document and ``<name>.csv`` per frame into ``out_dir``, each
    file atomically; returns the paths in that order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in documents.items():
        written.append(out / f"{name}.json")
        atomic_write_text(written[-1], json.dumps(document, indent=2) + "\n")
    for name, frame in frames.items():
        written.append(out / f"{name}.csv")
        atomic_write_text(written[-1], frame.to_csv(index=False))
    return written


M = TypeVar("M", bound=BaseModel)


def read_result_json(path: Path | str, model: type[M]) -> M:
    """Read a ``plan.json`` (or the folder holding it) written by a result writer; errors name
    the file and the field."""
    path = Path(path)
    if path.is_dir():
        path = path / "plan.json"
    if not path.exists():
        raise InputError([f"{path}: no such file"])
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise InputError([f"{path}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: "
                          f"{e['msg']}" for e in exc.errors(include_url=False)]) from None
