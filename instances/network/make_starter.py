"""Write the shipped example network ``starter`` in its three forms (run from the repository
root: ``python instances/network/make_starter.py``).

Grünfeld, an organic breakfast-food brand in Germany, sells five products through 100 store
zones (the larger cities hold several zones). Twelve German suppliers (mills, roasters, a
juice press, a pasta maker) feed three candidate distribution centres: Hamburg (north), Bad
Hersfeld (the centre, in two sizes) and Nuremberg (south). The sourcing rules are on: at most
60 % of a product from one supplier, at least two suppliers per product, at most 80 % from one
region, a defect-rate ceiling, lead-time limits and all-units price breaks. Coffee may be left
short at 9.50 EUR a unit (a shortage penalty); every zone is served by one DC (single
sourcing), at most 500 km away, and 70 % of the demand lies within 300 km of its DC. The
optimum opens two of the three: Bad Hersfeld in its XL size and Nuremberg; Hamburg stays
closed. Coordinates are the cities' real ones (to about a km); the zone offsets inside a city
are fixed, so the script always writes the same instance.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from models.network import NetworkInstance  # noqa: E402
from optimizer.formats.network import write_network_instance  # noqa: E402

#: City, lat, lon, store zones.
CITIES = [
    ("Berlin", 52.520, 13.405, 4), ("Hamburg", 53.551, 9.994, 4), ("Muenchen", 48.137, 11.575, 4),
    ("Koeln", 50.938, 6.960, 3), ("Frankfurt", 50.110, 8.682, 3), ("Stuttgart", 48.776, 9.183, 3),
    ("Duesseldorf", 51.228, 6.774, 3), ("Leipzig", 51.340, 12.375, 2),
    ("Dortmund", 51.514, 7.466, 2), ("Essen", 51.456, 7.012, 2), ("Bremen", 53.079, 8.802, 2),
    ("Dresden", 51.050, 13.738, 2), ("Hannover", 52.376, 9.732, 2),
    ("Nuernberg", 49.452, 11.077, 2), ("Duisburg", 51.435, 6.763, 1), ("Bochum", 51.482, 7.216, 1),
    ("Wuppertal", 51.256, 7.151, 1), ("Bielefeld", 52.021, 8.532, 1), ("Bonn", 50.737, 7.098, 1),
    ("Muenster", 51.961, 7.626, 1), ("Mannheim", 49.487, 8.466, 1),
    ("Karlsruhe", 49.007, 8.404, 1), ("Augsburg", 48.370, 10.898, 1),
    ("Wiesbaden", 50.082, 8.240, 1), ("Moenchengladbach", 51.185, 6.442, 1),
    ("Gelsenkirchen", 51.518, 7.086, 1), ("Aachen", 50.776, 6.084, 1),
    ("Braunschweig", 52.269, 10.527, 1), ("Kiel", 54.323, 10.123, 1),
    ("Chemnitz", 50.828, 12.921, 1),
    ("Halle", 51.483, 11.970, 1), ("Magdeburg", 52.121, 11.628, 1),
    ("Freiburg", 47.999, 7.842, 1), ("Krefeld", 51.339, 6.586, 1), ("Mainz", 49.993, 8.247, 1),
    ("Luebeck", 53.866, 10.687, 1), ("Erfurt", 50.978, 11.029, 1), ("Rostock", 54.092, 12.099, 1),
    ("Kassel", 51.312, 9.480, 1), ("Hagen", 51.367, 7.463, 1), ("Potsdam", 52.391, 13.065, 1),
    ("Saarbruecken", 49.240, 6.997, 1), ("Hamm", 51.681, 7.815, 1),
    ("Ludwigshafen", 49.477, 8.445, 1), ("Oldenburg", 53.144, 8.214, 1),
    ("Osnabrueck", 52.279, 8.047, 1), ("Leverkusen", 51.046, 7.019, 1),
    ("Heidelberg", 49.398, 8.672, 1), ("Darmstadt", 49.873, 8.651, 1),
    ("Regensburg", 49.013, 12.102, 1), ("Paderborn", 51.718, 8.757, 1),
    ("Ingolstadt", 48.766, 11.426, 1), ("Wuerzburg", 49.791, 9.953, 1), ("Ulm", 48.401, 9.988, 1),
    ("Heilbronn", 49.142, 9.219, 1), ("Wolfsburg", 52.423, 10.787, 1),
    ("Goettingen", 51.541, 9.916, 1), ("Pforzheim", 48.892, 8.695, 1),
    ("Offenbach", 50.096, 8.776, 1), ("Bottrop", 51.524, 6.929, 1), ("Trier", 49.750, 6.637, 1),
    ("Recklinghausen", 51.614, 7.198, 1), ("Reutlingen", 48.491, 9.204, 1),
    ("Bremerhaven", 53.540, 8.581, 1), ("Koblenz", 50.356, 7.594, 1),
    ("Bergisch Gladbach", 50.992, 7.137, 1), ("Jena", 50.927, 11.589, 1),
    ("Remscheid", 51.179, 7.189, 1), ("Erlangen", 49.598, 11.004, 1),
    ("Moers", 51.451, 6.627, 1), ("Siegen", 50.875, 8.024, 1), ("Hildesheim", 52.152, 9.951, 1),
    ("Salzgitter", 52.154, 10.332, 1), ("Cottbus", 51.756, 14.332, 1),
    ("Schwerin", 53.629, 11.414, 1), ("Passau", 48.575, 13.466, 1),
]
#: Offsets (degrees lat, lon) of a city's zones: the centre first, then around it.
OFFSETS = [(0.0, 0.0), (0.06, 0.08), (-0.06, -0.07), (0.05, -0.09), (-0.05, 0.09),
           (0.09, 0.0), (-0.09, 0.01), (0.0, 0.13)]

#: id, unit weight (kg), units per zone and year (a single-zone city), price level (EUR).
PRODUCTS = [("OATS-1KG", 1.0, 9000, 1.10), ("MUESLI-750", 0.75, 7000, 2.20),
            ("JUICE-1L", 1.1, 8000, 1.05), ("PASTA-500", 0.5, 6000, 0.80),
            ("COFFEE-500", 0.5, 3000, 4.60)]

#: id, name, region, lat, lon, onboarding cost.
SUPPLIERS = [
    ("SUP-KIEL", "Holsteiner Haferhof", "north", 54.26, 10.05, 8000),
    ("SUP-ROST", "Ostsee Muehle", "north", 54.05, 12.20, 6000),
    ("SUP-BREM", "Hansa Roesterei", "north", 53.10, 8.75, 9000),
    ("SUP-MAGD", "Boerde Getreide", "east", 52.10, 11.60, 5000),
    ("SUP-DRES", "Elbtal Fruchtsaft", "east", 51.00, 13.80, 7000),
    ("SUP-ERFU", "Thueringer Teigwaren", "east", 50.95, 11.10, 6000),
    ("SUP-MUEN", "Westfalen Flocken", "west", 51.95, 7.60, 7000),
    ("SUP-BONN", "Rheinische Roestkunst", "west", 50.70, 7.15, 8000),
    ("SUP-SAAR", "Saar Pasta", "west", 49.25, 7.00, 5000),
    ("SUP-ULM", "Schwaebische Muehlen", "south", 48.40, 9.95, 7000),
    ("SUP-ROSE", "Chiemgau Obst", "south", 47.85, 12.12, 6000),
    ("SUP-FREI", "Breisgau Kaffee", "south", 48.00, 7.85, 9000),
]

#: product -> [(supplier, unit price factor, capacity share of demand, lead days, defect)].
OFFERS = {
    "OATS-1KG": [("SUP-KIEL", 1.00, 0.55, 10, 0.008), ("SUP-MAGD", 0.97, 0.45, 12, 0.012),
                 ("SUP-MUEN", 1.03, 0.50, 8, 0.006), ("SUP-ULM", 1.05, 0.50, 9, 0.010)],
    "MUESLI-750": [("SUP-ROST", 1.00, 0.55, 14, 0.010), ("SUP-MUEN", 0.98, 0.50, 10, 0.012),
                   ("SUP-ULM", 1.04, 0.60, 11, 0.009)],
    "JUICE-1L": [("SUP-DRES", 0.96, 0.60, 7, 0.015), ("SUP-ROSE", 1.02, 0.60, 6, 0.011),
                 ("SUP-KIEL", 1.08, 0.40, 9, 0.014)],
    "PASTA-500": [("SUP-ERFU", 1.00, 0.60, 12, 0.007), ("SUP-SAAR", 0.97, 0.50, 15, 0.009),
                  ("SUP-MAGD", 1.06, 0.40, 10, 0.025)],
    "COFFEE-500": [("SUP-BREM", 1.00, 0.60, 20, 0.004), ("SUP-BONN", 1.04, 0.50, 18, 0.006),
                   ("SUP-FREI", 0.98, 0.45, 25, 0.005)],
}


def _number(value: float) -> float:
    return round(value, 4)


def starter() -> NetworkInstance:
    """The example network (deterministic)."""
    customers, demand = [], []
    for city, lat, lon, zones in CITIES:
        for k in range(zones):
            dlat, dlon = OFFSETS[k]
            zone = f"Z-{city.upper().replace(' ', '-')}" + (f"-{k + 1}" if zones > 1 else "")
            customers.append({"id": zone, "name": city + (f" zone {k + 1}" if zones > 1 else ""),
                              "lat": _number(lat + dlat), "lon": _number(lon + dlon)})
            for n, (product, _, units, _) in enumerate(PRODUCTS):
                # Some zones sell more breakfast than others: a fixed pattern by index.
                factor = 0.7 + 0.15 * ((len(customers) * 7 + n * 3) % 5)
                row = {"customer": zone, "product": product,
                       "quantity": float(round(units * factor / 10) * 10)}
                if product == "COFFEE-500":
                    row["shortage_penalty"] = 9.5
                demand.append(row)
    total = {p: sum(d["quantity"] for d in demand if d["product"] == p) for p, *_ in PRODUCTS}
    price = {p: level for p, _, _, level in PRODUCTS}
    offers, breaks = [], []
    for product, rows in OFFERS.items():
        for supplier, factor, share, lead, defect in rows:
            unit = round(price[product] * factor, 3)
            offers.append({"supplier": supplier, "product": product, "unit_price": unit,
                           "capacity": float(round(total[product] * share, -2)),
                           "moq": float(round(total[product] * 0.1, -2)),
                           "lead_time_days": float(lead), "defect_rate": defect,
                           "on_time_rate": 0.95})
            breaks.append({"supplier": supplier, "product": product,
                           "min_quantity": float(round(total[product] * 0.3, -2)),
                           "unit_price": round(unit * 0.96, 3)})
    data = {
        "name": "starter",
        "products": [{"id": p, "unit_weight": w} for p, w, _, _ in PRODUCTS],
        "facilities": [
            {"id": "DC-HAM", "name": "Hamburg-Billbrook", "lat": 53.541, "lon": 10.083,
             "capacity": 1600000.0, "fixed_cost": 310000.0, "handling_cost": 0.14},
            {"id": "DC-HEF", "name": "Bad Hersfeld", "lat": 50.868, "lon": 9.707,
             "handling_cost": 0.12},
            {"id": "DC-NUE", "name": "Nuernberg Hafen", "lat": 49.405, "lon": 11.038,
             "capacity": 1600000.0, "fixed_cost": 290000.0, "handling_cost": 0.13},
        ],
        "sizes": [
            {"facility": "DC-HEF", "size": "M", "capacity": 1500000.0, "fixed_cost": 300000.0},
            {"facility": "DC-HEF", "size": "XL", "capacity": 3500000.0,
             "fixed_cost": 520000.0},
        ],
        "customers": customers,
        "demand": demand,
        "suppliers": [{"id": i, "name": n, "region": r, "lat": la, "lon": lo,
                       "onboarding_cost": float(c)} for i, n, r, la, lo, c in SUPPLIERS],
        "offers": offers,
        "price_breaks": breaks,
        "policy": {"max_supplier_share": 0.6, "min_suppliers": 2, "max_region_share": 0.8,
                   "max_defect_rate": 0.02, "max_lead_time_days": 21, "currency": "EUR"},
        "product_policies": [{"product": "COFFEE-500", "max_lead_time_days": 30}],
        "transport": {"inbound_per_weight_km": 0.00009, "outbound_per_unit": 0.03,
                      "outbound_per_weight_km": 0.00035, "detour_factor": 1.25},
        "network_policy": {"min_open": 1, "max_open": 3, "single_sourcing": True,
                           "max_service_km": 500.0, "service_level_share": 0.7,
                           "service_level_km": 300.0},
    }
    return NetworkInstance.model_validate(data)


def main() -> None:
    """Write starter.json, the starter/ CSV folder and starter.xlsx beside this script."""
    here = Path(__file__).resolve().parent
    inst = starter()
    write_network_instance(inst, here / "starter.json", "json")
    write_network_instance(inst, here / "starter", "csv")
    write_network_instance(inst, here / "starter.xlsx", "excel")
    print(f"wrote {inst.name}: {len(inst.facilities)} DCs, {len(inst.suppliers)} suppliers, "
          f"{len(inst.customers)} zones, {len(inst.products)} products")


if __name__ == "__main__":
    main()
