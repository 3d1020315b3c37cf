"""``run_isolated``: one job in a child process of its own, with progress, cancellation and no
process left behind.

The child runs :func:`optimizer.jobs.run_job` and sends its progress and its outcome (or
error) back through a pipe; ``on_progress`` is called in the caller's thread. Cancelling sends
SIGTERM, which our solvers take as Ctrl-C (they stop within a moment), and after a grace period
the child's whole process group (its routing searches included) is killed. The child exits if
its parent dies: ``PR_SET_PDEATHSIG`` on Linux, and on every system a watchdog thread that sees
the parent's end of a pipe close.

Start method: ``forkserver`` with the heavy modules preloaded (a child is ready in tens of
milliseconds instead of the second or more a ``spawn`` child spends importing them); the fork
server is a fresh process started on first use, which has imported the solver modules but
never run a solver, so no solver thread is copied. Where ``forkserver`` does not exist
(Windows, macOS without it), ``spawn``. ``OPTIMIZER_JOB_START`` = ``spawn`` / ``forkserver``
overrides the choice. A job process forked by the server has the server's environment and
working directory (those of this process when its first job started); jobs read neither.

Measured (2 shared cores, the sourcing starter, report included; in this process 0.07 s):
spawn 1.8-2.1 s a job; forkserver 0.14-0.15 s a job after the server's one-off start of about
2 s (0.85 s a job when the report builder's caches were not warmed in the server).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from optimizer.errors import ExitCode
from optimizer.jobs.spec import JobError, JobOutcome, JobProgress, JobSpec

#: Seconds a cancelled child gets to stop on SIGTERM before it (and its children) are killed.
GRACE_SECONDS = 5.0

#: Modules the fork server imports once, so that each child starts without importing them.
PRELOAD = [
    "optimizer.jobs.run",
    "optimizer.formats.instance_data",
    "optimizer.routing_portfolio",
    "optimizer.reports.html.sourcing",
    "optimizer.reports.html.routing",
    "optimizer.reports.html.network",
    "optimizer.reports.html_plan",
    "optimizer.reports.plan_summary",
    "models.sourcing",
    "models.routing",
    "models.network",
    "models.integrated",
    "pulp",
    "highspy",
    "optimizer.jobs.warm",
]

_context_lock = threading.Lock()
_context: Any = None


def start_method() -> str:
    """The start method of job processes: ``OPTIMIZER_JOB_START`` if set, else
    ``forkserver`` where it exists, else ``spawn``."""
    chosen = os.environ.get("OPTIMIZER_JOB_START", "").strip()
    if chosen in ("spawn", "forkserver"):
        return chosen
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def job_context() -> Any:
    """The multiprocessing context job processes start from (created once per process)."""
    global _context
    with _context_lock:
        if _context is None:
            method = start_method()
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(PRELOAD)
            _context = context
        return _context


def run_isolated(spec: JobSpec, on_progress: Callable[[JobProgress], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, poll: float = 0.2,
                 grace: float = GRACE_SECONDS) -> JobOutcome:
    """:func:`run_job` of ``spec`` in a child process; progress comes back through a pipe and
    ``on_progress`` runs in this thread. ``cancelled()`` is asked every ``poll`` seconds; when
    it says True the child gets SIGTERM (solvers stop as on Ctrl-C) and, after ``grace``
    seconds, is killed with its children: :class:`JobError` (130, "cancelled"). A child that
    dies without an answer is :class:`JobError` (1, "worker process died (exit code N)"). The
    child's own :class:`JobError` (2 invalid input, 5 check failed, ...) is raised here as it
    is. Ctrl-C (KeyboardInterrupt) in this thread stops the child the same way and goes on."""
    context = job_context()
    results, sender = context.Pipe(duplex=False)
    alive_reader, alive = context.Pipe(duplex=False)  # closes when this process dies
    process = context.Process(target=_child, args=(spec, sender, alive_reader),
                              name=f"job-{spec.kind}", daemon=False)
    process.start()
    sender.close()
    alive_reader.close()
    stopped = answered = False  # answered: the child said how it ended and exits by itself
    try:
        while True:
            if cancelled is not None and cancelled():
                stopped = True
                _stop(process, grace, results)
                raise JobError(int(ExitCode.INTERRUPTED), "cancelled", [])
            if results.poll(poll):
                try:
                    tag, value = results.recv()
                except EOFError:  # the child closed the pipe without an answer
                    raise _died(process, grace) from None
                if tag == "progress":
                    if on_progress is not None:
                        on_progress(value)
                    continue
                answered = True
                if tag == "outcome":
                    return value  # type: ignore[no-any-return]
                raise value
            elif not process.is_alive() and not results.poll(0):
                raise _died(process, grace)
    except BaseException:
        if not (stopped or answered) and process.is_alive():
            _stop(process, grace, results)
        raise
    finally:
        process.join(timeout=grace)
        # whatever is left of the child's group (its searches, when it died) goes too
        _kill_group(process, only_others=not process.is_alive())
        alive.close()
        results.close()
        with contextlib.suppress(ValueError):
            process.close()


def _died(process: Any, grace: float) -> JobError:
    process.join(timeout=grace)
    code = process.exitcode
    return JobError(int(ExitCode.INTERNAL_ERROR), f"worker process died (exit code {code})", [])


def _stop(process: Any, grace: float, results: Connection) -> None:
    """SIGTERM, then after ``grace`` seconds SIGKILL to the child's process group. Meanwhile
    what the child still sends is read and dropped: a child stopped with a plan in hand sends
    it (megabytes with the report) and would block on a full pipe instead of exiting."""
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    deadline = time.monotonic() + grace
    while process.is_alive() and time.monotonic() < deadline:
        try:
            if results.poll(0.05):
                results.recv_bytes()
        except (EOFError, OSError):  # the child closed its end: it is exiting
            process.join(timeout=max(0.0, deadline - time.monotonic()))
    if process.is_alive():
        _kill_group(process)
    else:  # the child is gone; anything it left in its group goes too
        _kill_group(process, only_others=True)


def _kill_group(process: Any, only_others: bool = False) -> None:
    pid = process.pid
    if pid is None:
        return
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # the child leads its own group (see _child)
    if not only_others:
        with contextlib.suppress(ProcessLookupError, ValueError):
            process.kill()
        process.join(timeout=5)


# ---- in the child ----------------------------------------------------------------------------

def _child(spec: JobSpec, sender: Connection, alive: Connection) -> None:
    """The job process: own process group, dies with its parent, SIGTERM = Ctrl-C."""
    if hasattr(os, "setpgid"):
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)  # our routing searches join this group: killed with us
    _die_with_parent()
    threading.Thread(target=_watch_parent, args=(alive,), daemon=True,
                     name="parent-watchdog").start()
    signal.signal(signal.SIGTERM, _interrupt)
    lock = threading.Lock()

    def send(message: tuple[str, Any]) -> None:
        with lock, contextlib.suppress(OSError):  # the parent is gone: no one to tell
            sender.send(message)

    from optimizer.jobs.run import run_job

    try:
        outcome = run_job(spec, lambda p: send(("progress", p)))
        send(("outcome", outcome))
    except JobError as exc:
        send(("error", exc))
    except KeyboardInterrupt:
        send(("error", JobError(int(ExitCode.INTERRUPTED), "cancelled", [])))
    except BaseException as exc:  # reported to the parent, never lost
        send(("error", JobError(int(ExitCode.INTERNAL_ERROR),
                                f"internal error: {type(exc).__name__}: {exc}", [])))
    finally:
        sender.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """Linux: SIGTERM when the parent (the thread that started this process) ends."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the watchdog thread still works
        return


def _watch_parent(alive: Connection) -> None:
    """Block on the parent's end of a pipe; when the parent dies it closes: stop like on
    SIGTERM, and after the grace period kill this process group."""
    with contextlib.suppress(EOFError, OSError):
        alive.recv()
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    if hasattr(os, "killpg"):
        os.killpg(os.getpgid(0), signal.SIGKILL)
    os._exit(int(ExitCode.INTERRUPTED))
