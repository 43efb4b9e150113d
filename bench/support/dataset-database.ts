import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DatasetTarget, postgresDatasetTarget, sqliteDatasetTarget } from './dataset-writers.js';

/**
 * A fresh database for one benchmark run: an SQLite file in a temporary directory, or a PostgreSQL
 * database created on `postgresUrl`'s server; `drop` removes it.
 */
export async function openDatasetDatabase(
  backend: string,
  prefix: string,
  postgresUrl: string,
): Promise<{ target: DatasetTarget; location: string; drop(): Promise<void> }> {
  const { location, drop } = await createBenchDatabase(backend, prefix, postgresUrl);
  const target =
    backend === 'sqlite' ? await sqliteDatasetTarget(location) : await postgresDatasetTarget(location);
  return { target, location, drop };
}

/**
 * An empty database for one benchmark run: a file path in a new temporary directory (SQLite), or
 * the URL of a database created on `postgresUrl`'s server; `drop` removes it.
 */
export async function createBenchDatabase(
  backend: string,
  prefix: string,
  postgresUrl: string,
): Promise<{ location: string; drop(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    return {
      location: join(dir, 'acquaint.db'),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `${prefix.replace(/-/g, '_')}_${Date.now()}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(text);
    await client.end();
  };
  await admin(`create database ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { location: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** The median time in ms of `runs` runs of `run`, after one warm-up run. */
export async function medianMs(runs: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}
