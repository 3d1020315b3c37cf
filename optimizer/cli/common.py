"""What every command shares: the consoles and the way a command fails."""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import NoReturn

import typer
from rich.console import Console

from models.solver import SolveStatus
from optimizer.errors import ExitCode

#: Width when the output is not a terminal (a file, a pipe) and COLUMNS is not set: Rich would
#: take 80 and crop wide tables (a products table lost its last columns in a saved report).
PIPED_WIDTH = 160


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and not os.environ.get("COLUMNS")
    return Console(stderr=stderr, width=PIPED_WIDTH if piped else None)


console = _console()
err_console = _console(stderr=True)


def fail(code: ExitCode, message: str) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(int(code))


def interrupt_exits_130(command: Callable[..., None]) -> Callable[..., None]:
    """SIGTERM acts as Ctrl-C during ``command`` (the solver stops, an incumbent is kept);
    an interruption with no plan to keep says that nothing was written and exits 130
    (Typer would exit 130 silently)."""
    @functools.wraps(command)
    def run(*args: object, **kwargs: object) -> None:
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
        try:
            command(*args, **kwargs)
        except KeyboardInterrupt:
            fail(ExitCode.INTERRUPTED, "interrupted (Ctrl-C or SIGTERM): nothing was written")
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return run


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


#: The exit code of a solve, by the plan's status (docs: exit codes).
STATUS_EXIT = {
    SolveStatus.OPTIMAL: ExitCode.OK,
    SolveStatus.FEASIBLE: ExitCode.OK,
    SolveStatus.INFEASIBLE: ExitCode.INFEASIBLE,
    SolveStatus.UNBOUNDED: ExitCode.INFEASIBLE,
    SolveStatus.NO_SOLUTION: ExitCode.NO_SOLUTION,
}
