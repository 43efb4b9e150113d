// A local webhook receiver for bench/webhooks: a bare node:http server in its own process that
// reads each body, parses it, answers 200, and prints `done <ms since epoch>` once it has
// received EXPECTED bodies whose `type` is TYPE. Usage: node receiver.mjs PORT EXPECTED TYPE
import { createServer } from 'node:http';

const [port, expected, type] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
let received = 0;
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    response.end('ok');
    if (body.type === type && ++received === expected) process.stdout.write(`done ${Date.now()}\n`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
