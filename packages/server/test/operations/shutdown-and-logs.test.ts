import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { CLI, startCliServer } from '../support/cli-server.js';

const run = promisify(execFile);
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data directory with one project; its keys. */
async function initData(): Promise<{ dir: string; apiKey: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-shutdown-'));
  dirs.push(dir);
  const { stdout } = await run(process.execPath, [CLI, 'init', '--json', '--data-dir', dir]);
  return { dir, apiKey: JSON.parse(stdout).api_key };
}

/** Everything the child writes to stdout, and when it exits, with its code. */
function watch(child: ChildProcess) {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { output: () => output, exited };
}

it('SIGTERM stops a server whose log reader has gone away (closed pipe), exit 0', async () => {
  const { dir } = await initData();
  const server = await startCliServer(['--data-dir', dir], { ACQUAINT_LOG_LEVEL: 'info' });
  children.push(server.child);
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.stdout?.destroy();
  server.child.stderr?.destroy();
  // Requests are still served and logged (into the closed pipe) before the stop.
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  server.child.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise((resolve) => setTimeout(() => resolve('hung'), 8_000)),
  ]);
  expect(code).toBe(0);
}, 60_000);

it('SIGTERM stops an idle server at once (exit 0); its log is JSON lines with request ids', async () => {
  const { dir } = await initData();
  const server = await startCliServer(['--data-dir', dir], { ACQUAINT_LOG_LEVEL: 'info' });
  children.push(server.child);
  const log = watch(server.child);
  const health = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'probe-1' } });
  expect(health.headers.get('x-request-id')).toBe('probe-1');
  const started = Date.now();
  server.child.kill('SIGTERM');
  expect(await log.exited).toBe(0);
  expect(Date.now() - started).toBeLessThan(5_000);
  const lines = log
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const probe = lines.filter((l) => l.reqId === 'probe-1');
  expect(probe.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
  expect(probe[0].req).toMatchObject({ method: 'GET', url: '/health' });
  expect(probe[1].res).toEqual({ statusCode: 200 });
  expect(lines.map((l) => l.msg)).toContain('shut down');
  expect(lines.every((l) => typeof l.level === 'number' && typeof l.time === 'number')).toBe(true);
}, 60_000);

it('SIGTERM with an upload that never ends: the process exits within ACQUAINT_SHUTDOWN_TIMEOUT_MS (exit 1)', async () => {
  const { dir, apiKey } = await initData();
  const server = await startCliServer(['--data-dir', dir], {
    ACQUAINT_LOG_LEVEL: 'info',
    ACQUAINT_SHUTDOWN_TIMEOUT_MS: '1500',
  });
  children.push(server.child);
  const log = watch(server.child);
  // A CSV upload that sends its header and then nothing more: a request in flight.
  const upload = request(`${server.url}/api/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' },
  });
  upload.on('error', () => {});
  upload.write('user_id,plan\nuser-1,pro\n');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const started = Date.now();
  server.child.kill('SIGTERM');
  expect(await log.exited).toBe(1);
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(1_400);
  expect(took).toBeLessThan(6_000);
  expect(log.output()).toMatch(/shutdown did not finish in time; exiting now/);
  upload.destroy();
}, 60_000);

it('a rejected promise nobody handles is logged and the process goes on', async () => {
  const module = fileURLToPath(new URL('../../dist/operations/graceful-shutdown.js', import.meta.url));
  const script = `
    import { GracefulShutdown } from ${JSON.stringify(module)};
    const log = (level) => (object, message) =>
      console.log(JSON.stringify({ level, message, err: object.err?.message }));
    new GracefulShutdown({ info: log('info'), error: log('error'), fatal: log('fatal') }, async () => {}, 1000).install();
    Promise.reject(new Error('nobody waits for this'));
    setTimeout(() => console.log(JSON.stringify({ still: 'up' })), 200);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
  children.push(child);
  const out = watch(child);
  expect(await out.exited).toBe(0);
  const lines = out
    .output()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toEqual([
    {
      level: 'error',
      message: 'a promise was rejected and nothing handled it; going on',
      err: 'nobody waits for this',
    },
    { still: 'up' },
  ]);
}, 30_000);

it('an uncaught exception is logged and starts the orderly stop, which ends with exit code 1', async () => {
  const module = fileURLToPath(new URL('../../dist/operations/graceful-shutdown.js', import.meta.url));
  const script = `
    import { GracefulShutdown } from ${JSON.stringify(module)};
    const log = (level) => (object, message) => console.log(JSON.stringify({ level, message }));
    const shutdown = new GracefulShutdown(
      { info: log('info'), error: log('error'), fatal: log('fatal') },
      async () => console.log(JSON.stringify({ stopping: true })),
      1000,
    ).install();
    shutdown.finished().then((code) => { process.exitCode = code; });
    setTimeout(() => { throw new Error('broken'); }, 10);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
  children.push(child);
  const out = watch(child);
  expect(await out.exited).toBe(1);
  const lines = out
    .output()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toEqual([
    { level: 'fatal', message: 'uncaught exception; shutting down' },
    { level: 'info', message: 'shutting down' },
    { stopping: true },
    { level: 'info', message: 'shut down' },
  ]);
}, 30_000);
