"""Views derived from one routing instance (matrices, node index), kept exactly as long as it.

Instances are frozen, so what is derived from one never goes stale; but a module-level
``lru_cache`` keyed on instances kept up to its size of them alive (about 43 MB of matrices per
1,500-stop instance), hashed the whole instance on every call, and handed an equal copy the
original's views. Here the views live in a table keyed by the instance's identity, and an entry
is dropped when its instance is garbage-collected (:func:`weakref.finalize`): a copy
(``model_copy``) is another object and computes its own.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from threading import RLock
from typing import Any, TypeVar

T = TypeVar("T")

_views: dict[int, dict[Hashable, Any]] = {}
_lock = RLock()  # re-entrant: a collection inside the lock runs _forget in this thread


def derived(owner: object, key: Hashable, build: Callable[[], T]) -> T:
    """The view ``key`` of ``owner``, built by ``build()`` on first use and kept until
    ``owner`` is garbage-collected. ``build`` must not keep a reference to ``owner`` in its
    result (the view would keep the instance alive)."""
    ident = id(owner)
    with _lock:
        table = _views.get(ident)
        if table is not None and key in table:
            return table[key]
    value = build()  # outside the lock: building may take a while and use other views
    with _lock:
        table = _views.get(ident)
        if table is None:
            table = _views[ident] = {}
            weakref.finalize(owner, _forget, ident)
        return table.setdefault(key, value)


def _forget(ident: int) -> None:
    with _lock:
        _views.pop(ident, None)


def held() -> int:
    """How many instances have views right now (for tests and diagnostics)."""
    with _lock:
        return len(_views)
