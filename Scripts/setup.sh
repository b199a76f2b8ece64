#!/usr/bin/env bash
# Prepares a fresh Debian machine: installs what the registry needs when it is missing, then builds.
#   Scripts/setup.sh                           install missing packages and build sarcreg
#   Scripts/setup.sh --deps-only               install missing packages only
#   Scripts/setup.sh --deps-only --test-deps   also what only the test suite needs (test.sh passes it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

deps_only=false test_deps=false
for argument in "$@"; do
  case $argument in
    --deps-only) deps_only=true ;;
    --test-deps) test_deps=true ;;
    *) echo "usage: Scripts/setup.sh [--deps-only] [--test-deps]" >&2; exit 64 ;;
  esac
done

missing=()
dpkg -s libpq-dev >/dev/null 2>&1 || missing+=(libpq-dev)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client-15)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
# The report layout tests render the HTML report in headless Chromium; the registry itself never needs it.
if $test_deps; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # The server package must not start a system cluster of its own; ours is started by pg-local.sh.
  echo exit 101 | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  $sudo rm -f /usr/sbin/policy-rc.d
fi

# The FHIR export is validated in the test suite by fhir.resources (PyPI), which parses R4B resources; the
# registry itself never needs it, so the quick start does not install it.
if $test_deps && ! python3 -c 'import fhir.resources.R4B' >/dev/null 2>&1; then
  echo "setup: installing fhir.resources from PyPI" >&2
  python3 -m pip install --quiet 'fhir.resources==8.3.0' \
    || python3 -m pip install --quiet --user --break-system-packages 'fhir.resources==8.3.0' \
    || echo "setup: could not install fhir.resources; the FHIR validation test will fail and say so" >&2
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift 6 toolchain is not on PATH (expected at /opt/swift/usr/bin)" >&2
  exit 1
fi

$deps_only && exit 0
swift build --product sarcreg
