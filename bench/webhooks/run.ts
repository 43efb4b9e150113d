// Group events end to end: an upload (`POST /v1/user/profiles`, 10,000 rows a request) moves N
// users (100,000) into a dynamic group with a `group.entered` subscription; measured from the
// first upload request until a local receiver (its own process) has the last group.entered, and
// deliveries per second. Baseline in the same run: the same number of bare HTTP posts of bodies
// of the same size from one process (32 at once, the worker's concurrency) to the same receiver.
//   node --import tsx bench/webhooks/run.ts [users] [sqlite|postgres]
// PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a database is
// created for the run and dropped after. SQLite files go to a temporary directory, removed after.
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { killOnExit } from '../support/servers.js';
import { openWebhookBench } from './bench-app.js';

const USERS = Number(process.argv[2] ?? 100_000);
const BACKEND = process.argv[3] ?? 'sqlite';
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS_PER_REQUEST = 10_000;
const CONCURRENCY = 32;

/** Starts a receiver process; answers its URL, a promise of the time the last body came, and a stop. */
async function startReceiver(port: number, expected: number, type: string, unique = false) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'receiver.mjs'),
      String(port),
      String(expected),
      type,
      ...(unique ? ['unique'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  killOnExit(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let ready: () => void = () => {};
  let done: (at: number) => void = () => {};
  let repeats = 0;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const finished = new Promise<number>((resolve) => (done = resolve));
  lines.on('line', (line) => {
    if (line === 'ready') ready();
    else if (line.startsWith('done ')) {
      const [, at, seen] = line.split(' ');
      repeats = Number(seen ?? 0);
      done(Number(at));
    }
  });
  await readyPromise;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    finished,
    repeats: () => repeats,
    stop: () => child.kill('SIGTERM'),
  };
}

/** `count` bare POSTs of `body`, `CONCURRENCY` at once over kept-alive connections. */
async function barePosts(url: string, body: string, count: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(url, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json' },
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next += 1;
        await post();
      }
    }),
  );
  agent.destroy();
}

const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000)).toLocaleString('en-US');

const sample = JSON.stringify({
  id: 'dlv_00000000-0000-0000-0000-000000000000',
  type: 'group.entered',
  occurred_at: new Date().toISOString(),
  project_id: 'prj_0000000000000000',
  data: {
    group_id: 'grp_000000000000',
    group_name: 'Diamond',
    person_id: 100000,
    user_id: 'user-100000',
    attributes: {},
  },
});
/** CPU time (user + system) this process has used, in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const loadAtStart = loadavg()[0];
const bare = await startReceiver(43_000 + (process.pid % 1000), USERS, 'group.entered');
const bareStarted = Date.now();
const bareCpuStarted = cpuMs();
await barePosts(bare.url, sample, USERS);
const bareMs = (await bare.finished) - bareStarted;
const bareCpu = cpuMs() - bareCpuStarted;
bare.stop();

const { app, auth, watchDiamonds, close } = await openWebhookBench(BACKEND, 'acquaint-webhooks', postgresUrl);
const receiver = await startReceiver(44_000 + (process.pid % 1000), USERS, 'group.entered', true);
try {
  await watchDiamonds(receiver.url);
  const started = Date.now();
  const cpuStarted = cpuMs();
  for (let first = 0; first < USERS; first += ROWS_PER_REQUEST) {
    const values = Array.from({ length: Math.min(ROWS_PER_REQUEST, USERS - first) }, (_, i) => [
      `user-${first + i}`,
      'diamond',
    ]);
    const upload = await app.inject({
      method: 'POST',
      url: '/v1/user/profiles',
      headers: auth,
      payload: { field_name: ['user_id', 'plan'], values },
    });
    if (upload.statusCode !== 200) throw new Error(`upload: ${upload.statusCode} ${upload.body}`);
  }
  const uploadedMs = Date.now() - started;
  const uploadCpu = cpuMs() - cpuStarted;
  const lastMs = (await receiver.finished) - started;
  const totalCpu = cpuMs() - cpuStarted;
  const [one] = loadavg();
  console.log(`webhooks bench, ${BACKEND}, ${USERS.toLocaleString('en-US')} users entering one group`);
  console.log(
    `  upload (${Math.ceil(USERS / ROWS_PER_REQUEST)} requests, outbox written in them): ${(uploadedMs / 1000).toFixed(1)} s, ${(uploadCpu / 1000).toFixed(1)} s CPU (the worker sending meanwhile included)`,
  );
  console.log(
    `  last group.entered delivered after ${(lastMs / 1000).toFixed(1)} s: ${perSecond(USERS, lastMs)} deliveries/s end to end`,
  );
  console.log(`  deliveries after the upload: ${perSecond(USERS, lastMs - uploadedMs)} /s`);
  console.log(
    `  repeats (a delivery received again under its id, after a failed attempt): ${receiver.repeats()}`,
  );
  console.log(
    `  CPU of this process (server, worker and uploads; not the receiver nor PostgreSQL): ${(totalCpu / 1000).toFixed(1)} s, ${((totalCpu - uploadCpu) / 1000).toFixed(1)} s after the upload; ${(totalCpu / USERS).toFixed(3)} ms per delivery, upload included`,
  );
  console.log(
    `  baseline, bare HTTP posts from one process (${CONCURRENCY} at once): ${(bareMs / 1000).toFixed(1)} s, ${perSecond(USERS, bareMs)} posts/s, ${(bareCpu / 1000).toFixed(1)} s CPU (${(bareCpu / USERS).toFixed(3)} ms per post)`,
  );
  console.log(`  load average (1 min): ${loadAtStart.toFixed(2)} at the start, ${one.toFixed(2)} at the end`);
} finally {
  receiver.stop();
  await close();
}
