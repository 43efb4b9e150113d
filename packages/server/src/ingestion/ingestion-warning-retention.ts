import { pruneIngestionWarnings } from '../storage/ingestion-warning-repository.js';
import type { Store } from '../storage/store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface IngestionWarningRetentionOptions {
  /** Warnings received longer ago than this many days are deleted (30). */
  retentionDays: number;
  /** How often old warnings are looked for (10 minutes); the first pass runs at start. */
  intervalMs?: number;
  /** Rows deleted per transaction (1,000), so no transaction holds the writers long. */
  batchSize?: number;
  onError?: (error: unknown) => void;
}

/**
 * Keeps `ingestion_warnings` bounded: every interval, the warnings received more than the
 * retention ago are deleted in short batches. Every server process runs it; passes of several
 * processes at once delete each row once and cost no more than an empty index lookup.
 */
export class IngestionWarningRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly options: IngestionWarningRetentionOptions,
  ) {}

  start(): void {
    const pass = () => {
      if (this.stopped) return;
      this.running = this.prune().catch((error) => this.options.onError?.(error));
    };
    setImmediate(pass);
    this.timer = setInterval(pass, this.options.intervalMs ?? 10 * 60_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Deletes the warnings older than the retention; answers how many went. */
  async prune(now = Date.now()): Promise<number> {
    const before = now - this.options.retentionDays * DAY_MS;
    const batchSize = this.options.batchSize ?? 1000;
    let pruned = 0;
    for (;;) {
      const batch = await this.store.transaction((tx) => pruneIngestionWarnings(tx.db, before, batchSize));
      pruned += batch;
      if (batch < batchSize || this.stopped) return pruned;
    }
  }
}
