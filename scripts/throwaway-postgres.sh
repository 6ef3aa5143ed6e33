#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in a folder of its own, on loopback only, for the tests and the
# reference replica setup (Debian's postgresql package; scripts/ensure-test-deps.sh installs it).
#   throwaway-postgres.sh start <dir> [port]   creates the cluster on first use (port required then), starts it, prints its URL
#   throwaway-postgres.sh stop <dir>           stops it (fast: open sessions are cut), keeps its files
# With THROWAWAY_PG_OWNER=<pid>, start also leaves a watchdog that stops the cluster and removes
# <dir> once that process is gone, so a test run that is killed leaves no server behind.
# The cluster trusts every local connection: it listens on 127.0.0.1 and a socket in <dir> only,
# and holds nothing but test data. PostgreSQL refuses to run as root, so as root it runs as the
# `postgres` user, who must be able to reach <dir> (a folder under /tmp is fine).
set -euo pipefail
command=${1:?usage: throwaway-postgres.sh start|stop <dir> [port]}
dir=${2:?usage: throwaway-postgres.sh start|stop <dir> [port]}
port=${3:-}

bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$bin/pg_ctl" ] || { echo "PostgreSQL's server is not installed: run  apt-get install -y postgresql" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; else "$@"; fi
}

case "$command" in
  start)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      [ -n "$port" ] || { echo "throwaway-postgres.sh: a new cluster needs a port" >&2; exit 1; }
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres: "$dir"
      as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C -N >"$dir/initdb.log"
      as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
CONF
    fi
    port=$(sed -n "s/^port = \([0-9]*\)$/\1/p" "$dir/data/postgresql.conf" | tail -n 1)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    if [ -n "${THROWAWAY_PG_OWNER:-}" ]; then
      setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 2; done; bash "$0" stop "$2" || true; rm -rf "$2"' \
        "$0" "$THROWAWAY_PG_OWNER" "$dir" </dev/null >/dev/null 2>&1 &
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    ;;
  *)
    echo "throwaway-postgres.sh: unknown command $command (start or stop)" >&2
    exit 1
    ;;
esac
