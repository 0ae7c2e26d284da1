"""Turns topics-compare.sh's JSON lines into the Markdown tables of bench/results/topics-latest.md (medians over the runs)."""
import datetime, os, sys
from benchlib import dotnet_runtime, load_rows, machine, median_of, postgres_version

path = sys.argv[1]
p = dict(a.split("=", 1) for a in sys.argv[2:])
rows = load_rows(path)


def med(label, key):
    return median_of(rows, label, key)


def runs_of(label):
    return sum(1 for r in rows if r["label"] == label)


def num(v, f="{:,.0f}"):
    return "" if v is None else f.format(v)


def ratio(a, b):
    return None if not a or not b else a / b


print("# Topics: Gantry over HTTP vs RabbitMQ over AMQP\n")
print(f"Run {datetime.date.today().isoformat()} with `bench/topics-compare.sh` (N={p['n']} RUNS={p['runs']}).  ")
print(f"Machine: {machine()}; {dotnet_runtime()}; {postgres_version()} (default durability); "
      f"RabbitMQ {p['rabbit_version'] or 'not run'} (Debian package, classic durable queue, Erlang defaults).  ")
print(f"Gantry is driven over its HTTP API (`gantry-bench`, C# HttpClient, tiered compilation off); RabbitMQ over AMQP 0-9-1 "
      f"with the npm client amqplib 2.3.1 (Node {os.popen('node --version').read().strip()}) until Gantry's STOMP front lands. "
      f"Every load generator runs on the same 2 cores as the servers. Payloads are {p['payload']}-byte JSON strings; "
      f"each measurement first runs {p['warmup']} untimed messages in the same process. "
      f"Load average (1, 5, 15 min) at the start: {p.get('load_start', '?')}, at the end: {p.get('load_end', '?')}.\n")

print("## Publish to a durable topic\n")
print(f"{p['publish_messages']} messages per run into a new topic; medians of {p['runs']} runs. Request = one POST "
      f"`/api/topics/{{topic}}/messages`, answered after the message is committed.\n")
