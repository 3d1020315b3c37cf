#!/usr/bin/env bash
# Rebuild the shipped routing examples with the project's own seeded generator; each comes as a
# JSON file, a CSV folder and an Excel workbook.
set -euo pipefail
cd "$(dirname "$0")"
optimizer routing generate --stops 40 --seed 1 --out city-day-40.json
optimizer routing generate --stops 120 --depots 2 --seed 2 --tightness 0.7 --out two-depots-120.json
optimizer routing generate --stops 30 --seed 3 --breaks --out lunch-breaks-30.json
for json in *.json; do
  name="${json%.json}"
  rm -rf "$name" "$name.xlsx"
  optimizer routing convert "$json" "$name"
  optimizer routing convert "$json" "$name.xlsx"
done
