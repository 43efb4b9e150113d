import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Keyset paging: the rows after `(first, id)` in the order `column <direction>, id <direction>`
 * (the position a list's cursor carries), so a page costs an index seek however deep it is.
 */
export function afterKey(
  column: string,
  position: { first: number | string; id: string },
  direction: 'asc' | 'desc',
): RawBuilder<SqlBool> {
  const op = sql.raw(direction === 'desc' ? '<' : '>');
  const { first, id } = position;
  return sql<SqlBool>`(${sql.ref(column)} ${op} ${first} or (${sql.ref(column)} = ${first} and ${sql.ref('id')} ${op} ${id}))`;
}
