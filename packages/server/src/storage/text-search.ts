import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * `column` contains `text`, ignoring case, on every backend: `\` escapes `%` and `_` (SQLite
 * only honours an escape character when told).
 */
export function containsText(column: string, text: string): RawBuilder<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
