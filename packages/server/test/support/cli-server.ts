import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { adminQuery, postgresUrl } from './test-stores.js';

const run = promisify(execFile);

/** The built CLI (`npm run build` first). */
export const CLI = fileURLToPath(new URL('../../bin/acquaint.js', import.meta.url));

export interface CliServer {
  child: ChildProcess;
  url: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
}

/**
 * Starts `acquaint start` on a free port of 127.0.0.1 with the given storage arguments and extra
 * environment, and resolves once it says where it listens.
 */
export function startCliServer(
  storageArgs: string[],
  env: Record<string, string> = {},
  startTimeoutMs = 15_000,
): Promise<CliServer> {
  const child = spawn(
    process.execPath,
    [CLI, 'start', '--port', '0', '--host', '127.0.0.1', ...storageArgs],
    {
      env: { ...process.env, ACQUAINT_LOG: 'off', DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), startTimeoutMs);
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
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}

/** Stops a CLI server with SIGTERM (SIGKILL after 5 s) and waits for it to exit. */
export async function stopCliServer(server: CliServer | undefined): Promise<void> {
  const child = server?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A PostgreSQL database of its own for CLI servers (named `<prefix>_<random>` on the test server):
 * `create` makes it, checks the CLI is built and runs `acquaint init --json` (its answer: the
 * project's keys); `drop` removes it.
 */
export function cliDatabase(prefix: string) {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const url = new URL(postgresUrl || 'postgres://127.0.0.1/x');
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async create(): Promise<{ write_key: string; api_key: string }> {
      if (!existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))))
        throw new Error('run `npm run build` first: this test starts the built CLI');
      await adminQuery(`create database ${name}`);
      const { stdout } = await run(process.execPath, [CLI, 'init', '--json', '--database', url.toString()]);
      return JSON.parse(stdout);
    },
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}
