import { type Kysely, sql } from 'kysely';
import type { TypedAttributeValue } from '../attributes/typed-attribute-value.js';
import { typedAttributeValue } from '../attributes/typed-attribute-value.js';
import type { VisitFacts } from '../conditions/condition.js';
import {
  EXPERIENCE_IMPRESSION,
  type PersonEventFact,
  type PersonFacts,
  urlHost,
} from '../conditions/person-facts.js';
import { eachDefaultAttribute } from '../profiles/default-attributes.js';
import { isPostgres } from './condition-sql-dialect.js';
import type { DeviceRow, PersonRow } from './identity-repository.js';
import { PreparedQuery, param } from './prepared-query.js';
import type { Database } from './schema.js';
import type { Db } from './store.js';

interface EventFactRow {
  type: string;
  name: string | null;
  timestamp: number;
  anonymous_id: string | null;
  session_id: string | null;
  url: string | null;
  properties: unknown;
}

/**
 * Everything conditions may ask about one person, for evaluating them in memory (decide,
 * webhooks): the attributes as SQL compares them (the stored typed columns) plus the default `$`
 * ones, the events of all its devices and those sent before sign-in, its static groups and its
 * devices. Null when the project has no such person.
 */
const personRow = new PreparedQuery<{ projectId: string; personId: number }, PersonRow>((db) =>
  db
    .selectFrom('persons')
    .selectAll()
    .where('project_id', '=', param('projectId'))
    .where('id', '=', param('personId')),
);
const devicesOfPerson = new PreparedQuery<{ personId: number }, DeviceRow>((db) =>
  db
    .selectFrom('devices')
    .selectAll()
    .where('person_id', '=', param('personId'))
    .orderBy('first_seen')
    .orderBy('anonymous_id'),
);
const liveAttributes = new PreparedQuery((db) =>
  db
    .selectFrom('person_attributes')
    .select(['name', 'text_value', 'num_value', 'time_value', 'bool_value', 'items'])
    .where('person_id', '=', param('personId'))
    .where('value', 'is not', null),
);
const staticGroups = new PreparedQuery((db) =>
  db.selectFrom('group_members').select('group_id').where('person_id', '=', param('personId')),
);
const EVENT_COLUMNS = [
  'type',
  'name',
  'timestamp',
  'anonymous_id',
  'session_id',
  'url',
  'properties',
] as const;
const eventsByUser = new PreparedQuery<{ projectId: string; userId: string }, EventFactRow>((db) =>
  db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('project_id', '=', param('projectId'))
    .where('user_id', '=', param('userId')),
);
const eventsByDevices = new PreparedQuery<{ projectId: string; personId: number }, EventFactRow>((db) =>
  db
    .selectFrom('events')
    .select(EVENT_COLUMNS)
    .where('project_id', '=', param('projectId'))
    .where('user_id', 'is', null)
    .where('anonymous_id', 'in', (eb) =>
      eb.selectFrom('devices').select('anonymous_id').where('person_id', '=', param('personId')),
    ),
);

/**
 * Everything conditions may ask about one person, for evaluating them in memory (decide,
 * webhooks): the attributes as SQL compares them (the stored typed columns) plus the default `$`
 * ones, the events of all its devices and those sent before sign-in, its static groups and its
 * devices. Null when the project has no such person. The reads are prepared once (hot in decide).
 * `read.events` false leaves the events out (empty): for callers whose conditions have no
 * behaviour leaf, they are most of what a person's facts read.
 */
export async function loadPersonFacts(
  db: Db,
  projectId: string,
  personId: number,
  read: { events: boolean } = { events: true },
): Promise<PersonFacts | null> {
  const rows = isPostgres(db)
    ? await factRowsInOneStatement(db, projectId, personId, read.events)
    : await factRowsOneByOne(db, projectId, personId, read.events);
  if (!rows) return null;
  const { person, devices, attributeRows, eventRows, groupRows } = rows;

  const attributes = new Map<string, TypedAttributeValue>();
  for (const row of attributeRows) {
    attributes.set(row.name, {
      text: row.text_value ?? '',
      num: row.num_value === null ? null : Number(row.num_value),
      time: row.time_value === null ? null : Number(row.time_value),
      bool: row.bool_value === null ? null : row.bool_value === 1,
      items: row.items === null ? null : (JSON.parse(row.items) as string[]),
    });
  }
  eachDefaultAttribute(person, devices, (name, value) => {
    attributes.set(name, typedAttributeValue(value));
  });
  const events: PersonEventFact[] = eventRows.map((e) => ({
    type: e.type,
    name: e.name,
    timestamp: Number(e.timestamp),
    session: e.session_id !== null && e.anonymous_id !== null ? `${e.anonymous_id} ${e.session_id}` : null,
    url: e.url,
    experienceId: e.name === EXPERIENCE_IMPRESSION ? experienceIdOf(e.properties) : null,
  }));
  return {
    identified: person.user_id !== null,
    imported: person.imported_at !== null,
    bound: person.bound_at !== null,
    attributes,
    events,
    staticGroupIds: new Set(groupRows.map((r) => r.group_id)),
    devices: devices.map(deviceVisitFacts),
  };
}

interface FactRows {
  person: PersonRow;
  devices: DeviceRow[];
  attributeRows: AttributeFactRow[];
  eventRows: EventFactRow[];
  groupRows: { group_id: string }[];
}

