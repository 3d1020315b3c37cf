"""Result folders: ``plan.json``, its CSV tables and ``plan.xlsx``, written as a whole; and
reading a result JSON back."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError

from optimizer.errors import InputError
from optimizer.formats.tables import decode_text, read_bytes
from optimizer.output_folder import PLAN_MARKERS, staged_folder


def write_result_folder(
    out_dir: Path | str, documents: Mapping[str, Any], frames: Mapping[str, pd.DataFrame],
    inputs: Iterable[Path | str] = (), workbook: str | None = "plan",
) -> list[Path]:
    """Replace ``out_dir`` as a whole by ``<name>.json`` per document, ``<name>.csv`` per frame
    and ``<workbook>.xlsx`` with one sheet per frame (see :mod:`optimizer.output_folder`:
    written in a temporary sibling and swapped in; an earlier result folder only). Returns the
    final paths: the JSON files, the CSV files, then the workbook."""
    out = Path(out_dir)
    with staged_folder(out, inputs, PLAN_MARKERS) as stage:
        names = write_result_files(stage, documents, frames, workbook)
    return [out / name for name in names]


def write_result_files(
    folder: Path, documents: Mapping[str, Any], frames: Mapping[str, pd.DataFrame],
    workbook: str | None = "plan",
) -> list[str]:
    """Write the files of a result into the existing (staging) ``folder``; returns their
    names. Plain writes: the folder as a whole is swapped in by the caller."""
    names = []
    for name, document in documents.items():
        names.append(f"{name}.json")
        (folder / names[-1]).write_text(json.dumps(document, indent=2) + "\n",
                                        encoding="utf-8")
    for name, frame in frames.items():
        names.append(f"{name}.csv")
        (folder / names[-1]).write_text(frame.to_csv(index=False), encoding="utf-8")
    if workbook is not None and frames:
        names.append(f"{workbook}.xlsx")
        write_workbook(folder / names[-1], frames)
    return names


def write_workbook(path: Path, frames: Mapping[str, pd.DataFrame]) -> None:
    """One sheet per frame (the frame's name, cut to Excel's 31 characters), a bold frozen
    header row, columns sized to their content. Text stays text: a cell ``=x`` is not a
    formula; NaN is an empty cell."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in frames.items():
        sheet = book.create_sheet(name[:31])
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in frame.itertuples(index=False):
            sheet.append([_excel_value(v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
        for i, column in enumerate(frame.columns, start=1):
            style = number_format(str(column))
            if style is not None:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                    if isinstance(cell.value, int | float):
                        cell.number_format = style
            longest = max([len(str(column)), *(len(str(v)) for v in frame[column].head(500))])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, longest + 2)
    buffer = io.BytesIO()  # a failing file write then fails once, here, not in zipfile
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


#: Column names (before a currency suffix) shown as money, shares and quantities in Excel.
_MONEY = re.compile(r"(cost|spend|unit_price|onboarding_cost|penalty|objective|best_bound|"
                    r"budget|expected_cost|var|cvar|fixed_cost|unit_cost|\w+_cost|last_mile)"
                    r"(_\w+)?")
_SHARE = re.compile(r".*(share|_rate|gap|utilisation)")
_QUANTITY = re.compile(r"(quantity|demand|purchased|units|shortage|delivered|spot|unmet|served|"
                       r"load|hours)(_\w+)?")


def number_format(column: str) -> str | None:
    """The Excel number format of a plan column by its name: money ``#,##0.00``, shares and
    rates ``0.0%``, quantities ``#,##0.##``; None leaves the General format."""
    if _SHARE.fullmatch(column):
        return "0.0%"
    if _MONEY.fullmatch(column):
        return "#,##0.00"
    if _QUANTITY.fullmatch(column):
        return "#,##0.##"
    return None


def _excel_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    return value


M = TypeVar("M", bound=BaseModel)


def read_result_json(path: Path | str, model: type[M]) -> M:
    """Read a ``plan.json`` (or the folder holding it) written by a result writer; errors name
    the file and the field."""
    path = Path(path)
    if path.is_dir():
        path = path / "plan.json"
    if not path.exists():
        raise InputError([f"{path}: no such file"])
    text = decode_text(read_bytes(path), path)  # a regular file only: a FIFO never blocks
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise InputError([f"{path}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}: "
                          f"{e['msg']}" for e in exc.errors(include_url=False)]) from None
