// Decide under a steady 1,000 requests/s with 1,000,000 persons and 50 published experiences,
// next to a constant route (GET /health) measured at the same rate in the same run.
//   node --import tsx bench/decide/run.ts [persons=1000000] [sqlite,postgres]
// PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a database is
// created for the run and dropped after. The server runs as `acquaint start` in its own process.
// Besides latency it prints the server's CPU time per request (from /proc, user + system): the
// figure a busy machine disturbs least. BENCH_CPU_PROF=<dir> also writes a V8 CPU profile of the
// server (`node --cpu-prof`) there; `node --import tsx bench/decide/profile-summary.ts <file>`
// lists where its time went. BENCH_NODE_FLAGS="--trace-gc --trace-gc-nvp" gives the server's node
// those flags; BENCH_SERVER_LOG=<file> appends the server's stdout (where V8 traces go) to a file.
// Each route is loaded twice at 1,000/s: by autocannon (50 connections; its `overallRate` sends
// each second's requests in a burst at the second's start) and by an open-loop paced load
// (`paced-load.ts`: one request every millisecond on up to 50 keep-alive connections, latency
// from when each was due), after a warm-up (3 s of autocannon at the start; 5 s of the paced
// load before each paced run, on its connections, not counted). The load runs in this process, which does nothing
// else meanwhile; the server is its own process.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { openStore } from '../../packages/server/src/storage/store.js';
import { killOnExit } from '../support/servers.js';
import { fiftyExperiences } from './experiences.js';
import { pacedLoad } from './paced-load.js';
import { seedPersons } from './seed-persons.js';

const persons = Number(process.argv[2] ?? 1_000_000);
const backends = (process.argv[3] ?? 'sqlite,postgres').split(',');
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLI = new URL('../../packages/server/bin/acquaint.js', import.meta.url).pathname;
const RATE = 1000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
/**
 * Paced seconds sent before each measured paced run on the same connections and not counted: the
 * first seconds after a change of load (new connections, the previous run's WAL checkpointed)
 * are not the steady state.
 */
const PACED_WARMUP_SECONDS = 5;

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Figures {
  p50: number;
  p99: number;
  max: number;
  rps: number;
  errors: number;
  non2xx: number;
  cpu: number;
  load: number;
}

/** Latency figures of one autocannon run at a steady rate, and the server's CPU ms per request. */
async function steady(
  url: string,
  request: autocannon.Request,
  seconds: number,
  pid: number,
): Promise<Figures> {
  const load = loadavg()[0];
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url,
    connections: 50,
    overallRate: RATE,
    duration: seconds,
    requests: [request],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    rps: result.requests.average,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpu: (cpuMs(pid) - cpuBefore) / Math.max(1, result.requests.total),
    load,
  };
}

/** The same figures under the paced open-loop load (paced-load.ts). */
async function paced(
  url: string,
  request: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: () => string },
  seconds: number,
  pid: number,
): Promise<Figures> {
  const load = loadavg()[0];
  const cpuBefore = cpuMs(pid);
  const result = await pacedLoad({
    url,
    ...request,
    rate: RATE,
    seconds,
    warmupSeconds: PACED_WARMUP_SECONDS,
    connections: 50,
  });
  const tail = result.slowSeconds.slice(0, 6).map((s) => `s${s.second}: ${s.slow} (max ${s.max} ms)`);
  console.log(
    `${request.method} ${request.path}, seconds with requests over 10 ms: ${tail.join(', ') || 'none'}`,
  );
  return {
    ...result,
    non2xx: 0,
    cpu: (cpuMs(pid) - cpuBefore) / Math.max(1, RATE * (seconds + PACED_WARMUP_SECONDS)),
    load,
  };
}

