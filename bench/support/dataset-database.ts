import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { findProjectByWriteKey } from '../../packages/server/src/storage/project-repository.js';
import { openStore, type Store } from '../../packages/server/src/storage/store.js';
import type { DatasetSize } from './dataset.js';
import { generateDatasetSql } from './dataset-sql.js';

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

/** A benchmark's shop: the database with the generated data, open, and how long loading took. */
export interface LoadedShop {
  store: Store;
  projectId: string;
  events: number;
  loadSeconds: number;
  /** CPU seconds of this process while loading (SQLite does its work in this process). */
  loadCpuSeconds: number;
  /** Closes the store and removes the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database with one project and the shop of `persons` persons, written set-based by the
 * database (`dataset-sql.ts`): 1,000,000 persons in minutes.
 */
export async function loadShop(
  backend: string,
  prefix: string,
  postgresUrl: string,
  persons: number,
  step: (what: string) => void,
): Promise<LoadedShop> {
  const { location, drop } = await createBenchDatabase(backend, prefix, postgresUrl);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const store = openStore(location);
  await store.migrate();
  const { write_key } = await createProject(store, 'bench shop');
  const project = await findProjectByWriteKey(store.db, write_key);
  if (!project) throw new Error('the project was not created');
  const { events } = await generateDatasetSql(store, project.id, { persons }, step);
  const used = process.cpuUsage(cpu);
  return {
    store,
    projectId: project.id,
    events,
    loadSeconds: (performance.now() - started) / 1000,
    loadCpuSeconds: (used.user + used.system) / 1e6,
    drop: async () => {
      await store.close();
      await drop();
    },
  };
}

/**
 * The median of `runs` runs of `run` after one warm-up: wall time and the CPU time this process
 * spent (ms). SQLite runs in this process, so its CPU time is the query's own work whatever else
 * the machine is doing; PostgreSQL works in its own processes (then only the client's share).
 */
export async function medianRun(
  runs: number,
  run: () => Promise<unknown>,
): Promise<{ wall: number; cpu: number }> {
  await run();
  const times: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpu);
    times.push({ wall: performance.now() - started, cpu: (used.user + used.system) / 1000 });
  }
  return times.sort((a, b) => a.wall - b.wall)[Math.floor(runs / 2)];
}

/**
 * What a shop bench runs on: the sizes (first argument, default `10k,100k`), the backends (second,
 * default `sqlite,postgres`) and PostgreSQL (BENCH_POSTGRES_URL, default the local test database).
 */
export function shopBenchArguments() {
  return {
    sizes: (process.argv[2] ?? '10k,100k').split(',') as DatasetSize[],
    backends: (process.argv[3] ?? 'sqlite,postgres').split(','),
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}
