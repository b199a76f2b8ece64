#!/usr/bin/env bash
# Runs the whole test suite against a throwaway PostgreSQL 15 cluster and exits with the tests' status.
# The cluster is separate from the development one (its own folder and port) and is stopped on exit.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

Scripts/setup.sh --deps-only --test-deps || exit 1

export PGLOCAL_DIR=${PGLOCAL_DIR:-$root/.pgdata-test}
export PGLOCAL_PORT=${PGLOCAL_PORT:-54339}
# Every statement is logged, so tests can check that no clear MRN ever reaches the server.
export PGLOCAL_OPTIONS="-c log_statement=all -c log_min_duration_statement=-1"
Scripts/pg-local.sh destroy >/dev/null 2>&1
trap 'Scripts/pg-local.sh stop' EXIT
url=$(Scripts/pg-local.sh start) || exit 1
export DATABASE_URL=${url#DATABASE_URL=}
export SARCREG_SERVER_LOG=$PGLOCAL_DIR/server.log

swift build --build-tests || exit 1
swift test --skip-build 2>&1 | tee "$PGLOCAL_DIR/swift-test.log"
status=${PIPESTATUS[0]}

# The reliability suite's figures: each test prints `reliability-figure NAME=VALUE` lines; they are summed
# here into one block at the end of the output. A figure no test reported is printed as missing, never as 0.
echo
echo "=== reliability figures ==="
for figure in files-tried rows-quarantined enrollments conflicts-retried writes-lost; do
  values=$(grep -ao "reliability-figure $figure=[0-9]*" "$PGLOCAL_DIR/swift-test.log" | cut -d= -f2)
  if [ -z "$values" ]; then
    printf '  %-18s missing (no test reported it)\n' "$figure"
  else
    printf '  %-18s %s\n' "$figure" "$(printf '%s\n' "$values" | awk '{ sum += $1 } END { print sum }')"
  fi
done
echo "==========================="
exit "$status"
