// Applying the same tracking requests to a database of the schema before migration 0020
// (`0018_jetstream`) and of the current one, alternately, in one run: CPU time per event of this
// process (SQLite works in it) and of the PostgreSQL server processes serving its connections.
//   node --import tsx bench/ingest/schema-compare.ts [requests] [sqlite,postgres] [rounds] [ingest|events]
// `events` writes only the event rows of the same traffic (`writeRows`, 1,000 a transaction): what
// the event table and its indexes cost, without identity resolution.
// PostgreSQL: TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); each run makes
// and drops a database of its own.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../packages/server/src/config.js';
import { ingestMessages } from '../../packages/server/src/ingestion/ingest-messages.js';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { findProjectByWriteKey } from '../../packages/server/src/storage/project-repository.js';
import { openStore, type Store } from '../../packages/server/src/storage/store.js';
import { trafficBatch } from '../support/traffic.js';

const REQUESTS = Number(process.argv[2] ?? 300);
const BACKENDS = (process.argv[3] ?? 'sqlite,postgres').split(',');
const ROUNDS = Number(process.argv[4] ?? 2);
const MODE = process.argv[5] ?? 'ingest';
const PG_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMAS = { 'before (0018)': '0018_jetstream', 'after (0020)': undefined } as const;
const config = loadConfig({});
const bodies = Array.from({ length: REQUESTS }, () =>
  trafficBatch({ users: 5_000, visitors: 20_000 }, 100, 'unused'),
);

/** User + system CPU seconds of a process, from /proc (clock ticks of 1/100 s). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function admin(text: string) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function run(backend: string, upTo: string | undefined) {
  let store: Store;
  let done: () => Promise<void>;
  let serverPids = async () => [] as number[];
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'acquaint-schema-'));
    store = openStore(join(dir, 'acquaint.db'));
    done = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const name = `bench_schema_${process.pid}_${Date.now()}`;
    await admin(`create database ${name}`);
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    store = openStore(url.toString());
    serverPids = async () =>
      (await admin(`select pid from pg_stat_activity where datname = '${name}'`)).rows.map((r) => r.pid);
    done = () => admin(`drop database if exists ${name} with (force)`).then(() => {});
  }
  await store.migrate(upTo);
  const { write_key } = await createProject(store, 'bench');
  const project = (await findProjectByWriteKey(store.db, write_key))!;
  const serverBefore = new Map((await serverPids()).map((pid) => [pid, cpuOf(pid)]));
  const cpu = process.cpuUsage();
  const load = loadavg()[0];
  const start = performance.now();
  if (MODE === 'events') {
    const rows = bodies.flatMap((body) =>
      (JSON.parse(body) as { batch: Record<string, string>[] }).batch.map(eventRow),
    );
    for (let i = 0; i < rows.length; i += 1000) {
      await store.transaction((tx) => tx.writeRows({ table: 'events', rows: rows.slice(i, i + 1000) }));
    }
  } else {
    for (const body of bodies) {
      const { batch } = JSON.parse(body) as { batch: unknown[] };
      await ingestMessages(store, project, batch, { receivedAt: Date.now(), config });
    }
  }
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  let serverCpu = 0;
  for (const pid of await serverPids()) serverCpu += cpuOf(pid) - (serverBefore.get(pid) ?? 0);
  await store.close();
  await done();
  const events = REQUESTS * 100;
  const clientCpu = (used.user + used.system) / 1e6;
  return { wall, events, clientCpu, serverCpu, load };
}

/** The `events` row of one traffic message (as ingestion writes it, without resolving anyone). */
function eventRow(m: Record<string, string>) {
  return {
    project_id: 'prj_benchbenchbenchbench',
    message_id: m.messageId,
    type: m.type,
    name: m.event ?? null,
    anonymous_id: m.anonymousId ?? null,
    user_id: m.userId ?? null,
    timestamp: Date.parse(m.timestamp ?? '') || Date.now(),
    received_at: Date.now(),
    session_id: null,
    url: null,
    referrer: null,
    properties: JSON.stringify(m.properties ?? {}),
    context: JSON.stringify(m.context ?? {}),
  };
}

for (const backend of BACKENDS) {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [label, upTo] of Object.entries(SCHEMAS)) {
      const r = await run(backend, upTo);
      const perK = ((r.clientCpu + r.serverCpu) / r.events) * 1000 * 1000;
      console.log(
        `${backend} ${label} round ${round}: ${r.events} events, ${r.wall.toFixed(1)} s wall, ` +
          `CPU ${r.clientCpu.toFixed(2)} s here + ${r.serverCpu.toFixed(2)} s PostgreSQL = ${perK.toFixed(0)} ms per 1,000 events, ` +
          `load ${r.load.toFixed(1)}`,
      );
    }
  }
}
