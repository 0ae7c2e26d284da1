#!/usr/bin/env bash
# Side-by-side Gearman benchmark: gearmand (Debian's gearman-job-server) and Gantry's Gearman front on the same
# machine, driven in turn by the same load generator (bench/Gantry.GearmanBench) with the same workload:
#   - in memory, foreground (SUBMIT_JOB, client waits for WORK_COMPLETE) and background (SUBMIT_JOB_BG) jobs:
#     gearmand's builtin queue vs Gantry's in-memory lane;
#   - durable, background jobs: gearmand with its libsqlite3 queue vs Gantry's durable lane (SQLite store), both
#     syncing each job to disk before JOB_CREATED, with their files on the same file system;
#   - foreground jobs one at a time (1 client, 1 in flight): the round trip of an unloaded server.
# Every server listens on a free loopback port; the runs of the systems are interleaved so that noise from the rest
# of the machine falls on both. Prints one Markdown table with the machine's description and the ratios (medians of
# RUNS runs) and writes it to bench/results/gearman-latest.md.
#
#   bench/gearman-compare.sh                       # 50000 jobs, 4 clients x 100 in flight, 4 workers, 3 runs
#   JOBS=100000 RUNS=5 bench/gearman-compare.sh
#   DURABLE_JOBS=5000 bench/gearman-compare.sh     # the durable rows use fewer jobs: gearmand's queue syncs per job
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

JOBS=${JOBS:-50000}
CLIENTS=${CLIENTS:-4}
INFLIGHT=${INFLIGHT:-100}
WORKERS=${WORKERS:-4}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-5000}                  # untimed jobs each measurement first runs over the same connections
PAYLOAD=${PAYLOAD:-64}                  # bytes per job payload
DURABLE_JOBS=${DURABLE_JOBS:-2000}      # gearmand's libsqlite3 queue syncs each job on its own: 150-300 jobs/s here
DURABLE_WARMUP=${DURABLE_WARMUP:-200}
LATENCY_JOBS=${LATENCY_JOBS:-2000}      # foreground jobs one at a time (1 client, 1 in flight): unloaded round trip; 0 = skip
# gearmand's I/O threads. On a 2-core machine that also runs the load generator, 1 was gearmand's fastest setting in
# both modes (2: 5-10% slower, its default of 4: 15-25% slower): the peer gets its best configuration.
GEARMAND_THREADS=${GEARMAND_THREADS:-1}
GANTRY=${GANTRY:-1}                     # GANTRY=0 measures gearmand alone (no server build)
FUNCTION=bench
DURABLE_FUNCTION=bench_durable          # letters, digits and '_' so that it can be named in an environment variable

