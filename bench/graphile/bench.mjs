#!/usr/bin/env node
// graphile-worker side of the Gantry side-by-side benchmark.
//
//   node bench/graphile/bench.mjs --connection <url|Npgsql string> [--jobs 20000]
//        [--concurrency 24] [--batching on|off] [--latency-samples 200] [--local-queue-size 500]
//        [--analyze on|off] [--warmup W]
//   node bench/graphile/bench.mjs --mode ontime --connection <...> [--jobs 300] [--spread 15] [--lead 2]
//        [--concurrency 16] [--warmup 20]
//
// --warmup W first drains W jobs with a worker of the same settings (untimed), so the timed run meets a
// process whose code is already compiled, as the Gantry harness does.
//
// --mode throughput (the default) measures (1) how fast one graphile-worker instance drains N
// pre-enqueued no-op jobs and (2) add→start pickup latency on an idle worker.
// --mode ontime measures how late scheduled jobs start: N jobs, each with its own run_at spread over
// the next --spread seconds after --lead, on an idle worker with graphile's default settings.
// Prints exactly one JSON line on stdout; everything else goes to stderr. See README.md.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ENQUEUE_BATCH = 5000; // jobs per add_jobs() call while filling the queue
const DRAIN_TIMEOUT_MS = 300_000;
const PICKUP_TIMEOUT_MS = 10_000;
const LATE_THRESHOLD_MS = 1000; // "a job at a specific time starts within a second of it"

// Defaults that differ by mode; an explicit flag always wins.
const MODE_DEFAULTS = {
  throughput: { jobs: 20000, concurrency: 24, warmup: 0 },
  ontime: { jobs: 300, concurrency: 16, warmup: 20 },
};

const log = (...args) => console.error("[graphile-bench]", ...args);

// ---------------------------------------------------------------------------------------------
// Arguments and connection strings

function parseArgs(argv) {
  const opts = {
    connection: process.env.DATABASE_URL ?? null,
    mode: "throughput",
    spread: 15,
    lead: 2,
    batching: "on",
    analyze: "on",
    latencySamples: 200,
    localQueueSize: 500,
  };
  const numeric = {
    "--jobs": "jobs",
    "--concurrency": "concurrency",
    "--latency-samples": "latencySamples",
    "--local-queue-size": "localQueueSize",
    "--warmup": "warmup",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`missing value for ${flag}`);
      return v;
    };
    if (flag === "--connection") opts.connection = value();
    else if (flag === "--batching") opts.batching = value();
    else if (flag === "--analyze") opts.analyze = value();
    else if (flag === "--mode") opts.mode = value();
    else if (flag === "--spread" || flag === "--lead") {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) usage(`${flag} must be a positive number of seconds`);
      opts[flag.slice(2)] = n;
    }    else if (flag in numeric) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) usage(`${flag} must be a non-negative integer`);
      opts[numeric[flag]] = n;
    } else if (flag === "--help" || flag === "-h") usage();
    else usage(`unknown argument ${arg}`);
  }
  if (!opts.connection) usage("--connection is required");
  if (!(opts.mode in MODE_DEFAULTS)) usage("--mode must be throughput or ontime");
  for (const [key, value] of Object.entries(MODE_DEFAULTS[opts.mode])) opts[key] ??= value;
  if (opts.batching !== "on" && opts.batching !== "off") usage("--batching must be on or off");
  if (opts.analyze !== "on" && opts.analyze !== "off") usage("--analyze must be on or off");
  if (opts.jobs < 1 || opts.concurrency < 1) usage("--jobs and --concurrency must be at least 1");
  return opts;
}

function usage(problem) {
  if (problem) console.error(`bench.mjs: ${problem}`);
  console.error(
    "usage: node bench.mjs --connection <postgres://... | Host=..;Port=..;Username=..;Database=..>\n" +
      "         [--jobs N] [--concurrency C] [--batching on|off] [--latency-samples K]\n" +
      "         [--local-queue-size S] [--analyze on|off] [--warmup W]\n" +
      "       node bench.mjs --mode ontime --connection ... [--jobs N] [--spread SECONDS] [--lead SECONDS]\n" +
      "         [--concurrency C] [--warmup W]",
  );
  process.exit(problem ? 2 : 0);
}

