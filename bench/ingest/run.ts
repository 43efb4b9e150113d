// Ingestion benchmark (DESIGN §7, issue 2): events/s through POST /v1/batch, batches of 100 mixed
// page/track/identify messages with realistic payloads (30% from users on a second device), on
// SQLite and PostgreSQL, printed next to a bare node:http server that only parses the same bodies.
//
//   npm run bench:ingest                 # SQLite (with and without its ingestion log) and PostgreSQL, 15 s each
//   BENCH_SECONDS=5 BENCH_BACKENDS=sqlite npm run bench:ingest
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import {
  cpuSeconds,
  peakRssMb,
  type RunningServer,
  startAcquaint,
  startBareReceiver,
} from '../support/servers.js';
import { freshBodies } from '../support/traffic.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const BATCH_SIZE = 100;
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,sqlite-direct,postgres').split(',');
const TRAFFIC = { users: 5_000, visitors: 20_000 };

const bodySource = (writeKey: string) => freshBodies(TRAFFIC, BATCH_SIZE, writeKey);

async function measure(
  name: string,
  server: RunningServer,
): Promise<{
  name: string;
  eventsPerSecond: number;
  appliedPerSecond: number | null;
  p99: number;
  rss: number | null;
  cpuMicrosPerEvent: number | null;
  load: number;
}> {
  const nextBody = bodySource(server.writeKey);
  // Warm-up: first visits create persons and devices; steady state is what the figure is about.
  const run = (duration: number) =>
    autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration,
      requests: [
        {
          method: 'POST',
          path: '/v1/batch',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: nextBody() }),
        },
      ],
    });
  const started = performance.now();
  const cpuBefore = cpuSeconds(server.process.pid);
  const load = loadavg()[0];
  const warmUp = await run(3);
  const result = await run(SECONDS);
  if (result.non2xx > 0 || result.errors > 0 || warmUp.non2xx > 0 || warmUp.errors > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  // Through the ingestion log, answered messages may still wait to be applied: the sustained
  // figure counts every message from the first request until the last one is applied.
  const backlog = await backlogOf(server);
  const drainStart = performance.now();
  const drained = await waitUntilApplied(server);
  if (backlog > 0)
    console.log(
      `${name}: ${backlog * BATCH_SIZE} answered messages still waited at the end; applied in ${((performance.now() - drainStart) / 1000).toFixed(1)} s (${Math.round((backlog * BATCH_SIZE) / ((performance.now() - drainStart) / 1000))} events/s with nothing else running)`,
    );
  const total = (warmUp['2xx'] + result['2xx']) * BATCH_SIZE;
  const cpuAfter = cpuSeconds(server.process.pid);
  return {
    // The server's CPU time (all its threads) per event answered and applied: what load disturbs least.
    cpuMicrosPerEvent:
      cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) / total) * 1e6),
    load,
    name,
    eventsPerSecond: Math.round((result['2xx'] * BATCH_SIZE) / SECONDS),
    appliedPerSecond: drained ? Math.round(total / ((performance.now() - started) / 1000)) : null,
    p99: result.latency.p99,
    rss: peakRssMb(server.process.pid),
  };
}

/** Logged requests not yet applied (0 for a server without the status API). */
async function backlogOf(server: RunningServer): Promise<number> {
  if (server.apiKey === 'none') return 0;
  const response = await fetch(`${server.url}/api/ingestion/status`, {
    headers: { authorization: `Bearer ${server.apiKey}` },
  });
  return ((await response.json()) as { backlog: number }).backlog;
}

/** Waits until the server's ingestion backlog is empty; false for a server without the status API. */
async function waitUntilApplied(server: RunningServer): Promise<boolean> {
  if (server.apiKey === 'none') return false;
  while ((await backlogOf(server)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  return true;
}

const rows: Awaited<ReturnType<typeof measure>>[] = [];
const baseline = await startBareReceiver(4510);
try {
  rows.push(await measure('baseline: bare node:http, JSON.parse only', baseline));
} finally {
  await baseline.stop();
}
for (const backend of BACKENDS) {
  const server = await startAcquaint(backend as 'sqlite' | 'sqlite-direct' | 'postgres', 4511, POSTGRES_URL);
  try {
    rows.push(await measure(`acquaint on ${backend}`, server));
  } finally {
    await server.stop();
  }
}

const base = rows[0].eventsPerSecond;
console.log(
  `\nIngestion through POST /v1/batch — ${BATCH_SIZE} messages a request, ${CONNECTIONS} connections, ${SECONDS} s`,
);
console.log(
  '| target | answered events/s | vs baseline | applied events/s, sustained | server CPU per event | p99 latency (ms) | peak RSS (MB) | load (1 min) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const applied = row.appliedPerSecond === null ? '—' : row.appliedPerSecond.toLocaleString('en-US');
  console.log(
    `| ${row.name} | ${row.eventsPerSecond.toLocaleString('en-US')} | ${(row.eventsPerSecond / base).toFixed(2)}× | ${applied} | ${row.cpuMicrosPerEvent ?? '?'} µs | ${row.p99} | ${row.rss ?? '?'} | ${row.load.toFixed(1)} |`,
  );
}
console.log('\nGoal (DESIGN §7): ≥ 30,000 events/s on SQLite on a 2-core machine.');
