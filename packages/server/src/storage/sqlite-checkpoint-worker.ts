// The checkpoint loop of a file database, run in a worker thread on its own connection (started by
// sqlite-checkpointer.ts): a PASSIVE checkpoint never waits for the writer nor blocks it; it copies
// what the WAL holds into the database file (and fsyncs it) while the writer goes on. Quick again
// while there is work, slow when idle.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointWorkerData {
  filename: string;
}

/** Messages from the checkpointer to the thread that started it. */
export type FromCheckpointer = { warning: string };

/** Checkpoint failures that only mean "not now": another connection holds a lock. */
const PASSING = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

const port = parentPort;
if (!port) throw new Error('sqlite-checkpoint-worker runs as a worker thread');
const { filename } = workerData as CheckpointWorkerData;
const db = new Database(filename, { fileMustExist: true });
db.pragma('busy_timeout = 0');
let stopping = false;
let last = '';
let lastFailure = '';
port.on('message', () => {
  stopping = true;
});

function loop(): void {
  if (stopping) {
    db.close();
    port?.close();
    return;
  }
  let state = last;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    state = `${result.log}/${result.checkpointed}`;
    lastFailure = '';
  } catch (error) {
    // A failure other than a lock is reported (once until it changes); the writer's own backstop
    // checkpoints keep the WAL bounded meanwhile.
    const code = (error as { code?: string }).code ?? '';
    const failure = `${code} ${(error as Error).message}`;
    if (!PASSING.has(code) && failure !== lastFailure)
      port?.postMessage({
        warning: `background WAL checkpoint of ${filename} failed: ${failure}`,
      } satisfies FromCheckpointer);
    lastFailure = failure;
  }
  const working = state !== last;
  last = state;
  setTimeout(loop, working ? 1 : 50);
}
loop();
