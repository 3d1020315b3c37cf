"""Matrices and the node index live exactly as long as their instance (no module-level cache
keyed on instances: it kept up to 64 of them alive and handed a copy the original's views)."""

from __future__ import annotations

import gc
import weakref

from models.routing import instance_cache, matrices
from models.routing.plan import _index, schedule_route
from tests.models.routing.tiny import tiny_instance


def test_matrices_are_freed_with_their_instance():
    inst = tiny_instance(3)
    m = matrices(inst, inst.vehicle_types[0])
    index = _index(inst)
    schedule_route(inst, "van", ["c0", "c1"])  # the plan's rules use both views
    assert matrices(inst, inst.vehicle_types[0]) is m  # computed once per instance
    dead_matrices, dead_inst = weakref.ref(m), weakref.ref(inst)
    dead_array = weakref.ref(m.distance)
    ident = id(inst)
    assert ident in instance_cache._views
    del inst, m, index
    gc.collect()
    assert dead_inst() is None
    assert dead_matrices() is None
    assert dead_array() is None
    assert ident not in instance_cache._views  # the node index went with it


def test_many_instances_are_not_kept():
    refs = []
    for seed in range(70):
        inst = tiny_instance(seed)
        refs.append(weakref.ref(matrices(inst, inst.vehicle_types[0])))
        del inst
    gc.collect()
    assert all(r() is None for r in refs)


def test_a_copy_never_sees_the_originals_matrices():
    inst = tiny_instance(4)
    m = matrices(inst, inst.vehicle_types[0])
    moved = [s.model_copy(update={"x": s.x + 7.0}) if s.id == "c0" else s for s in inst.stops]
    copy = inst.model_copy(update={"stops": tuple(moved)})
    plain = inst.model_copy()
    for other in (copy, plain):
        assert matrices(other, other.vehicle_types[0]) is not m
        assert _index(other) is not _index(inst)
    moved_m = matrices(copy, copy.vehicle_types[0])
    depot, c0 = 0, 1
    assert moved_m.distance[depot, c0] != m.distance[depot, c0]
    assert matrices(inst, inst.vehicle_types[0]).distance[depot, c0] == m.distance[depot, c0]
