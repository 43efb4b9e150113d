import type SqliteDatabase from 'better-sqlite3';
import type { AttributeValue } from '../attributes/attribute-operation.js';
import type { PersonAttribute } from './attribute-repository.js';
import { chunked } from './chunked.js';
import type { ImportedPersonRef, ProfileBulkWriter } from './profile-bulk-writer.js';

/** Rows per multi-row statement: amortises SQLite's per-statement cost, far under its variable limit. */
const ROWS_PER_STATEMENT = 100;
const IDS_PER_LOOKUP = 500;

/**
 * The SQLite bulk writer. It runs on the raw better-sqlite3 connection, which is the connection
 * of the write transaction the caller is in (writers are serialised on one connection), with
 * prepared statements kept per text: a chunk uses a full-size text and one remainder text.
 */
export function sqliteProfileWriter(connection: SqliteDatabase.Database): ProfileBulkWriter {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const prepared = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = connection.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const placeholders = (count: number, tuple: string) => Array(count).fill(tuple).join(',');

  return {
    async lockPersonsByUserIds(projectId, userIds) {
      const found: ImportedPersonRef[] = [];
      for (const ids of chunked(userIds, IDS_PER_LOOKUP)) {
        const rows = prepared(
          `select id, user_id, imported_at from persons where project_id = ? and user_id in (${placeholders(ids.length, '?')})`,
        ).all(projectId, ...ids) as { id: number; user_id: string; imported_at: number | null }[];
        for (const row of rows) found.push({ id: row.id, userId: row.user_id, importedAt: row.imported_at });
      }
      return found;
    },

    async insertImportedPersons(projectId, userIds, at) {
      const ids: number[] = [];
      for (const batch of chunked(userIds, ROWS_PER_STATEMENT)) {
        const values: unknown[] = [];
        for (const userId of batch) values.push(projectId, userId, at, at, at, at);
        const { lastInsertRowid } = prepared(
          `insert into persons (project_id, user_id, created_at, first_seen, last_seen, imported_at) values ${placeholders(batch.length, '(?,?,?,?,?,?)')}`,
        ).run(values);
        // One statement on the only writer's connection takes consecutive rowids.
        const last = Number(lastInsertRowid);
        for (let i = batch.length - 1; i >= 0; i--) ids.push(last - i);
      }
      return ids;
    },

    async markImported(personIds, at) {
      for (const ids of chunked(personIds, IDS_PER_LOOKUP)) {
        prepared(
          `update persons set imported_at = ? where imported_at is null and id in (${placeholders(ids.length, '?')})`,
        ).run(at, ...ids);
      }
    },

    async loadAttributes(personIds, names) {
      const wanted = new Set(names);
      const found: PersonAttribute[] = [];
      for (const ids of chunked(personIds, IDS_PER_LOOKUP)) {
        const rows = prepared(
          `select person_id, name, value, updated_at from person_attributes where person_id in (${placeholders(ids.length, '?')})`,
        ).all(...ids) as { person_id: number; name: string; value: string | null; updated_at: number }[];
        for (const row of rows) {
          if (!wanted.has(row.name)) continue;
          found.push({
            personId: row.person_id,
            name: row.name,
            value: row.value === null ? undefined : (JSON.parse(row.value) as AttributeValue),
            updatedAt: row.updated_at,
          });
        }
      }
      return found;
    },

    async saveAttributes(projectId, attributes) {
      for (const batch of chunked(attributes, ROWS_PER_STATEMENT)) {
        const values: unknown[] = [];
        for (const a of batch) {
          values.push(
            projectId,
            a.personId,
            a.name,
            a.value === undefined ? null : JSON.stringify(a.value),
            a.updatedAt,
          );
        }
        prepared(
          `insert into person_attributes (project_id, person_id, name, value, updated_at) values ${placeholders(batch.length, '(?,?,?,?,?)')}
           on conflict (person_id, name) do update set value = excluded.value, updated_at = excluded.updated_at`,
        ).run(values);
      }
    },
  };
}
