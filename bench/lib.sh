# Shell helpers the side-by-side scripts share. Source it after defining log() and $root; bench_workdir makes $work and the pids array
# (the cleanup trap kills what start_gantry starts).

# A TCP port on loopback that nothing listens on right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_gantry NAME VAR [server options…]: starts the Release `gantry server` (Gearman and STOMP off) in $work/NAME on a free port,
# waits for /health, and sets VAR to its URL. $SERVER_ENV adds environment assignments. Not to be run in $(...): the
# pid must reach the calling shell's cleanup list.
start_gantry() {
  local name=$1 var=$2; shift 2
  local http; http=$(free_port)
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec env ${SERVER_ENV:-X=1} "$root/src/Gantry.Server/bin/Release/net10.0/gantry" server --urls "http://127.0.0.1:$http" \
     --gearman off --stomp off "$@" >"$work/$name/server.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$http/health" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$http/health" >/dev/null || { log "gantry server '$name' did not come up"; exit 1; }
  printf -v "$var" '%s' "http://127.0.0.1:$http"
}

# Builds the server and the HTTP load generator (Release) and sets $bench to the command that runs the latter.
build_gantry_bench() {
  log "building (Release)"
  dotnet build src/Gantry.Server -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  dotnet build bench/Gantry.Bench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  bench="dotnet bench/Gantry.Bench/bin/Release/net10.0/gantry-bench.dll"
}

# Starts the throw-away PostgreSQL in $work/pg (default durability) with an empty gantry_bench database; sets $pg (its
# connection string), $port and $psql_admin.
start_bench_postgres() {
  log "starting PostgreSQL (default durability: fsync on, synchronous_commit on)"
  pg=$(scripts/pg-throwaway.sh start "$work/pg")
  port=$(cat "$work/pg/port")
  psql_admin="psql -q -h 127.0.0.1 -p $port -U postgres"
  $psql_admin -d postgres -c "CREATE DATABASE gantry_bench" >&2
}

# bench_workdir NAME: makes the work folder $work (readable by the postgres user) and the pids list, and traps exit to
# stop what start_gantry and start_bench_postgres started, show the tail of every log in $work when the script fails,
# and remove the folder. Call it right after sourcing this file.
bench_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/gantry-$1.XXXXXX")
  chmod 755 "$work"
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  local status=$? f p
  if [ "$status" -ne 0 ]; then  # say why before the work folder goes
    for f in "$work"/*.log "$work"/*/server.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -25 "$f" >&2; }; done
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  scripts/pg-throwaway.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
