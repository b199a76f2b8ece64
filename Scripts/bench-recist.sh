#!/usr/bin/env bash
# RECIST engine throughput: time points scored per second on one core, by the release build.
# Pure computation, no database. The first argument is the number of time points (default 1,000,000);
# SARCREG_BENCH_SCRATCH picks the build folder (default .build), so parallel builds need not share one.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
points=${1:-1000000}
scratch=${SARCREG_BENCH_SCRATCH:-$root/.build}
swift build -c release --scratch-path "$scratch" --product sarcreg-bench
"$(swift build -c release --scratch-path "$scratch" --show-bin-path)/sarcreg-bench" recist "$points"
