import { type Kysely, sql } from 'kysely';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import { loadPersonAttributes } from './attribute-repository.js';
import { isPostgres } from './condition-sql-dialect.js';
import {
  type AssignmentRow,
  loadAssignments,
  numericAssignment,
} from './experience-assignment-repository.js';
import { PreparedQuery, param } from './prepared-query.js';
import type { Database } from './schema.js';
import type { Db } from './store.js';

/** The persons a decide concerns: the one holding the user id, and the one holding the device. */
export interface DecidePersons {
  userPersonId: number | null;
  device: {
    personId: number;
    userId: string | null;
    sessionCount: number;
    landingPage: string | null;
  } | null;
}

const deviceWithPerson = new PreparedQuery((db) =>
  db
    .selectFrom('devices as d')
    .innerJoin('persons as p', 'p.id', 'd.person_id')
    .select(['d.person_id', 'p.user_id', 'd.session_count', 'd.first_landing_page'])
    .where('d.project_id', '=', param('projectId'))
    .where('d.anonymous_id', '=', param('anonymousId')),
);
const personOfUser = new PreparedQuery((db) =>
  db
    .selectFrom('persons')
    .select('id')
    .where('project_id', '=', param('projectId'))
    .where('user_id', '=', param('userId')),
);
const versionOfProject = new PreparedQuery((db) =>
  db.selectFrom('definition_versions').select('version').where('project_id', '=', param('projectId')),
);

/** Two indexed lookups (prepared once); nothing is created (decide never writes identity). */
export async function findDecidePersons(
  db: Db,
  projectId: string,
  ids: { userId: string | null; anonymousId: string },
): Promise<DecidePersons> {
  const [device] = await deviceWithPerson.execute(db, { projectId, anonymousId: ids.anonymousId });
  let userPersonId: number | null = null;
  if (ids.userId !== null) {
    if (device && device.user_id === ids.userId) userPersonId = Number(device.person_id);
    else {
      const [person] = await personOfUser.execute(db, { projectId, userId: ids.userId });
      userPersonId = person ? Number(person.id) : null;
    }
  }
  return {
    userPersonId,
    device: device
      ? {
          personId: Number(device.person_id),
          userId: device.user_id,
          sessionCount: Number(device.session_count),
          landingPage: device.first_landing_page,
        }
      : null,
  };
}

/**
 * The persons of a decide and the assignments decide reads: those of `assignmentsOf(persons)`
 * (at most the user's and the device's person). SQLite: `findDecidePersons` then
 * `loadAssignments` (reads without round trips). PostgreSQL: one statement (one round trip instead
 * of two or three) that also returns the assignments of both persons; only those of
 * `assignmentsOf(persons)` are kept, so the answer is the same.
 */
export async function findDecideVisitor(
  db: Db,
  projectId: string,
  ids: { userId: string | null; anonymousId: string },
  assignmentsOf: (persons: DecidePersons) => number[],
): Promise<{ persons: DecidePersons; assignments: AssignmentRow[] }> {
  if (!isPostgres(db)) {
    const persons = await findDecidePersons(db, projectId, ids);
    return { persons, assignments: await loadAssignments(db, assignmentsOf(persons)) };
  }
  const [row] = await visitorInOneStatement.execute(db, { projectId, ...ids });
  const persons: DecidePersons = {
    userPersonId: row.user_person_id === null ? null : Number(row.user_person_id),
    device:
      row.device_person_id === null
        ? null
        : {
            personId: Number(row.device_person_id),
            userId: row.device_user_id,
            sessionCount: Number(row.session_count),
            landingPage: row.first_landing_page,
          },
  };
  const wanted = new Set(assignmentsOf(persons));
  return {
    persons,
    assignments: row.assignments.map(numericAssignment).filter((a) => wanted.has(a.person_id)),
  };
}

/** PostgreSQL: the device's person, the user's person and both persons' assignments, in one row. */
const visitorInOneStatement = new PreparedQuery<
  { projectId: string; anonymousId: string; userId: string | null },
  {
    device_person_id: number | null;
    device_user_id: string | null;
    session_count: number | null;
    first_landing_page: string | null;
    user_person_id: number | null;
    assignments: AssignmentRow[];
  }
>((db: Kysely<Database>) => {
  const query = sql`select d.person_id as device_person_id, dp.user_id as device_user_id,
      d.session_count, d.first_landing_page, u.id as user_person_id,
      (select coalesce(json_agg(a), '[]') from experience_assignments a
        where a.person_id in (d.person_id, u.id)) as assignments
    from (select 1) as one
    left join devices d on d.project_id = ${param('projectId')} and d.anonymous_id = ${param('anonymousId')}
    left join persons dp on dp.id = d.person_id
    left join persons u on u.project_id = ${param('projectId')} and u.user_id = ${param('userId')}`;
  return { compile: () => query.compile(db) };
});

/**
 * How many times the project's experiences, groups or attribute types changed (SQLite: counted by
 * triggers, migration `0015_decide`); 0 before the first change. One primary-key lookup.
 */
export async function definitionsVersion(db: Db, projectId: string): Promise<number> {
  const [row] = await versionOfProject.execute(db, { projectId });
  return Number(row?.version ?? 0);
}

/** Prepared reads of named attributes of one person, one per count of names. */
const namedAttributes = new Map<
  number,
  PreparedQuery<Record<string, unknown>, { name: string; value: string | null }>
>();
const MAX_PREPARED_NAMES = 16;

/**
 * The values of a person's attributes with these names (for placeholders); a name without a
 * live value is absent. Prepared once per count of names (up to 16; more are read unprepared).
 */
export async function namedAttributeValues(
  db: Db,
  personId: number,
  names: string[],
): Promise<Map<string, AttributeValue>> {
  const values = new Map<string, AttributeValue>();
  if (names.length > MAX_PREPARED_NAMES) {
    for (const attribute of await loadPersonAttributes(db, [personId], names)) {
      if (attribute.value !== undefined) values.set(attribute.name, attribute.value);
    }
    return values;
  }
  let query = namedAttributes.get(names.length);
  if (!query) {
    const count = names.length;
    query = new PreparedQuery((db) =>
      db
        .selectFrom('person_attributes')
        .select(['name', 'value'])
        .where('person_id', '=', param('personId'))
        .where(
          'name',
          'in',
          Array.from({ length: count }, (_, i) => param<string>(`name${i}`)),
        ),
    );
    namedAttributes.set(count, query);
  }
  const parameters: Record<string, unknown> = { personId };
  names.forEach((name, i) => {
    parameters[`name${i}`] = name;
  });
  for (const row of await query.execute(db, parameters)) {
    if (row.value !== null) values.set(row.name, JSON.parse(row.value) as AttributeValue);
  }
  return values;
}
