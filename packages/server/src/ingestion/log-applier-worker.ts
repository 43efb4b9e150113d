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
export type FromApplier = { applied: number; messages: number } | { warning: string };

const port = parentPort;
if (!port) throw new Error('log-applier-worker runs as a worker thread');
const { databaseFile, logFile, config } = workerData as ApplierWorkerData;
// The serving thread's store already checkpoints this file in the background.
const store = openStore(databaseFile, { backgroundCheckpoints: false });
const log = SqliteIngestionLog.open(logFile);
const send = (message: FromApplier) => port.postMessage(message);
const applier = new LogApplier(store, log, config);
const onFailed = (seq: number, error: string) =>
  send({ warning: `ingestion log entry ${seq} could not be applied and was set aside: ${error}` });

send({ applied: await applier.position(), messages: 0 });

let stopping = false;
let wake: (() => void) | null = null;
port.on('message', (message: ToApplier) => {
  if (message === 'stop') stopping = true;
  wake?.();
});
/** Sleeps `ms`, or less when the serving thread appends or asks to stop. */
const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  }).finally(() => {
    wake = null;
  });

let retryMs = 0;
while (!stopping) {
  let applied: number | null;
  try {
    applied = await applier.applyNext(onFailed);
    retryMs = 0;
  } catch (error) {
    // The database is busy, full or failing: nothing is skipped; the same entries are tried again.
    retryMs = Math.min(Math.max(retryMs * 2, 100), 5000);
    send({ warning: `the ingestion log applier will retry in ${retryMs} ms: ${(error as Error).message}` });
    await pause(retryMs);
    continue;
  }
  if (applied !== null) {
    send({ applied, messages: applier.takeAppliedMessages() });
    log.checkpoint();
    // Let a waiting 'stop' in before the next transaction.
    await new Promise((resolve) => setImmediate(resolve));
  } else {
    // Nothing waits: sleep until the serving thread appends (or a while, in case a wake-up was missed).
    await pause(200);
  }
}
log.close();
await store.close();
port.close();
