#!/usr/bin/env bash
# The README's first command: set up this machine, start the local database, and run the registry's
# main job against it. The local cluster keeps running afterwards; stop it with Scripts/pg-local.sh stop.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

Scripts/setup.sh
url=$(Scripts/pg-local.sh start)
export DATABASE_URL=${url#DATABASE_URL=}
sarcreg=$(swift build --product sarcreg --show-bin-path)/sarcreg

"$sarcreg" db migrate
"$sarcreg" db status
echo
echo "Local registry database: DATABASE_URL=$DATABASE_URL"
