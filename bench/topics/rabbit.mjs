// RabbitMQ side of bench/topics-compare.sh: a durable queue pre-filled with --messages persistent messages of
// --payload-bytes each (publisher confirms, not the timed part), then drained by --consumers consumers, each on its
// own connection and channel with prefetch --prefetch and manual acks, timed from the first basic.consume until the
// server has answered channel.close after the last ack (so every ack has been processed). Prints one JSON line.
//
//   node bench/topics/rabbit.mjs --url amqp://127.0.0.1:5672 --messages 20000 --consumers 2 --prefetch 100
//        [--payload-bytes 64] [--warmup 2000] [--multi-ack 0]
//
// --multi-ack K > 0 acks with multiple=true every K messages (and the remainder at the end) instead of one ack per
// message.
import amqp from 'amqplib';

const opts = { url: 'amqp://127.0.0.1:5672', messages: 20000, consumers: 2, prefetch: 100, 'payload-bytes': 64, warmup: 2000, 'multi-ack': 0 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown option ${process.argv[i]}`);
  opts[key] = key === 'url' ? process.argv[i + 1] : Number(process.argv[i + 1]);
}
const log = (m) => process.stderr.write(`[rabbit-bench] ${m}\n`);

// The same bytes Gantry stores for its messages: a JSON string of exactly payload-bytes bytes.
const payload = Buffer.from(JSON.stringify('x'.repeat(Math.max(0, opts['payload-bytes'] - 2))));

async function fill(conn, queue, n) {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  await ch.purgeQueue(queue);
  for (let i = 0; i < n; i++) {
    if (!ch.sendToQueue(queue, payload, { persistent: true })) await new Promise((r) => ch.once('drain', r));
  }
  await ch.waitForConfirms();
  const { messageCount } = await ch.checkQueue(queue);
  await ch.close();
  if (messageCount !== n) throw new Error(`expected ${n} ready messages in ${queue}, RabbitMQ reports ${messageCount}`);
}

async function drain(queue, n) {
  const conns = [];
  for (let c = 0; c < opts.consumers; c++) conns.push(await amqp.connect(opts.url));
  const channels = [];
  for (const conn of conns) {
    const ch = await conn.createChannel();
    await ch.prefetch(opts.prefetch);
    channels.push(ch);
  }
  let received = 0;
  let done;
  const allAcked = new Promise((r) => { done = r; });
  const start = process.hrtime.bigint();
  const perConsumer = channels.map(() => 0);
  const pending = channels.map(() => null); // multi-ack: the newest message not yet acked on each channel
  const sinceAck = channels.map(() => 0);
  await Promise.all(channels.map((ch, c) => ch.consume(queue, (msg) => {
    perConsumer[c]++;
    received++;
    if (opts['multi-ack'] > 0) {
      pending[c] = msg;
      if (++sinceAck[c] >= opts['multi-ack']) { ch.ack(msg, true); pending[c] = null; sinceAck[c] = 0; }
      if (received >= n) channels.forEach((other, o) => { if (pending[o]) other.ack(pending[o], true); pending[o] = null; });
    } else {
      ch.ack(msg);
    }
    if (received >= n) done();
  }, { noAck: false })));
  await allAcked;
  // channel.close is answered after the server has handled everything sent on the channel before it, acks included.
  await Promise.all(channels.map((ch) => ch.close()));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const conn of conns) await conn.close();
  return { seconds, perConsumer };
}

const conn = await amqp.connect(opts.url);
const version = conn.connection.serverProperties?.version ?? 'unknown';
if (opts.warmup > 0) {
  log(`warm-up: ${opts.warmup} messages (untimed)`);
  await fill(conn, 'bench-warmup', opts.warmup);
  await drain('bench-warmup', opts.warmup);
}
const queue = 'bench-drain';
log(`filling ${queue} with ${opts.messages} persistent messages of ${payload.length} bytes`);
const fillStart = process.hrtime.bigint();
await fill(conn, queue, opts.messages);
const fillSeconds = Number(process.hrtime.bigint() - fillStart) / 1e9;
log(`draining with ${opts.consumers} consumers, prefetch ${opts.prefetch}`);
const { seconds, perConsumer } = await drain(queue, opts.messages);
const ch = await conn.createChannel();
const left = await ch.checkQueue(queue);
await ch.deleteQueue(queue);
await ch.deleteQueue('bench-warmup');
await conn.close();
if (left.messageCount !== 0) throw new Error(`${left.messageCount} messages left in ${queue} after the drain`);
log(`drained ${opts.messages} in ${(seconds * 1000).toFixed(0)} ms (per consumer ${perConsumer.join(', ')})`);
console.log(JSON.stringify({
  system: 'rabbitmq', version, client: 'amqplib 2.3.1', messages: opts.messages, consumers: opts.consumers, prefetch: opts.prefetch,
  payload_bytes: payload.length, multi_ack: opts['multi-ack'], fill_seconds: +fillSeconds.toFixed(3),
  fill_messages_per_sec: Math.round(opts.messages / fillSeconds), seconds: +seconds.toFixed(3),
  messages_per_sec: Math.round(opts.messages / seconds), per_consumer: perConsumer,
}));
