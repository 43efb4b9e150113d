import { afterEach, beforeEach, expect, it } from 'vitest';
import { parseCondition } from '../../src/conditions/parse-condition.js';
import { countAttributeHolders } from '../../src/storage/attribute-repository.js';
import { personsMatching } from '../../src/storage/condition-query.js';
import { apiClient } from '../api/api-client.js';
import { holdersByScan } from '../support/attribute-holders.js';
import { rollupAndRecount } from '../support/rollup-recount.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';

const DAY = 86_400_000;
/** Not on a whole hour, so the windows below have partial hours at both ends. */
const NOW = Date.parse('2026-03-10T12:34:56.789Z');
const iso = (ms: number) => new Date(ms).toISOString();

describeEachBackend(
  'event rollup and attribute holder counts',
  (backend) => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ backend, listen: false });
    });
    afterEach(() => server.close());

    /** The rollup equals a recount from the events, with each row's person as the events resolve now. */
    async function expectExact() {
      await server.settled();
      const [stored, recounted] = await rollupAndRecount(server.store.db, server.projectId);
      expect(stored).toEqual(recounted);
      expect(await countAttributeHolders(server.store.db, server.projectId)).toEqual(
        await holdersByScan(server.store.db, server.projectId),
      );
      return stored;
    }

    /** Persons with `count` purchases in the last `days` days before NOW, through the SQL compiler. */
    async function purchasers(days: number, count: number) {
      const parsed = parseCondition({
        event: 'purchase',
        within_days: days,
        count: { op: 'eq', value: count },
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed));
      const rows = await personsMatching(server.store.db, server.projectId, parsed.condition, {
        now: NOW,
        groups: new Map(),
      })
        .select('p.id')
        .orderBy('p.id')
        .execute();
      return rows.map((r) => Number(r.id));
    }

    async function personOf(userId: string) {
      const row = await server.store.db
        .selectFrom('persons')
        .select('id')
        .where('project_id', '=', server.projectId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return Number(row.id);
    }

    const purchase = (anonymousId: string, at: number, userId?: string) => ({
      type: 'track',
      event: 'purchase',
      anonymousId,
      ...(userId ? { userId } : {}),
      timestamp: iso(at),
    });

    it(`${backend}: stays exact through sign-in, merges, split and erasure; windows count to the millisecond`, async () => {
      const client = apiClient(server);
      // Device A buys before signing in (rule 5), on both edges of a 2-day window, then signs in.
      // Device B buys anonymously, then signs in as the same user: its person merges into u1.
      const window = 2 * DAY;
      const first = await client.batch([
        purchase('dev-a', NOW - window - 1),
        purchase('dev-a', NOW - window),
        purchase('dev-a', NOW - window + 1),
        { type: 'page', anonymousId: 'dev-a', timestamp: iso(NOW - 3 * 3_600_000) },
        purchase('dev-b', NOW),
        purchase('dev-b', NOW + 1),
        purchase('dev-c', NOW - DAY),
      ]);
      expect(first.statusCode, first.body).toBe(200);
      await expectExact();
      const anonymous = await purchasers(2, 2);
      expect(anonymous).toHaveLength(1); // dev-a: two purchases at and after the window's start

      await client.batch([
        {
          type: 'identify',
          anonymousId: 'dev-a',
          userId: 'u1',
          traits: { plan: 'gold' },
          timestamp: iso(NOW - DAY),
        },
        {
          type: 'identify',
          anonymousId: 'dev-b',
          userId: 'u1',
          traits: { age: 40 },
          timestamp: iso(NOW - DAY),
        },
        {
          type: 'identify',
          anonymousId: 'dev-c',
          traits: { plan: 'free', city: 'Oslo' },
          timestamp: iso(NOW - DAY),
        },
        { type: 'identify', userId: 'u2', traits: { plan: 'gold', age: 20 }, timestamp: iso(NOW - DAY) },
        { type: 'identify', userId: 'u2', traits: { age: null }, timestamp: iso(NOW - DAY + 1) },
        purchase('dev-b', NOW - 5 * 3_600_000 - 7, 'u1'),
      ]);
      await expectExact();
      const u1 = await personOf('u1');
      // A's two in the window, B's one at NOW (NOW + 1 is outside), B's signed-in one.
      expect(await purchasers(2, 4)).toEqual([u1]);
      expect(await purchasers(3, 5)).toEqual([u1]);

      const split = await client.post('/api/admin/split', { anonymous_id: 'dev-b' });
      expect(split.statusCode, split.body).toBe(200);
      const rows = await expectExact();
      const splitPerson = (split.json() as { person_id: number }).person_id;
      // B's anonymous purchase moved with it; its signed-in one stays with u1.
      expect(rows.some((r) => r.person_id === splitPerson)).toBe(true);
      expect(await purchasers(2, 3)).toEqual([u1]);
      expect(await purchasers(2, 1)).toContain(splitPerson);

      const cPerson = Number(
        (
          await server.store.db
            .selectFrom('devices')
            .select('person_id')
            .where('project_id', '=', server.projectId)
            .where('anonymous_id', '=', 'dev-c')
            .executeTakeFirstOrThrow()
        ).person_id,
      );
      const merge = await client.post('/api/admin/merge', {
        into: { user_id: 'u1' },
        from: { person_id: cPerson },
      });
      expect(merge.statusCode, merge.body).toBe(200);
      await expectExact();
      expect(await purchasers(2, 4)).toEqual([u1]);

      const erased = await client.delete('/api/users/u1');
      expect(erased.statusCode, erased.body).toBe(200);
      const left = await expectExact();
      expect(left.every((r) => r.person_id !== u1 && r.report_person_id !== u1)).toBe(true);
      // The split device's two purchases and u2's two identifies.
      expect(left.reduce((sum, r) => sum + r.events, 0)).toBe(4);
    });

    it(`${backend}: the migration counts the events stored before it`, async () => {
      if (backend === 'sqlite-log') return;
      const { store, cleanup } = await openTestStore(backend, { migrateUpTo: '0012_accounts' });
      try {
        const db = store.db;
        await db
          .insertInto('projects')
          .values({
            id: 'p1',
            name: 'old',
            write_key: 'wk',
            identity_secret: 's',
            verify_identity: 0,
            created_at: 1,
          })
          .execute();
        const person = (id: number, user_id: string | null) => ({
          id,
          project_id: 'p1',
          user_id,
          created_at: 1,
          first_seen: 1,
          last_seen: 1,
          bound_at: null,
          imported_at: null,
        });
        await db
          .insertInto('persons')
          .values([person(1, 'u1'), person(2, null)])
          .execute();
        const device = (anonymous_id: string, person_id: number, device_type: string) => ({
          project_id: 'p1',
          anonymous_id,
          person_id,
          first_seen: 1,
          last_seen: 1,
          device_type,
          session_count: 1,
        });
        await db
          .insertInto('devices')
          .values([device('a', 1, 'mobile'), device('b', 2, 'bot')])
          .execute();
        const event = (
          i: number,
          type: string,
          name: string | null,
          anonymous_id: string,
          user_id: string | null,
        ) => ({
          project_id: 'p1',
          message_id: `m${i}`,
          type,
          name,
          anonymous_id,
          user_id,
          timestamp: NOW + i * 1_000_000,
          received_at: NOW,
          session_id: `s${i % 2}`,
          properties: '{}',
          context: '{}',
        });
        await db
          .insertInto('events')
          .values([
            event(0, 'page', null, 'a', null),
            event(1, 'track', 'purchase', 'a', 'u1'),
            event(2, 'page', null, 'b', null),
            event(3, 'track', 'purchase', 'a', 'u-nobody'),
            event(4, 'page', null, 'a', null),
          ])
          .execute();
        await store.migrate();
        const [stored, recounted] = await rollupAndRecount(db, 'p1');
        expect(stored).toEqual(recounted);
        expect(stored.reduce((sum, r) => sum + r.events, 0)).toBe(5);
        expect(stored.find((r) => r.key.includes('u-nobody'))).toMatchObject({
          person_id: null,
          report_person_id: 1,
        });
        expect(stored.filter((r) => r.device_type === 'bot')).toHaveLength(1);
      } finally {
        await cleanup();
      }
    });
  },
  { ingestionLog: true },
);
