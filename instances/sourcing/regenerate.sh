#!/usr/bin/env bash
# Rebuild the shipped sourcing examples from their sources, with the project's own CLI.
# starter.json, disruption.json (the starter brand with disruption scenarios) and
# infeasible.json are written by hand; generated-20x50.json comes from the
# seeded generator. Every JSON instance is also shipped as a CSV folder and an Excel workbook.
set -euo pipefail
cd "$(dirname "$0")"
optimizer sourcing generate --suppliers 20 --products 50 --seed 7 --out generated-20x50.json
for json in *.json; do
  name="${json%.json}"
  rm -rf "$name" "$name.xlsx"
  optimizer sourcing convert "$json" "$name" --form csv
  optimizer sourcing convert "$json" "$name.xlsx" --form excel
done
