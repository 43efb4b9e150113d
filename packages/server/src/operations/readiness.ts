import { sql } from 'kysely';
import type { Ingestion } from '../ingestion/ingestion.js';
import type { Store } from '../storage/store.js';

export type ReadinessCheckName = 'database' | 'migrations' | 'ingestion_applier' | 'ingestion_backlog';

export interface ReadinessCheck {
  ok: boolean;
  /** What was found, in a sentence an operator can act on. */
  message: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<ReadinessCheckName, ReadinessCheck>;
}

/** A database that does not answer `select 1` within this long counts as down. */
const DATABASE_TIMEOUT_MS = 2_000;

/**
 * Whether this process should get traffic.
 * strategy: the database is asked first (a query with a deadline, so a server that hangs reads as
 * down rather than hanging the probe); only a reachable database is asked whether every migration
 * of this code has run. The ingestion checks read the process's own state: the applier thread is
 * running, and the backlog of logged requests is below `maxBacklog`. Every check is reported,
 * so the answer names each one that failed.
 */
export async function checkReadiness(
  store: Store,
  ingestion: Ingestion,
  limits: { maxBacklog: number; maxBacklogMessages: number },
): Promise<Readiness> {
  const database = await withDeadline(
    sql`select 1 as one`.execute(store.db).then(() => 'answers'),
    DATABASE_TIMEOUT_MS,
  );
  const migrations: ReadinessCheck = !database.ok
    ? { ok: false, message: 'not checked: the database is unreachable' }
    : await withDeadline(store.pendingMigrations(), DATABASE_TIMEOUT_MS).then((found) =>
        !found.ok
          ? found
          : found.value.length === 0
            ? { ok: true, message: 'current' }
            : { ok: false, message: `not run yet: ${found.value.join(', ')} (run "acquaint migrate")` },
      );
  const status = ingestion.status();
  const checks: Record<ReadinessCheckName, ReadinessCheck> = {
    database: database.ok ? { ok: true, message: 'answers' } : database,
    migrations,
    ingestion_applier: status.applier_alive
      ? { ok: true, message: status.mode === 'direct' ? 'applied as requests arrive' : 'running' }
      : {
          ok: false,
          message:
            status.mode === 'jetstream'
              ? 'NATS JetStream is unreachable or the partition leases are not renewed (it recovers by itself)'
              : 'the ingestion log applier is not running (it restarts by itself)',
        },
    ingestion_backlog:
      status.backlog_messages >= limits.maxBacklogMessages
        ? {
            ok: false,
            message: `the ingestion log is full: ${status.backlog_messages} messages wait to be applied (limit ${limits.maxBacklogMessages}); tracking requests are refused with 429 until it drains`,
          }
        : status.backlog < limits.maxBacklog
          ? { ok: true, message: `${status.backlog} logged requests wait to be applied` }
          : {
              ok: false,
              message: `${status.backlog} logged requests wait to be applied (limit ${limits.maxBacklog}); the oldest for ${Math.round(status.backlog_age_seconds)} s`,
            },
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
): Promise<({ ok: true; value: T } & ReadinessCheck) | ({ ok: false } & ReadinessCheck)> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    const value = await Promise.race([work, deadline]);
    return { ok: true, value, message: 'answers' };
  } catch (error) {
    work.catch(() => {}); // a late failure after the deadline is already reported
    return { ok: false, message: `unreachable: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
