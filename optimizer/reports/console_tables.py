"""Rich table helpers shared by the terminal summaries (sourcing, network): status colours,
id columns that never get cut, numeric columns, percentages."""

from __future__ import annotations

from rich.table import Table

from models.solver import SolveStatus

STATUS_STYLE = {
    SolveStatus.OPTIMAL: "bold green",
    SolveStatus.FEASIBLE: "bold yellow",
    SolveStatus.INFEASIBLE: "bold red",
    SolveStatus.UNBOUNDED: "bold red",
    SolveStatus.NO_SOLUTION: "bold red",
}


def money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def unit(currency: str | None) -> str:
    """`` (EUR)`` for a column header, or nothing."""
    return f" ({currency})" if currency else ""


#: An id column is at least as wide as its longest id, up to this many characters (longer ids
#: fold onto a second line; no id is ever cut with an ellipsis).
ID_WIDTH = 32


def id_table(*ids: str, **kwargs: object) -> Table:
    """A table whose first ``len(ids)`` columns hold ids; call :func:`fit` once filled."""
    table = Table(pad_edge=False, **kwargs)  # type: ignore[arg-type]
    for name in ids:
        table.add_column(name, overflow="fold", min_width=len(name))
    return table


def fit(table: Table, ids: int) -> Table:
    """Widen the first ``ids`` columns to their longest id (up to :data:`ID_WIDTH`), so a
    narrow terminal squeezes the numbers, not the ids."""
    for column in table.columns[:ids]:
        longest = max((len(str(cell)) for cell in column.cells), default=0)
        column.min_width = max(column.min_width or 0, min(longest, ID_WIDTH))
    return table


def columns(table: Table, *names: str, numeric: bool = True) -> Table:
    """Add columns (numbers right-aligned); text folds rather than being cut."""
    for name in names:
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    return table


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}%}"
