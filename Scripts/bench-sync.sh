#!/usr/bin/env bash
# Sync benchmark on a generated SDTM export (Scripts/generate-sdtm.py): TR_ROWS TR rows (default
# 1,000,000) with their DM, EX, SUPPEX and TU rows.
#   1. psql's \copy of the same tr.csv into a table of text columns indexed like the import's natural key;
#   2. `sarcreg sync import` of the whole export into an empty registry, and its ratio to 1;
#   3. the rerun of the unchanged export, and its ratio to 2;
#   4. the import's peak memory (max RSS from /usr/bin/time -v) at TR_ROWS and at a quarter of it.
#   5. the floor: the import's assessment results COPYed into their table alone, with its foreign keys and
#      audit trigger, without the audit trigger, and bare (floor_results in bench-import-common.sh).
# Prints figures; it never passes or fails on time.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rows=${1:-1000000}
small=$((rows / 4))
name=sync default_port=54366 source_sites=(701 702 703 704)
source Scripts/bench-import-common.sh

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
import_once /usr/bin/time -v -o "$work/time-large" "$sarcreg" sync import "$work/large" --source bench --database "$server/bench_sync"
import_seconds=$(seconds "$start" "$(now)")
start=$(now)
import_once "$sarcreg" sync import "$work/large" --source bench --database "$server/bench_sync"
rerun_seconds=$(seconds "$start" "$(now)")
floor_results bench_sync

fresh_registry bench_small
import_once /usr/bin/time -v -o "$work/time-small" "$sarcreg" sync import "$work/small" --source bench --database "$server/bench_small" >/dev/null

printf 'psql \\copy of tr.csv (%d rows):  %.2f s\n' "$rows" "$copy_seconds"
printf 'sync import of the export:         %.2f s  (ratio to \\copy %.2f; goal <= 2.0)\n' "$import_seconds" "$(echo "$import_seconds / $copy_seconds" | bc -l)"
printf 'rerun of the unchanged export:     %.2f s  (ratio to import %.2f; goal <= 0.5)\n' "$rerun_seconds" "$(echo "$rerun_seconds / $import_seconds" | bc -l)"
printf 'peak memory (max RSS):             %s MB at %d TR rows, %s MB at %d TR rows (goal: flat, < 200 MB)\n' \
    "$(max_rss_mb "$work/time-large")" "$rows" "$(max_rss_mb "$work/time-small")" "$small"
print_floor "$copy_seconds"
