# Shared by the import benchmarks (bench-sync.sh, bench-redcap.sh); sourced, not run. The caller sets `name`
# (cluster, build and database folder suffix), `default_port` and `source_sites` (the four source site ids
# mapped to registry sites SA..SD) before sourcing. Provides: a throwaway cluster ($server), a release sarcreg
# ($sarcreg), a work folder ($work) removed on exit, timing helpers, fresh_registry, import_once and max_rss_mb.
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
