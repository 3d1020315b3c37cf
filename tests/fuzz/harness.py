"""Run one fuzz case and check the contract every refusal and fault must keep.

A case builds its files in a fresh folder and returns a :class:`Run`: the ``optimizer`` argv,
the exit codes the docs promise, the text the message must name (a file name), the inputs that
must not change and the output that must not be half-written. :func:`execute` runs it in this
process through ``optimizer.cli.main`` (fast) or in a real subprocess (FIFOs, signals,
tracebacks), under a timeout, and :func:`verdict` lists every broken promise:

* the exit code is one of the expected ones, and never 1 (internal error);
* a refusal names the file (whitespace-insensitive: the console may wrap long paths);
* no ``Traceback`` anywhere in the output; an invalid-input listing is capped (50 + a count);
* no input file or folder changed (content, type and permissions);
* ``--out`` is either unchanged (absent, or as it was) or complete (``plan.json`` present);
* case-specific checks (``post``) on success, e.g. "reads as the same instance".
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Seconds a case may run in this process / in a subprocess before it counts as a hang.
IN_PROCESS_TIMEOUT = 60.0
SUBPROCESS_TIMEOUT = 90.0
#: An invalid-input listing: a title, 50 problems and "... and N more" (lines may wrap once).
MAX_REFUSAL_LINES = 120
#: Seconds the processes of a finished subprocess run get to disappear.
LEFTOVER_GRACE = 5.0


@dataclass(frozen=True)
class Run:
    """One invocation of ``optimizer`` and what it must do."""

    argv: list[str]
    #: Acceptable exit codes (the documented one; two where the issue leaves the choice open;
    #: "killed by signal 9" for a kill -9).
    expect: tuple[int | str, ...]
    #: Texts the output must contain when the exit code is not 0 (file name, sheet, id).
    names: tuple[str, ...] = ()
    #: Files or folders that must be byte-for-byte unchanged afterwards.
    inputs: tuple[Path, ...] = ()
    #: The output path: unchanged on failure; on success present (with ``complete`` inside).
    out: Path | None = None
    #: The file a complete output folder holds (``None``: ``out`` is a file).
    complete: str | None = "plan.json"
    #: Extra checks on success (exit 0): a list of problems, empty when fine.
    post: Callable[[], list[str]] | None = None
    #: Subprocess only: send this signal after ``signal_after`` seconds.
    signal: int | None = None
    signal_after: float = 0.0
    #: Seconds before the case counts as a hang.
    timeout: float | None = None
    #: Subprocess only: the largest file it may write (RLIMIT_FSIZE, bytes): a full disk.
    file_size_limit: int | None = None
    #: Texts the output must contain whatever the exit code (e.g. a checker rule code).
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """A named fuzz case of one class; ``build(folder)`` writes its files and returns the run."""

    id: str
    klass: str
    build: Callable[[Path], Run]
    subprocess: bool = False
    #: A reason to skip (e.g. permissions do not bind root), evaluated when the case runs.
    skip: Callable[[], str | None] | None = None


@dataclass
class Outcome:
    """What happened."""

    code: int | str
    output: str
    seconds: float
    problems: list[str] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)


class CaseTimeout(BaseException):
    """Raised by the alarm in an in-process run (a BaseException: the CLI must not catch it)."""


def snapshot(path: Path) -> dict[str, tuple[object, ...]] | None:
    """Type, permissions and content hash of every entry under ``path`` (None: absent)."""
    if not os.path.lexists(path):
        return None
    entries: dict[str, tuple[object, ...]] = {}
    todo = [path]
    while todo:
        item = todo.pop()
        st = os.lstat(item)
        rel = str(item.relative_to(path)) if item != path else "."
        if stat.S_ISDIR(st.st_mode):
            entries[rel] = ("dir", stat.S_IMODE(st.st_mode))
            with contextlib.suppress(OSError):
                todo.extend(sorted(item.iterdir()))
        elif stat.S_ISREG(st.st_mode):
            try:
                digest = hashlib.sha256(item.read_bytes()).hexdigest()
            except OSError:
                digest = f"unreadable {st.st_size} {st.st_mtime_ns}"
            entries[rel] = ("file", stat.S_IMODE(st.st_mode), digest)
        else:
            entries[rel] = ("other", stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode))
    return entries


def _in_process(argv: list[str], timeout: float) -> tuple[int | str, str]:
    from optimizer.cli import main

    buffer = io.StringIO()

    def alarm(signum: int, frame: object) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            code: int | str = main(argv)
    except CaseTimeout:
        code = f"hang (over {timeout:g} s)"
    except BaseException:  # an escape from main() is itself a finding
        code = "escaped main()"
        buffer.write(traceback.format_exc())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, buffer.getvalue()


def _leftover(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _child_setup(file_size_limit: int | None) -> Callable[[], None]:
    def setup() -> None:
        """In the child: SIGINT as in a terminal (a background shell job starts with it
        ignored, and Python then never raises KeyboardInterrupt); a file size limit stands
        for a full disk (Python ignores SIGXFSZ: a write past it fails with EFBIG)."""
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    return setup


def _subprocess(run: Run, cwd: Path, timeout: float) -> tuple[int | str, str, list[str]]:
    env = {**os.environ, "COLUMNS": "250", "PYTHONPATH": str(ROOT)}
    env.pop("OPTIMIZER_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "optimizer", *run.argv], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True,
                            preexec_fn=_child_setup(run.file_size_limit))
    extra: list[str] = []
    try:
        if run.signal is not None:
            try:
                proc.wait(run.signal_after)
                if proc.returncode not in run.expect:
                    extra.append(f"finished before the signal was sent (exit "
                                 f"{proc.returncode})")
            except subprocess.TimeoutExpired:
                proc.send_signal(run.signal)
        output, _ = proc.communicate(timeout=timeout)
        code: int | str = proc.returncode
        if isinstance(code, int) and code < 0:
            code = f"killed by signal {-code}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        return f"hang (over {timeout:g} s)", output.decode("utf-8", "replace"), extra
    deadline = time.monotonic() + LEFTOVER_GRACE
    while _leftover(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _leftover(proc.pid):
        extra.append(f"processes of the run (workers, resource tracker) still alive "
                     f"{LEFTOVER_GRACE:g} s after it exited")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return code, output.decode("utf-8", "replace"), extra


def _squash(text: str) -> str:
    return re.sub(r"[\s│┃]+", "", text)


def execute(case: Case, folder: Path) -> Outcome:
    """Build the case in ``folder`` (empty), run it and check every promise."""
    folder.mkdir(parents=True, exist_ok=True)
    run = case.build(folder)
    before_inputs = {str(p): snapshot(p) for p in run.inputs}
    before_out = snapshot(run.out) if run.out is not None else None
    start = time.perf_counter()
    old_umask = os.umask(0o022)
    old_cwd = os.getcwd()
    try:
        if case.subprocess or run.signal is not None:
            code, output, problems = _subprocess(run, folder, run.timeout or SUBPROCESS_TIMEOUT)
        else:
            os.chdir(folder)
            code, output = _in_process(run.argv, run.timeout or IN_PROCESS_TIMEOUT)
            problems = []
    finally:
        os.chdir(old_cwd)
        os.umask(old_umask)
    outcome = Outcome(code, output, time.perf_counter() - start, problems, run.argv)
    outcome.problems += verdict(run, outcome, before_inputs, before_out)
    return outcome


def verdict(run: Run, outcome: Outcome, before_inputs: dict[str, object],
            before_out: object) -> list[str]:
    """Every promise the run broke."""
    problems: list[str] = []
    code, output = outcome.code, outcome.output
    if code not in run.expect:
        problems.append(f"exit {code}, expected {' or '.join(map(str, run.expect))}")
    if "Traceback" in output:
        problems.append("a traceback in the output")
    if code in (2, 6):  # a refusal of the input or the output names the file
        squashed = _squash(output)
        missing = [n for n in run.names if _squash(n) not in squashed]
        if missing:
            problems.append(f"the message does not name {', '.join(map(repr, missing))}")
    absent = [m for m in run.mentions if _squash(m) not in _squash(output)]
    if absent:
        problems.append(f"the output does not mention {', '.join(map(repr, absent))}")
    if code == 2 and len(output.splitlines()) > MAX_REFUSAL_LINES:
        problems.append(f"{len(output.splitlines())} lines of output for a refusal "
                        f"(the listing is capped at 50 problems and a count)")
    for path, before in before_inputs.items():
        if snapshot(Path(path)) != before:
            problems.append(f"input {path} was modified")
    if run.out is not None:
        after = snapshot(run.out)
        if code == 0:
            if after is None:
                problems.append(f"exit 0 but {run.out} was not written")
            elif run.complete and run.complete not in after:
                problems.append(f"exit 0 but {run.out} has no {run.complete}")
        elif after != before_out:
            complete = (after is not None and (run.complete is None or run.complete in after)
                        and code not in (2, 5, 6))  # a refusal writes nothing
            if not complete:
                problems.append(f"exit {code} left {run.out} changed/half-written: "
                                f"{sorted(after or {})[:8]}")
    if code == 0 and run.post is not None and not problems:
        try:
            problems += run.post()
        except Exception as exc:  # a post-check that cannot read the output is a finding
            problems.append(f"post-check failed: {type(exc).__name__}: {exc}")
    return problems
