"""What every command shares: the consoles and the way a command fails."""

from __future__ import annotations

import functools
import io
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from optimizer.errors import ExitCode, InputError
from optimizer.jobs.steps import STATUS_EXIT as STATUS_EXIT  # the commands' exit codes
from optimizer.jobs.steps import violation_lines as violation_lines  # check failures

#: Width when the output is not a terminal (a file, a pipe) and COLUMNS is not set: Rich would
#: take 80 and crop wide tables (a products table lost its last columns in a saved report).
PIPED_WIDTH = 160


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and not os.environ.get("COLUMNS")
    return Console(stderr=stderr, width=PIPED_WIDTH if piped else None)


console = _console()
err_console = _console(stderr=True)


def fail(code: ExitCode, message: str, problems: Sequence[str] = ()) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code``; under ``--json`` also print the
    error object (:func:`print_error_json`) on stdout."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    if json_mode():
        print_error_json(code, message, problems)
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


# ---- pipe mode: the instance on stdin, only JSON on stdout ----------------------------------

#: The instance argument that means standard input, and the name problems give it.
STDIN_ARG = "-"
STDIN_LABEL = "<stdin>"
T = TypeVar("T")


#: A search keeps at least this share of its time limit when start-up ran long.
MIN_SEARCH_SHARE = 0.5


_IMPORTED = time.monotonic()


def process_age() -> float:
    """Seconds since this process started: from the kernel's record where there is one
    (Linux: start-up before any Python ran included), else since this module was imported."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        return time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED


def search_deadline(time_limit: float, finishing: float) -> float:
    """When a command's searches must end (``time.time()``) for the command to return within
    ``time_limit`` seconds of its own start, start-up included, keeping ``finishing``
    seconds for checking and writing the plan; never less than half the limit from now."""
    now = time.time()
    return max(now - process_age() + time_limit - finishing,
               now + MIN_SEARCH_SHARE * time_limit)


def is_stdin(path: Path | str) -> bool:
    """True for the instance argument ``-`` (the instance is on standard input)."""
    return str(path) == STDIN_ARG


def instance_label(path: Path | str) -> str:
    """How problems name the instance: its path, or ``<stdin>``."""
    return STDIN_LABEL if is_stdin(path) else str(path)


def input_paths(*paths: Path | str) -> list[Path]:
    """The paths read (for the output folder's safety checks); standard input has none."""
    return [Path(p) for p in paths if not is_stdin(p)]


def read_stdin_json() -> Any:
    """The JSON document on standard input (UTF-8, or UTF-16/32 with a BOM); bad JSON is an
    :class:`InputError` naming ``<stdin>``, the line and the column."""
    from optimizer.formats.tables import parse_json

    if sys.stdin is None:
        raise InputError([f"{STDIN_LABEL}: no standard input"])
    if sys.stdin.isatty():
        err_console.print("reading the instance (JSON) from standard input; end it with Ctrl-D",
                          highlight=False)
    try:
        stream = getattr(sys.stdin, "buffer", None)
        raw = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    except OSError as exc:
        raise InputError([f"{STDIN_LABEL}: cannot be read ({exc.strerror or exc})"]) from None
    if not raw.strip():
        raise InputError([f"{STDIN_LABEL}: empty; pipe the instance's JSON into the command "
                          f"(optimizer KIND solve - < instance.json)"])
    return parse_json(raw, STDIN_LABEL)


def read_stdin_instance(reader: Callable[[Any, str], T], form: str | None = None) -> T:
    """The native JSON instance on standard input, validated by ``reader`` (one of
    ``read_*_data``); ``form`` is the ``--format`` given, which must be the native JSON one."""
    if form not in (None, "json", "native"):
        raise InputError([f"{STDIN_LABEL}: standard input takes the native JSON instance; "
                          f"--format {form} needs a file"])
    return reader(read_stdin_json(), STDIN_LABEL)


#: True while a command runs with ``--json`` (read by :func:`fail` and ``main``).
_JSON_MODE: ContextVar[bool] = ContextVar("json_mode", default=False)
#: Where JSON goes while stdout is redirected to stderr (:func:`json_output`).
_JSON_STREAM: ContextVar[IO[str] | None] = ContextVar("json_stream", default=None)


def json_mode() -> bool:
    """True when the running command was given ``--json``."""
    return _JSON_MODE.get()


@contextmanager
def json_mode_scope() -> Iterator[None]:
    """Forget ``--json`` after a command (``main`` runs commands one after another in tests)."""
    token = _JSON_MODE.set(False)
    try:
        yield
    finally:
        _JSON_MODE.reset(token)


def json_output(command: Callable[..., None]) -> Callable[..., None]:
    """With ``as_json`` (``--json``), stdout carries only JSON while ``command`` runs: every
    other write to stdout -- Python's, Rich's, a solver library's at the file-descriptor
    level, worker processes' -- goes to stderr, and :func:`print_json` writes to the real
    stdout. Failures print an error object there (:func:`fail`, ``main``)."""
    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        if not kwargs.get("as_json"):
            command(*args, **kwargs)
            return
        _JSON_MODE.set(True)
        with _stdout_to_stderr() as stream:
            token = _JSON_STREAM.set(stream)
            try:
                command(*args, **kwargs)
            finally:
                _JSON_STREAM.reset(token)

    return run


@contextmanager
def _stdout_to_stderr() -> Iterator[IO[str]]:
    """Send file descriptor 1 and ``sys.stdout`` to stderr; yield a stream on the real
    stdout (the same object when ``sys.stdout`` is not file descriptor 1: a test's capture)."""
    stdout = sys.stdout
    stdout.flush()
    try:
        on_fd1 = stdout.fileno() == 1
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        on_fd1 = False
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 at all
        saved = None
    if saved is not None:
        sys.stderr.flush()
        os.dup2(2, 1)
    real: IO[str] = (open(saved, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                     if on_fd1 and saved is not None else stdout)
    sys.stdout = sys.stderr
    try:
        yield real
    finally:
        sys.stdout.flush()
        sys.stdout = stdout
        stdout.flush()  # anything written through a kept reference, while still on stderr
        if real is not stdout:
            real.close()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def people_console() -> Console:
    """Where a command's messages for people go: stdout, or stderr under ``--json`` (stdout is
    the JSON's), so a pipe-mode caller sees the same summary a person would."""
    return err_console if json_mode() else console


def print_json(data: Any) -> None:
    """Print a JSON document on stdout (the real one under :func:`json_output`)."""
    stream = _JSON_STREAM.get()
    if stream is None:
        typer.echo(json.dumps(data, indent=2))
        return
    stream.write(json.dumps(data, indent=2) + "\n")
    stream.flush()


def error_json(code: ExitCode | int, error: str, problems: Iterable[str] = ()) -> dict[str, Any]:
    """The error object of pipe mode, the service's (:meth:`optimizer.jobs.JobError.to_json`):
    ``{"code", "error", "problems"}``."""
    from optimizer.jobs.spec import JobError

    return JobError(int(code), error, list(problems)).to_json()


def print_error_json(code: ExitCode | int, error: str, problems: Iterable[str] = ()) -> None:
    """Print :func:`error_json` on stdout."""
    print_json(error_json(code, error, problems))


