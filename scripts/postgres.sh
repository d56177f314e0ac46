#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL server for tests and benchmarks, on loopback only.
#   scripts/postgres.sh start   -> prints the admin connection string on stdout
#   scripts/postgres.sh stop
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` OS user.
set -euo pipefail

PGDIR="${SCIM_PG_DIR:-/tmp/scim-pg}"
PGPORT="${SCIM_PG_PORT:-55432}"
# Tests trade durability for speed; benchmarks pass SCIM_PG_DURABLE=1 to measure real commits.
DURABLE="${SCIM_PG_DURABLE:-0}"

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$dir" ]]; then
    echo "PostgreSQL server binaries not found; install them with: apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "$dir"
}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    BIN=$(find_bin)
    if ! as_pg "$BIN/pg_ctl" -D "$PGDIR" status >/dev/null 2>&1; then
      if [[ ! -f "$PGDIR/PG_VERSION" ]]; then
        mkdir -p "$PGDIR"
        [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PGDIR"
        as_pg "$BIN/initdb" -D "$PGDIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      fi
      opts="-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PGDIR -c max_connections=400 -c shared_buffers=256MB"
      if [[ "$DURABLE" != "1" ]]; then
        opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      fi
      as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -o "$opts" -w -t 60 start >/dev/null
    fi
    echo "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
    ;;
  stop)
    BIN=$(find_bin)
    as_pg "$BIN/pg_ctl" -D "$PGDIR" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
