// A webhook receiver for the tests: every POST is checked by the standardwebhooks package (Webhook.verify), the
// reference implementation of the Standard Webhooks specification, so Gantry's signatures are judged by code it did not
// write. Prints one line per request ("ok ID OFFSET BODY" or "bad ID REASON") and answers 204 or 400.
// Usage: node receiver.js SECRET PORT
const http = require('http');
const { Webhook } = require('standardwebhooks');

const [secret, port] = process.argv.slice(2);
const verifier = new Webhook(secret);

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      verifier.verify(body, req.headers);
      console.log(`ok ${req.headers['webhook-id']} ${req.headers['gantry-offset']} ${body}`);
      res.writeHead(204);
      res.end();
    } catch (e) {
      console.log(`bad ${req.headers['webhook-id']} ${e.message}`);
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(e.message));
    }
  });
}).listen(Number(port), '127.0.0.1', () => console.log(`listening ${port}`));
