import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadPersonAttributes, savePersonAttributes } from '../../src/storage/attribute-repository.js';
import {
  allPersonEvents,
  claimMessageIds,
  findPersonEvents,
  insertEvents,
} from '../../src/storage/event-repository.js';
import {
  type DeviceRow,
  findDevices,
  findPersonsByUserIds,
  lockPersons,
  mergePersonRows,
  type PersonRow,
  saveDevices,
  savePersons,
} from '../../src/storage/identity-repository.js';
import { insertProject } from '../../src/storage/project-repository.js';
import type { Store } from '../../src/storage/store.js';
import { deviceRow, personRow } from '../support/identity-rows.js';
import { describeEachBackend, openTestStore } from '../support/test-stores.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

const person = (id: number, userId: string | null, projectId = 'prj_a'): PersonRow =>
  personRow(id, userId, projectId, T0);

const device = (anonymousId: string, personId: number, projectId = 'prj_a'): DeviceRow =>
  deviceRow(anonymousId, personId, projectId, T0, {
    device_type: 'mobile',
    os: 'iOS',
    browser: 'Mobile Safari',
    first_referrer: 'https://www.google.com/',
    first_landing_page: 'https://shop.example.com/',
    session_id: 's1',
    session_last_at: T0,
  });

describeEachBackend('store', (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(backend));
    for (const id of ['prj_a', 'prj_b']) {
      await insertProject(store.db, {
        id,
        name: id,
        write_key: `wk_${id}`,
        identity_secret: 's',
        verify_identity: 0,
        created_at: T0,
      });
    }
  });
  afterEach(() => cleanup());

  it(`${backend}: reserved person ids never collide with persons already written`, async () => {
    const first = await store.transaction(async (tx) => {
      const ids = await tx.allocatePersonIds(3);
      await savePersons(tx, [person(ids[0], 'user-1'), person(ids[1], null), person(ids[2], null)]);
      return ids;
    });
    const second = await store.transaction(async (tx) => {
      const ids = await tx.allocatePersonIds(2);
      await savePersons(tx, [person(ids[0], 'user-42'), person(ids[1], null)]);
      return ids;
    });
    expect(new Set([...first, ...second]).size).toBe(5);
    expect(Math.min(...second)).toBeGreaterThan(Math.max(...first));
    const [found] = await findPersonsByUserIds(store.db, 'prj_a', ['user-42']);
    expect(found.id).toBe(second[0]);
  });

  it(`${backend}: saving persons and devices again updates them in place`, async () => {
    await store.transaction(async (tx) => {
      await savePersons(tx, [person(1, null)]);
      await saveDevices(tx, [device('anon-phone', 1)]);
    });
    await store.transaction(async (tx) => {
      await savePersons(tx, [{ ...person(1, 'user-42'), last_seen: T0 + 5000 }]);
      await saveDevices(tx, [{ ...device('anon-phone', 1), last_seen: T0 + 5000, session_count: 2 }]);
    });
    const [locked] = await store.transaction((tx) => lockPersons(tx, 'prj_a', [1]));
    expect(locked).toMatchObject({ user_id: 'user-42', last_seen: T0 + 5000 });
    const [phone] = await findDevices(store.db, 'prj_a', ['anon-phone']);
    expect(phone).toMatchObject({
      person_id: 1,
      session_count: 2,
      first_referrer: 'https://www.google.com/',
    });
  });

  it(`${backend}: a project never sees another project's persons, devices or message ids`, async () => {
    await store.transaction(async (tx) => {
      await savePersons(tx, [person(1, 'user-42', 'prj_a'), person(2, 'user-42', 'prj_b')]);
      await saveDevices(tx, [device('anon-phone', 1, 'prj_a'), device('anon-phone', 2, 'prj_b')]);
    });
    expect((await findPersonsByUserIds(store.db, 'prj_b', ['user-42'])).map((p) => p.id)).toEqual([2]);
    expect((await findDevices(store.db, 'prj_a', ['anon-phone'])).map((d) => d.person_id)).toEqual([1]);
    expect(await store.transaction((tx) => lockPersons(tx, 'prj_b', [1, 2]))).toHaveLength(1);
    const claimedA = await store.transaction((tx) => claimMessageIds(tx, 'prj_a', ['msg-1'], T0));
    const claimedB = await store.transaction((tx) => claimMessageIds(tx, 'prj_b', ['msg-1'], T0));
    expect([...claimedA, ...claimedB]).toEqual(['msg-1', 'msg-1']);
  });

  it(`${backend}: message ids are claimed once, also within one batch`, async () => {
    const first = await store.transaction((tx) =>
      claimMessageIds(tx, 'prj_a', ['msg-1', 'msg-2', 'msg-1'], T0),
    );
    const second = await store.transaction((tx) => claimMessageIds(tx, 'prj_a', ['msg-2', 'msg-3'], T0));
    expect([...first].sort()).toEqual(['msg-1', 'msg-2']);
    expect([...second]).toEqual(['msg-3']);
  });

  it(`${backend}: merge keeps survivor attributes (and newer unsets), fills the gaps, moves devices and deletes the merged person`, async () => {
    await store.transaction(async (tx) => {
      await savePersons(tx, [person(1, 'user-42'), person(2, null)]);
      await saveDevices(tx, [device('anon-phone', 1), device('anon-laptop', 2)]);
      await savePersonAttributes(tx, 'prj_a', [
        { personId: 1, name: 'plan', value: 'pro', updatedAt: T0 },
        { personId: 1, name: 'color', value: undefined, updatedAt: T0 },
        { personId: 1, name: 'size', value: undefined, updatedAt: T0 + 10 },
        { personId: 2, name: 'plan', value: 'free', updatedAt: T0 + 1 },
        { personId: 2, name: 'color', value: 'red', updatedAt: T0 + 5 },
        { personId: 2, name: 'size', value: 'XL', updatedAt: T0 + 5 },
        { personId: 2, name: 'tags', value: ['a', 'b'], updatedAt: T0 },
      ]);
      await mergePersonRows(tx.db, 'prj_a', 1, 2);
    });
    const attributes = await loadPersonAttributes(store.db, [1, 2]);
    // color: the survivor's unset is older than the merged value, which fills it; size: the
    // survivor's unset is newer and stays.
    expect(attributes.map((a) => [a.personId, a.name, a.value]).sort()).toEqual([
      [1, 'color', 'red'],
      [1, 'plan', 'pro'],
      [1, 'size', undefined],
      [1, 'tags', ['a', 'b']],
    ]);
    expect(
      (await findDevices(store.db, 'prj_a', ['anon-phone', 'anon-laptop'])).map((d) => d.person_id),
    ).toEqual([1, 1]);
    expect(await store.transaction((tx) => lockPersons(tx, 'prj_a', [2]))).toEqual([]);
  });

  it(`${backend}: a person's timeline is found through its ids, never through other users' events on its devices`, async () => {
    const event = (messageId: string, anonymousId: string | null, userId: string | null, at: number) => ({
      project_id: 'prj_a',
      message_id: messageId,
      type: 'track',
      name: 'Viewed',
      anonymous_id: anonymousId,
      user_id: userId,
      timestamp: at,
      received_at: at,
      session_id: null,
      url: null,
      referrer: null,
      properties: '{}',
      context: '{}',
    });
    await store.transaction((tx) =>
      insertEvents(tx, [
        event('m1', 'anon-phone', null, T0),
        event('m2', 'anon-laptop', 'user-42', T0 + 1000),
        event('m3', 'anon-phone', 'user-7', T0 + 2000),
        event('m4', null, 'user-42', T0 + 3000),
      ]),
    );
    const page = await findPersonEvents(
      store.db,
      'prj_a',
      { userId: 'user-42', anonymousIds: ['anon-phone'] },
      { limit: 10, offset: 0 },
    );
    expect(page.total).toBe(3);
    expect(page.events.map((e) => e.message_id)).toEqual(['m4', 'm2', 'm1']);
    const second = await findPersonEvents(
      store.db,
      'prj_a',
      { userId: 'user-42', anonymousIds: ['anon-phone'] },
      { limit: 2, offset: 2 },
    );
    // Reading everything by position, in pages smaller than the timeline, with a tie on time.
    await store.transaction((tx) => insertEvents(tx, [event('m5', null, 'user-42', T0 + 3000)]));
    const all: string[] = [];
    for await (const e of allPersonEvents(
      store.db,
      'prj_a',
      { userId: 'user-42', anonymousIds: ['anon-phone'] },
      2,
    )) {
      all.push(e.message_id);
    }
    expect(all).toEqual(['m5', 'm4', 'm2', 'm1']);
    expect(second.events.map((e) => e.message_id)).toEqual(['m1']);
  });

  it(`${backend}: a failed transaction leaves nothing behind`, async () => {
    await expect(
      store.transaction(async (tx) => {
        await savePersons(tx, [person(1, 'user-42')]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await findPersonsByUserIds(store.db, 'prj_a', ['user-42'])).toEqual([]);
  });

  it(`${backend}: concurrent transactions commit or fail each on their own`, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.transaction(async (tx) => {
          await savePersons(tx, [person(100 + i, `user-${i}`)]);
          if (i % 3 === 0) throw new Error(`transaction ${i} fails`);
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? 'rejected' : 'fulfilled')),
    );
    const stored = await findPersonsByUserIds(
      store.db,
      'prj_a',
      Array.from({ length: 10 }, (_, i) => `user-${i}`),
    );
    expect(stored.map((p) => p.user_id).sort()).toEqual([
      'user-1',
      'user-2',
      'user-4',
      'user-5',
      'user-7',
      'user-8',
    ]);
  });
});
