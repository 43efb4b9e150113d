import { Migrator } from 'kysely';
import { expect, it } from 'vitest';
import { CodeMigrationProvider } from '../../src/storage/migrations.js';
import { openStore } from '../../src/storage/store.js';

it('sqlite: migration 0007 flags devices of known crawlers seen before it as bots, and gives projects UTC', async () => {
  const store = openStore(':memory:');
  try {
    const migrator = new Migrator({
      db: store.db,
      provider: new CodeMigrationProvider({
        serialType: 'integer',
        autoIncrement: true,
        jsonType: 'text',
        withoutRowId: true,
      }),
    });
    const { error } = await migrator.migrateTo('0003_ingestion_log');
    expect(error).toBeUndefined();
    await store.db
      .insertInto('projects')
      .values({
        id: 'p1',
        name: 'old',
        write_key: 'wk',
        identity_secret: 's',
        verify_identity: 0,
        created_at: 1,
      })
      .execute();
    const device = (anonymous_id: string, user_agent: string, device_type: string) => ({
      project_id: 'p1',
      anonymous_id,
      person_id: 1,
      first_seen: 1,
      last_seen: 1,
      user_agent,
      device_type,
      session_count: 1,
    });
    await store.db
      .insertInto('devices')
      .values([
        // The parser of earlier versions called this link previewer a desktop.
        device(
          'preview',
          'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
          'desktop',
        ),
        device(
          'phone',
          'Mozilla/5.0 (Linux; Android 9; CUBOT X19) Chrome/120.0 Mobile Safari/537.36',
          'mobile',
        ),
      ])
      .execute();
    await store.migrate();
    const types = await store.db
      .selectFrom('devices')
      .select(['anonymous_id', 'device_type'])
      .orderBy('anonymous_id')
      .execute();
    expect(types).toEqual([
      { anonymous_id: 'phone', device_type: 'mobile' },
      { anonymous_id: 'preview', device_type: 'bot' },
    ]);
    const project = await store.db.selectFrom('projects').select('timezone').executeTakeFirstOrThrow();
    expect(project.timezone).toBe('UTC');
  } finally {
    await store.close();
  }
});
