#!/usr/bin/env bash
# COPY benchmark: 1,000,000 generated rows loaded by psql's \copy and by the client layer's COPY,
# into the same table in the same run, with their ratio; then the median parameterized round trip.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rows=${1:-1000000}
Scripts/setup.sh --deps-only
export PGLOCAL_DIR=$root/.pgdata-bench PGLOCAL_PORT=54349
trap 'Scripts/pg-local.sh stop' EXIT
url=$(Scripts/pg-local.sh start)
export DATABASE_URL=${url#DATABASE_URL=}
swift build -c release --product sarcreg-bench
"$(swift build -c release --show-bin-path)/sarcreg-bench" copy "$rows"
