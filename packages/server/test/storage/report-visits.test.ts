import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { offsetSegments } from '../../src/reports/time-zone.js';
import { type ActivityQuery, activityByAttribute } from '../../src/storage/report-repository.js';
import type { Db } from '../../src/storage/store.js';
import { apiClient, IPHONE_UA } from '../api/api-client.js';
import { GOOGLEBOT_UA } from '../reports/report-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';
import { personOfDevice, personOfUser, seedOldShop } from './rollup-fixtures.js';

const HOUR = 3_600_000;
/** New York moves its clocks forward at 07:00Z on 8 March 2026; Oslo at 01:00Z on 29 March. */
const NY_SPRING = Date.parse('2026-03-08T07:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** `report_visits` as stored, and as counted from the events, persons and devices now. */
async function visitsAndRecount(db: Db, projectId: string) {
  const stored = await sql<Record<string, unknown>>`select hour, person_id, rollup_rows from report_visits
    where project_id = ${projectId}`.execute(db);
  // One rollup row per hour and source (type, name, user id, anonymous id, session id), resolved
  // as reports resolve events; crawlers' and unresolved rows count nowhere.
  const recounted = await sql<Record<string, unknown>>`
    select g.hour, coalesce(pu.id, d.person_id) as person_id, count(*) as rollup_rows
    from (select e.timestamp / 3600000 as hour, e.type, coalesce(e.name, '') as name,
        coalesce(e.user_id, '') as user_id, coalesce(e.anonymous_id, '') as anonymous_id,
        coalesce(e.session_id, '') as session_id
      from events e where e.project_id = ${projectId} group by 1, 2, 3, 4, 5, 6) g
    left join persons pu on pu.project_id = ${projectId} and pu.user_id = g.user_id
    left join devices d on d.project_id = ${projectId} and d.anonymous_id = g.anonymous_id
    where coalesce(pu.id, d.person_id) is not null and coalesce(d.device_type, '') <> 'bot'
    group by g.hour, coalesce(pu.id, d.person_id)`.execute(db);
  const shape = (rows: Record<string, unknown>[]) =>
    rows.map((r) => `${r.hour}|${r.person_id}|${r.rollup_rows}`).sort((a, b) => a.localeCompare(b));
  return [shape(stored.rows), shape(recounted.rows)];
}

const counts = (
  rows: { key: string | null; bucket: number; visitors: number; events: number; converters: number }[],
) =>
  rows
    .map((r) => `${r.key}|${r.bucket}|${r.visitors}|${r.events}|${r.converters}`)
    .sort((a, b) => a.localeCompare(b));

describeEachBackend(
  'report visits',
  (backend) => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ backend, listen: false });
    });
    afterEach(() => server.close());

    /**
     * The visits equal a recount from the events, and the breakdown read through them (visitors,
     * events, conversion) equals the one read through the rollup's rows per session, in zones on
     * whole hours (the visits serve those) and not, across a clock change, per day and per week,
     * over windows that start and end inside hours.
     */
    async function expectExact() {
      await server.settled();
      const db = server.store.db;
      const [stored, recounted] = await visitsAndRecount(db, server.projectId);
      expect(stored).toEqual(recounted);
      const windows = [
        { from: NY_SPRING - 30 * HOUR - 1234, to: NY_SPRING + 30 * HOUR + 567 },
        { from: NY_SPRING - 2 * HOUR + 1, to: NY_SPRING + 2 * HOUR - 1 },
      ];
      let rows = 0;
      for (const timeZone of ['UTC', 'America/New_York', 'Asia/Kolkata'])
        for (const { from, to } of windows)
          for (const unit of [null, 'day', 'week'] as const) {
            const query = (measure: ActivityQuery['measure']): ActivityQuery => ({
              projectId: server.projectId,
              from,
              to,
              event: 'purchase',
              buckets: unit === null ? null : { unit, segments: offsetSegments(timeZone, from, to) },
              measure,
            });
            const visits = await activityByAttribute(
              db,
              query({ sessions: false, pageviews: false }),
              'plan',
            );
            const sessions = await activityByAttribute(
              db,
              query({ sessions: true, pageviews: true }),
              'plan',
            );
            expect(counts(visits), `${timeZone} ${unit} ${iso(from)}`).toEqual(counts(sessions));
            rows += visits.length;
          }
      return { stored, rows };
    }

    const at = (ms: number) => ({ timestamp: iso(ms), context: { userAgent: IPHONE_UA } });
    const page = (anonymousId: string, ms: number, userId?: string) => ({
      type: 'page',
      anonymousId,
      ...(userId ? { userId } : {}),
      ...at(ms),
    });
    const purchase = (anonymousId: string, ms: number, userId?: string) => ({
      ...page(anonymousId, ms, userId),
      type: 'track',
      event: 'purchase',
    });

    it(`${backend}: stay exact through sign-in, merges, split and erasure, across a clock change`, async () => {
      const client = apiClient(server);
      const first = await client.batch([
        // dev-a: a session spanning the clock change (the hour before and after), buying after.
        page('dev-a', NY_SPRING - 20 * 60_000),
        page('dev-a', NY_SPRING - 1),
        purchase('dev-a', NY_SPRING + 5 * 60_000),
        // dev-b: anonymous at the edges of the first window, a purchase a millisecond inside it.
        page('dev-b', NY_SPRING - 30 * HOUR - 1235),
        purchase('dev-b', NY_SPRING - 30 * HOUR - 1234),
        page('dev-b', NY_SPRING + 30 * HOUR + 566),
        purchase('dev-b', NY_SPRING + 30 * HOUR + 567),
        // dev-c: two visits a day apart; a crawler buying.
        page('dev-c', NY_SPRING - 10 * HOUR),
        page('dev-c', NY_SPRING + 10 * HOUR),
        { ...purchase('bot-1', NY_SPRING + HOUR), context: { userAgent: GOOGLEBOT_UA } },
      ]);
      expect(first.statusCode, first.body).toBe(200);
      expect((await expectExact()).rows).toBeGreaterThan(0);

      // dev-a and dev-b sign in as u1 (dev-b's person merges into u1); dev-c gets a plan anonymously.
      const identify = (anonymousId: string, traits: Record<string, unknown>, userId?: string) => ({
        type: 'identify',
        anonymousId,
        ...(userId ? { userId } : {}),
        traits,
        ...at(NY_SPRING + 3 * HOUR),
      });
      await client.batch([
        identify('dev-a', { plan: 'gold' }, 'u1'),
        identify('dev-b', {}, 'u1'),
        identify('dev-c', { plan: 'free' }),
        purchase('dev-b', NY_SPRING + 4 * HOUR, 'u1'),
      ]);
      const merged = await expectExact();
      const u1 = await personOfUser(server.store.db, server.projectId, 'u1');
      // u1 visited in the hour before the change, after it, and in the hours of dev-b's visits.
      expect(merged.stored.filter((row) => row.includes(`|${u1}|`)).length).toBeGreaterThanOrEqual(4);

      const split = await client.post('/api/admin/split', { anonymous_id: 'dev-b' });
      expect(split.statusCode, split.body).toBe(200);
      const splitPerson = (split.json() as { person_id: number }).person_id;
      expect((await expectExact()).stored.some((row) => row.includes(`|${splitPerson}|`))).toBe(true);

      const cPerson = await personOfDevice(server.store.db, server.projectId, 'dev-c');
      const merge = await client.post('/api/admin/merge', {
        into: { user_id: 'u1' },
        from: { person_id: cPerson },
      });
      expect(merge.statusCode, merge.body).toBe(200);
      expect((await expectExact()).stored.some((row) => row.includes(`|${cPerson}|`))).toBe(false);

      const erased = await client.delete('/api/users/u1');
      expect(erased.statusCode, erased.body).toBe(200);
      const left = await expectExact();
      expect(left.stored.some((row) => row.includes(`|${u1}|`))).toBe(false);
      expect(left.stored.length).toBeGreaterThan(0); // the split device's visits
    });

    it(`${backend}: the migration counts the rollup stored before it`, async () => {
      if (backend === 'sqlite-log') return;
      const { store, cleanup } = await openTestStore(backend, {
        migrateUpTo: '0030_cleanup_ingestion_warnings_received_at',
      });
      try {
        const db = store.db;
        await seedOldShop(db, NY_SPRING);
        await store.migrate();
        const [stored, recounted] = await visitsAndRecount(db, 'p1');
        expect(stored).toEqual(recounted);
        // Person 1's alone: the rollup rows of events 0, 1, 3 (u-nobody falls back to device a) and
        // 4; the crawler's page counts nowhere.
        expect(stored.every((row) => row.split('|')[1] === '1')).toBe(true);
        expect(stored.reduce((sum, row) => sum + Number(row.split('|')[2]), 0)).toBe(4);
      } finally {
        await cleanup();
      }
    });
  },
  { ingestionLog: true },
);
