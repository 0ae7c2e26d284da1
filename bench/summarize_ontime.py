"""Turns ontime-compare.sh's JSON lines into the Markdown table the README quotes (medians over the runs).

usage: summarize_ontime.py RESULTS.jsonl key=value...   (the workload knobs, as ontime-compare.sh passes them)
"""
import sys
from benchlib import dotnet_runtime, load_rows, machine, median_of, postgres_version

path = sys.argv[1]
p = dict(arg.split("=", 1) for arg in sys.argv[2:])
rows = load_rows(path)


def median(label, key):
    return median_of(rows, label, key)


def fmt(value, pattern="{:,.1f}"):
    return "" if value is None else pattern.format(value)


graphile = next((r for r in rows if r["label"] == "graphile-worker"), {})
systems = [
    (f"graphile-worker {graphile.get('version', '')} (defaults: pollInterval {graphile.get('poll_interval_ms', '?')} ms)",
     "graphile-worker"),
    ("Gantry on PostgreSQL", "gantry postgresql"),
    ("Gantry on SQLite", "gantry sqlite"),
]

print(f"Machine: {machine()}; {postgres_version()}; {dotnet_runtime()}")
print(f"Command: `JOBS={p['jobs']} SPREAD={p['spread']} LEAD={p['lead']} CONCURRENCY={p['concurrency']} RUNS={p['runs']} "
      f"bench/ontime-compare.sh` (median of {p['runs']} run(s) each, the systems taking turns).")
print(f"Workload: an idle worker (concurrency {p['concurrency']}, after {p['warmup']} untimed immediate jobs) on a fresh "
      f"queue; {p['jobs']} no-op jobs added at once, each with its own run_at, evenly spread over {p['spread']} s "
      f"starting {p['lead']} s ahead. Lateness = handler start (wall clock) − run_at, every job; the server column is "
      f"the store's own figure (Gantry: started_at − run_at; graphile-worker: locked_at − run_at).\n")

print("| system | lateness p50 ms | p95 ms | p99 ms | max ms | started > 1 s late | server's p50 / p99 ms |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, label in systems:
    if median(label, "jobs") is None:
        print(f"| {name} (not measured) | | | | | | |")
        continue
    late = median(label, "late_over_1s")
    print(f"| {name} | {fmt(median(label, 'lateness_p50_ms'))} | {fmt(median(label, 'lateness_p95_ms'))} "
          f"| {fmt(median(label, 'lateness_p99_ms'))} | {fmt(median(label, 'lateness_max_ms'))} "
          f"| {fmt(late, '{:.0f}')} of {median(label, 'jobs'):.0f} "
          f"| {fmt(median(label, 'server_lateness_p50_ms'))} / {fmt(median(label, 'server_lateness_p99_ms'))} |")

print()
for name, label in systems[1:]:
    g50, g99 = median("graphile-worker", "lateness_p50_ms"), median("graphile-worker", "lateness_p99_ms")
    s50, s99 = median(label, "lateness_p50_ms"), median(label, "lateness_p99_ms")
    if None in (g50, g99, s50, s99):
        continue
    print(f"- graphile-worker / {name}: **{g50 / s50:,.0f}x** at p50 ({g50:,.1f} vs {s50:,.1f} ms), "
          f"**{g99 / s99:,.0f}x** at p99 ({g99:,.1f} vs {s99:,.1f} ms); lower lateness is better.")
