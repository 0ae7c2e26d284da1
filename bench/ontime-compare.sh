#!/usr/bin/env bash
# Side-by-side "on time" benchmark for scheduled (delayed) jobs: do they start when they are due? graphile-worker
# (its default settings) and Gantry on the same throw-away PostgreSQL, then Gantry on its embedded SQLite store. Each
# harness starts an idle worker, adds JOBS jobs at once, each with its own run_at, evenly spread over the SPREAD
# seconds after a LEAD, and records handler start − run_at for every job. Prints one Markdown table (medians of RUNS
# runs) with the machine's description and the ratios; writes it to bench/results/ontime-latest.md as well.
#
#   bench/ontime-compare.sh                  # 300 jobs over 15 s, 2 s ahead, concurrency 16, 1 run
#   JOBS=1000 SPREAD=30 RUNS=3 bench/ontime-compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

JOBS=${JOBS:-300}
SPREAD=${SPREAD:-15}            # seconds over which the run_at instants are spread
LEAD=${LEAD:-2}                 # seconds from adding the jobs to the first run_at
CONCURRENCY=${CONCURRENCY:-16}  # the same for both; graphile's own default is 1
WARMUP=${WARMUP:-20}            # immediate jobs each worker runs first (untimed): warm connections and code
RUNS=${RUNS:-1}

log() { echo "[ontime-compare] $*" >&2; }
. bench/lib.sh
bench_workdir ontime

build_gantry_bench
start_bench_postgres

start_gantry pg pg_url --store "${pg};Database=gantry_bench"
start_gantry sqlite sqlite_url --data "$work/sqlite/data"

results="$work/results.jsonl"
: >"$results"
shape=(--jobs "$JOBS" --spread "$SPREAD" --lead "$LEAD" --concurrency "$CONCURRENCY" --warmup "$WARMUP")
for run in $(seq "$RUNS"); do
  log "run $run/$RUNS: graphile-worker"
  node bench/graphile/bench.mjs --mode ontime --connection "$pg" "${shape[@]}" 2>>"$work/graphile.log" \
    | sed 's/^{/{"label":"graphile-worker",/' >>"$results"
  log "run $run/$RUNS: Gantry on PostgreSQL"
  $bench ontime --server "$pg_url" --store postgresql "${shape[@]}" 2>>"$work/gantry.log" \
    | sed 's/^{/{"label":"gantry postgresql",/' >>"$results"
  log "run $run/$RUNS: Gantry on SQLite"
  $bench ontime --server "$sqlite_url" --store sqlite "${shape[@]}" 2>>"$work/gantry.log" \
    | sed 's/^{/{"label":"gantry sqlite",/' >>"$results"
done
cat "$work/graphile.log" "$work/gantry.log" >&2

mkdir -p bench/results
cp "$results" bench/results/ontime-latest.jsonl  # the raw lines, next to the table
python3 bench/summarize_ontime.py "$results" jobs="$JOBS" spread="$SPREAD" lead="$LEAD" concurrency="$CONCURRENCY" \
  warmup="$WARMUP" runs="$RUNS" | tee bench/results/ontime-latest.md
