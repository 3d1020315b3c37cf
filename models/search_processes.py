"""Where routing search processes start, kept free of heavy imports so that a program can
start them before it has imported the engines itself.

``forkserver`` where it exists: a fresh server process imports the engines (and whatever the
caller names) once, before any solver ran; each search is a fork of it, ready in milliseconds
instead of the 1-2.5 s a ``spawn`` child spends importing the program and the engines again.
Elsewhere (Windows, macOS without it) ``spawn``. ``OPTIMIZER_SEARCH_START`` = ``spawn`` /
``forkserver`` overrides the choice. In a process that also runs :mod:`optimizer.jobs` job
processes the fork server is shared (the first to start it chooses what it preloads; both
lists hold the routing engines).

Python up to 3.13 never imports ``__main__`` into the fork server, whatever the preload list
says (``forkserver.ensure_running`` looks for a ``main_path`` key that the preparation data
does not have), so each child imports the main script again: a program whose main script
imports a lot names those modules in :func:`warm_up_searches` (the command line names
``optimizer.cli``).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from multiprocessing.context import BaseContext

#: Modules the fork server always imports: the search processes' entry point and engines.
SEARCH_PRELOAD = ("__main__", "models.routing.solve")

_lock = threading.Lock()
_context: BaseContext | None = None


def search_context(preload: Sequence[str] = ()) -> BaseContext:
    """The multiprocessing context search processes start from (chosen once per process;
    ``preload`` counts only before the fork server has started)."""
    global _context
    with _lock:
        if _context is None:
            chosen = os.environ.get("OPTIMIZER_SEARCH_START", "").strip()
            if chosen not in ("spawn", "forkserver"):
                chosen = ("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                          else "spawn")
            _context = multiprocessing.get_context(chosen)
        if _context.get_start_method() == "forkserver":
            _context.set_forkserver_preload([*SEARCH_PRELOAD, *preload])
        return _context


def warm_up_searches(preload: Sequence[str] = ()) -> None:
    """Start the fork server now (it imports the engines and ``preload`` while this process
    goes on); nothing where searches ``spawn`` or the server is already running."""
    context = search_context(preload)
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
