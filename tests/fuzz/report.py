"""Run the fuzz corpus outside pytest and write the failures as Markdown, grouped by class.

    python -m tests.fuzz.report --out fuzz-failures.md [--only SUBSTRING] [--slow]

``--slow`` adds the benchmark-sized cases of benchmarks/fuzz.py.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tests.fuzz.corpus import cases
from tests.fuzz.harness import Case, Outcome, execute


def run_all(chosen: list[Case], progress: bool = True) -> list[tuple[Case, Outcome | str]]:
    """Every case in a fresh folder; a skipped case carries its reason instead of an outcome."""
    results: list[tuple[Case, Outcome | str]] = []
    for number, case in enumerate(chosen, 1):
        reason = case.skip() if case.skip else None
        if reason:
            results.append((case, f"skipped: {reason}"))
            continue
        folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
        try:
            outcome = execute(case, folder)
        except Exception as exc:  # building the case failed (e.g. a reference plan)
            outcome = Outcome("case build failed", f"{type(exc).__name__}: {exc}", 0.0,
                              [f"building the case failed: {type(exc).__name__}: {exc}"])
        finally:
            for path in folder.rglob("*"):
                if not path.is_symlink():
                    path.chmod(0o755 if path.is_dir() else 0o644)
            shutil.rmtree(folder, ignore_errors=True)
        results.append((case, outcome))
        if progress and outcome.problems:
            print(f"[{number}/{len(chosen)}] FAIL {case.id}: {'; '.join(outcome.problems)}",
                  flush=True)
    return results


def markdown(results: list[tuple[Case, Outcome | str]], seconds: float) -> str:
    """Failures grouped by class, with the command, expected vs got and the output's head."""
    failed = [(c, o) for c, o in results if isinstance(o, Outcome) and o.problems]
    skipped = [c for c, o in results if isinstance(o, str)]
    by_class: dict[str, list[tuple[Case, Outcome]]] = defaultdict(list)
    for case, outcome in failed:
        by_class[case.klass].append((case, outcome))
    lines = [
        "# Fuzz corpus failures (issue 10)",
        "",
        f"{len(results)} cases, {len(failed)} failing, {len(skipped)} skipped, "
        f"{len(results) - len(failed) - len(skipped)} passing; {seconds:.0f} s. "
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
        "`python -m tests.fuzz.report`; the cases are in tests/fuzz/corpus.py "
        "(run one: `python -m pytest -q tests/fuzz -k 'ID'`).",
        "",
        "| class | failing | cases |",
        "|---|---|---|",
    ]
    totals: dict[str, int] = defaultdict(int)
    for case, _ in results:
        totals[case.klass] += 1
    for klass in sorted(totals, key=lambda k: -len(by_class.get(k, []))):
        lines.append(f"| {klass} | {len(by_class.get(klass, []))} | {totals[klass]} |")
    timed = sorted(((o.seconds, c.id) for c, o in results if isinstance(o, Outcome)),
                   reverse=True)
    lines += ["", "Slowest cases: " + ", ".join(f"`{i}` {t:.1f} s" for t, i in timed[:8])
              + "."]
    for klass, items in sorted(by_class.items(), key=lambda kv: -len(kv[1])):
        lines += ["", f"## {klass} ({len(items)})", ""]
        for case, outcome in items:
            run_argv = getattr(outcome, "argv", None)
            head = "\n".join(outcome.output.strip().splitlines()[:6])[:900]
            lines += [f"### `{case.id}`", "",
                      f"- got: {'; '.join(outcome.problems)}",
                      *([f"- command: `optimizer {' '.join(run_argv)}`"] if run_argv else []),
                      "", "```", head or "(no output)", "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures.md"))
    parser.add_argument("--only", default=None, help="Run the cases whose id contains this.")
    parser.add_argument("--slow", action="store_true", help="Add benchmarks/fuzz.py's cases.")
    args = parser.parse_args()
    chosen = cases()
    if args.slow:
        from benchmarks.fuzz import slow_cases

        chosen += slow_cases()
    if args.only:
        chosen = [c for c in chosen if args.only in c.id]
    start = time.perf_counter()
    results = run_all(chosen)
    args.out.write_text(markdown(results, time.perf_counter() - start))
    failing = sum(1 for _, o in results if isinstance(o, Outcome) and o.problems)
    print(f"{len(results)} cases, {failing} failing; wrote {args.out}")


if __name__ == "__main__":
    main()
