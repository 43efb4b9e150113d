import Database from 'better-sqlite3';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ingestMessages } from '../../src/ingestion/ingest-messages.js';
import { createProject } from '../../src/projects/create-project.js';
import { breakdownReport } from '../../src/reports/breakdown-report.js';
import { readBreakdownRequest } from '../../src/reports/report-request.js';
import { activityByAttributeInProcess } from '../../src/storage/attribute-activity-in-process.js';
import { findProjectByWriteKey, type ProjectRow } from '../../src/storage/project-repository.js';
import {
  type ActivityQuery,
  type ActivityRow,
  activityByAttributeInSql,
} from '../../src/storage/report-repository.js';
import { VisitorTally } from '../../src/storage/sqlite-report-functions.js';
import type { Store } from '../../src/storage/store.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';
import { GOOGLEBOT_UA } from './report-fixtures.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);
const config = loadConfig({});

const identify = (user: string, level: string, at: number) => ({
  type: 'identify',
  messageId: `i-${user}`,
  userId: user,
  anonymousId: `a-${user}`,
  traits: { level },
  timestamp: new Date(at).toISOString(),
});

async function shop(store: Store): Promise<ProjectRow> {
  const created = await createProject(store, 'shop');
  return (await findProjectByWriteKey(store.db, created.write_key))!;
}

/** Messages of `users` on devices, some anonymous before signing in, a crawler, several levels. */
const message = fc.record({
  type: fc.constantFrom('page', 'track', 'track', 'identify'),
  event: fc.constantFrom('purchase', 'add_to_cart'),
  user: fc.option(fc.integer({ min: 0, max: 7 }), { nil: null }),
  device: fc.integer({ min: 0, max: 9 }),
  at: fc.integer({ min: 0, max: 72 * HOUR }),
  level: fc.constantFrom<unknown>('gold', 'silver', 'Gold', 5, '5', null, ['a', 'b'], []),
});

type Message = typeof message extends fc.Arbitrary<infer T> ? T : never;

function toSegment(m: Message, n: number) {
  const base = {
    messageId: `m-${n}`,
    anonymousId: `a-${m.device}`,
    ...(m.user === null ? {} : { userId: `u-${m.user}` }),
    timestamp: new Date(T0 + m.at).toISOString(),
    ...(m.device === 9 ? { context: { userAgent: GOOGLEBOT_UA } } : {}),
  };
  if (m.type === 'identify')
    return m.user === null
      ? { ...base, type: 'page' }
      : { ...base, type: 'identify', traits: { level: m.level } };
  if (m.type === 'track') return { ...base, type: 'track', event: m.event };
  return { ...base, type: 'page' };
}

const sorted = (rows: ActivityRow[]) =>
  [...rows]
    .map((row) => ({ key: row.key, visitors: row.visitors, events: row.events, converters: row.converters }))
    .sort((a, b) => String(a.key).localeCompare(String(b.key)));

