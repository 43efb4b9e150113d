import { openStore } from '../storage/store.js';

/** `acquaint migrate`: create or upgrade the schema. */
export async function runMigrate(location: string): Promise<number> {
  const store = openStore(location);
  try {
    await store.migrate();
    process.stdout.write(`Schema is up to date (${store.name}).\n`);
    return 0;
  } finally {
    await store.close();
  }
}
