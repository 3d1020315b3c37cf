"""Write the shipped integrated example ``starter`` in its three forms (run from the repository
root: ``python instances/plan/make_starter.py``).

The network is ``instances/network/starter.json`` (Grünfeld's five products, 100 store zones,
twelve suppliers, three candidate DCs). On top of it: a last-mile fleet (a 12-tonne truck at
every DC whose route may last 13 hours, a driver's daily duty limit, so no DC reaches the whole
country; a city van at Hamburg and Nuremberg), weekly deliveries (``delivery_days`` = 52 per
year: the representative day carries a week of each zone's units), the network solve pricing
its outbound as routes of that fleet (``network_policy.outbound = routes``), the four Berlin
zones as orders of named stores with their own places and morning windows, the Hamburg and
München zones as delivery profiles (three drops each), and four scenarios: Nuremberg closed,
the northern suppliers lost, demand +20 % and fuel +30 % (cost per km).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from models.integrated import IntegratedInstance  # noqa: E402
from optimizer.formats.integrated import write_plan_instance  # noqa: E402

FLEET = [
    {"id": "truck", "capacity": 9000, "fixed_cost": 220, "cost_per_km": 1.15,
     "cost_per_hour": 38, "speed_kmh": 65, "max_duration": "13:00", "shift_start": "04:00"},
    {"id": "van-ham", "facility": "DC-HAM", "capacity": 1800, "count": 4, "fixed_cost": 90,
     "cost_per_km": 0.55, "cost_per_hour": 30, "speed_kmh": 45, "max_duration": "10:00",
     "shift_start": "06:00"},
    {"id": "van-nue", "facility": "DC-NUE", "capacity": 1800, "count": 4, "fixed_cost": 90,
     "cost_per_km": 0.55, "cost_per_hour": 30, "speed_kmh": 45, "max_duration": "10:00",
     "shift_start": "06:00"},
]
#: Berlin stores: zone, store, lat, lon, weight, window.
STORES = [
    ("Z-BERLIN-1", "BER-MITTE", 52.524, 13.402, 3, "06:00-09:00"),
    ("Z-BERLIN-1", "BER-PRENZLAUER", 52.539, 13.424, 2, "06:00-10:00"),
    ("Z-BERLIN-2", "BER-PANKOW", 52.569, 13.402, 2, "07:00-11:00"),
    ("Z-BERLIN-2", "BER-WEISSENSEE", 52.553, 13.466, 1, "07:00-11:00"),
    ("Z-BERLIN-3", "BER-STEGLITZ", 52.457, 13.321, 2, "06:00-10:00"),
    ("Z-BERLIN-3", "BER-TEMPELHOF", 52.466, 13.385, 2, "06:00-10:00"),
    ("Z-BERLIN-4", "BER-SPANDAU", 52.535, 13.200, 1, "08:00-12:00"),
    ("Z-BERLIN-4", "BER-REINICKENDORF", 52.589, 13.331, 2, "08:00-12:00"),
]
SCENARIOS = [
    ("close-nuernberg", "facilities", "id=DC-NUE", "status", "set", "must_close"),
    ("north-suppliers-lost", "suppliers", "region=north", "", "remove", ""),
    ("demand-plus-20", "demand", "", "quantity", "multiply", "1.2"),
    ("fuel-plus-30", "fleet", "", "cost_per_km", "multiply", "1.3"),
]


def build() -> IntegratedInstance:
    """The example instance."""
    data = json.loads((ROOT / "instances" / "network" / "starter.json").read_text("utf-8"))
    data["fleet"] = FLEET
    data["network_policy"].update(delivery_days=52, outbound="routes")
    data["orders"] = [{"id": store, "customer": zone, "units": weight, "lat": lat, "lon": lon,
                       "service_time": "0:20", "time_windows": window}
                      for zone, store, lat, lon, weight, window in STORES]
    data["delivery_profile"] = [
        {"customer": f"Z-{city}-{k}", "stops": 3, "service_time": "0:15",
         "time_windows": "05:00-14:00"}
        for city in ("HAMBURG", "MUENCHEN") for k in range(1, 5)]
    data["scenarios"] = [dict(zip(("scenario", "table", "match", "field", "operation",
                                   "value"), row, strict=True)) for row in SCENARIOS]
    return IntegratedInstance.model_validate(data)


def main() -> None:
    """Write starter.json, the starter/ CSV folder and starter.xlsx beside this script."""
    inst = build()
    here = Path(__file__).resolve().parent
    write_plan_instance(inst, here / "starter.json", "json")
    write_plan_instance(inst, here / "starter", "csv")
    write_plan_instance(inst, here / "starter.xlsx", "excel")


if __name__ == "__main__":
    main()