describe('sqlite: a breakdown by attribute counted in process', () => {
  it('gives the rows SQL gives, for any messages, window and metric event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { minLength: 1, maxLength: 60 }),
        // Windows to the millisecond (rollup hours plus edge events) and of whole hours (rollup only).
        fc.oneof(
          fc.integer({ min: 0, max: 72 * HOUR }),
          fc.integer({ min: 0, max: 72 }).map((h) => h * HOUR),
        ),
        fc.oneof(
          fc.integer({ min: 1, max: 72 * HOUR }),
          fc.integer({ min: 1, max: 72 }).map((h) => h * HOUR),
        ),
        fc.constantFrom('purchase', 'add_to_cart', null),
        async (messages, start, length, event) => {
          const { store, cleanup } = await openTestStore('sqlite');
          try {
            const project = await shop(store);
            await ingestMessages(store, project, messages.map(toSegment), {
              receivedAt: T0 + 80 * HOUR,
              config,
            });
            const query: ActivityQuery = {
              projectId: project.id,
              from: T0 + start,
              to: T0 + start + length,
              event,
              buckets: null,
              measure: { sessions: false, pageviews: false },
            };
            const inProcess = activityByAttributeInProcess(store.db, query, 'level');
            expect(inProcess).toBeDefined();
            expect(sorted(inProcess!)).toEqual(
              sorted(await activityByAttributeInSql(store.db, query, 'level')),
            );
          } finally {
            await cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('counts one committed state while another connection commits between its passes', async () => {
    const { store, cleanup } = await openTestStore('sqlite-log');
    const writer = new Database(store.file!);
    const visit = VisitorTally.prototype.visit;
    try {
      const project = await shop(store);
      await ingestMessages(
        store,
        project,
        [
          identify('u1', 'gold', T0 + HOUR),
          identify('u2', 'silver', T0 + HOUR),
          {
            type: 'track',
            messageId: 't2',
            userId: 'u2',
            anonymousId: 'a-u2',
            event: 'purchase',
            timestamp: new Date(T0 + 2 * HOUR).toISOString(),
          },
        ],
        { receivedAt: T0 + 10 * HOUR, config },
      );
      const query: ActivityQuery = {
        projectId: project.id,
        from: T0,
        to: T0 + 5 * HOUR,
        event: 'purchase',
        buckets: null,
        measure: { sessions: false, pageviews: false },
      };
      const before = sorted(await activityByAttributeInSql(store.db, query, 'level'));
      expect(before.map((row) => [row.key, row.visitors, row.converters])).toEqual([
        ['"gold"', 1, 0],
        ['"silver"', 1, 1],
      ]);
      // Mid-report, another connection (as the log applier's) gives u1 silver and u2 no level.
      let wrote = false;
      VisitorTally.prototype.visit = function (person) {
        if (!wrote) {
          wrote = true;
          writer.exec(`update person_attributes set value = '"silver"', text_value = 'silver' where value = '"gold"';
            delete from person_attributes where value = '"silver"' and person_id = (select id from persons where user_id = 'u2')`);
        }
        visit.call(this, person);
      };
      const during = activityByAttributeInProcess(store.db, query, 'level');
      expect(wrote).toBe(true);
      expect(sorted(during!)).toEqual(before);
      const after = sorted(await activityByAttributeInSql(store.db, query, 'level'));
      expect(after.map((row) => [row.key, row.visitors, row.converters])).toEqual([
        ['"silver"', 1, 0],
        [null, 1, 1],
      ]);
    } finally {
      VisitorTally.prototype.visit = visit;
      writer.close();
      await cleanup();
    }
  });

  it('costs a small report little however high person ids have grown', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const project = await shop(store);
      // Another project's person far up the ids, as in a long-lived database.
      await sql`insert into persons (id, project_id, user_id, created_at, first_seen, last_seen)
        values (1500000000, 'another', 'far', 0, 0, 0)`.execute(store.db);
      await ingestMessages(store, project, [identify('u1', 'gold', T0)], {
        receivedAt: T0 + HOUR,
        config,
      });
      const query: ActivityQuery = {
        projectId: project.id,
        from: T0 - HOUR,
        to: T0 + HOUR,
        event: null,
        buckets: null,
        measure: { sessions: false, pageviews: false },
      };
      const started = process.memoryUsage().arrayBuffers;
      const rows = activityByAttributeInProcess(store.db, query, 'level');
      expect(rows?.map((row) => [row.key, row.visitors])).toEqual([['"gold"', 1]]);
      // One page of 65,536 ids: well under a megabyte, not an array up to id 1.5e9.
      expect(process.memoryUsage().arrayBuffers - started).toBeLessThan(4_000_000);
    } finally {
      await cleanup();
    }
  });

  it('leaves sessions, page views, series and transactions to SQL', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const project = await shop(store);
      const query: ActivityQuery = {
        projectId: project.id,
        from: T0,
        to: T0 + HOUR,
        event: 'purchase',
        buckets: null,
        measure: { sessions: false, pageviews: false },
      };
      expect(activityByAttributeInProcess(store.db, query, 'level')).toEqual([]);
      for (const measure of [
        { sessions: true, pageviews: false },
        { sessions: false, pageviews: true },
      ])
        expect(activityByAttributeInProcess(store.db, { ...query, measure }, 'level')).toBeUndefined();
      const buckets = { segments: [{ from: T0, offsetMs: 0 }], unit: 'day' as const };
      expect(activityByAttributeInProcess(store.db, { ...query, buckets }, 'level')).toBeUndefined();
      await store.transaction(async (tx) => {
        expect(activityByAttributeInProcess(tx.db, query, 'level')).toBeUndefined();
      });
    } finally {
      await cleanup();
    }
  });
});

/**
 * `0038_attribute_values_by_name` adds SQLite's `(project_id, name, value)` index of attributes:
 * a database upgraded from 0037 answers the same reports, and its holders are read from the new
 * index alone.
 */
describeEachBackend('breakdown reports across the 0038 upgrade', (backend) => {
  it(`${backend}: the same answers before and after, holders read from one index`, async () => {
    const { store, cleanup } = await openTestStore(backend, { migrateUpTo: '0037_holders_by_writer' });
    try {
      const project = await shop(store);
      const messages = Array.from({ length: 40 }, (_, i) => [
        {
          type: 'page',
          messageId: `p-${i}`,
          anonymousId: `a-${i}`,
          timestamp: new Date(T0 + i * HOUR).toISOString(),
        },
        ...(i % 3 === 0
          ? [
              {
                type: 'track',
                event: 'purchase',
                messageId: `t-${i}`,
                anonymousId: `a-${i}`,
                timestamp: new Date(T0 + i * HOUR + 1000).toISOString(),
              },
            ]
          : []),
        ...(i % 4 === 0
          ? []
          : [
              {
                type: 'identify',
                messageId: `i-${i}`,
                anonymousId: `a-${i}`,
                userId: `u-${i}`,
                traits: { level: ['gold', 'silver', 'bronze'][i % 3] },
                timestamp: new Date(T0 + i * HOUR + 2000).toISOString(),
              },
            ]),
      ]).flat();
      await ingestMessages(store, project, messages, { receivedAt: T0, config });
      const read = readBreakdownRequest(
        {
          metric: { type: 'conversion_rate', event: 'purchase' },
          breakdown: { attr: 'level' },
          from: new Date(T0).toISOString(),
          to: new Date(T0 + 50 * HOUR).toISOString(),
        },
        'UTC',
      );
      if (!read.ok) throw new Error(read.message);
      const before = await breakdownReport(store.db, project.id, read.request);
      expect(before.rows.map((row) => row.key).sort()).toEqual(['bronze', 'gold', null, 'silver']);
      expect(before.rows.reduce((sum, row) => sum + row.visitors, 0)).toBe(40);

      await store.migrate();
      expect(await breakdownReport(store.db, project.id, read.request)).toEqual(before);
      if (backend === 'sqlite') {
        const { rows } = await sql<{ detail: string }>`explain query plan
          select a.value, acquaint_holders(a.person_id) from person_attributes a
          where a.project_id = ${project.id} and a.name = 'level' and a.value is not null group by a.value`.execute(
          store.db,
        );
        expect(rows.map((row) => row.detail)).toEqual([
          expect.stringContaining('COVERING INDEX person_attributes_name_value'),
        ]);
      }
    } finally {
      await cleanup();
    }
  });
});
