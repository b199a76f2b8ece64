# Shared by the import benchmarks (bench-sync.sh, bench-redcap.sh); sourced, not run. The caller sets `name`
# (cluster, build and database folder suffix), `default_port` and `source_sites` (the four source site ids
# mapped to registry sites SA..SD) before sourcing. Provides: a throwaway cluster ($server), a release sarcreg
# ($sarcreg), a work folder ($work) removed on exit, timing helpers, fresh_registry, import_once, max_rss_mb,
# and floor_results with print_floor.
set -euo pipefail
export PGLOCAL_DIR=${PGLOCAL_DIR:-$root/.pgdata-bench-$name} PGLOCAL_PORT=${PGLOCAL_PORT:-$default_port}
trap 'Scripts/pg-local.sh stop >/dev/null' EXIT
url=$(Scripts/pg-local.sh start)
server=${url#DATABASE_URL=}
server=${server%/*}
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
    local codes=(SA SB SC SD) index=0
    for source_site in "${source_sites[@]}"; do
        "$sarcreg" sync map-site --database "$server/$1" --source bench --source-site "$source_site" --site "${codes[$index]}" >/dev/null
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

# The floor under an import: the assessment results it wrote to database $1, COPYed back into
# assessment_results alone, with nothing read, checked or keyed, in transactions that are rolled back. Three
# ways: with the table's foreign keys and audit trigger as the import writes them, with the foreign keys but
# without the audit trigger, and bare. TRUNCATE empties the table first, as an empty registry's is; at the
# cluster's wal_level (replica) a table truncated in the same transaction is still WAL-logged, so the COPY is
# not favoured over the import's INSERT. Sets floor_rows and floor_full, floor_keys and floor_bare (seconds,
# from psql's own timing of the COPY statement alone).
floor_results() {
    psql -q "$server/$1" -c "\\copy assessment_results TO '$work/results.csv' (FORMAT csv)"
    floor_rows=$(wc -l < "$work/results.csv")
    local variant setup milliseconds
    for variant in full keys bare; do
        case $variant in
            full) setup= ;;
            keys) setup="ALTER TABLE assessment_results DISABLE TRIGGER USER;" ;;
            bare) setup="ALTER TABLE assessment_results DISABLE TRIGGER ALL;" ;;
        esac
        milliseconds=$(psql -q -X -v ON_ERROR_STOP=1 "$server/$1" <<SQL | awk '/^Time: / { print $2 }'
BEGIN;
TRUNCATE assessment_results;
$setup
\timing on
\copy assessment_results FROM '$work/results.csv' (FORMAT csv)
\timing off
ROLLBACK;
SQL
        )
        # A figure psql did not print stops the benchmark rather than printing as 0.
        if [ -z "$milliseconds" ]; then
            echo "floor: psql printed no time for the COPY ($variant)" >&2
            exit 1
        fi
        printf -v "floor_$variant" '%.2f' "$(echo "$milliseconds / 1000" | bc -l)"
    done
}

# Prints the floor figures against the \copy baseline of $1 seconds.
print_floor() {
    printf 'floor: the import'"'"'s %d assessment results COPYed into assessment_results alone (nothing checked; rolled back):\n' "$floor_rows"
    printf '  with its foreign keys and audit trigger: %.2f s  (ratio to \\copy %.2f)\n' "$floor_full" "$(echo "$floor_full / $1" | bc -l)"
    printf '  with its foreign keys, no audit trigger: %.2f s  (ratio to \\copy %.2f)\n' "$floor_keys" "$(echo "$floor_keys / $1" | bc -l)"
    printf '  bare (no foreign keys, no audit):        %.2f s  (ratio to \\copy %.2f)\n' "$floor_bare" "$(echo "$floor_bare / $1" | bc -l)"
}
