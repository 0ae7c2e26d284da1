// A real SSE client (the npm eventsource package) for Gantry's functional tests: connects to the URL in argv[2] and
// prints one JSON line per message event ({"id","data"}), one per error ({"error"}) and one per open ({"open"}), so the
// test can read what the client saw. Reconnecting (with Last-Event-ID, after the server's retry:) is the package's own.
import { EventSource } from 'eventsource';

const source = new EventSource(process.argv[2]);
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
source.onopen = () => print({ open: true });
source.onmessage = (e) => print({ id: e.lastEventId, data: e.data });
source.onerror = (e) => print({ error: String(e?.message ?? e?.type ?? 'error') });
