// The ingestion log's applier, run in a worker thread so that applying messages uses the second
// core while the serving thread answers requests. Started by QueuedIngestion.
import { parentPort, workerData } from 'node:worker_threads';
import type { AcquaintConfig } from '../config.js';
import { SqliteIngestionLog } from '../storage/sqlite-ingestion-log.js';
import { openStore } from '../storage/store.js';
import { LogApplier } from './log-applier.js';

export interface ApplierWorkerData {
  databaseFile: string;
  logFile: string;
  config: AcquaintConfig;
}

/** Messages between the serving thread and the applier. */
export type ToApplier = 'appended' | 'stop';
export type FromApplier = { applied: number } | { failed: number; error: string };

const port = parentPort;
if (!port) throw new Error('log-applier-worker runs as a worker thread');
const { databaseFile, logFile, config } = workerData as ApplierWorkerData;
// The serving thread's store already checkpoints this file in the background.
const store = openStore(databaseFile, { backgroundCheckpoints: false });
const log = SqliteIngestionLog.open(logFile);
const send = (message: FromApplier) => port.postMessage(message);
const applier = new LogApplier(store, log, config, (seq, error) =>
  send({ failed: seq, error: error instanceof Error ? error.message : String(error) }),
);

send({ applied: await applier.position() });

let stopping = false;
let wake: (() => void) | null = null;
port.on('message', (message: ToApplier) => {
  if (message === 'stop') stopping = true;
  wake?.();
});

while (!stopping) {
  const applied = await applier.applyNext();
  if (applied !== null) {
    send({ applied });
    log.checkpoint();
    // Let a waiting 'stop' in before the next transaction.
    await new Promise((resolve) => setImmediate(resolve));
  } else {
    // Nothing waits: sleep until the serving thread appends (or a while, in case a wake-up was missed).
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, 200);
    });
    wake = null;
  }
}
log.close();
await store.close();
port.close();