work=$(mktemp -d "${TMPDIR:-/tmp}/gearman-bench.XXXXXX")
pids=()
cleanup() {
  set +e  # stop everything even if one step fails
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[gearman-compare] $*" >&2; }
. bench/lib.sh
die() { log "$*"; exit 1; }

# Waits until process $2 listens on 127.0.0.1:$1 ($3 = its log, shown on failure). The process must be the
# listener: gearmand keeps running when its bind fails, and another program may hold a port we thought free.
wait_listening() {
  local port=$1 pid=$2 logfile=$3
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$logfile" >&2; die "process $pid exited before listening on $port"; }
    if command -v ss >/dev/null; then
      ss -Htlnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid," && return 0
    elif python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  tail -20 "$logfile" >&2
  die "process $pid does not listen on 127.0.0.1:$port after 15 s"
}

if ! command -v gearmand >/dev/null; then
  log "installing gearmand (Debian's gearman-job-server)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq gearman-job-server >&2 || { apt-get update -qq >&2 && apt-get install -y -qq gearman-job-server >&2; }
fi
gearmand_version=$(gearmand --version 2>/dev/null | awk 'NF{print $1, $2; exit}')

log "building (Release)"
[ "$GANTRY" = 0 ] || dotnet build src/Gantry.Server -c Release -nologo -v quiet -clp:ErrorsOnly >&2
dotnet build bench/Gantry.GearmanBench -c Release -nologo -v quiet -clp:ErrorsOnly >&2
bench="$root/bench/Gantry.GearmanBench/bin/Release/net10.0/gearman-bench"
gantry="$root/src/Gantry.Server/bin/Release/net10.0/gantry"
have_gantry=$GANTRY
if [ "$have_gantry" = 1 ] && ! "$gantry" server --help 2>/dev/null | grep -q -- '--gearman'; then
  have_gantry=0
  log "this Gantry build has no 'server --gearman' option yet: measuring gearmand only"
fi

# Each start_* sets $port and $pid (not echoed: a server started inside $(...) would escape the cleanup list).
start_gearmand() { # $1 = name, rest = extra gearmand options
  local name=$1; shift
  mkdir -p "$work/$name"
  port=$(free_port)
  # In the foreground of its own background job (no --daemon), so $! is gearmand and the trap can stop it.
  gearmand --listen=127.0.0.1 --port="$port" --threads="$GEARMAND_THREADS" --verbose=WARNING \
    --log-file="$work/$name/gearmand.log" --pid-file="$work/$name/gearmand.pid" "$@" >"$work/$name/stdout.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_listening "$port" "$pid" "$work/$name/gearmand.log"
  log "$name: gearmand pid $pid on 127.0.0.1:$port"
}

start_gantry_gearman() { # $1 = name, rest = environment assignments (lib.sh's start_gantry turns Gearman off)
  local name=$1; shift
  mkdir -p "$work/$name"
  port=$(free_port)
  local http; http=$(free_port)
  (cd "$work/$name" && exec env "$@" "$gantry" server --urls "http://127.0.0.1:$http" --data "$work/$name/data" \
     --gearman "127.0.0.1:$port" --stomp off >"$work/$name/server.log" 2>&1) &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$http/health" >/dev/null 2>&1 && break; sleep 0.1; done
  wait_listening "$port" "$pid" "$work/$name/server.log"
  log "$name: gantry pid $pid on 127.0.0.1:$port (HTTP $http)"
}

start_gearmand gearmand-memory
gm_port=$port gm_pid=$pid
start_gearmand gearmand-sqlite -q libsqlite3 --libsqlite3-db="$work/gearmand-sqlite/queue.db"
gs_port=$port gs_pid=$pid
if [ "$have_gantry" = 1 ]; then
  start_gantry_gearman gantry-memory
  ga_port=$port ga_pid=$pid
  start_gantry_gearman gantry-durable "GANTRY_GEARMAN__FUNCTIONS__${DURABLE_FUNCTION}__LANE=durable"
  gd_port=$port gd_pid=$pid
fi

results="$work/results.jsonl"
: >"$results"
run_bench() { # label port pid mode jobs warmup function clients inflight unique
  local label=$1 port=$2 pid=$3 mode=$4 jobs=$5 warmup=$6 function=$7 clients=$8 inflight=$9 unique=${10} out
  log "run $run/$RUNS: $label ($jobs jobs)"
  if ! out=$("$bench" --server "127.0.0.1:$port" --mode "$mode" --jobs "$jobs" --warmup "$warmup" --clients "$clients" \
      --inflight "$inflight" --workers "$WORKERS" --function "$function" --payload-bytes "$PAYLOAD" --unique "$unique" --server-pid "$pid" \
      2>>"$work/bench.log"); then
    tail -5 "$work/bench.log" >&2
    die "$label failed (run $run)"
  fi
  tail -1 "$work/bench.log" >&2   # the generator's one-line summary of this measurement
  echo "$out" | sed "s/^{/{\"label\":\"$label\",\"run\":$run,/" >>"$results"
}

# One measurement of one system: $1 = gearmand|gantry, $2 = what.
measure() {
  local system=$1 what=$2 port pid label
  if [ "$system" = gantry ]; then
    [ "$have_gantry" = 1 ] || return 0
    if [ "$what" = durable ]; then port=$gd_port pid=$gd_pid label="gantry durable background"; else port=$ga_port pid=$ga_pid; fi
  else
    if [ "$what" = durable ]; then port=$gs_port pid=$gs_pid label="gearmand sqlite background"; else port=$gm_port pid=$gm_pid; fi
  fi
  case $what in
    foreground|background)
      run_bench "$system memory $what" "$port" "$pid" "$what" "$JOBS" "$WARMUP" "$FUNCTION" "$CLIENTS" "$INFLIGHT" none ;;
    latency)
      [ "$LATENCY_JOBS" -gt 0 ] || return 0
      run_bench "$system memory latency" "$port" "$pid" foreground "$LATENCY_JOBS" 200 "$FUNCTION" 1 1 none ;;
    durable)
      # Every durable job gets its own unique id: gearmand's libsqlite3 queue keys its rows by unique id, so jobs
      # submitted with an empty one overwrite each other's row and only the last survives a restart.
      run_bench "$label" "$port" "$pid" background "$DURABLE_JOBS" "$DURABLE_WARMUP" "$DURABLE_FUNCTION" "$CLIENTS" "$INFLIGHT" seq ;;
  esac
}

for run in $(seq "$RUNS"); do
  # Alternate which system goes first, so that neither always runs on a machine just warmed (or disturbed) by the other.
  if [ $((run % 2)) = 1 ]; then order="gearmand gantry"; else order="gantry gearmand"; fi
  for what in foreground background latency durable; do
    for system in $order; do measure "$system" "$what"; done
  done
done

mkdir -p bench/results
python3 bench/summarize_gearman.py "$results" "jobs=$JOBS" "clients=$CLIENTS" "inflight=$INFLIGHT" "workers=$WORKERS" \
  "runs=$RUNS" "warmup=$WARMUP" "payload=$PAYLOAD" "durable_jobs=$DURABLE_JOBS" "durable_warmup=$DURABLE_WARMUP" \
  "latency_jobs=$LATENCY_JOBS" "gearmand_threads=$GEARMAND_THREADS" "gearmand_version=$gearmand_version" "store_dir=$work" "have_gantry=$have_gantry" \
  | tee bench/results/gearman-latest.md
