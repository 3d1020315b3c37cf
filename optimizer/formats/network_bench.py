"""Readers for the standard facility-location benchmark formats, as network instances.

* ``orlib-cap``: Beasley's OR-Library capacitated warehouse location files (cap41 ... cap134,
  capa/capb/capc). Layout: ``m n``; ``m`` lines ``capacity fixed_cost``; then per customer its
  demand followed by ``m`` costs (over as many lines as it takes). ``c_ij`` is the cost of
  serving **all** of customer j's demand from facility i, and demand may be split between
  facilities (multi-source). capa/capb/capc carry the literal word ``capacity`` instead of a
  number: the value comes from ``capacity`` (OR-Library: capa 8000/10000/12000/14000, capb
  5000/6000/7000/8000, capc 5000/5750/6500/7250); it must be given for those files and only for
  them.
* ``holmberg``: Holmberg, Rönnqvist & Yuan (1999) single-source CFLP p1 ... p71, the
  "formatted" layout of OR-Datasets: ``m n``; ``m`` capacities; ``m`` fixed costs; ``n``
  demands; then ``n`` rows of ``m`` costs (row j: the cost of assigning customer j to each
  facility). Every customer is served by exactly one facility.

Both become a network instance with one product ``P``, facilities ``F1..Fm`` (status
candidate, one size with the file's capacity and fixed cost), customers ``C1..Cn`` without
coordinates, one demand row per customer, and one ``lanes`` row per facility × customer with
``cost_per_unit = c_ij / d_j`` (every pair listed; no transport rates), so that serving all of
``d_j`` from ``i`` costs ``c_ij``. Holmberg sets ``network_policy.single_sourcing``.

A malformed file is an :class:`~optimizer.errors.InputError` naming the file and, where known,
the line (the house style of :mod:`optimizer.formats.routing_bench`).
:func:`published_optimum` gives the published optimal value of an instance by name
(``cap41``, ``capa_8000``, ``p1``) from the bench-data reference files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from models.network import NetworkInstance
from optimizer.errors import InputError
from optimizer.formats.routing_bench import _text
from optimizer.settings import require_bench_data

Format = Literal["orlib-cap", "holmberg"]
FORMATS: tuple[Format, ...] = ("orlib-cap", "holmberg")
#: The word capa/capb/capc carry in place of every facility capacity.
CAPACITY_WORD = "capacity"
#: The capacities OR-Library publishes optima for, per template file.
ORLIB_CAPACITIES: dict[str, tuple[float, ...]] = {
    "capa": (8000, 10000, 12000, 14000),
    "capb": (5000, 6000, 7000, 8000),
    "capc": (5000, 5750, 6500, 7250),
}
#: The product every benchmark instance has.
PRODUCT = "P"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class _Malformed(Exception):
    """A format error at a line (0: no single line)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _Tokens:
    """The words of a file with their line numbers, read in order."""

    def __init__(self, text: str) -> None:
        self._words = [(n, w) for n, line in enumerate(text.splitlines(), start=1)
                       for w in line.replace("\x00", " ").split()]
        self._next = 0

    @property
    def last_line(self) -> int:
        """The line of the last word (0 for an empty file)."""
        return self._words[-1][0] if self._words else 0

    def word(self, what: str) -> tuple[int, str]:
        """The next word and its line; the end of the file is an error naming ``what``."""
        if self._next >= len(self._words):
            raise _Malformed(self.last_line, f"the file ends where {what} was expected")
        found = self._words[self._next]
        self._next += 1
        return found

    def number(self, what: str, positive: bool = False, whole: bool = False) -> float:
        """The next word as a number (≥ 0, > 0 with ``positive``, an integer with ``whole``)."""
        line, word = self.word(what)
        if not _NUMBER.fullmatch(word):
            raise _Malformed(line, f"{word!r} is not a number ({what})")
        value = float(word)
        if value < 0 or (positive and value == 0):
            raise _Malformed(line, f"{what} must be {'above' if positive else 'at least'} 0, "
                                   f"found {word}")
        if whole and value != int(value):
            raise _Malformed(line, f"{what} must be a whole number, found {word}")
        return value

    def end(self) -> None:
        """Nothing may follow the data."""
        if self._next < len(self._words):
            line, word = self._words[self._next]
            raise _Malformed(line, f"unexpected {word!r} after the last customer's costs "
                                   f"(the header's counts say the data ends before it)")

    def rest(self) -> Iterator[tuple[int, str]]:
        """The words not read yet."""
        return iter(self._words[self._next:])


