import type { Db } from '../../src/storage/store.js';

/**
 * A shop written straight into a database of an earlier schema, for migrations that count what
 * was stored before them: project `p1`; person 1 holding user id `u1` and device `a` (mobile),
 * person 2 anonymous on device `b` (a crawler); five events from `at` on, 1,000 s apart — a's page,
 * u1's purchase, b's page, a purchase under a user id no one holds (`u-nobody`, on device a), a's
 * page — in sessions `s0` and `s1`.
 */
export async function seedOldShop(db: Db, at: number) {
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
    timestamp: at + i * 1_000_000,
    received_at: at,
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
}

/** The id of the person holding `userId`. */
export async function personOfUser(db: Db, projectId: string, userId: string) {
  const row = await db
    .selectFrom('persons')
    .select('id')
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The id of the person holding the device `anonymousId`. */
export async function personOfDevice(db: Db, projectId: string, anonymousId: string) {
  const row = await db
    .selectFrom('devices')
    .select('person_id')
    .where('project_id', '=', projectId)
    .where('anonymous_id', '=', anonymousId)
    .executeTakeFirstOrThrow();
  return Number(row.person_id);
}
