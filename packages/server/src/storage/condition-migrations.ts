import { type Kysely, type Migration, sql } from 'kysely';
import { typedColumnsOfJson } from '../attributes/typed-attribute-value.js';
import type { MigrationDialect } from './migrations.js';

/**
 * `0005_conditions`: what conditions query. Attribute values get typed columns (filled by
 * `typedAttributeColumns` on every write) with indexes per attribute name, so a condition compares
 * numbers numerically and datetimes as instants in SQL; `group_members` holds static groups.
 */
export function conditionMigrations(dialect: MigrationDialect): Record<string, Migration> {
  return {
    '0005_conditions': {
      async up(db: Kysely<unknown>) {
        const columns: [string, 'text' | 'double precision' | 'bigint' | 'integer'][] = [
          ['text_value', 'text'],
          ['num_value', 'double precision'],
          ['time_value', 'bigint'],
          ['bool_value', 'integer'],
          ['items', 'text'],
        ];
        for (const [name, type] of columns) {
          await db.schema.alterTable('person_attributes').addColumn(name, type).execute();
        }
        await backfillTypedColumns(db);
        await db.schema
          .createIndex('person_attributes_name')
          .on('person_attributes')
          .columns(['project_id', 'name'])
          .execute();
        for (const column of ['num_value', 'time_value']) {
          await db.schema
            .createIndex(`person_attributes_name_${column}`)
            .on('person_attributes')
            .columns(['project_id', 'name', column])
            .where(sql.ref(column), 'is not', null)
            .execute();
        }

        await db.schema
          .createTable('group_members')
          .addColumn('project_id', 'text', (c) => c.notNull())
          .addColumn('group_id', 'text', (c) => c.notNull())
          .addColumn('person_id', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'person_id'])
          .$call((t) => (dialect.withoutRowId ? t.modifyEnd(sql`without rowid`) : t))
          .execute();
        await db.schema.createIndex('group_members_person').on('group_members').column('person_id').execute();
      },
    },
  };
}

/** Fills the typed columns of values stored before they existed, in pages by key. */
async function backfillTypedColumns(db: Kysely<unknown>): Promise<void> {
  let after: { person_id: number; name: string } | null = null;
  for (;;) {
    const page: { person_id: number; name: string; value: string }[] = (
      await sql<{ person_id: number; name: string; value: string }>`
        select person_id, name, value from person_attributes
        where value is not null ${after ? sql`and (person_id > ${after.person_id} or (person_id = ${after.person_id} and name > ${after.name}))` : sql``}
        order by person_id, name limit 2000`.execute(db)
    ).rows;
    for (const row of page) {
      const typed = typedColumnsOfJson(row.value);
      await sql`update person_attributes set text_value = ${typed.text_value}, num_value = ${typed.num_value},
        time_value = ${typed.time_value}, bool_value = ${typed.bool_value}, items = ${typed.items}
        where person_id = ${row.person_id} and name = ${row.name}`.execute(db);
    }
    if (page.length < 2000) return;
    const last = page[page.length - 1];
    after = { person_id: Number(last.person_id), name: last.name };
  }
}
