"""The slow part of the fuzz corpus (``python -m benchmarks fuzz``).

The CI corpus (tests/fuzz) keeps every case small; these are the same contract at full size:

* 10^6 bad records in a CSV table and in a JSON instance: exit 2, the listing capped at 50
  problems and a count (it once printed 10^6 lines, 130 MB, in 79 s);
* a stray cell in Excel row 1,048,576 of a real-size workbook: one problem, not 2.1 M;
* Ctrl-C (SIGINT) and SIGTERM on a 100 x 400 sourcing solve (exit 0 keeping a checked
  incumbent, else 130) and a 50 x 200 frontier (exit 130), soon after the signal (the report
  shows how soon), no worker left running, ``--out`` absent or complete;
* kill -9 at several moments of a solve that writes ``--out``: the folder is absent or complete.

Each case runs in a real subprocess with a timeout; the report lists the failures like
tests/fuzz/report.py does.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from rich.console import Console

from benchmarks.metadata import metadata_markdown
from optimizer.atomic import atomic_write_text
from tests.fuzz.corpus import SOURCING_FOLDER, SOURCING_JSON, _copy, _rows, _write_rows
from tests.fuzz.harness import Case, Outcome, Run
from tests.fuzz.report import markdown, run_all

MILLION = 1_000_000


def _generated(d: Path, suppliers: int, products: int, seed: int = 1) -> Path:
    """A generated sourcing instance (JSON), written with the CLI's own generator."""
    from models.sourcing import generate_instance
    from optimizer.formats.sourcing import write_sourcing_instance

    path = d / f"generated-{suppliers}x{products}.json"
    write_sourcing_instance(generate_instance(suppliers, products, seed=seed), path, "json")
    return path


def _million_offers(d: Path) -> Run:
    inst = _copy(SOURCING_FOLDER, d)
    rows = _rows(inst / "offers.csv")
    rows += [["DHK1", f"P{i}", "-1", "", "", "", "", ""] for i in range(MILLION)]
    _write_rows(inst / "offers.csv", rows)
    return Run(["sourcing", "solve", str(inst), "--out", str(d / "out")], (2,), ("offers.csv",),
               (inst,), d / "out", timeout=900.0)


def _million_products(d: Path) -> Run:
    data = json.loads(SOURCING_JSON.read_text())
    data["products"] += [{"id": f"X{i}", "demand": -1} for i in range(MILLION)]
    inst = d / "flood.json"
    inst.write_text(json.dumps(data))
    return Run(["sourcing", "convert", str(inst), str(d / "out.json")], (2,), ("flood.json",),
               (inst,), d / "out.json", complete=None, timeout=900.0)


def _million_stops(d: Path) -> Run:
    from tests.fuzz.corpus import ROUTING_TINY

    data = dict(ROUTING_TINY)
    data["stops"] = list(data["stops"]) + [
        {"id": f"s{i}", "x": 1, "y": 1, "time_windows": [[5, 1]]} for i in range(MILLION)]
    inst = d / "flood.json"
    inst.write_text(json.dumps(data))
    return Run(["routing", "convert", str(inst), str(d / "out.json")], (2,), ("flood.json",),
               (inst,), d / "out.json", complete=None, timeout=900.0)


def _stray_cell(d: Path) -> Run:
    import openpyxl

    from models.sourcing import generate_instance
    from optimizer.formats.sourcing import write_sourcing_instance

    book = d / "big.xlsx"
    write_sourcing_instance(generate_instance(50, 200, seed=3), book, "excel")
    wb = openpyxl.load_workbook(book)
    wb["offers"].cell(1048576, 1, "x")
    wb.save(book)
    return Run(["sourcing", "solve", str(book), "--out", str(d / "out")], (2,), ("big.xlsx",),
               (book,), d / "out", timeout=600.0)


def _interrupt(sig: int, after: float) -> object:
    def build(d: Path) -> Run:
        inst = _generated(d, 100, 400)
        # docs: an incumbent meeting every rule is kept and written (exit 0), else exit 130
        return Run(["sourcing", "solve", str(inst), "--out", str(d / "out")], (0, 130), (),
                   (inst,), d / "out", signal=sig, signal_after=after, timeout=60.0)
    return build


def _frontier_signal(sig: int) -> object:
    def build(d: Path) -> Run:
        inst = _generated(d, 50, 200)
        return Run(["sourcing", "frontier", str(inst), "--out", str(d / "out"), "--points",
                    "10", "--workers", "2"], (130,), (), (inst,), d / "out",
                   complete="frontier.json", signal=sig, signal_after=8.0, timeout=60.0)
    return build


def _kill9(after: float) -> object:
    def build(d: Path) -> Run:
        inst = _generated(d, 20, 60)
        return Run(["sourcing", "solve", str(inst), "--out", str(d / "out")],
                   (0, "killed by signal 9"), (), (inst,), d / "out", signal=signal.SIGKILL,
                   signal_after=after, timeout=120.0)
    return build


def slow_cases() -> list[Case]:
    """The benchmark-sized cases."""
    found = [
        Case("slow/sourcing-solve/10^6-bad-offers-csv", "floods of bad records",
             _million_offers, subprocess=True),
        Case("slow/sourcing-convert/10^6-bad-products-json", "floods of bad records",
             _million_products, subprocess=True),
        Case("slow/routing-convert/10^6-bad-stops-json", "floods of bad records",
             _million_stops, subprocess=True),
        Case("slow/sourcing-solve/stray-cell-row-1048576-50x200",
             "stray cells (Excel row 1,048,576)", _stray_cell, subprocess=True),
    ]
    for sig, name in ((signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")):
        found.append(Case(f"slow/sourcing-solve-100x400/{name}",
                          "signals and half-written folders", _interrupt(sig, 6.0),  # type: ignore[arg-type]
                          subprocess=True))
        found.append(Case(f"slow/sourcing-frontier-50x200/{name}",
                          "signals and half-written folders", _frontier_signal(sig),  # type: ignore[arg-type]
                          subprocess=True))
    for after in (0.8, 1.2, 1.6, 2.0, 2.5, 3.0):
        found.append(Case(f"slow/sourcing-solve-20x60/kill-9-after-{after:g}s",
                          "signals and half-written folders", _kill9(after),  # type: ignore[arg-type]
                          subprocess=True))
    return found


def run_report(out: Path, only: str | None = None, with_corpus: bool = False,
               console: Console | None = None) -> int:
    """Run the slow cases (and the CI corpus with ``with_corpus``); write the Markdown report;
    return the number of failing cases."""
    chosen = slow_cases()
    if with_corpus:
        from tests.fuzz.corpus import cases

        chosen = cases() + chosen
    if only:
        chosen = [c for c in chosen if only in c.id]
    start = time.perf_counter()
    results = run_all(chosen, progress=False)
    for case, outcome in results:
        if console is not None and isinstance(outcome, Outcome):
            verdict = "ok" if not outcome.problems else "; ".join(outcome.problems)
            console.print(f"{case.id}: exit {outcome.code} in {outcome.seconds:.1f} s: "
                          f"{verdict}", highlight=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = markdown(results, time.perf_counter() - start)
    title, _, rest = report.partition("\n")
    atomic_write_text(out, f"{title}\n\n{metadata_markdown()}{rest}")
    return sum(1 for _, o in results if isinstance(o, Outcome) and o.problems)
