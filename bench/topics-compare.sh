#!/usr/bin/env bash
# Topics benchmark: Gantry's topics over HTTP on SQLite and on a throw-away PostgreSQL, and RabbitMQ (Debian's
# rabbitmq-server, driven over AMQP 0-9-1 by amqplib) for the consumer-group drain:
#   1. publish throughput to a durable topic: one message per request with PUBLISHERS publishers, and batches of
#      BATCH messages per request with BATCH_PUBLISHERS publishers (SQLite and PostgreSQL);
#   2. fan-out over Server-Sent Events (SQLite): 1 publisher to 10 and to 1000 subscribers, paced (latency) and flat
#      out (deliveries/s);
#   3. drain of N pre-published messages by 2 members (fetch max 100, wait 1 -> ack all), against Gantry's own job
#      queue drained by 2 SDK worker hosts on the same store and against RabbitMQ (durable queue, persistent
#      messages, manual acks, 2 consumers with prefetch 100).
# Prints Markdown tables with the machine's description and the ratios (medians of RUNS runs) and writes them to
# bench/results/topics-latest.md.
#
#   bench/topics-compare.sh                    # N=20000 RUNS=3, about 5 minutes
#   N=100000 RUNS=5 bench/topics-compare.sh
#   FANOUT=0 RABBITMQ=0 bench/topics-compare.sh
#   KEEP_LOGS=/tmp/topics-logs bench/topics-compare.sh   # keep the servers' logs, the generator's log and the raw JSON lines
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

N=${N:-20000}                       # messages per drain (group, queue, RabbitMQ)
RUNS=${RUNS:-3}                     # runs of the publish and drain measurements (medians reported)
WARMUP=${WARMUP:-2000}              # untimed messages each measurement first runs in the same process
PAYLOAD=${PAYLOAD:-64}              # bytes per message payload (a JSON string; the same bytes go to RabbitMQ)
PUBLISH_MESSAGES=${PUBLISH_MESSAGES:-20000}
PUBLISHERS=${PUBLISHERS:-16}        # one message per request, this many requests in flight
BATCH=${BATCH:-100}
BATCH_PUBLISHERS=${BATCH_PUBLISHERS:-4}
MEMBERS=${MEMBERS:-2}
FETCH_MAX=${FETCH_MAX:-100}
FETCH_WAIT=${FETCH_WAIT:-1}
FANOUT=${FANOUT:-1}                 # 0 skips the SSE fan-out section
FANOUT_SMALL=${FANOUT_SMALL:-10}
FANOUT_LARGE=${FANOUT_LARGE:-1000}
FANOUT_SECONDS=${FANOUT_SECONDS:-10}        # length of each paced run
RATE_SMALL=${RATE_SMALL:-200}               # messages/s of the paced runs
RATE_LARGE=${RATE_LARGE:-50}
FLAT_BATCH=${FLAT_BATCH:-10}                # messages per request of the flat-out runs (one request in flight)
FLAT_SMALL=${FLAT_SMALL:-20000}             # messages of the flat-out runs
FLAT_LARGE=${FLAT_LARGE:-2000}
RABBITMQ=${RABBITMQ:-1}             # 0 skips RabbitMQ
RABBIT_PORT=5672                    # the package's default; the config below pins it to loopback
RABBIT_MULTI_ACK=${RABBIT_MULTI_ACK:-50}    # a second RabbitMQ row whose consumers ack with multiple=true every K messages; 0 = skip

log() { echo "[topics-compare] $*" >&2; }
die() { log "$*"; exit 1; }
. bench/lib.sh
bench_workdir topics

# RabbitMQ: started by this script, stopped by its trap (rabbitmqctl stop, then the epmd it brought up, by PID).
rabbit_pid="" epmd_before="" rabbit_running=0
stop_rabbitmq() {
  [ "$rabbit_running" = 1 ] || return 0
  rabbit_running=0
  log "stopping RabbitMQ"
  timeout 60 rabbitmqctl stop >>"$work/rabbitmq-ctl.log" 2>&1 || kill "$rabbit_pid" 2>/dev/null || true
  wait "$rabbit_pid" 2>/dev/null || true
  if [ -z "$epmd_before" ]; then
    local epmd; epmd=$(pgrep -x -u rabbitmq epmd || true)
    if [ -n "$epmd" ]; then
      kill "$epmd" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$epmd" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
}
topics_cleanup() {
  local status=$?
  set +e  # stop everything even if one step fails (and let the subshell below hand the status on)
  stop_rabbitmq
  (exit "$status")
  bench_cleanup
}
trap topics_cleanup EXIT

