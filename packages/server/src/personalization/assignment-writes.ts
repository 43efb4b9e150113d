import { type AssignmentRow, recordAssignments } from '../storage/experience-assignment-repository.js';
import type { Store } from '../storage/store.js';

export type AssignmentChange = AssignmentRow & { replaceVariant: boolean };

/** How long the first decide of a batch waits for others to join its write. */
const LINGER_MS = 2;
/** A batch this large is written at once. */
const MAX_BATCH = 64;

interface Pending {
  rows: AssignmentChange[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The assignment writes of decides, batched: each decide still answers only after its rows are
 * committed (as before), but the decides arriving within a couple of milliseconds share one
 * transaction. A commit costs far more than its rows (SQLite: begin, commit and the WAL pages the
 * ~12 touched index pages take; PostgreSQL: round trips), and at 1,000 decides/s of mostly new
 * persons one commit per decide was most of decide's CPU (BENCHMARKS.md "Decide").
 * strategy: the first pending decide starts a short timer; the batch is written when it fires or
 * when it is full. Should the shared transaction fail, each decide's rows are written on their
 * own, so one decide's failure is not another's.
 */
export class AssignmentWrites {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly store: Store) {}

  record(rows: AssignmentChange[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      if (this.pending.length >= MAX_BATCH) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), LINGER_MS);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    void this.write(batch);
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.store.transaction((tx) =>
        recordAssignments(
          tx,
          batch.flatMap((p) => p.rows),
        ),
      );
      for (const p of batch) p.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      await Promise.all(
        batch.map((p) =>
          this.store.transaction((tx) => recordAssignments(tx, p.rows)).then(p.resolve, p.reject),
        ),
      );
    }
  }
}

const writers = new WeakMap<Store, AssignmentWrites>();

/** The one batcher of a store. */
export function assignmentWritesOf(store: Store): AssignmentWrites {
  let writes = writers.get(store);
  if (!writes) {
    writes = new AssignmentWrites(store);
    writers.set(store, writes);
  }
  return writes;
}
