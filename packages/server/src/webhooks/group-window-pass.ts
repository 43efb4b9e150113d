import type { Store } from '../storage/store.js';
import { ChangeOutbox } from './change-outbox.js';
import { recountGroups } from './group-membership-changes.js';

export interface GroupWindowPassOptions {
  /** Time between two passes (`ACQUAINT_WEBHOOKS_GROUP_PASS_MS`, 30 s: changes land within 60 s). */
  intervalMs: number;
  /** The clock the windows are measured with (tests move it). */
  now?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * The periodic pass: time passing alone moves persons in or out of groups with rolling windows
 * (`within_days`), relative dates (`within_last_days`, `more_than_days_ago`) or `experience_seen`.
 * strategy: every `intervalMs`, for each project with watched groups, one transaction per
 * project re-counts set-based only its watched groups whose footprint is timed, compares with
 * the kept members, and writes the differences to the outbox. Changes any writer makes are
 * handled where they happen; this pass only catches the clock. On PostgreSQL a per-project lock
 * keeps two processes from running the same project's pass at once.
 */
export class GroupWindowPass {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly options: GroupWindowPassOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.runOnce().catch((error) => this.options.onError?.(error));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass at `now`; answers how many group events it wrote to the outbox. */
  async runOnce(now = (this.options.now ?? Date.now)()): Promise<number> {
    const projects = await this.store.db
      .selectFrom('watched_groups')
      .select('project_id')
      .distinct()
      .execute();
    let events = 0;
    for (const { project_id: projectId } of projects) {
      events += await this.store.transaction(async (tx) => {
        if (tx.capabilities.concurrentWriters) await tx.lockKeys([`group-window-pass:${projectId}`]);
        const outbox = await ChangeOutbox.open(tx, projectId);
        const watched = outbox.watchedGroups;
        if (watched === null) return 0;
        const timed = new Set([...watched.footprints].filter(([, f]) => f.timed).map(([id]) => id));
        if (timed.size === 0) return 0;
        const changes = await recountGroups(tx.db, projectId, watched, timed, now);
        outbox.groupChanged(changes, now, false);
        await outbox.flush();
        return changes.length;
      });
    }
    return events;
  }
}
