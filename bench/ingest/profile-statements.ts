// Where a PostgreSQL apply batch spends its time, in process (no HTTP): each statement's wall time
// as the `pg` client sees it (lock waits included) and each trigger function's time
// (`track_functions`, read from pg_stat_user_functions), over N batches of 100 traffic messages
// after WARM batches, PAR batches at once (PAR=8: what concurrent requests do):
//   PAR=8 WARM=100 N=100 node --import tsx bench/ingest/profile-statements.ts [postgres://…]
// Runs in a new schema of the database, dropped at the end.
import pg from 'pg';
import { loadConfig } from '../../packages/server/src/config.js';
import { ingestMessages } from '../../packages/server/src/ingestion/ingest-messages.js';
import { createProject } from '../../packages/server/src/projects/create-project.js';
import { findProjectByWriteKey } from '../../packages/server/src/storage/project-repository.js';
import { openStore } from '../../packages/server/src/storage/store.js';
import { timePgStatements } from '../support/pg-statement-timer.js';
import { trafficMessage } from '../support/traffic.js';

const url = process.argv[2] ?? process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `prof_${process.pid}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create schema ${schema}`);
let timing = false;
const { stats } = timePgStatements({
  keyOf: (text) =>
    text
      .replace(/\s+/g, ' ')
      .replace(/\$\d+/g, '?')
      .replace(/(\?, )+\?/g, '…')
      .slice(0, 110),
  timing: () => timing,
  onNewClient: (_client, query) => query("set track_functions = 'all'"),
});
const store = openStore(url, { schema });
await store.migrate();
const created = await createProject(store, 'bench');
const project = (await findProjectByWriteKey(store.db, created.write_key))!;
const config = loadConfig({});
const traffic = { users: 20000, visitors: 50000 };
const mk = (n: number) =>
  Array.from({ length: n }, () => Array.from({ length: 100 }, () => trafficMessage(traffic)));
const PAR = Number(process.env.PAR ?? 1);
async function run(batches: unknown[][]) {
  for (let i = 0; i < batches.length; i += PAR)
    await Promise.all(
      batches
        .slice(i, i + PAR)
        .map((m) => ingestMessages(store, project, m, { receivedAt: Date.now(), config })),
    );
}
await run(mk(Number(process.env.WARM ?? 200)));
await new Promise((r) => setTimeout(r, 1500));
const fnBefore = await admin.query(
  `select funcname, calls, total_time, self_time from pg_stat_user_functions where schemaname = $1`,
  [schema],
);
const N = Number(process.env.N ?? 100);
const batches = mk(N);
timing = true;
const t0 = performance.now();
await run(batches);
const wall = performance.now() - t0;
timing = false;
await new Promise((r) => setTimeout(r, 1500));
const fnAfter = await admin.query(
  `select funcname, calls, total_time, self_time from pg_stat_user_functions where schemaname = $1`,
  [schema],
);
console.log(
  `${N * 100} events in ${wall.toFixed(0)} ms = ${((N * 100) / (wall / 1000)).toFixed(0)} ev/s (PAR=${PAR})`,
);
const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
for (const [k, s] of rows) console.log(`${s.ms.toFixed(0).padStart(7)} ms ${String(s.n).padStart(5)}x  ${k}`);
interface FunctionStats {
  funcname: string;
  calls: number;
  total_time: number;
  self_time: number;
}
const before = new Map((fnBefore.rows as FunctionStats[]).map((r) => [r.funcname, r]));
for (const r of fnAfter.rows as FunctionStats[]) {
  const b = before.get(r.funcname) ?? { calls: 0, total_time: 0, self_time: 0 };
  console.log(
    `fn ${r.funcname}: calls ${r.calls - b.calls}, total ${(r.total_time - b.total_time).toFixed(0)} ms, self ${(r.self_time - b.self_time).toFixed(0)} ms`,
  );
}
await store.close();
await admin.query(`drop schema ${schema} cascade`);
await admin.end();
