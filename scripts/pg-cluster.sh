#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster for the test suite.
#   scripts/pg-cluster.sh start DIR PORT   -> prints the database URL
#   scripts/pg-cluster.sh stop DIR
# Uses the PostgreSQL binaries on PATH, else Debian's /usr/lib/postgresql/*/bin, else installs
# Debian's `postgresql` package (when root). As root, the cluster runs as the `postgres` user in
# a directory that user owns (PostgreSQL refuses to run as root).
# MEDREG_PG_OPTIONS adds server options at start, e.g. "-c shared_buffers=6GB" (benchmarks only).
set -euo pipefail
action=$1; dir=$2; port=${3:-55432}

find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  local debian; debian=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$debian" ]; then echo "$debian"; return; fi
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1; return
  fi
  echo "PostgreSQL binaries not found: install Debian's postgresql package" >&2; exit 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    bin=$(find_bin)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres; chown postgres "$dir"; chmod 700 "$dir"; }
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U medreg --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200 -c shared_buffers=256MB ${MEDREG_PG_OPTIONS:-}" start >/dev/null
    # The suite creates its own databases (test_postgres ...) from this maintenance database.
    echo "postgresql://medreg@127.0.0.1:$port/postgres"
    ;;
  stop)
    bin=$(find_bin)
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
