import type { AttributeValue } from '../attributes/attribute-operation.js';
import { loadPersonAttributes } from './attribute-repository.js';
import { PreparedQuery, param } from './prepared-query.js';
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
