// In-process measurement of ingestMessages (no HTTP), for profiling the storage path:
//   node --import tsx bench/ingest/profile-inprocess.ts [sqlite-file|:memory:|postgres://…] [batches]
// PAR=32 runs 32 batches at once, so that SQLite's group commit folds them into one transaction
// (about what the ingestion log's applier does).
import { loadConfig } from '../../packages/server/src/config.js';
import { ingestMessages } from '../../packages/server/src/ingestion/ingest-messages.js';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { findProjectByWriteKey } from '../../packages/server/src/storage/project-repository.js';
import { openStore } from '../../packages/server/src/storage/store.js';
import { trafficMessage } from '../support/traffic.js';

const store = openStore(process.argv[2] ?? ':memory:');
await store.migrate();
const created = await createProject(store, 'bench');
const project = (await findProjectByWriteKey(store.db, created.write_key))!;
const config = loadConfig({});
const traffic = { users: 20000, visitors: 50000 };
const batches = Array.from({ length: Number(process.argv[3] ?? 300) }, () =>
  Array.from({ length: 100 }, () => trafficMessage(traffic)),
);
const start = performance.now();
const cpuStart = process.cpuUsage();
const PAR = Number(process.env.PAR ?? 1);
for (let i = 0; i < batches.length; i += PAR)
  await Promise.all(
    batches.slice(i, i + PAR).map(async (messages) => {
      const result = await ingestMessages(store, project, messages, { receivedAt: Date.now(), config });
      if (result.rejected.length) throw new Error(JSON.stringify(result.rejected[0]));
    }),
  );
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const events = batches.length * 100;
console.log(
  `${(events / seconds).toFixed(0)} events/s wall, ${(events / ((cpu.user + cpu.system) / 1e6)).toFixed(0)} events per CPU-second (${events} events)`,
);
await store.close();