def read_network_benchmark(path: Path | str, fmt: Format, capacity: float | None = None,
                           name: str | None = None) -> NetworkInstance:
    """Read an OR-Library CFLP (``orlib-cap``) or Holmberg SSCFLP (``holmberg``) file as a
    network instance (see the module docstring for the mapping). ``capacity`` replaces the word
    ``capacity`` of capa/capb/capc and is refused for any other file. The instance is named
    ``name``, else the file's stem, with ``_<capacity>`` added when one was substituted
    (``capa_8000``, the name :func:`published_optimum` knows). Every problem is an
    :class:`InputError` naming the file and, where known, the line."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError([f"{path}: unknown benchmark format {fmt!r}; use "
                          f"{' or '.join(FORMATS)}"])
    if capacity is not None and not (0 <= capacity <= 1e9):
        raise InputError([f"{path}: --capacity must be between 0 and 10^9, found {capacity:g}"])
    text = _text(path)
    try:
        if fmt == "orlib-cap":
            data = _orlib(text, capacity)
        else:
            if capacity is not None:
                raise _Malformed(0, "--capacity applies only to the OR-Library files capa, "
                                    "capb and capc; a holmberg file states every capacity")
            data = _holmberg(text)
    except _Malformed as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise InputError([f"{path}: {where}not a valid {fmt} file: {exc}"]) from None
    stem = path.stem
    if capacity is not None:
        stem += f"_{capacity:g}"
    data["name"] = name or stem
    try:
        return NetworkInstance.model_validate(data)
    except ValidationError as exc:
        raise InputError([f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                          for e in exc.errors(include_url=False)]) from None


def _header(tokens: _Tokens) -> tuple[int, int]:
    m = int(tokens.number("the number of facilities", positive=True, whole=True))
    n = int(tokens.number("the number of customers", positive=True, whole=True))
    if m > 100_000 or n > 1_000_000:
        raise _Malformed(1, f"{m} facilities and {n} customers is beyond what is read "
                            f"(100,000 and 1,000,000)")
    return m, n


def _orlib(text: str, capacity: float | None) -> dict[str, Any]:
    tokens = _Tokens(text)
    m, n = _header(tokens)
    capacities, fixed = [], []
    word_lines: list[int] = []
    number_lines: list[int] = []
    for i in range(1, m + 1):
        line, word = tokens.word(f"the capacity of facility {i}")
        if word.lower() == CAPACITY_WORD:
            word_lines.append(line)
            capacities.append(capacity)
        else:
            if not _NUMBER.fullmatch(word) or float(word) < 0:
                raise _Malformed(line, f"{word!r} is not a capacity (a number ≥ 0 or the word "
                                       f"'{CAPACITY_WORD}') for facility {i}")
            number_lines.append(line)
            capacities.append(float(word))
        fixed.append(tokens.number(f"the fixed cost of facility {i}"))
    if word_lines and number_lines:
        odd = max(word_lines[0], number_lines[0])  # the first line unlike the first facility
        raise _Malformed(odd, f"{len(word_lines)} of {m} facilities have the capacity "
                              f"'{CAPACITY_WORD}', the others a number: all or none")
    if word_lines and capacity is None:
        raise _Malformed(word_lines[0], f"the capacities are the word '{CAPACITY_WORD}' (a "
                                        f"capa/capb/capc template): give the value with "
                                        f"--capacity (e.g. 8000)")
    if not word_lines and capacity is not None:
        raise _Malformed(0, f"--capacity {capacity:g} given, but this file states every "
                            f"capacity (only capa/capb/capc carry the word "
                            f"'{CAPACITY_WORD}' to replace)")
    demand, costs = [], []
    for j in range(1, n + 1):
        demand.append(tokens.number(f"the demand of customer {j}", positive=True))
        costs.append([tokens.number(f"the cost of customer {j} at facility {i}")
                      for i in range(1, m + 1)])
    tokens.end()
    return _instance(capacities, fixed, demand, costs, single_sourcing=False)


def _holmberg(text: str) -> dict[str, Any]:
    tokens = _Tokens(text)
    m, n = _header(tokens)
    capacities = [tokens.number(f"the capacity of facility {i}") for i in range(1, m + 1)]
    fixed = [tokens.number(f"the fixed cost of facility {i}") for i in range(1, m + 1)]
    demand = [tokens.number(f"the demand of customer {j}", positive=True)
              for j in range(1, n + 1)]
    costs = [[tokens.number(f"the cost of customer {j} at facility {i}")
              for i in range(1, m + 1)] for j in range(1, n + 1)]
    tokens.end()
    return _instance(capacities, fixed, demand, costs, single_sourcing=True)


def _instance(capacities: list[float | None], fixed: list[float], demand: list[float],
              costs: list[list[float]], single_sourcing: bool) -> dict[str, Any]:
    """The network instance's tables; ``costs[j][i]`` serves all of customer j from i."""
    facilities = [{"id": f"F{i + 1}", "capacity": c, "fixed_cost": f}
                  for i, (c, f) in enumerate(zip(capacities, fixed, strict=True))]
    customers = [{"id": f"C{j + 1}"} for j in range(len(demand))]
    rows = [{"customer": f"C{j + 1}", "product": PRODUCT, "quantity": d}
            for j, d in enumerate(demand)]
    lanes = [{"origin": f"F{i + 1}", "destination": f"C{j + 1}",
              "cost_per_unit": cost / demand[j]}
             for j, row in enumerate(costs) for i, cost in enumerate(row)]
    return {"products": [{"id": PRODUCT}], "facilities": facilities, "customers": customers,
            "demand": rows, "lanes": lanes,
            "network_policy": {"single_sourcing": single_sourcing}}


def published_optimum(name: str) -> float | None:
    """The published optimal value of a benchmark instance named as the readers name it:
    ``cap41`` ... ``cap134`` and ``capa_8000`` ... (OR-Library capopt, from
    ``orlib-cflp/capopt_reconstructed.txt``), ``p1`` ... ``p71`` (Holmberg, the ``os`` file of
    ``other/sscflp_holmberg/instances``, in order). None for any other name. A missing
    bench-data folder raises :class:`~optimizer.settings.MissingBenchDataError`."""
    holmberg = re.fullmatch(r"p(\d+)", name)
    if holmberg:
        values = _values(require_bench_data("other", "sscflp_holmberg", "instances", "os"))
        k = int(holmberg.group(1))
        return values[k - 1] if 1 <= k <= len(values) else None
    return _capopt().get(name)


def _capopt() -> dict[str, float]:
    table = {}
    path = require_bench_data("orlib-cflp", "capopt_reconstructed.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) == 2 and not words[0].startswith("#") and _NUMBER.fullmatch(words[1]):
            table[words[0]] = float(words[1])
    return table


def _values(path: Path) -> list[float]:
    return [float(w) for w in path.read_text(encoding="utf-8").split()]