// Accepts a postgres:// URL as is, or converts an Npgsql-style "Key=Value;..." string to one.
function toPostgresUrl(conn) {
  if (/^postgres(ql)?:\/\//i.test(conn)) return conn;
  const fields = {};
  for (const part of conn.split(";")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    if (eq < 0) throw new Error(`cannot parse connection string part '${part}'`);
    fields[part.slice(0, eq).trim().toLowerCase().replace(/\s+/g, " ")] = part.slice(eq + 1).trim();
  }
  const pick = (...keys) => keys.map((k) => fields[k]).find((v) => v !== undefined);
  const host = pick("host", "server") ?? "localhost";
  const port = pick("port") ?? "5432";
  const user = pick("username", "user name", "user id", "userid", "user", "uid");
  const password = pick("password", "pwd");
  const database = pick("database", "db", "initial catalog") ?? user ?? "postgres";
  const auth = user
    ? encodeURIComponent(user) + (password ? `:${encodeURIComponent(password)}` : "") + "@"
    : "";
  // A host starting with '/' is a Unix socket directory, which pg takes as a query parameter.
  if (host.startsWith("/")) {
    return `postgres://${auth}/${encodeURIComponent(database)}?host=${encodeURIComponent(host)}&port=${port}`;
  }
  return `postgres://${auth}${host}:${port}/${encodeURIComponent(database)}`;
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(database);
  return u.toString();
}

// ---------------------------------------------------------------------------------------------
// Dependencies: install them on first use so the script works from a fresh clone.

function ensureInstalled() {
  if (existsSync(path.join(HERE, "node_modules", "graphile-worker", "package.json"))) return;
  const ci = existsSync(path.join(HERE, "package-lock.json"));
  log(`node_modules missing; running npm ${ci ? "ci" : "install"} in ${HERE}`);
  // npm's own stdout goes to our stderr: stdout is reserved for the one JSON result line.
  const result = spawnSync("npm", [ci ? "ci" : "install", "--no-audit", "--no-fund", "--prefix", HERE], {
    stdio: ["ignore", 2, 2],
  });
  if (result.status !== 0) throw new Error(`npm install failed (exit ${result.status ?? result.signal})`);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Nearest-rank percentile of an ascending array.
function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (x, digits) => Number(x.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// Benchmark

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  ensureInstalled();
  const { run, runMigrations, Logger, WorkerPreset } = await import("graphile-worker");
  const { default: pg } = await import("pg");
  const version = JSON.parse(
    readFileSync(path.join(HERE, "node_modules", "graphile-worker", "package.json"), "utf8"),
  ).version;
  // localQueue and completeJobBatchDelay/failJobBatchDelay first shipped in 0.17; older versions
  // silently ignore them, which would make "--batching on" measure the unbatched path.
  const [major, minor] = version.split(".").map(Number);
  if (opts.batching === "on" && major === 0 && minor < 17) {
    throw new Error(`graphile-worker ${version} has no batching options; need 0.17 or later`);
  }

  // Only warnings and errors reach stderr; graphile's info/debug chatter is dropped.
  const logger = new Logger((scope) => (level, message) => {
    if (level === "error" || level === "warning") {
      console.error(`[graphile-worker ${level}]${scope.label ? ` ${scope.label}:` : ""} ${message}`);
    }
  });

  const baseUrl = toPostgresUrl(opts.connection);
  const dbName = `graphile_bench_${randomBytes(6).toString("hex")}`;
  const dbUrl = withDatabase(baseUrl, dbName);

  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  log(`created database ${dbName}`);

  let runner = null;
  let client = null;
  let dropped = false;
  const cleanup = async () => {
    if (runner) {
      const r = runner;
      runner = null;
      await r.stop().catch((e) => log(`runner.stop failed: ${e.message}`));
    }
    if (client) {
      await client.end().catch(() => {});
      client = null;
    }
    if (!dropped) {
      dropped = true;
      // runner.stop() starts ending graphile's pool without waiting for it; a connection that the
      // forced drop cuts from under the pool emits an 'error' nobody handles, which kills the process
      // (seen once at the end of an ontime run). Give the pool up to 5 s to close its connections first.
      for (let i = 0; i < 50; i++) {
        const { rows } = await admin
          .query("select count(*)::int as n from pg_stat_activity where datname = $1", [dbName])
          .catch(() => ({ rows: [{ n: 0 }] }));
        if (rows[0].n === 0) break;
        await sleep(100);
      }
      // WITH (FORCE) (PostgreSQL 13+) so a lingering pool connection cannot block the drop.
      await admin
        .query(`drop database if exists ${dbName} with (force)`)
        .then(() => log(`dropped database ${dbName}`))
        .catch((e) => log(`could not drop ${dbName}: ${e.message}`));
      await admin.end().catch(() => {});
    }
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // a. Install the graphile_worker schema into the fresh database.
    await runMigrations({ connectionString: dbUrl, logger });

    // b. One client to enqueue with and to watch the jobs table.
    client = new pg.Client({ connectionString: dbUrl });
    await client.connect();

    // Not a batching feature: graphile's docs size the pool at concurrency + 1 or more (the default
    // of 10 is below 24 workers), so every mode gets the same, recommended pool.
    const runnerOptions = (taskList, preset = {}) => ({
      connectionString: dbUrl,
      concurrency: opts.concurrency,
      maxPoolSize: Math.max(10, opts.concurrency + 1),
      noHandleSignals: true,
      logger,
      taskList,
      preset,
    });

    if (opts.mode === "ontime") {
      // No preset: pollInterval and everything else stay graphile's defaults, as users get them.
      const result = await measureOnTime(opts, client, (taskList) => run(runnerOptions(taskList)));
      await cleanup();
      process.stdout.write(
        JSON.stringify({
          system: "graphile-worker",
          version,
          store: "postgresql",
          poll_interval_ms: WorkerPreset.worker.pollInterval,
          ...result,
        }) + "\n",
      );
      return;
    }

    // The one task handler serves both phases: bulk jobs have an empty payload, pickup-latency
    // jobs carry {seq} so the waiting sample can be resolved with the handler's start time.
    let started = 0;
    let target = opts.jobs;
    let allStarted = deferred();
    const pickupWaiters = new Map();
    const taskList = {
      noop: (payload) => {
        const now = performance.now();
        if (payload && typeof payload.seq === "number") {
          pickupWaiters.get(payload.seq)?.resolve(now);
        } else if (++started === target) {
          allStarted.resolve(now);
        }
      },
    };

    const batching =
      opts.batching === "on"
        ? {
            // Settings from graphile-worker's own performance page: fetch-and-lock jobs in
            // batches into a local queue, and batch completions/failures into one query each.
            localQueue: { size: opts.localQueueSize },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
          }
        : {};
    const throughputOptions = runnerOptions(taskList, { worker: batching });
    log(
      `worker: concurrency=${opts.concurrency} maxPoolSize=${throughputOptions.maxPoolSize} ` +
        `batching=${opts.batching} ${JSON.stringify(batching)}`,
    );

    // Enqueue no-op jobs in bulk (never timed). add_jobs() returns the inserted rows, so wrap it
    // in count(*) to avoid shipping them back.
    const enqueue = async (count) => {
      for (let done = 0; done < count; done += ENQUEUE_BATCH) {
        const n = Math.min(ENQUEUE_BATCH, count - done);
        await client.query(
          `select count(*) from graphile_worker.add_jobs(array(
             select row('noop', null, null, null, null, null, null, null)::graphile_worker.job_spec
             from generate_series(1, $1::int)))`,
          [n],
        );
      }
    };
    const waitEmpty = async (since) => {
      for (;;) {
        const { rows } = await client.query(
          "select exists(select 1 from graphile_worker._private_jobs) as pending",
        );
        if (!rows[0].pending) return;
        if (performance.now() - since > DRAIN_TIMEOUT_MS) throw new Error("jobs never completed");
        await sleep(1);
      }
    };

    if (opts.warmup > 0) {
      log(`warm-up: draining ${opts.warmup} jobs (untimed)`);
      target = opts.warmup;
      allStarted = deferred();
      await enqueue(opts.warmup);
      const warm = await run(throughputOptions);
      await withTimeout(allStarted.promise, DRAIN_TIMEOUT_MS, "warm-up jobs to start");
      await waitEmpty(performance.now());
      await warm.stop();
    }
    started = 0;
    target = opts.jobs;
    allStarted = deferred();

    const enqueueStart = performance.now();
    await enqueue(opts.jobs);
    log(`enqueued ${opts.jobs} jobs in ${((performance.now() - enqueueStart) / 1000).toFixed(2)} s`);
    if (opts.analyze === "on") {
      // A freshly filled table has no planner statistics until autovacuum gets to it; meanwhile
      // the job-fetch query can run several times slower (at 100k jobs the first ~2 s drained at
      // ~4k jobs/s instead of ~25k/s). Analyzing (untimed) measures the steady state instead.
      await client.query("analyze graphile_worker._private_jobs");
    }

    // Throughput: the clock starts when the worker is started, so its start-up (connecting,
    // checking migrations, LISTEN) is included; it is also reported separately as startup_ms.
    const t0 = performance.now();
    runner = await run(throughputOptions);
    const startupMs = performance.now() - t0;
    runner.promise.catch((e) => log(`runner failed: ${e.stack ?? e}`));

    const progress = setInterval(() => {
      const elapsed = (performance.now() - t0) / 1000;
      log(`  ${elapsed.toFixed(1)} s: ${started} started (${(started / elapsed).toFixed(0)} jobs/s so far)`);
    }, 1000);
    try {
      await withTimeout(allStarted.promise, DRAIN_TIMEOUT_MS, `${opts.jobs} jobs to start`);
    } finally {
      clearInterval(progress);
    }
    // Every handler has started; the jobs are done once their rows are gone (completion deletes
    // them, possibly in a batch a moment later).
    await waitEmpty(t0);
    const seconds = (performance.now() - t0) / 1000;
    const jobsPerSec = opts.jobs / seconds;
    log(
      `throughput: ${opts.jobs} jobs in ${seconds.toFixed(3)} s = ${jobsPerSec.toFixed(0)} jobs/s ` +
        `(startup ${startupMs.toFixed(0)} ms; ${(opts.jobs / (seconds - startupMs / 1000)).toFixed(0)} jobs/s without it)`,
    );

    // c. Pickup latency on the now idle worker: one job at a time, the next only after the
    //    previous handler has started. The clock starts just before the add_job round trip.
    await sleep(500); // let the worker settle into its idle (LISTEN-driven) state
    const latencies = [];
    for (let seq = 0; seq < opts.latencySamples; seq++) {
      const waiter = deferred();
      pickupWaiters.set(seq, waiter);
      const addedAt = performance.now();
      await client.query({
        name: "add_job",
        text: "select graphile_worker.add_job('noop', $1::json)",
        values: [JSON.stringify({ seq })],
      });
      const startedAt = await withTimeout(waiter.promise, PICKUP_TIMEOUT_MS, `pickup of job ${seq}`);
      pickupWaiters.delete(seq);
      latencies.push(startedAt - addedAt);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies.length ? percentile(latencies, 50) : null;
    const p99 = latencies.length ? percentile(latencies, 99) : null;
    if (latencies.length) {
      log(
        `pickup latency over ${latencies.length} jobs: p50 ${p50.toFixed(2)} ms, ` +
          `p99 ${p99.toFixed(2)} ms, max ${latencies.at(-1).toFixed(2)} ms`,
      );
    }

    await cleanup();

    process.stdout.write(
      JSON.stringify({
        system: "graphile-worker",
        version,
        batching: opts.batching,
        jobs: opts.jobs,
        concurrency: opts.concurrency,
        seconds: round(seconds, 3),
        jobs_per_sec: Math.round(jobsPerSec),
        pickup_p50_ms: p50 === null ? null : round(p50, 2),
        pickup_p99_ms: p99 === null ? null : round(p99, 2),
        startup_ms: round(startupMs, 1),
        local_queue_size: opts.batching === "on" ? opts.localQueueSize : null,
      }) + "\n",
    );
  } finally {
    await cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// On time: how late do scheduled jobs start?

// Starts a worker through startRunner(taskList), optionally warms it with immediate jobs, then adds
// opts.jobs jobs in one add_jobs() call, job i due at first + i * spread / jobs, and records for
// each job handler start (Date.now()) - run_at, and graphile's own locked_at - run_at.
async function measureOnTime(opts, client, startRunner) {
  let phase = null;
  const newPhase = (count) => ({ remaining: count, seen: new Set(), lateness: [], locked: [], done: deferred() });
  const taskList = {
    ontime: (_payload, helpers) => {
      const now = Date.now(); // first thing: the start is what is measured
      const { job } = helpers;
      if (phase.seen.has(job.id)) return; // a retry is not a second sample
      phase.seen.add(job.id);
      phase.lateness.push(now - job.run_at.getTime());
      if (job.locked_at) phase.locked.push(new Date(job.locked_at).getTime() - job.run_at.getTime());
      if (--phase.remaining === 0) phase.done.resolve();
    },
  };
  const add = (runAts) =>
    client.query(
      `select count(*) from graphile_worker.add_jobs(array(
         select row('ontime', null, null, t, null, null, null, null)::graphile_worker.job_spec
         from unnest($1::timestamptz[]) t))`,
      [runAts],
    );

  const runner = await startRunner(taskList);
  runner.promise.catch((e) => log(`runner failed: ${e.stack ?? e}`));
  try {
    if (opts.warmup > 0) {
      phase = newPhase(opts.warmup);
      const now = new Date().toISOString();
      await add(Array.from({ length: opts.warmup }, () => now));
      await withTimeout(phase.done.promise, 30_000, "warm-up jobs to start");
    }

    phase = newPhase(opts.jobs);
    const first = Date.now() + opts.lead * 1000;
    const stepMs = (opts.spread * 1000) / opts.jobs;
    const runAts = Array.from({ length: opts.jobs }, (_, i) => new Date(first + i * stepMs).toISOString());
    const enqueueStart = performance.now();
    await add(runAts);
    const enqueueMs = performance.now() - enqueueStart;
    // A run_at already past when the add returned would measure the add, not the scheduling.
    if (Date.now() >= first) throw new Error(`adding took ${enqueueMs.toFixed(0)} ms, past the first run_at: raise --lead`);
    log(`${opts.jobs} jobs due from ${runAts[0]} over ${opts.spread} s (added in ${enqueueMs.toFixed(0)} ms)`);
    await withTimeout(phase.done.promise, (opts.lead + opts.spread + 60) * 1000, `${opts.jobs} scheduled jobs to start`);

    const lateness = phase.lateness.sort((a, b) => a - b);
    const locked = phase.locked.sort((a, b) => a - b);
    log(`latest start: ${lateness.at(-1)} ms after its run_at`);
    const ms = (sorted, p) => (sorted.length ? round(percentile(sorted, p), 2) : null);
    return {
      jobs: opts.jobs,
      concurrency: opts.concurrency,
      spread_s: opts.spread,
      lead_s: opts.lead,
      enqueue_ms: round(enqueueMs, 1),
      lateness_min_ms: lateness[0],
      lateness_p50_ms: ms(lateness, 50),
      lateness_p95_ms: ms(lateness, 95),
      lateness_p99_ms: ms(lateness, 99),
      lateness_max_ms: lateness.at(-1),
      late_over_1s: lateness.filter((x) => x > LATE_THRESHOLD_MS).length,
      // locked_at is set by the database when the worker takes the job: graphile's own figure.
      server_lateness_p50_ms: ms(locked, 50),
      server_lateness_p99_ms: ms(locked, 99),
      server_lateness_max_ms: locked.length ? locked.at(-1) : null,
    };
  } finally {
    await runner.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench.mjs failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
