import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  applyEventRetention,
  EventStorageMaintenance,
  ensureEventPartitions,
  monthOf,
  monthStart,
  PARTITION_MONTHS_AHEAD,
  partitionName,
  retentionCutoff,
} from '../../src/storage/event-partitions.js';
import type { Db } from '../../src/storage/store.js';
import { apiClient } from '../api/api-client.js';
import { SHOP_MESSAGES, SHOP_RANGE } from '../reports/report-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';

const PREVIOUS_SCHEMA = '0018_jetstream';

/** The rollup as stored and as counted again from `events` now, each sorted by key. */
async function rollupAndRecount(db: Db, projectId: string) {
  const key = (r: Record<string, unknown>) =>
    [r.hour, r.type, r.name, r.user_id, r.anonymous_id, r.session_id, r.events].map(String).join('|');
  const { rows: stored } = await sql<Record<string, unknown>>`select * from event_rollup
    where project_id = ${projectId}`.execute(db);
  const { rows: recounted } = await sql<Record<string, unknown>>`
    select e.timestamp / 3600000 as hour, e.type, coalesce(e.name, '') as name, coalesce(e.user_id, '') as user_id,
      coalesce(e.anonymous_id, '') as anonymous_id, coalesce(e.session_id, '') as session_id, count(*) as events
    from events e where e.project_id = ${projectId} group by 1, 2, 3, 4, 5, 6`.execute(db);
  return [stored.map(key).sort(), recounted.map(key).sort()];
}

