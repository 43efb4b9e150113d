import type { Insertable, Kysely } from 'kysely';
import { chunked } from './chunked.js';
import type { Database } from './schema.js';

export type TableName = keyof Database;
export type ColumnOf<T extends TableName> = keyof Database[T] & string;

/**
 * Many rows for one table, written in the backend's fastest way. Rows whose `conflict` columns
 * collide with a stored row update its `update` columns, or are skipped when `update` is empty.
 * Every row must have the same columns.
 */
export interface RowWrite<T extends TableName> {
  table: T;
  rows: Insertable<Database[T]>[];
  conflict?: { columns: ColumnOf<T>[]; update: ColumnOf<T>[] };
}

/** Kysely cannot type a table chosen at run time; RowWrite has already checked the rows. */
export function untyped(db: Kysely<Database>): Kysely<Record<string, Record<string, unknown>>> {
  return db as unknown as Kysely<Record<string, Record<string, unknown>>>;
}

/** Rows per statement for multi-row writes: under PostgreSQL's 65,535 bound parameters. */
const MAX_PARAMETERS = 30_000;

/** The portable way: multi-row `INSERT … ON CONFLICT` statements through Kysely. */
export async function writeRowsInStatements<T extends TableName>(
  db: Kysely<Database>,
  write: RowWrite<T>,
): Promise<void> {
  if (write.rows.length === 0) return;
  const columns = Object.keys(write.rows[0]).length;
  for (const rows of chunked(write.rows, Math.max(1, Math.floor(MAX_PARAMETERS / columns)))) {
    const query = untyped(db)
      .insertInto(write.table)
      .values(rows as never);
    const { conflict } = write;
    if (!conflict) {
      await query.execute();
    } else if (conflict.update.length === 0) {
      await query.onConflict((oc) => oc.columns(conflict.columns as never).doNothing()).execute();
    } else {
      await query
        .onConflict((oc) =>
          oc
            .columns(conflict.columns as never)
            .doUpdateSet(
              (eb) =>
                Object.fromEntries(
                  conflict.update.map((c) => [c, eb.ref(`excluded.${c}` as never)]),
                ) as never,
            ),
        )
        .execute();
    }
  }
}

/** `INSERT … ON CONFLICT` text for one row of `columns` (SQLite and PostgreSQL share the syntax). */
export function singleRowInsertSql<T extends TableName>(
  table: T,
  columns: string[],
  conflict?: RowWrite<T>['conflict'],
): string {
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  let text = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${columns.map(() => '?').join(', ')})`;
  if (conflict) {
    text += ` on conflict (${conflict.columns.map(quote).join(', ')}) do `;
    text +=
      conflict.update.length === 0
        ? 'nothing'
        : `update set ${conflict.update.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
  }
  return text;
}
