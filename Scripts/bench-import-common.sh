# Shared by the import benchmarks (bench-sync.sh, bench-redcap.sh); sourced, not run. The caller sets `name`
# (cluster, build and database folder suffix), `default_port` and `source_sites` (the four source site ids
# mapped to registry sites SA..SD) before sourcing. Provides: a throwaway cluster ($server), a release sarcreg
# ($sarcreg), a work folder ($work) removed on exit, timing helpers, fresh_registry, import_once, max_rss_mb,
# pgloader_load, floor_results with print_floor, and print_goals.
set -euo pipefail
export PGLOCAL_DIR=${PGLOCAL_DIR:-$root/.pgdata-bench-$name} PGLOCAL_PORT=${PGLOCAL_PORT:-$default_port}
trap 'Scripts/pg-local.sh stop >/dev/null' EXIT
url=$(Scripts/pg-local.sh start)
server=${url#DATABASE_URL=}
server=${server%/*}
# The cluster's socket folder, as pgloader's connection string names it (unix:FOLDER:PORT).
socket=$(printf '%s' "${server#*@}" | sed -E 's/:[0-9]+$//; s/%2F/\//g')
scratch=${SCRATCH_PATH:-$root/.build-bench-$name}
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
    map_source "$1" bench
}

# Maps the four source sites of source $2 to the registry sites SA..SD of database $1.
map_source() {
    local codes=(SA SB SC SD) index=0
    for source_site in "${source_sites[@]}"; do
        "$sarcreg" sync map-site --database "$server/$1" --source "$2" --source-site "$source_site" --site "${codes[$index]}" >/dev/null
        index=$((index + 1))
    done
}

# Runs one import and prints its last line; a failed import stops the benchmark with sarcreg's own message.
import_once() {
    local status=0
    "$@" >"$work/import.out" 2>"$work/import.err" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "the import failed (exit status $status):" >&2
        tail -n 5 "$work/import.err" >&2
        exit 1
    fi
    tail -n 1 "$work/import.out"
}

max_rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"; }

# pgloader, the standard PostgreSQL CSV loader, loading CSV file $3 (with a header) into table $2 of database $1,
# which the caller created typed and keyed; $4 lists the file's columns. Sets pgloader_seconds and
# pgloader_rss_mb. A load that rejects any row stops the benchmark: its time would not be comparable.
# Installed from Debian's packages when missing.
pgloader_load() {
    local database=$1 table=$2 file=$3 columns=$4 start loaded expected
    if ! command -v pgloader >/dev/null; then
        echo "installing pgloader (Debian package)"
        apt-get install -y pgloader >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y pgloader >/dev/null 2>&1; }
    fi
    cat >"$work/$table.load" <<LOAD
LOAD CSV FROM '$file' ($columns)
INTO postgresql://postgres@unix:$socket:$PGLOCAL_PORT/$database
    TARGET TABLE $table
WITH skip header = 1, fields terminated by ',', fields optionally enclosed by '"';
LOAD
    start=$(now)
    if ! /usr/bin/time -v -o "$work/time-pgloader" pgloader "$work/$table.load" >"$work/pgloader.out" 2>&1; then
        echo "pgloader failed:" >&2
        tail -n 20 "$work/pgloader.out" >&2
        exit 1
    fi
    pgloader_seconds=$(seconds "$start" "$(now)")
    pgloader_rss_mb=$(max_rss_mb "$work/time-pgloader")
    loaded=$(psql -At "$server/$database" -c "SELECT count(*) FROM $table")
    expected=$(($(wc -l <"$file") - 1))
    if [ "$loaded" -ne "$expected" ]; then
        echo "pgloader loaded $loaded of $expected rows:" >&2
        tail -n 20 "$work/pgloader.out" >&2
        exit 1
    fi
}

# With IMPORT_TIMING=1 the server logs each statement of database $1 that takes 0.5 s or more, with its duration.
log_statements_of() {
    if [ "${IMPORT_TIMING:-0}" = 1 ]; then
        psql -q "$server/$1" -c "ALTER DATABASE $1 SET log_min_duration_statement = 500"
    fi
}
log_lines() { wc -l < "$PGLOCAL_DIR/server.log"; }
# The statements logged after server log line $1: duration and the statement's first words, one line each.
statement_times() {
    # grep finds nothing without IMPORT_TIMING=1, which must not end the benchmark under `set -e`.
    tail -n +"$(($1 + 1))" "$PGLOCAL_DIR/server.log" | { grep -a 'duration: ' || true; } \
        | sed -E 's/.*duration: ([0-9.]+) ms +(statement|execute [^:]*): */\1 ms  /' | tr -s ' \t' ' ' | cut -c 1-160
}
# Prints the statements of the import ($1) and the rerun ($2) with IMPORT_TIMING=1.
print_statement_times() {
    if [ "${IMPORT_TIMING:-0}" = 1 ]; then
        printf '\nstatements of the import taking 0.5 s or more:\n%s\n' "$1"
        printf '\nstatements of the rerun taking 0.5 s or more:\n%s\n' "$2"
    fi
}

# Prints a goal's line: the figure, the ratio to its reference, the limit, and met or missed.
goal() {
    local label=$1 figure=$2 reference=$3 reference_name=$4 limit=$5 ratio verdict
    ratio=$(echo "$figure / $reference" | bc -l)
    if [ "$(echo "$ratio <= $limit" | bc -l)" = 1 ]; then verdict=met; else verdict=missed; fi
    printf '  %-44s %8.2f s = %5.2f x %-30s goal <= %s: %s\n' "$label" "$figure" "$ratio" "$reference_name" "$limit" "$verdict"
}

# The issue's goals from the figures the caller set (import_seconds, pgloader_seconds, floor_keys, second_seconds,
# second_empty_seconds, rerun_seconds, copy_seconds), and the peak memory of the import at $1 and $2 rows.
print_goals() {
    echo
    echo "goals"
    goal "import into an empty registry" "$import_seconds" "$pgloader_seconds" "pgloader" 0.5
    goal "import into an empty registry" "$import_seconds" "$floor_keys" "the floor (results with keys)" 2.0
    goal "second export into the analyzed registry" "$second_seconds" "$second_empty_seconds" "the same into an empty one" 1.2
    goal "unchanged rerun" "$rerun_seconds" "$copy_seconds" "psql \\copy" 3.0
    printf '  %-44s %s MB at %d rows, %s MB at %d (goal: flat, under 200 MB)\n' "peak memory of the import" \
        "$(max_rss_mb "$work/time-large")" "$1" "$(max_rss_mb "$work/time-small")" "$2"
}

# The seconds psql times for COPYing file $3 back into table $2 of database $1 after emptying it, with the SQL
# $4 run first, in a transaction that is rolled back. A figure psql did not print stops the benchmark rather
# than printing as 0.
copy_back_seconds() {
    local milliseconds
    milliseconds=$(psql -q -X -v ON_ERROR_STOP=1 "$server/$1" <<SQL | awk '/^Time: / { print $2 }'
BEGIN;
TRUNCATE $2;
$4
\timing on
\copy $2 FROM '$3' (FORMAT csv)
\timing off
ROLLBACK;
SQL
    )
    if [ -z "$milliseconds" ]; then
        echo "floor: psql printed no time for the COPY into $2" >&2
        exit 1
    fi
    printf '%.2f' "$(echo "$milliseconds / 1000" | bc -l)"
}

# The floor under an import: the assessment results it wrote to database $1, COPYed back into
# assessment_results alone, with nothing read, checked or keyed (copy_back_seconds). Three ways: with the
# table's foreign keys and audit trigger (which, outside an import, writes an entry per row), with the foreign
# keys but without the audit trigger, and bare. TRUNCATE empties the table first, as an empty registry's is;
# at the cluster's wal_level (replica) a table truncated in the same transaction is still WAL-logged, so the
# COPY is not favoured over the import's INSERT. The provenance under it: its sync records COPYed back into
# sync_records with their key and run check, as the import writes them. Sets floor_rows, floor_full,
# floor_keys, floor_bare, floor_records_rows and floor_records.
floor_results() {
    psql -q "$server/$1" -c "\\copy assessment_results TO '$work/results.csv' (FORMAT csv)"
    floor_rows=$(wc -l < "$work/results.csv")
    floor_full=$(copy_back_seconds "$1" assessment_results "$work/results.csv" "")
    floor_keys=$(copy_back_seconds "$1" assessment_results "$work/results.csv" "ALTER TABLE assessment_results DISABLE TRIGGER USER;")
    floor_bare=$(copy_back_seconds "$1" assessment_results "$work/results.csv" "ALTER TABLE assessment_results DISABLE TRIGGER ALL;")
    psql -q "$server/$1" -c "\\copy sync_records TO '$work/records.csv' (FORMAT csv)"
    floor_records_rows=$(wc -l < "$work/records.csv")
    floor_records=$(copy_back_seconds "$1" sync_records "$work/records.csv" "")
}

# Prints the floor figures against the \copy baseline of $1 seconds.
print_floor() {
    printf 'floor: the import'"'"'s %d assessment results COPYed into assessment_results alone (nothing checked; rolled back):\n' "$floor_rows"
    printf '  with its foreign keys and audit trigger: %.2f s  (ratio to \\copy %.2f)\n' "$floor_full" "$(echo "$floor_full / $1" | bc -l)"
    printf '  with its foreign keys, no audit trigger: %.2f s  (ratio to \\copy %.2f)\n' "$floor_keys" "$(echo "$floor_keys / $1" | bc -l)"
    printf '  bare (no foreign keys, no audit):        %.2f s  (ratio to \\copy %.2f)\n' "$floor_bare" "$(echo "$floor_bare / $1" | bc -l)"
    printf 'provenance: the import'"'"'s %d sync records COPYed into sync_records alone (key and run check; rolled back): %.2f s\n' \
        "$floor_records_rows" "$floor_records"
    printf '  results with foreign keys plus provenance: %.2f s  (ratio to \\copy %.2f)\n' \
        "$(echo "$floor_keys + $floor_records" | bc -l)" "$(echo "($floor_keys + $floor_records) / $1" | bc -l)"
}
