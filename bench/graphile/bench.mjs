#!/usr/bin/env node
// graphile-worker side of the Gantry side-by-side benchmark.
//
//   node bench/graphile/bench.mjs --connection <url|Npgsql string> [--jobs 20000]
//        [--concurrency 24] [--batching on|off] [--latency-samples 200] [--local-queue-size 500]
//        [--analyze on|off] [--warmup W]
//
// --warmup W first drains W jobs with a worker of the same settings (untimed), so the timed run meets a
// process whose code is already compiled, as the Gantry harness does.
//
// Measures (1) how fast one graphile-worker instance drains N pre-enqueued no-op jobs and
// (2) add→start pickup latency on an idle worker. Prints exactly one JSON line on stdout;
// everything else goes to stderr. See README.md.

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

const log = (...args) => console.error("[graphile-bench]", ...args);

// ---------------------------------------------------------------------------------------------
// Arguments and connection strings

function parseArgs(argv) {
  const opts = {
    connection: process.env.DATABASE_URL ?? null,
    jobs: 20000,
    concurrency: 24,
    batching: "on",
    analyze: "on",
    latencySamples: 200,
    localQueueSize: 500,
    warmup: 0,
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
    else if (flag in numeric) {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) usage(`${flag} must be a non-negative integer`);
      opts[numeric[flag]] = n;
    } else if (flag === "--help" || flag === "-h") usage();
    else usage(`unknown argument ${arg}`);
  }
  if (!opts.connection) usage("--connection is required");
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
      "         [--local-queue-size S] [--analyze on|off] [--warmup W]",
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
  const { run, runMigrations, Logger } = await import("graphile-worker");
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
    const runnerOptions = {
      connectionString: dbUrl,
      concurrency: opts.concurrency,
      // Not a batching feature: graphile's docs size the pool at concurrency + 1 or more (the
      // default of 10 is below 24 workers), so both modes get the same, recommended pool.
      maxPoolSize: Math.max(10, opts.concurrency + 1),
      noHandleSignals: true,
      logger,
      taskList,
      preset: { worker: batching },
    };
    log(
      `worker: concurrency=${opts.concurrency} maxPoolSize=${runnerOptions.maxPoolSize} ` +
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
      const warm = await run(runnerOptions);
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
    runner = await run(runnerOptions);
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

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench.mjs failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
