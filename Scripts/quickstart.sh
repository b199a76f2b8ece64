#!/usr/bin/env bash
# The README's first command: set up this machine, start the local database, and run the registry's
# main job against it: apply the migrations, import the SYNTHETIC demo registry (Demo/sdtm) through the
# sync module, and print the response summary with the path of its HTML report.
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
echo "Importing the SYNTHETIC demo registry (Demo/sdtm, generated; no real patient) through the sync module."
existing=$("$sarcreg" site list --format csv)
for site in "MUC,Munich Sarcoma Center (demo)" "LYO,Lyon Sarcoma Center (demo)"; do
  code=${site%%,*}
  grep -q "^$code," <<<"$existing" || "$sarcreg" site add --code "$code" --name "${site#*,}"
done
"$sarcreg" sync map-site --source demo --source-site 101 --site MUC >/dev/null
"$sarcreg" sync map-site --source demo --source-site 102 --site LYO >/dev/null
"$sarcreg" sync import Demo/sdtm --format sdtm --source demo

mkdir -p reports
report="$root/reports/demo-response-summary.html"
echo
"$sarcreg" report response --html "$report" --svg-dir "$root/reports"
echo
echo "HTML report: $report"
echo "Local registry database: DATABASE_URL=$DATABASE_URL"
