// Where the time of each upload request goes, on PostgreSQL: the wall and CPU time of each
// 10,000-row POST /v1/user/profiles into a watched dynamic group, the six statements that took
// the most time in it (all connections, the delivery worker's included), and the wait events
// sampled from pg_stat_activity every 200 ms. Modes: worker (as the server runs), noworker (the
// delivery worker not started), nosub (no subscription: no membership evaluated, no outbox).
//   node --import tsx bench/webhooks/upload-requests.ts [users] [worker|noworker|nosub]
import http from 'node:http';
import { loadavg } from 'node:os';
import pg from 'pg';
import { DeliveryWorker } from '../../packages/server/src/webhooks/delivery-worker.js';
import { timePgStatements } from '../support/pg-statement-timer.js';
import { openWebhookBench } from './bench-app.js';

const USERS = Number(process.argv[2] ?? 30_000);
const MODE = process.argv[3] ?? 'worker';
const url = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (MODE === 'noworker') DeliveryWorker.prototype.start = () => {};
const { stats, untimed } = timePgStatements({
  keyOf: (text) => text.replace(/\$\d+(, )?/g, '').slice(0, 140),
});
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('ok'));
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const port = (receiver.address() as { port: number }).port;
const bench = await openWebhookBench('postgres', 'acquaint-upload-requests', url);
const { database, app, auth } = bench;
await bench.watchDiamonds(MODE === 'nosub' ? null : `http://127.0.0.1:${port}/hook`);
const watcher = new pg.Client({ connectionString: database.location });
await watcher.connect();
const waits = new Map<string, number>();
let watching = true;
const watch = (async () => {
  while (watching) {
    const r = (await untimed(
      watcher,
      `select coalesce(wait_event_type,'-')||':'||coalesce(wait_event,'CPU')||' '||state||' '||left(regexp_replace(query,'\\s+',' ','g'),60) as k from pg_stat_activity where datname=current_database() and pid<>pg_backend_pid() and state<>'idle'`,
    )) as { rows: { k: string }[] };
    for (const { k } of r.rows) waits.set(k, (waits.get(k) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 200));
  }
})();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let first = 0; first < USERS; first += 10_000) {
  const values = Array.from({ length: 10_000 }, (_, i) => [`user-${first + i}`, 'diamond']);
  stats.clear();
  const t0 = Date.now();
  const c0 = cpu();
  const up = await app.inject({
    method: 'POST',
    url: '/v1/user/profiles',
    headers: auth,
    payload: { field_name: ['user_id', 'plan'], values },
  });
  if (up.statusCode !== 200) throw new Error(up.body);
  console.log(
    `request ${first / 10_000 + 1}: ${((Date.now() - t0) / 1000).toFixed(1)} s wall, ${((cpu() - c0) / 1000).toFixed(1)} s CPU, load ${loadavg()[0].toFixed(1)}`,
  );
  const top = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
  for (const [k, s] of top) console.log(`   ${(s.ms / 1000).toFixed(2)} s  n=${s.n}  ${k}`);
}
watching = false;
await watch;
console.log('wait samples:');
for (const [k, n] of [...waits].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${n}  ${k}`);
await watcher.end();
receiver.close();
await bench.close();
