// The ingestion log's applier on its own (no HTTP, one thread): how fast logged requests of 100
// realistic messages are applied to a fresh SQLite file, next to a baseline of the same requests
// applied one transaction each, as `ACQUAINT_INGESTION_LOG=off` does.
//   node --import tsx bench/ingest/apply-log.ts [requests]
// Prints wall and CPU time (user+sys of this process) per event and the 1-minute load average;
// APPLIER_ONLY=1 skips the baseline (for profiling the applier with --cpu-prof).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../packages/server/src/config.js';
import { ingestMessages } from '../../packages/server/src/ingestion/ingest-messages.js';
import { LogApplier } from '../../packages/server/src/ingestion/log-applier.js';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { findProjectByWriteKey } from '../../packages/server/src/storage/project-repository.js';
import {
  ingestionLogFile,
  SqliteIngestionLog,
} from '../../packages/server/src/storage/sqlite-ingestion-log.js';
import { openStore } from '../../packages/server/src/storage/store.js';
import { trafficBatch } from '../support/traffic.js';

const REQUESTS = Number(process.argv[2] ?? 1000);
const config = loadConfig({});
const bodies = Array.from({ length: REQUESTS }, () =>
  trafficBatch({ users: 5_000, visitors: 20_000 }, 100, 'unused'),
);

async function freshProject() {
  const dir = mkdtempSync(join(tmpdir(), 'acquaint-apply-'));
  const file = join(dir, 'acquaint.db');
  const store = openStore(file);
  await store.migrate();
  const { write_key } = await createProject(store, 'bench');
  const project = (await findProjectByWriteKey(store.db, write_key))!;
  return { dir, file, store, project };
}

/** Runs `run`, prints events/s of wall and of CPU time; returns the CPU-time rate. */
async function timed(name: string, run: () => Promise<void>): Promise<number> {
  const load = loadavg()[0];
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const events = REQUESTS * 100;
  const rate = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `${name}: ${rate(events / seconds)} events/s wall, ${rate(events / cpuSeconds)} events per CPU-second ` +
      `(${((cpuSeconds / events) * 1e6).toFixed(1)} µs CPU an event), load ${load.toFixed(1)}`,
  );
  return events / cpuSeconds;
}

let baseline = Number.NaN;
if (!process.env.APPLIER_ONLY) {
  const direct = await freshProject();
  baseline = await timed('baseline: each request in its own transaction', async () => {
    for (const body of bodies) {
      const { batch } = JSON.parse(body) as { batch: unknown[] };
      await ingestMessages(direct.store, direct.project, batch, { receivedAt: Date.now(), config });
    }
  });
  await direct.store.close();
  rmSync(direct.dir, { recursive: true, force: true });
}

const logged = await freshProject();
const log = SqliteIngestionLog.open(ingestionLogFile(logged.file));
for (const body of bodies) {
  log.append({
    projectId: logged.project.id,
    receivedAt: Date.now(),
    messageType: null,
    maxMessageBytes: config.maxMessageBytes,
    verifiedIndexes: null,
    generatedIdPrefix: 'bench',
    body: Buffer.from(body),
  });
}
const applier = new LogApplier(logged.store, log, config);
const applied = await timed('the ingestion log applier', async () => {
  while ((await applier.applyNext(() => {})) !== null) {}
});
if (!Number.isNaN(baseline)) console.log(`ratio (CPU per event): ${(applied / baseline).toFixed(2)}×`);
log.close();
await logged.store.close();
rmSync(logged.dir, { recursive: true, force: true });