async function runOn(backend: string): Promise<void> {
  let location: string[];
  let cleanup: () => Promise<void>;
  let store: ReturnType<typeof openStore>;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-decide-'));
    store = openStore(join(dir, 'acquaint.db'));
    location = ['--data-dir', dir];
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `acquaint_decide_${Date.now()}`;
    await admin(`create database ${name}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    store = openStore(url.toString());
    location = ['--database', url.toString()];
    cleanup = () => admin(`drop database if exists ${name} with (force)`);
  }
  await store.migrate();
  const project = await createProject(store, 'Bench shop');
  const seeding = performance.now();
  await seedPersons(store, project.project_id, persons, Date.now());
  const seeded = (performance.now() - seeding) / 1000;
  await store.close();

  const port = 18_000 + Math.floor(Math.random() * 1000);
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
    : [];
  const server = killOnExit(
    spawn(
      'node',
      [
        ...profile,
        ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
        CLI,
        'start',
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        ...location,
      ],
      {
        env: {
          ...process.env,
          ACQUAINT_LOG: 'off',
          ACQUAINT_DECIDE_RATE_LIMIT_PER_SECOND: '1000000',
          ACQUAINT_API_KEY_RATE_LIMIT_PER_SECOND: '100000',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ),
  );
  try {
    await listening(server);
    const base = `http://127.0.0.1:${port}`;
    for (const body of fiftyExperiences()) {
      const headers = { authorization: `Bearer ${project.api_key}`, 'content-type': 'application/json' };
      const created = (await (
        await fetch(`${base}/api/experiences`, { method: 'POST', headers, body: JSON.stringify(body) })
      ).json()) as { id: string };
      await fetch(`${base}/api/experiences/${created.id}/publish`, {
        method: 'POST',
        headers: { authorization: headers.authorization },
      });
    }
    const decideBody = () =>
      JSON.stringify({
        writeKey: project.write_key,
        anonymousId: `anon-${1 + Math.floor(Math.random() * persons)}`,
        url: 'https://shop.example/home?utm_source=newsletter',
        sessionId: 's1',
      });
    const decide: autocannon.Request = {
      method: 'POST',
      path: '/v1/decide',
      headers: { 'content-type': 'text/plain' },
      setupRequest: (request) => ({ ...request, body: decideBody() }),
    };
    const pacedDecide = {
      method: 'POST' as const,
      path: '/v1/decide',
      headers: { 'content-type': 'text/plain' },
      body: decideBody,
    };
    const sample = await fetch(`${base}/v1/decide`, {
      method: 'POST',
      body: JSON.stringify({
        writeKey: project.write_key,
        anonymousId: 'anon-2',
        url: 'https://shop.example/home',
      }),
    });
    const shown = ((await sample.json()) as { experiences: unknown[] }).experiences.length;
    const pid = server.pid ?? 0;
    await steady(base, decide, 3, pid); // warm-up
    const health = { method: 'GET' as const, path: '/health' };
    const rows: [string, string, Figures][] = [];
    rows.push(['autocannon', 'GET /health (constant)', await steady(base, health, SECONDS, pid)]);
    rows.push(['autocannon', 'POST /v1/decide', await steady(base, decide, SECONDS, pid)]);
    rows.push(['paced', 'GET /health (constant)', await paced(base, health, SECONDS, pid)]);
    rows.push(['paced', 'POST /v1/decide', await paced(base, pacedDecide, SECONDS, pid)]);
    console.log(
      `\n${backend}: ${persons.toLocaleString('en')} persons seeded in ${seeded.toFixed(1)} s; 50 published experiences; a gold member (anon-2) is shown ${shown}; ${SECONDS} s a route; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(
      '| backend | load | route | req/s | p50 ms | p99 ms | max ms | CPU ms/req | errors | load avg |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const [load, route, r] of rows) {
      console.log(
        `| ${backend} | ${load} | ${route} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.cpu.toFixed(2)} | ${r.errors + r.non2xx} | ${r.load.toFixed(1)} |`,
      );
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await cleanup();
  }
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (process.env.BENCH_SERVER_LOG) appendFileSync(process.env.BENCH_SERVER_LOG, chunk);
      seen += chunk.toString();
      if (seen.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

for (const backend of backends) await runOn(backend);
