#!/usr/bin/env bash
# Sync benchmark on a generated SDTM export (Scripts/generate-sdtm.py): TR_ROWS TR rows (default
# 1,000,000) with their DM, EX, SUPPEX and TU rows.
#   1. psql's \copy of the same tr.csv into a table of text columns indexed like the import's natural key;
#   2. `sarcreg sync import` of the whole export into an empty registry, and its ratio to 1;
#   3. the rerun of the unchanged export, and its ratio to 2;
#   4. the import's peak memory (max RSS from /usr/bin/time -v) at TR_ROWS and at a quarter of it.
# Prints figures; it never passes or fails on time.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rows=${1:-1000000}
small=$((rows / 4))
export PGLOCAL_DIR=${PGLOCAL_DIR:-$root/.pgdata-bench-sync} PGLOCAL_PORT=${PGLOCAL_PORT:-54366}
trap 'Scripts/pg-local.sh stop >/dev/null' EXIT
url=$(Scripts/pg-local.sh start)
server=${url#DATABASE_URL=}
server=${server%/*}
scratch=${SCRATCH_PATH:-$root/.build-bench-sync}
swift build -c release --product sarcreg --scratch-path "$scratch" >/dev/null
sarcreg=$(swift build -c release --show-bin-path --scratch-path "$scratch")/sarcreg
work=$(mktemp -d)
trap 'rm -rf "$work"; Scripts/pg-local.sh stop >/dev/null' EXIT

now() { date +%s.%N; }
seconds() { echo "$2 - $1" | bc; }

fresh_registry() {
    psql -q "$server/postgres" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
    "$sarcreg" db migrate --database "$server/$1" >/dev/null
    psql -q "$server/$1" -c "INSERT INTO sites (site_code, name) VALUES ('SA', 'A'), ('SB', 'B'), ('SC', 'C'), ('SD', 'D')"
    for pair in 701:SA 702:SB 703:SC 704:SD; do
        "$sarcreg" sync map-site --database "$server/$1" --source bench --source-site "${pair%:*}" --site "${pair#*:}" >/dev/null
    done
}

max_rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"; }

echo "generating exports: $rows and $small TR rows"
python3 Scripts/generate-sdtm.py "$work/large" "$rows"
python3 Scripts/generate-sdtm.py "$work/small" "$small"
ls -l "$work/large"

fresh_registry bench_copy
psql -q "$server/bench_copy" -c "CREATE TABLE tr_copy (studyid text, domain text, usubjid text, trlnkid text, trtestcd text,
    trorres text, trstresc text, trstresn text, trstresu text, visitnum text, visit text, treval text, trdtc text)" \
    -c "CREATE UNIQUE INDEX tr_copy_key ON tr_copy (usubjid, treval, trlnkid, visitnum, trtestcd)"
start=$(now)
psql -q "$server/bench_copy" -c "\\copy tr_copy FROM '$work/large/tr.csv' (FORMAT csv, HEADER true)"
copy_seconds=$(seconds "$start" "$(now)")

fresh_registry bench_sync
start=$(now)
/usr/bin/time -v -o "$work/time-large" "$sarcreg" sync import "$work/large" --source bench --database "$server/bench_sync" 2>/dev/null | tail -n 1
import_seconds=$(seconds "$start" "$(now)")
start=$(now)
"$sarcreg" sync import "$work/large" --source bench --database "$server/bench_sync" 2>/dev/null | tail -n 1
rerun_seconds=$(seconds "$start" "$(now)")

fresh_registry bench_small
/usr/bin/time -v -o "$work/time-small" "$sarcreg" sync import "$work/small" --source bench --database "$server/bench_small" >/dev/null 2>&1

printf 'psql \\copy of tr.csv (%d rows):  %.2f s\n' "$rows" "$copy_seconds"
printf 'sync import of the export:         %.2f s  (ratio to \\copy %.2f; goal <= 2.0)\n' "$import_seconds" "$(echo "$import_seconds / $copy_seconds" | bc -l)"
printf 'rerun of the unchanged export:     %.2f s  (ratio to import %.2f; goal <= 0.5)\n' "$rerun_seconds" "$(echo "$rerun_seconds / $import_seconds" | bc -l)"
printf 'peak memory (max RSS):             %s MB at %d TR rows, %s MB at %d TR rows (goal: flat, < 200 MB)\n' \
    "$(max_rss_mb "$work/time-large")" "$rows" "$(max_rss_mb "$work/time-small")" "$small"
