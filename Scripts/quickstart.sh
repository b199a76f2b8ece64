#!/usr/bin/env bash
# The README's first command: set up this machine, start the local database, and run the registry's
# main job against it: apply the migrations, import the SYNTHETIC demo registry (Demo/sdtm, and
# Demo/redcap for diagnoses and molecular results) through the sync module, and print the response summary with the path of its HTML report.
# Safe to run again: the import is idempotent, and existing sites and mappings are kept.
# The local cluster keeps running afterwards; stop it with Scripts/pg-local.sh stop.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

Scripts/setup.sh
url=$(Scripts/pg-local.sh start)
export DATABASE_URL=${url#DATABASE_URL=}
sarcreg=$(swift build --product sarcreg --show-bin-path)/sarcreg

"$sarcreg" db migrate
"$sarcreg" db status

echo
echo "Importing the SYNTHETIC demo registry (Demo/sdtm and Demo/redcap, generated; no real patient) through the sync module."
Scripts/demo/load-demo.sh "$sarcreg"

mkdir -p reports
report="$root/reports/demo-response-summary.html"
echo
"$sarcreg" report response --html "$report" --svg-dir "$root/reports"
echo
echo "HTML report: $report"
echo "Local registry database: DATABASE_URL=$DATABASE_URL"
