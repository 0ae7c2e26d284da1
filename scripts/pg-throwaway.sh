#!/usr/bin/env bash
# Starts or stops a throw-away PostgreSQL cluster on a free loopback port.
#
#   scripts/pg-throwaway.sh start DIR   -> prints a Npgsql connection string on stdout
#   scripts/pg-throwaway.sh stop DIR    -> stops the cluster and removes DIR
#   scripts/pg-throwaway.sh halt DIR    -> stops it at once (as a crash would), keeping DIR
#   scripts/pg-throwaway.sh resume DIR  -> starts a halted cluster again on its port (crash recovery runs)
#   scripts/pg-throwaway.sh crash DIR   -> halt then resume: `pg_ctl restart -m immediate`
#
# The cluster is for tests and benchmarks only: it trusts local connections and lives in DIR.
# PostgreSQL refuses to run as root, so when we are root the cluster runs as the `postgres` user.
set -euo pipefail

cmd=${1:?usage: pg-throwaway.sh start|stop|halt|resume|crash DIR}
dir=${2:?usage: pg-throwaway.sh start|stop|halt|resume|crash DIR}

pg_bin() {
  local candidate
  for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/initdb" ]; then echo "$candidate"; return; fi
  done
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  echo "pg-throwaway: no PostgreSQL server binaries (initdb) found" >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
  start)
    bin=$(pg_bin)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    echo "$port" >"$dir/port"
    echo "${PG_EXTRA_OPTS:-}" >"$dir/extra_opts"
    # Settings for a throw-away cluster shared by many test databases: enough connections for the
    # concurrency tests, sockets only on loopback, and the socket directory inside DIR.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300 ${PG_EXTRA_OPTS:-}" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  halt)
    bin=$(pg_bin)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    bin=$(pg_bin)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300 $(cat "$dir/extra_opts")" \
      start >/dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
    ;;
  crash)
    "$0" halt "$dir" && "$0" resume "$dir"
    ;;
  stop)
    bin=$(pg_bin)
    if [ -d "$dir/data" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-throwaway.sh start|stop|halt|resume|crash DIR" >&2
    exit 2
    ;;
esac
