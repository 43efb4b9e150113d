import { type Kysely, sql } from 'kysely';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import { typedColumnsOfJson } from '../attributes/typed-attribute-value.js';
import type { PersonAttribute } from './attribute-repository.js';
import { chunked } from './chunked.js';
import type { ImportedPersonRef, ProfileBulkWriter } from './profile-bulk-writer.js';
import type { Database } from './schema.js';

/** Rows per array-valued statement: large enough to amortise the round trip, small enough to stream. */
const ROWS_PER_STATEMENT = 20_000;

/**
 * The PostgreSQL bulk writer: each step is one statement whose rows travel as arrays
 * (`unnest($1::text[], …)`), so a chunk of thousands of rows costs a handful of round trips and no
 * bound-parameter limit applies. Runs on the caller's transaction.
 */
export function postgresProfileWriter(trx: Kysely<Database>): ProfileBulkWriter {
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
      const idByUser = new Map<string, number>();
      for (const ids of chunked(userIds, ROWS_PER_STATEMENT)) {
        const { rows } = await sql<{ id: number; user_id: string }>`
          insert into persons (project_id, user_id, created_at, first_seen, last_seen, imported_at)
          select ${projectId}, u, ${at}, ${at}, ${at}, ${at} from unnest(${ids}::text[]) as t(u)
          returning id, user_id`.execute(trx);
        for (const row of rows) idByUser.set(row.user_id, Number(row.id));
      }
      return userIds.map((userId) => idByUser.get(userId) as number);
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

    async saveAttributes(projectId, { at, count, personIds, names, values }) {
      for (let start = 0; start < count; start += ROWS_PER_STATEMENT) {
        const end = Math.min(count, start + ROWS_PER_STATEMENT);
        const chunk = values.slice(start, end);
        const typed = chunk.map(typedColumnsOfJson);
        await sql`
          insert into person_attributes (project_id, person_id, name, value, updated_at,
            text_value, num_value, time_value, bool_value, items)
          select ${projectId}, p, n, v, ${at}::bigint, tv, nv, tiv, bv, it
          from unnest(${personIds.slice(start, end)}::bigint[], ${names.slice(start, end)}::text[], ${chunk}::text[],
            ${typed.map((t) => t.text_value)}::text[], ${typed.map((t) => t.num_value)}::float8[],
            ${typed.map((t) => t.time_value)}::bigint[], ${typed.map((t) => t.bool_value)}::integer[],
            ${typed.map((t) => t.items)}::text[]) as r(p, n, v, tv, nv, tiv, bv, it)
          on conflict (person_id, name) do update set value = excluded.value, updated_at = excluded.updated_at,
            text_value = excluded.text_value, num_value = excluded.num_value, time_value = excluded.time_value,
            bool_value = excluded.bool_value, items = excluded.items`.execute(trx);
      }
    },
  };
}
