import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { adminQuery, describePostgres, postgresUrl } from '../support/test-stores.js';

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${SERVER_DIR}bin/acquaint.js`;
const execFileAsync = promisify(execFile);

/** Runs the built CLI to completion; never throws on a non-zero exit. */
async function acquaint(args: string[], cwd = SERVER_DIR) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, DATABASE_URL: '', ACQUAINT_DATA_DIR: '' },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * One CLI command run in this process (the same `main` the binary calls), with what it printed:
 * much faster than a new Node process for commands that do not serve.
 */
async function acquaintInProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** `acquaint start` on a free port; resolves with everything it printed up to "listening". */
function start(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'start', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, ACQUAINT_LOG: 'off', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

const running: ChildProcess[] = [];
let dataDir: string;
beforeAll(() => {
  if (!existsSync(`${SERVER_DIR}dist/cli/main.js`))
    throw new Error('run `npm run build` first: this test runs the built CLI');
  dataDir = mkdtempSync(join(tmpdir(), 'acquaint-cli-'));
});
afterAll(async () => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(running.map(exitOf));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('acquaint CLI', () => {
  it('help prints the commands; an unknown command exits 2 with the help', async () => {
    const help = await acquaintInProcess(['help']);
    const unknown = await acquaintInProcess(['serve']);
    expect(help.code).toBe(0);
    for (const command of ['acquaint start', 'acquaint init', 'acquaint migrate'])
      expect(help.stdout).toContain(command);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "serve"');
  });

  it('start on an empty data dir creates a project, prints its keys, serves, and exits cleanly on SIGTERM', async () => {
    const dir = join(dataDir, 'fresh');
    const server = await start(['--data-dir', dir]);
    running.push(server.child);
    expect(server.output()).toContain('Created a first project');
    const writeKey = /write key:\s+(\S+)/.exec(server.output())?.[1];
    const apiKey = /API key:\s+(sk_\S+)/.exec(server.output())?.[1];
    expect(writeKey).toMatch(/^wk_/);
    expect(apiKey).toMatch(/^sk_/);
    expect(existsSync(join(dir, 'acquaint.db'))).toBe(true);

    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ ok: true, store: 'sqlite' });
    const tracked = await fetch(`${server.url}/v1/identify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeKey, anonymousId: 'anon-phone', userId: 'user-42' }),
    });
    expect(tracked.status).toBe(200);
    const profile = await fetch(`${server.url}/api/users/user-42`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(profile.status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await exitOf(server.child)).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('SIGTERM received');

    // Started again on the same data, it keeps the project and its data.
    const again = await start(['--data-dir', dir]);
    running.push(again.child);
    expect(again.output()).not.toContain('Created a first project');
    const stillThere = await fetch(`${again.url}/api/users/user-42`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(stillThere.status).toBe(200);
    again.child.kill('SIGTERM');
    expect((await exitOf(again.child)).code).toBe(0);
  });

  it('init --json prints project id and keys, and can run again on the same database', async () => {
    const dir = join(dataDir, 'init');
    const first = await acquaintInProcess(['init', '--json', '--data-dir', dir, '--project', 'Shop']);
    expect(first.code, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout);
    expect(created).toMatchObject({
      project_id: expect.stringMatching(/^prj_/),
      name: 'Shop',
      write_key: expect.stringMatching(/^wk_/),
      api_key: expect.stringMatching(/^sk_/),
    });
    const second = await acquaintInProcess(['init', '--json', '--data-dir', dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).project_id).not.toBe(created.project_id);

    const migrate = await acquaintInProcess(['migrate', '--data-dir', dir]);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('Schema is up to date (sqlite)');
  });

  it('a bad --port or an unreachable database is a one-line error, exit 1', async () => {
    const [port, database] = await Promise.all([
      acquaint(['start', '--port', 'eighty', '--data-dir', join(dataDir, 'bad')]),
      acquaint(['migrate', '--database', 'postgres://nobody@127.0.0.1:1/none']),
    ]);
    expect(port.code).toBe(1);
    expect(port.stderr).toMatch(/^acquaint: --port must be a port number/);
    expect(database.code).toBe(1);
    expect(database.stderr).toMatch(/^acquaint: /);
  });
});

describePostgres('acquaint CLI', () => {
  const database = `acq_cli_${randomBytes(5).toString('hex')}`;
  const admin = adminQuery;
  const url = () => {
    const u = new URL(postgresUrl);
    u.pathname = `/${database}`;
    return u.toString();
  };
  beforeAll(() => admin(`create database ${database}`));
  afterAll(() => admin(`drop database if exists ${database} with (force)`));

  it('migrate and init --json are idempotent on the schema', async () => {
    expect((await acquaintInProcess(['migrate', '--database', url()])).stdout).toContain(
      'Schema is up to date (postgres)',
    );
    const first = await acquaintInProcess(['init', '--json', '--database', url()]);
    expect(first.code, first.stderr).toBe(0);
    const second = await acquaintInProcess(['init', '--json', '--database', url()]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).write_key).not.toBe(JSON.parse(first.stdout).write_key);
  });
});
