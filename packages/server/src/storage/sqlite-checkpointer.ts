import type { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import type { CheckpointWorkerData, FromCheckpointer } from './sqlite-checkpoint-worker.js';
import { startModuleWorker } from './start-module-worker.js';

/** WAL pages after which the writer still checkpoints itself, should the background lag (~400 MB). */
const BACKSTOP_PAGES = 100_000;

export interface BackgroundCheckpointer {
  /** Starts checkpointing off the writer's thread (once; later calls do nothing). */
  start(): void;
  /** Stops the worker and gives the writer its own checkpoints back. */
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints of a file database off the writer's thread (started when the file opens). The writer
 * connection checkpoints when a commit finds the WAL over `wal_autocheckpoint` pages, inside that
 * commit: copying tens of megabytes into the database file and fsyncing it, while the event loop
 * waits. A million-row import writes about a gigabyte through the WAL, so those stalls were a
 * third of its time (and live ingestion's commits stalled the same way). The writer keeps a far threshold as a
 * backstop. Durability is unchanged: commits are in the WAL either way, and a checkpoint (wherever
 * it runs) only copies committed pages.
 */
export function backgroundCheckpointer(
  filename: string,
  connection: SqliteDatabase.Database,
): BackgroundCheckpointer {
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let ownThreshold: number | null = null;
  const restore = () => {
    if (ownThreshold !== null && connection.open) connection.pragma(`wal_autocheckpoint = ${ownThreshold}`);
    ownThreshold = null;
  };
  return {
    start() {
      if (worker !== null || filename === ':memory:' || filename === '') return;
      ownThreshold = connection.pragma('wal_autocheckpoint', { simple: true }) as number;
      worker = startModuleWorker(new URL('./sqlite-checkpoint-worker.js', import.meta.url), {
        // It only loops over one pragma: a small heap keeps the process's memory for the import.
        resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
        workerData: { filename } satisfies CheckpointWorkerData,
      });
      worker.unref();
      exited = new Promise((resolve) => {
        worker?.once('exit', () => {
          restore();
          resolve();
        });
      });
      worker.on('message', (message: FromCheckpointer) => process.emitWarning(message.warning));
      // A worker that fails leaves the checkpoints to the writer, as before; the failure is reported.
      worker.on('error', (error) =>
        process.emitWarning(`the background WAL checkpointer of ${filename} stopped: ${error.message}`),
      );
      connection.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    },
    async stop() {
      if (worker === null) return;
      // Held open until it exits, so that awaiting stop() keeps the process alive.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
