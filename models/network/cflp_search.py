"""Upper bounds for multi-source CFLP: local search over open sets, each priced exactly.

A set of open facilities is priced by its transportation LP (:func:`transport_lp`), so every
value found is the true cost of a feasible plan. The search starts from the best set met in
the Lagrangean phase and tries, in rounds, every single drop (close one) and add (open one
of the candidate facilities), taking the best improving move; when none improves, it tries
swaps (close one, open another) and takes the first that improves. It stops at a local
optimum or at the deadline. Measured on capb_6000 (benchmarks/studies/cflp-exact.md): from a
set 10 % above the optimum to the optimum in about 150 LPs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

#: A priced open set: (total cost, open (m,), fractions (m, n)).
Priced = tuple[float, np.ndarray, np.ndarray]


def local_search(price: Callable[[np.ndarray], Priced | None], start: Priced,
                 candidates: np.ndarray, order: np.ndarray, deadline: float
                 ) -> tuple[Priced, int]:
    """Improve ``start`` by drop / add / swap moves over ``candidates`` (bool (m,)).

    ``price(open)`` returns the priced set or None (infeasible); ``order`` ranks facilities
    for adding (most attractive first). Returns (best, number of sets priced).
    """
    best = start
    seen: set[bytes] = {np.packbits(start[1]).tobytes()}
    priced = 0

    def attempt(open_: np.ndarray) -> Priced | None:
        nonlocal priced
        key = np.packbits(open_).tobytes()
        if key in seen:
            return None
        seen.add(key)
        priced += 1
        return price(open_)

    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    while time.perf_counter() < deadline:
        current = best[1]
        adds = [i for i in np.flatnonzero(candidates & ~current)]
        adds.sort(key=lambda i: rank[i])
        moves: list[tuple[int | None, int | None]] = [(int(i), None) for i in
                                                      np.flatnonzero(current)]
        moves += [(None, int(i)) for i in adds]
        round_best: Priced | None = None
        for drop, add in moves:
            if time.perf_counter() >= deadline:
                break
            trial = current.copy()
            if drop is not None:
                trial[drop] = False
            if add is not None:
                trial[add] = True
            got = attempt(trial)
            if got is not None and got[0] < (round_best or best)[0] - 1e-9 * abs(best[0]):
                round_best = got
        if round_best is not None:
            best = round_best
            continue
        improved = False
        for drop in np.flatnonzero(current):
            for add in adds:
                if time.perf_counter() >= deadline:
                    return best, priced
                trial = current.copy()
                trial[drop] = False
                trial[add] = True
                got = attempt(trial)
                if got is not None and got[0] < best[0] - 1e-9 * abs(best[0]):
                    best, improved = got, True
                    break
            if improved:
                break
        if not improved:
            break
    return best, priced

