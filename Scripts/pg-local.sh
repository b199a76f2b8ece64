#!/usr/bin/env bash
# A throwaway local PostgreSQL 15 cluster for development and tests.
#
#   Scripts/pg-local.sh start   initdb (first time) and start; prints DATABASE_URL=...
#   Scripts/pg-local.sh stop    stop the server
#   Scripts/pg-local.sh url     print the DATABASE_URL
#   Scripts/pg-local.sh env     print shell lines that put sarcreg on PATH and set DATABASE_URL:
#                               eval "$(Scripts/pg-local.sh env)"
#   Scripts/pg-local.sh status  say whether the cluster runs, where, and its URL; exit 3 when it does not
#   Scripts/pg-local.sh destroy stop and delete the cluster
#
# The cluster lives in .pgdata/ of the checkout (git-ignored) and listens on a Unix socket only.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
# PGLOCAL_DIR and PGLOCAL_PORT override the folder and the port.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${PGLOCAL_DIR:-$root/.pgdata}
port=${PGLOCAL_PORT:-54329}
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl 2>/dev/null || echo /usr/lib/postgresql/15/bin/pg_ctl)")}
data=$dir/data
sock=$dir/socket
# A Unix socket path must stay under about 100 bytes; a deep checkout gets its socket in /tmp.
if [ ${#sock} -gt 80 ]; then
  sock=/tmp/sarcreg-pg-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
fi
log=$dir/server.log

as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() {
  # A Unix-socket URL: the host is the socket folder, percent-encoded.
  local encoded
  encoded=$(printf '%s' "$sock" | sed 's|/|%2F|g')
  printf 'postgresql://postgres@%s:%s/postgres\n' "$encoded" "$port"
}

start() {
  if [ ! -x "$bindir/initdb" ]; then
    echo "pg-local: PostgreSQL 15 server binaries not found in $bindir; run Scripts/setup.sh first" >&2
    exit 1
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "pg-local: the postgres user cannot write $dir (a parent folder is closed to it); set PGLOCAL_DIR to a folder under /tmp" >&2
      exit 1
    fi
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_server_user "$bindir/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$data" >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2; exit 1; }
  fi
  as_server_user mkdir -p "$sock"
  if as_server_user "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "pg-local: already running" >&2
  else
    # fsync off is for throwaway test data only; never for a real registry.
    as_server_user "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $port -k $sock -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PGLOCAL_OPTIONS:-}" \
      start >/dev/null || { tail -n 20 "$log" >&2; exit 1; }
  fi
  echo "DATABASE_URL=$(url)"
}

stop() {
  if [ -f "$data/PG_VERSION" ] && as_server_user "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_server_user "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "pg-local: stopped" >&2
  fi
}

# Shell lines for eval: the debug build's folder on PATH (where Scripts/quickstart.sh built sarcreg) and the URL.
env_lines() {
  printf 'export PATH=%q:"$PATH"\n' "$root/.build/debug"
  printf 'export DATABASE_URL=%q\n' "$(url)"
}

status() {
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "pg-local: no cluster in $dir (Scripts/pg-local.sh start creates one)"
    exit 3
  fi
  if as_server_user "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "pg-local: running in $dir, socket $sock, port $port"
    echo "DATABASE_URL=$(url)"
  else
    echo "pg-local: stopped (cluster in $dir; Scripts/pg-local.sh start starts it)"
    exit 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  env) env_lines ;;
  status) status ;;
  destroy) stop; rm -rf "$dir" ;;
  *) echo "usage: Scripts/pg-local.sh start|stop|status|url|env|destroy" >&2; exit 64 ;;
esac
