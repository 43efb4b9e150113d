import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deletePerson, mergePersonsByAdmin } from '../../src/identity/admin-repair.js';
import { savePersonAttributes } from '../../src/storage/attribute-repository.js';
import { addGroupMembers } from '../../src/storage/group-member-repository.js';
import type { Store } from '../../src/storage/store.js';
import { deviceRow } from '../support/identity-rows.js';
import { type Backend, describeEachBackend, openTestStore } from '../support/test-stores.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const PROJECT = 'prj_typed';

async function newPerson(store: Store, userId: string | null): Promise<number> {
  const row = await store.db
    .insertInto('persons')
    .values({
      project_id: PROJECT,
      user_id: userId,
      created_at: T0,
      first_seen: T0,
      last_seen: T0,
      bound_at: null,
      imported_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

async function typedRows(store: Store, personId: number) {
  const rows = await store.db
    .selectFrom('person_attributes')
    .select(['name', 'text_value', 'num_value', 'time_value', 'bool_value', 'items'])
    .where('person_id', '=', personId)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({
    ...r,
    num_value: r.num_value === null ? null : Number(r.num_value),
    time_value: r.time_value === null ? null : Number(r.time_value),
  }));
}

/** Every write path of attribute values fills the typed columns conditions compare. */
describeEachBackend('typed attribute storage', (backend: Backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(backend));
  });
  afterEach(() => cleanup());

  const expectedAge = {
    name: 'age',
    text_value: '41',
    num_value: 41,
    time_value: null,
    bool_value: null,
    items: null,
  };
  const expectedJoined = {
    name: 'joined',
    text_value: '2024/03/15',
    num_value: null,
    time_value: Date.parse('2024-03-15T00:00:00Z'),
    bool_value: null,
    items: null,
  };

  it(`${backend}: live writes fill typed columns, and an unset clears them`, async () => {
    const id = await newPerson(store, 'u1');
    await store.transaction((tx) =>
      savePersonAttributes(tx, PROJECT, [
        { personId: id, name: 'age', value: '41', updatedAt: T0 },
        { personId: id, name: 'joined', value: '2024/03/15', updatedAt: T0 },
        { personId: id, name: 'tags', value: ['a', 1, true], updatedAt: T0 },
        { personId: id, name: 'vip', value: 'yes', updatedAt: T0 },
      ]),
    );
    expect(await typedRows(store, id)).toEqual([
      expectedAge,
      expectedJoined,
      {
        name: 'tags',
        text_value: 'a, 1, true',
        num_value: null,
        time_value: null,
        bool_value: null,
        items: '["a","1","true"]',
      },
      { name: 'vip', text_value: 'yes', num_value: null, time_value: null, bool_value: 1, items: null },
    ]);
    await store.transaction((tx) =>
      savePersonAttributes(tx, PROJECT, [{ personId: id, name: 'age', value: undefined, updatedAt: T0 + 1 }]),
    );
    expect((await typedRows(store, id))[0]).toEqual({
      name: 'age',
      text_value: null,
      num_value: null,
      time_value: null,
      bool_value: null,
      items: null,
    });
  });

  it(`${backend}: bulk import writes fill typed columns`, async () => {
    const id = await newPerson(store, 'u1');
    await store.transaction((tx) =>
      tx.profiles.saveAttributes(PROJECT, {
        at: T0,
        count: 2,
        personIds: [id, id],
        names: ['age', 'joined'],
        values: ['"41"', '"2024/03/15"'],
      }),
    );
    expect(await typedRows(store, id)).toEqual([expectedAge, expectedJoined]);
  });

  it(`${backend}: a merge moves typed values and static group memberships; an erasure removes memberships`, async () => {
    const survivor = await newPerson(store, 'u-survivor');
    const merged = await newPerson(store, null);
    await store.transaction(async (tx) => {
      await savePersonAttributes(tx, PROJECT, [
        { personId: merged, name: 'age', value: '41', updatedAt: T0 },
      ]);
      await addGroupMembers(tx.db, PROJECT, 'grp_a', [merged, survivor]);
      await addGroupMembers(tx.db, PROJECT, 'grp_b', [merged]);
      await tx.db.insertInto('devices').values(device('anon-1', merged)).execute();
    });
    const ctx = { store, projectId: PROJECT, actor: 'test', maxAnonymousIdsPerPerson: 1000 };
    expect(await mergePersonsByAdmin(ctx, survivor, merged)).toMatchObject({ ok: true });
    expect(await typedRows(store, survivor)).toEqual([expectedAge]);
    const memberships = () =>
      store.db.selectFrom('group_members').select(['group_id', 'person_id']).orderBy('group_id').execute();
    expect((await memberships()).map((m) => [m.group_id, Number(m.person_id)])).toEqual([
      ['grp_a', survivor],
      ['grp_b', survivor],
    ]);
    expect(await deletePerson(ctx, survivor)).toMatchObject({ ok: true });
    expect(await memberships()).toEqual([]);
  });

  it(`${backend}: the migration fills typed columns of values stored before it`, async () => {
    const { store: old, cleanup: dropOld } = await openTestStore(backend, {
      migrateUpTo: '0003_ingestion_log',
    });
    try {
      // A database of the version before typed columns, with a value in it.
      const id = await newPerson(old, 'u1');
      await sql`insert into person_attributes (project_id, person_id, name, value, updated_at)
        values (${PROJECT}, ${id}, 'age', ${JSON.stringify('41')}, ${T0})`.execute(old.db);
      await old.migrate();
      expect(await typedRows(old, id)).toEqual([expectedAge]);
    } finally {
      await dropOld();
    }
  });
});

function device(anonymousId: string, personId: number) {
  return deviceRow(anonymousId, personId, PROJECT, T0);
}
