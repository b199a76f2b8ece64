#!/usr/bin/env bash
# REDCap import benchmark on a generated flat record export (Scripts/generate-redcap.py) of ROWS rows (default
# 1,000,000), mostly lesion measurements of repeating instruments, with their records' enrollment, diagnosis,
# molecular result, therapy line and adverse event rows, and a second export of a quarter of that size with new
# records; the dictionary is REDCap/sarcreg_data_dictionary.csv. In one run, on the same files:
#   1. psql's \copy of the same CSV into a table of the export's columns as text, with a unique index on the
#      import's natural key (record id, event, repeat instrument, repeat instance);
#   2. pgloader's load of the CSV into a table typed from the dictionary, with the same key;
#   3. `sarcreg sync import --format redcap` of the export into an empty registry;
#   4. the rerun of the unchanged export;
#   5. the floor: the import's assessment results COPYed into their table alone, with its foreign keys and
#      audit trigger, without the audit trigger, and bare, and its sync records into theirs;
#   6. the second export, as another source's, imported into the same registry after ANALYZE, against the
#      same export imported into an empty registry (see bench-sync.sh for why another source's);
#   7. the import's peak memory (max RSS from /usr/bin/time -v) at ROWS and at a quarter of it.
# With IMPORT_TIMING=1 the script also prints the statements of the import and the rerun that took 0.5 s or more
# (reading and COPY is the staging's COPY statement).
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
# The second export is another source's (a second project's records), as in bench-sync.sh.
second_options=(--format redcap --dictionary "$dictionary" --source second)

# The CPU seconds of sarcreg itself (reading the CSV and writing COPY rows); the rest of the time is the server's.
cpu_seconds() { awk -F': ' '/User time|System time/ { total += $2 } END { printf "%.1f", total }' "$1"; }

# The generator writes 64 rows per record; the second export's records follow the first's.
echo "generating exports: $rows rows, and $small rows of new records"
python3 Scripts/generate-redcap.py "$work/large.csv" "$rows"
python3 Scripts/generate-redcap.py "$work/small.csv" "$small" "" $((rows / 64 + 1))
ls -l "$work"

fresh_registry bench_copy
columns=$(head -n 1 "$work/large.csv" | sed 's/,/ text, /g; s/$/ text/')
psql -q "$server/bench_copy" -c "CREATE TABLE redcap_copy ($columns)" \
    -c "CREATE UNIQUE INDEX redcap_copy_key ON redcap_copy (record_id, redcap_event_name, redcap_repeat_instrument, redcap_repeat_instance)"
start=$(now)
psql -q "$server/bench_copy" -c "\\copy redcap_copy FROM '$work/large.csv' (FORMAT csv, HEADER true)"
copy_seconds=$(seconds "$start" "$(now)")

# The typed table for pgloader: a text field validated as an integer, number or date has that type, yes/no,
# checkbox and form-status columns are numbers, everything else is text; an empty field is NULL, as in \copy.
python3 - "$dictionary" "$(head -n 1 "$work/large.csv")" "$work/typed.sql" "$work/typed.columns" <<'PY'
import csv, sys
dictionary, header, typed, listed = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4]
with open(dictionary, newline="", encoding="utf-8-sig") as f:
    fields = {row[0]: row for row in list(csv.reader(f))[1:]}
def column_type(name):
    if name == "redcap_repeat_instance" or name.endswith("_complete") or "___" in name:
        return "integer"
    field = fields.get(name)
    if field is None:
        return "text"
    if field[3] == "yesno":
        return "integer"
    return {"integer": "integer", "number": "numeric", "date_ymd": "date"}.get(field[7], "text") if field[3] == "text" else "text"
with open(typed, "w") as f:
    f.write("CREATE TABLE redcap_typed (" + ", ".join(f"{name} {column_type(name)}" for name in header)
            + ", CONSTRAINT redcap_typed_key UNIQUE (" + header[0] + ", redcap_event_name, redcap_repeat_instrument, redcap_repeat_instance))")
with open(listed, "w") as f:
    f.write(", ".join(f"{name} [null if blanks]" for name in header))
PY
psql -q "$server/bench_copy" -f "$work/typed.sql"
pgloader_load bench_copy redcap_typed "$work/large.csv" "$(cat "$work/typed.columns")"

fresh_registry bench_redcap
log_statements_of bench_redcap
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

map_source bench_redcap second
psql -q "$server/bench_redcap" -c "ANALYZE"
start=$(now)
import_once "$sarcreg" sync import "$work/small.csv" "${second_options[@]}" --database "$server/bench_redcap"
second_seconds=$(seconds "$start" "$(now)")

fresh_registry bench_small
start=$(now)
map_source bench_small second
import_once /usr/bin/time -v -o "$work/time-small" "$sarcreg" sync import "$work/small.csv" "${second_options[@]}" --database "$server/bench_small"
second_empty_seconds=$(seconds "$start" "$(now)")

echo
printf 'psql \\copy of the export (%d rows):             %.2f s\n' "$rows" "$copy_seconds"
printf 'pgloader of the export into a typed keyed table:  %.2f s, %s MB peak\n' "$pgloader_seconds" "$pgloader_rss_mb"
printf 'sync import into an empty registry:               %.2f s, %s MB peak; sarcreg itself %s s of CPU\n' \
    "$import_seconds" "$(max_rss_mb "$work/time-large")" "$(cpu_seconds "$work/time-large")"
printf 'rerun of the unchanged export:                    %.2f s\n' "$rerun_seconds"
printf 'second export (%d rows, new records) into the analyzed registry: %.2f s; into an empty registry: %.2f s\n' \
    "$small" "$second_seconds" "$second_empty_seconds"
print_floor "$copy_seconds"
print_goals "$rows" "$small"
print_statement_times "$import_log" "$rerun_log"