async function eventCount(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describeEachBackend('upgrading a database of the previous schema to lean event storage', (backend) => {
  let server: TestServer;
  let api: ReturnType<typeof apiClient>;
  let before: Record<string, unknown>;
  const groups: Record<string, string> = {};

  /** What the app answers about the shop: a report, a profile with its events, and group counts. */
  async function answers() {
    const report = await api.post('/api/reports/breakdown', {
      ...SHOP_RANGE,
      metric: { type: 'conversion_rate', event: 'purchase' },
      breakdown: { attr: 'membership_level' },
    });
    expect(report.statusCode, report.body).toBe(200);
    const profile = await api.get('/api/users/u-alice');
    expect(profile.statusCode, profile.body).toBe(200);
    const events = await api.get('/api/users/u-alice/events?limit=100');
    expect(events.statusCode, events.body).toBe(200);
    const counts: Record<string, number> = {};
    for (const [name, id] of Object.entries(groups)) {
      const group = await api.get(`/api/groups/${id}`);
      expect(group.statusCode, group.body).toBe(200);
      counts[name] = group.json().users;
    }
    return { report: report.json(), profile: profile.json(), events: events.json(), counts };
  }

  beforeAll(async () => {
    server = await startTestServer({ backend, listen: false, migrateUpTo: PREVIOUS_SCHEMA });
    api = apiClient(server);
    const sent = await api.batch(SHOP_MESSAGES);
    expect(sent.json()).toMatchObject({ success: true });
    await server.settled();
    for (const [name, condition] of Object.entries({
      older: { attr: 'age', op: 'gt', value: 30 },
      gold: { attr: 'membership_level', op: 'eq', value: 'gold' },
      buyers: { event: 'purchase', within_days: 3650, count: { op: 'gte', value: 1 } },
      signedUp: { attr: 'signup_date', op: 'before', value: '2026-03-02T00:00:00Z' },
    })) {
      const created = await api.post('/api/groups', { name, condition });
      expect(created.statusCode, created.body).toBe(201);
      groups[name] = created.json().id;
    }
    before = await answers();
    expect(await server.store.pendingMigrations()).not.toEqual([]);
    await server.store.migrate();
  });
  afterAll(() => server?.close());

  it(`${backend}: the upgrade keeps every event, the rollup and every answer of the app`, async () => {
    expect(await server.store.pendingMigrations()).toEqual([]);
    expect(await eventCount(server.store.db, server.projectId)).toBe(SHOP_MESSAGES.length);
    const [stored, recounted] = await rollupAndRecount(server.store.db, server.projectId);
    expect(stored).toEqual(recounted);
    const after = await answers();
    expect(after).toEqual(before);
    expect(after.counts).toMatchObject({ older: 2, gold: 3, buyers: 4, signedUp: 1 });
    expect((after.events as { total: number }).total).toBeGreaterThan(0);
  });

  it(`${backend}: the person indexes hold one entry per event; PostgreSQL partitions events by month`, async () => {
    if (backend === 'postgres') {
      const { rows } = await sql<{ name: string }>`select c.relname as name from pg_inherits i
        join pg_class c on c.oid = i.inhrelid where i.inhparent = 'events'::regclass order by 1`.execute(
        server.store.db,
      );
      const names = rows.map((r) => r.name);
      // March 2026 holds the shop; the current month and those ahead are ready; the default takes the rest.
      expect(names).toContain('events_y2026m03');
      expect(names).toContain('events_default');
      expect(names.length).toBeGreaterThanOrEqual(2 + PARTITION_MONTHS_AHEAD);
      const { rows: shop } = await sql<{ n: string }>`select count(*) as n from events_y2026m03`.execute(
        server.store.db,
      );
      expect(Number(shop[0].n)).toBe(SHOP_MESSAGES.length);
      const { rows: indexes } = await sql<{ def: string }>`select indexdef as def from pg_indexes
        where schemaname = current_schema() and tablename = 'events' and indexname in ('events_user_time', 'events_anonymous_time') order by indexname`.execute(
        server.store.db,
      );
      expect(indexes.map((i) => i.def)).toEqual([
        expect.stringMatching(/WHERE \(user_id IS NULL\)$/),
        expect.stringMatching(/WHERE \(user_id IS NOT NULL\)$/),
      ]);
    } else {
      const { rows } = await sql<{ sql: string }>`select sql from sqlite_master
        where name in ('events_user_time', 'events_anonymous_time') order by name`.execute(server.store.db);
      expect(rows.map((r) => r.sql)).toEqual([
        expect.stringMatching(/where user_id is null$/),
        expect.stringMatching(/where user_id is not null$/),
      ]);
    }
  });

  it(`${backend}: after the upgrade, tracking, profiles and group counts work on new events`, async () => {
    const now = Date.now();
    const sent = await api.batch([
      { type: 'track', event: 'purchase', userId: 'u-bob', timestamp: new Date(now - 1000).toISOString() },
      { type: 'page', anonymousId: 'a-new', timestamp: new Date(now).toISOString() },
    ]);
    expect(sent.json()).toMatchObject({ success: true });
    await server.settled();
    expect(await eventCount(server.store.db, server.projectId)).toBe(SHOP_MESSAGES.length + 2);
    const bob = await api.get('/api/users/u-bob/events?limit=100');
    expect(bob.json().events[0]).toMatchObject({ type: 'track', name: 'purchase' });
    expect((await api.get(`/api/groups/${groups.buyers}`)).json().users).toBe(5);
    const [stored, recounted] = await rollupAndRecount(server.store.db, server.projectId);
    expect(stored).toEqual(recounted);
  });

  it(`${backend}: a month partition made later takes the rows the default partition held for it`, async () => {
    if (backend !== 'postgres') return;
    const later = Date.now() + (PARTITION_MONTHS_AHEAD + 2) * 31 * 86_400_000;
    await server.store.db
      .insertInto('events')
      .values({
        project_id: server.projectId,
        message_id: 'from-the-future',
        type: 'track',
        name: 'scheduled',
        anonymous_id: 'a-new',
        user_id: null,
        timestamp: later,
        received_at: Date.now(),
        session_id: null,
        url: null,
        referrer: null,
        properties: '{}',
        context: '{}',
      })
      .execute();
    const created = await ensureEventPartitions(server.store, later);
    expect(created).toContain(monthOf(later));
    const name = partitionName(monthOf(later));
    const { rows } = await sql<{ message_id: string }>`select message_id from ${sql.table(name)}`.execute(
      server.store.db,
    );
    expect(rows).toEqual([{ message_id: 'from-the-future' }]);
    expect(await ensureEventPartitions(server.store, later)).toEqual([]);
    const [stored, recounted] = await rollupAndRecount(server.store.db, server.projectId);
    expect(stored).toEqual(recounted);
    await server.store.db.deleteFrom('events').where('message_id', '=', 'from-the-future').execute();
  });

  it(`${backend}: the retention deletes older events and their rollup together; profiles and groups follow`, async () => {
    const now = Date.now();
    // March 2026 is more than this many months before the current month: the shop's events go.
    const months = monthOf(now) - monthOf(Date.parse('2026-03-15T00:00:00Z')) - 1;
    expect(retentionCutoff(months, now)).toBe(monthStart(monthOf(Date.parse('2026-03-15T00:00:00Z')) + 1));
    const result = await applyEventRetention(server.store, months, now);
    if (backend === 'postgres') expect(result.partitionsDropped).toBeGreaterThanOrEqual(1);
    else expect(result.eventsDeleted).toBe(SHOP_MESSAGES.length);
    expect(await eventCount(server.store.db, server.projectId)).toBe(2);
    const [stored, recounted] = await rollupAndRecount(server.store.db, server.projectId);
    expect(stored).toEqual(recounted);
    expect(stored).toHaveLength(2);
    const after = await answers();
    expect((after.events as { total: number }).total).toBe(0);
    // Attributes stay (they are the profile, not events); event conditions count what is kept.
    expect(after.counts).toMatchObject({ older: 2, gold: 3, buyers: 1, signedUp: 1 });
    expect(after.profile).toEqual(before.profile);
    // A second pass finds nothing more to delete.
    expect(await applyEventRetention(server.store, months, now)).toMatchObject({
      partitionsDropped: 0,
      eventsDeleted: 0,
    });
  });
});

describeEachBackend('event retention setting', (backend) => {
  it(`${backend}: ACQUAINT_EVENT_RETENTION_MONTHS is a whole number of months; unset keeps every event`, () => {
    expect(loadConfig({}, {}).eventRetentionMonths).toBeNull();
    expect(loadConfig({}, { ACQUAINT_EVENT_RETENTION_MONTHS: '13' }).eventRetentionMonths).toBe(13);
    for (const bad of ['0', '-1', '1.5', 'a year'])
      expect(() => loadConfig({}, { ACQUAINT_EVENT_RETENTION_MONTHS: bad })).toThrow(
        /ACQUAINT_EVENT_RETENTION_MONTHS/,
      );
  });

  it(`${backend}: the app's maintenance step applies the retention it is configured with`, async () => {
    const server = await startTestServer({ backend, listen: false });
    try {
      const api = apiClient(server);
      const old = Date.parse('2025-01-15T12:00:00Z');
      const sent = await api.batch([
        { type: 'track', event: 'old', anonymousId: 'a-1', timestamp: new Date(old).toISOString() },
        { type: 'track', event: 'new', anonymousId: 'a-1', timestamp: new Date().toISOString() },
      ]);
      expect(sent.json()).toMatchObject({ success: true });
      await server.settled();
      const kept = new EventStorageMaintenance(server.store, { retentionMonths: null });
      await kept.runOnce();
      expect(await eventCount(server.store.db, server.projectId)).toBe(2);
      await new EventStorageMaintenance(server.store, { retentionMonths: 6 }).runOnce();
      const names = await server.store.db
        .selectFrom('events')
        .select('name')
        .where('project_id', '=', server.projectId)
        .execute();
      expect(names).toEqual([{ name: 'new' }]);
      const [stored, recounted] = await rollupAndRecount(server.store.db, server.projectId);
      expect(stored).toEqual(recounted);
    } finally {
      await server.close();
    }
  });
});