start_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null; then
    log "installing RabbitMQ (Debian's rabbitmq-server)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq rabbitmq-server >&2 || { apt-get update -qq >&2 && apt-get install -y -qq rabbitmq-server >&2; }
  fi
  # Loopback only: AMQP on 127.0.0.1:5672, the node (distribution) and epmd on 127.0.0.1. No plugins are enabled.
  mkdir -p /etc/rabbitmq
  printf '%s\n' '# written by gantry bench/topics-compare.sh: AMQP on loopback only' 'listeners.tcp.default = 127.0.0.1:5672' \
    >/etc/rabbitmq/rabbitmq.conf
  # NODE_IP_ADDRESS binds AMQP only: the Erlang distribution listener (25672) needs inet_dist_use_interface as well.
  printf '%s\n' '# written by gantry bench/topics-compare.sh: the node, its distribution port and epmd on loopback only' \
    'NODE_IP_ADDRESS=127.0.0.1' 'export ERL_EPMD_ADDRESS=127.0.0.1' \
    'SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"' >/etc/rabbitmq/rabbitmq-env.conf
  if python3 -c "import socket; socket.create_connection(('127.0.0.1',$RABBIT_PORT),0.5)" 2>/dev/null; then
    die "something already listens on 127.0.0.1:$RABBIT_PORT: not starting RabbitMQ"
  fi
  epmd_before=$(pgrep -x epmd || true)
  log "starting RabbitMQ"
  rabbitmq-server >"$work/rabbitmq.log" 2>&1 &
  rabbit_pid=$!
  rabbit_running=1
  for _ in $(seq 120); do
    kill -0 "$rabbit_pid" 2>/dev/null || { tail -20 "$work/rabbitmq.log" >&2; die "rabbitmq-server exited"; }
    if python3 -c "import socket; socket.create_connection(('127.0.0.1',$RABBIT_PORT),0.5)" 2>/dev/null \
       && rabbitmqctl -q status >/dev/null 2>&1; then
      break
    fi
    sleep 0.5
  done
  rabbitmqctl -q status >/dev/null 2>&1 || die "RabbitMQ did not come up within 60 s"
  rabbit_version=$(rabbitmqctl -q version 2>/dev/null || echo unknown)
  log "RabbitMQ $rabbit_version up (pid $rabbit_pid)"
}

if [ "$RABBITMQ" = 1 ]; then
  if [ ! -d bench/topics/node_modules/amqplib ]; then
    log "installing amqplib into bench/topics/node_modules"
    (cd bench/topics && npm install --no-audit --no-fund --silent >&2)
  fi
  start_rabbitmq
fi

build_gantry_bench
start_bench_postgres
start_gantry pg pg_url --store "${pg};Database=gantry_bench"
start_gantry sqlite sqlite_url --data "$work/sqlite/data"

results="$work/results.jsonl"
: >"$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)   # the machine is shared: say how busy it was
# record LABEL COMMAND...: runs one measurement, appends its JSON line with the label and run number.
record() {
  local label=$1 out; shift
  log "run $run/$RUNS: $label"
  out=$("$@" 2>>"$work/bench.log") || { tail -20 "$work/bench.log" >&2; die "$label failed"; }
  echo "$out" | sed "s/^{/{\"label\":\"$label\",\"run\":$run,/" >>"$results"
}
# Planner statistics before each timed PostgreSQL drain, as bench/compare.sh does for the job table (without them the
# first group drain on a fresh database ran at about 9k instead of 13-15k messages/s).
analyze="$psql_admin -d gantry_bench -c 'ANALYZE gantry_jobs'"
analyze_topics="$psql_admin -d gantry_bench -c 'ANALYZE gantry_messages, gantry_groups, gantry_group_deliveries'"