print("| store | mode | publishers in flight | messages/s | request p50 ms | request p99 ms |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for store, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
    for kind, mode, conc in (("one", "1 message per request", p["publishers"]),
                             ("batch", f"{p['batch']} messages per request", p["batch_publishers"])):
        label = f"publish {kind} {store}"
        if not runs_of(label):
            continue
        print(f"| {name} | {mode} | {conc} | {num(med(label, 'messages_per_sec'))} | "
              f"{num(med(label, 'request_p50_ms'), '{:.2f}')} | {num(med(label, 'request_p99_ms'), '{:.2f}')} |")

fan = [r for r in rows if r["label"].startswith("fanout")]
if fan:
    print("\n## Fan-out over Server-Sent Events (SQLite store)\n")
    print("One publisher, S subscribers on `GET /api/topics/{topic}/events?from=last`, all HTTP/1.1 connections from one "
          "client process (the publisher's). Paced: single-message requests at a fixed rate (latency). Flat out: "
          f"{p['flat_batch']} messages per request, one request in flight, as fast as the server answers (throughput). "
          "Latency = publish call start (stamped in the payload) to the event read by the subscriber, same process clock, "
          "over every delivery. Deliveries/s = deliveries / (first publish to the last delivery). One run each.\n")
    print("| subscribers | publisher | messages | deliveries/s | latency p50 ms | p99 ms | max ms | subscribers complete | overflowed / other endings |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in fan:
        pub = f"paced {r['rate']:.0f}/s" if r["rate"] else f"flat out ({r['publish_messages_per_sec']:,.0f}/s reached)"
        other = ", ".join(f"{k}: {v}" for k, v in r["other_endings"].items()) or "none"
        print(f"| {r['subscribers']:,} | {pub} | {r['messages']:,} | {r['deliveries_per_sec']:,.0f} | {r['latency_p50_ms']:.2f} | "
              f"{r['latency_p99_ms']:.2f} | {r['latency_max_ms']:.2f} | {r['complete_subscribers']:,} of {r['subscribers']:,} | "
              f"{r['overflowed_subscribers']} / {other} |")
    overflows = [r["overflow_event"] for r in fan if r.get("overflow_event")]
    if overflows:
        print(f"\nSubscribers were cut off as slow consumers; the server's `overflow` event said: `{overflows[0]}`.")
    else:
        print("\nNo subscriber was disconnected (no `overflow` event, no early close) in any fan-out run.")

print("\n## Drain: consumer group vs job queue vs RabbitMQ\n")
print(f"N = {p['n']} messages already stored (not timed), then drained by {p['members']} consumers; medians of {p['runs']} runs.\n")
print(f"- **Gantry group**: {p['members']} members (in one process), each looping `POST .../groups/bench/fetch` "
      f"`{{\"max\":{p['fetch_max']},\"wait\":{p['fetch_wait']}}}` then one `POST .../ack` with all the delivery ids; timed from the "
      "first fetch to the ack that completes N. On PostgreSQL the topic tables are ANALYZEd after the fill, as the job table "
      "is before the queue drain.")
print(f"- **Gantry queue**: the job-queue drain of `bench/compare.sh` (`gantry-bench throughput`): {p['members']} SDK worker "
      f"hosts in one process, each with a local buffer of {p['fetch_max']} jobs, no-op handler; timed until every completion "
      "is acknowledged. Its jobs carry a ~10-byte payload (`{\"n\":i}`).")
multi = p["rabbit_multi_ack"]
print(f"- **RabbitMQ**: durable classic queue filled with persistent messages (publisher confirms, not timed); {p['members']} "
      f"consumers, each on its own connection and channel, prefetch {p['fetch_max']}, manual acks: one basic.ack per message, "
      + (f"and in a second row basic.ack with multiple=true every {multi} messages per consumer; " if multi != "0" else "; ")
      + "timed from basic.consume until channel.close is answered after the last ack.\n")
rabbit = med("rabbitmq drain", "messages_per_sec")
rabbit_multi = med("rabbitmq drain multi-ack", "messages_per_sec")
head = "| system | store | drain messages/s | fill messages/s | Gantry group / this |"
print(head)
print("| --- | --- | ---: | ---: | ---: |")
groups = {st: med(f"group drain {st}", "messages_per_sec") for st in ("sqlite", "postgresql")}
def vs(x):
    parts = [f"{nm} {num(ratio(g, x), '**{:.2f}x**')}" for st, nm in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")) if (g := groups[st]) and x]
    return ", ".join(parts)
if rabbit:
    print(f"| RabbitMQ {p['rabbit_version']} (AMQP, amqplib), ack per message | its own (message store) | {num(rabbit)} | "
          f"{num(med('rabbitmq drain', 'fill_messages_per_sec'))} | {vs(rabbit)} |")
if rabbit_multi:
    print(f"| RabbitMQ {p['rabbit_version']} (AMQP, amqplib), multi-ack every {multi} | its own (message store) | {num(rabbit_multi)} | "
          f"{num(med('rabbitmq drain multi-ack', 'fill_messages_per_sec'))} | {vs(rabbit_multi)} |")
for store, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
    g, q = groups[store], med(f"queue drain {store}", "jobs_per_sec")
    gf, qf = med(f"group drain {store}", "fill_messages_per_sec"), med(f"queue drain {store}", "enqueue_jobs_per_sec")
    print(f"| Gantry consumer group (HTTP) | {name} | {num(g)} | {num(gf)} | 1.00x |")
    print(f"| Gantry job queue (HTTP, SDK) | {name} | {num(q)} | {num(qf)} | {name} {num(ratio(g, q), '**{:.2f}x**')} |")

print()
for store, name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
    g = groups[store]
    for label, x in (("RabbitMQ with an ack per message", rabbit), (f"RabbitMQ with multi-ack every {multi}", rabbit_multi)):
        if g and x:
            r = g / x
            print(f"Goal Gantry group ≥ 1.5× {label}, on {name}: {'met' if r >= 1.5 else '**not met**'} ({r:.2f}x).  ")
print()

notes = p.get("server_notes")
lines = open(notes).read().splitlines() if notes and os.path.exists(notes) else []
if lines:
    import collections, re
    kinds = collections.Counter()
    for l in lines:
        exc = re.search(r"(System\.[A-Za-z.]+Exception|Npgsql[A-Za-z.]*Exception)[^ ]*:? ?([^.]*\.)?", l)
        where = re.search(r" at ([A-Za-z0-9_.]+\.[A-Za-z0-9_]+)\(", l)
        lvl = re.search(r" (warn|fail|crit): ([A-Za-z0-9_.]+)", l)
        kinds[(lvl.group(1) if lvl else "?", lvl.group(2) if lvl else "?", exc.group(1) if exc else "", where.group(1) if where else "")] += 1
    print(f"The Gantry servers logged {len(lines)} warnings or errors during the run:\n")
    for (lvl, cat, exc, where), n in kinds.most_common(8):
        print(f"- {n} × `{lvl}` from `{cat}`" + (f": `{exc}`" if exc else "") + (f" at `{where}`" if where else ""))
else:
    print("The Gantry servers logged no warnings or errors during the run.")
