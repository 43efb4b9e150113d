import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import { TYPED_COLUMNS } from '../attributes/typed-attribute-value.js';
import type { PersonAttribute } from './attribute-repository.js';
import { chunked } from './chunked.js';
import { copyRows } from './postgres-copy.js';
import {
  type AttributeWrites,
  type ImportedPersonRef,
  memoisedTypedColumns,
  type ProfileBulkWriter,
} from './profile-bulk-writer.js';
import type { Database } from './schema.js';

/** Ids per array-valued lookup: large enough to amortise the round trip, small enough to stream. */
const ROWS_PER_STATEMENT = 20_000;

/**
 * The PostgreSQL bulk writer. Reads send their ids as arrays (`= any($1::text[])`); rows are
 * written through `COPY … FROM STDIN` on the transaction's own client (`client`): new persons and
 * their attributes straight into their tables, updates of stored attributes into a temporary
 * staging table and from it in one `INSERT … SELECT … ON CONFLICT` upsert. No bound-parameter
 * limit applies and no row is turned into a statement parameter. Runs on the caller's transaction.
 */
export function postgresProfileWriter(trx: Kysely<Database>, client?: pg.PoolClient): ProfileBulkWriter {
  const copyClient = () => {
    if (!client) throw new Error('the PostgreSQL import writer runs only inside a store transaction');
    return client;
  };
  let stagingReady = false;
  return {
    async lockPersonsByUserIds(projectId, userIds) {
      const found: ImportedPersonRef[] = [];
      for (const ids of chunked(userIds, ROWS_PER_STATEMENT)) {
        const { rows } = await sql<{ id: number; user_id: string; imported_at: number | null }>`
          select id, user_id, imported_at from persons
          where project_id = ${projectId} and user_id = any(${ids}::text[])
          order by id for update`.execute(trx);
        for (const row of rows)
          found.push({ id: Number(row.id), userId: row.user_id, importedAt: row.imported_at });
      }
      return found;
    },

    async insertImportedPersons(projectId, userIds, at) {
      if (userIds.length === 0) return [];
      // The caller holds these user ids' locks and found no person with them: the ids are new.
      const { rows } = await sql<{ id: number }>`
        select nextval(pg_get_serial_sequence('persons', 'id')) as id
        from generate_series(1, ${userIds.length})`.execute(trx);
      const ids = rows.map((r) => Number(r.id));
      await copyRows(copyClient(), 'persons', PERSON_COLUMNS, ids.length, (i, f) => {
        f[0] = ids[i];
        f[1] = projectId;
        f[2] = userIds[i];
        f[3] = at;
        f[4] = at;
        f[5] = at;
        f[6] = at;
      });
      return ids;
    },

    async markImported(personIds, at) {
      for (const ids of chunked(personIds, ROWS_PER_STATEMENT)) {
        await sql`update persons set imported_at = ${at}
          where imported_at is null and id = any(${ids}::bigint[])`.execute(trx);
      }
    },

    async loadAttributes(personIds, names) {
      const found: PersonAttribute[] = [];
      for (const ids of chunked(personIds, ROWS_PER_STATEMENT)) {
        const { rows } = await sql<{
          person_id: number;
          name: string;
          value: string | null;
          updated_at: number;
        }>`
          select person_id, name, value, updated_at from person_attributes
          where person_id = any(${ids}::bigint[]) and name = any(${names}::text[])`.execute(trx);
        for (const row of rows) {
          found.push({
            personId: Number(row.person_id),
            name: row.name,
            value: row.value === null ? undefined : (JSON.parse(row.value) as AttributeValue),
            updatedAt: Number(row.updated_at),
          });
        }
      }
      return found;
    },

    async saveAttributes(projectId, writes) {
      // COPY into this connection's staging table, then one set-based upsert from it.
      if (stagingReady) await sql`truncate import_attribute_stage`.execute(trx);
      else {
        await sql`create temp table if not exists import_attribute_stage (
          person_id bigint, name text, value text, text_value text, num_value float8,
          time_value bigint, bool_value integer, items text) on commit delete rows`.execute(trx);
        stagingReady = true;
      }
      await copyAttributes(copyClient(), 'import_attribute_stage', STAGE_COLUMNS, null, writes);
      await sql`
        insert into person_attributes (project_id, ${sql.raw(STAGE_COLUMNS.slice(0, 3).join(', '))}, updated_at,
          ${sql.raw(TYPED_COLUMNS.join(', '))})
        select ${projectId}, ${sql.raw(STAGE_COLUMNS.slice(0, 3).join(', '))}, ${writes.at}::bigint,
          ${sql.raw(TYPED_COLUMNS.join(', '))}
        from import_attribute_stage
        on conflict (person_id, name) do update set value = excluded.value, updated_at = excluded.updated_at,
          ${sql.raw(TYPED_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', '))}`.execute(trx);
    },

    async insertNewAttributes(projectId, writes) {
      // Persons created in this transaction have nothing stored: straight into the table.
      await copyAttributes(copyClient(), 'person_attributes', ATTRIBUTE_COLUMNS, projectId, writes);
    },
  };
}

const PERSON_COLUMNS = [
  'id',
  'project_id',
  'user_id',
  'created_at',
  'first_seen',
  'last_seen',
  'imported_at',
];
const STAGE_COLUMNS = ['person_id', 'name', 'value', ...TYPED_COLUMNS];
const ATTRIBUTE_COLUMNS = ['project_id', 'updated_at', ...STAGE_COLUMNS];

/**
 * COPYs the first `writes.count` attribute writes into `table`: with the project and time first
 * when `projectId` is given (the attribute table itself), else only the staged columns.
 */
function copyAttributes(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  projectId: string | null,
  { at, count, personIds, names, values }: AttributeWrites,
): Promise<void> {
  const offset = projectId === null ? 0 : 2;
  const typedOf = memoisedTypedColumns();
  return copyRows(client, table, columns, count, (i, f) => {
    if (projectId !== null) {
      f[0] = projectId;
      f[1] = at;
    }
    f[offset] = personIds[i];
    f[offset + 1] = names[i];
    const value = values[i];
    f[offset + 2] = value;
    const typed = typedOf(value);
    f[offset + 3] = typed.text_value;
    f[offset + 4] = typed.num_value;
    f[offset + 5] = typed.time_value;
    f[offset + 6] = typed.bool_value;
    f[offset + 7] = typed.items;
  });
}
