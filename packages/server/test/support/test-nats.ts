import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { Store } from '../../src/storage/store.js';
import { freePort } from './own-postgres.js';
import { natsUrl } from './test-stores.js';

/** Deletes the JetStream stream of a test database, so test runs do not pile streams up on NATS. */
export async function deleteTestStream(store: Store, url = natsUrl): Promise<void> {
  const row = await store.db.selectFrom('ingestion_queue').select('stream_key').executeTakeFirst();
  if (!row) return;
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`ACQUAINT_${row.stream_key}`).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** A NATS server of a test's own (JetStream on, a free port, a temporary directory), which it may stop. */
export interface OwnNats {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

const NATS_SERVER = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

async function answers(port: number): Promise<boolean> {
  try {
    const nc = await connect({ servers: `nats://127.0.0.1:${port}`, timeout: 500 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/** `config`: nats-server configuration text for limits (such as `max_payload: 16384`). */
export async function startOwnNats(options: { config?: string } = {}): Promise<OwnNats> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-nats-'));
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    writeFileSync(join(dir, 'nats.conf'), options.config);
    configArgs.push('-c', join(dir, 'nats.conf'));
  }
  let child: ReturnType<typeof spawn> | undefined;
  const own: OwnNats = {
    url: `nats://127.0.0.1:${port}`,
    async start() {
      child = spawn(NATS_SERVER, [...configArgs, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
        stdio: 'ignore',
      });
      for (let i = 0; !(await answers(port)); i++) {
        if (i === 100) throw new Error(`${NATS_SERVER} did not start on port ${port}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    async remove() {
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await own.start();
  return own;
}
