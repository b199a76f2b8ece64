#!/usr/bin/env bash
# Loads the SYNTHETIC demo registry into the database DATABASE_URL names, through the sync module: adds the
# demo sites MUC, LYO and BCN (kept if present), maps the exports' sites to them, and imports Demo/sdtm and
# Demo/redcap/export.csv. The quick start runs it, and so does the README examples test, so the README's
# examples run on the same registry. Idempotent: a second run changes nothing.
# Usage: Scripts/demo/load-demo.sh [SARCREG]   (default: the sarcreg on PATH)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
sarcreg=${1:-sarcreg}

existing=$("$sarcreg" site list --format csv)
for site in "MUC,Munich Sarcoma Center (demo)" "LYO,Lyon Sarcoma Center (demo)" "BCN,Barcelona Sarcoma Unit (demo)"; do
  code=${site%%,*}
  grep -q "^$code," <<<"$existing" || "$sarcreg" site add --code "$code" --name "${site#*,}"
done
"$sarcreg" sync map-site --source demo --source-site 101 --site MUC >/dev/null
"$sarcreg" sync map-site --source demo --source-site 102 --site LYO >/dev/null
"$sarcreg" sync map-site --source demo-redcap --source-site demo_bcn --site BCN >/dev/null
"$sarcreg" sync import Demo/sdtm --format sdtm --source demo
"$sarcreg" sync import Demo/redcap/export.csv --format redcap --dictionary REDCap/sarcreg_data_dictionary.csv --source demo-redcap
