// A local webhook receiver for bench/webhooks: a bare node:http server in its own process that
// reads each body, parses it, answers 200, and prints `done <ms since epoch>` once it has
// received EXPECTED bodies whose `type` is TYPE. Usage: node receiver.mjs PORT EXPECTED TYPE [unique]
import { createServer } from 'node:http';

// With a 5th argument `unique`, bodies count once per `id` (a retry brings the same id again), and
// the line is `done <ms> <repeats>`.
const [port, expected, type] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const unique = process.argv[5] === 'unique';
const ids = new Set();
let received = 0;
let repeats = 0;
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    response.end('ok');
    if (body.type !== type) return;
    if (unique) {
      if (ids.has(body.id)) {
        repeats += 1;
        return;
      }
      ids.add(body.id);
    }
    if (++received === expected) process.stdout.write(`done ${Date.now()} ${repeats}\n`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
