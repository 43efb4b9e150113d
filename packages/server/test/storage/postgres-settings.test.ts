import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { describePostgres, openTestStore } from '../support/test-stores.js';

describePostgres('PostgreSQL connection settings', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore('postgres'));
  });
  afterAll(() => cleanup());

  it('runs without JIT compilation and in its own schema on every pooled connection', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        store.db.connection().execute(async (connection) => {
          const { rows } = await sql<{ jit: string; schema: string }>`
            select current_setting('jit') as jit, current_schema() as schema, pg_sleep(0.05)`.execute(
            connection,
          );
          return rows[0];
        }),
      ),
    );
    for (const answer of answers) {
      expect(answer.jit).toBe('off');
      expect(answer.schema).toMatch(/^t_/);
    }
  });
});
