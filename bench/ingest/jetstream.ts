// Ingestion on PostgreSQL fleets (DESIGN §7, issue 12): two `acquaint start` processes on one
// PostgreSQL database taking POST /v1/batch through NATS JetStream (ACQUAINT_QUEUE), next to one
// process applying each request directly on the same PostgreSQL, measured in the same run.
//   - sustained applied: closed-loop load for BENCH_SECONDS, from the first request until the
//     stream's backlog is empty;
//   - a steady 10,000 events/s (100 requests/s of 100 messages, split between the processes):
//     the answer's p99, and whether the appliers keep up.
//
//   npm run bench:ingest:jetstream            # NATS at BENCH_NATS_URL (default nats://127.0.0.1:4222)
//   BENCH_SECONDS=10 npm run bench:ingest:jetstream
import autocannon from 'autocannon';
import { peakRssMb, type RunningServer, startAcquaint, startJetStreamFleet } from '../support/servers.js';
import { freshBodies } from '../support/traffic.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const STEADY_EVENTS_PER_SECOND = 10_000;
const BATCH_SIZE = 100;
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const TRAFFIC = { users: 5_000, visitors: 20_000 };

const bodySource = (writeKey: string) => freshBodies(TRAFFIC, BATCH_SIZE, writeKey);

/** Load on each server at once for `seconds`: closed loop, or `rate` requests/s in all. */
async function load(servers: RunningServer[], seconds: number, rate?: number) {
  const nextBody = bodySource(servers[0].writeKey);
  const results = await Promise.all(
    servers.map((server) =>
      autocannon({
        url: server.url,
        connections: Math.max(1, Math.round(CONNECTIONS / servers.length)),
        duration: seconds,
        timeout: 30,
        ...(rate ? { overallRate: Math.round(rate / servers.length) } : {}),
        requests: [
          {
            method: 'POST',
            path: '/v1/batch',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: nextBody() }),
          },
        ],
      }),
    ),
  );
  return {
    failed: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    answered: results.reduce((sum, r) => sum + r['2xx'], 0) * BATCH_SIZE,
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

async function backlogOf(server: RunningServer): Promise<number> {
  const response = await fetch(`${server.url}/api/ingestion/status`, {
    headers: { authorization: `Bearer ${server.apiKey}` },
  });
  return ((await response.json()) as { backlog: number }).backlog;
}

/** Waits until the backlog is empty (read twice, as the status is refreshed every second). */
async function drain(server: RunningServer): Promise<void> {
  for (let empty = 0; empty < 2; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    empty = (await backlogOf(server)) === 0 ? empty + 1 : 0;
  }
}

interface Row {
  name: string;
  answered: number;
  sustained: number;
  p99: number;
  steadyP99: number | null;
  steadyBacklog: string;
  failed: number;
  rss: string;
}

async function measureFleet(servers: RunningServer[], name: string, queued: boolean): Promise<Row> {
  await load(servers, 3); // warm-up: first visits create persons and devices
  if (queued) await drain(servers[0]);
  const started = performance.now();
  const closed = await load(servers, SECONDS);
  const answeredPerSecond = closed.answered / SECONDS;
  if (queued) await drain(servers[0]);
  const sustained = closed.answered / ((performance.now() - started) / 1000);
  const steady = await load(servers, SECONDS, STEADY_EVENTS_PER_SECOND / BATCH_SIZE);
  let steadyBacklog = '—';
  if (queued) {
    const backlog = await backlogOf(servers[0]);
    const drainStart = performance.now();
    await drain(servers[0]);
    steadyBacklog = `${backlog} stream messages, drained in ${((performance.now() - drainStart) / 1000).toFixed(1)} s`;
  }
  return {
    name,
    answered: Math.round(answeredPerSecond),
    sustained: Math.round(sustained),
    p99: closed.p99,
    steadyP99: steady.p99,
    steadyBacklog,
    failed: closed.failed + steady.failed,
    rss: servers.map((s) => peakRssMb(s.process.pid) ?? '?').join(' + '),
  };
}

const rows: Row[] = [];
const direct = await startAcquaint('postgres', 4521, POSTGRES_URL);
try {
  rows.push(await measureFleet([direct], 'PostgreSQL, one process, applied before answering', false));
  console.log(rows[0]);
} finally {
  await direct.stop();
}
const fleet = await startJetStreamFleet(POSTGRES_URL, NATS_URL, [4522, 4523]);
try {
  rows.push(await measureFleet(fleet.servers, 'PostgreSQL + JetStream, two processes', true));
} finally {
  await fleet.stop();
}

console.log(
  `\nIngestion on PostgreSQL through POST /v1/batch — ${BATCH_SIZE} messages a request, ${CONNECTIONS} connections, ${SECONDS} s`,
);
console.log(
  '| target | answered events/s (closed loop) | applied events/s, sustained | p99 (ms), closed loop | p99 (ms) at a steady 10,000 events/s | backlog after the steady run | requests failed or timed out (30 s) | peak RSS (MB) |',
);
console.log('|---|---:|---:|---:|---:|---|---:|---:|');
for (const row of rows)
  console.log(
    `| ${row.name} | ${row.answered.toLocaleString('en-US')} | ${row.sustained.toLocaleString('en-US')} | ${row.p99} | ${row.steadyP99 ?? '—'} | ${row.steadyBacklog} | ${row.failed} | ${row.rss} |`,
  );
console.log(
  `\nJetStream vs direct, sustained applied: ${(rows[1].sustained / rows[0].sustained).toFixed(2)}×. Goal (DESIGN §7): ≥ 15,000 events/s sustained, p99 ≤ 50 ms at a steady 10,000 events/s.`,
);
