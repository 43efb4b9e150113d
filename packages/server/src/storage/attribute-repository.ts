import type { Selectable } from 'kysely';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import type { AttributeSource, AttributeType } from '../attributes/attribute-types.js';
import { TYPED_COLUMNS, typedAttributeColumns } from '../attributes/typed-attribute-value.js';
import { chunked } from './chunked.js';
import type { AttributeDefinitionsTable } from './schema.js';
import type { Db, StoreTx } from './store.js';

export type AttributeDefinitionRow = Selectable<AttributeDefinitionsTable>;

/** One stored attribute of one person; `value` undefined is a tombstone left by unset. */
export interface PersonAttribute {
  personId: number;
  name: string;
  value: AttributeValue | undefined;
  updatedAt: number;
}

/** The stored attributes (live and tombstones) of these persons, limited to `names` when given. */
export async function loadPersonAttributes(
  db: Db,
  personIds: number[],
  names?: string[],
): Promise<PersonAttribute[]> {
  const result: PersonAttribute[] = [];
  // Both lists are chunked: a batch may name thousands of attributes.
  const nameChunks = names ? chunked([...new Set(names)], 500) : [undefined];
  for (const ids of chunked([...new Set(personIds)], 500)) {
    for (const nameChunk of nameChunks) {
      let query = db
        .selectFrom('person_attributes')
        .select(['person_id', 'name', 'value', 'updated_at'])
        .where('person_id', 'in', ids);
      if (nameChunk) query = query.where('name', 'in', nameChunk.length ? nameChunk : ['']);
      for (const row of await query.execute()) {
        result.push({
          personId: row.person_id,
          name: row.name,
          value: row.value === null ? undefined : (JSON.parse(row.value) as AttributeValue),
          updatedAt: row.updated_at,
        });
      }
    }
  }
  return result;
}

export async function savePersonAttributes(
  tx: StoreTx,
  projectId: string,
  attributes: PersonAttribute[],
): Promise<void> {
  await tx.writeRows({
    table: 'person_attributes',
    rows: attributes.map((a) => ({
      project_id: projectId,
      person_id: a.personId,
      name: a.name,
      value: a.value === undefined ? null : JSON.stringify(a.value),
      updated_at: a.updatedAt,
      ...typedAttributeColumns(a.value),
    })),
    conflict: { columns: ['person_id', 'name'], update: ['value', 'updated_at', ...TYPED_COLUMNS] },
  });
}

export async function loadAttributeDefinitions(
  db: Db,
  projectId: string,
  names?: string[],
): Promise<AttributeDefinitionRow[]> {
  let query = db.selectFrom('attribute_definitions').selectAll().where('project_id', '=', projectId);
  if (names) query = query.where('name', 'in', names.length ? names : ['']);
  return query.orderBy('name').execute();
}

export async function countAttributeDefinitions(db: Db, projectId: string): Promise<number> {
  const row = await db
    .selectFrom('attribute_definitions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A sighting of an attribute: creates its definition with the inferred type, or marks it seen. */
export interface AttributeSighting {
  name: string;
  inferredType: AttributeType;
  source: AttributeSource;
  at: number;
}

export async function recordAttributeSightings(
  db: Db,
  projectId: string,
  sightings: AttributeSighting[],
): Promise<void> {
  const merged = new Map<string, AttributeDefinitionRow>();
  for (const s of sightings) {
    const row = merged.get(s.name) ?? {
      project_id: projectId,
      name: s.name,
      type: s.inferredType,
      type_source: 'inferred',
      from_sdk: 0,
      from_server: 0,
      from_import: 0,
      first_seen: s.at,
      last_seen: s.at,
    };
    if (s.source === 'sdk') row.from_sdk = 1;
    if (s.source === 'server') row.from_server = 1;
    if (s.source === 'import') row.from_import = 1;
    row.first_seen = Math.min(row.first_seen, s.at);
    row.last_seen = Math.max(row.last_seen, s.at);
    merged.set(s.name, row);
  }
  // In name order, so concurrent transactions lock the definitions in the same order.
  const ordered = [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const rows of chunked(ordered, 200)) {
    await db
      .insertInto('attribute_definitions')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['project_id', 'name']).doUpdateSet((eb) => {
          // Portable greatest()/least(): SQLite's max() of two values is an aggregate in PostgreSQL.
          const pick = (
            column: 'from_sdk' | 'from_server' | 'from_import' | 'first_seen' | 'last_seen',
            op: '>' | '<',
          ) =>
            eb
              .case()
              .when(`excluded.${column}`, op, eb.ref(`attribute_definitions.${column}`))
              .then(eb.ref(`excluded.${column}`))
              .else(eb.ref(`attribute_definitions.${column}`))
              .end();
          return {
            from_sdk: pick('from_sdk', '>'),
            from_server: pick('from_server', '>'),
            from_import: pick('from_import', '>'),
            first_seen: pick('first_seen', '<'),
            last_seen: pick('last_seen', '>'),
          };
        }),
      )
      .execute();
  }
}

/** Sets a declared type; the values stay as stored and are read through the new type. */
export async function declareAttributeType(
  db: Db,
  projectId: string,
  name: string,
  type: AttributeType,
  at: number,
) {
  await db
    .insertInto('attribute_definitions')
    .values({
      project_id: projectId,
      name,
      type,
      type_source: 'declared',
      from_sdk: 0,
      from_server: 0,
      from_import: 0,
      first_seen: at,
      last_seen: at,
    })
    .onConflict((oc) => oc.columns(['project_id', 'name']).doUpdateSet({ type, type_source: 'declared' }))
    .execute();
}

/**
 * How many persons hold a live value of each attribute: the counts the write transactions keep in
 * `attribute_holders` (see event-rollup-migration.ts), a few rows an attribute, not a scan of the values.
 */
export async function countAttributeHolders(db: Db, projectId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('attribute_holders')
    .select(['name', (eb) => eb.fn.sum<number>('holders').as('n')])
    .where('project_id', '=', projectId)
    .groupBy('name')
    .execute();
  return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.name, Number(r.n)]));
}
