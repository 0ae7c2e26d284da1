"""Turns gearman-compare.sh's JSON lines into the Markdown table the README quotes (medians over the runs).

usage: summarize_gearman.py RESULTS.jsonl key=value...   (the workload knobs, as gearman-compare.sh passes them)
"""
import os, platform, subprocess, sys
from benchlib import dotnet_runtime, load_rows, machine, median_of

path = sys.argv[1]
p = dict(arg.split("=", 1) for arg in sys.argv[2:])
rows = load_rows(path)


def median(label, key):
    return median_of(rows, label, key)


def store_fs():
    out = subprocess.run(["df", "-T", p.get("store_dir", "/tmp")], capture_output=True, text=True).stdout.splitlines()
    if len(out) < 2:
        return "unknown file system"
    device, fstype = out[1].split()[:2]
    return f"{fstype} ({device})"


gearmand = p.get("gearmand_version", "gearmand")
print(f"Machine: {machine()}; "
      f"{gearmand}; {dotnet_runtime()}; queue files on {store_fs()}.")
print(f"Command: `JOBS={p['jobs']} CLIENTS={p['clients']} INFLIGHT={p['inflight']} WORKERS={p['workers']} RUNS={p['runs']} "
      f"DURABLE_JOBS={p['durable_jobs']} bench/gearman-compare.sh` (median of {p['runs']} run(s) each, the systems taking "
      f"turns).")
print(f"Workload: one load generator (bench/Gantry.GearmanBench) for both servers: {p['clients']} client connections "
      f"each keeping {p['inflight']} submissions in flight (pipelined), {p['workers']} worker connections doing "
      f"GRAB_JOB_UNIQ → WORK_COMPLETE at once (PRE_SLEEP/NOOP when idle), {p['payload']}-byte payloads, no unique ids "
      f"in memory and one per job in the durable runs (gearmand's libsqlite3 queue keeps one row per unique id); "
      f"{p['jobs']} jobs per in-memory measurement and {p['durable_jobs']} per durable one, each after an untimed "
      f"warm-up of {p['warmup']} ({p['durable_warmup']}) jobs over the same connections; \"one at a time\" is "
      f"{p['latency_jobs']} foreground jobs from 1 client with 1 in flight (idle workers asleep). Every job is checked to be "
      f"acknowledged, assigned exactly once and completed. gearmand runs with --threads={p['gearmand_threads']}; "
      f"its durable queue is libsqlite3, Gantry's durable lane is its SQLite store; both store a background job "
      f"before JOB_CREATED.\n")

sections = [
    ("foreground, in memory", "foreground", "gearmand memory foreground", "gantry memory foreground",
     "gearmand (builtin queue)", "Gantry (in-memory lane)"),
    ("foreground, one at a time", "foreground", "gearmand memory latency", "gantry memory latency",
     "gearmand (builtin queue)", "Gantry (in-memory lane)"),
    ("background, in memory", "background", "gearmand memory background", "gantry memory background",
     "gearmand (builtin queue)", "Gantry (in-memory lane)"),
    ("background, durable", "background", "gearmand sqlite background", "gantry durable background",
     "gearmand (libsqlite3 queue)", "Gantry (durable lane, SQLite)"),
]


def fmt(value, pattern):
    return "" if value is None else pattern.format(value)


print("| jobs | server | jobs/s | submit→JOB_CREATED p50 ms | p99 ms | submit→WORK_COMPLETE p50 ms | p99 ms "
      "| server CPU µs/job | generator CPU µs/job |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for title, mode, gm_label, ga_label, gm_name, ga_name in sections:
    for label, name in ((gm_label, gm_name), (ga_label, ga_name)):
        jobs = median(label, "jobs")
        cpu, bench_cpu = median(label, "server_cpu_seconds"), median(label, "bench_cpu_seconds")
        per_job = cpu / jobs * 1e6 if cpu is not None and jobs else None
        bench_per_job = bench_cpu / jobs * 1e6 if bench_cpu is not None and jobs else None
        not_run = "" if jobs is not None else " (not measured)"
        print(f"| {title} | {name}{not_run} | {fmt(median(label, 'jobs_per_sec'), '{:,.0f}')} "
              f"| {fmt(median(label, 'submit_ack_p50_ms'), '{:.2f}')} | {fmt(median(label, 'submit_ack_p99_ms'), '{:.2f}')} "
              f"| {fmt(median(label, 'round_trip_p50_ms'), '{:.2f}')} | {fmt(median(label, 'round_trip_p99_ms'), '{:.2f}')} "
              f"| {fmt(per_job, '{:.0f}')} | {fmt(bench_per_job, '{:.0f}')} |")

print()
for title, mode, gm_label, ga_label, _, _ in sections:
    gm, ga = median(gm_label, "jobs_per_sec"), median(ga_label, "jobs_per_sec")
    if gm is None and ga is None:
        continue
    if gm is None or ga is None:
        print(f"- {title}: {'Gantry' if ga is None else 'gearmand'} not measured.")
        continue
    if gm_label.endswith("latency"):
        gm50, ga50 = median(gm_label, "round_trip_p50_ms"), median(ga_label, "round_trip_p50_ms")
        gm99, ga99 = median(gm_label, "round_trip_p99_ms"), median(ga_label, "round_trip_p99_ms")
        print(f"- {title}: submit→WORK_COMPLETE p50 {ga50:.2f} ms vs {gm50:.2f} ms (**{ga50 / gm50:.2f}x**), "
              f"p99 {ga99:.2f} ms vs {gm99:.2f} ms (**{ga99 / gm99:.2f}x**; Gantry / gearmand, lower is better).")
        continue
    key, what = ("round_trip_p99_ms", "submit→WORK_COMPLETE p99") if mode == "foreground" else ("submit_ack_p99_ms", "submit→JOB_CREATED p99")
    gm99, ga99 = median(gm_label, key), median(ga_label, key)
    print(f"- {title}: Gantry / gearmand **{ga / gm:.2f}x** jobs/s (higher is better); {what} {ga99:.2f} ms vs "
          f"{gm99:.2f} ms (**{ga99 / gm99:.2f}x**, lower is better).")
print()
print("jobs/s: first submission to last completion (foreground: WORK_COMPLETE at the client; background: the worker's "
      "WORK_COMPLETE). CPU: user+system time of the server process, and of the load generator's, during the measured "
      "run, per job. The generator shares the cores with the server, so its CPU is part of every throughput figure and "
      "narrows the throughput ratios when the machine is saturated; server CPU per job compares the servers alone.")
