import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { openStore, type Store } from '../../src/storage/store.js';

/**
 * Where a test's data lives: in-memory SQLite (messages applied as they arrive), an SQLite file
 * with its ingestion log (messages logged, then applied by the worker thread), PostgreSQL, or
 * PostgreSQL with tracking messages through NATS JetStream (`TEST_NATS_URL`).
 */
export type Backend = 'sqlite' | 'sqlite-log' | 'postgres' | 'postgres-jetstream';

/** NATS with JetStream for tests: `TEST_NATS_URL`, else the one `.ci/run` starts on 127.0.0.1:4222. */
export const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** PostgreSQL for tests: `TEST_POSTGRES_URL` (npm test sets it when a local server answers). */
export const postgresUrl = process.env.TEST_POSTGRES_URL ?? '';

/** The backends the suites run on: `STORES=sqlite,postgres` (default both). */
export function testBackends(): Backend[] {
  const wanted = (process.env.STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as Backend[];
  return wanted.filter((b) => b === 'sqlite' || b === 'postgres');
}

/**
 * A fresh, migrated store: an in-memory SQLite database, an SQLite file in a new temporary
 * directory, or a new schema in the test PostgreSQL database; `cleanup` removes it again.
 */
export async function openTestStore(
  backend: Backend,
  options: { migrateUpTo?: string } = {},
): Promise<{ store: Store; cleanup: () => Promise<void>; schema?: string }> {
  if (backend === 'sqlite') {
    const store = openStore(':memory:');
    await store.migrate(options.migrateUpTo);
    return { store, cleanup: () => store.close() };
  }
  if (backend === 'sqlite-log') {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-test-'));
    const store = openStore(join(dir, 'acquaint.db'));
    await store.migrate(options.migrateUpTo);
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const store = openStore(postgresUrl, { schema });
  await store.migrate(options.migrateUpTo);
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await adminQuery(`drop schema ${schema} cascade`);
    },
  };
}

/** Runs one statement on the test PostgreSQL server (creating and dropping schemas and databases). */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  // A connection ended by the server (a database dropped with force) must not end the test run.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Runs a suite once per backend, named `${backend}: …`; with `ingestionLog`, also on an SQLite file
 * whose tracking messages go through the ingestion log; with `jetstream`, also on PostgreSQL with
 * tracking messages through NATS JetStream. Without PostgreSQL the postgres suite is
 * skipped with a printed reason, except under CI, where a missing backend fails the run.
 */
export function describeEachBackend(
  name: string,
  suite: (backend: Backend) => void,
  options: { ingestionLog?: boolean; jetstream?: boolean } = {},
): void {
  const backends = testBackends();
  if (options.ingestionLog && backends.includes('sqlite')) backends.splice(1, 0, 'sqlite-log');
  if (options.jetstream && backends.includes('postgres')) backends.push('postgres-jetstream');
  for (const backend of backends) {
    if (backend === 'postgres') describePostgres(name, () => suite(backend));
    else if (backend === 'postgres-jetstream') describePostgres(`jetstream: ${name}`, () => suite(backend));
    else describe(`${backend}: ${name}`, () => suite(backend));
  }
}

/**
 * A suite that needs PostgreSQL: skipped with a printed reason when `TEST_POSTGRES_URL` is not
 * set, except under CI, where it fails instead.
 */
export function describePostgres(name: string, suite: () => void): void {
  if (postgresUrl) describe(`postgres: ${name}`, suite);
  else if (process.env.CI === 'true')
    describe(`postgres: ${name}`, () => {
      throw new Error('TEST_POSTGRES_URL is not set, and under CI every backend must run');
    });
  else {
    console.warn(`skipping postgres: ${name} — set TEST_POSTGRES_URL to run it`);
    describe.skip(`postgres: ${name}`, suite);
  }
}

/** A new, empty PostgreSQL database of its own (for tests that end its connections or start CLIs). */
export async function createTestDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`drop database if exists ${name} with (force)`) };
}
