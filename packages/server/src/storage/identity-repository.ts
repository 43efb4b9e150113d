import type { Insertable, Selectable } from 'kysely';
import { TYPED_COLUMNS } from '../attributes/typed-attribute-value.js';
import type { GraphWrites } from '../identity/identity-graph.js';
import { chunked } from './chunked.js';
import { moveAssignmentsOnMerge } from './experience-assignment-repository.js';
import { moveGroupMembers } from './group-member-repository.js';
import type { DevicesTable, PersonsTable } from './schema.js';
import { admitPendingMembers } from './static-member-repository.js';
import type { Db, StoreTx } from './store.js';

export type PersonRow = Selectable<PersonsTable>;
export type DeviceRow = Selectable<DevicesTable>;
export type NewPerson = Omit<Insertable<PersonsTable>, 'id'>;

/** A person not stored yet: created, first and last seen at `at`. */
export function newPersonRow(id: number, projectId: string, userId: string | null, at: number): PersonRow {
  return {
    id,
    project_id: projectId,
    user_id: userId,
    created_at: at,
    first_seen: at,
    last_seen: at,
    bound_at: null,
    imported_at: null,
  };
}

/** Largest IN-list or VALUES list sent in one statement. */
const CHUNK = 500;

export async function findDevices(db: Db, projectId: string, anonymousIds: string[]): Promise<DeviceRow[]> {
  const rows: DeviceRow[] = [];
  for (const ids of chunked(anonymousIds, CHUNK)) {
    rows.push(
      ...(await db
        .selectFrom('devices')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('anonymous_id', 'in', ids)
        .execute()),
    );
  }
  return rows;
}

export async function findDevicesOfPerson(db: Db, personId: number): Promise<DeviceRow[]> {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('first_seen')
    .execute();
}

export async function countDevicesOfPerson(db: Db, personId: number): Promise<number> {
  const row = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('person_id', '=', personId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many devices each of the persons holds (persons without any are left out). */
export async function countDevicesOfPersons(db: Db, personIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const ids of chunked(personIds, CHUNK)) {
    const rows = await db
      .selectFrom('devices')
      .select((eb) => ['person_id', eb.fn.countAll<number>().as('n')])
      .where('person_id', 'in', ids)
      .groupBy('person_id')
      .execute();
    for (const row of rows) counts.set(row.person_id, Number(row.n));
  }
  return counts;
}

export async function findPersonsByUserIds(
  db: Db,
  projectId: string,
  userIds: string[],
): Promise<PersonRow[]> {
  const rows: PersonRow[] = [];
  for (const ids of chunked(userIds, CHUNK)) {
    rows.push(
      ...(await db
        .selectFrom('persons')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('user_id', 'in', ids)
        .execute()),
    );
  }
  return rows;
}

export async function findPersonById(
  db: Db,
  projectId: string,
  personId: number,
): Promise<PersonRow | undefined> {
  return db
    .selectFrom('persons')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', personId)
    .executeTakeFirst();
}

export async function findPersonByUserId(
  db: Db,
  projectId: string,
  userId: string,
): Promise<PersonRow | undefined> {
  return db
    .selectFrom('persons')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * Reads the persons for change. Where writers run concurrently they are row-locked in id order, so
 * two transactions that both change a person take turns; a person missing from the answer was
 * merged or deleted since its id was read.
 */
export async function lockPersons(tx: StoreTx, projectId: string, personIds: number[]): Promise<PersonRow[]> {
  if (personIds.length === 0) return [];
  const sorted = [...new Set(personIds)].sort((a, b) => a - b);
  const rows: PersonRow[] = [];
  for (const ids of chunked(sorted, CHUNK)) {
    // By primary key alone: with project_id in the condition SQLite may pick the (project_id,
    // user_id) index and scan the whole project. The project is checked on the rows instead.
    let query = tx.db.selectFrom('persons').selectAll().where('id', 'in', ids).orderBy('id');
    if (tx.forUpdate) query = query.forUpdate();
    rows.push(...(await query.execute()).filter((person) => person.project_id === projectId));
  }
  return rows;
}

export async function insertPerson(db: Db, person: NewPerson): Promise<PersonRow> {
  return db.insertInto('persons').values(person).returningAll().executeTakeFirstOrThrow();
}

/** Inserts new persons and writes back changed ones (first/last seen, user id, bound and import times). */
export async function savePersons(tx: StoreTx, persons: PersonRow[]): Promise<void> {
  await tx.writeRows({
    table: 'persons',
    rows: persons,
    conflict: { columns: ['id'], update: ['user_id', 'first_seen', 'last_seen', 'bound_at', 'imported_at'] },
  });
}

/** Inserts new devices and writes back changed ones (owner, times, user agent, sessions). */
export async function saveDevices(tx: StoreTx, devices: DeviceRow[]): Promise<void> {
  await tx.writeRows({
    table: 'devices',
    rows: devices,
    conflict: {
      columns: ['project_id', 'anonymous_id'],
      update: [
        'person_id',
        'first_seen',
        'last_seen',
        'user_agent',
        'device_type',
        'os',
        'browser',
        'screen',
        'locale',
        'session_count',
        'session_id',
        'session_last_at',
      ],
    },
  });
}

/** Writes a batch's identity changes: persons, devices, and the user ids static groups may wait for. */
export async function writeGraphChanges(tx: StoreTx, projectId: string, writes: GraphWrites): Promise<void> {
  if (writes.persons.length) await savePersons(tx, writes.persons);
  if (writes.devices.length) await saveDevices(tx, writes.devices);
  if (writes.newUserIds.length) await admitPendingMembers(tx.db, projectId, writes.newUserIds);
}

/**
 * Folds `mergedId` into `survivorId` (DESIGN §3 rule 3): the merged person's attribute values fill
 * only names the survivor has no live value for, all its devices move, its experience assignments
 * fill only experiences the survivor has none for (DESIGN §4), and it is deleted. Events
 * are not touched: they reach the survivor through the moved ids.
 */
export async function mergePersonRows(
  db: Db,
  projectId: string,
  survivorId: number,
  mergedId: number,
): Promise<void> {
  // A survivor's unset (a tombstone) counts as holding the attribute unless the merged value is newer.
  const fills = await db
    .selectFrom('person_attributes as m')
    .selectAll('m')
    .where('m.person_id', '=', mergedId)
    .where('m.value', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('person_attributes as s')
            .select('s.name')
            .where('s.person_id', '=', survivorId)
            .whereRef('s.name', '=', 'm.name')
            .where((inner) =>
              inner.or([
                inner('s.value', 'is not', null),
                inner('s.updated_at', '>=', inner.ref('m.updated_at')),
              ]),
            ),
        ),
      ),
    )
    .execute();
  for (const rows of chunked(fills, CHUNK)) {
    await db
      .insertInto('person_attributes')
      .values(rows.map((row) => ({ ...row, person_id: survivorId })))
      .onConflict((oc) =>
        oc.columns(['person_id', 'name']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          updated_at: eb.ref('excluded.updated_at'),
          ...Object.fromEntries(TYPED_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
        })),
      )
      .execute();
  }
  await db.deleteFrom('person_attributes').where('person_id', '=', mergedId).execute();
  await moveGroupMembers(db, survivorId, mergedId);
  await db
    .updateTable('devices')
    .set({ person_id: survivorId })
    .where('project_id', '=', projectId)
    .where('person_id', '=', mergedId)
    .execute();
  await moveAssignmentsOnMerge(db, survivorId, mergedId);
  await db.deleteFrom('persons').where('id', '=', mergedId).execute();
}
