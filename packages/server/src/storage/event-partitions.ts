import { type QueryExecutorProvider, sql } from 'kysely';
import { HOUR_MS } from './event-rollup-migration.js';
import type { Store } from './store.js';

/** Month partitions of `events` kept ready beyond the current month (PostgreSQL). */
export const PARTITION_MONTHS_AHEAD = 3;

/** Events deleted per transaction when SQLite applies the retention. */
const SQLITE_DELETE_BATCH = 5000;

/** A month as a number (UTC year × 12 + month index), so months are counted by subtraction. */
export function monthOf(ms: number): number {
  const date = new Date(ms);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/** The first millisecond of a month numbered as by `monthOf`. */
export function monthStart(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1);
}

/** The partition of `events` holding one month (PostgreSQL). */
export function partitionName(month: number): string {
  return `events_y${Math.floor(month / 12)}m${String((month % 12) + 1).padStart(2, '0')}`;
}

const PARTITION_NAME = /^events_y(\d{4,})m(\d{2})$/;

/** Creates the month partitions of `events` that do not exist yet (their default partition must hold no row of them). */
export async function createMonthPartitions(db: QueryExecutorProvider, months: number[]): Promise<void> {
  for (const month of [...new Set(months)].sort((a, b) => a - b)) {
    await sql`create table if not exists ${sql.ref(partitionName(month))} partition of events
      for values from (${sql.lit(monthStart(month))}) to (${sql.lit(monthStart(month + 1))})`.execute(db);
  }
}

/** The months that have a partition of `events` (PostgreSQL). */
async function partitionMonths(db: QueryExecutorProvider): Promise<number[]> {
  const { rows } = await sql<{ name: string }>`select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid where i.inhparent = 'events'::regclass`.execute(db);
  const months: number[] = [];
  for (const { name } of rows) {
    const match = PARTITION_NAME.exec(name);
    if (match) months.push(Number(match[1]) * 12 + Number(match[2]) - 1);
  }
  return months;
}

/**
 * PostgreSQL: makes sure the current month and the next `PARTITION_MONTHS_AHEAD` have a partition.
 * Rows of such a month that reached the default partition meanwhile (timestamps sent from the
 * future) move into the new partition in the same transaction, straight from partition to
 * partition: the statement triggers of `events` do not fire, and the rollup (the same events)
 * stays as it is. Answers the months created.
 */
export async function ensureEventPartitions(store: Store, now: number): Promise<number[]> {
  if (store.name !== 'postgres') return [];
  const current = monthOf(now);
  const wanted = Array.from({ length: PARTITION_MONTHS_AHEAD + 1 }, (_, i) => current + i);
  const existing = new Set(await partitionMonths(store.db));
  const created: number[] = [];
  for (const month of wanted.filter((m) => !existing.has(m))) {
    const made = await store.transaction(async (tx) => {
      await tx.lockKeys(['event-partitions']);
      if ((await partitionMonths(tx.db)).includes(month)) return false;
      const [from, to] = [monthStart(month), monthStart(month + 1)];
      await sql`create temporary table event_partition_moves on commit drop as
        with moved as (delete from events_default where timestamp >= ${from} and timestamp < ${to} returning *)
        select * from moved`.execute(tx.db);
      await createMonthPartitions(tx.db, [month]);
      await sql`insert into ${sql.ref(partitionName(month))} select * from event_partition_moves`.execute(
        tx.db,
      );
      return true;
    });
    if (made) created.push(month);
  }
  return created;
}

/** Where the retention cuts: the start of the month `months` before the current one (UTC). */
export function retentionCutoff(months: number, now: number): number {
  return monthStart(monthOf(now) - months);
}

/**
 * Deletes the events older than the retention (`ACQUAINT_EVENT_RETENTION_MONTHS`): those before
 * `retentionCutoff`. The hourly rollup goes with them, so reports and conditions read the same
 * history from either (the cutoff is a month start, so a whole hour is either kept or gone).
 * PostgreSQL drops whole month partitions and deletes from the default partition, then the
 * rollup's hours before the cutoff; SQLite deletes events in batches, and the rollup's delete
 * trigger counts each one out. Answers how many events or partitions went.
 */
export async function applyEventRetention(
  store: Store,
  months: number,
  now: number,
): Promise<{ cutoff: number; partitionsDropped: number; eventsDeleted: number }> {
  const cutoff = retentionCutoff(months, now);
  if (store.name === 'postgres') {
    return store.transaction(async (tx) => {
      await tx.lockKeys(['event-partitions']);
      const old = (await partitionMonths(tx.db)).filter((m) => monthStart(m + 1) <= cutoff);
      for (const month of old) await sql`drop table ${sql.ref(partitionName(month))}`.execute(tx.db);
      const deleted = await sql`delete from events_default where timestamp < ${cutoff}`.execute(tx.db);
      const eventsDeleted = Number(deleted.numAffectedRows ?? 0);
      if (old.length > 0 || eventsDeleted > 0) {
        await tx.db
          .deleteFrom('event_rollup')
          .where('hour', '<', cutoff / HOUR_MS)
          .execute();
      }
      return { cutoff, partitionsDropped: old.length, eventsDeleted };
    });
  }
  let eventsDeleted = 0;
  const projects = await store.db.selectFrom('projects').select('id').execute();
  for (const { id: projectId } of projects) {
    for (;;) {
      const n = await store.transaction(async (tx) => {
        const result = await tx.db
          .deleteFrom('events')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('events')
              .select('id')
              .where('project_id', '=', projectId)
              .where('timestamp', '<', cutoff)
              .limit(SQLITE_DELETE_BATCH),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
      eventsDeleted += n;
      if (n < SQLITE_DELETE_BATCH) break;
    }
  }
  return { cutoff, partitionsDropped: 0, eventsDeleted };
}

/**
 * The periodic step of this process: partitions ahead (PostgreSQL) and the retention when set,
 * a few seconds after start and then every hour. Several processes may run it: a lock orders them.
 */
export class EventStorageMaintenance {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly options: {
      retentionMonths: number | null;
      onError?: (error: unknown) => void;
      firstRunMs?: number;
      intervalMs?: number;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    const run = () => {
      this.running = this.runOnce().catch((error) => this.options.onError?.(error));
    };
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, this.options.intervalMs ?? HOUR_MS);
      this.timer.unref();
    }, this.options.firstRunMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  async runOnce(now = Date.now()): Promise<void> {
    await ensureEventPartitions(this.store, now);
    if (this.options.retentionMonths !== null) {
      await applyEventRetention(this.store, this.options.retentionMonths, now);
    }
  }
}
