#!/usr/bin/env bash
# Side-by-side benchmark: graphile-worker and Gantry on the same throw-away PostgreSQL (same machine, same job count,
# same concurrency), then Gantry on its embedded SQLite store. Prints one Markdown table with the machine's
# description and the ratios; writes it to bench/results/latest.md as well.
#
#   bench/compare.sh                 # 20000 jobs, concurrency 24, 3 runs each (medians reported)
#   JOBS=100000 RUNS=5 bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

JOBS=${JOBS:-20000}
CONCURRENCY=${CONCURRENCY:-24}
RUNS=${RUNS:-3}
PREFETCH=${PREFETCH:-500}   # graphile-worker's batched mode uses a local queue of 500
SAMPLES=${SAMPLES:-200}
WARMUP=${WARMUP:-5000}      # each harness first drains this many jobs untimed, in the same process

log() { echo "[compare] $*" >&2; }
. bench/lib.sh
bench_workdir bench

build_gantry_bench
start_bench_postgres

results="$work/results.jsonl"
: >"$results"

for run in $(seq "$RUNS"); do
  log "run $run/$RUNS: graphile-worker (batching on)"
  node bench/graphile/bench.mjs --connection "$pg" --jobs "$JOBS" --concurrency "$CONCURRENCY" --batching on --warmup "$WARMUP" \
    --latency-samples "$SAMPLES" 2>>"$work/graphile.log" | sed 's/^{/{"label":"graphile-worker batched",/' >>"$results"
done
log "graphile-worker (batching off), once"
node bench/graphile/bench.mjs --connection "$pg" --jobs "$JOBS" --concurrency "$CONCURRENCY" --batching off --warmup "$WARMUP" \
  --latency-samples "$SAMPLES" 2>>"$work/graphile.log" | sed 's/^{/{"label":"graphile-worker unbatched",/' >>"$results"

start_gantry pg pg_url --store "${pg};Database=gantry_bench"
start_gantry sqlite sqlite_url --data "$work/sqlite/data"
analyze="$psql_admin -d gantry_bench -c 'ANALYZE gantry_jobs'"
for run in $(seq "$RUNS"); do
  log "run $run/$RUNS: Gantry on PostgreSQL"
  $bench throughput --server "$pg_url" --store postgresql --jobs "$JOBS" --concurrency "$CONCURRENCY" --prefetch "$PREFETCH" \
    --warmup "$WARMUP" --between "$analyze" 2>>"$work/gantry.log" | sed 's/^{/{"label":"gantry postgresql",/' >>"$results"
  $bench latency --server "$pg_url" --store postgresql --samples "$SAMPLES" 2>>"$work/gantry.log" \
    | sed 's/^{/{"label":"gantry postgresql latency",/' >>"$results"
  log "run $run/$RUNS: Gantry on SQLite"
  $bench throughput --server "$sqlite_url" --store sqlite --jobs "$JOBS" --concurrency "$CONCURRENCY" --prefetch "$PREFETCH" \
    --warmup "$WARMUP" 2>>"$work/gantry.log" | sed 's/^{/{"label":"gantry sqlite",/' >>"$results"
  $bench latency --server "$sqlite_url" --store sqlite --samples "$SAMPLES" 2>>"$work/gantry.log" \
    | sed 's/^{/{"label":"gantry sqlite latency",/' >>"$results"
done

mkdir -p bench/results
python3 bench/summarize.py "$results" "$JOBS" "$CONCURRENCY" "$RUNS" "$PREFETCH" "$WARMUP" | tee bench/results/latest.md
