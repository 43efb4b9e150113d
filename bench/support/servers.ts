import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import pg from 'pg';
import { processCpuMs } from './process-cpu.js';

const CLI = new URL('../../packages/server/bin/acquaint.js', import.meta.url).pathname;

export interface RunningServer {
  url: string;
  writeKey: string;
  apiKey: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Environment for benchmark servers: no request log, rate limits out of the way. */
const SERVER_ENV = {
  ...process.env,
  ACQUAINT_LOG: 'off',
  ACQUAINT_RATE_LIMIT_PER_SECOND: '10000000',
  ACQUAINT_RATE_LIMIT_BURST: '10000000',
};

/**
 * Starts `acquaint start` on a fresh SQLite data dir or PostgreSQL database; stops and cleans up.
 * `sqlite-direct` is SQLite with the ingestion log off (each request applied before its answer).
 */
export async function startAcquaint(
  backend: 'sqlite' | 'sqlite-direct' | 'postgres',
  port: number,
  postgresUrl?: string,
): Promise<RunningServer> {
  let location: string[];
  let cleanup: () => Promise<void>;
  const env = { ...SERVER_ENV, ...(backend === 'sqlite-direct' ? { ACQUAINT_INGESTION_LOG: 'off' } : {}) };
  if (backend !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-bench-'));
    location = ['--data-dir', dir];
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    if (!postgresUrl) throw new Error('postgres needs a URL');
    const name = `acquaint_bench_${Date.now()}`;
    await adminQuery(postgresUrl, `create database ${name}`);
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    location = ['--database', url.toString()];
    cleanup = () => adminQuery(postgresUrl, `drop database if exists ${name} with (force)`);
  }
  const keys = initInstallation(location);
  const child = await spawnServer(location, port, env);
  return {
    url: `http://127.0.0.1:${port}`,
    writeKey: keys.write_key,
    apiKey: keys.api_key,
    process: child,
    async stop() {
      await stopProcess(child);
      await cleanup();
    },
  };
}

/**
 * Several `acquaint start` processes on one new PostgreSQL database, taking tracking messages
 * through NATS JetStream at `queue` (ACQUAINT_QUEUE); `stop` stops them all and drops the database.
 */
export async function startJetStreamFleet(
  postgresUrl: string,
  queue: string,
  ports: number[],
): Promise<{ servers: RunningServer[]; stop(): Promise<void> }> {
  const name = `acquaint_bench_js_${Date.now()}`;
  await adminQuery(postgresUrl, `create database ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const location = ['--database', url.toString()];
  const keys = initInstallation(location);
  const env = { ...SERVER_ENV, ACQUAINT_QUEUE: queue };
  const children = await Promise.all(ports.map((port) => spawnServer(location, port, env)));
  const servers = children.map((child, i) => ({
    url: `http://127.0.0.1:${ports[i]}`,
    writeKey: keys.write_key,
    apiKey: keys.api_key,
    process: child,
    stop: () => stopProcess(child),
  }));
  return {
    servers,
    async stop() {
      await Promise.all(children.map(stopProcess));
      await deleteStreamOf(url.toString(), queue);
      await adminQuery(postgresUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/** Deletes the JetStream stream a benchmark database used (named in its `ingestion_queue`). */
async function deleteStreamOf(databaseUrl: string, queue: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query('select stream_key from ingestion_queue').finally(() => client.end());
  if (rows.length === 0) return;
  const nc = await connect({ servers: queue });
  await (await nc.jetstreamManager()).streams.delete(`ACQUAINT_${rows[0].stream_key}`).catch(() => {});
  await nc.close();
}

function initInstallation(location: string[]): { write_key: string; api_key: string } {
  return JSON.parse(
    execFileSync('node', [CLI, 'init', '--json', ...location], { env: SERVER_ENV }).toString(),
  );
}

const children = new Set<ChildProcess>();

/**
 * Kills `child` if the benchmark's process ends first (a bench that throws or is interrupted must
 * not leave a server holding its port and CPU behind).
 */
export function killOnExit(child: ChildProcess): ChildProcess {
  if (children.size === 0) {
    process.once('exit', () => {
      for (const running of children) if (running.exitCode === null) running.kill('SIGKILL');
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function spawnServer(location: string[], port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  // BENCH_NODE_ARGS passes flags to the server's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    'node',
    [...nodeArgs, CLI, 'start', '--port', String(port), '--host', '127.0.0.1', ...location],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  killOnExit(child);
  await waitForLine(child, 'listening');
  return child;
}

/** Starts the bare node:http baseline receiver. */
export async function startBareReceiver(port: number): Promise<RunningServer> {
  const child = spawn('node', [new URL('./bare-receiver.mjs', import.meta.url).pathname, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  killOnExit(child);
  await waitForLine(child, 'ready');
  return {
    url: `http://127.0.0.1:${port}`,
    writeKey: 'none',
    apiKey: 'none',
    process: child,
    stop: () => stopProcess(child),
  };
}

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`server did not print "${text}" within 120 s: ${seen}`)),
      120_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${seen}`)));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (null where there is none). */
export function cpuSeconds(pid: number | undefined): number | null {
  const ms = processCpuMs(pid);
  return ms === null ? null : ms / 1000;
}

/** Peak resident memory of a process in MB, from /proc (Linux). */
export function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`]).toString();
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}
