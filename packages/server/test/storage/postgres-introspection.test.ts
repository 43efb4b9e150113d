import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { adminQuery, describePostgres, openTestStore } from '../support/test-stores.js';

/**
 * What Kysely's migrator asks (do its tables exist?) must not depend on other schemas of the
 * database: tests drop theirs while others migrate, and used to fail with `schema "t_…" does not
 * exist` naming the schema being dropped (see postgres-introspector.ts).
 */
describePostgres('introspection while another schema is dropped', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore('postgres'));
  });
  afterAll(() => cleanup());

  it('lists the own schema tables from a snapshot in which a dropped schema still exists', async () => {
    const other = `o_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create schema ${other}; create table ${other}.counters (id bigserial primary key)`);
    const tables = await store.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`select 1`.execute(trx); // the snapshot: the other schema exists in it
        await adminQuery(`drop schema ${other} cascade`);
        return trx.introspection.getTables({ withInternalKyselyTables: true });
      });
    const names = tables.map((t) => t.name);
    expect(names).toContain('kysely_migration');
    expect(names).not.toContain('counters');
    const [ownSchema] = new Set(tables.map((t) => t.schema));
    expect(ownSchema).toMatch(/^t_/);
    const persons = tables.find((t) => t.name === 'persons');
    expect(persons?.columns.find((c) => c.name === 'id')).toMatchObject({
      isAutoIncrementing: true,
      isNullable: false,
    });
    expect(persons?.columns.find((c) => c.name === 'user_id')).toMatchObject({ isNullable: true });
  });

  it('leaves the migrator table out unless asked', async () => {
    const names = (await store.db.introspection.getTables()).map((t) => t.name);
    expect(names).toContain('persons');
    expect(names).not.toContain('kysely_migration');
  });
});
