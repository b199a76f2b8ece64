#!/usr/bin/env bash
# Worklist and alerts benchmark (issue 18): generates a registry of 100,000 patients with COPY in a throwaway cluster
# of its own (diagnoses, ECOG, molecular results, open lines, lesions and assessments; the shipped trials; every
# site on a default schedule), then times every site's worklist, the alert refresh and every site's alert list.
# The first argument is the number of patients (default 100,000); SARCREG_BENCH_SCRATCH picks the build folder.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
patients=${1:-100000}
scratch=${SARCREG_BENCH_SCRATCH:-$root/.build}
export PGLOCAL_DIR=${PGLOCAL_DIR:-$root/.pgdata-bench-alerts} PGLOCAL_PORT=${PGLOCAL_PORT:-54352}
trap 'Scripts/pg-local.sh stop' EXIT
url=$(Scripts/pg-local.sh start)
export DATABASE_URL=${url#DATABASE_URL=}
swift build -c release --scratch-path "$scratch" --product sarcreg
swift build -c release --scratch-path "$scratch" --product sarcreg-bench
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
"$bin/sarcreg" db migrate
SARCREG_BENCH_DISPOSABLE=1 "$bin/sarcreg-bench" alerts "$patients"
