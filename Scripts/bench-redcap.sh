#!/usr/bin/env bash
# REDCap import benchmark on a generated flat record export (Scripts/generate-redcap.py) of ROWS rows (default
# 1,000,000), mostly lesion measurements of repeating instruments, with their records' enrollment, diagnosis,
# molecular result, therapy line and adverse event rows; the dictionary is REDCap/sarcreg_data_dictionary.csv.
#   1. psql's \copy of the same CSV into a table of the export's columns as text, with a unique index on the
#      import's natural key (record id, event, repeat instrument, repeat instance);
#   2. `sarcreg sync import --format redcap` of the export into an empty registry, and its ratio to 1;
#   3. the rerun of the unchanged export, and its ratio to 2;
#   4. the import's peak memory (max RSS from /usr/bin/time -v) at ROWS and at a quarter of it.
#   5. the floor: the import's assessment results COPYed into their table alone, with its foreign keys and
#      audit trigger, without the audit trigger, and bare (floor_results in bench-import-common.sh).
# With REDCAP_TIMING=1 the server logs every statement of the import and the rerun with its duration, and the
# script prints the statements that took 0.5 s or more (reading and COPY is the staging's COPY statement).
# Prints figures; it never passes or fails on time.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rows=${1:-1000000}
small=$((rows / 4))
name=redcap default_port=54367 source_sites=(dag_701 dag_702 dag_703 dag_704)
source Scripts/bench-import-common.sh
dictionary=$root/REDCap/sarcreg_data_dictionary.csv

import_options=(--format redcap --dictionary "$dictionary" --source bench)

# The CPU seconds of sarcreg itself (reading the CSV and writing COPY rows); the rest of the time is the server's.
cpu_seconds() { awk -F': ' '/User time|System time/ { total += $2 } END { printf "%.1f", total }' "$1"; }

echo "generating exports: $rows and $small rows"
python3 Scripts/generate-redcap.py "$work/large.csv" "$rows"
python3 Scripts/generate-redcap.py "$work/small.csv" "$small"
ls -l "$work"

fresh_registry bench_copy
columns=$(head -n 1 "$work/large.csv" | sed 's/,/ text, /g; s/$/ text/')
psql -q "$server/bench_copy" -c "CREATE TABLE redcap_copy ($columns)" \
    -c "CREATE UNIQUE INDEX redcap_copy_key ON redcap_copy (record_id, redcap_event_name, redcap_repeat_instrument, redcap_repeat_instance)"
start=$(now)
psql -q "$server/bench_copy" -c "\\copy redcap_copy FROM '$work/large.csv' (FORMAT csv, HEADER true)"
copy_seconds=$(seconds "$start" "$(now)")

fresh_registry bench_redcap
if [ "${REDCAP_TIMING:-0}" = 1 ]; then
    psql -q "$server/bench_redcap" -c "ALTER DATABASE bench_redcap SET log_min_duration_statement = 500"
fi
log_lines() { wc -l < "$PGLOCAL_DIR/server.log"; }
# The statements a run logged: duration and the statement's first words, one line each.
statement_times() {
    # grep finds nothing without REDCAP_TIMING=1, which must not end the benchmark under `set -e`.
    tail -n +"$(($1 + 1))" "$PGLOCAL_DIR/server.log" | { grep -a 'duration: ' || true; } \
        | sed -E 's/.*duration: ([0-9.]+) ms +(statement|execute [^:]*): */\1 ms  /' | tr -s ' \t' ' ' | cut -c 1-160
}
before=$(log_lines)
start=$(now)
import_once /usr/bin/time -v -o "$work/time-large" "$sarcreg" sync import "$work/large.csv" "${import_options[@]}" --database "$server/bench_redcap"
import_seconds=$(seconds "$start" "$(now)")
import_log=$(statement_times "$before")
before=$(log_lines)
start=$(now)
import_once "$sarcreg" sync import "$work/large.csv" "${import_options[@]}" --database "$server/bench_redcap"
rerun_seconds=$(seconds "$start" "$(now)")
rerun_log=$(statement_times "$before")
floor_results bench_redcap

fresh_registry bench_small
import_once /usr/bin/time -v -o "$work/time-small" "$sarcreg" sync import "$work/small.csv" "${import_options[@]}" --database "$server/bench_small" >/dev/null

printf 'psql \\copy of the export (%d rows): %.2f s\n' "$rows" "$copy_seconds"
printf 'sync import of the export:            %.2f s  (ratio to \\copy %.2f; goal <= 2.0)\n' "$import_seconds" "$(echo "$import_seconds / $copy_seconds" | bc -l)"
printf '  of which sarcreg itself (CPU):      %s s\n' "$(cpu_seconds "$work/time-large")"
printf 'rerun of the unchanged export:        %.2f s  (ratio to import %.2f; goal <= 0.5)\n' "$rerun_seconds" "$(echo "$rerun_seconds / $import_seconds" | bc -l)"
printf 'peak memory (max RSS):                %s MB at %d rows, %s MB at %d rows (goal: flat, < 200 MB)\n' \
    "$(max_rss_mb "$work/time-large")" "$rows" "$(max_rss_mb "$work/time-small")" "$small"
print_floor "$copy_seconds"
if [ "${REDCAP_TIMING:-0}" = 1 ]; then
    printf '\nstatements of the import taking 0.5 s or more:\n%s\n' "$import_log"
    printf '\nstatements of the rerun taking 0.5 s or more:\n%s\n' "$rerun_log"
fi
