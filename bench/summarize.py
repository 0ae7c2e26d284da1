"""Turns compare.sh's JSON lines into the Markdown table the README quotes (medians over the runs)."""
import sys
from benchlib import load_rows, machine, median_of, postgres_version

path, jobs, concurrency, runs, prefetch, warmup = sys.argv[1:7]
rows = load_rows(path)

def median(label, key):
    return median_of(rows, label, key)

pg_version = postgres_version()
print(f"Machine: {machine()}; {pg_version}")
print(f"Workload: {jobs} no-op jobs enqueued first (not timed), then drained by one worker process with concurrency "
      f"{concurrency} and a local buffer of {prefetch} jobs, after an untimed warm-up drain of {warmup} jobs in the same "
      f"process; medians of {runs} runs. Pickup = enqueue call to handler start "
      f"on an idle worker, one job at a time.\n")
print("| system | drain jobs/s | pickup p50 ms | pickup p99 ms |")
print("| --- | ---: | ---: | ---: |")
gw = median("graphile-worker batched", "jobs_per_sec")
lines = [
    ("graphile-worker 0.17.3, batched", "graphile-worker batched", "graphile-worker batched"),
    ("graphile-worker 0.17.3, unbatched", "graphile-worker unbatched", "graphile-worker unbatched"),
    ("Gantry on PostgreSQL", "gantry postgresql", "gantry postgresql latency"),
    ("Gantry on SQLite", "gantry sqlite", "gantry sqlite latency"),
]
for name, tput, lat in lines:
    t, p50, p99 = median(tput, "jobs_per_sec"), median(lat, "pickup_p50_ms"), median(lat, "pickup_p99_ms")
    fmt = lambda v, f: "" if v is None else f.format(v)
    print(f"| {name} | {fmt(t, '{:,.0f}')} | {fmt(p50, '{:.2f}')} | {fmt(p99, '{:.2f}')} |")
gp, gs = median("gantry postgresql", "jobs_per_sec"), median("gantry sqlite", "jobs_per_sec")
gw50, gp50 = median("graphile-worker batched", "pickup_p50_ms"), median("gantry postgresql latency", "pickup_p50_ms")
print()
if gw and gp:
    print(f"Gantry on PostgreSQL / graphile-worker batched: **{gp / gw:.2f}x** drain throughput (goal 1.5x); "
          f"pickup p50 {gp50:.2f} ms vs {gw50:.2f} ms (goal: no worse).")
if gp and gs:
    print(f"Gantry on SQLite / Gantry on PostgreSQL: **{gs / gp:.2f}x** (goal at least 1x).")