for run in $(seq "$RUNS"); do
  for store in sqlite postgresql; do
    if [ $store = sqlite ]; then url=$sqlite_url; else url=$pg_url; fi
    record "publish one $store" $bench publish --server "$url" --store $store --messages "$PUBLISH_MESSAGES" --batch 1 \
      --concurrency "$PUBLISHERS" --payload-bytes "$PAYLOAD" --warmup "$WARMUP"
    record "publish batch $store" $bench publish --server "$url" --store $store --messages "$PUBLISH_MESSAGES" --batch "$BATCH" \
      --concurrency "$BATCH_PUBLISHERS" --payload-bytes "$PAYLOAD" --warmup "$WARMUP"
  done
  # The drains, interleaved so that the machine's noise falls on every system.
  if [ "$RABBITMQ" = 1 ]; then
    record "rabbitmq drain" node bench/topics/rabbit.mjs --url "amqp://127.0.0.1:$RABBIT_PORT" --messages "$N" --consumers "$MEMBERS" \
      --prefetch "$FETCH_MAX" --payload-bytes "$PAYLOAD" --warmup "$WARMUP" --multi-ack 0
    if [ "$RABBIT_MULTI_ACK" -gt 0 ]; then
      record "rabbitmq drain multi-ack" node bench/topics/rabbit.mjs --url "amqp://127.0.0.1:$RABBIT_PORT" --messages "$N" \
        --consumers "$MEMBERS" --prefetch "$FETCH_MAX" --payload-bytes "$PAYLOAD" --warmup "$WARMUP" --multi-ack "$RABBIT_MULTI_ACK"
    fi
  fi
  for store in sqlite postgresql; do
    if [ $store = sqlite ]; then url=$sqlite_url between=true between_topics=true; else url=$pg_url between=$analyze between_topics=$analyze_topics; fi
    record "group drain $store" $bench group-drain --server "$url" --store $store --messages "$N" --members "$MEMBERS" \
      --max "$FETCH_MAX" --wait "$FETCH_WAIT" --payload-bytes "$PAYLOAD" --warmup "$WARMUP" --between "$between_topics"
    # The job queue's figure: the existing SDK harness, 2 worker hosts each with a local buffer of FETCH_MAX jobs.
    record "queue drain $store" $bench throughput --server "$url" --store $store --jobs "$N" --workers "$MEMBERS" \
      --concurrency 24 --prefetch $((FETCH_MAX * MEMBERS)) --warmup "$WARMUP" --between "$between"
  done
done

if [ "$FANOUT" = 1 ]; then
  run=1
  for subs in "$FANOUT_SMALL" "$FANOUT_LARGE"; do
    if [ "$subs" = "$FANOUT_SMALL" ]; then rate=$RATE_SMALL flat=$FLAT_SMALL; else rate=$RATE_LARGE flat=$FLAT_LARGE; fi
    record "fanout paced $subs" $bench fanout --server "$sqlite_url" --store sqlite --subscribers "$subs" \
      --messages $((rate * FANOUT_SECONDS)) --rate "$rate" --payload-bytes "$PAYLOAD" --timeout 60
    record "fanout flat $subs" $bench fanout --server "$sqlite_url" --store sqlite --subscribers "$subs" \
      --messages "$flat" --batch "$FLAT_BATCH" --payload-bytes "$PAYLOAD" --timeout 60
    tail -1 "$work/bench.log" >&2
  done
fi

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
stop_rabbitmq
# The servers' complaints (warnings and errors), summarised in the results.
grep -h -E " (warn|fail|crit): " "$work"/pg/server.log "$work"/sqlite/server.log >"$work/server-notes.txt" 2>/dev/null || true
if [ "${KEEP_LOGS:-}" != "" ]; then mkdir -p "$KEEP_LOGS" && cp "$work"/pg/server.log "$KEEP_LOGS/gantry-pg.log" && cp "$work"/sqlite/server.log "$KEEP_LOGS/gantry-sqlite.log" \
  && cp "$work"/bench.log "$KEEP_LOGS/bench.log" && cp "$results" "$KEEP_LOGS/results.jsonl"; fi
mkdir -p bench/results
python3 bench/summarize_topics.py "$results" "n=$N" "runs=$RUNS" "warmup=$WARMUP" "payload=$PAYLOAD" \
  "publish_messages=$PUBLISH_MESSAGES" "publishers=$PUBLISHERS" "batch=$BATCH" "batch_publishers=$BATCH_PUBLISHERS" \
  "members=$MEMBERS" "fetch_max=$FETCH_MAX" "fetch_wait=$FETCH_WAIT" "flat_batch=$FLAT_BATCH" \
  "rabbit_version=${rabbit_version:-}" "rabbit_multi_ack=$RABBIT_MULTI_ACK" "server_notes=$work/server-notes.txt" "load_start=$load_start" "load_end=$load_end" \
  | tee bench/results/topics-latest.md
