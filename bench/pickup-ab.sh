#!/usr/bin/env bash
# Pickup latency of two Gantry builds on PostgreSQL, alternating, to tell a change's cost from the machine's noise:
# both servers run at once on one throw-away PostgreSQL (a database each) and this checkout's gantry-bench measures
# enqueue → handler start against each in turn. BASE is another checkout (for example a git worktree of an older
# commit) whose Release server is built.
#
#   git worktree add --detach ../before COMMIT && (cd ../before && dotnet build src/Gantry.Server -c Release)
#   BASE=../before bench/pickup-ab.sh            # N=4 alternations of SAMPLES=300; DRAIN=1 drains 20,000 jobs first
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
base=$(cd "${BASE:?set BASE to the other checkout}" && pwd)
N=${N:-4}
SAMPLES=${SAMPLES:-300}

log() { echo "[pickup-ab] $*" >&2; }
. bench/lib.sh
bench_workdir pickup

build_gantry_bench
start_bench_postgres
$psql_admin -d postgres -c "CREATE DATABASE gantry_base" >&2
start_gantry this this_url --store "${pg};Database=gantry_bench"
root=$base start_gantry base base_url --store "${pg};Database=gantry_base"

for i in $(seq "$N"); do
  for side in base this; do
    url=${side}_url
    if [ -n "${DRAIN:-}" ]; then
      $bench throughput --server "${!url}" --store postgresql --jobs 20000 --concurrency 24 --prefetch 500 --warmup 5000 \
        2>>"$work/bench.log" | sed "s/^/$side drain /"
    fi
    echo "$side $($bench latency --server "${!url}" --store postgresql --samples "$SAMPLES" 2>>"$work/bench.log")"
  done
done
