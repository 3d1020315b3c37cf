"""The delivery-day generator: reproducible, shaped as documented."""

from __future__ import annotations

from models.routing.generator import generate_day


def test_same_seed_same_day_and_another_seed_another() -> None:
    assert generate_day(30, seed=4) == generate_day(30, seed=4)
    assert generate_day(30, seed=4) != generate_day(30, seed=5)


def test_shape_of_a_day() -> None:
    inst = generate_day(80, depots=2, seed=1, returns=4)
    customers = [s for s in inst.stops if s.id.startswith("C")]
    assert len(customers) == 80
    assert {d.id for d in inst.depots} == {"DC1", "DC2"}
    assert all(len(s.delivery) == 2 and 180 <= s.service_time <= 600 for s in customers)
    assert all(s.skills == ("tail-lift",) for s in customers if s.delivery[0] > 250)
    for pair in inst.shipments:  # returns: picked up at a customer, brought to the depot desk
        pickup, desk = inst.stop_by_id[pair.pickup], inst.stop_by_id[pair.delivery]
        assert pickup.pickup == desk.delivery and (desk.lat, desk.lon) == (
            inst.depots[0].lat, inst.depots[0].lon)
    assert {vt.id for vt in inst.vehicle_types} == {"van-1", "truck-1", "van-2", "truck-2"}


def test_breaks_add_a_lunch_break_and_change_nothing_else() -> None:
    plain = generate_day(20, seed=2)
    with_breaks = generate_day(20, seed=2, breaks=True)
    assert all(len(vt.breaks) == 1 and vt.breaks[0].duration == 1800
               for vt in with_breaks.vehicle_types)
    stripped = with_breaks.model_copy(update={"vehicle_types": tuple(
        vt.model_copy(update={"breaks": ()}) for vt in with_breaks.vehicle_types)})
    assert stripped == plain