interface AttributeFactRow {
  name: string;
  text_value: string | null;
  num_value: number | null;
  time_value: number | null;
  bool_value: number | null;
  items: string | null;
}

/** SQLite: one prepared read per kind of fact, each run at once on the connection (no round trip). */
async function factRowsOneByOne(
  db: Db,
  projectId: string,
  personId: number,
  withEvents: boolean,
): Promise<FactRows | null> {
  const [person] = await personRow.execute(db, { projectId, personId });
  if (!person) return null;
  const [devices, attributeRows, eventRows, groupRows] = await Promise.all([
    devicesOfPerson.execute(db, { personId }),
    liveAttributes.execute(db, { personId }),
    withEvents ? eventsOf(db, projectId, personId, person.user_id) : [],
    staticGroups.execute(db, { personId }),
  ]);
  return { person, devices, attributeRows, eventRows, groupRows };
}

/**
 * PostgreSQL: the same reads as `factRowsOneByOne`, as subselects of one statement (one round
 * trip instead of six), each kind aggregated to JSON. Every subselect is still one index stretch
 * (the events' two as a `union all`, as in `eventsOf`); JSON gives the bigint columns as numbers
 * and `properties` as an object, as the int8 and jsonb parsers do for the separate reads.
 * With `withEvents` false the events' subselect is cut off by a one-time filter (not read).
 */
const factsInOneStatement = new PreparedQuery<
  { projectId: string; personId: number; withEvents: boolean },
  {
    person: PersonRow;
    devices: DeviceRow[];
    attributes: [string, string | null, number | null, number | null, number | null, string | null][];
    events: [string, string | null, number, string | null, string | null, string | null, unknown][];
    groups: string[];
  }
>((db: Kysely<Database>) => {
  const events = (where: ReturnType<typeof sql>) => sql`select e.type, e.name, e.timestamp,
    e.anonymous_id, e.session_id, e.url, e.properties from events e
    where e.project_id = p.project_id and ${where}`;
  const query = sql`select row_to_json(p) as person,
    (select coalesce(json_agg(d order by d.first_seen, d.anonymous_id), '[]')
       from devices d where d.person_id = p.id) as devices,
    (select coalesce(json_agg(json_build_array(a.name, a.text_value, a.num_value, a.time_value,
       a.bool_value, a.items)), '[]')
       from person_attributes a where a.person_id = p.id and a.value is not null) as attributes,
    (select coalesce(json_agg(json_build_array(v.type, v.name, v.timestamp, v.anonymous_id,
       v.session_id, v.url, v.properties)), '[]')
       from (${events(sql`e.user_id = p.user_id`)}
             union all
             ${events(sql`e.user_id is null and e.anonymous_id in
               (select anonymous_id from devices where person_id = p.id)`)}) v
       where ${param('withEvents')}) as events,
    (select coalesce(json_agg(g.group_id), '[]')
       from group_members g where g.person_id = p.id) as groups
    from persons p where p.project_id = ${param('projectId')} and p.id = ${param('personId')}`;
  return { compile: () => query.compile(db) };
});

async function factRowsInOneStatement(
  db: Db,
  projectId: string,
  personId: number,
  withEvents: boolean,
): Promise<FactRows | null> {
  const [row] = await factsInOneStatement.execute(db, { projectId, personId, withEvents });
  if (!row) return null;
  return {
    person: row.person,
    devices: row.devices,
    attributeRows: row.attributes.map(([name, text_value, num_value, time_value, bool_value, items]) => ({
      name,
      text_value,
      num_value,
      time_value,
      bool_value,
      items,
    })),
    eventRows: row.events.map(([type, name, timestamp, anonymous_id, session_id, url, properties]) => ({
      type,
      name,
      timestamp,
      anonymous_id,
      session_id,
      url,
      properties,
    })),
    groupRows: row.groups.map((group_id) => ({ group_id })),
  };
}

/**
 * The events of a person: those sent with its user id, and those its devices sent before sign-in.
 * Two queries, each one stretch of an index (`events_user_time`, `events_anonymous_time`): an OR
 * of the two in one statement reads every event of the project on SQLite.
 */
async function eventsOf(db: Db, projectId: string, personId: number, userId: string | null) {
  const [byUser, byDevice] = await Promise.all([
    userId === null ? [] : eventsByUser.execute(db, { projectId, userId }),
    eventsByDevices.execute(db, { projectId, personId }),
  ]);
  return [...byUser, ...byDevice];
}

/** What a device tells of a visit: its type, software, first landing page, referrer and campaign. */
export function deviceVisitFacts(device: DeviceRow): VisitFacts {
  return {
    device_type: device.device_type,
    os: device.os,
    browser: device.browser,
    new_visitor: device.session_count <= 1,
    landing_page: device.first_landing_page,
    referrer_host: urlHost(device.first_referrer),
    utm_source: device.utm_source,
    utm_medium: device.utm_medium,
    utm_campaign: device.utm_campaign,
  };
}

/** `properties.experience_id` when it is text (JSON text on SQLite, an object from jsonb). */
function experienceIdOf(properties: unknown): string | null {
  try {
    const parsed = typeof properties === 'string' ? JSON.parse(properties) : properties;
    const id = (parsed as { experience_id?: unknown } | null)?.experience_id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}
